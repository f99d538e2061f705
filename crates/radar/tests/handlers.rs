//! The handler tree under teloxide_tests: updates go through `schema()`, the
//! engine (a real SQLite file) and the outbox, and replies come back through
//! the mocked Bot API.

use std::collections::HashSet;
use std::sync::Arc;

use radar::metrics::Metrics;
use radar::telegram::{App, outbox, schema};
use radar_engine::{Engine, EngineConfig};
use radar_store::{Backend, UserId};
use radar_testkit::{TestDb, counts};
use teloxide::dispatching::dialogue::GetChatId;
use teloxide::dptree;
use teloxide::prelude::*;
use teloxide_tests::{MockBot, MockCallbackQuery, MockMessagePhoto, MockMessageText, MockUser};

fn app(db: &TestDb, allowed: &[i64]) -> Arc<App> {
    let pool = db.pool();
    let engine = Engine::new(pool.clone(), EngineConfig::default());
    let metrics = Arc::new(Metrics::new());
    Arc::new(App {
        sender: outbox::Sender::new(pool.clone(), metrics.clone(), None),
        engine,
        db: pool,
        allowed: allowed
            .iter()
            .map(|&u| UserId(u))
            .collect::<HashSet<UserId>>(),
        me: radar::telegram::receive::Me::default(),
        metrics,
        cancel: tokio_util::sync::CancellationToken::new(),
    })
}

const ME: i64 = MockUser::ID as i64;

/// teloxide_tests runs each dispatch in a runtime of its own, and pooled
/// SQLite connections belong to the runtime that opened them: each dispatch
/// gets a fresh `App` on the same database file.
async fn dispatch<K>(bot: &mut MockBot<radar::telegram::handlers::HandlerError, K>, db: &TestDb)
where
    K: std::hash::Hash + Eq + Clone + Send + 'static,
{
    bot.dependencies(dptree::deps![app(db, &[ME])]);
    bot.dispatch().await;
}

/// The mocked server keeps HTML as sent; this is what the user would read.
fn plain(html: &str) -> String {
    radar_engine::render::html_to_plain(html)
}

/// Building the dispatcher type-checks the handler tree's dependencies.
#[tokio::test(flavor = "multi_thread")]
async fn the_dispatcher_builds_with_its_dependencies() {
    let db = TestDb::new(Backend::Sqlite).await;
    let _dispatcher = Dispatcher::builder(Bot::new("1:x"), schema())
        .dependencies(dptree::deps![app(&db, &[ME])])
        .build();
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_buttons_and_outsiders_through_the_handler_tree() {
    let db = TestDb::new(Backend::Sqlite).await;
    let pool = db.pool();
    let mut bot = MockBot::new(MockMessageText::new().text("/newproject Apollo"), schema());
    dispatch(&mut bot, &db).await;
    let r = bot.get_responses();
    let sent = r.sent_messages_text.last().expect("a reply");
    let text = plain(sent.message.text().unwrap());
    assert!(
        text.starts_with("📁 Project: Apollo\n") && text.contains("Created project Apollo"),
        "{text}"
    );
    assert_eq!(
        sent.bot_request.parse_mode,
        Some(teloxide::types::ParseMode::Html)
    );
    assert!(
        sent.bot_request.reply_parameters.is_some(),
        "sent as a reply to the command"
    );

    // Each message has its own id (the same id twice is a redelivery).
    bot.update(MockMessageText::new().text("/add Login").id(2));
    dispatch(&mut bot, &db).await;
    let r = bot.get_responses();
    let sent = r.sent_messages_text.last().unwrap();
    assert!(sent.message.text().unwrap().contains("Added #1 Login"));
    let markup = sent
        .bot_request
        .reply_markup
        .clone()
        .expect("a status picker");
    let json = serde_json::to_string(&markup).unwrap();
    let data = regex::Regex::new(r#""callback_data":"(st:\d+:w:\d+)""#)
        .unwrap()
        .captures(&json)
        .unwrap()[1]
        .to_string();
    assert!(data.len() <= 64);

    // Press "in progress".
    bot.update(MockCallbackQuery::new().data(&data));
    dispatch(&mut bot, &db).await;
    let r = bot.get_responses();
    assert_eq!(
        r.answered_callback_queries.len(),
        1,
        "every press is answered"
    );
    // The press edits the message that carried the button.
    let edited = r
        .edited_messages_text
        .last()
        .expect("the message is edited");
    let text = plain(edited.message.text().unwrap());
    assert!(text.contains("#1 Login: backlog → in progress"), "{text}");
    assert!(text.starts_with("📁 Project: Apollo\n"), "{text}");

    // A photo gets a hint; an outsider gets one line with their id.
    bot.update(MockMessagePhoto::new().id(3));
    dispatch(&mut bot, &db).await;
    assert!(
        bot.get_responses()
            .sent_messages_text
            .last()
            .unwrap()
            .message
            .text()
            .unwrap()
            .contains("only understand text")
    );
    let before = counts(&pool).await;
    let outsider = MockUser::new().id(777).build();
    bot.update(
        MockMessageText::new()
            .text("/newproject Evil")
            .from(outsider)
            .id(4),
    );
    dispatch(&mut bot, &db).await;
    let r = bot.get_responses();
    let last = r.sent_messages_text.last().unwrap();
    assert!(
        last.message.text().unwrap().contains("777"),
        "{:?}",
        last.message.text()
    );
    let after = counts(&pool).await;
    assert_eq!(
        (after.projects, after.events),
        (before.projects, before.events)
    );
    assert!(last.message.chat_id().is_some());

    // The same message delivered again: no change, no second reply.
    bot.update(MockMessageText::new().text("/add Login").id(2));
    dispatch(&mut bot, &db).await;
    assert!(
        bot.get_responses().sent_messages.is_empty(),
        "a redelivery gets no reply"
    );
    assert_eq!(counts(&pool).await.features, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn russian_user_gets_russian_replies() {
    let db = TestDb::new(Backend::Sqlite).await;
    let ru = MockUser::new().language_code("ru").build();
    let mut bot = MockBot::new(
        MockMessageText::new()
            .text("создай проект Аполлон")
            .from(ru),
        schema(),
    );
    dispatch(&mut bot, &db).await;
    let text = plain(
        bot.get_responses()
            .sent_messages_text
            .last()
            .unwrap()
            .message
            .text()
            .unwrap(),
    );
    assert!(text.starts_with("📁 Контекст: Проект Аполлон\n"), "{text}");
}
