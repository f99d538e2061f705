//! The engine on both backends: every intent of the command language in
//! English and Russian, the context line, exactly-once, undo, what changed.

mod common;

use chrono::{TimeZone, Utc};
use common::{Backend, Chat, TestDb, counts, data_events};
use radar::engine::{Clock, EngineConfig, Handled, Input, Lang};

both!(english_intents, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 10, Lang::En);

    let r = c.say("help").await;
    assert!(
        r.contains("/newproject") && r.starts_with("📁 Project: none"),
        "{r}"
    );
    assert!(c.say("/start").await.contains("/newproject"));
    assert!(c.say("projects").await.contains("No projects yet"));
    assert!(c.say("/features").await.contains("No active project"));

    let r = c.say("new project Apollo: moon landing").await;
    assert!(
        r.starts_with("📁 Project: Apollo\n"),
        "creating a project makes it active: {r}"
    );
    assert!(
        c.say("create project Gemini")
            .await
            .contains("Created project Gemini")
    );
    assert!(
        c.say("switch to Apollo")
            .await
            .contains("Switched to Apollo")
    );
    assert!(c.say("use gemini").await.starts_with("📁 Project: Gemini"));
    assert!(
        c.say("switch to project APOLLO")
            .await
            .starts_with("📁 Project: Apollo")
    );
    assert!(c.say("/use Apollo").await.contains("already in Apollo"));
    let r = c.say("/projects").await;
    assert!(
        r.contains("Apollo ◀") && r.contains("[→ Gemini]") && !r.contains("[→ Apollo]"),
        "{r}"
    );

    assert!(
        c.say("add feature Login: OAuth")
            .await
            .contains("Added #1 Login")
    );
    assert!(
        c.say("new feature Dashboard")
            .await
            .contains("Added #2 Dashboard")
    );
    assert!(c.say("/add Push").await.contains("Added #3 Push"));
    let r = c.say("features").await;
    assert!(
        r.contains("#1 Login — backlog") && r.contains("#3 Push"),
        "{r}"
    );

    assert!(
        c.say("#1 is done")
            .await
            .contains("#1 Login: backlog → done")
    );
    assert!(
        c.say("move #2 to in progress")
            .await
            .contains("#2 Dashboard: backlog → in progress")
    );
    let r = c.say("#3 blocked: waiting for keys").await;
    assert!(
        r.contains("#3 Push: backlog → blocked") && r.contains("waiting for keys"),
        "{r}"
    );
    let r = c.say("show blocked features").await;
    assert!(r.contains("#3 Push") && !r.contains("#1 Login"), "{r}");
    assert!(c.say("/features done").await.contains("#1 Login"));
    assert!(
        !c.say("features").await.contains("#1 Login"),
        "done is not open"
    );
    assert!(c.say("/features all").await.contains("#1 Login"));

    let r = c.say("show #3").await;
    assert!(
        r.contains("Status: ⛔ blocked: waiting for keys") && r.contains("[• blocked]"),
        "{r}"
    );
    assert!(c.say("/feature 2").await.contains("#2 Dashboard"));
    assert!(c.say("/status 2 wip").await.contains("already in progress"));
    assert!(
        c.say("assign #2 to team Core")
            .await
            .contains("teams — → Core")
    );
    assert!(
        c.say("/team 2 Core, Web")
            .await
            .contains("Core → Core, Web")
    );
    assert!(c.say("PO of #2 is Anna").await.contains("PO — → Anna"));
    assert!(c.say("/po 2 Anna").await.contains("already"));
    assert!(
        c.say("/describe 2 Live mission data")
            .await
            .contains("description")
    );
    assert!(
        c.say("/rename 2 Mission dashboard")
            .await
            .contains("Dashboard → Mission dashboard")
    );
    let r = c.say("show #2").await;
    assert!(
        r.contains("Teams: Core, Web") && r.contains("PO: Anna") && r.contains("Live mission data"),
        "{r}"
    );

    assert!(
        c.say("new release 1.2 on 2026-12-01")
            .await
            .contains("Created release 1.2 for 2026-12-01")
    );
    assert!(c.say("/release 2.0").await.contains("Created release 2.0"));
    assert!(
        c.say("put #1 into 1.2")
            .await
            .contains("#1 Login is planned into release 1.2")
    );
    assert!(c.say("/plan 2 1.2").await.contains("release 1.2"));
    assert!(
        c.say("/plan 3 9.9")
            .await
            .contains("There is no release «9.9»")
    );
    let r = c.say("releases").await;
    assert!(
        r.contains("1.2 — planned · 2026-12-01 · 1/2 done (50%)"),
        "{r}"
    );
    assert!(r.contains("2.0 — planned · 0/0 done (0%)"), "{r}");
    assert!(
        c.say("/unplan 2")
            .await
            .contains("no longer in release 1.2")
    );
    assert!(c.say("/unplan 2").await.contains("not in any release"));
    let r = c.say("ship 1.2").await;
    assert!(
        r.contains("Release 1.2 is out") && r.contains("1/1 done (100%)"),
        "{r}"
    );
    assert!(c.say("release 1.2 is out").await.contains("already out"));
    assert!(c.say("/ship 2.0").await.contains("Release 2.0 is out"));

    let r = c.say("what changed").await;
    assert!(
        r.contains("#3 Push") && r.contains("status backlog → blocked"),
        "{r}"
    );
    assert!(c.say("/changes today").await.contains("What changed today"));
    assert!(c.say("what changed this week").await.contains("this week"));
    assert!(
        c.say("what changed in the last 3 days")
            .await
            .contains("last 3 days")
    );
    assert!(
        c.say("what changed since 2026-11-01")
            .await
            .contains("since 2026-11-01")
    );
    let r = c.say("history of #3").await;
    assert!(
        r.contains("History of #3 Push") && r.contains("created") && r.contains("blocked"),
        "{r}"
    );
    assert!(c.say("/history 3").await.contains("History of #3"));

    let r = c.say("delete #3").await;
    assert!(
        r.contains("Delete #3 Push?") && r.contains("[🗑 Yes, delete #3]"),
        "{r}"
    );
    assert!(
        c.say("show #3").await.contains("#3 Push"),
        "asking deletes nothing"
    );
    assert!(c.say("/delete 3 yes").await.contains("Deleted #3 Push"));
    assert!(c.say("show #3").await.contains("There is no feature #3"));

    assert!(c.say("undo").await.contains("Undone"));
    assert!(
        c.say("show #3").await.contains("#3 Push"),
        "undo brings the feature back"
    );
    assert!(c.say("/whoami").await.contains("You are user 10"));

    assert!(
        c.say("archive project Gemini")
            .await
            .contains("Archived project Gemini")
    );
    assert!(c.say("/archive Gemini").await.contains("already archived"));
    assert!(c.say("/use Gemini").await.contains("archived: read only"));
    assert!(c.say("/add X").await.contains("is archived"));
});

