//! The engine on both backends: exactly-once, natural idempotency, buttons,
//! undo, what changed across time zones, long answers, bad input, outsiders,
//! races. (Every intent's wording is in `transcripts.rs`.)

mod common;

use chrono::{TimeZone, Utc};
use common::{Chat, counts, data_events, setup, setup_with};
use radar_engine::{Clock, EngineConfig, Handled, Incoming, Input, Lang};
use radar_store::Backend;
use radar_testkit::{TestDb, both};

both!(duplicate_key_applies_once, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 30, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/add Login").await;
    let before = counts(&pool).await;
    let first = c
        .say_id(777, "#1 is done")
        .await
        .expect("first delivery applies");
    assert!(first.plain().contains("backlog → done"));
    let after_first = counts(&pool).await;
    assert_eq!(after_first.events, before.events + 1, "one event");
    assert_eq!(after_first.outbox, before.outbox + 1, "one reply queued");
    for _ in 0..3 {
        assert!(
            c.say_id(777, "#1 is done").await.is_none(),
            "a redelivery is a duplicate"
        );
        // Even a different text under the same key changes nothing.
        assert!(c.say_id(777, "#1 is cancelled").await.is_none());
    }
    assert_eq!(
        counts(&pool).await,
        after_first,
        "duplicates change nothing, queue nothing"
    );
    // A button press and an edit have their own keys.
    let msg = Incoming::telegram_button("abc", c.chat, Some(1), c.user, c.lang, "nop".into())
        .with_authorized(true);
    assert!(c.send(&msg).await.is_some());
    assert!(
        c.send(&msg).await.is_none(),
        "pressing the same callback twice acts once"
    );
});

both!(natural_idempotency_changes_nothing, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 31, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/add Login").await;
    c.say("/status 1 done").await;
    c.say("/release 1.0").await;
    c.say("/plan 1 1.0").await;
    let before = data_events(&pool).await;
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
    assert_eq!(data_events(&pool).await, before, "no-ops log no events");
    let r = c.say("/newproject Apollo").await;
    assert!(r.contains("already exists. Nothing changed"), "{r}");
});

/// The callback data of the button labelled `label` in `r`.
fn button(r: &radar_engine::Reply, label: &str) -> String {
    r.messages
        .iter()
        .filter_map(|m| m.keyboard.as_ref())
        .flat_map(|k| k.0.iter().flatten())
        .find(|b| b.text.contains(label))
        .unwrap_or_else(|| panic!("no button {label:?} in {}", common::shown(r)))
        .data
        .clone()
}

// A question's buttons and "did you mean" buttons run a stored command,
// once, for the user they were offered to, within a day.
both!(offered_buttons_run_once, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 33, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/add Payment history").await;
    c.say("/add Payment methods").await;
    // "payment" names two features: a button per candidate.
    let r = c.reply("payment is done").await;
    let text = common::shown(&r);
    assert!(
        text.contains("#1 Payment history") && text.contains("#2 Payment methods"),
        "{text}"
    );
    let before = data_events(&pool).await;
    let data = button(&r, "#2 Payment methods");
    assert!(data.len() <= 64, "Telegram's callback_data limit: {data}");
    let done = c.press(&data).await;
    assert!(
        done.contains("#2 Payment methods: backlog → done"),
        "{done}"
    );
    assert_eq!(data_events(&pool).await, before + 1);
    // Pressed again (a new press, not a redelivery): outdated, nothing changes.
    let again = c.press(&data).await;
    assert!(again.contains("no longer"), "{again}");
    assert_eq!(data_events(&pool).await, before + 1);
    // Another user cannot press it.
    let r = c.reply("payment is blocked").await;
    let data = button(&r, "#1 Payment history");
    let mut other = Chat::new(&e, &pool, 34, Lang::En);
    other.say("/use Apollo").await;
    assert!(other.press(&data).await.contains("no longer"));
    assert_eq!(data_events(&pool).await, before + 1);
    // "Did you mean" offers the closest commands as buttons.
    let r = c.reply("mark #1 as kinda blocked").await;
    let text = common::shown(&r);
    assert!(text.contains("didn't understand"), "{text}");
    let blocked = c.press(&button(&r, "#1 Payment history → blocked")).await;
    assert!(
        blocked.contains("#1 Payment history: backlog → blocked"),
        "{blocked}"
    );
    // A day later the buttons are gone.
    let r = c.reply("payment is done").await;
    let data = button(&r, "#1 Payment history");
    let later = common::engine_with(
        &db,
        radar_engine::EngineConfig {
            clock: radar_engine::Clock::fixed(e.now() + chrono::Duration::hours(25)),
            ..radar_engine::EngineConfig::default()
        },
    );
    let mut late = Chat::new(&later, &pool, 33, Lang::En);
    assert!(late.press(&data).await.contains("no longer"));
    assert_eq!(data_events(&pool).await, before + 2);
});

