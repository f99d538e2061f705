//! Dates, periods and times in words and digits, in every lexicon's words.
//! Rules: a two-digit year is 20xx; years outside 2000–2100 are refused; a
//! date without a year is the next such date for a target and the last one
//! for "since"; "next friday" is the first Friday after today; "next week"
//! is next Monday; "end of month" is its last day.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::TZ_VARIANTS;

use super::pattern::phrase_at;
use super::slots::{Ctx, number_at, ordinal_at, raw};
use super::text::{Kind, Token};
use crate::period::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A target date: the next such date.
    Future,
    /// A "since" date: the last such date.
    Past,
}

type Dates = Vec<(usize, Result<NaiveDate, String>)>;

fn class_len(toks: &[Token], i: usize, ctx: &Ctx<'_>, class: &str) -> Vec<usize> {
    let mut out: Vec<usize> = ctx
        .grammar
        .class(class)
        .iter()
        .filter(|p| phrase_at(toks, i, p).is_some_and(|c| c == 0.0))
        .map(|p| p.len())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A full year as typed: `2027`, `27` → 2027; `None` if implausible.
fn year(y: i32) -> Option<i32> {
    let y = if (0..100).contains(&y) { 2000 + y } else { y };
    (2000..=2100).contains(&y).then_some(y)
}

/// `d.m` with an optional year, resolved in `dir` from `today`.
fn day_month(
    today: NaiveDate,
    d: u32,
    m: u32,
    y: Option<i32>,
    dir: Direction,
) -> Option<NaiveDate> {
    if let Some(y) = y {
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    // Without a year: Feb 29 needs a leap year, so look a few years ahead/back.
    let this = today.year();
    let years: Vec<i32> = match dir {
        Direction::Future => (this..this + 8).collect(),
        Direction::Past => (this - 8..=this).rev().collect(),
    };
    years
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
        .find(|date| match dir {
            Direction::Future => *date >= today,
            Direction::Past => *date <= today,
        })
}

/// A day of the month alone ("the 24th", "тридцатое"): this month or the next/last.
fn day_only(today: NaiveDate, d: u32, dir: Direction) -> Option<NaiveDate> {
    if !(1..=31).contains(&d) {
        return None;
    }
    let mut y = today.year();
    let mut m = today.month();
    for _ in 0..13 {
        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
            match dir {
                Direction::Future if date >= today => return Some(date),
                Direction::Past if date <= today => return Some(date),
                _ => {}
            }
        }
        match dir {
            Direction::Future => {
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
            Direction::Past => {
                m -= 1;
                if m == 0 {
                    m = 12;
                    y -= 1;
                }
            }
        }
    }
    None
}

/// `2026-12-01`, `01.12.2026`, `1.12.26`, `20.12`, `20/01/27`.
pub fn numeric_date(
    s: &str,
    today: NaiveDate,
    dir: Direction,
) -> Option<Result<NaiveDate, String>> {
    let bad = || Some(Err(s.to_string()));
    let parts: Vec<&str> = s.split(['.', '/', '-']).collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<i64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    match (parts.len(), s.contains('-')) {
        (3, true) if parts[0].len() == 4 => {
            let Some(y) = year(n[0] as i32) else {
                return bad();
            };
            match NaiveDate::from_ymd_opt(y, n[1] as u32, n[2] as u32) {
                Some(d) => Some(Ok(d)),
                None => bad(),
            }
        }
        (3, _) if parts[2].len() == 2 || parts[2].len() == 4 => {
            if parts[0].len() > 2 || parts[1].len() > 2 {
                return None;
            }
            let Some(y) = year(n[2] as i32) else {
                return bad();
            };
            match NaiveDate::from_ymd_opt(y, n[1] as u32, n[0] as u32) {
                Some(d) => Some(Ok(d)),
                None => bad(),
            }
        }
        (2, false) if parts[0].len() <= 2 && parts[1].len() == 2 => {
            let (d, m) = (n[0] as u32, n[1] as u32);
            if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                return if s.contains('/') { bad() } else { None };
            }
            match day_month(today, d, m, None, dir) {
                Some(date) => Some(Ok(date)),
                None => bad(),
            }
        }
        _ => None,
    }
}

/// Every date that can start at `toks[i]`.
pub fn date_at(toks: &[Token], i: usize, ctx: &Ctx<'_>, dir: Direction) -> Dates {
    let mut out = Dates::new();
    let g = ctx.grammar;
    let today = ctx.today;
    // An optional preposition first: "on", "by", "на", "к".
    let mut starts = vec![i];
    for len in class_len(toks, i, ctx, "date_prep") {
        starts.push(i + len);
    }
    for j in starts {
        let Some(t) = toks.get(j) else { continue };
        // Digits.
        if t.kind == Kind::Numeric
            && let Some(d) = numeric_date(&t.norm, today, dir)
        {
            out.push((j + 1, d));
        }
        // Relative days.
        for (class, days) in [
            ("today", 0),
            ("tomorrow", 1),
            ("day_after_tomorrow", 2),
            ("yesterday", -1),
        ] {
            for len in class_len(toks, j, ctx, class) {
                out.push((j + len, Ok(today + Duration::days(days))));
            }
        }
        // Day and month: "20 december", "20th of dec", "20 декабря [2026]".
        let day = ordinal_at(toks, j, g).or_else(|| {
            (t.kind == Kind::Number && t.norm.len() <= 2)
                .then(|| t.norm.parse().ok().map(|n| (j + 1, n)))
                .flatten()
        });
        if let Some((e, d)) = day {
            let mut e2 = e;
            if toks.get(e2).is_some_and(|t| t.is("of")) {
                e2 += 1;
            }
            if let Some(m) = toks.get(e2).and_then(|t| g.months.get(&t.norm)) {
                out.extend(with_year(toks, e2 + 1, today, d, *m, dir, ctx));
            } else if let Some(date) = (ordinal_at(toks, j, g).is_some())
                .then(|| day_only(today, d, dir))
                .flatten()
            {
                // A day alone, as an ordinal: "the 24th", "24-е", "тридцатое".
                out.push((e, Ok(date)));
            }
        }
        // Month and day: "dec 24", "december 24th", "jan 15, 2027".
        if let Some(m) = g.months.get(&t.norm) {
            let day = ordinal_at(toks, j + 1, g).or_else(|| {
                toks.get(j + 1)
                    .filter(|t| t.kind == Kind::Number && t.norm.len() <= 2)
                    .and_then(|t| t.norm.parse().ok())
                    .map(|n| (j + 2, n))
            });
            if let Some((e, d)) = day {
                out.extend(with_year(toks, e, today, d, *m, dir, ctx));
            }
        }
        // Weekdays: "friday", "next friday", "в пятницу".
        let mut wd_starts = vec![(j, 0)];
        for len in class_len(toks, j, ctx, "next") {
            wd_starts.push((j + len, 1));
        }
        for len in class_len(toks, j, ctx, "this") {
            wd_starts.push((j + len, 0));
        }
        for len in class_len(toks, j, ctx, "last") {
            wd_starts.push((j + len, -1));
        }
        for (k, _which) in wd_starts {
            if let Some(wd) = toks.get(k).and_then(|t| g.weekdays.get(&t.norm)) {
                let target = Weekday::try_from(*wd as u8).unwrap_or(Weekday::Mon);
                out.push((k + 1, Ok(weekday(today, target, dir))));
            }
        }
        // "next week" (Monday), "next month" (the 1st).
        for len in class_len(toks, j, ctx, "next_week") {
            let back = today.weekday().num_days_from_monday() as i64;
            out.push((
                j + len,
                Ok(today - Duration::days(back) + Duration::days(7)),
            ));
        }
        for len in class_len(toks, j, ctx, "next_month") {
            let (y, m) = if today.month() == 12 {
                (today.year() + 1, 1)
            } else {
                (today.year(), today.month() + 1)
            };
            if let Some(d) = NaiveDate::from_ymd_opt(y, m, 1) {
                out.push((j + len, Ok(d)));
            }
        }
        // "end of month".
        for len in class_len(toks, j, ctx, "end_of_month") {
            out.push((j + len, Ok(last_day_of_month(today))));
        }
        // "in two weeks", "через 3 дня", "two weeks from now".
        let mut in_starts = vec![(j, false)];
        for len in class_len(toks, j, ctx, "in_time") {
            in_starts.push((j + len, true));
        }
        for (k, lead) in in_starts {
            // "a week" / "неделю" with no number counts as one.
            let counted = number_at(toks, k, g).map(|(e, n)| (e, n as i64));
            let candidates: Vec<(usize, i64)> = match counted {
                Some(c) => vec![c],
                None if lead => vec![(k, 1)],
                None => vec![],
            };
            for (e, n) in candidates {
                for (unit, days) in [("day_unit", 1), ("week_unit", 7), ("month_unit", 30)] {
                    for len in class_len(toks, e, ctx, unit) {
                        let mut end = e + len;
                        let from_now = class_len(toks, end, ctx, "from_now");
                        if !lead && from_now.is_empty() {
                            continue;
                        }
                        if let Some(l) = from_now.first() {
                            end += l;
                        }
                        out.push((end, Ok(today + Duration::days(n * days))));
                    }
                }
            }
        }
    }
    out
}

fn with_year(
    toks: &[Token],
    e: usize,
    today: NaiveDate,
    d: u32,
    m: u32,
    dir: Direction,
    ctx: &Ctx<'_>,
) -> Dates {
    let mut out = Dates::new();
    let text_of =
        |from: usize, to: usize| raw(ctx, toks, from.min(toks.len() - 1), to.min(toks.len()));
    match day_month(today, d, m, None, dir) {
        Some(date) => out.push((e, Ok(date))),
        None => out.push((e, Err(text_of(e.saturating_sub(2), e)))),
    }
    // An explicit year: "20 декабря 2026", "dec 24 2027", "jan 15, 2027".
    let mut k = e;
    if toks.get(k).is_some_and(|t| t.norm == ",") {
        k += 1;
    }
    if let Some(t) = toks.get(k)
        && t.kind == Kind::Number
        && (t.norm.len() == 4 || t.norm.len() == 2)
    {
        let mut end = k + 1;
        if toks
            .get(end)
            .is_some_and(|t| matches!(t.norm.as_str(), "г" | "года" | "год"))
        {
            end += 1;
        }
        match t.norm.parse::<i32>().ok().and_then(year) {
            Some(y) => match NaiveDate::from_ymd_opt(y, m, d) {
                Some(date) => out.push((end, Ok(date))),
                None => out.push((end, Err(text_of(e.saturating_sub(2), end)))),
            },
            None => out.push((end, Err(text_of(e.saturating_sub(2), end)))),
        }
    }
    out
}

fn last_day_of_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).map_or(d, |first| first - Duration::days(1))
}

