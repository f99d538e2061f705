-- The statements Radar's engine runs for one `changes` command on SQLite, captured
-- from the engine (radar-bench sql --write crates/radar-bench/bench). Do not edit: a test compares.
BEGIN IMMEDIATE;
INSERT INTO `processed_messages` (`message_id`, `chat_id`, `user_id`, `received_at`, `processed_at`) VALUES ('capture:changes', 1, 1, '2026-11-02 12:00:00', '2026-11-02 12:00:00') ON CONFLICT (`message_id`) DO UPDATE SET `processed_at` = '2026-11-02 12:00:00', `payload` = NULL WHERE (`processed_messages`.`processed_at` IS NULL);
SELECT p.id, p.name, p.name_key, p.description, p.status, p.next_feature_number, p.created_at, p.updated_at, s.user_id, s.time_zone, s.language, s.digest_at, s.digest_language, s.updated_at, c.user_id, c.feature_id, c.release_id, c.project_id, c.last_command, c.updated_at, (SELECT v.version FROM names_versions v WHERE v.scope = 0), (SELECT v.version FROM names_versions v WHERE v.scope = p.id) FROM (SELECT CAST(1 AS BIGINT) AS user_id) u LEFT JOIN user_context uc ON uc.user_id = u.user_id LEFT JOIN projects p ON p.id = uc.active_project_id LEFT JOIN user_settings s ON s.user_id = u.user_id LEFT JOIN conversation_state c ON c.user_id = u.user_id;
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