both!(button_presses, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 32, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/newproject Gemini").await;
    let added = c.reply("/add Login").await;
    let start = button(&added, "in progress");
    let r = c.press_reply(&start).await;
    let text = common::shown(&r);
    assert!(text.contains("#1 Login: backlog → in progress"), "{text}");
    assert!(
        r.messages[0].keyboard.is_some(),
        "the picker is shown again, updated"
    );
    let events = data_events(&pool).await;
    // The old picker is stale now: pressing it again changes nothing.
    let again = c.press(&start).await;
    assert!(
        again.contains("no longer valid"),
        "a second press acts once: {again}"
    );
    assert_eq!(data_events(&pool).await, events);
    // The updated picker works, and says when nothing changes.
    let same = c.press(&button(&r, "in progress")).await;
    assert!(same.contains("already in progress"), "{same}");
    // Project switch buttons.
    let r = c.say("/projects").await;
    assert!(r.contains("[→ Apollo]"), "{r}");
    let apollo = {
        let mut conn = pool.get().await.unwrap();
        radar_store::projects::by_key(&mut conn, "apollo")
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
    // Delete confirmation: acts once; after an undo the same button is stale.
    c.say("/use Gemini").await;
    let ask = c.reply("/delete 1").await;
    let yes = button(&ask, "Yes, delete");
    let r = c.press(&yes).await;
    assert!(r.contains("Deleted #1 Login"), "{r}");
    assert!(c.say("undo").await.contains("Undone"));
    let r = c.press(&yes).await;
    assert!(r.contains("no longer valid"), "{r}");
    assert_eq!(counts(&pool).await.features, 1, "not deleted again");
    assert!(c.press("nop").await.contains("nothing changed"));
    // Forged or stale button data.
    for forged in [
        "st:999999:d:1",
        "st:1:d",
        "del:1",
        "use:999999",
        "st:1:zz:1",
        "drop table",
        &"x".repeat(300),
    ] {
        let before = counts(&pool).await;
        let r = c.press(forged).await;
        assert!(
            r.contains("no longer") || r.contains("Nothing changed"),
            "{forged}: {r}"
        );
        let after = counts(&pool).await;
        assert_eq!(
            (after.events, after.features, after.projects),
            (before.events, before.features, before.projects)
        );
    }
});

both!(undo_walks_back_and_refuses_with_reason, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut anna = Chat::new(&e, &pool, 40, Lang::En);
    let mut boris = Chat::new(&e, &pool, 41, Lang::En);
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
    let before = counts(&pool).await;
    let r = anna.say("undo").await;
    assert!(
        r.contains("Can't undo") && r.contains("user 41") && r.contains("status backlog → done"),
        "{r}"
    );
    assert_eq!(
        counts(&pool).await.events,
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
    let mut conn = pool.get().await.unwrap();
    let c = radar_store::test_support::counts(&mut conn).await.unwrap();
    assert_eq!(c.projects, 0);
    assert!(
        c.events >= 12,
        "append-only log keeps every event: {}",
        c.events
    );
});

both!(undo_shown_in_what_changed, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 42, Lang::En);
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
    let (e, pool) = setup_with(
        &db,
        EngineConfig {
            tz: "Europe/Moscow".parse().unwrap(), // UTC+3: 20:50 UTC is 23:50 local
            clock: clock.clone(),
            ..EngineConfig::default()
        },
    );
    let mut c = Chat::new(&e, &pool, 43, Lang::En);
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
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 44, Lang::En);
    c.say("/newproject Apollo").await;
    let long = "L".repeat(190);
    for i in 0..40 {
        c.say(&format!("/add {i} {long}")).await;
    }
    let r = c.reply("/features").await;
    assert!(r.messages.len() >= 2, "a long list is split, not cut");
    assert_eq!(r.messages.len(), r.outbox_ids.len(), "every part is queued");
    let all = r.plain();
    for i in 0..40 {
        assert!(
            all.contains(&format!("#{} {i} {long}", i + 1)),
            "feature {i} is in the reply"
        );
    }
    // "What changed" pages instead (tests/settings.rs turns the pages).
    let r = c.reply("what changed").await;
    assert_eq!(r.messages.len(), 1);
    assert!(r.plain().contains("Page 1 of "), "{}", r.plain());
});

