//! Whole conversations, English and Russian, as snapshots (`insta`): the
//! reply text itself is what these test, so a wording change is one
//! reviewed diff in `tests/snapshots/`. Each runs on both backends against
//! the same snapshot, with a fixed clock.

mod common;

use chrono::{TimeZone, Utc};
use common::{Chat, setup_with};
use radar_engine::{Clock, EngineConfig, Lang};
use radar_testkit::{TestDb, both};

/// Every intent of the command language, in plain English and slash forms.
const ENGLISH: &str = "\
help
/start
projects
/features
new project Apollo: moon landing
create project Gemini
switch to Apollo
use gemini
switch to project APOLLO
/use Apollo
/projects
add feature Login: OAuth
new feature Dashboard
/add Push
features
#1 is done
move #2 to in progress
#3 blocked: waiting for keys
show blocked features
/features done
features
/features all
show #3
/feature 2
/status 2 wip
assign #2 to team Core
/team 2 Core, Web
PO of #2 is Anna
/po 2 Anna
/describe 2 Live mission data
/rename 2 Mission dashboard
show #2
new release 1.2 on 2026-12-01
/release 2.0
put #1 into 1.2
/plan 2 1.2
/plan 3 9.9
releases
/unplan 2
/unplan 2
ship 1.2
release 1.2 is out
/ship 2.0
what changed
/changes today
what changed this week
what changed in the last 3 days
what changed since 2026-11-01
history of #3
/history 3
delete #3
show #3
/delete 3 yes
show #3
undo
show #3
/whoami
archive project Gemini
/archive Gemini
/use Gemini
/add X";

/// How POs write without commands: names instead of numbers, ordinals,
/// pronouns, dates in words, typos, questions that are lists, and what
/// Radar says when it must ask or did not understand.
const ENGLISH_PLAIN: &str = "\
switch to Apollo
add Search
add Payments
search is done
move payments to blocked waiting for legal
the second one is blocked
start #4
reopen search
what's in progress?
anything blocked?
new release 3.0 on December 20
put payments into 3.0
move 3.0 to next friday
start release 3.0
what's in 3.0?
features of team Web
Anna's features
#2 history
rename #4 to Full-text search
#4 description: finds features by name
show it
ship that
cancel release 3.0
rename project Apollo to Apollo Prime
unarchive Gemini
relase 4.0
mark #4 as kinda done
lol
can you list the releases for me ok
what changed since monday
revert that";

/// Russian plain talk: inflected names, transliteration, ordinals, dates.
const RUSSIAN_PLAIN: &str = "\
переключись на Apollo
добавь Оплату
добавь фичу Экспорт отчётов
оплату в работу
поставь экспорт отчётов в работу
вторая готова
фича 4 заблокирована из-за юристов
что сейчас в работе?
где у нас блокеры
перенеси оплату в релиз 1.2
перенеси релиз 1.2 на 20 декабря
удали её
да
что нового
верни как было
бла бла";

/// The same in Russian, then an English phrase with a Russian reply.
const RUSSIAN: &str = "\
помощь
проекты
создай проект Аполлон: полёт на Луну
новый проект Джемини
переключись на проект аполлон
добавь фичу Вход
новая фича Панель
новая фича Уведомления
#1 готово
#2 в работе
переведи #2 в бэклог
#3 заблокирована: ждём ключи
#3 заблокирована: ждём ключи
фичи
покажи фичи в работе
покажи #3
назначь #2 команде Core
создай релиз 1.2 на 01.12.2026
добавь #1 в релиз 1.2
релизы
релиз 1.2 выпущен
что изменилось
что изменилось сегодня
что изменилось вчера
что изменилось за неделю
что изменилось за 3 дня
что изменилось с 01.11.2026
история #3
удали #2
отмени последнее
верни как было
архивируй проект Джемини
бла бла
#2 is done";

/// Runs `script` (one message a line) as user `user`; returns the
/// transcript: each message, then its reply as the console shows it.
async fn transcript(c: &mut Chat, script: &str) -> String {
    let mut out = String::new();
    for line in script.lines() {
        let reply = c.say(line).await;
        out.push_str(&format!("> {line}\n{reply}\n\n"));
    }
    out
}

fn config() -> EngineConfig {
    EngineConfig {
        clock: Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).unwrap()),
        ..EngineConfig::default()
    }
}

both!(english_conversation, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup_with(&db, config());
    let mut c = Chat::new(&e, &pool, 10, Lang::En);
    insta::assert_snapshot!("english", transcript(&mut c, ENGLISH).await);
    insta::assert_snapshot!("english_plain", transcript(&mut c, ENGLISH_PLAIN).await);
});

both!(russian_conversation, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup_with(&db, config());
    let mut c = Chat::new(&e, &pool, 20, Lang::Ru);
    let mut t = transcript(&mut c, RUSSIAN).await;
    // Both languages are understood whatever the reply language.
    let mut en = Chat::new(&e, &pool, 20, Lang::En);
    t.push_str(&transcript(&mut en, "#2 в работе").await);
    insta::assert_snapshot!("russian", t);
    insta::assert_snapshot!("russian_plain", transcript(&mut c, RUSSIAN_PLAIN).await);
});