/// The next (or, for the past, the last) `target` weekday: strictly after
/// today for a target; today or before for "since".
fn weekday(today: NaiveDate, target: Weekday, dir: Direction) -> NaiveDate {
    let from = today.weekday().num_days_from_monday() as i64;
    let to = target.num_days_from_monday() as i64;
    match dir {
        Direction::Future => {
            let ahead = (to - from + 7) % 7;
            today + Duration::days(if ahead == 0 { 7 } else { ahead })
        }
        Direction::Past => today - Duration::days((from - to + 7) % 7),
    }
}

type Periods = Vec<(usize, Result<Period, String>)>;

/// Every period that can start at `toks[i]`: "today", "this week", "in the
/// last 3 days", "за две недели", "since monday", "с 01.11.2026".
pub fn period_at(toks: &[Token], i: usize, ctx: &Ctx<'_>) -> Periods {
    let g = ctx.grammar;
    let mut out = Periods::new();
    for (class, p) in [
        ("today", Period::Today),
        ("yesterday", Period::Yesterday),
        ("this_week", Period::ThisWeek),
        ("last_24h", Period::Last24Hours),
    ] {
        for len in class_len(toks, i, ctx, class) {
            out.push((i + len, Ok(p)));
        }
    }
    // "this month": since the 1st.
    for len in class_len(toks, i, ctx, "this_month") {
        let first = NaiveDate::from_ymd_opt(ctx.today.year(), ctx.today.month(), 1);
        if let Some(d) = first {
            out.push((i + len, Ok(Period::Since(d))));
        }
    }
    // "[in the] [last|past] N days|weeks|months", "за [последние] N дней".
    let mut starts = vec![(i, false)];
    for len in class_len(toks, i, ctx, "last_n") {
        starts.push((i + len, true));
    }
    for (k, lead) in starts {
        let counted = number_at(toks, k, g);
        let cands: Vec<(usize, u32)> = match counted {
            Some(c) => vec![c],
            None if lead => vec![(k, 1)],
            None => vec![],
        };
        for (e, n) in cands {
            if n == 0 || n > 3660 {
                continue;
            }
            for (unit, days) in [("day_unit", 1), ("week_unit", 7), ("month_unit", 30)] {
                for len in class_len(toks, e, ctx, unit) {
                    let total = n * days;
                    let p = if total == 1 {
                        Period::Last24Hours
                    } else {
                        Period::LastDays(total)
                    };
                    out.push((e + len, Ok(p)));
                }
            }
        }
    }
    // "since DATE", "с понедельника", "from nov 1".
    for len in class_len(toks, i, ctx, "since") {
        for (e, d) in date_at(toks, i + len, ctx, Direction::Past) {
            out.push((e, d.map(Period::Since)));
        }
    }
    out
}

