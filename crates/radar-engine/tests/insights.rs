//! Flow metrics, the burn-up and the export against a hand-computed fixture,
//! on both backends, in English and Russian.
//!
//! The fixture (UTC, a fixed clock; every command at the time given):
//!
//! | when (2026, UTC) | command | effect |
//! |---|---|---|
//! | Mon 2 Nov 09:00 | project, features #1–#6, release 1.2 (target 10 Dec), plan #1 #2 #3 | scope 3 |
//! | 2 Nov 10:00 | #1 in progress | |
//! | 3 Nov 10:00 | #2 in progress | |
//! | 4 Nov 10:00 | #1 done | cycle 2.0 d (W45) |
//! | 5 Nov 10:00 | #3 planned (status) | |
//! | 6 Nov 10:00 | #3 done | cycle 1.0 d (from "planned": never in progress) (W45) |
//! | 9 Nov 10:00 | #2 done | superseded below |
//! | 10 Nov 10:00 | #2 in progress again | |
//! | 12 Nov 22:00 | #2 done | cycle 9.5 d from the first in progress (W46), once |
//! | 16 Nov 10:00 | #4 in progress, plan #4 | scope 4 |
//! | 17 Nov 10:00 | #4 done, then undo | the done does not count |
//! | 18 Nov 10:00 | unplan #3 | scope 3 |
//! | 19 Nov 10:00 | plan #6 | scope 4 |
//! | 20 Nov 10:00 | #5 blocked: waiting for keys | |
//! | 21 Nov 10:00 | #6 cancelled | scope 3 |
//! | now: Fri 27 Nov 10:00 | | |
//!
//! Last 28 days: done 3 (#1, #3, #2) → 0.75 a week (shown 0.8); per ISO week
//! W44 0, W45 2, W46 1, W47 0, W48 0; cycle times 1.0, 2.0, 9.5 → median 2.0,
//! 85th percentile (nearest rank ⌈0.85·3⌉ = 3rd) 9.5; in progress 1 (#4);
//! blocked #5 for 7 d. Release 1.2: #1 #2 done, #4 open → 2/3; forecast
//! 1 ÷ (3/28 a day) = 9.3 → 10 days → 7 Dec.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{Chat, setup_with};
use radar_engine::insights::{self, percentile};
use radar_engine::{Clock, EngineConfig, Lang, Reply};
use radar_store::{AttachmentKind, Db, outbox_attachments};
use radar_testkit::{TestDb, both};

