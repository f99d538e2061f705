-- The statements Radar's engine runs for one `plan` command on SQLite, captured
-- from the engine (radar-bench sql --write crates/radar-bench/bench). Do not edit: a test compares.
BEGIN IMMEDIATE;
INSERT INTO `processed_messages` (`message_id`, `chat_id`, `user_id`, `received_at`) VALUES ('capture:plan', 1, 1, '2026-11-02 12:00:00') ON CONFLICT DO NOTHING;
UPDATE `processed_messages` SET `processed_at` = '2026-11-02 12:00:00' WHERE ((`processed_messages`.`message_id` = 'capture:plan') AND (`processed_messages`.`processed_at` IS NULL));
SELECT `projects`.`id`, `projects`.`name`, `projects`.`name_key`, `projects`.`description`, `projects`.`status`, `projects`.`next_feature_number`, `projects`.`created_at`, `projects`.`updated_at` FROM (`user_context` INNER JOIN `projects` ON (`user_context`.`active_project_id` = `projects`.`id`)) WHERE (`user_context`.`user_id` = 1) LIMIT 1;
SELECT `features`.`id`, `features`.`project_id`, `features`.`number`, `features`.`name`, `features`.`description`, `features`.`status`, `features`.`status_reason`, `features`.`assigned_teams`, `features`.`assigned_po`, `features`.`release_id`, `features`.`created_at`, `features`.`updated_at` FROM `features` WHERE ((`features`.`project_id` = 1) AND (`features`.`number` = 2)) LIMIT 1;
SELECT `releases`.`id`, `releases`.`project_id`, `releases`.`version`, `releases`.`target_date`, `releases`.`status`, `releases`.`created_at`, `releases`.`updated_at`, `releases`.`released_at` FROM `releases` WHERE ((`releases`.`project_id` = 1) AND (`releases`.`version` = '11')) LIMIT 1;
UPDATE `features` SET `release_id` = 2, `updated_at` = '2026-11-02 12:00:00' WHERE (`features`.`id` = 2) RETURNING `id`, `project_id`, `number`, `name`, `description`, `status`, `status_reason`, `assigned_teams`, `assigned_po`, `release_id`, `created_at`, `updated_at`;
INSERT INTO `event_log` (`correlation_id`, `user_id`, `project_id`, `action`, `entity_type`, `entity_id`, `details`, `timestamp`, `created_at`) VALUES ('capture:plan', 1, 1, 'update', 'feature', 2, '{"change":"feature_updated","feature":{"number":2,"name":"Seed feature 2"},"diff":{"release":{"before":null,"after":{"id":2,"version":"11"}}}}', '2026-11-02 12:00:00', '2026-11-02 12:00:00') RETURNING `id`;
INSERT INTO `outbox` (`chat_id`, `message_key`, `text`, `parse_mode`, `reply_to_message_id`, `created_at`) VALUES (1, 'capture:plan', '📁 Project: <b>Bench 1</b>

🚀 #2 Seed feature 2 is planned into release <b>11</b>.', 'HTML', 1, '2026-11-02 12:00:00') RETURNING `id`;
COMMIT;
