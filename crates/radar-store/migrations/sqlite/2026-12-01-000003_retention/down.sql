DROP INDEX outbox_created_idx;
DROP INDEX processed_messages_processed_idx;
