//! Telegram's rules where Radar used to break them, each through the real
//! `radar serve` binary against the fake Bot API (which counts lengths in
//! UTF-16, answers 5xx with HTML pages, migrates groups, and delivers entity
//! types and updates teloxide cannot read): message length, groups,
//! supergroup migration, odd updates, buttons, 5xx storms, the apology.

use std::time::Duration;

use radar_store::{Db, outbox, processed_messages};
use radar_testkit::fake::BOT_USERNAME;
use radar_testkit::serve::{Options, Radar, eventually};
use radar_testkit::{FakeTelegram, TestDb, both, counts};

const RADAR: &str = env!("CARGO_BIN_EXE_radar");
const USER: i64 = 1001;
const OUTSIDER: i64 = 666;
const WAIT: Duration = Duration::from_secs(30);

fn opts() -> Options<'static> {
    Options {
        allowed: "1001,1002",
        ..Options::default()
    }
}

async fn start(db: &TestDb, fake: &FakeTelegram) -> Radar {
    let radar = Radar::start(RADAR, &db.url, fake, &opts());
    fake.wait_get_updates_calls(1, WAIT)
        .await
        .expect("radar polls getUpdates");
    radar
}

/// Waits until the message key is recorded as processed.
async fn processed(db: &Db, key: &str) {
    eventually(&format!("{key} processed"), WAIT, || async {
        let mut conn = db.get().await.unwrap();
        processed_messages::get(&mut conn, key)
            .await
            .unwrap()
            .is_some_and(|r| r.processed_at.is_some())
    })
    .await;
}

/// Replies that were given up (a permanent refusal).
async fn failed_replies(db: &Db) -> usize {
    let mut conn = db.get().await.unwrap();
    radar_store::test_support::failed_replies(&mut conn)
        .await
        .unwrap()
}

fn utf16(s: &str) -> usize {
    radar_testkit::fake::html_to_plain(s)
        .map(|p| p.encode_utf16().count())
        .unwrap_or(usize::MAX)
}

