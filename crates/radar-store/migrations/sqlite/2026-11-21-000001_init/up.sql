-- Radar schema, SQLite. Timestamps are UTC, stored as text by diesel.
-- Ids are exactly INTEGER PRIMARY KEY (rowid aliases, 64-bit).

CREATE TABLE projects (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    next_feature_number BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX projects_name_key_idx ON projects (name_key);

CREATE TABLE releases (
    id INTEGER PRIMARY KEY NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    target_date DATE,
    status TEXT NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'in_progress', 'released', 'cancelled')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    released_at TIMESTAMP,
    UNIQUE (project_id, version)
);

CREATE TABLE features (
    id INTEGER PRIMARY KEY NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'backlog'
        CHECK (status IN ('backlog', 'planned', 'in_progress', 'blocked', 'done', 'cancelled')),
    status_reason TEXT,
    assigned_teams TEXT,
    assigned_po TEXT,
    release_id BIGINT REFERENCES releases (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (project_id, number)
);
CREATE INDEX features_project_status_idx ON features (project_id, status);
CREATE INDEX features_release_idx ON features (release_id);

CREATE TABLE event_log (
    id INTEGER PRIMARY KEY NOT NULL,
    correlation_id TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    project_id BIGINT,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    details TEXT NOT NULL,
    "timestamp" TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    reverts_event_id BIGINT REFERENCES event_log (id)
);
CREATE INDEX event_log_project_time_idx ON event_log (project_id, "timestamp");
CREATE INDEX event_log_user_idx ON event_log (user_id, id);
CREATE INDEX event_log_entity_idx ON event_log (entity_type, entity_id, id);
CREATE INDEX event_log_reverts_idx ON event_log (reverts_event_id) WHERE reverts_event_id IS NOT NULL;
CREATE INDEX event_log_correlation_idx ON event_log (correlation_id);

CREATE TRIGGER event_log_no_update BEFORE UPDATE ON event_log
BEGIN
    SELECT RAISE(ABORT, 'event_log is append-only: UPDATE is not allowed');
END;
CREATE TRIGGER event_log_no_delete BEFORE DELETE ON event_log
BEGIN
    SELECT RAISE(ABORT, 'event_log is append-only: DELETE is not allowed');
END;

CREATE TABLE user_context (
    user_id BIGINT PRIMARY KEY NOT NULL,
    active_project_id BIGINT REFERENCES projects (id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE processed_messages (
    message_id TEXT PRIMARY KEY NOT NULL,
    update_id BIGINT,
    chat_id BIGINT NOT NULL,
    user_id BIGINT,
    received_at TIMESTAMP NOT NULL,
    processed_at TIMESTAMP,
    payload TEXT
);
CREATE INDEX processed_messages_pending_idx ON processed_messages (received_at)
    WHERE processed_at IS NULL;

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    chat_id BIGINT NOT NULL,
    message_key TEXT,
    text TEXT NOT NULL,
    parse_mode TEXT,
    reply_markup TEXT,
    reply_to_message_id BIGINT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TIMESTAMP,
    failed_at TIMESTAMP
);
CREATE INDEX outbox_unsent_idx ON outbox (chat_id, id) WHERE sent_at IS NULL AND failed_at IS NULL;
