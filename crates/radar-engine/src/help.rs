//! `/help`: what Radar understands.

use crate::Lang;

pub fn help(lang: Lang) -> String {
    match lang {
        Lang::En => "<b>Radar</b> keeps your projects, features and releases.\n\
\n<b>Projects</b>\n/projects — list, with switch buttons\n/newproject NAME[: description] — create (and switch to it)\n/use NAME — switch project\n/archive NAME — archive a project\n\
\n<b>Features</b>\n/add NAME[: description] — add a feature\n/features [STATUS|all] — list\n/feature N — show #N with a status picker\n/status N STATUS[: reason] — e.g. <code>#3 is blocked: waiting for keys</code>\n/team N TEAMS · /po N NAME · /describe N TEXT · /rename N NAME\n/delete N — delete (asks first)\n\
\n<b>Releases</b>\n/release VERSION [YYYY-MM-DD] — create\n/releases — list with progress\n/plan N VERSION · /unplan N\n/ship VERSION — mark as released\n\
\n<b>History</b>\n/changes [today|yesterday|this week|3 days|since 2026-11-01]\n/history N — history of #N\n/undo — undo your last change\n/whoami\n\
\nStatuses: backlog, planned, in progress, blocked, done, cancelled. Plain phrases work too: «switch to Apollo», «#3 is done», «what changed this week».".to_string(),
        Lang::Ru => "<b>Radar</b> ведёт ваши проекты, фичи и релизы.\n\
\n<b>Проекты</b>\n/projects — список с кнопками переключения\n/newproject НАЗВАНИЕ[: описание] — создать (и переключиться)\n/use НАЗВАНИЕ — переключиться\n/archive НАЗВАНИЕ — в архив\n\
\n<b>Фичи</b>\n/add НАЗВАНИЕ[: описание] — добавить фичу\n/features [СТАТУС|all] — список\n/feature N — показать #N с выбором статуса\n/status N СТАТУС[: причина] — например <code>#3 заблокирована: ждём ключи</code>\n/team N КОМАНДЫ · /po N ИМЯ · /describe N ТЕКСТ · /rename N НАЗВАНИЕ\n/delete N — удалить (с подтверждением)\n\
\n<b>Релизы</b>\n/release ВЕРСИЯ [ДАТА] — создать\n/releases — список с прогрессом\n/plan N ВЕРСИЯ · /unplan N\n/ship ВЕРСИЯ — релиз выпущен\n\
\n<b>История</b>\n/changes [сегодня|вчера|за неделю|за 3 дня|с 01.11.2026]\n/history N — история #N\n/undo — отменить последнее изменение\n/whoami\n\
\nСтатусы: бэклог, запланирована, в работе, заблокирована, готово, отменена. Можно и словами: «переключись на Аполлон», «#3 готово», «что изменилось за неделю».".to_string(),
    }
}