both!(russian_intents, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 20, Lang::Ru);

    let r = c.say("помощь").await;
    assert!(
        r.starts_with("📁 Контекст: проект не выбран") && r.contains("Проекты"),
        "{r}"
    );
    assert!(c.say("проекты").await.contains("Проектов пока нет"));
    let r = c.say("создай проект Аполлон: полёт на Луну").await;
    assert!(
        r.starts_with("📁 Контекст: Проект Аполлон\n") && r.contains("Создан проект"),
        "{r}"
    );
    assert!(
        c.say("новый проект Джемини")
            .await
            .contains("Создан проект Джемини")
    );
    assert!(
        c.say("переключись на проект аполлон")
            .await
            .contains("Переключился на Аполлон"),
        "Cyrillic names match case-insensitively"
    );
    assert!(
        c.say("добавь фичу Вход")
            .await
            .contains("Добавлена фича #1 Вход")
    );
    assert!(c.say("новая фича Панель").await.contains("#2 Панель"));
    assert!(
        c.say("новая фича Уведомления")
            .await
            .contains("#3 Уведомления")
    );
    assert!(
        c.say("#1 готово")
            .await
            .contains("#1 Вход: бэклог → готово")
    );
    assert!(c.say("#2 в работе").await.contains("бэклог → в работе"));
    assert!(
        c.say("переведи #2 в бэклог")
            .await
            .contains("в работе → бэклог")
    );
    let r = c.say("#3 заблокирована: ждём ключи").await;
    assert!(
        r.contains("→ заблокирована") && r.contains("ждём ключи"),
        "{r}"
    );
    assert!(
        c.say("#3 заблокирована: ждём ключи")
            .await
            .contains("Ничего не изменилось")
    );
    assert!(c.say("фичи").await.contains("#3 Уведомления"));
    let r = c.say("покажи фичи в работе").await;
    assert!(r.contains("Таких нет"), "{r}");
    assert!(
        c.say("покажи #3")
            .await
            .contains("Статус: ⛔ заблокирована")
    );
    assert!(
        c.say("назначь #2 команде Core")
            .await
            .contains("команды — → Core")
    );
    assert!(
        c.say("создай релиз 1.2 на 01.12.2026")
            .await
            .contains("Создан релиз 1.2 на 01.12.2026")
    );
    assert!(
        c.say("добавь #1 в релиз 1.2")
            .await
            .contains("добавлена в релиз 1.2")
    );
    assert!(c.say("релизы").await.contains("готово 1/1 (100%)"));
    assert!(
        c.say("релиз 1.2 выпущен")
            .await
            .contains("Релиз 1.2 выпущен")
    );
    let r = c.say("что изменилось").await;
    assert!(
        r.contains("Что изменилось") && r.contains("#3 Уведомления"),
        "{r}"
    );
    assert!(c.say("что изменилось сегодня").await.contains("сегодня"));
    assert!(
        c.say("что изменилось вчера")
            .await
            .contains("ничего не менялось вчера")
    );
    assert!(
        c.say("что изменилось за неделю")
            .await
            .contains("на этой неделе")
    );
    assert!(
        c.say("что изменилось за 3 дня")
            .await
            .contains("за последние 3 дн.")
    );
    assert!(
        c.say("что изменилось с 01.11.2026")
            .await
            .contains("с 01.11.2026")
    );
    assert!(c.say("история #3").await.contains("История #3 Уведомления"));
    assert!(c.say("удали #2").await.contains("Удалить #2 Панель?"));
    assert!(c.say("отмени последнее").await.contains("Отменено"));
    assert!(c.say("отмена").await.contains("Отменено"));
    assert!(c.say("архивируй проект Джемини").await.contains("в архиве"));
    assert!(c.say("бла бла").await.contains("Я не понял"));
    // English phrases are understood with Russian replies, and the reverse.
    assert!(
        c.say("#2 is done")
            .await
            .contains("#2 Панель: бэклог → готово")
    );
    let mut en = Chat::new(&e, 20, Lang::En);
    assert!(
        en.say("#2 в работе")
            .await
            .contains("#2 Панель: done → in progress")
    );
});

