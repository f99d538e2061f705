//! The `radar` binary: command-line parsing and wiring; errors end here as
//! one line on stderr.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use radar::config::{Config, LogConfig, LogFormat};
use radar::console::Console;
use radar_engine::{Engine, EngineConfig, Lang};
use radar_store::{Db, MigrateOp};

#[derive(Parser)]
#[command(
    name = "radar",
    version,
    about = "Radar: a Telegram bot for a product owner's projects, features and releases"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the Telegram bot (long polling, or --webhook).
    Serve {
        /// Receive updates by webhook (RADAR_WEBHOOK_URL) instead of long polling.
        #[arg(long)]
        webhook: bool,
    },
    /// Chat with Radar in the console: each stdin line is one message.
    Chat {
        /// The user id the messages come from.
        #[arg(long, default_value_t = 1)]
        user_id: i64,
        /// Reply language.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        /// Handle this one message, print the reply and exit.
        #[arg(short = 'm', long = "message")]
        message: Option<String>,
    },
    /// Schema migrations (also applied at the start of serve and chat).
    Migrate {
        #[command(subcommand)]
        op: MigrateCmd,
    },
    /// Load demo projects, features and releases (a second run changes nothing).
    Seed,
    /// Print a user's daily digest for today (yesterday's changes in their
    /// active project), as `radar serve` sends it; nothing is sent or recorded.
    Digest {
        /// The user's id.
        #[arg(long)]
        user: i64,
    },
    /// Back up the SQLite database into a new file PATH, also while `radar serve`
    /// runs (on PostgreSQL: says how to use pg_dump).
    Backup {
        /// The new file (never overwritten).
        path: std::path::PathBuf,
    },
    /// Copy everything into another, empty database (SQLite to PostgreSQL or back),
    /// then compare row counts and checksums of every table.
    Copy {
        /// The database to copy into (migrated first; must be empty).
        #[arg(long)]
        to: String,
        /// The database to copy from (default: DATABASE_URL).
        #[arg(long)]
        from: Option<String>,
    },
    /// Verify the database: migrations, schema, foreign keys, undo links, every
    /// event decodes, every feature equals the replay of its events. Exit 0 only when clean.
    Check,
}

#[derive(Subcommand)]
enum MigrateCmd {
    /// List migrations and whether each is applied.
    Status,
    /// Apply pending migrations.
    Run {
        /// Only list what would be applied.
        #[arg(long)]
        dry_run: bool,
    },
    /// Revert the last migration (or all of them).
    Revert {
        #[arg(long)]
        all: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    En,
    Ru,
}

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let log = match LogConfig::from_env() {
        Ok(log) => log,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "radar: {e}");
            return ExitCode::FAILURE;
        }
    };
    let json = log.format == LogFormat::Json;
    log.init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("radar: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: a JSON log line when logs are JSON, so that a
            // collector reads the reason Radar stopped like any other line.
            if json {
                tracing::error!("radar: {e:#}");
            } else {
                let _ = writeln!(std::io::stderr(), "radar: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn open(cfg: &Config) -> anyhow::Result<Engine> {
    let applied =
        radar_store::migrate(&cfg.database_url, MigrateOp::Run { dry_run: false }).await?;
    tracing::debug!(migrations = applied.len(), "schema up to date");
    let db = Db::connect(&cfg.database_url, 4)?;
    Ok(Engine::new(
        db,
        EngineConfig {
            tz: cfg.timezone,
            clock: cfg.clock(),
            ..EngineConfig::default()
        },
    ))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let cfg = Config::from_env()?;
    match cli.command {
        Cmd::Serve { webhook } => {
            let serve = radar::config::ServeConfig::from_env(webhook)?;
            radar::telegram::serve(cfg, serve, webhook).await?;
        }
        Cmd::Chat {
            user_id,
            lang,
            message,
        } => {
            let lang = match lang {
                LangArg::En => Lang::En,
                LangArg::Ru => Lang::Ru,
            };
            let engine = open(&cfg).await?;
            let mut console = Console::new(engine, radar_store::UserId(user_id), lang);
            match message {
                Some(m) => {
                    let reply = console
                        .say(&m)
                        .await
                        .map_err(|e| anyhow::anyhow!(e.user_message(lang)))?;
                    println!("{reply}");
                }
                None => console.run_stdin().await?,
            }
        }
        Cmd::Migrate { op } => {
            let op = match op {
                MigrateCmd::Status => MigrateOp::Status,
                MigrateCmd::Run { dry_run } => MigrateOp::Run { dry_run },
                MigrateCmd::Revert { all } => MigrateOp::Revert { all },
            };
            let states = radar_store::migrate(&cfg.database_url, op).await?;
            let pending = states.iter().filter(|s| !s.applied).count();
            for s in &states {
                let mark = match (s.applied, op) {
                    (true, _) => "applied",
                    (false, MigrateOp::Run { dry_run: true }) => "would apply",
                    (false, _) => "pending",
                };
                println!("{mark:>12}  {}", s.version);
            }
            println!("{} applied, {} pending", states.len() - pending, pending);
        }
        Cmd::Digest { user } => {
            let engine = open(&cfg).await?;
            match engine.digest_now(radar_store::UserId(user)).await? {
                Ok(d) => println!("{}", radar_engine::render::html_to_plain(&d.html)),
                Err(why) => println!("{}", radar_engine::render::html_to_plain(&why)),
            }
        }
        Cmd::Backup { path } => radar::operator::backup(&cfg.database_url, &path).await?,
        Cmd::Copy { to, from } => {
            let url = |flag: &str, v: &str| {
                radar_store::DbUrl::parse(v).map_err(|m| anyhow::anyhow!("{flag}: {m}"))
            };
            let to = url("--to", &to)?;
            let from = match from {
                Some(f) => url("--from", &f)?,
                None => cfg.database_url.clone(),
            };
            radar::operator::copy(&from, &to).await?;
        }
        Cmd::Check => radar::operator::check(&cfg.database_url).await?,
        Cmd::Seed => {
            let engine = open(&cfg).await?;
            let r = radar::seed::seed(&engine).await?;
            println!(
                "seed: {} commands applied, {} already applied before (nothing changed for those)",
                r.applied, r.already
            );
        }
    }
    Ok(())
}
