//! `radar-bench`: Radar's load generator. See BENCHMARKS.md.
//!
//! Every subcommand prints a human summary and, as its last line, one JSON
//! object with the figures.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use radar_bench::{self as bench, Shape, Target};
use radar_store::DbUrl;

#[derive(Parser)]
#[command(
    name = "radar-bench",
    version,
    about = "Radar's load generator (see BENCHMARKS.md)"
)]
struct Cli {
    /// Tokio worker threads of radar-bench itself: 0 = one per core, as `radar serve`
    /// runs; 1 = a single-threaded runtime.
    #[arg(long, global = true, default_value_t = 0)]
    threads: usize,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Args, Clone)]
struct Db {
    /// The database: postgres://… or a SQLite file path.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
}

#[derive(Args, Clone, Copy)]
struct ShapeArgs {
    /// Users 1..=U.
    #[arg(long, default_value_t = 64)]
    users: u64,
    /// Projects; user u works in project ((u-1) % P) + 1.
    #[arg(long, default_value_t = 64)]
    projects: u64,
    /// Seeded features per project.
    #[arg(long, default_value_t = 20)]
    features: u64,
    /// Seeded releases per project.
    #[arg(long, default_value_t = 3)]
    releases: u64,
}

impl ShapeArgs {
    fn shape(self) -> Shape {
        Shape {
            users: self.users,
            projects: self.projects.max(1),
            features: self.features.max(1),
            releases: self.releases.max(1),
        }
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// The command mix straight into the engine.
    Engine {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        shape: ShapeArgs,
        /// Commands to run (N).
        #[arg(short = 'n', long, default_value_t = 20_000)]
        commands: u64,
        /// Concurrent workers (C).
        #[arg(short = 'c', long, default_value_t = 8)]
        concurrency: usize,
        /// Reply to the console chat (stored as delivered) instead of each user's chat.
        #[arg(long)]
        console_chat: bool,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// No progress bar.
        #[arg(short, long)]
        quiet: bool,
        /// SQLite: write each worker's statements (values inlined) to DIR/worker-W.sql for sqlite3.
        #[arg(long, value_name = "DIR")]
        capture: Option<std::path::PathBuf>,
        /// With --capture: replay every K consecutive commands of a worker in one
        /// transaction, each in its own SAVEPOINT (what a group commit of K updates runs).
        #[arg(long, value_name = "K", default_value_t = 1, requires = "capture")]
        capture_batch: usize,
        /// Apply commands through the group commit, as `radar serve` does (commands of
        /// concurrent workers share one transaction and one commit, each in a savepoint).
        #[arg(long, conflicts_with = "capture")]
        group_commit: bool,
    },
    /// The mix through the real `radar serve` (polling), or any Bot API client (--bot-cmd),
    /// against the fake Bot API.
    #[command(after_help = bench::e2e::BOT_ENV)]
    E2e {
        /// The database (postgres://… or a SQLite file); not needed with --null-bot, optional
        /// with --bot-cmd.
        #[arg(long, env = "DATABASE_URL")]
        database_url: Option<String>,
        /// Updates to push (N).
        #[arg(short = 'n', long, default_value_t = 20_000)]
        commands: u64,
        /// Chats (C), each with one command in flight.
        #[arg(short = 'c', long, default_value_t = 64)]
        chats: u64,
        #[arg(long, default_value_t = 20)]
        features: u64,
        #[arg(long, default_value_t = 3)]
        releases: u64,
        /// Drive a bot that only answers "ok" instead of Radar: the fake's own ceiling.
        #[arg(long, conflicts_with_all = ["bot_cmd", "radar"])]
        null_bot: bool,
        /// The radar binary (default: next to radar-bench).
        #[arg(long, conflicts_with = "bot_cmd")]
        radar: Option<std::path::PathBuf>,
        /// Run CMD (through `sh -c`) as the bot instead of `radar serve`: any Bot API client,
        /// same load, fake and checks (its environment: below).
        #[arg(long, value_name = "CMD")]
        bot_cmd: Option<String>,
        /// With --bot-cmd: hand DATABASE_URL to the bot as it is (no Radar schema, no seed).
        #[arg(long, requires = "bot_cmd")]
        no_seed: bool,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(short, long)]
        quiet: bool,
    },
    /// Fill event_log to M events, then time "what changed" and "history of #N" and check the plans.
    History {
        #[command(flatten)]
        db: Db,
        /// Events in event_log after the fill (M).
        #[arg(short = 'm', long, default_value_t = 1_000_000)]
        events: u64,
        #[arg(long, default_value_t = 100)]
        projects: u64,
        #[arg(long, default_value_t = 200)]
        features: u64,
        /// Spread the events over this many days.
        #[arg(long, default_value_t = 365)]
        days: u64,
        /// Timed commands per query.
        #[arg(short = 'i', long, default_value_t = 200)]
        iterations: u64,
        #[arg(short, long)]
        quiet: bool,
    },
    /// The statements the engine runs for one command of each kind (run it on a fresh database).
    Sql {
        #[command(flatten)]
        db: Db,
        /// Compare with the scripts in DIR (crates/radar-bench/bench); exit 1 if they differ.
        #[arg(long, value_name = "DIR")]
        check: Option<std::path::PathBuf>,
        /// Rewrite the SQLite scripts in DIR/sqlite from the capture.
        #[arg(long, value_name = "DIR", conflicts_with = "check")]
        write: Option<std::path::PathBuf>,
    },
    /// Parse time per message on the language corpus (the parser alone, no database).
    Parse {
        /// Times each corpus message is parsed.
        #[arg(short = 'r', long, default_value_t = 20)]
        rounds: u32,
        /// Print the N slowest messages to stderr.
        #[arg(long, default_value_t = 5)]
        slowest: usize,
    },
    /// The board's server time (Mini App): one project of N features, `Engine::board` + JSON.
    Board {
        #[command(flatten)]
        db: Db,
        #[arg(long, default_value_t = 200)]
        features: u64,
        #[arg(short, long, default_value_t = 200)]
        iterations: u64,
        #[arg(short, long)]
        quiet: bool,
    },
    /// Only create the seeded projects, features and releases (compare.sh runs it before pgbench).
    Seed {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        shape: ShapeArgs,
        #[arg(short, long)]
        quiet: bool,
    },
}

