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
        ("DATABASE_URL", "postgres://u:p@h:99999/x", "DATABASE_URL"),
        ("RUST_LOG", "radar=verbose", "RUST_LOG"),
        ("RUST_LOG", "=info", "RUST_LOG"),
        ("RADAR_LOG_FORMAT", "xml", "RADAR_LOG_FORMAT"),
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

/// `radar chat` answers a line that is not UTF-8 with a clear error under
/// the context line, like any reply, and goes on with the next lines.
#[tokio::test(flavor = "multi_thread")]
async fn chat_answers_a_line_that_is_not_utf8_and_goes_on() {
    for (lang, expected) in [
        ("en", "I could not read that line: it is not UTF-8 text."),
        (
            "ru",
            "Не удалось прочитать эту строку: это не текст в UTF-8.",
        ),
    ] {
        let db = TestDb::new(Backend::Sqlite).await;
        let mut child = radar(&db.url)
            .args(["chat", "--lang", lang])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = b"/newproject Apollo\n".to_vec();
        input.extend_from_slice(b"/add Lo\xffgin \xc3\x28\r\n");
        input.extend_from_slice(b"/add Search\n/features\n");
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let replies: Vec<&str> = text.trim_end().split("\n\n📁").collect();
        assert_eq!(replies.len(), 4, "one reply per line: {text}");
        assert!(
            replies[1].contains(" Apollo\n") && replies[1].contains(expected),
            "the context line, then the error: {text}"
        );
        assert!(replies[2].contains("#1 Search"), "{text}");
        assert!(
            replies[3].contains("#1 Search") && !replies[3].contains("#2"),
            "nothing of the bad line was applied: {text}"
        );
    }
}

/// `radar` with a raw `DATABASE_URL` (any string) and nothing else set.
fn radar_raw(database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_radar"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null());
    cmd
}

/// The test server's `host:port` (from `TEST_DATABASE_URL`, or the default).
fn pg_host_port() -> String {
    let url = url::Url::parse(&radar_testkit::pg_admin_url()).unwrap();
    format!(
        "{}:{}",
        url.host_str().unwrap(),
        url.port_or_known_default().unwrap_or(5432)
    )
}

/// A stand-in for a PostgreSQL server that asks for a password and refuses
/// it (SQLSTATE 28P01), as a server with password authentication does for a
/// wrong one (the test server trusts everyone). It serves until the test
/// process ends.
fn password_refusing_server() -> std::net::SocketAddr {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let read_message = |s: &mut std::net::TcpStream| -> Option<Vec<u8>> {
                let mut len = [0u8; 4];
                s.read_exact(&mut len).ok()?;
                let mut body = vec![0u8; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
                s.read_exact(&mut body).ok()?;
                Some(body)
            };
            // Startup (after an SSL request, answered "no").
            let Some(startup) = read_message(&mut s) else {
                continue;
            };
            if startup.get(..4) == Some(&80877103u32.to_be_bytes()) {
                let _ = s.write_all(b"N");
                if read_message(&mut s).is_none() {
                    continue;
                }
            }
            // AuthenticationCleartextPassword.
            let _ = s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]);
            let mut tag = [0u8; 1];
            if s.read_exact(&mut tag).is_err() || read_message(&mut s).is_none() {
                continue; // the client had no password to send
            }
            let mut fields = Vec::new();
            for (code, value) in [
                (b'S', "FATAL"),
                (b'V', "FATAL"),
                (b'C', "28P01"),
                (b'M', "password authentication failed for user \"radar\""),
            ] {
                fields.push(code);
                fields.extend_from_slice(value.as_bytes());
                fields.push(0);
            }
            fields.push(0);
            let mut msg = vec![b'E'];
            msg.extend_from_slice(&((fields.len() + 4) as u32).to_be_bytes());
            msg.extend_from_slice(&fields);
            let _ = s.write_all(&msg);
        }
    });
    addr
}