both!(
    bad_input_gets_a_clear_reply_and_changes_nothing,
    |b| async move {
        let db = TestDb::new(b).await;
        let (e, pool) = setup(&db);
        let mut c = Chat::new(&e, &pool, 45, Lang::En);
        c.say("/newproject Apollo").await;
        c.say("/add Login").await;
        let before = counts(&pool).await;
        let huge = "N".repeat(4096);
        let cases: Vec<(String, &str)> = vec![
            ("".into(), "Send me a command"),
            ("   ".into(), "Send me a command"),
            ("/".into(), "don't know the command"),
            ("/newproject".into(), "Usage"),
            ("/add".into(), "Usage"),
            ("/status".into(), "Usage"),
            ("/status 1".into(), "Usage"),
            ("/status x done".into(), "no feature «x»"),
            ("/status 1 sleeping".into(), "don't know the status"),
            ("/status 99 done".into(), "no feature #99"),
            (format!("/newproject {huge}"), "too long"),
            (format!("/add {huge}"), "too long"),
            ("🚀🔥💯".into(), "didn't understand"),
            ("\"quoted\" 'stuff'".into(), "didn't understand"),
            ("'; DROP TABLE projects; --".into(), "didn't understand"),
            ("/use '; DROP TABLE projects; --".into(), "no project"),
            ("31.02".into(), "didn't understand"),
            ("/release 1.3 31.02.2026".into(), "not a valid date"),
            ("what changed since 31.02.2026".into(), "not a valid date"),
            ("what changed on mars".into(), "no feature «mars»"),
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
        let after = counts(&pool).await;
        assert_eq!(after.events, before.events, "nothing changed");
        assert_eq!(after.projects, before.projects);
        assert_eq!(after.features, before.features);
        // User text in a reply is escaped for HTML.
        let r = c.reply("/use <b>x</b> & co").await;
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
        assert_eq!(counts(&pool).await.projects, before.projects + 1);
    }
);

both!(unknown_names_get_suggestions, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 46, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/newproject Artemis").await;
    // A typo of one letter is understood; a name far from any is not.
    assert!(
        c.say("switch to Apolo")
            .await
            .contains("Switched to Apollo")
    );
    let r = c.say("switch to Apoxyz").await;
    assert!(
        r.contains("There is no project «Apoxyz». Did you mean: Apollo?"),
        "{r}"
    );
    assert!(
        r.starts_with("📁 Project: Apollo"),
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
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 47, Lang::En);
    c.say("/newproject Apollo").await;
    let before = counts(&pool).await;
    let msg =
        Incoming::telegram_edit(c.chat, 5, 1_700_000_000, c.user, c.lang).with_authorized(true);
    let r = c.send(&msg).await.unwrap().plain();
    assert!(r.contains("Edits are not applied"), "{r}");
    let msg = Incoming::telegram_message(c.chat, 6, c.user, c.lang, Input::NonText, e.now())
        .with_authorized(true);
    assert!(
        c.send(&msg)
            .await
            .unwrap()
            .plain()
            .contains("only understand text")
    );
    assert_eq!(counts(&pool).await.events, before.events);
});

