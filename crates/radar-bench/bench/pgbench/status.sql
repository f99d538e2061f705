-- pgbench script: the statements Radar's engine runs for one `status` command on
-- PostgreSQL (as captured by `radar-bench sql`), with pgbench variables for the
-- values and \gset for the values the engine reads back. ../compare.sh runs it;
-- a test checks that these statements are still exactly the engine's.
\set uid random(1, :users)
\set key random(1, 9000000000000000000)
\set one 1
\set fno random(1, :features)
BEGIN;
INSERT INTO "processed_messages" ("message_id", "update_id", "chat_id", "user_id", "received_at", "processed_at", "payload") VALUES (:key, DEFAULT, :uid, :uid, :now, DEFAULT, DEFAULT) ON CONFLICT DO NOTHING;
UPDATE "processed_messages" SET "processed_at" = :now WHERE (("processed_messages"."message_id" = :key) AND ("processed_messages"."processed_at" IS NULL));
SELECT "projects"."id", "projects"."name", "projects"."name_key", "projects"."description", "projects"."status", "projects"."next_feature_number", "projects"."created_at", "projects"."updated_at" FROM ("user_context" INNER JOIN "projects" ON ("user_context"."active_project_id" = "projects"."id")) WHERE ("user_context"."user_id" = :uid) LIMIT :one \gset p_
SELECT "features"."id", "features"."project_id", "features"."number", "features"."name", "features"."description", "features"."status", "features"."status_reason", "features"."assigned_teams", "features"."assigned_po", "features"."release_id", "features"."created_at", "features"."updated_at" FROM "features" WHERE (("features"."project_id" = :p_id) AND ("features"."number" = :fno)) LIMIT :one \gset f_
UPDATE "features" SET "status" = :status, "status_reason" = :reason, "updated_at" = :now WHERE ("features"."id" = :f_id) RETURNING "features"."id", "features"."project_id", "features"."number", "features"."name", "features"."description", "features"."status", "features"."status_reason", "features"."assigned_teams", "features"."assigned_po", "features"."release_id", "features"."created_at", "features"."updated_at";
INSERT INTO "event_log" ("correlation_id", "user_id", "project_id", "action", "entity_type", "entity_id", "details", "timestamp", "created_at", "reverts_event_id") VALUES (:key, :uid, :p_id, :update, :feature, :f_id, :details_status, :now, :now, DEFAULT) RETURNING "event_log"."id";
INSERT INTO "outbox" ("chat_id", "message_key", "text", "parse_mode", "reply_markup", "reply_to_message_id", "created_at", "sent_at") VALUES (:uid, :key, :reply_status, :html, :keyboard, :one, :now, DEFAULT) RETURNING "outbox"."id";
COMMIT;
