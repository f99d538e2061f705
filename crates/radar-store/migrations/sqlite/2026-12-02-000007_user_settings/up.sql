-- See the PostgreSQL migration for what this table holds.
CREATE TABLE user_settings (
    user_id BIGINT PRIMARY KEY NOT NULL,
    time_zone TEXT,
    language TEXT CHECK (language IN ('en', 'ru')),
    digest_at TIME,
    digest_language TEXT CHECK (digest_language IN ('en', 'ru')),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX user_settings_digest_idx ON user_settings (digest_at) WHERE digest_at IS NOT NULL;