both!(
    outsiders_get_one_line_and_nothing_is_stored,
    |b| async move {
        let db = TestDb::new(b).await;
        let (e, pool) = setup(&db);
        let mut c = Chat::new(&e, &pool, 48, Lang::En);
        let before = counts(&pool).await;
        let msg = c.message(1, "/newproject Evil").with_authorized(false);
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
        let after = counts(&pool).await;
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

/// Two replicas receiving the same update at the same moment apply it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_same_key_applies_once_on_postgres() {
    let db = TestDb::new(Backend::Postgres).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 50, Lang::En);
    c.say("/newproject Apollo").await;
    c.say("/add Login").await;
    for round in 0..10 {
        let engines: Vec<_> = (0..8).map(|_| common::engine(&db)).collect();
        let msg = c.message(900_000 + round, &format!("/add Feature {round}"));
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
    let n = counts(&pool).await;
    assert_eq!(n.features, 11);
    assert_eq!(data_events(&pool).await, 12);
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
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 51, Lang::En);
    c.say("/newproject Base").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let e = common::engine(&db);
        let msg = c.message(
            800_000 + i,
            &if i % 2 == 0 {
                "/newproject Same".to_string()
            } else {
                format!("/add F{i}")
            },
        );
        tasks.push(tokio::spawn(async move { e.handle(&msg).await.unwrap() }));
    }
    for t in tasks {
        assert!(matches!(t.await.unwrap(), Handled::Replied(_)));
    }
    let n = counts(&pool).await;
    assert_eq!(n.projects, 2, "one 'Same' project however the race went");
    assert_eq!(n.features, 8, "every add applied once");
});

both!(features_when_none_is_open, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 52, Lang::En);
    c.say("/newproject Apollo").await;
    let r = c.say("/features").await;
    assert!(r.contains("None yet. Add one: /add NAME"), "{r}");
    c.say("/add Login").await;
    c.say("/add Search").await;
    c.say("/status 1 done").await;
    c.say("/status 2 done").await;
    let r = c.say("/features").await;
    assert!(
        r.contains("Open features\nNo open features: all 2 are done. See them: /features all"),
        "{r}"
    );
    c.say("/status 2 cancelled").await;
    let r = c.say("/features").await;
    assert!(
        r.contains("No open features: 1 done, 1 cancelled. See them: /features all"),
        "{r}"
    );
    let r = c.say("/features all").await;
    assert!(r.contains("All features (2 features)"), "{r}");

    let mut ru = Chat::new(&e, &pool, 53, Lang::Ru);
    ru.say("/use Apollo").await;
    ru.say("/status 2 done").await;
    let r = ru.say("/features").await;
    assert!(
        r.contains("Открытых фич нет: все 2 фичи готовы. Посмотреть: /features all"),
        "{r}"
    );
    let r = ru.say("что изменилось за 21 день").await;
    assert!(r.contains("Что изменилось за последние 21 день ("), "{r}");
    // The confirmation tells a Russian reader to type «да», and that works.
    let r = ru.say("/delete 1").await;
    assert!(r.contains("напишите /delete 1 да."), "{r}");
    let r = ru.say("/delete 1 да").await;
    assert!(r.contains("Фича #1 Login удалена"), "{r}");
});