/// A time of day: `09:00`, `9am`, `9 pm`, `в 9 утра`, `в полдесятого`, `noon`.
pub fn time_at(toks: &[Token], i: usize, ctx: &Ctx<'_>) -> Vec<(usize, NaiveTime)> {
    let g = ctx.grammar;
    let mut out = Vec::new();
    let mut starts = vec![i];
    for len in class_len(toks, i, ctx, "time_prep") {
        starts.push(i + len);
    }
    for j in starts {
        let Some(t) = toks.get(j) else { continue };
        let mut base: Vec<(usize, u32, u32)> = Vec::new();
        // 09:00, 9:30, 9.30
        if t.kind == Kind::Numeric
            && let Some((h, m)) = t.norm.split_once([':', '.'])
            && h.len() <= 2
            && m.len() == 2
            && let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.parse::<u32>())
        {
            base.push((j + 1, h, m));
        }
        // 9am, 6pm
        if t.kind == Kind::Word {
            for suffix in ["am", "pm"] {
                if let Some(num) = t.norm.strip_suffix(suffix) {
                    let (h, m) = num.split_once(':').unwrap_or((num, "0"));
                    if let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.parse::<u32>())
                        && (1..=12).contains(&h)
                    {
                        let h = match (suffix, h) {
                            ("am", 12) => 0,
                            ("pm", 12) => 12,
                            ("pm", h) => h + 12,
                            (_, h) => h,
                        };
                        base.push((j + 1, h, m));
                    }
                }
            }
            // "полдесятого" = 9:30
            if let Some(rest) = t.norm.strip_prefix("пол")
                && let Some(n) = g.ordinals.get(rest.trim_start_matches('-'))
                && (1..=24).contains(n)
            {
                base.push((j + 1, n - 1, 30));
            }
        }
        if t.kind == Kind::Number
            && let Ok(h) = t.norm.parse::<u32>()
        {
            base.push((j + 1, h, 0));
        }
        if let Some((e, h)) = number_at(toks, j, g)
            && t.kind == Kind::Word
        {
            base.push((e, h, 0));
        }
        for (class, h) in [("noon", 12), ("midnight", 0)] {
            for len in class_len(toks, j, ctx, class) {
                base.push((j + len, h, 0));
            }
        }
        for (e, h, m) in base {
            let mut ends = vec![(e, h)];
            // "am"/"pm" as a word, "утра"/"вечера"
            for len in class_len(toks, e, ctx, "morning") {
                ends.push((e + len, h));
            }
            for len in class_len(toks, e, ctx, "evening") {
                ends.push((e + len, if h < 12 { h + 12 } else { h }));
            }
            for (end, h) in ends {
                if let Some(time) = NaiveTime::from_hms_opt(h, m, 0) {
                    out.push((end, time));
                }
            }
        }
    }
    out
}

/// An IANA zone name, any case: `europe/berlin` → `Europe/Berlin`.
pub fn iana_zone(s: &str) -> Option<String> {
    let s = s.trim();
    TZ_VARIANTS
        .iter()
        .find(|z| z.name().eq_ignore_ascii_case(s))
        .map(|z| z.name().to_string())
}

/// A zone by its city: `new_york` → `America/New_York`.
pub fn zone_by_city(city: &str) -> Option<String> {
    TZ_VARIANTS
        .iter()
        .find(|z| {
            z.name()
                .rsplit('/')
                .next()
                .is_some_and(|c| c.eq_ignore_ascii_case(city))
        })
        .map(|z| z.name().to_string())
}
