-- Retention: an update's JSON (payload) is kept only until it is processed, for
-- replay after a crash. Processing now clears it; this clears what earlier
-- versions kept of updates already processed. Pending updates keep theirs.
UPDATE processed_messages SET payload = NULL WHERE processed_at IS NOT NULL;
