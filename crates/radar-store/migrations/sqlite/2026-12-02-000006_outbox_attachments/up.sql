-- A reply can carry a file: a PNG (the release burn-up chart, Telegram's
-- sendPhoto) or a CSV (the export, sendDocument). The bytes are rendered in
-- the command's transaction and queued with the reply (whose text is then
-- the caption); delivery sends them as they were queued. A table of its
-- own: the outbox's reads never load the bytes, and a pruned reply takes
-- its file with it.
CREATE TABLE outbox_attachments (
    outbox_id BIGINT NOT NULL PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    file_name TEXT NOT NULL,
    bytes BLOB NOT NULL
);

