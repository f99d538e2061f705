-- The statements Radar's engine runs for one `changes` command on SQLite, captured
-- from the engine (radar-bench sql --write crates/radar-bench/bench). Do not edit: a test compares.
BEGIN IMMEDIATE;
INSERT INTO `processed_messages` (`message_id`, `chat_id`, `user_id`, `received_at`, `processed_at`) VALUES ('capture:changes', 1, 1, '2026-11-02 12:00:00', '2026-11-02 12:00:00') ON CONFLICT (`message_id`) DO UPDATE SET `processed_at` = '2026-11-02 12:00:00', `payload` = NULL WHERE (`processed_messages`.`processed_at` IS NULL);
SELECT `projects`.`id`, `projects`.`name`, `projects`.`name_key`, `projects`.`description`, `projects`.`status`, `projects`.`next_feature_number`, `projects`.`created_at`, `projects`.`updated_at` FROM (`user_context` INNER JOIN `projects` ON (`user_context`.`active_project_id` = `projects`.`id`)) WHERE (`user_context`.`user_id` = 1) LIMIT 1;
SELECT `user_settings`.`user_id`, `user_settings`.`time_zone`, `user_settings`.`language`, `user_settings`.`digest_at`, `user_settings`.`digest_language`, `user_settings`.`updated_at` FROM `user_settings` WHERE (`user_settings`.`user_id` = 1) LIMIT 1;
SELECT `projects`.`id`, `projects`.`name`, `projects`.`status` FROM `projects` ORDER BY `projects`.`status` ASC, `projects`.`name_key` ASC;
SELECT `features`.`id`, `features`.`number`, `features`.`name`, `features`.`assigned_teams`, `features`.`assigned_po` FROM `features` WHERE (`features`.`project_id` = 1) ORDER BY `features`.`number` ASC;
SELECT `releases`.`id`, `releases`.`project_id`, `releases`.`version`, `releases`.`target_date`, `releases`.`status`, `releases`.`created_at`, `releases`.`updated_at`, `releases`.`released_at` FROM `releases` WHERE (`releases`.`project_id` = 1) ORDER BY `releases`.`created_at` ASC, `releases`.`id` ASC;
SELECT `conversation_state`.`user_id`, `conversation_state`.`feature_id`, `conversation_state`.`release_id`, `conversation_state`.`project_id`, `conversation_state`.`last_command`, `conversation_state`.`updated_at` FROM `conversation_state` WHERE (`conversation_state`.`user_id` = 1) LIMIT 1;
SELECT `event_log`.`id`, `event_log`.`entity_type`, `event_log`.`entity_id` FROM `event_log` WHERE (((((`event_log`.`project_id` = 1) AND (`event_log`.`timestamp` >= '2026-11-02 00:00:00')) AND (`event_log`.`timestamp` < '2026-11-02 12:00:01')) AND (`event_log`.`reverts_event_id` IS NULL)) AND (`event_log`.`entity_type` != 'context')) ORDER BY `event_log`.`timestamp` DESC, `event_log`.`id` DESC LIMIT 2000;
SELECT `event_log`.`id`, `event_log`.`correlation_id`, `event_log`.`user_id`, `event_log`.`project_id`, `event_log`.`action`, `event_log`.`entity_type`, `event_log`.`entity_id`, `event_log`.`details`, `event_log`.`timestamp`, `event_log`.`created_at`, `event_log`.`reverts_event_id` FROM `event_log` WHERE (`event_log`.`id` IN (1, 3, 4, 5, 6, 7, 8, 9));
SELECT `event_log`.`id`, `event_log`.`correlation_id`, `event_log`.`user_id`, `event_log`.`project_id`, `event_log`.`action`, `event_log`.`entity_type`, `event_log`.`entity_id`, `event_log`.`details`, `event_log`.`timestamp`, `event_log`.`created_at`, `event_log`.`reverts_event_id` FROM `event_log` WHERE (`event_log`.`reverts_event_id` IN (1, 3, 4, 5, 6, 7, 8, 9));
INSERT INTO `conversation_state` (`user_id`, `last_command`, `updated_at`) VALUES (1, '/changes today', '2026-11-02 12:00:00') ON CONFLICT (`user_id`) DO UPDATE SET `user_id` = 1, `feature_id` = NULL, `release_id` = NULL, `project_id` = NULL, `last_command` = '/changes today', `updated_at` = '2026-11-02 12:00:00';
INSERT INTO `outbox` (`chat_id`, `message_key`, `text`, `parse_mode`, `reply_to_message_id`, `created_at`) VALUES (1, 'capture:changes', '📁 Project: <b>Bench 1</b>

<b>What changed today</b> (8 changes)

<b>#2 Seed feature 2</b>
• 2026-11-02 12:00 · you · release — → 11
• 2026-11-02 12:00 · you · created

<b>#4 Bench item 1</b>
• 2026-11-02 12:00 · you · created

<b>release 11</b>
• 2026-11-02 12:00 · you · created

<b>release 10</b>
• 2026-11-02 12:00 · you · created

<b>#3 Seed feature 3</b>
• 2026-11-02 12:00 · you · created

<b>#1 Seed feature 1</b>
• 2026-11-02 12:00 · you · created

<b>project Bench 1</b>
• 2026-11-02 12:00 · you · created', 'HTML', 1, '2026-11-02 12:00:00') RETURNING `id`;
COMMIT;