fn url(db: &Db) -> anyhow::Result<DbUrl> {
    DbUrl::parse(&db.database_url).map_err(|e| anyhow::anyhow!("DATABASE_URL: {e}"))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Cmd::Engine {
            db,
            shape,
            commands,
            concurrency,
            console_chat,
            seed,
            quiet,
            capture,
            capture_batch,
            group_commit,
        } => {
            bench::engine::main(bench::engine::Options {
                url: url(&db)?,
                commands,
                concurrency,
                shape: shape.shape(),
                console_chat,
                seed,
                quiet,
                capture,
                capture_batch,
                group_commit,
            })
            .await
        }
        Cmd::E2e {
            database_url,
            commands,
            chats,
            features,
            releases,
            null_bot,
            radar,
            bot_cmd,
            no_seed,
            seed,
            quiet,
        } => {
            let url = match database_url {
                Some(u) if !null_bot => {
                    Some(DbUrl::parse(&u).map_err(|e| anyhow::anyhow!("DATABASE_URL: {e}"))?)
                }
                _ => None,
            };
            bench::e2e::main(bench::e2e::Options {
                url,
                commands,
                chats,
                features,
                releases,
                null_bot,
                radar,
                bot_cmd,
                no_seed,
                seed,
                quiet,
            })
            .await
        }
        Cmd::History {
            db,
            events,
            projects,
            features,
            days,
            iterations,
            quiet,
        } => {
            bench::history::main(bench::history::Options {
                url: url(&db)?,
                events,
                projects: projects.max(1),
                features: features.max(1),
                days: days.max(1),
                iterations: iterations.max(1),
                quiet,
            })
            .await
        }
        Cmd::Sql { db, check, write } if check.is_some() || write.is_some() => {
            let dir = check
                .as_ref()
                .or(write.as_ref())
                .cloned()
                .unwrap_or_default();
            let diffs = bench::sql::check(&url(&db)?, &dir, write.is_some()).await?;
            if diffs.is_empty() {
                println!("{{\"bench\":\"sql\",\"in_sync\":true}}");
                Ok(())
            } else {
                anyhow::bail!("{}", diffs.join("\n"))
            }
        }
        Cmd::Sql { db, .. } => {
            for (kind, stmts) in bench::sql::capture(&url(&db)?).await? {
                println!("-- {}: {} statements", kind.name(), stmts.len());
                for s in stmts {
                    println!("{s}");
                }
            }
            Ok(())
        }
        Cmd::Board {
            db,
            features,
            iterations,
            quiet,
        } => {
            bench::board::main(bench::board::Options {
                url: url(&db)?,
                features: features.max(1),
                iterations: iterations.max(1),
                quiet,
            })
            .await
        }
        Cmd::Parse { rounds, slowest } => {
            bench::parse::main(bench::parse::Options { rounds, slowest })
        }
        Cmd::Seed { db, shape, quiet } => {
            let target = Target::open(&url(&db)?, 8).await?;
            bench::seed(&target, &shape.shape(), 8, quiet).await?;
            println!("{{\"bench\":\"seed\",\"projects\":{}}}", shape.projects);
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match cli.threads {
        0 => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
        1 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build(),
    };
    let rt = match rt {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("radar-bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("radar-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
