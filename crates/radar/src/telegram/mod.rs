//! The Telegram adapter: durable receipt (polling or webhook), the handler
//! tree feeding the engine, outbox delivery, the HTTP listener, shutdown.

pub mod bot_api;
pub mod dispatch;
pub mod handlers;
pub mod http;
pub mod outbox;
pub mod ready;
pub mod receive;
pub mod update;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{BotCommand, Me};
use teloxide::{ApiError, RequestError};
use tokio_util::sync::CancellationToken;

pub use handlers::schema;

use crate::config::{Config, ConfigError, ServeConfig};
use crate::housekeeping::Housekeeping;
use crate::metrics::Metrics;
use radar_engine::{Engine, EngineConfig, EngineError, Handled, Incoming, Lang};
use radar_store::{Db, MigrateOp, UserId, processed_messages};
use ready::{Phase, Readiness};
use receive::{Backoff, sleep_or_cancel};

/// At most this many jobs (updates, receipt batches, "sent" marks) share one
/// group commit. Past a few dozen the commit is no longer the cost, and a
/// bigger group only makes its first job wait longer for its answer.
pub const GROUP_MAX: usize = 64;

/// For the crash tests only: with `RADAR_TEST_HOLD_GROUP_COMMIT=FILE`, the
/// first group of two or more jobs stops just before its `COMMIT`, after
/// writing its job count to FILE, and waits there for the SIGKILL.
fn hold_group_commit() -> Option<radar_store::group::BeforeCommit> {
    let file = std::env::var_os("RADAR_TEST_HOLD_GROUP_COMMIT")?;
    Some(Arc::new(move |jobs| {
        let file = file.clone();
        Box::pin(async move {
            if jobs >= 2 {
                let _ = std::fs::write(&file, jobs.to_string());
                std::future::pending::<()>().await;
            }
        })
    }))
}

/// Everything the handlers need, passed as one dependency.
pub struct App {
    pub engine: Engine,
    /// The database, for receipts and the outbox (commands go through `engine`).
    pub db: Db,
    pub allowed: HashSet<UserId>,
    /// Who Radar is on Telegram (groups: mentions, replies to it).
    pub me: receive::Me,
    pub sender: outbox::Sender,
    pub metrics: Arc<Metrics>,
    pub cancel: CancellationToken,
}

impl App {
    /// Applies a message, riding out a database outage: while the database
    /// is away, it is retried with backoff until it answers or Radar stops
    /// (the update stays stored and is replayed at the next start).
    pub async fn apply(&self, msg: &Incoming) -> Result<Handled, EngineError> {
        let mut backoff = Backoff::default();
        loop {
            match self.engine.handle(msg).await {
                Err(e) if e.is_unavailable() && !self.cancel.is_cancelled() => {
                    tracing::warn!(error = %e, "database unavailable; retrying");
                    if sleep_or_cancel(backoff.next_delay(), &self.cancel).await {
                        return Err(e);
                    }
                }
                r => return r,
            }
        }
    }

    /// Marks an update processed without applying it (a poison update, or a
    /// stored one that can no longer be read), so it does not block its chat.
    pub async fn give_up(&self, key: &str) {
        let given_up = async {
            let mut conn = self.db.get().await?;
            processed_messages::give_up(&mut conn, key, chrono::Utc::now().naive_utc()).await
        }
        .await;
        if let Err(e) = given_up {
            tracing::error!(key, error = %e, "could not record the update as given up; it will be tried again");
        }
    }
}

/// The command menu (`setMyCommands`) in `lang`, from the engine's command
/// table: the same commands and words as `/help`.
pub fn commands(lang: Lang) -> Vec<BotCommand> {
    radar_engine::help::menu(lang)
        .into_iter()
        .map(|(c, d)| BotCommand::new(c, d))
        .collect()
}

/// Resolves on SIGTERM (what `docker stop` sends) or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn bot(sc: &ServeConfig, timeout: Duration) -> anyhow::Result<Bot> {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(timeout)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot build the HTTP client: {e}"))?;
    let mut bot = Bot::with_client(sc.token.clone(), client);
    if let Some(url) = &sc.api_url {
        bot = bot.set_api_url(url.clone());
    }
    Ok(bot)
}

/// Retries `f` with backoff until it succeeds or Radar is stopped.
async fn retry<T, E: std::fmt::Display, F: AsyncFnMut() -> Result<T, E>>(
    what: &str,
    cancel: &CancellationToken,
    mut f: F,
) -> Option<T> {
    let mut backoff = Backoff::default();
    loop {
        match f().await {
            Ok(v) => return Some(v),
            Err(e) => {
                tracing::warn!(error = %e, "{what} failed; retrying");
                if sleep_or_cancel(backoff.next_delay(), cancel).await {
                    return None;
                }
            }
        }
    }
}

