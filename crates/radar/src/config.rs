//! Configuration from the environment (and `.env`). A missing or malformed
//! setting is one clear line naming the variable.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::num::NonZeroU32;

use chrono_tz::Tz;

use radar_store::{DbUrl, UserId};

#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn var(name: &'static str) -> Result<Option<String>, ConfigError> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(v.trim().to_string())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError {
            var: name,
            message: "is not valid UTF-8".into(),
        }),
    }
}

/// How logs are written (`RADAR_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines; coloured only when stderr is a terminal (and
    /// `NO_COLOR` is not set).
    Text,
    /// One JSON object a line (tracing-subscriber's JSON formatter), for log
    /// collectors.
    Json,
}

/// Logging: `RUST_LOG` (the filter) and `RADAR_LOG_FORMAT`, read before
/// anything else so that every later line is written as configured.
#[derive(Debug)]
pub struct LogConfig {
    pub filter: tracing_subscriber::EnvFilter,
    pub format: LogFormat,
}

impl LogConfig {
    pub fn from_env() -> Result<LogConfig, ConfigError> {
        let spec = var("RUST_LOG")?.unwrap_or_else(|| "info".into());
        // Strict: a directive that does not parse is an error, not ignored.
        let filter = tracing_subscriber::EnvFilter::builder()
            .parse(&spec)
            .map_err(|e| ConfigError {
                var: "RUST_LOG",
                message: format!(
                    "{spec:?} is not a tracing filter ({e}); for example info, or warn,radar=debug"
                ),
            })?;
        let format = match var("RADAR_LOG_FORMAT")?
            .map(|f| f.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    var: "RADAR_LOG_FORMAT",
                    message: format!(
                        "{other:?} is not a log format; use text (the default) or json"
                    ),
                });
            }
        };
        Ok(LogConfig { filter, format })
    }

    /// Installs the global subscriber, writing to stderr.
    pub fn init(self) {
        use std::io::IsTerminal;
        let builder = tracing_subscriber::fmt()
            .with_env_filter(self.filter)
            .with_writer(std::io::stderr)
            // A log line that cannot be written (stderr closed: the log
            // collector went away) is dropped. Reporting it would write to
            // stderr again with eprintln!, which panics there: in the task
            // that logged, such as the one that stops Radar on SIGTERM.
            .log_internal_errors(false);
        match self.format {
            LogFormat::Text => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                builder
                    .with_ansi(std::io::stderr().is_terminal() && !no_color)
                    .init();
            }
            LogFormat::Json => builder
                .json()
                .with_ansi(false)
                .with_current_span(true)
                .with_span_list(true)
                .init(),
        }
    }
}

/// Settings every command needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DbUrl,
    pub timezone: Tz,
    pub allowed_users: HashSet<UserId>,
    /// Test only (`RADAR_TEST_CLOCK`, RFC 3339): Radar's clock starts at
    /// this instant and runs on, so a test of the binary reaches a digest
    /// time without waiting for it. Unset in production.
    pub clock_start: Option<chrono::DateTime<chrono::Utc>>,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let database_url = DbUrl::parse(&var("DATABASE_URL")?.unwrap_or_else(|| "radar.db".into()))
            .map_err(|message| ConfigError {
                var: "DATABASE_URL",
                message,
            })?;
        let timezone = match var("RADAR_TIMEZONE")? {
            None => chrono_tz::UTC,
            Some(z) => z.parse::<Tz>().map_err(|_| ConfigError {
                var: "RADAR_TIMEZONE",
                message: format!(
                    "{z:?} is not an IANA time zone (for example Europe/Moscow or UTC)"
                ),
            })?,
        };
        let allowed_users = parse_allowed(var("RADAR_ALLOWED_USERS")?.as_deref().unwrap_or(""))
            .map_err(|message| ConfigError {
                var: "RADAR_ALLOWED_USERS",
                message,
            })?;
        let clock_start = match var("RADAR_TEST_CLOCK")? {
            None => None,
            Some(t) => Some(
                chrono::DateTime::parse_from_rfc3339(&t)
                    .map_err(|e| ConfigError {
                        var: "RADAR_TEST_CLOCK",
                        message: format!(
                            "{t:?} is not an RFC 3339 time like 2030-03-10T06:00:00Z ({e}); it is for tests only: unset it"
                        ),
                    })?
                    .to_utc(),
            ),
        };
        Ok(Config {
            database_url,
            timezone,
            allowed_users,
            clock_start,
        })
    }
}

impl Config {
    /// The engine's clock: the system's, or the test clock.
    pub fn clock(&self) -> radar_engine::Clock {
        match self.clock_start {
            Some(t) => radar_engine::Clock::starting_at(t),
            None => radar_engine::Clock::System,
        }
    }
}

/// `"1, 2,3"` → {1, 2, 3}.
pub fn parse_allowed(s: &str) -> Result<HashSet<UserId>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<i64>()
                .map(UserId)
                .map_err(|_| format!("{p:?} is not a numeric Telegram user id (expected a comma-separated list like 12345,67890)"))
        })
        .collect()
}

