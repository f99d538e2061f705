-- What a message is understood in (its "parse world": every project's name
-- and status; the active project's feature names, numbers, teams and POs,
-- and its release versions) is read on every command. Radar keeps it in
-- memory, keyed by a version token per scope, read with the user's context
-- in one statement:
--   scope 0 -> the project list (names and statuses);
--   scope N -> project N's features' and releases' names.
-- The store functions that write those columns (radar-store: projects,
-- features, releases) set the scope's version to a new random value in the
-- same transaction. A random token is never given to two states, even when
-- a transaction is rolled back, so a cached world is never taken for
-- another; it is compared only for equality. No row: never changed since
-- this migration (a state of its own).
CREATE TABLE names_versions (
    scope BIGINT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL
);