both!(duplicate_key_applies_once, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 30, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/add Login").await;
    let before = counts(&e).await;
    let first = c
        .say_key("30:777", "#1 is done")
        .await
        .expect("first delivery applies");
    assert!(first.plain().contains("backlog → done"));
    let after_first = counts(&e).await;
    assert_eq!(after_first.events, before.events + 1, "one event");
    assert_eq!(after_first.outbox, before.outbox + 1, "one reply queued");
    for _ in 0..3 {
        assert!(
            c.say_key("30:777", "#1 is done").await.is_none(),
            "a redelivery is a duplicate"
        );
        // Even a different text under the same key changes nothing.
        assert!(c.say_key("30:777", "#1 is cancelled").await.is_none());
    }
    assert_eq!(
        counts(&e).await,
        after_first,
        "duplicates change nothing, queue nothing"
    );
    // A button press and an edit have their own keys.
    let msg = c.incoming("cb:abc", Input::Button("nop".into()));
    assert!(c.send(&msg).await.is_some());
    assert!(
        c.send(&msg).await.is_none(),
        "pressing the same callback twice acts once"
    );
});

both!(natural_idempotency_changes_nothing, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 31, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/add Login").await;
    c.say("/status 1 done").await;
    c.say("/release 1.0").await;
    c.say("/plan 1 1.0").await;
    let before = data_events(&e).await;
    for cmd in [
        "/newproject apollo",
        "/add login",
        "#1 is done",
        "/release 1.0",
        "/plan 1 1.0",
        "/use Apollo",
        "/features",
        "/releases",
        "what changed",
        "/history 1",
    ] {
        let r = c.say(cmd).await;
        assert!(!r.contains("Sorry"), "{cmd}: {r}");
    }
    assert_eq!(data_events(&e).await, before, "no-ops log no events");
    let r = c.say("/newproject Apollo").await;
    assert!(r.contains("already exists. Nothing changed"), "{r}");
});