// Issue 9, items 7–9, in every slot that takes them: two-digit years are
// 20xx and implausible years are refused; names are normalized (NFC,
// invisible characters removed, case-folded for uniqueness and lookup);
// control characters (NUL included) are refused the same on both backends;
// a colon starts a description only when a space follows it.
both!(dates_names_and_colons_in_every_slot, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 48, Lang::En);
    let mut ru = Chat::new(&e, &pool, 48, Lang::Ru);
    c.say("/newproject Apollo").await;
    // Dates.
    let r = c.say("/release 2.0 01.12.26").await;
    assert!(r.contains("2.0") && r.contains("2026-12-01"), "{r}");
    let r = ru.say("создай релиз 3.1 на 05.01.27").await;
    assert!(r.contains("3.1") && r.contains("05.01.2027"), "{r}");
    let r = c.say("what changed since 1.11.25").await;
    assert!(r.contains("2025-11-01"), "{r}");
    for bad in [
        "/release 4.0 01.12.1999",
        "/release 4.0 2150-01-01",
        "/releasedate 2.0 31.02.2027",
    ] {
        let r = c.say(bad).await;
        assert!(r.contains("not a valid date"), "{bad}: {r}");
    }
    let r = c.say("/release 2.0 2026-12-24").await;
    assert!(
        r.contains("already exists") && r.contains("/releasedate 2.0"),
        "{r}"
    );
    // Names: zero-width and direction marks removed, NFC, case-folded.
    let before = counts(&pool).await.projects;
    for same in [
        "/newproject Apollo\u{200b}",
        "/newproject \u{202e}APOLLO",
        "/newproject apollo\u{feff}",
    ] {
        assert!(c.say(same).await.contains("already exists"), "{same:?}");
    }
    c.say("/newproject Cafe\u{301}").await;
    assert!(
        c.say("/newproject Caf\u{e9}")
            .await
            .contains("already exists")
    );
    c.say("/use Apollo").await;
    assert!(c.say("switch to CAFÉ").await.contains("Switched to Café"));
    c.say("/use Apollo").await;
    assert_eq!(counts(&pool).await.projects, before + 1);
    for invisible in ["/newproject \u{200b}\u{200b}", "/add \u{2060}"] {
        let r = c.say(invisible).await;
        assert!(
            !r.contains("Created") && !r.contains("Added"),
            "{invisible:?}: {r}"
        );
    }
    // Control characters: refused in every text, the same on both backends.
    c.say("/add Login").await;
    let events = data_events(&pool).await;
    for bad in [
        "/add Log\u{0}in",
        "/add Lo\tgin",
        "/describe 1 a\u{0}b",
        "/status 1 blocked: x\u{7}y",
        "/newproject X\u{85}Y",
    ] {
        let r = c.say(bad).await;
        assert!(r.contains("control character"), "{bad:?}: {r}");
    }
    assert_eq!(data_events(&pool).await, events, "nothing stored");
    // Newlines and tabs are fine in a description.
    assert!(
        c.say("/describe 1 line one\nline\ttwo")
            .await
            .contains("line one")
    );
    // A colon without a space after it is part of the name.
    let r = c.say("/add Docs at https://example.com/api").await;
    assert!(r.contains("Docs at https://example.com/api"), "{r}");
    let r = c.say("/add Standup 10:30 sync").await;
    assert!(r.contains("Standup 10:30 sync"), "{r}");
    let r = c.say("/add Billing: invoices and receipts").await;
    assert!(r.contains("Added #4 Billing ("), "{r}");
});

// Retention: a stored update keeps its JSON only until it is processed
// (for replay after a crash); the transaction that applies it clears it.
both!(payload_is_kept_only_until_processed, |b| async move {
    use radar_store::processed_messages::{self, NewReceipt};
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 48, Lang::En);
    let mut conn = pool.get().await.unwrap();
    let msgs = [
        c.message(1, "/newproject Apollo"),
        c.message(2, "/add Login"),
        c.message(3, "/add Search"),
    ];
    let payload = |n: usize| format!(r#"{{"update_id":{n},"private":"text of update {n}"}}"#);
    let payloads: Vec<String> = (0..msgs.len()).map(payload).collect();
    for (m, p) in msgs.iter().zip(&payloads) {
        let stored = processed_messages::store(
            &mut conn,
            &NewReceipt {
                message_id: &m.key,
                update_id: None,
                chat_id: c.chat,
                user_id: Some(c.user),
                received_at: e.now().naive_utc(),
                processed_at: None,
                payload: Some(p),
            },
        )
        .await
        .unwrap();
        assert!(stored);
    }
    let receipt = async |conn: &mut radar_store::Conn, key: &str| {
        processed_messages::get(conn, key)
            .await
            .unwrap()
            .expect("stored")
    };
    for (m, p) in msgs.iter().zip(&payloads) {
        let r = receipt(&mut conn, &m.key).await;
        assert_eq!(r.processed_at, None);
        assert_eq!(
            r.payload.as_deref(),
            Some(p.as_str()),
            "pending: kept for replay"
        );
    }

    // Processing the first two clears their payloads, in the same
    // transaction that marks them processed; the third is still pending.
    assert!(c.send(&msgs[0]).await.is_some());
    assert!(c.send(&msgs[1]).await.is_some());
    for m in &msgs[..2] {
        let r = receipt(&mut conn, &m.key).await;
        assert!(r.processed_at.is_some(), "{}: processed", m.key);
        assert_eq!(r.payload, None, "{}: payload cleared once processed", m.key);
    }
    let pending = receipt(&mut conn, &msgs[2].key).await;
    assert_eq!(pending.processed_at, None);
    assert_eq!(pending.payload.as_deref(), Some(payloads[2].as_str()));

    // A redelivery is a duplicate and stores nothing again.
    assert!(c.send(&msgs[0]).await.is_none());
    assert_eq!(receipt(&mut conn, &msgs[0].key).await.payload, None);

    // Giving up on an update (a poison one) clears it too.
    processed_messages::give_up(&mut conn, &msgs[2].key, e.now().naive_utc())
        .await
        .unwrap();
    let given_up = receipt(&mut conn, &msgs[2].key).await;
    assert!(given_up.processed_at.is_some());
    assert_eq!(given_up.payload, None);
});