/// Settings of `radar serve`.
#[derive(Clone)]
pub struct ServeConfig {
    pub token: String,
    pub api_url: Option<url::Url>,
    pub webhook_url: Option<url::Url>,
    pub webhook_secret: Option<String>,
    pub listen: SocketAddr,
    /// How long a Bot API request may take before it counts as an ambiguous
    /// failure (`RADAR_TELEGRAM_TIMEOUT`, seconds).
    pub request_timeout: std::time::Duration,
    /// Replies per second overall (`RADAR_SEND_RATE`); `None` turns limiting
    /// off (for a test double only).
    pub send_rate: Option<NonZeroU32>,
    /// How long processed message keys (and done replies, expired offers)
    /// are kept (`RADAR_KEY_RETENTION`).
    pub key_retention: std::time::Duration,
    /// The board (a Telegram Mini App) is on when set (`RADAR_PUBLIC_URL`,
    /// https): the page is at this URL + `/app`.
    pub public_url: Option<url::Url>,
    /// How old a Mini App's initData may be (`RADAR_APP_MAX_AGE`).
    pub app_max_age: std::time::Duration,
    /// Database connections `radar serve` keeps at most
    /// (`RADAR_DB_POOL_SIZE`; default [`default_pool_size`]).
    pub pool_size: Option<usize>,
    /// Whether commands of different chats share commits
    /// (`RADAR_GROUP_COMMIT`, `on`/`off`, default on on both backends:
    /// BENCHMARKS.md §7 measured it as fast or faster on PostgreSQL too,
    /// with about 10 % less server CPU).
    pub group_commit: bool,
}

impl ServeConfig {
    /// The board's address, when it is on.
    pub fn board_url(&self) -> Option<String> {
        self.public_url
            .as_ref()
            .map(|u| format!("{}/app", u.as_str().trim_end_matches('/')))
    }
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("token", &"<redacted>")
            .field("api_url", &self.api_url)
            .field("webhook_url", &self.webhook_url)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("listen", &self.listen)
            .field("request_timeout", &self.request_timeout)
            .field("send_rate", &self.send_rate)
            .field("key_retention", &self.key_retention)
            .field("public_url", &self.public_url)
            .field("app_max_age", &self.app_max_age)
            .field("pool_size", &self.pool_size)
            .field("group_commit", &self.group_commit)
            .finish()
    }
}

impl ServeConfig {
    pub fn from_env(webhook: bool) -> Result<ServeConfig, ConfigError> {
        let token = var("TELOXIDE_TOKEN")?.ok_or(ConfigError {
            var: "TELOXIDE_TOKEN",
            message: "is required by `radar serve` (the bot token from @BotFather)".into(),
        })?;
        if !token.contains(':') {
            return Err(ConfigError {
                var: "TELOXIDE_TOKEN",
                message: "does not look like a bot token (expected 123456:ABC…)".into(),
            });
        }
        let url = |name: &'static str| -> Result<Option<url::Url>, ConfigError> {
            var(name)?
                .map(|v| {
                    url::Url::parse(&v).map_err(|e| ConfigError {
                        var: name,
                        message: format!("is not a valid URL: {e}"),
                    })
                })
                .transpose()
        };
        let api_url = url("TELOXIDE_API_URL")?;
        let webhook_url = url("RADAR_WEBHOOK_URL")?;
        // Each mode changes the bot's webhook at Telegram (polling deletes
        // it, --webhook sets it), for every instance using the token: when
        // the flag and the variable disagree, Radar stops instead of guessing.
        if !webhook && webhook_url.is_some() {
            return Err(ConfigError {
                var: "RADAR_WEBHOOK_URL",
                message: "is set, but `radar serve` was started without --webhook: run `radar serve --webhook` to receive updates at that URL, or unset RADAR_WEBHOOK_URL to long-poll (polling deletes the bot's webhook)".into(),
            });
        }
        if webhook && webhook_url.is_none() {
            return Err(ConfigError {
                var: "RADAR_WEBHOOK_URL",
                message:
                    "is required with --webhook (the public https URL Telegram posts updates to)"
                        .into(),
            });
        }
        let webhook_secret = var("RADAR_WEBHOOK_SECRET")?;
        if let Some(s) = &webhook_secret
            && (s.len() > 256
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err(ConfigError {
                var: "RADAR_WEBHOOK_SECRET",
                message: "must be 1-256 characters of A-Z, a-z, 0-9, _ and -".into(),
            });
        }
        let listen = var("RADAR_LISTEN")?
            .unwrap_or_else(|| "0.0.0.0:8080".into())
            .parse::<SocketAddr>()
            .map_err(|e| ConfigError {
                var: "RADAR_LISTEN",
                message: format!("is not an address like 0.0.0.0:8080: {e}"),
            })?;
        let request_timeout = match var("RADAR_TELEGRAM_TIMEOUT")? {
            None => std::time::Duration::from_secs(20),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (1..=300).contains(&n) => std::time::Duration::from_secs(n),
                _ => {
                    return Err(ConfigError {
                        var: "RADAR_TELEGRAM_TIMEOUT",
                        message: format!("{v:?} is not a number of seconds between 1 and 300"),
                    });
                }
            },
        };
        let send_rate = match var("RADAR_SEND_RATE")? {
            None => NonZeroU32::new(30),
            Some(v) => NonZeroU32::new(v.parse::<u32>().map_err(|_| ConfigError {
                var: "RADAR_SEND_RATE",
                message: format!(
                    "{v:?} is not a whole number of messages per second (0 turns limiting off)"
                ),
            })?),
        };
        let key_retention = match var("RADAR_KEY_RETENTION")? {
            None => DEFAULT_KEY_RETENTION,
            Some(v) => parse_retention(&v).map_err(|message| ConfigError {
                var: "RADAR_KEY_RETENTION",
                message,
            })?,
        };
        let public_url = url("RADAR_PUBLIC_URL")?;
        if let Some(u) = &public_url
            && u.scheme() != "https"
        {
            return Err(ConfigError {
                var: "RADAR_PUBLIC_URL",
                message: format!(
                    "must be an https:// URL (Telegram opens Mini Apps over HTTPS only), not {}://",
                    u.scheme()
                ),
            });
        }
        let app_max_age = match var("RADAR_APP_MAX_AGE")? {
            None => DEFAULT_APP_MAX_AGE,
            Some(v) => humantime::parse_duration(&v).map_err(|e| ConfigError {
                var: "RADAR_APP_MAX_AGE",
                message: format!("{v:?} is not a duration like 1d or 12h ({e})"),
            })?,
        };
        let pool_size = match var("RADAR_DB_POOL_SIZE")? {
            None => None,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (2..=200).contains(&n) => Some(n),
                _ => {
                    return Err(ConfigError {
                        var: "RADAR_DB_POOL_SIZE",
                        message: format!("{v:?} is not a number of connections between 2 and 200"),
                    });
                }
            },
        };
        let group_commit = match var("RADAR_GROUP_COMMIT")?.as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(v) => {
                return Err(ConfigError {
                    var: "RADAR_GROUP_COMMIT",
                    message: format!("{v:?} is neither on nor off"),
                });
            }
        };
        Ok(ServeConfig {
            token,
            api_url,
            webhook_url,
            webhook_secret,
            listen,
            request_timeout,
            send_rate,
            key_retention,
            public_url,
            app_max_age,
            pool_size,
            group_commit,
        })
    }
}

