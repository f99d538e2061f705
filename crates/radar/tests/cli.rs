//! The `radar` binary itself: the console chat on both backends gives the
//! same replies, `-m`, migrate, seed, and configuration errors.

use std::io::Write;
use std::process::{Command, Stdio};

use radar_store::{Backend, DbUrl};
use radar_testkit::TestDb;

const SCRIPT: &str = "help
new project Apollo: moon
add feature Login
/add Dashboard
#1 is blocked: waiting for keys
#1 is blocked: waiting for keys
move #2 to in progress
features
show #1
/release 1.2 2026-12-01
put #1 into 1.2
releases
what changed
undo
undo
history of #1
switch to Apolo
/use Apoxyz
/projects
31.02
/delete 2
/delete 2 yes
undo
создай проект Аполлон
#1 готово
/whoami
";

fn url_arg(url: &DbUrl) -> String {
    match url {
        DbUrl::Sqlite(p) => p.clone(),
        DbUrl::Postgres(u) => u.clone(),
    }
}

fn radar(url: &DbUrl) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_radar"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", url_arg(url))
        .env("RUST_LOG", "warn")
        .current_dir(std::env::temp_dir());
    cmd
}

fn chat(url: &DbUrl, script: &str, args: &[&str]) -> String {
    let mut child = radar(url)
        .arg("chat")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "radar chat failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // Times differ between runs; everything else must not.
    let re = regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").unwrap();
    re.replace_all(&text, "<time>").into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_chat_script_gives_the_same_replies_on_both_backends() {
    let sqlite = TestDb::new(Backend::Sqlite).await;
    let pg = TestDb::new(Backend::Postgres).await;
    let a = chat(&sqlite.url, SCRIPT, &[]);
    let b = chat(&pg.url, SCRIPT, &[]);
    assert_eq!(
        a.matches("📁 Project: ").count(),
        SCRIPT.lines().count(),
        "one context line per reply:\n{a}"
    );
    assert!(
        a.contains("You are already in Apollo."),
        "a one-letter slip is read: {a}"
    );
    assert!(a.contains("Did you mean: Apollo?"), "{a}");
    assert!(
        a.contains("📁 Project: Аполлон\n\nThere is no feature #1 in Аполлон"),
        "{a}"
    );
    assert_eq!(
        a, b,
        "SQLite and PostgreSQL answer the same script identically"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_message_mode_and_languages() {
    let db = TestDb::empty(Backend::Sqlite).await; // migrations run at start
    let say = |args: &[&str]| {
        let out = radar(&db.url).arg("chat").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = say(&["-m", "/newproject Apollo"]);
    assert!(text.starts_with("📁 Project: Apollo\n"), "{text}");
    let text = say(&["--lang", "ru", "--user-id", "5", "-m", "проекты"]);
    assert!(
        text.starts_with("📁 Контекст: проект не выбран\n") && text.contains("Apollo"),
        "{text}"
    );
    // A second run of the same text is a new message, not a duplicate.
    assert!(say(&["-m", "/add Login"]).contains("Added #1 Login"));
    assert!(say(&["-m", "/add Login"]).contains("already exists"));
}

/// How many migrations the backend's folder holds.
fn migrations_of(backend: Backend) -> usize {
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../radar-store/migrations")
        .join(dir);
    std::fs::read_dir(path)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("up.sql").exists())
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_and_seed_commands() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::empty(backend).await;
        let run = |args: &[&str]| {
            let out = radar(&db.url).args(args).output().unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        // Every migration of the backend's folder, pending then applied.
        let n = migrations_of(backend);
        let none = format!("0 applied, {n} pending");
        assert!(run(&["migrate", "status"]).contains(&none));
        assert!(run(&["migrate", "run", "--dry-run"]).contains("would apply"));
        assert!(run(&["migrate", "status"]).contains(&none));
        assert!(run(&["migrate", "run"]).contains(&format!("{n} applied, 0 pending")));
        assert!(run(&["migrate", "revert", "--all"]).contains(&none));
        assert!(
            run(&["migrate", "revert"]).contains("0 applied"),
            "reverting nothing is fine"
        );
        let first = run(&["seed"]);
        assert!(first.contains("0 already applied"), "{first}");
        let second = run(&["seed"]);
        assert!(second.contains("seed: 0 commands applied"), "{second}");
        let out = run(&["chat", "--user-id", "0", "-m", "/features all"]);
        assert!(
            out.starts_with("📁 Project: Apollo") && out.contains("#1 Login"),
            "{out}"
        );
    }
}

#[test]
fn bad_configuration_is_one_line_naming_the_variable() {
    let cases: &[(&str, &str, &str)] = &[
        ("RADAR_TIMEZONE", "Mars/Phobos", "RADAR_TIMEZONE"),
        ("RADAR_ALLOWED_USERS", "12,abc", "RADAR_ALLOWED_USERS"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("DATABASE_URL", ":memory:", "DATABASE_URL"),
    ];
    for (var, value, named) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_radar"))
            .env_clear()
            .env(
                "DATABASE_URL",
                std::env::temp_dir().join("radar-cfg-test.db"),
            )
            .env(var, value)
            .args(["chat", "-m", "help"])
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{var}={value} must stop the program");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(
            err.contains(named) && !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
    }
    // serve without a token
    let out = Command::new(env!("CARGO_BIN_EXE_radar"))
        .env_clear()
        .env(
            "DATABASE_URL",
            std::env::temp_dir().join("radar-cfg-test.db"),
        )
        .arg("serve")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        !out.status.success() && err.contains("TELOXIDE_TOKEN") && err.trim().lines().count() == 1,
        "{err}"
    );
    // serve's own settings
    for (var, value) in [
        ("RADAR_KEY_RETENTION", "soon"),
        ("RADAR_KEY_RETENTION", "12h"),
        ("RADAR_SEND_RATE", "fast"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_radar"))
            .env_clear()
            .env(
                "DATABASE_URL",
                std::env::temp_dir().join("radar-cfg-test.db"),
            )
            .env("TELOXIDE_TOKEN", "123:abc")
            .env(var, value)
            .arg("serve")
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            !out.status.success()
                && err.starts_with(&format!("radar: {var}: "))
                && err.trim().lines().count() == 1,
            "{var}={value}: {err}"
        );
    }
}