both!(button_presses, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 32, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/newproject Gemini").await;
    c.say("/add Login").await;
    let fid = {
        let mut conn = e.db().get().await.unwrap();
        let p = radar::store::queries::active_project(&mut conn, 32)
            .await
            .unwrap()
            .unwrap();
        radar::store::queries::feature_by_number(&mut conn, p.id, 1)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let r = c.press(&format!("st:{fid}:w")).await;
    assert!(r.contains("#1 Login: backlog → in progress"), "{r}");
    let events = data_events(&e).await;
    let r = c.press(&format!("st:{fid}:w")).await;
    assert!(
        r.contains("already in progress"),
        "a second press acts once: {r}"
    );
    assert_eq!(data_events(&e).await, events);
    // Project switch buttons.
    let r = c.say("/projects").await;
    assert!(r.contains("[→ Apollo]"), "{r}");
    let apollo = {
        let mut conn = e.db().get().await.unwrap();
        radar::store::queries::project_by_key(&mut conn, "apollo")
            .await
            .unwrap()
            .unwrap()
            .id
    };
    assert!(
        c.press(&format!("use:{apollo}"))
            .await
            .starts_with("📁 Project: Apollo")
    );
    // Delete confirmation.
    let r = c.press(&format!("del:{fid}")).await;
    assert!(
        r.contains("Deleted #1 Login") && !r.contains("(in project"),
        "{r}"
    );
    let r = c.press(&format!("del:{fid}")).await;
    assert!(r.contains("already deleted"), "{r}");
    assert!(c.press("nop").await.contains("nothing changed"));
    // Forged or stale button data.
    for forged in [
        "st:999999:d",
        "use:999999",
        "st:1:zz",
        "drop table",
        &"x".repeat(300),
    ] {
        let before = counts(&e).await;
        let r = c.press(forged).await;
        assert!(
            r.contains("no longer") || r.contains("Nothing changed"),
            "{forged}: {r}"
        );
        let after = counts(&e).await;
        assert_eq!(
            (after.events, after.features, after.projects),
            (before.events, before.features, before.projects)
        );
    }
});

both!(undo_walks_back_and_refuses_with_reason, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut anna = Chat::new(&e, 40, Lang::En);
    let mut boris = Chat::new(&e, 41, Lang::En);
    assert!(anna.say("undo").await.contains("Nothing to undo"));
    anna.say("/newproject Apollo").await;
    anna.say("/add Login").await;
    anna.say("/status 1 in progress").await;
    anna.say("/status 1 blocked: keys").await;
    anna.say("/use Apollo").await; // not a data change

    let r = anna.say("undo").await;
    assert!(
        r.contains("Undone") && r.contains("status in progress → blocked"),
        "{r}"
    );
    assert!(anna.say("show #1").await.contains("Status: 🔵 in progress"));
    let r = anna.say("undo").await;
    assert!(
        r.contains("status backlog → in progress"),
        "each undo goes one step further: {r}"
    );
    assert!(anna.say("show #1").await.contains("Status: ⚪ backlog"));

    // Boris changes the feature: Anna's creation can no longer be undone.
    boris.say("/use Apollo").await;
    boris.say("#1 is done").await;
    let before = counts(&e).await;
    let r = anna.say("undo").await;
    assert!(
        r.contains("Can't undo") && r.contains("user 41") && r.contains("status backlog → done"),
        "{r}"
    );
    assert_eq!(
        counts(&e).await.events,
        before.events,
        "a refused undo writes nothing"
    );
    // Once Boris undoes his change, Anna's undo goes through.
    assert!(boris.say("undo").await.contains("Undone"));
    let r = anna.say("undo").await;
    assert!(r.contains("#1 Login: created"), "{r}");
    assert!(anna.say("show #1").await.contains("There is no feature #1"));
    // Undoing the project's creation deletes it; the context falls back to none.
    let r = anna.say("undo").await;
    assert!(
        r.contains("project Apollo: created") && r.starts_with("📁 Project: none"),
        "{r}"
    );
    assert!(anna.say("undo").await.contains("Nothing to undo"));
    // The log kept everything: originals and compensations.
    let mut conn = e.db().get().await.unwrap();
    let c = radar::store::queries::counts(&mut conn).await.unwrap();
    assert_eq!(c.projects, 0);
    assert!(
        c.events >= 12,
        "append-only log keeps every event: {}",
        c.events
    );
});