/// Database connections `radar serve` keeps at most, by backend, sized by
/// measurement (BENCHMARKS.md, "pool"): on SQLite the writes go through one
/// group committer and no connection is held across a Telegram call, so a
/// few readers suffice (each connection has its own page cache: more of
/// them is more memory and more page re-reads after each commit); on
/// PostgreSQL a reply's delivery holds its lease (a row lock, so a
/// connection) across `sendMessage`.
pub fn default_pool_size(backend: radar_store::Backend) -> usize {
    match backend {
        radar_store::Backend::Sqlite => 4,
        radar_store::Backend::Postgres => 16,
    }
}

/// A day: how long a Mini App's initData is accepted (Telegram's example
/// check uses the same order of magnitude; the page is reopened daily).
pub const DEFAULT_APP_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(86_400);

/// Seven days: well past the 24 hours Telegram keeps an undelivered update.
pub const DEFAULT_KEY_RETENTION: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);

/// The shortest retention: a key must outlive every redelivery of its
/// update (Telegram keeps an undelivered update for 24 hours), or a
/// redelivered command would be applied twice.
pub const MIN_KEY_RETENTION: std::time::Duration = std::time::Duration::from_secs(86_400);

/// `"7d"`, `"36h"`, `"2weeks"` (humantime's format) of at least a day.
pub fn parse_retention(v: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(v)
        .map_err(|e| format!("{v:?} is not a duration like 7d or 36h ({e})"))?;
    if d < MIN_KEY_RETENTION {
        return Err(format!(
            "{v:?} is shorter than 24h: Telegram may deliver an update again for 24 hours, and a key deleted before that would let it be applied twice"
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_users() {
        assert_eq!(parse_allowed("").unwrap(), HashSet::new());
        assert_eq!(
            parse_allowed("1, 2,3").unwrap(),
            HashSet::from([UserId(1), UserId(2), UserId(3)])
        );
        assert!(parse_allowed("1,abc").unwrap_err().contains("\"abc\""));
    }

    #[test]
    fn key_retention() {
        use std::time::Duration;
        assert_eq!(parse_retention("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_retention("36h"), Ok(Duration::from_secs(36 * 3600)));
        assert_eq!(parse_retention("1day"), Ok(MIN_KEY_RETENTION));
        assert!(
            parse_retention("23h 59m")
                .unwrap_err()
                .contains("shorter than 24h")
        );
        assert!(parse_retention("soon").unwrap_err().contains("\"soon\""));
        assert!(parse_retention("7").is_err(), "a unit is required");
        assert!(DEFAULT_KEY_RETENTION >= MIN_KEY_RETENTION);
    }
}