// The group commit's fallback: commands whose group cannot be committed
// (here a job of the same group breaks the `COMMIT`: SQLite, a foreign key
// checked at commit; PostgreSQL, the group's connection dies) are told so by
// the group and applied again, each in a transaction of its own: every one
// is applied exactly once and answered, and a redelivery is a duplicate.
both!(
    commands_of_a_group_that_cannot_commit_are_applied_alone,
    |b| async move {
        use radar_store::group::{GroupCommit, GroupError};
        use radar_store::{StoreError, test_support};
        use std::sync::Arc;
        use tokio::sync::Notify;

        let db = TestDb::new(b).await;
        let (plain, pool) = setup(&db);
        let mut c = Chat::new(&plain, &pool, 61, Lang::En);
        c.say("/newproject Apollo").await;
        let before = data_events(&pool).await;
        let group = GroupCommit::start(pool.clone(), 1, 64);
        let e = plain.clone().with_group_commit(group.clone());
        // A first job holds the committer, so the next three form one group.
        let (gate, started) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        let held = {
            let (group, gate, started) = (group.clone(), gate.clone(), started.clone());
            tokio::spawn(async move {
                group
                    .run(move |_conn| {
                        Box::pin(async move {
                            started.notify_one();
                            gate.notified().await;
                            Ok::<_, StoreError>(())
                        })
                    })
                    .await
            })
        };
        started.notified().await;
        let (first, second) = (c.next_id(), c.next_id());
        let messages = [
            c.message(first, "/add Signup"),
            c.message(second, "/add Login"),
        ];
        let commands: Vec<_> = messages
            .iter()
            .map(|m| {
                let (e, m) = (e.clone(), m.clone());
                tokio::spawn(async move { e.handle(&m).await })
            })
            .collect();
        let breaker = {
            let group = group.clone();
            tokio::spawn(async move {
                group
                    .run(move |conn| {
                        Box::pin(async move {
                            let sql = match conn.backend() {
                                Backend::Sqlite => {
                                    "PRAGMA defer_foreign_keys = ON; \
                                     INSERT INTO user_context (user_id, active_project_id, updated_at) \
                                     VALUES (77, 999999, '2026-01-01 00:00:00')"
                                }
                                Backend::Postgres => {
                                    "SELECT pg_terminate_backend(pg_backend_pid())"
                                }
                            };
                            let _ = test_support::execute_script(conn, sql).await;
                            Ok::<_, StoreError>(())
                        })
                    })
                    .await
            })
        };
        let mut waited = 0;
        while group
            .stats()
            .queued
            .load(std::sync::atomic::Ordering::Relaxed)
            < 3
        {
            waited += 1;
            assert!(waited < 10_000, "the three jobs never queued");
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        gate.notify_one();
        held.await.unwrap().unwrap();
        assert!(
            matches!(breaker.await.unwrap(), Err(GroupError::NotCommitted)),
            "the group was not committed"
        );
        for (m, h) in messages.iter().zip(commands) {
            match h.await.unwrap() {
                Ok(Handled::Replied(r)) => {
                    let name = if m.input == Input::Text("/add Signup".into()) {
                        "Signup"
                    } else {
                        "Login"
                    };
                    assert!(r.plain().contains("Added #"), "{}", r.plain());
                    assert!(r.plain().contains(name), "{}", r.plain());
                    assert_eq!(r.outbox_ids.len(), 1, "the reply is queued once");
                }
                other => panic!("a command of the lost group: {other:?}"),
            }
        }
        assert_eq!(data_events(&pool).await, before + 2, "each applied once");
        let list = c.say("/features").await;
        assert!(list.contains("Signup") && list.contains("Login"), "{list}");
        for m in &messages {
            assert!(
                matches!(e.handle(m).await, Ok(Handled::Duplicate)),
                "a redelivery is a duplicate"
            );
        }
    }
);

// An undone add deletes the newest feature; the next feature must not get
// its id (SQLite gives the largest id plus one), or the log would show the
// undone feature's events as the new one's.
both!(
    a_feature_added_after_an_undone_add_has_its_own_history,
    |b| async move {
        let db = TestDb::new(b).await;
        let (e, pool) = setup(&db);
        let mut c = Chat::new(&e, &pool, 62, Lang::En);
        c.say("/newproject Zeta").await;
        c.say("/add Alpha").await;
        c.say("/add Beta").await;
        c.say("/undo").await;
        c.say("/add Gamma").await;
        let history = c.say("/history 3").await;
        assert!(history.contains("Gamma"), "{history}");
        let lines: Vec<&str> = history.lines().filter(|l| l.starts_with("• ")).collect();
        assert_eq!(lines.len(), 1, "only Gamma's own event: {history}");
        assert!(!history.contains("undo"), "{history}");
        let changes = c.say("/changes").await;
        assert!(changes.contains("#2 Beta"), "{changes}");
        assert!(changes.contains("#3 Gamma"), "{changes}");
        let gamma = changes.split("#3 Gamma").nth(1).unwrap();
        let gamma_lines = gamma
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("• "))
            .count();
        assert_eq!(
            gamma_lines, 1,
            "Gamma's group holds its one event: {changes}"
        );
    }
);

