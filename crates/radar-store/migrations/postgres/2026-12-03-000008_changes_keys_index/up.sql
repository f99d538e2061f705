-- "What changed" pages a long answer: it reads the keys of a period's events
-- (id, entity) to count, group and page them, then only the shown page's rows.
-- This index holds every column that read needs, so it is answered from the
-- index alone (an index-only scan) and does not visit the rows; it replaces
-- event_log_project_time_idx, its prefix, for every other query on it.
CREATE INDEX event_log_project_keys_idx ON event_log (project_id, "timestamp")
    INCLUDE (entity_type, entity_id, reverts_event_id);
DROP INDEX event_log_project_time_idx;
