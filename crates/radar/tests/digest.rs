//! The daily digest and paged answers through the real `radar serve` binary
//! against the fake Bot API: SIGKILLs around the send time, two replicas on
//! PostgreSQL, `radar digest --user N`, ◀ ▶ editing the message in place.
//!
//! Radar's clock is the test clock (`RADAR_TEST_CLOCK`: it starts at the
//! given instant and runs on), and the messages carry their own dates, so
//! the digest time comes without waiting for it.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use radar_engine::digest_key;
use radar_store::{Backend, UserId, outbox};
use radar_testkit::serve::{Options, Radar, eventually};
use radar_testkit::{FakeTelegram, TestDb, both};

const RADAR: &str = env!("CARGO_BIN_EXE_radar");
const EN: i64 = 1001;
const RU: i64 = 1002;
const WAIT: Duration = Duration::from_secs(30);

fn at(day: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, day, h, m, s).unwrap()
}

fn opts(clock: DateTime<Utc>) -> Options<'static> {
    Options {
        allowed: "1001,1002",
        env: vec![("RADAR_TEST_CLOCK", clock.to_rfc3339())],
        ..Options::default()
    }
}

/// The digests the fake received in `chat`.
fn digests(fake: &FakeTelegram, chat: i64) -> Vec<String> {
    fake.sent_to(chat)
        .into_iter()
        .map(|s| s.text)
        .filter(|t| t.contains("📬 <b>Digest for") || t.contains("📬 <b>Сводка за"))
        .collect()
}

/// Two users with changes on 2030-03-09 and a digest at 06:00 UTC (09:00 in
/// Moscow for the Russian one), set up by a Radar whose clock reads the 9th.
async fn set_up(db: &TestDb, fake: &FakeTelegram) {
    let radar = Radar::start(RADAR, &db.url, fake, &opts(at(9, 13, 0, 0)));
    let date = at(9, 12, 0, 0).timestamp();
    let en = [
        "/newproject Apollo",
        "/add Login",
        "/add Search",
        "/status 1 done",
        "/digest 06:00",
    ];
    let ru = [
        "/newproject Гемини",
        "/timezone Europe/Moscow",
        "присылай сводку в 9",
        "/add Оплата",
    ];
    for t in en {
        fake.push_text_at(EN, EN, t, Some("en"), date);
    }
    for t in ru {
        fake.push_text_at(RU, RU, t, Some("ru"), date);
    }
    fake.wait_sent(en.len() + ru.len(), WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    let all = fake.sent();
    assert!(
        all.iter()
            .any(|s| s.text.contains("Every day at <b>06:00</b> (UTC)")),
        "{all:?}"
    );
    assert!(all.iter().any(|s| {
        s.text
            .contains("Каждый день в <b>09:00</b> (Europe/Moscow)")
    }));
    radar.kill();
}

/// Each user got their digest of the 10th once (Telegram and the outbox),
/// with the hand-counted changes of the 9th.
async fn exactly_one_each(db: &TestDb, fake: &FakeTelegram, telegram_max: usize) {
    let en = digests(fake, EN);
    let ru = digests(fake, RU);
    assert!(!en.is_empty() && en.len() <= telegram_max, "{en:?}");
    assert!(!ru.is_empty() && ru.len() <= telegram_max, "{ru:?}");
    // Project created, 2 features created, #1 done: 4 changes.
    assert!(
        en[0].starts_with(
            "📁 Project: <b>Apollo</b>\n\n📬 <b>Digest for 2030-03-09</b> (4 changes)"
        ),
        "{}",
        en[0]
    );
    assert!(en[0].contains("Login") && en[0].contains("Search"));
    // Project created, 1 feature: 2 changes (the settings are not data).
    assert!(
        ru[0].contains("📬 <b>Сводка за 09.03.2030</b> (2 изменения)"),
        "{}",
        ru[0]
    );
    let pool = db.pool();
    let mut conn = pool.get().await.unwrap();
    let day = NaiveDate::from_ymd_opt(2030, 3, 10).unwrap();
    for user in [EN, RU] {
        let rows = outbox::for_key(&mut conn, &digest_key(UserId(user), day))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "one digest queued for {user}");
        assert!(rows[0].sent_at.is_some(), "and sent");
    }
}

