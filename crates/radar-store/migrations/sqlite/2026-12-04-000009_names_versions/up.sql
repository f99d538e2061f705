-- See the PostgreSQL migration for what this table holds.
CREATE TABLE names_versions (
    scope BIGINT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL
);
