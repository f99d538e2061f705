-- A reply to a button press edits the message that carried the button
-- (Telegram's editMessageText) instead of sending a new one.
ALTER TABLE outbox ADD COLUMN edit_message_id BIGINT;