both!(
    digest_once_per_user_and_day_across_sigkills,
    |b| async move {
        use rand::{Rng, SeedableRng};
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        set_up(&db, &fake).await;
        let seed: u64 = rand::random();
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        // Around 06:00 UTC on the 10th: start a second before, kill at a
        // random moment (maybe before, maybe while sending), again and again.
        let mut kills = 0;
        for round in 0..4u32 {
            let radar = Radar::start(RADAR, &db.url, &fake, &opts(at(10, 5, 59, 59 - round)));
            let want = digests(&fake, EN).len() + digests(&fake, RU).len() + 1;
            let _ = fake
                .wait_until(Duration::from_millis(rng.random_range(200..3000)), |f| {
                    digests(f, EN).len() + digests(f, RU).len() >= want
                })
                .await;
            radar.kill();
            kills += 1;
        }
        // Back later that morning: whatever was missed is sent now, once.
        let radar = Radar::start(RADAR, &db.url, &fake, &opts(at(10, 7, 30, 0)));
        eventually("both digests", WAIT, || async {
            !digests(&fake, EN).is_empty() && !digests(&fake, RU).is_empty()
        })
        .await;
        eventually("outbox drained", WAIT, || async {
            radar.metric("radar_outbox_backlog").await == 0.0
        })
        .await;
        let status = radar.terminate();
        assert!(status.success());
        let (en, ru) = (digests(&fake, EN).len(), digests(&fake, RU).len());
        println!(
            "digest kills ({b:?}, seed {seed}): {kills} SIGKILLs; digests on Telegram: en {en}, ru {ru}"
        );
        // Queued exactly once; Telegram may see a second copy only when a
        // kill landed between sendMessage and recording it sent (the
        // outbox's at-least-once delivery, as for every reply).
        exactly_one_each(&db, &fake, 1 + kills).await;
        // The next day (nothing changed on the 10th): no digest.
        let radar = Radar::start(RADAR, &db.url, &fake, &opts(at(11, 9, 0, 0)));
        let pool = db.pool();
        eventually("the 11th's keys claimed", WAIT, || async {
            let mut conn = pool.get().await.unwrap();
            let day = NaiveDate::from_ymd_opt(2030, 3, 11).unwrap();
            let keys = vec![digest_key(UserId(EN), day), digest_key(UserId(RU), day)];
            radar_store::processed_messages::existing(&mut conn, &keys)
                .await
                .unwrap()
                .len()
                == 2
        })
        .await;
        radar.terminate();
        assert_eq!(digests(&fake, EN).len(), en, "nothing changed, no message");
        assert_eq!(digests(&fake, RU).len(), ru);
    }
);

/// Two replicas on PostgreSQL reach the digest time together: one digest
/// per user.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_send_one_digest_per_user() {
    let db = TestDb::new(Backend::Postgres).await;
    let fake = FakeTelegram::start().await;
    set_up(&db, &fake).await;
    let hook = |clock: DateTime<Utc>| Options {
        webhook: Some(("https://radar.example.com/tg/hook".into(), Some("s3cret"))),
        ..opts(clock)
    };
    let a = Radar::start(RADAR, &db.url, &fake, &hook(at(10, 5, 59, 58)));
    let b = Radar::start(RADAR, &db.url, &fake, &hook(at(10, 5, 59, 58)));
    eventually("both digests", WAIT, || async {
        !digests(&fake, EN).is_empty() && !digests(&fake, RU).is_empty()
    })
    .await;
    for r in [&a, &b] {
        eventually("outbox drained", WAIT, || async {
            r.metric("radar_outbox_backlog").await == 0.0
        })
        .await;
    }
    // Both keep ticking past 06:00 for a while: still one each.
    let log_a = a.log();
    let log_b = b.log();
    a.terminate();
    b.terminate();
    assert!(
        log_a.contains("daily digests due") || log_b.contains("daily digests due"),
        "a replica sent them"
    );
    exactly_one_each(&db, &fake, 1).await;
}