/// An unreachable or unusable database is one line on stderr that names
/// DATABASE_URL, where (host:port or file, never the password) and why,
/// for every command that opens the database; the exit status is non-zero.
#[tokio::test(flavor = "multi_thread")]
async fn unavailable_database_is_explained_in_one_line() {
    let pg = pg_host_port();
    let refused = radar_testkit::serve::free_addr();
    let fake = password_refusing_server();
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x5a; 4096]).unwrap();
    // An empty file is an empty SQLite database; opened read-only (a
    // read-only mount or file, as root cannot be refused by permissions).
    let valid = dir.path().join("valid.db");
    std::fs::write(&valid, b"").unwrap();
    let a_dir = dir.path().join("a-directory");
    std::fs::create_dir(&a_dir).unwrap();

    // (DATABASE_URL, what the line must say)
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            format!("postgres://radar:s3cret@{refused}/radar"),
            vec![
                format!("PostgreSQL at {refused}"),
                "connection refused".into(),
            ],
        ),
        (
            "postgres://radar:s3cret@radar-db.invalid:5432/radar".into(),
            vec![
                "PostgreSQL at radar-db.invalid:5432".into(),
                "\"radar-db.invalid\" does not resolve (DNS".into(),
            ],
        ),
        (
            format!("postgres://radar:s3cret@{fake}/radar"),
            vec![
                format!("PostgreSQL at {fake}"),
                "authentication failed: password authentication failed for user \"radar\"".into(),
            ],
        ),
        (
            format!("postgres://radar@{fake}/radar"),
            vec![
                format!("PostgreSQL at {fake}"),
                "asks for a password and the URL has none".into(),
            ],
        ),
        (
            format!("postgres://radar_no_such_role:s3cret@{pg}/postgres"),
            vec![
                format!("PostgreSQL at {pg}"),
                "unknown role: role \"radar_no_such_role\" does not exist".into(),
            ],
        ),
        (
            format!("postgres://postgres:s3cret@{pg}/radar_no_such_db"),
            vec![
                format!("PostgreSQL at {pg}"),
                "unknown database: database \"radar_no_such_db\" does not exist".into(),
            ],
        ),
        (
            dir.path().join("missing/radar.db").display().to_string(),
            vec![
                format!(
                    "SQLite database {}",
                    dir.path().join("missing/radar.db").display()
                ),
                format!(
                    "the directory {} does not exist",
                    dir.path().join("missing").display()
                ),
            ],
        ),
        (
            a_dir.display().to_string(),
            vec![
                format!("SQLite database {}", a_dir.display()),
                "it is a directory".into(),
            ],
        ),
        (
            junk.display().to_string(),
            vec![
                format!("SQLite database {}", junk.display()),
                "not a SQLite database".into(),
            ],
        ),
        (
            format!("file:{}?mode=ro", valid.display()),
            vec![
                format!("SQLite database file:{}?mode=ro", valid.display()),
                "read-only".into(),
            ],
        ),
    ];
    let commands: &[&[&str]] = &[
        &["chat", "-m", "help"],
        &["seed"],
        &["migrate", "status"],
        &["migrate", "run"],
    ];
    for (url, expected) in &cases {
        for args in commands {
            let out = radar_raw(url).args(*args).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{url} {args:?} must fail: {err}");
            assert_eq!(
                err.trim_end().lines().count(),
                1,
                "{url} {args:?}: one line: {err}"
            );
            assert!(
                err.starts_with("radar: DATABASE_URL: cannot "),
                "{url} {args:?}: {err}"
            );
            for e in expected {
                assert!(err.contains(e.as_str()), "{url} {args:?}: {e:?} in {err}");
            }
            assert!(!err.contains("s3cret"), "never the password: {err}");
        }
    }
}

