ALTER TABLE outbox DROP COLUMN edit_message_id;
