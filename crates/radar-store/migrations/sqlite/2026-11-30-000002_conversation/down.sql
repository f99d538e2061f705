DROP TABLE offered_actions;
DROP TABLE conversation_state;
