-- pgbench script: the statements Radar's engine runs for one `status` command on
-- PostgreSQL (as captured by `radar-bench sql`), with pgbench variables for the
-- values and \gset for the values the engine reads back. ../compare.sh runs it;
-- a test checks that these statements are still exactly the engine's. pgbench has
-- no NULL variable: the conversation row's NULL ids are written as id 1 (a real row), and
-- the payload cleared when the update is processed (NULL) as '1'.
-- Client k owns the users u with (u - 1) % clients = k, as engine worker k does: no two
-- clients ever touch the same user (with BATCH > 1 they would deadlock on each other's rows).
\set uid 1 + :client_id + :clients * random(0, :users / :clients - 1)
\set key random(1, 9000000000000000000)
\set one 1
\set fno random(1, :features)
BEGIN;
INSERT INTO "processed_messages" ("message_id", "update_id", "chat_id", "user_id", "received_at", "processed_at", "payload") VALUES (:key, DEFAULT, :uid, :uid, :now, :now, DEFAULT) ON CONFLICT ("message_id") DO UPDATE SET "processed_at" = :now, "payload" = :one WHERE ("processed_messages"."processed_at" IS NULL);
SELECT "projects"."id", "projects"."name", "projects"."name_key", "projects"."description", "projects"."status", "projects"."next_feature_number", "projects"."created_at", "projects"."updated_at" FROM ("user_context" INNER JOIN "projects" ON ("user_context"."active_project_id" = "projects"."id")) WHERE ("user_context"."user_id" = :uid) LIMIT :one \gset p_
SELECT "user_settings"."user_id", "user_settings"."time_zone", "user_settings"."language", "user_settings"."digest_at", "user_settings"."digest_language", "user_settings"."updated_at" FROM "user_settings" WHERE ("user_settings"."user_id" = :uid) LIMIT :one;
SELECT "projects"."id", "projects"."name", "projects"."status" FROM "projects" ORDER BY "projects"."status" ASC, "projects"."name_key" ASC;
SELECT "features"."id", "features"."number", "features"."name", "features"."assigned_teams", "features"."assigned_po" FROM "features" WHERE ("features"."project_id" = :p_id) ORDER BY "features"."number" ASC;
SELECT "releases"."id", "releases"."project_id", "releases"."version", "releases"."target_date", "releases"."status", "releases"."created_at", "releases"."updated_at", "releases"."released_at" FROM "releases" WHERE ("releases"."project_id" = :p_id) ORDER BY "releases"."created_at" ASC, "releases"."id" ASC;
SELECT "conversation_state"."user_id", "conversation_state"."feature_id", "conversation_state"."release_id", "conversation_state"."project_id", "conversation_state"."last_command", "conversation_state"."updated_at" FROM "conversation_state" WHERE ("conversation_state"."user_id" = :uid) LIMIT :one;
SELECT "features"."id", "features"."project_id", "features"."number", "features"."name", "features"."description", "features"."status", "features"."status_reason", "features"."assigned_teams", "features"."assigned_po", "features"."release_id", "features"."created_at", "features"."updated_at" FROM "features" WHERE (("features"."project_id" = :p_id) AND ("features"."number" = :fno)) LIMIT :one \gset f_
UPDATE "features" SET "status" = :status, "status_reason" = :reason, "updated_at" = :now WHERE ("features"."id" = :f_id) RETURNING "features"."id", "features"."project_id", "features"."number", "features"."name", "features"."description", "features"."status", "features"."status_reason", "features"."assigned_teams", "features"."assigned_po", "features"."release_id", "features"."created_at", "features"."updated_at";
INSERT INTO "event_log" ("correlation_id", "user_id", "project_id", "action", "entity_type", "entity_id", "details", "timestamp", "created_at", "reverts_event_id") VALUES (:key, :uid, :p_id, :update, :feature, :f_id, :details_status, :now, :now, DEFAULT) RETURNING "event_log"."id";
INSERT INTO "conversation_state" ("user_id", "feature_id", "release_id", "project_id", "last_command", "updated_at") VALUES (:uid, :f_id, DEFAULT, DEFAULT, :cmd_status, :now) ON CONFLICT ("user_id") DO UPDATE SET "user_id" = :uid, "feature_id" = :f_id, "release_id" = :one, "project_id" = :one, "last_command" = :cmd_status, "updated_at" = :now;
INSERT INTO "outbox" ("chat_id", "message_key", "text", "parse_mode", "reply_markup", "reply_to_message_id", "created_at", "sent_at", "edit_message_id") VALUES (:uid, :key, :reply_status, :html, :keyboard, :one, :now, DEFAULT, DEFAULT) RETURNING "outbox"."id";
COMMIT;
