//! The corpus (`tests/corpus/`, see its README): realistic messages of
//! product owners in English and Russian, each with the command it must be
//! understood as against a fixed project state, `ask`, or `none`. Prints
//! the share understood per language and per intent; fails below 95 %, or
//! when any message would change data it should not.

use std::collections::BTreeMap;

use radar_engine::language::{Problem, Understanding, understand};
use radar_testkit::corpus;

/// What a message did, in the corpus's terms.
fn verdict(u: &Understanding) -> String {
    match u {
        Understanding::Command(c) => c.canonical(),
        Understanding::Ask { .. } => "ask".into(),
        Understanding::Problem(Problem::UnknownFeature { closest, .. }) if !closest.is_empty() => {
            "ask".into()
        }
        Understanding::Problem(Problem::UnknownProject { closest, .. }) if !closest.is_empty() => {
            "ask".into()
        }
        _ => "none".into(),
    }
}

fn same(expected: &str, got: &str) -> bool {
    let norm = |s: &str| match s {
        "changes" => "changes period=last24h".to_string(),
        s => s.to_string(),
    };
    norm(expected) == norm(got)
}

#[test]
fn corpus() {
    let mut total = 0;
    let mut ok = 0;
    let mut wrong_writes = Vec::new();
    let mut by_lang: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut by_intent: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut failures = Vec::new();
    for e in corpus::entries() {
        let (lang, kind, message, expected) = (e.lang, e.kind, e.message, e.expected);
        let w = match corpus::world_for(&e) {
            Ok(w) => w,
            Err(f) => {
                failures.push(f);
                corpus::world()
            }
        };
        {
            let u = understand(message, &corpus::parse_ctx(), &w);
            let got = verdict(&u);
            let good = same(expected, &got);
            total += 1;
            let intent = expected.split(' ').next().unwrap_or("").to_string();
            let e = by_lang.entry(lang).or_default();
            e.1 += 1;
            let i = by_intent.entry(intent).or_default();
            i.1 += 1;
            let k = by_kind.entry(kind.to_string()).or_default();
            k.1 += 1;
            if good {
                ok += 1;
                e.0 += 1;
                i.0 += 1;
                k.0 += 1;
            } else {
                if let Understanding::Command(c) = &u
                    && c.is_write()
                {
                    wrong_writes.push(format!(
                        "{lang} {message:?}: expected {expected}, would do {got}"
                    ));
                }
                failures.push(format!("{lang} [{kind}] {message:?}\n    expected {expected}\n    got      {got}   ({u:?})"));
            }
        }
    }
    for f in &failures {
        println!("{f}");
    }
    let pct = |(a, b): (u32, u32)| 100.0 * a as f64 / b.max(1) as f64;
    println!("\nby language:");
    for (l, v) in &by_lang {
        println!("  {l}: {:.1} % ({}/{})", pct(*v), v.0, v.1);
    }
    println!("by intent:");
    for (i, v) in &by_intent {
        println!("  {i:18} {:5.1} % ({}/{})", pct(*v), v.0, v.1);
    }
    println!("by kind:");
    for (k, v) in &by_kind {
        println!("  {k:10} {:5.1} % ({}/{})", pct(*v), v.0, v.1);
    }
    let share = 100.0 * ok as f64 / total as f64;
    println!(
        "\ntotal: {share:.1} % ({ok}/{total}); wrong data changes: {}",
        wrong_writes.len()
    );
    for w in &wrong_writes {
        println!("  WRONG WRITE {w}");
    }
    assert!(
        share >= 95.0,
        "corpus understood at {share:.1} %, below 95 %"
    );
    assert!(
        wrong_writes.len() * 100 <= total,
        "more than 1 % of messages would change data wrongly"
    );
}

/// `EXPLAIN="message" cargo test -p radar-engine --test corpus explain -- --nocapture`
#[test]
fn explain() {
    if let Ok(text) = std::env::var("EXPLAIN") {
        let ctx = corpus::parse_ctx();
        let mut w = corpus::world();
        if let Ok(prev) = std::env::var("PREVIOUS")
            && let Understanding::Command(c) = understand(&prev, &ctx, &w)
        {
            w.last = corpus::last_of(&c);
        }
        for line in radar_engine::language::explain(&text, &ctx, &w) {
            println!("{line}");
        }
        println!("=> {:?}", understand(&text, &ctx, &w));
    }
}
