//! The board in a real browser: Debian's headless `chromium`, driven through
//! `chromedriver` (WebDriver, the `fantoccini` crate), against the real
//! `radar serve` binary and the fake Bot API.
//!
//! There is no internet here, so telegram.org does not resolve (chromium's
//! `--host-resolver-rules`) and `window.Telegram.WebApp` is a stub defined
//! before the page's scripts run (`Page.addScriptToEvaluateOnNewDocument`
//! over chromedriver's CDP endpoint), carrying a correctly signed initData
//! for an allowed user — or a forged one.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's
//! `chromium` and `chromium-driver`; `.ci/run` installs them). Without them
//! the test fails, never skips. It saves the board's screenshot to
//! `target/board.png`; `UPDATE_SCREENSHOT=1` also refreshes `docs/board.png`.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use radar::board::auth::SecretKey;
use radar_engine::{Engine, EngineConfig, Incoming, Lang};
use radar_store::{EntityKind, FeatureNumber, FeatureStatus, UserId, event_log, features};
use radar_testkit::serve::{Options, Radar, TOKEN, eventually, free_addr};
use radar_testkit::{Backend, FakeTelegram, TestDb};
use serde_json::json;

const RADAR: &str = env!("CARGO_BIN_EXE_radar");
const USER: i64 = 1001;
const WAIT: Duration = Duration::from_secs(30);

fn init_data(token: &str, user: i64) -> String {
    let auth_date = chrono::Utc::now().timestamp().to_string();
    let user_json = format!(r#"{{"id":{user},"first_name":"Ann","language_code":"en"}}"#);
    let fields = [
        ("auth_date", auth_date.as_str()),
        ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"),
        ("user", user_json.as_str()),
    ];
    SecretKey::from_token(token).init_data(&fields)
}

/// `chromedriver` on a free port, stopped on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start() -> Driver {
        for bin in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            assert!(
                std::path::Path::new(bin).exists(),
                "{bin} is missing: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)"
            );
        }
        let addr = free_addr();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={}", addr.port()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        eventually("chromedriver listens", WAIT, || async {
            TcpStream::connect(addr).is_ok()
        })
        .await;
        Driver {
            child,
            url: format!("http://{addr}"),
        }
    }

    async fn browser(&self) -> Client {
        let caps = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--window-size=1100,760",
                    "--host-resolver-rules=MAP telegram.org ~NOTFOUND",
                ],
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Chromium's CDP through chromedriver: a script run before any of a
/// page's own (`goog/cdp/execute`).
#[derive(Debug)]
struct OnNewDocument(String);

impl WebDriverCompatibleCommand for OnNewDocument {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({
            "cmd": "Page.addScriptToEvaluateOnNewDocument",
            "params": {"source": self.0},
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// `window.Telegram.WebApp` as telegram-web-app.js would provide it.
fn telegram_stub(init_data: &str) -> String {
    format!(
        r##"window.Telegram = {{ WebApp: {{
            initData: {data},
            initDataUnsafe: {{ user: {{ id: {USER}, first_name: "Ann", language_code: "en" }} }},
            themeParams: {{ bg_color: "#ffffff", text_color: "#1b1b1f", hint_color: "#707579",
                            button_color: "#3390ec", button_text_color: "#ffffff",
                            secondary_bg_color: "#f1f1f4", section_bg_color: "#f8f8fa" }},
            ready() {{ window.__tgReady = true; }}, expand() {{}}, onEvent() {{}}
        }} }};"##,
        data = serde_json::to_string(init_data).unwrap()
    )
}

async fn open(driver: &Driver, radar: &Radar, init: &str) -> Client {
    let c = driver.browser().await;
    c.issue_cmd(OnNewDocument(telegram_stub(init)))
        .await
        .expect("CDP through chromedriver");
    c.goto(&format!("http://{}/app", radar.listen))
        .await
        .unwrap();
    c
}