both!(undo_shown_in_what_changed, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 42, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/add Login").await;
    c.say("/status 1 done").await;
    c.say("undo").await;
    let r = c.say("what changed").await;
    assert!(r.contains("status backlog → done — undone by you"), "{r}");
    let r = c.say("/history 1").await;
    assert!(
        r.contains("(undone)") && r.contains("undo of: status backlog → done"),
        "{r}"
    );
});

both!(what_changed_around_midnight_in_local_zone, |b| async move {
    let db = TestDb::new(b).await;
    let clock = Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 20, 20, 50, 0).unwrap());
    let e = db.engine_with(EngineConfig {
        tz: "Europe/Moscow".parse().unwrap(), // UTC+3: 20:50 UTC is 23:50 local
        clock: clock.clone(),
        ..EngineConfig::default()
    });
    let mut c = Chat::new(&e, 43, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/add Before midnight").await;
    clock.set(Utc.with_ymd_and_hms(2026, 11, 20, 21, 10, 0).unwrap()); // 00:10 local, next day
    c.say("/add After midnight").await;
    let today = c.say("what changed today").await;
    assert!(
        today.contains("After midnight") && !today.contains("Before midnight"),
        "{today}"
    );
    let yesterday = c.say("what changed yesterday").await;
    assert!(
        yesterday.contains("Before midnight") && !yesterday.contains("After midnight"),
        "{yesterday}"
    );
    assert!(
        yesterday.contains("2026-11-20 23:50"),
        "times shown in the local zone: {yesterday}"
    );
    let day = c.say("what changed").await;
    assert!(
        day.contains("Before midnight") && day.contains("After midnight"),
        "{day}"
    );
    let since = c.say("what changed since 2026-11-21").await;
    assert!(
        since.contains("After midnight") && !since.contains("Before midnight"),
        "{since}"
    );
    // Three days later, the last 24 hours hold nothing; the last 3 days hold both.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap());
    assert!(c.say("what changed").await.contains("Nothing changed"));
    let three = c.say("what changed in the last 3 days").await;
    assert!(
        three.contains("Before midnight") && three.contains("After midnight"),
        "{three}"
    );
    // Monday 2026-11-23 local: this week starts today, so it is empty.
    assert!(
        c.say("what changed this week")
            .await
            .contains("Nothing changed")
    );
});

both!(long_answers_are_split, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 44, Lang::En);
    c.say("/newproject Apollo").await;
    let long = "L".repeat(190);
    for i in 0..40 {
        c.say(&format!("/add {i} {long}")).await;
    }
    let key = c.next_key();
    let r = c.say_key(&key, "/features").await.unwrap();
    assert!(r.messages.len() >= 2, "a long list is split, not cut");
    assert_eq!(r.messages.len(), r.outbox_ids.len(), "every part is queued");
    let all = r.plain();
    for i in 0..40 {
        assert!(
            all.contains(&format!("#{} {i} {long}", i + 1)),
            "feature {i} is in the reply"
        );
    }
    let key = c.next_key();
    let r = c.say_key(&key, "what changed").await.unwrap();
    assert!(r.messages.len() >= 2);
});