fn at(day: u32, hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

/// Plays the fixture; returns the chat (its clock at "now").
async fn fixture(db: &TestDb, user: i64, lang: Lang) -> (Chat, Clock, Db) {
    let clock = Clock::fixed(at(2, 9));
    let (e, pool) = setup_with(
        db,
        EngineConfig {
            clock: clock.clone(),
            ..EngineConfig::default()
        },
    );
    let mut c = Chat::new(&e, &pool, user, lang);
    for cmd in [
        "/newproject Apollo",
        "/add Login",
        "/add Signup",
        "/add Search",
        "/add Payments",
        "/add Keys",
        "/add Export",
        "/release 1.2 2026-12-10",
        "/plan 1 1.2",
        "/plan 2 1.2",
        "/plan 3 1.2",
    ] {
        c.say(cmd).await;
    }
    let steps: &[((u32, u32), &str)] = &[
        ((2, 10), "/status 1 in_progress"),
        ((3, 10), "/status 2 in_progress"),
        ((4, 10), "/status 1 done"),
        ((5, 10), "/status 3 planned"),
        ((6, 10), "/status 3 done"),
        ((9, 10), "/status 2 done"),
        ((10, 10), "/status 2 in_progress"),
        ((12, 22), "/status 2 done"),
        ((16, 10), "/status 4 in_progress"),
        ((16, 10), "/plan 4 1.2"),
        ((17, 10), "/status 4 done"),
        ((17, 10), "/undo"),
        ((18, 10), "/unplan 3"),
        ((19, 10), "/plan 6 1.2"),
        ((20, 10), "/status 5 blocked: waiting for keys"),
        ((21, 10), "/status 6 cancelled"),
    ];
    for ((day, hour), cmd) in steps {
        clock.set(at(*day, *hour));
        let r = c.say(cmd).await;
        assert!(!r.contains("⚠"), "{cmd}: {r}");
    }
    clock.set(at(27, 10));
    (c, clock, pool)
}

both!(stats_match_the_hand_computed_fixture_en, |b| async move {
    let db = TestDb::new(b).await;
    let (mut c, _clock, _) = fixture(&db, 501, Lang::En).await;
    let r = c.reply("/stats").await;
    c.check_context(&r).await;
    let text = r.plain();
    for expected in [
        "Flow of Apollo in the last 28 days (2026-10-30 – 2026-11-27)",
        "Done: 3 features (0.8 a week)",
        "Per ISO week: W44 (2026-10-26): 0 · W45 (2026-11-02): 2 · W46 (2026-11-09): 1 · W47 (2026-11-16): 0 · W48 (2026-11-23): 0",
        "Cycle time: median 2 d, 85th percentile 9.5 d (over 3 features)",
        "In progress now: 1",
        "Blocked now: 1",
        "⛔ #5 Keys — 7 d (waiting for keys)",
        "🚀 1.2: 2/3 done · target 2026-12-10 · forecast: done by 2026-12-07",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The phrase reads the same.
    let phrase = c.reply("how are we doing?").await.plain();
    assert_eq!(phrase, text);
    // A period: this week (Mon 23 Nov – now) has nothing done.
    let week = c.reply("/stats this week").await.plain();
    assert!(week.contains("Done: 0 features"), "{week}");
    assert!(week.contains("Cycle time: —"), "{week}");
    assert!(week.contains("forecast: none"), "{week}");
});

both!(stats_match_the_hand_computed_fixture_ru, |b| async move {
    let db = TestDb::new(b).await;
    let (mut c, _clock, _) = fixture(&db, 502, Lang::Ru).await;
    let r = c.reply("статистика").await;
    c.check_context(&r).await;
    let text = r.plain();
    for expected in [
        "Готово: 3 фичи (0,8 в неделю)",
        "Н45 (02.11.2026): 2 · Н46 (09.11.2026): 1",
        "Время цикла: медиана 2 дн., 85-й перцентиль 9,5 дн. (по 3 фичам)",
        "В работе сейчас: 1",
        "⛔ #5 Keys — 7 дн. (waiting for keys)",
        "🚀 1.2: готово 2/3 · срок 10.12.2026 · прогноз: готов к 07.12.2026",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
});

both!(metrics_line_for_the_digest, |b| async move {
    let db = TestDb::new(b).await;
    let (c, clock, pool) = fixture(&db, 503, Lang::En).await;
    let mut conn = pool.get().await.unwrap();
    let p = radar_store::user_context::active_project(&mut conn, c.user)
        .await
        .unwrap()
        .unwrap();
    let line = insights::metrics_line(&mut conn, p.id, Lang::En, chrono_tz::UTC, clock.now())
        .await
        .unwrap();
    assert_eq!(
        line,
        "📊 4 weeks: 3 done (0.8/week) · cycle time 2 d · 1 in progress · 1 blocked"
    );
    let ru = insights::metrics_line(&mut conn, p.id, Lang::Ru, chrono_tz::UTC, clock.now())
        .await
        .unwrap();
    assert_eq!(
        ru,
        "📊 4 недели: готово 3 (0,8/нед.) · время цикла 2 дн. · в работе 1 · заблокировано 1"
    );
});

both!(burnup_follows_the_scope_rules, |b| async move {
    let db = TestDb::new(b).await;
    let (c, clock, pool) = fixture(&db, 504, Lang::En).await;
    let mut conn = pool.get().await.unwrap();
    let p = radar_store::user_context::active_project(&mut conn, c.user)
        .await
        .unwrap()
        .unwrap();
    let r = radar_store::releases::by_version(&mut conn, p.id, "1.2")
        .await
        .unwrap()
        .unwrap();
    let b = insights::burnup(&mut conn, p.id, &r, clock.now(), chrono_tz::UTC)
        .await
        .unwrap();
    let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
    assert_eq!(b.start, d(2));
    assert_eq!(b.today, d(27));
    assert_eq!(b.target, NaiveDate::from_ymd_opt(2026, 12, 10));
    let expected = [
        (2, (3, 0)),
        (3, (3, 0)),
        (4, (3, 1)),
        (6, (3, 2)),
        (9, (3, 3)),
        (10, (3, 2)),
        (12, (3, 3)),
        (16, (4, 3)),
        (17, (4, 3)), // #4's done was undone
        (18, (3, 2)), // #3 (done) unplanned
        (19, (4, 2)),
        (21, (3, 2)), // #6 cancelled
        (27, (3, 2)),
    ];
    for (day, v) in expected {
        assert_eq!(b.on(d(day)), Some(v), "{day} Nov");
    }
    assert_eq!(b.days.len(), 26);
});

/// The chart reply: one photo, its caption's first line the context line.
fn photo(r: &Reply) -> (&radar_engine::render::File, String) {
    assert_eq!(r.messages.len(), 1, "{r:?}");
    let m = &r.messages[0];
    let f = m.file.as_ref().expect("a file");
    assert_eq!(f.kind, AttachmentKind::Photo);
    assert!(radar_engine::render::units(&m.html) <= 1024);
    (f, m.plain())
}

both!(chart_is_a_png_queued_with_its_caption, |b| async move {
    let db = TestDb::new(b).await;
    let (mut c, _clock, pool) = fixture(&db, 505, Lang::En).await;
    let r = c.reply("/chart 1.2").await;
    c.check_context(&r).await;
    let (f, caption) = photo(&r);
    assert_eq!(f.name, "burnup-1.2.png");
    assert_eq!(&f.bytes[..8], b"\x89PNG\r\n\x1a\n");
    let img = image::load_from_memory(&f.bytes).unwrap();
    assert_eq!((img.width(), img.height()), (1000, 600));
    assert_eq!(
        caption,
        "📁 Project: Apollo\n\n📈 Burn-up of release 1.2 since 2026-11-02: 2 of 3 done · target 2026-12-10"
    );
    // Queued in the outbox with its bytes.
    let mut conn = pool.get().await.unwrap();
    let stored = outbox_attachments::of_reply(&mut conn, r.outbox_ids[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.bytes, f.bytes);
    assert_eq!(stored.kind, AttachmentKind::Photo);
    // The same state draws the same picture.
    let again = c.reply("burn-up chart for 1.2").await;
    assert_eq!(photo(&again).0.bytes, f.bytes);
});

both!(chart_in_russian_and_unknown_release, |b| async move {
    let db = TestDb::new(b).await;
    let (mut c, _clock, _) = fixture(&db, 506, Lang::Ru).await;
    let r = c.reply("покажи график релиза 1.2").await;
    c.check_context(&r).await;
    let (f, caption) = photo(&r);
    assert!(f.bytes.starts_with(b"\x89PNG"));
    assert!(
        caption.ends_with("📈 Burn-up релиза 1.2 с 02.11.2026: готово 2 из 3 · срок 10.12.2026"),
        "{caption}"
    );
    let none = c.reply("/chart 9.9").await;
    assert!(none.messages.iter().all(|m| m.file.is_none()));
});

both!(export_is_two_csv_files_with_bom, |b| async move {
    let db = TestDb::new(b).await;
    let (mut c, _clock, _) = fixture(&db, 507, Lang::En).await;
    c.say("/describe 1 вход по почте, \"quoted\" text").await;
    let r = c.reply("/export").await;
    c.check_context(&r).await;
    assert_eq!(r.messages.len(), 2);
    let files: Vec<_> = r.messages.iter().map(|m| m.file.clone().unwrap()).collect();
    assert!(files.iter().all(|f| f.kind == AttachmentKind::Document));
    assert_eq!(files[0].name, "Apollo-features.csv");
    assert_eq!(files[1].name, "Apollo-events.csv");
    for f in &files {
        assert!(f.bytes.starts_with("\u{FEFF}".as_bytes()), "{}", f.name);
    }
    let text = String::from_utf8(files[0].bytes[3..].to_vec()).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "number",
            "name",
            "status",
            "status_reason",
            "release",
            "teams",
            "po",
            "description",
            "created (UTC)",
            "updated (UTC)"
        ]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(&rows[0][1], "Login");
    assert_eq!(&rows[0][2], "done");
    assert_eq!(&rows[0][4], "1.2");
    assert_eq!(&rows[0][7], "вход по почте, \"quoted\" text");
    assert_eq!(&rows[4][3], "waiting for keys");
    // The event log: every event of the project, undo included.
    let text = String::from_utf8(files[1].bytes[3..].to_vec()).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert!(rows.iter().any(|r| &r[3] == "undo" && !r[7].is_empty()));
    assert!(rows.iter().any(|r| r[6].contains("Keys")));
    let plain = r.messages[1].plain();
    assert!(
        plain.contains(&format!("Event log of Apollo: {} events", rows.len())),
        "{plain}"
    );
    // Russian: «выгрузи».
    c.lang = Lang::Ru;
    let ru = c.reply("выгрузи").await;
    assert_eq!(ru.messages.len(), 2);
    assert!(
        ru.messages[0]
            .plain()
            .contains("Фичи проекта Apollo: 6 строк")
    );
});

#[test]
fn percentiles_by_nearest_rank() {
    let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
    assert_eq!(percentile(&v, 85), Some(9.0));
    assert_eq!(percentile(&v, 50), Some(5.0));
    assert_eq!(insights::median(&v), Some(5.5));
    assert_eq!(insights::median(&[]), None);
}
