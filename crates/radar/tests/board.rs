//! The board's API through the real `radar serve` binary, on both backends:
//! Telegram's initData signature (forged, stale, missing, altered, outsider),
//! the board's contents, changes applied once per idempotency key through
//! the engine (events, "what changed", undo), a stale card refused, and the
//! chat untouched by board changes. `board_browser.rs` drives the page.

use std::time::Duration;

use radar::board::auth::SecretKey;
use radar_engine::{Engine, EngineConfig, Handled, Incoming, Lang};
use radar_store::{Db, FeatureNumber, FeatureStatus, ProjectId, UserId, event_log, features};
use radar_testkit::serve::{Options, Radar, TOKEN, eventually};
use radar_testkit::{FakeTelegram, TestDb, both};
use serde_json::{Value, json};

const RADAR: &str = env!("CARGO_BIN_EXE_radar");
const USER: i64 = 1001;
const OUTSIDER: i64 = 666;
const WAIT: Duration = Duration::from_secs(30);
const PUBLIC: &str = "https://radar.example.com";

/// initData as Telegram would sign it for `user`, `age` seconds old.
fn init_data(token: &str, user: i64, lang: &str, age: i64) -> String {
    let auth_date = (chrono::Utc::now().timestamp() - age).to_string();
    let user_json = format!(r#"{{"id":{user},"first_name":"Ann","language_code":"{lang}"}}"#);
    let fields = [
        ("auth_date", auth_date.as_str()),
        ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"),
        ("user", user_json.as_str()),
    ];
    SecretKey::from_token(token).init_data(&fields)
}

/// Seeds a project through the engine, as the console would.
async fn seed(pool: &Db, lines: &[&str]) {
    let engine = Engine::new(pool.clone(), EngineConfig::default());
    for (i, line) in lines.iter().enumerate() {
        let mut msg = Incoming::console("seed", i as u64, UserId(USER), Lang::En, line);
        msg.authorized = true;
        let Handled::Replied(r) = engine.handle(&msg).await.unwrap() else {
            panic!("seed line {line} was a duplicate");
        };
        assert_ne!(
            r.outcome,
            radar_engine::Outcome::Rejected,
            "{line}: {:?}",
            r.messages
        );
    }
}

async fn say(pool: &Db, n: u64, line: &str) -> String {
    let engine = Engine::new(pool.clone(), EngineConfig::default());
    let mut msg = Incoming::console("check", n, UserId(USER), Lang::En, line);
    msg.authorized = true;
    match engine.handle(&msg).await.unwrap() {
        Handled::Replied(r) => r.messages.iter().map(|m| m.plain()).collect(),
        Handled::Duplicate => panic!("duplicate"),
    }
}

struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    fn new(radar: &Radar) -> Client {
        Client {
            base: format!("http://{}", radar.listen),
            http: reqwest::Client::new(),
        }
    }

    async fn get(&self, path: &str, auth: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(a) = auth {
            req = req.header("Authorization", format!("tma {a}"));
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, auth: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/app/api/command", self.base))
            .header("Authorization", format!("tma {auth}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

async fn status_of(pool: &Db, project: ProjectId, n: i64) -> FeatureStatus {
    let mut conn = pool.get().await.unwrap();
    features::by_number(&mut conn, project, FeatureNumber(n))
        .await
        .unwrap()
        .unwrap()
        .status
}

async fn event_count(pool: &Db) -> i64 {
    radar_testkit::counts(pool).await.events
}

fn card(board: &Value, number: i64) -> &Value {
    board["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["number"] == number)
        .unwrap_or_else(|| panic!("no card #{number} in {board:#}"))
}

both!(
    board_api_signed_once_and_through_the_engine,
    |b| async move {
        let db = TestDb::new(b).await;
        let pool = db.pool();
        seed(
            &pool,
            &[
                "/newproject Apollo",
                "/add Login",
                "/add Search",
                "/add Export",
                "/status 2 in progress",
                "/release 2.1",
                "/plan 1 2.1",
                "/plan 3 2.1",
                "/status 3 done",
            ],
        )
        .await;
        let fake = FakeTelegram::start().await;
        let radar = Radar::start(
            RADAR,
            &db.url,
            &fake,
            &Options {
                allowed: "1001",
                env: vec![("RADAR_PUBLIC_URL", PUBLIC.into())],
                ..Options::default()
            },
        );
        eventually("ready", WAIT, || async {
            radar.get("/readyz").await.0 == 200
        })
        .await;
        let api = Client::new(&radar);

        // The chat's menu button opens the board.
        let menu = fake.menu_button().expect("setChatMenuButton was called");
        assert_eq!(menu["type"], "web_app");
        assert_eq!(menu["web_app"]["url"], format!("{PUBLIC}/app"));

        // The page itself needs no credentials; it is the API that checks them.
        let (status, page) = radar.get("/app").await;
        assert_eq!(status, 200);
        assert!(page.contains("/app/board.js"), "{page}");
        assert!(page.contains("telegram-web-app.js"));

        // A correctly signed initData of an allowed user: the board, in Russian
        // when the Telegram client is.
        let good = init_data(TOKEN, USER, "ru", 60);
        let (status, board) = api.get("/app/api/board", Some(&good)).await;
        assert_eq!(status, 200, "{board:#}");
        assert_eq!(board["project"]["name"], "Apollo");
        assert_eq!(board["lang"], "ru");
        assert!(board["context"].as_str().unwrap().contains("Apollo"));
        assert_eq!(card(&board, 1)["status"], "backlog");
        assert_eq!(card(&board, 1)["release"], "2.1");
        assert_eq!(card(&board, 2)["status"], "in_progress");
        assert_eq!(card(&board, 3)["status"], "done");
        let release = &board["releases"][0];
        assert_eq!(
            (
                release["version"].clone(),
                release["done"].clone(),
                release["total"].clone()
            ),
            (json!("2.1"), json!(1), json!(2))
        );
        let columns: Vec<&str> = board["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            columns,
            [
                "backlog",
                "planned",
                "in_progress",
                "blocked",
                "done",
                "cancelled"
            ]
        );

        // A card's details carry its history from the event log.
        let (status, detail) = api.get("/app/api/feature/3", Some(&good)).await;
        assert_eq!(status, 200);
        let history = detail["history"].as_array().unwrap();
        assert!(history.len() >= 2, "{detail:#}");

        // Refused: forged (another bot's token), stale, missing, altered after
        // signing (another user id), and a signed outsider. Nothing changes.
        let before = event_count(&pool).await;
        let forged = init_data("999999:another-bot", USER, "en", 60);
        let stale = init_data(TOKEN, USER, "en", 2 * 86_400);
        let altered = good.replace("%22id%22%3A1001", "%22id%22%3A1002");
        assert_ne!(altered, good, "the user id is in the encoded initData");
        let outsider = init_data(TOKEN, OUTSIDER, "en", 60);
        let version = card(&board, 1)["version"].as_i64().unwrap();
        let id1 = card(&board, 1)["id"].as_i64().unwrap();
        let change = |key: &str| json!({"key": key, "action": "status", "feature": id1, "status": "done", "version": version});
        for (what, auth, expected) in [
            ("forged", Some(forged.as_str()), 401),
            ("stale", Some(stale.as_str()), 401),
            ("missing", None, 401),
            ("altered", Some(altered.as_str()), 401),
            ("outsider", Some(outsider.as_str()), 403),
        ] {
            let (status, body) = api.get("/app/api/board", auth).await;
            assert_eq!(status, expected, "{what}: {body:#}");
            assert!(body["message"].as_str().unwrap().len() > 10, "{what}");
            if let Some(a) = auth {
                let (status, _) = api.post(a, change(&format!("bad-{what}"))).await;
                assert_eq!(status, expected, "{what} POST");
            }
        }
        let project = ProjectId(board["project"]["id"].as_i64().unwrap());
        assert_eq!(status_of(&pool, project, 1).await, FeatureStatus::Backlog);
        assert_eq!(event_count(&pool).await, before, "nothing was written");
        assert!(
            !radar.log().contains(&good[..40]) && !radar.log().contains(TOKEN),
            "neither initData nor the token reach the log"
        );

        // A change applies once per key: the retry (a double tap, a network
        // flake) answers "duplicate" and writes nothing more.
        let (status, r) = api.post(&good, change("tap-1")).await;
        assert_eq!(status, 200, "{r:#}");
        assert_eq!(r["outcome"], "changed", "{r:#}");
        let (status, again) = api.post(&good, change("tap-1")).await;
        assert_eq!(status, 200);
        assert_eq!(again["outcome"], "duplicate");
        assert_eq!(status_of(&pool, project, 1).await, FeatureStatus::Done);
        {
            let mut conn = pool.get().await.unwrap();
            let events = event_log::of_command(&mut conn, &format!("app:{USER}:tap-1"))
                .await
                .unwrap();
            assert_eq!(events.len(), 1, "one event, under the board's message key");
        }

        // The same card moved from a board that did not see that change: its
        // version is old, so it is refused, like a stale chat button.
        let stale_move = json!({"key": "tap-2", "action": "status", "feature": id1, "status": "blocked", "version": version});
        let (status, r) = api.post(&good, stale_move).await;
        assert_eq!(status, 200);
        assert_eq!(r["outcome"], "rejected", "{r:#}");
        assert_eq!(status_of(&pool, project, 1).await, FeatureStatus::Done);

        // A bad key or status is a 400, not a change.
        let (status, _) = api
        .post(&good, json!({"key": "", "action": "status", "feature": id1, "status": "done", "version": 1}))
        .await;
        assert_eq!(status, 400);
        let (status, _) = api
        .post(&good, json!({"key": "k3", "action": "status", "feature": id1, "status": "shipped", "version": 1}))
        .await;
        assert_eq!(status, 400);

        // The board's change is in "what changed" and undo reverts it, like a
        // chat command's.
        let changes = say(&pool, 1, "/changes today").await;
        assert!(changes.contains("Login"), "{changes}");
        let undo = say(&pool, 2, "undo").await;
        assert!(undo.contains("Login"), "{undo}");
        assert_eq!(status_of(&pool, project, 1).await, FeatureStatus::Backlog);

        // The chat heard nothing of it.
        assert!(fake.sent_to(USER).is_empty(), "{:#?}", fake.sent_to(USER));

        // In the chat, /features offers the board in a private chat only
        // (Telegram refuses web_app buttons in groups).
        fake.push_text(USER, USER, "/features", Some("en"));
        let sent = fake.wait_sent(1, WAIT).await.unwrap();
        let markup = sent[0].reply_markup.clone().expect("a keyboard");
        assert_eq!(
            markup["inline_keyboard"][0][0]["web_app"]["url"],
            format!("{PUBLIC}/app")
        );
        const GROUP: i64 = -4001;
        fake.push_text(GROUP, USER, "/features", Some("en"));
        fake.wait_sent(2, WAIT).await.unwrap();
        let group = fake.sent_to(GROUP);
        assert_eq!(group.len(), 1, "answered in the group: {group:#?}");
        assert!(group[0].text.contains("Login"));
        assert!(group[0].reply_markup.is_none());
        drop(radar);
    }
);

/// Without RADAR_PUBLIC_URL the board is off: no route, no menu button, no
/// button under /features.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_public_url_the_board_is_off() {
    let db = TestDb::new(radar_testkit::Backend::Sqlite).await;
    seed(&db.pool(), &["/newproject Apollo", "/add Login"]).await;
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
    eventually("ready", WAIT, || async {
        radar.get("/readyz").await.0 == 200
    })
    .await;
    assert_eq!(radar.get("/app").await.0, 404);
    assert_eq!(radar.get("/app/api/board").await.0, 404);
    assert!(fake.menu_button().is_none());
    fake.push_text(USER, USER, "/features", Some("en"));
    let sent = fake.wait_sent(1, WAIT).await.unwrap();
    assert!(sent[0].reply_markup.is_none(), "{:#?}", sent[0]);
}

/// A public URL that is not https stops Radar with one line naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_http_public_url_is_refused() {
    let db = TestDb::new(radar_testkit::Backend::Sqlite).await;
    let fake = FakeTelegram::start().await;
    let mut radar = Radar::start(
        RADAR,
        &db.url,
        &fake,
        &Options {
            allowed: "1001",
            env: vec![("RADAR_PUBLIC_URL", "http://radar.example.com".into())],
            ..Options::default()
        },
    );
    let status = radar.child.wait().unwrap();
    assert!(!status.success());
    let log = radar.log();
    assert!(
        log.contains("RADAR_PUBLIC_URL") && log.contains("https"),
        "{log}"
    );
}
