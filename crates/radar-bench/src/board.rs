//! `radar-bench board`: the board's server time (issue 11's budget: a board
//! of 200 features in under 300 ms). Creates one project with N features
//! (statuses, teams and releases spread over them, every feature with a few
//! events) through the engine, then times `Engine::board` plus its JSON
//! encoding — what `GET /app/api/board` does after the initData check —
//! and `Engine::card` (a card's details and history).

use std::time::Instant;

use radar_engine::{Handled, Incoming, Lang};
use radar_store::{DbUrl, UserId};
use serde_json::json;

use crate::{Latencies, Target, run_id};

#[derive(Debug, Clone)]
pub struct Options {
    pub url: DbUrl,
    pub features: u64,
    pub iterations: u64,
    pub quiet: bool,
}

const USER: UserId = UserId(1);

pub async fn main(o: Options) -> anyhow::Result<()> {
    let target = Target::open(&o.url, 4).await?;
    let run = run_id();
    let mut n = 0;
    let mut say = async |text: String| -> anyhow::Result<()> {
        n += 1;
        let mut msg = Incoming::console(&run, n, USER, Lang::En, &text);
        msg.authorized = true;
        match target.engine.handle(&msg).await? {
            Handled::Replied(_) => Ok(()),
            Handled::Duplicate => anyhow::bail!("duplicate key"),
        }
    };
    say(format!("/newproject Board bench {run}")).await?;
    for r in 1..=3 {
        say(format!("/release {r}.0")).await?;
    }
    let statuses = ["planned", "in progress", "blocked", "done", "backlog"];
    for i in 1..=o.features {
        say(format!(
            "/add Feature number {i}: a description of feature {i}"
        ))
        .await?;
        say(format!("/status {i} {}", statuses[(i % 5) as usize])).await?;
        say(format!("/team {i} Team {}", i % 4)).await?;
        say(format!("/plan {i} {}.0", i % 3 + 1)).await?;
    }
    let mut board = Latencies::default();
    let mut bytes = 0;
    for _ in 0..o.iterations {
        let t = Instant::now();
        let b = target.engine.board(USER, Lang::En).await?;
        let body = serde_json::to_vec(&b)?;
        board.record(t.elapsed());
        bytes = body.len();
    }
    let mut card = Latencies::default();
    for i in 0..o.iterations {
        let t = Instant::now();
        let c = target
            .engine
            .card(USER, Lang::En, (i % o.features + 1) as i64)
            .await?;
        let _ = serde_json::to_vec(&c)?;
        card.record(t.elapsed());
    }
    if !o.quiet {
        println!(
            "board of {} features ({} KiB JSON): p50 {:.2} ms, p99 {:.2} ms; a card with its history: p50 {:.2} ms, p99 {:.2} ms",
            o.features,
            bytes / 1024,
            board.ms(0.5),
            board.ms(0.99),
            card.ms(0.5),
            card.ms(0.99)
        );
    }
    println!(
        "{}",
        json!({
            "bench": "board",
            "features": o.features,
            "json_bytes": bytes,
            "board_p50_ms": board.ms(0.5),
            "board_p99_ms": board.ms(0.99),
            "card_p50_ms": card.ms(0.5),
            "card_p99_ms": card.ms(0.99),
        })
    );
    Ok(())
}
