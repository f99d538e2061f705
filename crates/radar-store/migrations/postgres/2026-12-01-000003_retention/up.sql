-- Retention (radar serve's housekeeping): processed receipts and done
-- replies older than RADAR_KEY_RETENTION are deleted in small batches;
-- these indexes find them without reading the whole table.
CREATE INDEX processed_messages_processed_idx ON processed_messages (processed_at)
    WHERE processed_at IS NOT NULL;
CREATE INDEX outbox_created_idx ON outbox (created_at);