both!(
    bad_input_gets_a_clear_reply_and_changes_nothing,
    |b| async move {
        let db = TestDb::new(b).await;
        let e = db.engine();
        let mut c = Chat::new(&e, 45, Lang::En);
        c.say("/newproject Apollo").await;
        c.say("/add Login").await;
        let before = counts(&e).await;
        let huge = "N".repeat(4096);
        let cases: Vec<(String, &str)> = vec![
            ("".into(), "Send me a command"),
            ("   ".into(), "Send me a command"),
            ("/".into(), "don't know the command"),
            ("/newproject".into(), "Usage"),
            ("/add".into(), "Usage"),
            ("/status".into(), "Usage"),
            ("/status 1".into(), "Usage"),
            ("/status x done".into(), "not a feature number"),
            ("/status 1 sleeping".into(), "don't know the status"),
            ("/status 99 done".into(), "no feature #99"),
            (format!("/newproject {huge}"), "too long"),
            (format!("/add {huge}"), "too long"),
            ("🚀🔥💯".into(), "didn't understand"),
            ("\"quoted\" 'stuff'".into(), "didn't understand"),
            ("'; DROP TABLE projects; --".into(), "didn't understand"),
            ("/use '; DROP TABLE projects; --".into(), "no project"),
            ("31.02".into(), "not a valid date"),
            ("/release 1.3 31.02.2026".into(), "not a valid date"),
            ("what changed since 31.02.2026".into(), "not a valid date"),
            ("what changed on mars".into(), "don't understand the period"),
            ("/feature 0".into(), "not a feature number"),
            ("/feature -5".into(), "not a feature number"),
            (
                "/feature 99999999999999999999".into(),
                "not a feature number",
            ),
            ("<b>bold</b> & <script>".into(), "didn't understand"),
        ];
        for (text, expect) in &cases {
            let r = c.say(text).await;
            assert!(r.contains(expect), "{text:?} → {r}");
            assert!(
                !r.contains("Error") && !r.contains("panicked") && !r.contains("diesel"),
                "{r}"
            );
        }
        let after = counts(&e).await;
        assert_eq!(after.events, before.events, "nothing changed");
        assert_eq!(after.projects, before.projects);
        assert_eq!(after.features, before.features);
        // User text in a reply is escaped for HTML.
        let key = c.next_key();
        let r = c.say_key(&key, "/use <b>x</b> & co").await.unwrap();
        assert!(
            r.messages[0].html.contains("&lt;b&gt;x&lt;/b&gt; &amp; co"),
            "{}",
            r.messages[0].html
        );
        // SQL-looking names are just names.
        assert!(
            c.say("/newproject Robert'); DROP TABLE projects;--")
                .await
                .contains("Created project")
        );
        assert_eq!(counts(&e).await.projects, before.projects + 1);
    }
);

both!(unknown_names_get_suggestions, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 46, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/newproject Artemis").await;
    let r = c.say("switch to Apolo").await;
    assert!(
        r.contains("There is no project «Apolo». Did you mean: Apollo?"),
        "{r}"
    );
    assert!(
        r.starts_with("📁 Project: Artemis"),
        "no silent guess: the context stays: {r}"
    );
    assert!(
        c.say("/use Zzzzz")
            .await
            .contains("There is no project «Zzzzz». See /projects")
    );
});

both!(edits_and_non_text, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 47, Lang::En);
    c.say("/newproject Apollo").await;
    let before = counts(&e).await;
    let msg = c.incoming("edit:47:5:1700000000", Input::Edited);
    let r = c.send(&msg).await.unwrap().plain();
    assert!(r.contains("Edits are not applied"), "{r}");
    let msg = c.incoming("47:6", Input::NonText);
    assert!(
        c.send(&msg)
            .await
            .unwrap()
            .plain()
            .contains("only understand text")
    );
    assert_eq!(counts(&e).await.events, before.events);
});