// "What changed" names a renamed feature by the name it has now.
both!(what_changed_names_a_feature_as_it_is_now, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut c = Chat::new(&e, &pool, 63, Lang::En);
    c.say("/newproject Eta").await;
    c.say("/add Epsilon").await;
    c.say("/rename 1 Epsilon Two").await;
    let changes = c.say("/changes").await;
    assert!(changes.contains("#1 Epsilon Two\n"), "{changes}");
    c.say("/undo").await;
    let changes = c.say("/changes").await;
    assert!(changes.contains("#1 Epsilon\n"), "{changes}");
});

// Two replicas (two engines, each with its own names cache) on one
// database: each understands names the other just wrote, renamed or removed.
both!(
    replicas_understand_each_others_names_at_once,
    |b| async move {
        let db = TestDb::new(b).await;
        let (a_engine, pool) = setup(&db);
        let b_engine = common::engine(&db);
        let mut a = Chat::new(&a_engine, &pool, 70, Lang::En);
        let mut b = Chat::new(&b_engine, &pool, 71, Lang::En);
        a.say("/newproject Apollo").await;
        a.say("/add Login").await;
        let r = b.say("switch to apollo").await;
        assert!(r.starts_with("📁 Project: Apollo"), "{r}");
        let r = b.say("login is in progress").await;
        assert!(r.contains("Login"), "B knows #1: {r}");

        // A renames #1: B reads the new name at once, and no longer the old one.
        a.say("/rename 1 Signin").await;
        let r = b.say("signin is blocked").await;
        assert!(
            r.contains("#1") && r.contains("Signin"),
            "B knows the new name: {r}"
        );
        let r = b.say("login is done").await;
        assert!(!r.contains("✅"), "the old name is gone: {r}");

        // A adds a feature and a release; B plans the one into the other.
        a.say("/add Payments").await;
        a.say("/release 2.0").await;
        let r = b.say("plan payments for 2.0").await;
        assert!(r.contains("Payments") && r.contains("2.0"), "{r}");

        // A deletes #2: B no longer finds it.
        let r = a.say("/delete 2 yes").await;
        assert!(r.contains("Payments"), "{r}");
        let r = b.say("payments is done").await;
        assert!(!r.contains("✅"), "a deleted feature is gone: {r}");

        // A adds a feature and names it at once (its own cache learns it from
        // the add); B adds one in between A's; A still knows B's.
        a.say("/add Export").await;
        let r = a.say("export is in progress").await;
        assert!(r.contains("Export"), "A knows its new feature: {r}");
        b.say("/add Search").await;
        a.say("/add Reports").await;
        let r = a.say("search is blocked").await;
        assert!(r.contains("Search"), "A knows B's feature: {r}");
        let r = a.say("reports is done").await;
        assert!(r.contains("Reports"), "{r}");

        // A creates a project: B switches to it by name.
        a.say("/newproject Gemini").await;
        let r = b.say("switch to gemini").await;
        assert!(r.starts_with("📁 Project: Gemini"), "{r}");
    }
);

