//! Running the real `radar serve` binary against the fake Bot API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use radar_store::DbUrl;

use crate::fake::FakeTelegram;

pub const TOKEN: &str = "123456:CANARY-token-never-logged";

/// A free port on loopback.
pub fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

pub struct Radar {
    pub child: Child,
    pub listen: SocketAddr,
    pub log: PathBuf,
}

#[derive(Default)]
pub struct Options<'a> {
    pub allowed: &'a str,
    pub webhook: Option<(String, Option<&'a str>)>,
    pub env: Vec<(&'a str, String)>,
    /// Run as this user (and group) id: a test running as root drops to an
    /// ordinary user for whom file permissions apply.
    pub uid: Option<u32>,
}

fn url_of(db: &DbUrl) -> String {
    match db {
        DbUrl::Sqlite(p) => p.clone(),
        DbUrl::Postgres(u) => u.clone(),
    }
}

impl Radar {
    /// Starts `bin serve` (the `radar` binary: `env!("CARGO_BIN_EXE_radar")`
    /// in the radar crate's tests) on `db` against the fake Bot API.
    pub fn start(bin: &str, db: &DbUrl, fake: &FakeTelegram, opts: &Options<'_>) -> Radar {
        Self::start_url(bin, &url_of(db), fake, opts)
    }

    pub fn start_url(bin: &str, db_url: &str, fake: &FakeTelegram, opts: &Options<'_>) -> Radar {
        let listen = free_addr();
        let log = std::env::temp_dir().join(format!(
            "radar-e2e-{}-{}.log",
            std::process::id(),
            listen.port()
        ));
        let logfile = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", db_url)
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", fake.url().as_str())
            .env("RADAR_ALLOWED_USERS", opts.allowed)
            .env("RADAR_LISTEN", listen.to_string())
            .env("RADAR_SEND_RATE", "0")
            .env("RUST_LOG", "info,radar=debug")
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(logfile))
            .arg("serve");
        if let Some((url, secret)) = &opts.webhook {
            cmd.arg("--webhook").env("RADAR_WEBHOOK_URL", url);
            if let Some(s) = secret {
                cmd.env("RADAR_WEBHOOK_SECRET", s);
            }
        }
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        if let Some(id) = opts.uid {
            use std::os::unix::process::CommandExt;
            cmd.uid(id).gid(id);
        }
        let child = cmd.spawn().expect("radar starts");
        Radar { child, listen, log }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM (what `docker stop` sends); returns the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("radar did not stop within 20 s of SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `GET path` on Radar's listener: the status and body, or `(0, "")`
    /// when there is no answer within 10 s (a listener that accepts but
    /// does not serve must fail a test, not hang it).
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = reqwest::Client::new()
            .get(format!("http://{}{path}", self.listen))
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match r {
            Ok(r) => {
                let s = r.status().as_u16();
                (s, r.text().await.unwrap_or_default())
            }
            Err(_) => (0, String::new()),
        }
    }

    /// A metric's value from `/metrics` (0 when absent).
    pub async fn metric(&self, name: &str) -> f64 {
        let (_, body) = self.get("/metrics").await;
        body.lines()
            .filter(|l| l.starts_with(name) && !l.starts_with('#'))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}

impl Drop for Radar {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until an async condition holds (checked every 25 ms), or panics.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if cond().await {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