/// `radar digest --user N` prints what would be sent, in the user's
/// language; nothing is queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_command_prints_a_users_digest() {
    for b in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        set_up(&db, &fake).await;
        let url = match &db.url {
            radar_store::DbUrl::Sqlite(p) => p.clone(),
            radar_store::DbUrl::Postgres(u) => u.clone(),
        };
        let run = |user: i64, clock: DateTime<Utc>| {
            let out = std::process::Command::new(RADAR)
                .env_clear()
                .env("DATABASE_URL", &url)
                .env("RADAR_TEST_CLOCK", clock.to_rfc3339())
                .args(["digest", "--user", &user.to_string()])
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        let en = run(EN, at(10, 8, 0, 0));
        assert!(
            en.starts_with("📁 Project: Apollo\n\n📬 Digest for 2030-03-09 (4 changes)"),
            "{en}"
        );
        let ru = run(RU, at(10, 8, 0, 0));
        assert!(ru.contains("📬 Сводка за 09.03.2030 (2 изменения)"), "{ru}");
        let none = run(EN, at(11, 8, 0, 0));
        assert!(
            none.contains("No digest for user 1001: nothing changed"),
            "{none}"
        );
        let mut conn = db.pool().get().await.unwrap();
        let day = NaiveDate::from_ymd_opt(2030, 3, 10).unwrap();
        assert!(
            outbox::for_key(&mut conn, &digest_key(UserId(EN), day))
                .await
                .unwrap()
                .is_empty(),
            "printing queues nothing"
        );
    }
}

both!(pages_turn_by_editing_the_message, |b| async move {
    let db = TestDb::new(b).await;
    let fake = FakeTelegram::start().await;
    let radar = Radar::start(RADAR, &db.url, &fake, &opts(at(9, 13, 0, 0)));
    let date = at(9, 12, 0, 0).timestamp();
    // The fake's button presses carry no language_code: the user's
    // language setting makes the pages Russian anyway.
    fake.push_text_at(RU, RU, "/lang ru", Some("ru"), date);
    fake.push_text_at(RU, RU, "/newproject Гемини", Some("ru"), date);
    let long = "Д".repeat(150);
    for i in 0..50 {
        fake.push_text_at(RU, RU, &format!("/add {i} {long}"), Some("ru"), date);
    }
    fake.wait_sent(52, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    let before = fake.sent().len();
    fake.push_text_at(RU, RU, "что изменилось за 3 дня", Some("ru"), date + 60);
    let sent = fake.wait_sent(before + 1, WAIT).await.unwrap();
    let page = sent.last().unwrap().clone();
    assert!(page.text.contains("Страница 1 из "), "{}", page.text);
    let next = page.reply_markup.as_ref().unwrap()["inline_keyboard"][0]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["text"].as_str().unwrap().contains("▶"))
        .unwrap()["callback_data"]
        .as_str()
        .unwrap()
        .to_string();
    fake.push_callback(RU, RU, &next, page.message_id);
    fake.wait_until(WAIT, |f| !f.edits().is_empty())
        .await
        .unwrap();
    let edit = fake.edits().remove(0);
    assert_eq!(edit.method, "editMessageText");
    assert_eq!(edit.message_id, Some(page.message_id), "the same message");
    let text = edit.text.unwrap();
    assert!(text.contains("Страница 2 из "), "{text}");
    assert!(fake.sent().len() == before + 1, "no new message for a page");
    radar.terminate();
});

both!(
    console_shows_the_first_page_and_turns_on_next,
    |b| async move {
        let db = TestDb::new(b).await;
        let engine = radar_engine::Engine::new(db.pool(), radar_engine::EngineConfig::default());
        for (user, lang, next, back) in [
            (5, radar_engine::Lang::En, "next", "back"),
            (6, radar_engine::Lang::Ru, "дальше", "назад"),
        ] {
            let mut console = radar::console::Console::new(engine.clone(), UserId(user), lang);
            console.say(&format!("/newproject P{user}")).await.unwrap();
            let long = "L".repeat(150);
            for i in 0..50 {
                console.say(&format!("/add {i} {long}")).await.unwrap();
            }
            let (p1, p2, hint) = match lang {
                radar_engine::Lang::En => ("Page 1 of 2", "Page 2 of 2", "type \"next\""),
                radar_engine::Lang::Ru => {
                    ("Страница 1 из 2", "Страница 2 из 2", "напишите «дальше»")
                }
            };
            let first = console.say("/changes").await.unwrap();
            assert!(first.contains(p1) && first.contains(hint), "{first}");
            let second = console.say(next).await.unwrap();
            assert!(second.contains(p2), "{second}");
            let again = console.say(back).await.unwrap();
            assert!(again.contains(p1), "{again}");
            // Without a paged reply before it, "next" is an ordinary message.
            console.say("/whoami").await.unwrap();
            let plain = console.say(next).await.unwrap();
            assert!(!plain.contains(p2), "{plain}");
        }
    }
);
