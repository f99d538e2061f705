CREATE INDEX event_log_project_time_idx ON event_log (project_id, "timestamp");
DROP INDEX event_log_project_keys_idx;