/// `getMe`, retried while the Bot API cannot be reached or fails; `None`
/// when Radar is stopped meanwhile. A refused token (401 Unauthorized, or
/// 404 for a malformed one) stops Radar: no retry would fix it.
async fn get_me(bot: &Bot, cancel: &CancellationToken) -> Result<Option<Me>, ConfigError> {
    let mut backoff = Backoff::default();
    loop {
        match bot.get_me().await {
            Ok(me) => return Ok(Some(me)),
            Err(RequestError::Api(ApiError::InvalidToken)) => {
                return Err(ConfigError {
                    var: "TELOXIDE_TOKEN",
                    message: "Telegram refused the token (getMe: Unauthorized); \
                              copy the bot's current token from @BotFather"
                        .into(),
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "getMe failed; retrying");
                if sleep_or_cancel(backoff.next_delay(), cancel).await {
                    return Ok(None);
                }
            }
        }
    }
}

/// `radar serve`.
pub async fn serve(cfg: Config, sc: ServeConfig, webhook: bool) -> anyhow::Result<()> {
    let cancel = CancellationToken::new();
    let metrics = Arc::new(Metrics::new());
    let backend = cfg.database_url.backend();
    let pool_size = sc
        .pool_size
        .unwrap_or_else(|| crate::config::default_pool_size(backend));
    let db = Db::connect(&cfg.database_url, pool_size)?;
    // One committer on SQLite (one writer per file); on PostgreSQL a few,
    // each with its own transaction, so the server's cores stay busy.
    let committers = match backend {
        radar_store::Backend::Sqlite => 1,
        radar_store::Backend::Postgres => (pool_size / 4).max(1),
    };
    let group = sc.group_commit.then(|| {
        radar_store::group::GroupCommit::start_with(
            db.clone(),
            committers,
            GROUP_MAX,
            hold_group_commit(),
        )
    });
    let ready = Arc::new(Readiness::new(db.clone()));
    {
        let cancel = cancel.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("stopping: finishing in-flight work");
            ready.set(Phase::Stopping);
            cancel.cancel();
        });
    }
    let sender = outbox::Sender::new(
        db.clone(),
        metrics.clone(),
        outbox::Limits::new(sc.send_rate),
    );
    // SQLite: the "sent" marks share the commands' commits. (PostgreSQL
    // records them in the delivery's own transaction, which holds the lease.)
    let sender = match &group {
        Some(g) if backend == radar_store::Backend::Sqlite => sender.with_group_commit(g.clone()),
        _ => sender,
    };

    // The HTTP listener first, served at once: /healthz answers and /readyz
    // says what Radar waits for while it starts; the webhook route answers
    // 503 (Telegram delivers again) until the webhook is registered.
    let listener = tokio::net::TcpListener::bind(sc.listen)
        .await
        .map_err(|e| ConfigError {
            var: "RADAR_LISTEN",
            message: format!("cannot listen on {}: {e}", sc.listen),
        })?;
    let (feed, updates) = dispatch::feed();
    let target = http::WebhookTarget::default();
    let webhook_url = if webhook {
        Some(sc.webhook_url.clone().expect("checked by ServeConfig"))
    } else {
        None
    };
    let hook = webhook_url.as_ref().map(|url| {
        let path = if url.path().is_empty() {
            "/".to_string()
        } else {
            url.path().to_string()
        };
        let hook = http::Webhook {
            path,
            secret: sc.webhook_secret.clone(),
            feed: feed.clone(),
        };
        (hook, target.clone())
    });
    let mut router = http::router(metrics.clone(), ready.clone(), hook);
    let board = crate::board::BoardTarget::default();
    if sc.public_url.is_some() {
        router = router.merge(crate::board::router(board.clone()));
    }
    let http_cancel = cancel.clone();
    let http = tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(http_cancel.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "HTTP listener failed");
        }
    });

    let send_bot = bot(&sc, sc.request_timeout)?;
    let poll_bot = bot(&sc, Duration::from_secs(40))?;

    // Migrations (under an advisory lock on PostgreSQL), retried while the
    // database is away. A cause waiting will not cure (a wrong login or
    // database name, an unusable SQLite file) stops Radar with its reason.
    let mut backoff = Backoff::default();
    loop {
        match radar_store::migrate(&cfg.database_url, MigrateOp::Run { dry_run: false }).await {
            Ok(_) => break,
            Err(e) if e.is_permanent() => return Err(e.into()),
            Err(e) => {
                tracing::warn!(error = %e, "migrations failed; retrying");
                if sleep_or_cancel(backoff.next_delay(), &cancel).await {
                    return Ok(());
                }
            }
        }
    }
    ready.set(Phase::ConnectingBotApi);
    let Some(me) = get_me(&send_bot, &cancel).await? else {
        return Ok(());
    };
    let username = me.username.clone();
    tracing::info!(bot = ?username, "connected to the Bot API");
    let identity = receive::Me {
        id: me.id.0 as i64,
        username: username.clone(),
    };

    // The default menu is English; each other language is registered for
    // the clients that use it (Telegram picks by the user's language_code).
    for lang in Lang::ALL {
        let mut req = send_bot.set_my_commands(commands(lang));
        if lang != Lang::En {
            req = req.language_code(lang.code());
        }
        if let Err(e) = req.await {
            tracing::warn!(error = %e, "setMyCommands failed");
        }
    }

    let engine = Engine::new(
        db.clone(),
        EngineConfig {
            tz: cfg.timezone,
            bot_username: username,
            board_url: sc.board_url(),
            clock: cfg.clock(),
        },
    );
    let engine = match group {
        Some(g) => engine.with_group_commit(g),
        None => engine,
    };
    if let Some(url) = sc.board_url() {
        board.open(crate::board::BoardApp {
            engine: engine.clone(),
            allowed: cfg.allowed_users.clone(),
            key: crate::board::auth::SecretKey::from_token(&sc.token),
            max_age: sc.app_max_age,
        });
        // The chat's menu button opens the board (every private chat with
        // the bot; Telegram shows it next to the message field).
        match url::Url::parse(&url) {
            Ok(u) => {
                let button = teloxide::types::MenuButton::WebApp {
                    text: radar_engine::board::menu_label(Lang::En),
                    web_app: teloxide::types::WebAppInfo { url: u },
                };
                if let Err(e) = send_bot.set_chat_menu_button().menu_button(button).await {
                    tracing::warn!(error = %e, "setChatMenuButton failed");
                }
            }
            Err(e) => tracing::warn!(error = %e, "board URL"),
        }
    }
    let app = Arc::new(App {
        engine,
        db: db.clone(),
        allowed: cfg.allowed_users.clone(),
        me: identity,
        sender: sender.clone(),
        metrics,
        cancel: cancel.clone(),
    });

    if let Some(url) = webhook_url {
        ready.set(Phase::RegisteringWebhook);
        let mut req = send_bot
            .set_webhook(url)
            .allowed_updates(receive::allowed_updates());
        if let Some(s) = &sc.webhook_secret {
            req = req.secret_token(s.clone());
        }
        let sent = retry("setWebhook", &cancel, async || req.clone().await).await;
        if sent.is_none() {
            return Ok(());
        }
        tracing::info!("webhook registered");
        target.open(app.clone());
    } else if retry("deleteWebhook", &cancel, async || {
        send_bot.delete_webhook().await
    })
    .await
    .is_none()
    {
        return Ok(());
    }

    // Stored-but-unprocessed updates go first, then new ones.
    ready.set(Phase::Replaying);
    let (first_pass, first_pass_done) = tokio::sync::oneshot::channel();
    let replay = tokio::spawn(receive::replay(
        app.clone(),
        feed.clone(),
        cancel.clone(),
        Duration::from_secs(30),
        first_pass,
    ));
    let _ = first_pass_done.await;
    let poller = if webhook {
        None
    } else {
        Some(tokio::spawn(receive::poll(
            poll_bot,
            app.clone(),
            feed.clone(),
            cancel.clone(),
        )))
    };
    drop(feed);
    let delivery = tokio::spawn(sender.clone().run(send_bot.clone(), cancel.clone()));
    let housekeeping = tokio::spawn(
        Housekeeping {
            db: db.clone(),
            metrics: app.metrics.clone(),
            retention: sc.key_retention,
        }
        .run(cancel.clone()),
    );
    let digests = tokio::spawn(crate::digest::run(app.engine.clone(), cancel.clone()));
    ready.set(Phase::Receiving);
    tracing::info!(mode = if webhook { "webhook" } else { "polling" }, listen = %sc.listen, "Radar is running");

    // Runs until every receiver has stopped (on SIGTERM/Ctrl-C) and the
    // queued updates are handled.
    dispatch::run(
        updates,
        schema(),
        dptree::deps![send_bot.clone(), app.clone()],
    )
    .await;

    for t in [http, replay, housekeeping, digests]
        .into_iter()
        .chain(poller)
    {
        let _ = t.await;
    }
    let _ = delivery.await;
    tracing::info!("stopped");
    Ok(())
}