/// `radar serve`: a cause waiting cannot cure stops it at start with the
/// same line; an unreachable server is retried, each attempt explained in
/// the log, while Radar keeps running.
#[tokio::test(flavor = "multi_thread")]
async fn serve_stops_on_a_wrong_database_and_waits_for_an_unreachable_one() {
    use std::io::BufRead;
    let pg = pg_host_port();
    let serve = |url: &str| {
        let mut cmd = radar_raw(url);
        cmd.env("TELOXIDE_TOKEN", radar_testkit::serve::TOKEN)
            .env("TELOXIDE_API_URL", "http://127.0.0.1:9/")
            .env(
                "RADAR_LISTEN",
                radar_testkit::serve::free_addr().to_string(),
            )
            .arg("serve");
        cmd
    };
    let out = serve(&format!("postgres://postgres:s3cret@{pg}/radar_no_such_db"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("radar: DATABASE_URL: cannot connect to PostgreSQL at ")
            && err.contains("unknown database")
            && !err.contains("s3cret"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = serve(dir.path().to_str().unwrap()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("radar: DATABASE_URL: cannot open the SQLite database ")
            && err.contains("it is a directory"),
        "{err}"
    );

    let refused = radar_testkit::serve::free_addr();
    let mut child = serve(&format!("postgres://radar:s3cret@{refused}/radar"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let line = std::io::BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .find(|l| l.contains("migrations failed"))
        .expect("a warning, while radar keeps running");
    assert!(
        line.contains("migrations failed; retrying")
            && line.contains(&format!(
                "DATABASE_URL: cannot connect to PostgreSQL at {refused}: connection refused"
            ))
            && !line.contains("s3cret"),
        "{line}"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "still running, waiting for the database"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The SQLite database and its -wal and -shm files are created owner-only
/// (0600), whatever the umask.
#[cfg(unix)]
#[test]
fn sqlite_files_are_created_owner_only() {
    use std::io::BufRead;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    // Under the usual umask 022 SQLite would create them 0644.
    let with_umask = |db: &std::path::Path| {
        let mut sh = Command::new("/bin/sh");
        sh.arg("-c")
            .arg("umask 022; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_radar"))
            .env_clear()
            .env("DATABASE_URL", db)
            .env("RUST_LOG", "warn")
            .current_dir(std::env::temp_dir());
        sh
    };

    let one = dir.path().join("one.db");
    let out = with_umask(&one)
        .args(["chat", "-m", "/newproject Apollo"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&one), 0o600, "radar chat -m on a fresh path");

    // While a session is open, the -wal and -shm files exist: same mode.
    let two = dir.path().join("two.db");
    let mut child = with_umask(&two)
        .arg("chat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "/newproject Apollo").unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = stdout.next().expect("a reply").unwrap();
        if line.contains("Created project Apollo") {
            break;
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let p = dir.path().join(format!("two.db{suffix}"));
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&two), 0o600);

    // A file others can read (made by an earlier version) is warned about.
    std::fs::set_permissions(&one, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = with_umask(&one)
        .args(["chat", "-m", "help"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("accessible to other users") && err.contains("chmod 600"),
        "{err}"
    );
    assert_eq!(
        mode(&one),
        0o644,
        "an existing file's mode is the operator's"
    );
}

/// Logs written to a pipe or a file carry no ANSI colour codes; on a
/// terminal they are coloured.
#[test]
fn logs_are_coloured_only_on_a_terminal() {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("radar.db");
    let run = || {
        let mut cmd = radar_raw(db.to_str().unwrap());
        cmd.env("RUST_LOG", "radar=debug")
            .args(["chat", "-m", "help"]);
        cmd
    };
    let out = run().output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("schema up to date"), "{err}");
    assert!(!err.contains('\x1b'), "no colour codes in a pipe: {err:?}");

    // stderr on a pseudo-terminal.
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().unwrap())
        .unwrap();
    let mut master = std::fs::File::from(master);
    // Read while radar writes (a terminal's buffer is small); the read ends
    // (EIO) once no one holds the terminal side any more.
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = master.read(&mut chunk) {
            seen.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8_lossy(&seen).into_owned()
    });
    let status = run()
        .stdout(Stdio::null())
        .stderr(Stdio::from(terminal))
        .status()
        .unwrap();
    assert!(status.success());
    let seen = reader.join().unwrap();
    assert!(seen.contains("schema up to date"), "{seen:?}");
    assert!(seen.contains("\x1b["), "coloured on a terminal: {seen:?}");
}

/// RADAR_LOG_FORMAT=json: every log line is one JSON object, and so is the
/// line that says why Radar stopped.
#[test]
fn json_logs_are_one_object_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("radar.db");
    let out = radar_raw(db.to_str().unwrap())
        .env("RADAR_LOG_FORMAT", "json")
        .env("RUST_LOG", "debug")
        .args(["chat", "-m", "help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(!lines.is_empty());
    for l in &lines {
        for field in ["timestamp", "level", "target", "fields"] {
            assert!(l.get(field).is_some(), "{field} in {l}");
        }
    }
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "schema up to date" && l["level"] == "DEBUG"),
        "{err}"
    );

    let refused = radar_testkit::serve::free_addr();
    let out = radar_raw(&format!("postgres://radar:s3cret@{refused}/radar"))
        .env("RADAR_LOG_FORMAT", "json")
        .args(["chat", "-m", "help"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let line: serde_json::Value = serde_json::from_str(err.trim_end()).unwrap();
    assert_eq!(line["level"], "ERROR");
    let message = line["fields"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("radar: DATABASE_URL: cannot connect to PostgreSQL at ")
            && message.contains("connection refused")
            && !message.contains("s3cret"),
        "{message}"
    );
}
