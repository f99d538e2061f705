//! The fake Bot API driven by teloxide's real client, to prove that what it
//! serves deserializes the way the bot will see it from Telegram.

use std::future::IntoFuture;
use std::time::{Duration, Instant};

use radar_testkit::fake::{BOT_USER_ID, BOT_USERNAME, FakeConfig, FakeTelegram};
use serde_json::{Value, json};
use teloxide::payloads::setters::*;
use teloxide::prelude::*;
use teloxide::types::{
    AllowedUpdate, BotCommand, BotCommandScope, CallbackQueryId, InlineKeyboardButton,
    InlineKeyboardMarkup, MessageEntityKind, MessageId, ParseMode, ReplyParameters, UpdateKind,
};
use teloxide::{ApiError, RequestError};

const TOKEN: &str = "123456:TEST";
const WAIT: Duration = Duration::from_secs(5);

fn bot(fake: &FakeTelegram) -> Bot {
    Bot::new(TOKEN).set_api_url(fake.url())
}

/// A raw request through the bot's own HTTP client.
async fn raw(bot: &Bot, fake: &FakeTelegram, method: &str, body: Value) -> (u16, Value) {
    let response = bot
        .client()
        .post(format!("{}bot{TOKEN}/{method}", fake.url()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("raw request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("raw body");
    (status, serde_json::from_str(&text).expect("JSON body"))
}

fn keyboard(data: &str) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Go", data)]])
}

#[tokio::test(flavor = "multi_thread")]
async fn get_me_deserializes_as_teloxide_me() {
    let fake = FakeTelegram::start().await;
    let me = bot(&fake).get_me().await.expect("getMe");
    assert_eq!(me.id, UserId(BOT_USER_ID as u64));
    assert!(me.is_bot);
    assert_eq!(me.first_name, "Radar");
    assert_eq!(me.username(), BOT_USERNAME);
    assert!(me.can_join_groups);
    assert_eq!(fake.requests("getMe"), 1);
    assert_eq!(fake.requests("GETME"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn pushed_updates_deserialize_into_the_right_kinds() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);

    let text = fake.push_text(42, 42, "/start hello", Some("ru"));
    let callback = fake.push_callback(42, 42, "p:7", 99);
    let edited = fake.push_edited(42, 42, text.message_id, "/start edited");
    let photo = fake.push_non_text(42, 42);
    let post = fake.push_channel_post(-1001234567890, "news");
    let raw = fake.push_raw(json!({"update_id": 999, "message": {
        "message_id": 50, "date": 1_700_000_000, "chat": {"id": 7, "type": "private", "first_name": "R"},
        "from": {"id": 7, "is_bot": false, "first_name": "R"}, "text": "raw"}}));

    assert_eq!(
        [
            text.update_id,
            callback.update_id,
            edited.update_id,
            photo.update_id,
            post.update_id,
            raw.update_id
        ],
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(text.message_id, 1);
    assert_eq!(
        photo.message_id, 2,
        "message ids are per chat and keep counting"
    );
    assert_eq!(raw.message_id, 50);
    assert!(text.queued && callback.queued && raw.queued);

    let updates = bot.get_updates().await.expect("getUpdates");
    assert_eq!(updates.len(), 6);
    let ids: Vec<u32> = updates.iter().map(|u| u.id.0).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);

    match &updates[0].kind {
        UpdateKind::Message(m) => {
            assert_eq!(m.text(), Some("/start hello"));
            assert_eq!(m.id, MessageId(1));
            assert_eq!(m.chat.id, ChatId(42));
            assert!(m.chat.is_private());
            let from = m.from.as_ref().expect("from");
            assert_eq!(from.id, UserId(42));
            assert_eq!(from.language_code.as_deref(), Some("ru"));
            let entities = m.entities().expect("entities");
            assert_eq!(entities[0].kind, MessageEntityKind::BotCommand);
            assert_eq!((entities[0].offset, entities[0].length), (0, 6));
        }
        other => panic!("expected a message, got {other:?}"),
    }
    match &updates[1].kind {
        UpdateKind::CallbackQuery(q) => {
            assert_eq!(q.data.as_deref(), Some("p:7"));
            assert_eq!(q.from.id, UserId(42));
            let message = q.regular_message().expect("regular message");
            assert_eq!(message.id, MessageId(99));
            assert_eq!(message.chat.id, ChatId(42));
            assert_eq!(
                message.from.as_ref().map(|u| u.id),
                Some(UserId(BOT_USER_ID as u64))
            );
            assert!(!q.id.0.is_empty());
            assert!(!q.chat_instance.is_empty());
        }
        other => panic!("expected a callback query, got {other:?}"),
    }
    match &updates[2].kind {
        UpdateKind::EditedMessage(m) => {
            assert_eq!(m.id, MessageId(1));
            assert_eq!(m.text(), Some("/start edited"));
            assert!(m.edit_date().is_some());
        }
        other => panic!("expected an edited message, got {other:?}"),
    }
    match &updates[3].kind {
        UpdateKind::Message(m) => {
            assert!(m.text().is_none());
            assert_eq!(m.photo().map(<[_]>::len), Some(2));
        }
        other => panic!("expected a photo message, got {other:?}"),
    }
    match &updates[4].kind {
        UpdateKind::ChannelPost(m) => {
            assert!(m.chat.is_channel());
            assert_eq!(m.text(), Some("news"));
        }
        other => panic!("expected a channel post, got {other:?}"),
    }
    match &updates[5].kind {
        UpdateKind::Message(m) => assert_eq!(m.text(), Some("raw")),
        other => panic!("expected a message, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn offsets_confirm_and_redeliver_all_brings_updates_back() {
    let fake = FakeTelegram::start_with(FakeConfig {
        first_update_id: 100,
    })
    .await;
    let bot = bot(&fake);
    for text in ["a", "b", "c"] {
        fake.push_text(1, 1, text, None);
    }

    let first = bot.get_updates().await.unwrap();
    assert_eq!(
        first.iter().map(|u| u.id.0).collect::<Vec<_>>(),
        [100, 101, 102]
    );
    assert_eq!(fake.pending_count(), 3, "no offset: nothing confirmed");

    let second = bot.get_updates().offset(101).await.unwrap();
    assert_eq!(
        second.iter().map(|u| u.id.0).collect::<Vec<_>>(),
        [101, 102]
    );
    assert_eq!(fake.pending_count(), 2);

    let limited = bot.get_updates().offset(101).limit(1).await.unwrap();
    assert_eq!(limited.iter().map(|u| u.id.0).collect::<Vec<_>>(), [101]);

    let third = bot.get_updates().offset(103).await.unwrap();
    assert!(third.is_empty());
    assert_eq!(fake.pending_count(), 0);

    assert_eq!(fake.offsets(), [0, 101, 101, 103]);
    let calls = fake.get_updates_calls();
    assert_eq!(calls[0].max_delivered_before, None);
    assert_eq!(calls[1].max_delivered_before, Some(102));
    assert_eq!(calls[1].confirmed, [100]);
    assert_eq!(calls[3].confirmed, [101, 102]);
    assert!(fake.overreaching_offsets().is_empty());

    fake.redeliver_all();
    assert_eq!(fake.pending_count(), 3);
    let again = bot.get_updates().await.unwrap();
    assert_eq!(
        again.iter().map(|u| u.id.0).collect::<Vec<_>>(),
        [100, 101, 102]
    );
    let texts: Vec<_> = again
        .iter()
        .map(|u| match &u.kind {
            UpdateKind::Message(m) => m.text().unwrap().to_owned(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(texts, ["a", "b", "c"]);

    assert!(bot.get_updates().offset(103).await.unwrap().is_empty());
    assert!(fake.overreaching_offsets().is_empty());

    // An offset past everything delivered confirms updates the bot never saw.
    fake.push_text(1, 1, "unseen", None);
    bot.get_updates().offset(104).await.unwrap();
    let over = fake.overreaching_offsets();
    assert_eq!(over.len(), 1);
    assert_eq!(over[0].confirmed, [103]);
}

#[tokio::test(flavor = "multi_thread")]
async fn negative_offset_keeps_only_the_last_updates() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    for text in ["a", "b", "c"] {
        fake.push_text(1, 1, text, None);
    }
    // teloxide's drop_pending_updates: offset -1, limit 1, timeout 0.
    let last = bot
        .get_updates()
        .offset(-1)
        .limit(1)
        .timeout(0)
        .await
        .unwrap();
    assert_eq!(last.iter().map(|u| u.id.0).collect::<Vec<_>>(), [3]);
    assert_eq!(fake.pending_count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn long_poll_returns_promptly_when_an_update_is_pushed() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);

    let started = Instant::now();
    let empty = bot.get_updates().timeout(1).await.unwrap();
    assert!(empty.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "long poll waited its timeout"
    );

    let poller = {
        let bot = bot.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let updates = bot.get_updates().offset(1).timeout(10).await;
            (updates, started.elapsed())
        })
    };
    fake.wait_get_updates_calls(2, WAIT).await.unwrap();
    fake.push_text(5, 5, "wake up", None);
    let (updates, elapsed) = poller.await.unwrap();
    let updates = updates.unwrap();
    assert_eq!(updates.len(), 1);
    assert!(
        elapsed < Duration::from_secs(2),
        "long poll took {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newer_get_updates_terminates_the_waiting_one() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    let first = {
        let bot = bot.clone();
        tokio::spawn(async move { bot.get_updates().timeout(10).await })
    };
    fake.wait_get_updates_calls(1, WAIT).await.unwrap();
    let second = bot.get_updates().timeout(0).await.unwrap();
    assert!(second.is_empty());
    let first = tokio::time::timeout(WAIT, first)
        .await
        .expect("terminated promptly")
        .unwrap();
    assert!(
        matches!(
            first,
            Err(RequestError::Api(ApiError::TerminatedByOtherGetUpdates))
        ),
        "{first:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_is_recorded_and_blocks_get_updates() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    let url: url::Url = "https://radar.example/hook".parse().unwrap();
    bot.set_webhook(url)
        .secret_token("s3cret")
        .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
        .await
        .expect("setWebhook (multipart)");
    let webhook = fake.webhook().expect("webhook set");
    assert_eq!(webhook.url, "https://radar.example/hook");
    assert_eq!(webhook.secret_token.as_deref(), Some("s3cret"));
    assert_eq!(
        webhook.allowed_updates,
        Some(json!(["message", "callback_query"]))
    );

    let info = bot.get_webhook_info().await.unwrap();
    assert_eq!(
        info.url.map(|u| u.to_string()).as_deref(),
        Some("https://radar.example/hook")
    );

    let conflict = bot.get_updates().await;
    match conflict {
        Err(RequestError::Api(ApiError::Unknown(text))) => assert!(text.starts_with("Conflict")),
        other => panic!("expected a 409 conflict, got {other:?}"),
    }

    bot.delete_webhook().await.unwrap();
    assert!(fake.webhook().is_none());
    assert!(bot.get_webhook_info().await.unwrap().url.is_none());
    assert!(bot.get_updates().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn allowed_updates_persist_and_filter_new_updates() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    bot.get_updates()
        .allowed_updates([AllowedUpdate::Message])
        .await
        .unwrap();
    let callback = fake.push_callback(1, 1, "x", 1);
    let text = fake.push_text(1, 1, "hi", None);
    assert!(!callback.queued);
    assert!(text.queued);
    assert_eq!(fake.dropped_updates().len(), 1);
    // A later call without allowed_updates keeps the setting.
    let updates = bot.get_updates().await.unwrap();
    assert_eq!(
        updates.iter().map(|u| u.id.0).collect::<Vec<_>>(),
        [text.update_id as u32]
    );
    assert_eq!(fake.allowed_updates(), Some(vec!["message".to_owned()]));
}

#[tokio::test(flavor = "multi_thread")]
async fn send_message_is_recorded_with_markup_and_reply() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    let incoming = fake.push_text(42, 42, "hello", None);

    let message = bot
        .send_message(ChatId(42), "<b>Done</b> &amp; dusted")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard("p:1"))
        .reply_parameters(ReplyParameters::new(MessageId(incoming.message_id as i32)))
        .await
        .expect("sendMessage");
    assert_eq!(
        message.id,
        MessageId(2),
        "shares the chat's message counter"
    );
    assert_eq!(
        message.text(),
        Some("Done & dusted"),
        "Telegram returns the parsed text"
    );
    assert_eq!(
        message.from.as_ref().map(|u| u.id),
        Some(UserId(BOT_USER_ID as u64))
    );
    assert_eq!(message.reply_to_message().map(|m| m.id), Some(MessageId(1)));
    assert!(message.reply_markup().is_some());

    let sent = fake.wait_sent(1, WAIT).await.unwrap();
    assert_eq!(sent.len(), 1);
    let s = &sent[0];
    assert_eq!(s.chat_id, 42);
    assert_eq!(s.text, "<b>Done</b> &amp; dusted");
    assert_eq!(s.parse_mode.as_deref(), Some("HTML"));
    assert_eq!(s.reply_to_message_id, Some(1));
    assert_eq!(s.message_id, 2);
    assert_eq!(
        s.reply_markup,
        Some(json!({"inline_keyboard": [[{"text": "Go", "callback_data": "p:1"}]]}))
    );
    assert_eq!(fake.sent_to(42).len(), 1);
    assert!(fake.sent_to(43).is_empty());

    // Legacy reply_to_message_id is understood too.
    let (status, body) = raw(
        &bot,
        &fake,
        "sendMessage",
        json!({"chat_id": 42, "text": "x", "reply_to_message_id": 1}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(fake.sent()[1].reply_to_message_id, Some(1));

    let missing = bot
        .send_message(ChatId(42), "reply")
        .reply_parameters(ReplyParameters::new(MessageId(777)))
        .await;
    assert!(
        matches!(
            missing,
            Err(RequestError::Api(ApiError::MessageToReplyNotFound))
        ),
        "{missing:?}"
    );

    // wait_sent can fail.
    let err = fake
        .wait_sent(10, Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(err.contains("got 2"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn message_text_is_validated_like_telegram() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);

    let empty = bot.send_message(ChatId(1), "").await;
    assert!(
        matches!(empty, Err(RequestError::Api(ApiError::MessageTextIsEmpty))),
        "{empty:?}"
    );
    let blank = bot.send_message(ChatId(1), " \n ").await;
    assert!(
        matches!(blank, Err(RequestError::Api(ApiError::MessageTextIsEmpty))),
        "{blank:?}"
    );

    let too_long = bot.send_message(ChatId(1), "a".repeat(4097)).await;
    assert!(
        matches!(too_long, Err(RequestError::Api(ApiError::MessageIsTooLong))),
        "{too_long:?}"
    );
    bot.send_message(ChatId(1), "a".repeat(4096))
        .await
        .expect("4096 chars fit");
    bot.send_message(ChatId(1), "я".repeat(4096))
        .await
        .expect("characters, not bytes");

    // With HTML the limit applies after entity parsing.
    bot.send_message(ChatId(1), "&lt;".repeat(4096))
        .parse_mode(ParseMode::Html)
        .await
        .expect("4096 decoded characters fit");
    bot.send_message(ChatId(1), format!("<b>{}</b>", "a".repeat(4096)))
        .parse_mode(ParseMode::Html)
        .await
        .expect("tags do not count");
    let html_too_long = bot
        .send_message(ChatId(1), format!("<i>{}</i>&#33;", "a".repeat(4096)))
        .parse_mode(ParseMode::Html)
        .await;
    assert!(
        matches!(
            html_too_long,
            Err(RequestError::Api(ApiError::MessageIsTooLong))
        ),
        "{html_too_long:?}"
    );

    let bad_html = bot
        .send_message(ChatId(1), "1 < 2")
        .parse_mode(ParseMode::Html)
        .await;
    match bad_html {
        Err(RequestError::Api(ApiError::CantParseEntities(text))) => {
            assert!(text.contains("Unsupported start tag"), "{text}")
        }
        other => panic!("expected can't parse entities, got {other:?}"),
    }
    let unclosed = bot
        .send_message(ChatId(1), "<b>bold")
        .parse_mode(ParseMode::Html)
        .await;
    assert!(
        matches!(
            unclosed,
            Err(RequestError::Api(ApiError::CantParseEntities(_)))
        ),
        "{unclosed:?}"
    );

    assert_eq!(
        fake.sent().len(),
        4,
        "only the accepted messages are recorded"
    );
    assert_eq!(fake.send_attempts().len(), 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn callback_data_longer_than_64_bytes_is_rejected() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    let too_long = bot
        .send_message(ChatId(1), "pick")
        .reply_markup(keyboard(&"x".repeat(65)))
        .await;
    assert!(
        matches!(
            too_long,
            Err(RequestError::Api(ApiError::ButtonDataInvalid))
        ),
        "{too_long:?}"
    );
    // Bytes, not characters: 33 two-byte characters are 66 bytes.
    let multibyte = bot
        .send_message(ChatId(1), "pick")
        .reply_markup(keyboard(&"ж".repeat(33)))
        .await;
    assert!(
        matches!(
            multibyte,
            Err(RequestError::Api(ApiError::ButtonDataInvalid))
        ),
        "{multibyte:?}"
    );
    bot.send_message(ChatId(1), "pick")
        .reply_markup(keyboard(&"x".repeat(64)))
        .await
        .expect("64 bytes fit");
    assert_eq!(fake.sent().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_is_retry_after_and_early_retries_are_caught() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);

    fake.rate_limit_sends(1, 2);
    let limited = bot.send_message(ChatId(7), "one").await;
    match limited {
        Err(RequestError::RetryAfter(secs)) => assert_eq!(secs.seconds(), 2),
        other => panic!("expected RetryAfter, got {other:?}"),
    }
    assert!(fake.sent().is_empty());
    assert!(fake.early_retries().is_empty());

    // Another chat is not affected; retrying chat 7 at once is caught.
    bot.send_message(ChatId(8), "other chat").await.unwrap();
    assert!(fake.early_retries().is_empty());
    bot.send_message(ChatId(7), "one").await.unwrap();
    let early = fake.early_retries();
    assert_eq!(early.len(), 1);
    assert_eq!(early[0].chat_id, 7);
    assert_eq!(early[0].retry_after, Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_that_waits_retry_after_is_not_early() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    fake.rate_limit_sends(1, 1);
    let Err(RequestError::RetryAfter(secs)) = bot.send_message(ChatId(7), "one").await else {
        panic!("expected RetryAfter");
    };
    tokio::time::sleep(secs.duration()).await;
    bot.send_message(ChatId(7), "one").await.unwrap();
    assert!(fake.early_retries().is_empty());
    assert_eq!(fake.sent().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_and_blocked_chats_surface_as_errors() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);

    fake.block_chat(13);
    let blocked = bot.send_message(ChatId(13), "hi").await;
    assert!(
        matches!(blocked, Err(RequestError::Api(ApiError::BotBlocked))),
        "{blocked:?}"
    );
    let still = bot.send_message(ChatId(13), "hi").await;
    assert!(
        matches!(still, Err(RequestError::Api(ApiError::BotBlocked))),
        "{still:?}"
    );

    // teloxide sleeps 10 s before reading any 5xx response: run both at once.
    fake.fail_sends(1, 502);
    fake.fail_get_updates(1, 500);
    fake.push_text(1, 1, "queued", None);
    let (send, updates) = tokio::join!(
        bot.send_message(ChatId(14), "hi").into_future(),
        bot.get_updates().offset(5).into_future()
    );
    match send {
        Err(RequestError::Api(ApiError::Unknown(text))) => assert_eq!(text, "Bad Gateway"),
        other => panic!("expected a 502 error, got {other:?}"),
    }
    match updates {
        Err(RequestError::Api(ApiError::Unknown(text))) => {
            assert_eq!(text, "Internal Server Error")
        }
        other => panic!("expected a 500 error, got {other:?}"),
    }
    assert_eq!(
        fake.pending_count(),
        1,
        "a failed getUpdates does not apply its offset"
    );
    assert_eq!(fake.get_updates_calls()[0].error_status, Some(500));

    assert!(fake.sent().is_empty());
    let statuses: Vec<u16> = fake.send_attempts().iter().map(|a| a.status).collect();
    assert_eq!(statuses, [403, 403, 502]);

    // Faults are used up; the next send goes through.
    bot.send_message(ChatId(14), "hi").await.unwrap();
    assert_eq!(fake.sent().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn hanging_sends_are_delivered_but_time_out() {
    let fake = FakeTelegram::start().await;
    let client = teloxide::net::default_reqwest_settings()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let bot = Bot::with_client(TOKEN, client).set_api_url(fake.url());
    fake.hang_sends(1, Duration::from_secs(3));
    let result = bot.send_message(ChatId(3), "maybe").await;
    assert!(
        matches!(result, Err(RequestError::Network(_))),
        "{result:?}"
    );
    let sent = fake.sent();
    assert_eq!(
        sent.len(),
        1,
        "the message was delivered although the client timed out"
    );
    assert_eq!(sent[0].text, "maybe");
    bot.send_message(ChatId(3), "next")
        .await
        .expect("only one send hangs");
}

#[tokio::test(flavor = "multi_thread")]
async fn callback_answers_are_recorded_once() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    let message = bot
        .send_message(ChatId(9), "pick")
        .reply_markup(keyboard("p:1"))
        .await
        .unwrap();
    fake.push_callback(9, 9, "p:1", message.id.0.into());
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::CallbackQuery(query) = &updates[0].kind else {
        panic!("expected a callback query");
    };
    assert_eq!(query.regular_message().and_then(|m| m.text()), Some("pick"));
    assert!(
        query
            .regular_message()
            .and_then(|m| m.reply_markup())
            .is_some()
    );

    bot.answer_callback_query(query.id.clone())
        .text("Saved")
        .await
        .expect("answer");
    let answers = fake.callback_answers();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].callback_query_id, query.id.0);
    assert_eq!(answers[0].text.as_deref(), Some("Saved"));

    let twice = bot.answer_callback_query(query.id.clone()).await;
    assert!(
        matches!(twice, Err(RequestError::Api(ApiError::InvalidQueryId))),
        "{twice:?}"
    );
    let unknown = bot
        .answer_callback_query(CallbackQueryId("nope".to_owned()))
        .await;
    assert!(
        matches!(unknown, Err(RequestError::Api(ApiError::InvalidQueryId))),
        "{unknown:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_are_recorded_and_checked() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    let message = bot
        .send_message(ChatId(9), "v1")
        .reply_markup(keyboard("a"))
        .await
        .unwrap();

    let edited = bot
        .edit_message_text(ChatId(9), message.id, "v2")
        .await
        .expect("edit");
    assert_eq!(edited.text(), Some("v2"));
    assert!(edited.edit_date().is_some());
    assert!(
        edited.reply_markup().is_none(),
        "editing text without markup drops the keyboard"
    );

    let same = bot.edit_message_text(ChatId(9), message.id, "v2").await;
    assert!(
        matches!(same, Err(RequestError::Api(ApiError::MessageNotModified))),
        "{same:?}"
    );
    let missing = bot.edit_message_text(ChatId(9), MessageId(500), "v2").await;
    assert!(
        matches!(
            missing,
            Err(RequestError::Api(ApiError::MessageToEditNotFound))
        ),
        "{missing:?}"
    );

    let marked = bot
        .edit_message_reply_markup(ChatId(9), message.id)
        .reply_markup(keyboard("b"))
        .await
        .expect("edit markup");
    assert!(marked.reply_markup().is_some());

    let edits = fake.edits();
    assert_eq!(edits.len(), 2);
    assert_eq!(edits[0].method, "editMessageText");
    assert_eq!(edits[0].text.as_deref(), Some("v2"));
    assert_eq!(edits[1].method, "editMessageReplyMarkup");
    assert_eq!(edits[1].message_id, Some(message.id.0.into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_are_recorded_per_scope_and_language() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    bot.set_my_commands([
        BotCommand::new("start", "Start"),
        BotCommand::new("help", "Help"),
    ])
    .await
    .unwrap();
    bot.set_my_commands([BotCommand::new("start", "Начать")])
        .language_code("ru")
        .scope(BotCommandScope::AllPrivateChats)
        .await
        .unwrap();

    let default = bot.get_my_commands().await.unwrap();
    assert_eq!(
        default
            .iter()
            .map(|c| c.command.as_str())
            .collect::<Vec<_>>(),
        ["start", "help"]
    );
    let ru = bot
        .get_my_commands()
        .language_code("ru")
        .scope(BotCommandScope::AllPrivateChats)
        .await
        .unwrap();
    assert_eq!(ru, [BotCommand::new("start", "Начать")]);
    assert!(
        bot.get_my_commands()
            .language_code("ru")
            .await
            .unwrap()
            .is_empty()
    );

    let sets = fake.commands();
    assert_eq!(sets.len(), 2);
    let ru_set = sets
        .iter()
        .find(|s| s.language_code.as_deref() == Some("ru"))
        .unwrap();
    assert_eq!(ru_set.scope, json!({"type": "all_private_chats"}));
    assert_eq!(ru_set.commands, [("start".to_owned(), "Начать".to_owned())]);

    let invalid = bot.set_my_commands([BotCommand::new("Start", "x")]).await;
    assert!(invalid.is_err(), "upper-case commands are invalid");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_methods_are_404_and_recorded() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    let (status, body) = raw(&bot, &fake, "fooBar", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 404, "description": "Not Found: method not found"})
    );
    assert_eq!(fake.unknown_methods(), ["fooBar"]);

    // Method names are case-insensitive.
    let (status, body) = raw(
        &bot,
        &fake,
        "SENDMESSAGE",
        json!({"chat_id": 1, "text": "hi"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["text"], "hi");
    assert_eq!(fake.requests("sendMessage"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_ends_long_polls_and_closes_the_port() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    let poller = {
        let bot = bot.clone();
        tokio::spawn(async move { bot.get_updates().timeout(15).await })
    };
    fake.wait_get_updates_calls(1, WAIT).await.unwrap();
    let started = Instant::now();
    fake.shutdown().await;
    let polled = tokio::time::timeout(WAIT, poller)
        .await
        .expect("long poll ended")
        .unwrap();
    assert!(polled.unwrap().is_empty());
    assert!(started.elapsed() < Duration::from_secs(2));
    let after = bot.get_me().await;
    assert!(matches!(after, Err(RequestError::Network(_))), "{after:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_last_handle_stops_the_server() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);
    bot.get_me().await.unwrap();
    let clone = fake.clone();
    drop(fake);
    bot.get_me().await.expect("a clone keeps it running");
    drop(clone);
    let deadline = Instant::now() + WAIT;
    loop {
        if bot.get_me().await.is_err() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server still answering after drop"
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fast_enough_for_benchmarks() {
    let fake = FakeTelegram::start().await;
    let bot = bot(&fake);

    // Sequential round trips: Nagle + delayed ACK would cost ~40 ms each.
    let started = Instant::now();
    for i in 0..50 {
        bot.send_message(ChatId(1), format!("seq {i}"))
            .await
            .unwrap();
    }
    let sequential = started.elapsed();
    assert!(
        sequential < Duration::from_millis(1500),
        "50 sequential sends took {sequential:?}"
    );

    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let bot = bot.clone();
            tokio::spawn(async move {
                for i in 0..250 {
                    bot.send_message(ChatId(100 + t), format!("par {i}"))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let parallel = started.elapsed();
    fake.wait_sent(2050, WAIT).await.unwrap();
    let rate = 2000.0 / parallel.as_secs_f64();
    eprintln!("fake Telegram: 50 sequential sends in {sequential:?}, 2000 parallel at {rate:.0}/s");
    assert!(rate > 200.0, "only {rate:.0} sends/s");
}
