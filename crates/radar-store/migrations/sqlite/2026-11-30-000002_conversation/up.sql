-- See the PostgreSQL migration for what these tables hold.
CREATE TABLE conversation_state (
    user_id BIGINT PRIMARY KEY NOT NULL,
    feature_id BIGINT REFERENCES features (id) ON DELETE SET NULL,
    release_id BIGINT REFERENCES releases (id) ON DELETE SET NULL,
    project_id BIGINT REFERENCES projects (id) ON DELETE SET NULL,
    last_command TEXT,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE offered_actions (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL,
    command TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX offered_actions_expires_idx ON offered_actions (expires_at);
