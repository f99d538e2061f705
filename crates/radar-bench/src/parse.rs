//! `radar-bench parse`: how long understanding one message takes, on the
//! language corpus (`crates/radar-engine/tests/corpus/`) against its fixed
//! project state. No database: this is the parser alone (tokenizing, every
//! rule that may match, name resolution, building the command).

use std::time::Instant;

use hdrhistogram::Histogram;
use radar_engine::language::understand;
use radar_testkit::corpus;

pub struct Options {
    /// Times each message is parsed (the figure is per parse).
    pub rounds: u32,
    /// The slowest messages to print to stderr.
    pub slowest: usize,
}

/// Prints one JSON line: messages, parses, p50/p99/max in µs.
pub fn main(o: Options) -> anyhow::Result<()> {
    let ctx = corpus::parse_ctx();
    let mut hist = Histogram::<u64>::new(3)?;
    let mut per_message: Vec<(u64, &'static str)> = Vec::new();
    let entries = corpus::entries();
    let rounds = o.rounds.max(1);
    // The grammar is compiled on first use: not part of any message's time.
    std::hint::black_box(understand("/help", &ctx, &corpus::world()));
    for e in &entries {
        let world = corpus::world_for(e).map_err(anyhow::Error::msg)?;
        let mut worst = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            std::hint::black_box(understand(e.message, &ctx, &world));
            let ns = u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX);
            hist.record(ns.max(1))?;
            worst = worst.max(ns);
        }
        per_message.push((worst, e.message));
    }
    per_message.sort_by_key(|m| std::cmp::Reverse(m.0));
    for (ns, m) in per_message.iter().take(o.slowest) {
        eprintln!("{:>8.1} µs  {m}", *ns as f64 / 1000.0);
    }
    let us = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{{\"bench\":\"parse\",\"messages\":{},\"parses\":{},\"p50_us\":{:.1},\"p99_us\":{:.1},\"max_us\":{:.1}}}",
        entries.len(),
        hist.len(),
        us(0.5),
        us(0.99),
        hist.max() as f64 / 1000.0
    );
    Ok(())
}
