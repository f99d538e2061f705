-- pgbench script: the statements Radar's engine runs for one `add` command on
-- PostgreSQL (as captured by `radar-bench sql`), with pgbench variables for the
-- values and \gset for the values the engine reads back. ../compare.sh runs it;
-- a test checks that these statements are still exactly the engine's. pgbench has
-- no NULL variable: the conversation row's NULL ids are written as id 1 (a real row), and
-- the payload cleared when the update is processed (NULL) and the new feature's description
-- (NULL) as '1'.
-- The names a message is understood in are cached by the engine per names version
-- (README); an add puts its feature into the cache itself, so no command here reads them.
-- :p_version is the active project's names version, the context's last column. On PostgreSQL
-- the add's number, insert and names version bump are one statement (features::add).
-- Client k owns the users u with (u - 1) % clients = k, as engine worker k does: no two
-- clients ever touch the same user (with BATCH > 1 they would deadlock on each other's rows).
\set uid 1 + :client_id + :clients * random(0, :users / :clients - 1)
\set key random(1, 9000000000000000000)
\set one 1
\set ver random(1, 9000000000000000000)
BEGIN;
INSERT INTO "processed_messages" ("message_id", "update_id", "chat_id", "user_id", "received_at", "processed_at", "payload") VALUES (:key, DEFAULT, :uid, :uid, :now, :now, DEFAULT) ON CONFLICT ("message_id") DO UPDATE SET "processed_at" = :now, "payload" = :one WHERE ("processed_messages"."processed_at" IS NULL);
SELECT p.id, p.name, p.name_key, p.description, p.status, p.next_feature_number, p.created_at, p.updated_at, s.user_id, s.time_zone, s.language, s.digest_at, s.digest_language, s.updated_at, c.user_id, c.feature_id, c.release_id, c.project_id, c.last_command, c.updated_at, (SELECT v.version FROM names_versions v WHERE v.scope = 0), (SELECT v.version FROM names_versions v WHERE v.scope = p.id) FROM (SELECT CAST(:uid AS BIGINT) AS user_id) u LEFT JOIN user_context uc ON uc.user_id = u.user_id LEFT JOIN projects p ON p.id = uc.active_project_id LEFT JOIN user_settings s ON s.user_id = u.user_id LEFT JOIN conversation_state c ON c.user_id = u.user_id \gset p_
WITH n AS (UPDATE projects SET next_feature_number = next_feature_number + 1 WHERE id = :p_id RETURNING next_feature_number - 1 AS number), v AS (UPDATE names_versions SET version = :ver WHERE scope = :p_id AND version = :p_version RETURNING scope) INSERT INTO features (project_id, number, name, description, status, created_at, updated_at) SELECT :p_id, n.number, :fname, :one, :backlog, :now, :now FROM n RETURNING id, project_id, number, name, description, status, status_reason, assigned_teams, assigned_po, release_id, created_at, updated_at, (SELECT count(*) FROM v) \gset f_
INSERT INTO "event_log" ("correlation_id", "user_id", "project_id", "action", "entity_type", "entity_id", "details", "timestamp", "created_at", "reverts_event_id") VALUES (:key, :uid, :p_id, :create, :feature, :f_id, :details_add, :now, :now, DEFAULT) RETURNING "event_log"."id";
INSERT INTO "conversation_state" ("user_id", "feature_id", "release_id", "project_id", "last_command", "updated_at") VALUES (:uid, :f_id, DEFAULT, DEFAULT, :cmd_add, :now) ON CONFLICT ("user_id") DO UPDATE SET "user_id" = :uid, "feature_id" = :f_id, "release_id" = :one, "project_id" = :one, "last_command" = :cmd_add, "updated_at" = :now;
INSERT INTO "outbox" ("chat_id", "message_key", "text", "parse_mode", "reply_markup", "reply_to_message_id", "created_at", "sent_at", "edit_message_id") VALUES (:uid, :key, :reply_add, :html, :keyboard, :one, :now, DEFAULT, DEFAULT) RETURNING "outbox"."id";
COMMIT;