both!(
    outsiders_get_one_line_and_nothing_is_stored,
    |b| async move {
        let db = TestDb::new(b).await;
        let e = db.engine();
        let mut c = Chat::new(&e, 48, Lang::En);
        let before = counts(&e).await;
        let mut msg = c.incoming("48:1", Input::Text("/newproject Evil".into()));
        msg.authorized = false;
        let Handled::Replied(r) = e.handle(&msg).await.unwrap() else {
            panic!("a reply")
        };
        assert_eq!(r.messages.len(), 1);
        assert!(
            r.plain().contains("Your Telegram id is 48"),
            "{}",
            r.plain()
        );
        assert!(r.outbox_ids.is_empty());
        let after = counts(&e).await;
        assert_eq!(
            after.processed,
            before.processed + 1,
            "only the message key is stored"
        );
        assert_eq!(
            (after.projects, after.events, after.outbox, after.contexts),
            (
                before.projects,
                before.events,
                before.outbox,
                before.contexts
            )
        );
        assert!(c.send(&msg).await.is_none(), "a redelivery is a duplicate");
    }
);

both!(seed_twice_changes_nothing, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let first = radar::seed::seed(&e).await.unwrap();
    assert!(first.applied > 10 && first.already == 0);
    let after_first = counts(&e).await;
    assert_eq!(after_first.projects, 2);
    let second = radar::seed::seed(&e).await.unwrap();
    assert_eq!(second.applied, 0);
    assert_eq!(second.already, first.applied);
    assert_eq!(counts(&e).await, after_first);
});

both!(console_keys_never_collide, |b| async move {
    let db = TestDb::new(b).await;
    let mut one = radar::console::Console::new(db.engine(), 1, Lang::En);
    assert!(
        one.say("/newproject Apollo")
            .await
            .unwrap()
            .contains("Created project")
    );
    let mut two = radar::console::Console::new(db.engine(), 1, Lang::En);
    let r = two.say("/add Login").await.unwrap();
    assert!(
        r.starts_with("📁 Project: Apollo") && r.contains("Added #1"),
        "a second run is not a duplicate: {r}"
    );
    let c = counts(&db.engine()).await;
    assert_eq!(
        c.outbox_unsent, 0,
        "console replies are delivered on stdout"
    );
});

/// Two replicas receiving the same update at the same moment apply it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_same_key_applies_once_on_postgres() {
    let db = TestDb::new(Backend::Postgres).await;
    let mut c = Chat::new(&db.engine(), 50, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/add Login").await;
    for round in 0..10 {
        let engines: Vec<_> = (0..8).map(|_| db.engine()).collect();
        let msg = c.incoming(
            &format!("50:race{round}"),
            Input::Text(format!("/add Feature {round}")),
        );
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(engines.len()));
        let tasks: Vec<_> = engines
            .into_iter()
            .map(|e| {
                let msg = msg.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    e.handle(&msg).await.unwrap()
                })
            })
            .collect();
        let mut applied = 0;
        for t in tasks {
            if let Handled::Replied(_) = t.await.unwrap() {
                applied += 1;
            }
        }
        assert_eq!(
            applied, 1,
            "round {round}: exactly one replica applies the message"
        );
    }
    let e = db.engine();
    let n = counts(&e).await;
    assert_eq!(n.features, 11);
    assert_eq!(data_events(&e).await, 12);
    let r = c.say("/features all").await;
    for i in 1..=11 {
        assert!(
            r.contains(&format!("#{i} ")),
            "numbers stay unique and dense: {r}"
        );
    }
}

// Different keys racing on the same name and the same project stay consistent.
both!(concurrent_different_keys_stay_consistent, |b| async move {
    let db = TestDb::new(b).await;
    let e = db.engine();
    let mut c = Chat::new(&e, 51, Lang::En);
    c.say("/newproject Base").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let e = db.engine();
        let msg = c.incoming(
            &format!("51:k{i}"),
            Input::Text(if i % 2 == 0 {
                "/newproject Same".into()
            } else {
                format!("/add F{i}")
            }),
        );
        tasks.push(tokio::spawn(async move { e.handle(&msg).await.unwrap() }));
    }
    for t in tasks {
        assert!(matches!(t.await.unwrap(), Handled::Replied(_)));
    }
    let n = counts(&e).await;
    assert_eq!(n.projects, 2, "one 'Same' project however the race went");
    assert_eq!(n.features, 8, "every add applied once");
});
