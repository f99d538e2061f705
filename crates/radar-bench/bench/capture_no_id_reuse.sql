-- Applied to the capture run's copy of the database only (compare.sh; never to the replay's or
-- the engine's): SQLite gives a new row max(id) + 1, so when an undo deletes the newest feature,
-- the next feature added (by any worker) gets its id again. Replayed in parallel, that second
-- insert can come before the delete and fail (UNIQUE constraint failed: features.id). This keeps
-- the newest id taken: a placeholder row (number -id, cancelled) replaces a deleted newest
-- feature, so every feature the capture adds gets an id of its own. The engine's statements are
-- unchanged (a trigger's work is not captured); the placeholder is one more row in that project's
-- feature list, in the capture run only.
CREATE TRIGGER IF NOT EXISTS bench_capture_no_id_reuse AFTER DELETE ON features
WHEN OLD.id > (SELECT coalesce(max(id), 0) FROM features)
BEGIN
  INSERT INTO features (id, project_id, number, name, status, created_at, updated_at)
  VALUES (OLD.id, OLD.project_id, -OLD.id, '(bench placeholder)', 'cancelled', OLD.created_at, OLD.updated_at);
END;
