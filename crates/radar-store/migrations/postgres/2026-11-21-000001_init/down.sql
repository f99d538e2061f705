DROP TABLE outbox;
DROP TABLE processed_messages;
DROP TABLE user_context;
DROP TABLE event_log;
DROP FUNCTION event_log_append_only();
DROP TABLE features;
DROP TABLE releases;
DROP TABLE projects;