async fn css(c: &Client, selector: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_in_chromium() {
    let db = TestDb::new(Backend::Sqlite).await;
    let pool = db.pool();
    let engine = Engine::new(pool.clone(), EngineConfig::default());
    let seed = [
        "/newproject Apollo: the moon app",
        "/add Login: email and password",
        "/add Search",
        "/add Export to CSV",
        "/add Dark mode",
        "/add Payments",
        "/add Onboarding tour",
        "/add Audit log",
        "/status 2 in progress",
        "/team 2 Core",
        "/po 2 Anna",
        "/status 5 blocked: waiting for legal",
        "/release 2.1 2026-12-20",
        "/plan 1 2.1",
        "/plan 2 2.1",
        "/plan 3 2.1",
        "/status 3 done",
        "/status 6 planned",
        "/status 7 cancelled",
    ];
    for (i, line) in seed.iter().enumerate() {
        let mut msg = Incoming::console("seed", i as u64, UserId(USER), Lang::En, line);
        msg.authorized = true;
        let handled = engine.handle(&msg).await.unwrap();
        let radar_engine::Handled::Replied(r) = handled else {
            panic!("{line}: duplicate")
        };
        assert_ne!(r.outcome, radar_engine::Outcome::Rejected, "{line}");
    }
    let fake = FakeTelegram::start().await;
    let radar = Radar::start(
        RADAR,
        &db.url,
        &fake,
        &Options {
            allowed: "1001",
            env: vec![("RADAR_PUBLIC_URL", "https://radar.example.com".into())],
            ..Options::default()
        },
    );
    eventually("ready", WAIT, || async {
        radar.get("/readyz").await.0 == 200
    })
    .await;
    let driver = Driver::start().await;

    // A correctly signed initData: the seeded features in their columns.
    let c = open(&driver, &radar, &init_data(TOKEN, USER)).await;
    css(&c, "body[data-state=ready]").await;
    for (column, number) in [
        ("backlog", 1),
        ("in_progress", 2),
        ("done", 3),
        ("backlog", 4),
        ("blocked", 5),
        ("planned", 6),
        ("cancelled", 7),
    ] {
        c.find(Locator::Css(&format!(
            "[data-column={column}] [data-number=\"{number}\"]"
        )))
        .await
        .unwrap_or_else(|_| panic!("#{number} is in the {column} column"));
    }
    let context = c
        .find(Locator::Id("context"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(context.contains("Apollo"), "{context}");
    let strip = c
        .find(Locator::Css("[data-release=\"2.1\"]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(strip.contains("1/3"), "release strip: {strip}");
    let ready: bool = c
        .execute("return window.__tgReady === true", vec![])
        .await
        .unwrap()
        .as_bool()
        .unwrap();
    assert!(ready, "the page told Telegram it is ready");
    let shot = c.screenshot().await.unwrap();
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("board.png"), &shot).unwrap();
    if std::env::var_os("UPDATE_SCREENSHOT").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join("board.png"), &shot).unwrap();
    }

    // Tap #1, pick "done" in its status picker: the card moves, the
    // database has it, with one event under the board's message key.
    css(&c, "[data-number=\"1\"]").await.click().await.unwrap();
    css(&c, "dialog[open] #detail-history li").await;
    css(&c, "#detail-status option[value=done]")
        .await
        .click()
        .await
        .unwrap();
    css(&c, "#detail-apply").await.click().await.unwrap();
    css(&c, "[data-column=done] [data-number=\"1\"]:not(.saving)").await;
    let mut conn = pool.get().await.unwrap();
    let project = radar_store::user_context::active_project(&mut conn, UserId(USER))
        .await
        .unwrap()
        .unwrap();
    let f = features::by_number(&mut conn, project.id, FeatureNumber(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f.status, FeatureStatus::Done);
    let history = event_log::entity_history(&mut conn, EntityKind::Feature, f.id.0, 1)
        .await
        .unwrap();
    assert!(
        history[0]
            .correlation_id
            .starts_with(&format!("app:{USER}:")),
        "{:?}",
        history[0]
    );
    drop(conn);
    c.close().await.unwrap();

    // A forged signature: the "not authorized" state, nothing shown.
    let c = open(&driver, &radar, &init_data("999999:another-bot", USER)).await;
    css(&c, "body[data-state=unauthorized]").await;
    let text = c
        .find(Locator::Id("unauthorized"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Not authorized"), "{text}");
    assert!(
        c.find_all(Locator::Css(".card")).await.unwrap().is_empty(),
        "no card is shown"
    );
    c.close().await.unwrap();
}
