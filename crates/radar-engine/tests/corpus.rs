//! The corpus (`tests/corpus/`, see its README): realistic messages of
//! product owners in English and Russian, each with the command it must be
//! understood as against a fixed project state, `ask`, or `none`. Prints
//! the share understood per language and per intent; fails below 95 %, or
//! when any message would change data it should not.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use radar_engine::language::{
    Command, FeatureView, Last, ParseCtx, Problem, ProjectView, Understanding, World, understand,
};
use radar_store::FeatureNumber;

fn world() -> World {
    let f = |n: i64, name: &str, teams: Option<&str>, po: Option<&str>| FeatureView {
        number: FeatureNumber(n),
        name: name.into(),
        teams: teams.map(Into::into),
        po: po.map(Into::into),
    };
    World {
        projects: ["Apollo", "Gemini", "Mercury Mobile", "Восход", "Legacy CRM"]
            .iter()
            .map(|n| ProjectView {
                name: n.to_string(),
                archived: *n == "Legacy CRM",
            })
            .collect(),
        active: Some("Apollo".into()),
        features: vec![
            f(1, "Login", Some("Core"), Some("Anna")),
            f(2, "Signup", None, None),
            f(3, "Payments", Some("Payments"), None),
            f(4, "Export to CSV", None, None),
            f(5, "Onboarding tour", None, None),
            f(6, "Push notifications", Some("Mobile"), None),
            f(7, "Dark mode", None, Some("Boris")),
            f(8, "Search", None, None),
            f(9, "Оплата", None, None),
            f(10, "Экспорт отчётов", None, None),
            f(11, "Личный кабинет", None, None),
            f(12, "Уведомления", None, None),
            f(13, "Payment history", None, None),
            f(14, "Admin panel", None, None),
        ],
        releases: vec!["2.0".into(), "2.1".into(), "3.0".into()],
        last: Last::default(),
        ..World::default()
    }
}

fn ctx() -> ParseCtx<'static> {
    ParseCtx {
        bot_username: Some("radar_bot"),
        today: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
    }
}

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

fn last_of(c: &Command) -> Last {
    Last {
        feature: c.feature(),
        release: c.release().map(str::to_string),
        project: c.project().map(str::to_string),
        command: c.slash(),
    }
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
    for (lang, file) in [
        ("en", include_str!("corpus/en.tsv")),
        ("ru", include_str!("corpus/ru.tsv")),
    ] {
        for line in file.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (kind, message, expected) = (cols[0], cols[1], cols[2]);
            let previous = cols.get(3).copied().unwrap_or("");
            let mut w = world();
            if !previous.is_empty() {
                match understand(previous, &ctx(), &w) {
                    Understanding::Command(c) => w.last = last_of(&c),
                    other => failures.push(format!("PREVIOUS {previous:?} → {other:?}")),
                }
            }
            let u = understand(message, &ctx(), &w);
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
        let mut w = world();
        if let Ok(prev) = std::env::var("PREVIOUS")
            && let Understanding::Command(c) = understand(&prev, &ctx(), &w)
        {
            w.last = last_of(&c);
        }
        for line in radar_engine::language::explain(&text, &ctx(), &w) {
            println!("{line}");
        }
        println!("=> {:?}", understand(&text, &ctx(), &w));
    }
}

/// `SLOWEST=1 cargo test --release -p radar-engine --test corpus slowest -- --nocapture`
#[test]
fn slowest() {
    if std::env::var("SLOWEST").is_err() {
        return;
    }
    let w = world();
    let mut times = Vec::new();
    for file in [include_str!("corpus/en.tsv"), include_str!("corpus/ru.tsv")] {
        for line in file.lines().skip(1) {
            let msg = line.split('\t').nth(1).unwrap_or("");
            let t = std::time::Instant::now();
            for _ in 0..5 {
                std::hint::black_box(understand(msg, &ctx(), &w));
            }
            times.push((t.elapsed().as_micros() / 5, msg.to_string()));
        }
    }
    times.sort();
    let n = times.len();
    println!(
        "p50 {} µs, p99 {} µs, max {} µs",
        times[n / 2].0,
        times[n * 99 / 100].0,
        times[n - 1].0
    );
    for (us, m) in times.iter().rev().take(10) {
        println!("{us:>6} µs  {m}");
    }
}