// The add's duplicate check reads the features named alike through the
// names cache: it still finds a feature added, renamed or cancelled by this
// replica or another one, whatever its capitals.
both!(
    an_add_finds_the_same_name_wherever_it_was_written,
    |b| async move {
        let db = TestDb::new(b).await;
        let (a_engine, pool) = setup(&db);
        let b_engine = common::engine(&db);
        let mut a = Chat::new(&a_engine, &pool, 72, Lang::En);
        let mut b = Chat::new(&b_engine, &pool, 73, Lang::En);
        a.say("/newproject Apollo").await;
        b.say("/use Apollo").await;
        a.say("/add Login").await;
        let exists = |r: &str| r.contains("already exists (") && r.contains("Nothing changed");
        let r = a.say("/add LOGIN").await;
        assert!(exists(&r) && r.contains("#1"), "same replica: {r}");
        let r = b.say("/add login").await;
        assert!(exists(&r) && r.contains("#1"), "other replica: {r}");
        b.say("/add Search").await;
        let r = a.say("/add search").await;
        assert!(exists(&r) && r.contains("#2"), "the other's add: {r}");
        // A rename frees the old name and takes the new one.
        b.say("/rename 1 Signin").await;
        let r = a.say("/add signin").await;
        assert!(exists(&r) && r.contains("#1"), "renamed: {r}");
        let r = a.say("/add Login").await;
        assert!(r.contains("#3") && !exists(&r), "the old name is free: {r}");
        // A cancelled feature's name can be added again.
        b.say("/status 2 cancelled").await;
        let r = a.say("/add Search").await;
        assert!(r.contains("#4") && !exists(&r), "cancelled: {r}");
        let r = b.say("/add search").await;
        assert!(exists(&r) && r.contains("#4"), "the new one: {r}");
        assert_eq!(
            data_events(&pool).await,
            7,
            "one event per change, none for the duplicates"
        );
    }
);

/// An add that races another replica's change of the same project's names
/// (PostgreSQL: the other transaction holds the names version's row lock
/// when the add bumps it) does not put its own names in the cache as the
/// names after both: the next command knows the other replica's feature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_add_racing_another_replica_keeps_both_names_on_postgres() {
    use radar_store::test_support::{execute_script, text_column};
    let db = TestDb::new(Backend::Postgres).await;
    let (e, pool) = setup(&db);
    let mut a = Chat::new(&e, &pool, 80, Lang::En);
    a.say("/newproject Apollo").await;
    a.say("/add Login").await;
    // The engine now holds Apollo's names.
    assert!(a.say("login is in progress").await.contains("Login"));
    let mut conn = pool.get().await.unwrap();
    let project = text_column(
        &mut conn,
        "SELECT CAST(id AS TEXT) AS v FROM projects WHERE name = 'Apollo'",
    )
    .await
    .unwrap()[0]
        .clone()
        .unwrap();
    // Another replica adds "Search" and holds its transaction open.
    let mut other = pool.get().await.unwrap();
    execute_script(
        &mut other,
        &format!(
            "BEGIN; INSERT INTO features (project_id, number, name, status, created_at, updated_at) \
             VALUES ({project}, 99, 'Search', 'backlog', now(), now()); \
             UPDATE names_versions SET version = 777 WHERE scope = {project};"
        ),
    )
    .await
    .unwrap();
    let id = a.next_id();
    let msg = a.message(id, "/add Reports");
    let engine = e.clone();
    let add = tokio::spawn(async move { engine.handle(&msg).await });
    // Until the add waits for the other transaction's row lock.
    loop {
        let waiting = text_column(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .await
        .unwrap();
        if waiting[0].as_deref() == Some("1") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    execute_script(&mut other, "COMMIT").await.unwrap();
    assert!(matches!(add.await.unwrap().unwrap(), Handled::Replied(_)));
    // The other replica may hold its names (without "Reports") cached at
    // its version: the add gave the project a newer one.
    let version = text_column(
        &mut conn,
        &format!("SELECT CAST(version AS TEXT) AS v FROM names_versions WHERE scope = {project}"),
    )
    .await
    .unwrap();
    assert_ne!(
        version[0].as_deref(),
        Some("777"),
        "the add's version is new"
    );
    let r = a.say("search is blocked").await;
    assert!(
        r.contains("Search"),
        "the other replica's feature is known: {r}"
    );
    let r = a.say("reports is done").await;
    assert!(r.contains("Reports"), "{r}");
}