// 1. Telegram counts a message's length in UTF-16 units after entity
// parsing: emoji count twice. A description of 2,000 emoji and a list of
// 130 features with icons must arrive whole, within the limit.
both!(long_replies_fit_in_utf16_units, |b| async move {
    let db = TestDb::new(b).await;
    let fake = FakeTelegram::start().await;
    let radar = start(&db, &fake).await;
    fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
    fake.push_text(USER, USER, "/add Login", Some("en"));
    fake.push_text(
        USER,
        USER,
        &format!("/describe 1 {}", "🚀".repeat(2000)),
        Some("en"),
    );
    let shown = fake.push_text(USER, USER, "/feature 1", Some("en"));
    fake.wait_sent(4, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    let card: Vec<_> = fake
        .sent_to(USER)
        .into_iter()
        .filter(|s| s.reply_to_message_id == Some(shown.message_id))
        .collect();
    assert!(!card.is_empty(), "the feature card arrived");
    let rockets: usize = card.iter().map(|s| s.text.matches('🚀').count()).sum();
    assert_eq!(rockets, 2000, "the whole description, in parts if need be");
    for s in &card {
        assert!(utf16(&s.text) <= 4096);
        assert!(s.text.starts_with("📁 Project: <b>Apollo</b>"));
    }
    // 130 features with emoji in their names, then the whole list.
    for i in 1..=130 {
        fake.push_text(USER, USER, &format!("/add 🚀 Feature {i} ✅"), Some("en"));
    }
    fake.wait_sent(4 + 130, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    let before = fake.sent().len();
    let list = fake.push_text(USER, USER, "/features all", Some("en"));
    eventually("the whole list arrived", WAIT, || async {
        let parts: Vec<_> = fake
            .sent_since(before)
            .into_iter()
            .filter(|s| s.reply_to_message_id == Some(list.message_id))
            .collect();
        (1..=130).all(|i| {
            parts
                .iter()
                .any(|s| s.text.contains(&format!(" Feature {i} ")))
        })
    })
    .await;
    assert!(fake.sent().iter().all(|s| utf16(&s.text) <= 4096));
    assert_eq!(
        failed_replies(&db.pool()).await,
        0,
        "nothing refused, nothing lost"
    );
    drop(radar);
});

// 2. In a group Radar acts only when addressed: a command, a mention, a
// reply to its own message that is a command. Chatter, replies that are not
// commands, other bots' commands and outsiders get silence (their keys are
// recorded); an anonymous admin is told plainly.
both!(
    in_a_group_radar_speaks_only_when_addressed,
    |b| async move {
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        let radar = start(&db, &fake).await;
        let pool = db.pool();
        const GROUP: i64 = -5001;
        let created = fake.push_text(GROUP, USER, "/newproject Apollo", Some("en"));
        fake.wait_sent(1, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
        let bot_message = fake.sent_to(GROUP)[0].message_id;

        let silent = [
            fake.push_text(GROUP, USER, "lunch at 1?", Some("en")),
            fake.push_reply(GROUP, USER, "thanks!", bot_message),
            fake.push_reply(GROUP, USER, "hmm, not sure about that", bot_message),
            fake.push_text(GROUP, USER, "/start@other_bot", Some("en")),
            fake.push_text(GROUP, OUTSIDER, "/start@other_bot", Some("en")),
            fake.push_text(GROUP, OUTSIDER, "/newproject Evil", Some("en")),
            fake.push_text(GROUP, USER, "signup is done", Some("en")),
        ];
        let mention = fake.push_text(
            GROUP,
            USER,
            &format!("@{BOT_USERNAME} add Login"),
            Some("en"),
        );
        let reply_cmd = fake.push_reply(GROUP, USER, "add Search", bot_message);
        let unclear = fake.push_text(
            GROUP,
            USER,
            &format!("@{BOT_USERNAME} mark #1 as kinda done"),
            Some("en"),
        );
        fake.push_raw(serde_json::json!({"message": {
        "message_id": 9000, "date": 1_700_000_000,
        "chat": {"id": GROUP, "type": "group", "title": "G"},
        "from": {"id": 1087968824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot"},
        "sender_chat": {"id": GROUP, "type": "group", "title": "G"},
        "text": "/projects"
    }}));
        for p in &silent {
            processed(&pool, &format!("{GROUP}:{}", p.message_id)).await;
        }
        processed(&pool, &format!("{GROUP}:9000")).await;
        fake.wait_sent(5, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
        let sent = fake.sent_to(GROUP);
        let answered: Vec<i64> = sent.iter().filter_map(|s| s.reply_to_message_id).collect();
        for p in &silent {
            assert!(
                !answered.contains(&p.message_id),
                "silent on {}: {sent:#?}",
                p.message_id
            );
        }
        let text_for = |mid: i64| {
            sent.iter()
                .find(|s| s.reply_to_message_id == Some(mid))
                .map(|s| s.text.clone())
                .unwrap_or_default()
        };
        assert!(text_for(created.message_id).contains("Created project"));
        assert!(text_for(mention.message_id).contains("Added #1 Login"));
        assert!(text_for(reply_cmd.message_id).contains("Added #2 Search"));
        let unclear_reply = sent
            .iter()
            .find(|s| s.reply_to_message_id == Some(unclear.message_id))
            .expect("a mention is answered even when not understood");
        assert!(unclear_reply.text.contains("didn't understand"));
        assert!(
            unclear_reply.reply_markup.is_none(),
            "no 'did you mean' buttons in groups"
        );
        assert!(
            text_for(9000).contains("anonymous admin"),
            "an anonymous admin is told plainly: {sent:#?}"
        );
        assert_eq!(sent.len(), 5, "{sent:#?}");
        assert!(
            fake.sent_to(OUTSIDER).is_empty(),
            "outsiders in a group get silence"
        );
        assert_eq!(counts(&pool).await.projects, 1);
        assert_eq!(counts(&pool).await.features, 2);
        drop(radar);
    }
);

// 3. A group upgraded to a supergroup: a reply refused with the new chat id
// goes there; the migration's service messages are not answered.
both!(
    a_group_upgraded_to_a_supergroup_keeps_its_replies,
    |b| async move {
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        let radar = start(&db, &fake).await;
        const OLD: i64 = -5002;
        const NEW: i64 = -1_000_000_005_002;
        fake.push_text(OLD, USER, "/newproject Apollo", Some("en"));
        fake.wait_sent(1, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
        // The upgrade happens while a command written in the old group is on its way.
        let (to, from) = fake.migrate_group(OLD, NEW, USER);
        let late = fake.push_text(OLD, USER, "/add Login", Some("en"));
        fake.push_text(NEW, USER, "/add Search", Some("en"));
        eventually("both replies arrive in the supergroup", WAIT, || async {
            fake.sent_to(NEW).len() == 2
        })
        .await;
        let in_new: Vec<String> = fake.sent_to(NEW).into_iter().map(|s| s.text).collect();
        assert!(
            in_new
                .iter()
                .any(|t| t.contains("Added #") && t.contains("Login")),
            "{in_new:?}"
        );
        assert!(
            in_new
                .iter()
                .any(|t| t.contains("Added #") && t.contains("Search")),
            "{in_new:?}"
        );
        assert_eq!(
            fake.sent_to(OLD).len(),
            1,
            "the old group got only the first reply"
        );
        let pool = db.pool();
        processed(&pool, &format!("{OLD}:{}", to.message_id)).await;
        processed(&pool, &format!("{NEW}:{}", from.message_id)).await;
        processed(&pool, &format!("{OLD}:{}", late.message_id)).await;
        assert_eq!(failed_replies(&pool).await, 0);
        drop(radar);
    }
);

// 4. Updates teloxide cannot fully read: a command with an entity type new
// to it is still a command; an update nobody can read is stored (with its
// JSON, for an allowed user), logged at WARN with its id, and the chat goes on.
both!(unknown_entities_and_unreadable_updates, |b| async move {
    let db = TestDb::new(b).await;
    let fake = FakeTelegram::start().await;
    let radar = start(&db, &fake).await;
    let pool = db.pool();
    fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
    fake.push_raw(serde_json::json!({"message": {
        "message_id": 7001, "date": 1_700_000_000,
        "chat": {"id": USER, "type": "private", "first_name": "U"},
        "from": {"id": USER, "is_bot": false, "first_name": "U", "language_code": "en"},
        "text": "/add Login 2026-12-20",
        "entities": [{"type": "bot_command", "offset": 0, "length": 4},
                     {"type": "date_time", "offset": 11, "length": 10, "unix_time": 1_797_724_800}]
    }}));
    let unreadable = fake.push_raw(serde_json::json!({"message": {
        "message_id": 7002, "date": "yesterday",
        "chat": {"id": USER, "type": "private"},
        "from": {"id": USER, "is_bot": false, "first_name": "U"},
        "text": 42
    }}));
    fake.push_text(USER, USER, "/add Search", Some("en"));
    fake.wait_sent(3, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    let texts: Vec<String> = fake.sent_to(USER).into_iter().map(|s| s.text).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Added #1 Login 2026-12-20")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("Added #2 Search")),
        "{texts:?}"
    );
    assert!(
        !texts.iter().any(|t| t.contains("only understand text")),
        "{texts:?}"
    );
    processed(&pool, &format!("{USER}:7002")).await;
    let mut conn = pool.get().await.unwrap();
    let r = processed_messages::get(&mut conn, &format!("{USER}:7002"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        r.payload
            .as_deref()
            .is_some_and(|p| p.contains("yesterday")),
        "an allowed user's unreadable update is kept as sent: {:?}",
        r.payload
    );
    let log = radar.log();
    assert!(
        log.lines().any(|l| l.contains("WARN")
            && l.contains("cannot be read")
            && l.contains(&unreadable.update_id.to_string())),
        "{log}"
    );
    drop(radar);
});

// 5. A pressed button edits its message to show the result; pressing it
// again once its state moved on changes nothing and says it is outdated.
both!(
    a_pressed_button_edits_its_message_and_then_is_outdated,
    |b| async move {
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        let radar = start(&db, &fake).await;
        let pool = db.pool();
        fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
        fake.push_text(USER, USER, "/add Login", Some("en"));
        let ask = fake.push_text(USER, USER, "/delete 1", Some("en"));
        fake.wait_sent(3, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
        let confirm = fake
            .sent_to(USER)
            .into_iter()
            .find(|s| s.reply_to_message_id == Some(ask.message_id))
            .expect("a confirmation");
        let yes = confirm.reply_markup.as_ref().unwrap()["inline_keyboard"][0][0]["callback_data"]
            .as_str()
            .unwrap()
            .to_string();
        fake.push_callback(USER, USER, &yes, confirm.message_id);
        eventually(
            "the confirmation is edited into the result",
            WAIT,
            || async {
                fake.edits().iter().any(|e| {
                    e.message_id == Some(confirm.message_id)
                        && e.text
                            .as_deref()
                            .is_some_and(|t| t.contains("Deleted #1 Login"))
                })
            },
        )
        .await;
        let edit = fake.edits().into_iter().last().unwrap();
        assert!(edit.text.unwrap().starts_with("📁 Project: <b>Apollo</b>"));
        assert!(edit.reply_markup.is_none(), "the keyboard is removed");
        assert_eq!(counts(&pool).await.features, 0);
        let sent = fake.sent().len();
        fake.push_text(USER, USER, "undo", Some("en"));
        fake.wait_sent(sent + 1, WAIT).await.unwrap();
        assert_eq!(counts(&pool).await.features, 1);
        // The same button, pressed again from a stale client.
        fake.push_callback(USER, USER, &yes, confirm.message_id);
        fake.wait_sent(sent + 2, WAIT).await.unwrap();
        let last = fake.sent().into_iter().last().unwrap();
        assert!(last.text.contains("no longer valid"), "{}", last.text);
        assert_eq!(counts(&pool).await.features, 1, "not deleted again");
        drop(radar);
    }
);

// 6. A storm of 429s and HTML 502s (Telegram's front end): every reply
// arrives, in order per chat, none given up.
both!(
    a_storm_of_429s_and_html_502s_loses_no_reply,
    |b| async move {
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        let radar = start(&db, &fake).await;
        let pool = db.pool();
        fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
        fake.wait_sent(1, WAIT).await.unwrap();
        fake.fail_sends_html(1, 502);
        fake.push_text(USER, USER, "/add After an HTML 502", Some("en"));
        fake.wait_sent(2, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
        fake.storm(30, 20, 7);
        for i in 1..=20 {
            fake.push_text(USER, USER, &format!("/add F{i}"), Some("en"));
        }
        fake.wait_sent(22, Duration::from_secs(120))
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
        let texts: Vec<String> = fake.sent_to(USER).into_iter().map(|s| s.text).collect();
        for i in 1..=20 {
            let pos = texts
                .iter()
                .position(|t| t.contains(&format!(" F{i} ")))
                .unwrap();
            if i > 1 {
                let prev = texts
                    .iter()
                    .position(|t| t.contains(&format!(" F{} ", i - 1)))
                    .unwrap();
                assert!(prev < pos, "order kept");
            }
        }
        assert!(
            fake.send_attempts().len() > 22,
            "the storm did refuse some sends"
        );
        eventually("every reply recorded as sent", WAIT, || async {
            let mut conn = pool.get().await.unwrap();
            outbox::backlog(&mut conn).await.unwrap() == 0
        })
        .await;
        assert_eq!(
            failed_replies(&pool).await,
            0,
            "none given up:\n{}",
            radar.log()
        );
        drop(radar);
    }
);

// 19. An update that cannot be applied (here: the database refuses it) gets
// an apology that looks like every other reply: the context line first, as
// a reply to the message.
both!(the_apology_looks_like_every_reply, |b| async move {
    let db = TestDb::new(b).await;
    let fake = FakeTelegram::start().await;
    let radar = start(&db, &fake).await;
    let pool = db.pool();
    fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
    fake.wait_sent(1, WAIT).await.unwrap();
    {
        let mut conn = pool.get().await.unwrap();
        radar_store::test_support::refuse_inserts(&mut conn, "releases")
            .await
            .unwrap();
    }
    let poison = fake.push_text(USER, USER, "/release 1.0", Some("en"));
    fake.wait_sent(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    let apology = fake.sent_to(USER).into_iter().last().unwrap();
    assert!(
        apology.text.starts_with("📁 Project: <b>Apollo</b>"),
        "{}",
        apology.text
    );
    assert_eq!(apology.reply_to_message_id, Some(poison.message_id));
    processed(&pool, &format!("{USER}:{}", poison.message_id)).await;
    // The chat goes on.
    fake.push_text(USER, USER, "/add Login", Some("en"));
    fake.wait_sent(3, WAIT).await.unwrap();
    drop(radar);
});

// 1 (the safety net). A reply Telegram refuses as too long — were its limit
// ever lower than Radar's budget — is sent split, not given up.
both!(a_reply_refused_as_too_long_is_sent_split, |b| async move {
    let db = TestDb::new(b).await;
    let fake = FakeTelegram::start().await;
    let radar = start(&db, &fake).await;
    fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
    fake.push_text(
        USER,
        USER,
        &format!("/add Login: {}", "word ".repeat(300)),
        Some("en"),
    );
    fake.wait_sent(2, WAIT).await.unwrap();
    fake.limit_message_length(600);
    let shown = fake.push_text(USER, USER, "/feature 1", Some("en"));
    eventually("the card arrives in parts", WAIT, || async {
        let parts: Vec<String> = fake
            .sent_to(USER)
            .into_iter()
            .filter(|s| s.reply_to_message_id == Some(shown.message_id))
            .map(|s| s.text)
            .collect();
        parts.len() >= 3
            && parts
                .iter()
                .map(|p| p.matches("word").count())
                .sum::<usize>()
                == 300
    })
    .await;
    assert!(
        fake.sent_to(USER)
            .iter()
            .filter(|s| s.reply_to_message_id == Some(shown.message_id))
            .all(|s| s.text.starts_with("📁 Project: <b>Apollo</b>") && utf16(&s.text) <= 600)
    );
    assert_eq!(failed_replies(&db.pool()).await, 0);
    drop(radar);
});
