//! Charts and exports through the real `radar serve` binary and the fake
//! Bot API: a photo (`sendPhoto`) and two documents (`sendDocument`),
//! uploaded as multipart, each caption starting with the context line and
//! within 1024 UTF-16 units; in English and Russian, on both backends.

use std::time::Duration;

use radar_testkit::serve::{Options, Radar, eventually};
use radar_testkit::{FakeTelegram, TestDb, both};

const RADAR: &str = env!("CARGO_BIN_EXE_radar");
const USER: i64 = 1001;
const WAIT: Duration = Duration::from_secs(30);

fn utf16(s: &str) -> usize {
    radar_testkit::fake::html_to_plain(s)
        .map(|p| p.encode_utf16().count())
        .unwrap_or(usize::MAX)
}

both!(chart_and_export_are_sent_as_files, |b| async move {
    let db = TestDb::new(b).await;
    let fake = FakeTelegram::start().await;
    let radar = Radar::start(
        RADAR,
        &db.url,
        &fake,
        &Options {
            allowed: "1001",
            ..Options::default()
        },
    );
    for text in [
        "/newproject Аполлон",
        "/add Вход",
        "/add Оплата",
        "/release 1.2",
        "/plan 1 1.2",
        "/plan 2 1.2",
        "/status 1 done",
    ] {
        fake.push_text(USER, USER, text, Some("ru"));
    }
    fake.wait_sent(7, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    let chart = fake.push_text(USER, USER, "покажи график релиза 1.2", Some("ru"));
    eventually("the chart arrived", WAIT, || async {
        !fake.files().is_empty()
    })
    .await;
    let photo = fake.files()[0].clone();
    assert_eq!(photo.method, "sendPhoto");
    assert_eq!(photo.file_name, "burnup-1.2.png");
    assert!(photo.bytes.starts_with(b"\x89PNG"));
    assert_eq!(photo.reply_to_message_id, Some(chat_message_id(&chart)));
    assert_eq!(photo.parse_mode.as_deref(), Some("HTML"));
    assert!(
        photo
            .caption
            .starts_with("📁 Контекст: Проект <b>Аполлон</b>\n"),
        "{}",
        photo.caption
    );
    assert!(photo.caption.contains("готово 1 из 2"), "{}", photo.caption);
    assert!(utf16(&photo.caption) <= 1024);

    fake.push_text(USER, USER, "/export", Some("en"));
    eventually("the export arrived", WAIT, || async {
        fake.files().len() == 3
    })
    .await;
    let files = fake.files();
    let docs = &files[1..];
    assert!(docs.iter().all(|d| d.method == "sendDocument"));
    assert_eq!(docs[0].file_name, "Аполлон-features.csv");
    assert_eq!(docs[1].file_name, "Аполлон-events.csv");
    let features = String::from_utf8(docs[0].bytes.clone()).unwrap();
    assert!(features.starts_with('\u{FEFF}'));
    assert!(features.contains("\n1,Вход,done,,1.2,"), "{features}");
    assert!(features.contains("\n2,Оплата,backlog,,1.2,"), "{features}");
    assert!(docs[0].caption.starts_with("📁 Project: <b>Аполлон</b>\n"));
    assert!(docs[0].caption.contains("Features of Аполлон: 2 rows"));
    drop(radar);
});

fn chat_message_id(p: &radar_testkit::fake::Pushed) -> i64 {
    p.message_id
}
