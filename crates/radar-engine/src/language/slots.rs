//! Slot filling: each slot type has one parser (here) that says which spans
//! of words at a position can be its value, and one validator (the intent
//! builder in `mod.rs` and the resolver in `resolve.rs`) that checks the
//! value against the rules and the project's data.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use chrono::{NaiveDate, NaiveTime};
use radar_store::{FeatureNumber, FeatureStatus};

use super::dates;
use super::grammar::Grammar;
use super::pattern::{Slot, phrase_at};
use super::text::{Kind, Token};
use crate::period::Period;

/// What the slot parsers need besides the tokens.
pub struct Ctx<'a> {
    pub grammar: &'a Grammar,
    /// The message text the tokens point into.
    pub text: &'a str,
    /// The user's local date (dates without a year, "tomorrow", periods).
    pub today: NaiveDate,
    /// Parsing a slash command's arguments: a bare number is a feature.
    pub slash: bool,
    /// Versions of the active project's releases: a bare "11" names
    /// release 11 when there is one.
    pub releases: &'a [String],
    /// Slot fills already computed for this message (every rule asks the
    /// same questions at the same positions).
    pub memo: RefCell<HashMap<(Slot, usize, bool), Rc<Fill>>>,
    /// The words of the message and the known words its typos could be.
    pub present: std::cell::OnceCell<std::collections::HashSet<String>>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        grammar: &'a Grammar,
        text: &'a str,
        today: NaiveDate,
        slash: bool,
        releases: &'a [String],
    ) -> Ctx<'a> {
        Ctx {
            grammar,
            text,
            today,
            slash,
            releases,
            memo: RefCell::new(HashMap::new()),
            present: std::cell::OnceCell::new(),
        }
    }
}

impl Ctx<'_> {
    /// The message's words and the known words its typos could be.
    pub fn present(&self, toks: &[Token]) -> &std::collections::HashSet<String> {
        self.present
            .get_or_init(|| super::pattern::present(toks, self.grammar))
    }
}

/// [`fill`], computed once per message, slot and position.
pub fn fill_memo(slot: Slot, toks: &[Token], i: usize, last: bool, ctx: &Ctx<'_>) -> Rc<Fill> {
    let key = (slot, i, last);
    if let Some(f) = ctx.memo.borrow().get(&key) {
        return f.clone();
    }
    let f = Rc::new(fill(slot, toks, i, last, ctx));
    ctx.memo.borrow_mut().insert(key, f.clone());
    f
}

/// How a message names a feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureRef {
    Number(FeatureNumber),
    /// "the second one", "вторая": the feature numbered 2.
    Ordinal(i64),
    /// Words that should name a feature of the active project.
    Name(String),
    /// "it", "её": the feature the previous command touched.
    Pronoun,
    /// A number that cannot be a feature's (0, -5, too large).
    Invalid(String),
}

/// How a message names a project or a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameRef {
    Name(String),
    Pronoun,
}

/// A `/features` filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Open work: everything but done and cancelled (the default list).
    Open,
    All,
    Status(FeatureStatus),
    Release(String),
    Team(String),
    Po(String),
}

/// A slot's value as the message gave it (before resolution).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Feature(FeatureRef),
    Project(NameRef),
    Release(NameRef),
    Version(String),
    Status(FeatureStatus),
    Text(String),
    Date(NaiveDate),
    /// A date that does not exist or whose year is implausible: the words as typed.
    BadDate(String),
    Period(Period),
    Time(NaiveTime),
    Zone(String),
    Lang(&'static str),
    Filter(Filter),
    Yes,
}

pub type Fill = Vec<(usize, Value, f32)>;

/// Every way slot `slot` can start at `toks[i]`: (end, value, cost).
/// `last`: nothing but optional pieces follow in the template.
pub fn fill(slot: Slot, toks: &[Token], i: usize, last: bool, ctx: &Ctx<'_>) -> Fill {
    if i >= toks.len() {
        // Free text made only of what is no token (emoji, symbols) at the
        // end: "/describe 1 🚀🚀🚀".
        return match slot {
            Slot::Desc | Slot::Reason if last => untokenized_tail(toks, ctx),
            _ => Vec::new(),
        };
    }
    match slot {
        Slot::Feature => feature(toks, i, ctx),
        Slot::Project => project(toks, i, ctx),
        Slot::Release => release(toks, i, ctx, true),
        Slot::Version => release(toks, i, ctx, false),
        Slot::Status => phrases(toks, i, &ctx.grammar.statuses)
            .into_iter()
            .map(|(e, s, c)| (e, Value::Status(s), c))
            .collect(),
        Slot::StatusVerb => phrases(toks, i, &ctx.grammar.status_verbs)
            .into_iter()
            .map(|(e, s, c)| (e, Value::Status(s), c))
            .collect(),
        Slot::Name | Slot::Desc | Slot::Reason | Slot::Teams | Slot::Po | Slot::Topic => {
            text(toks, i, last, ctx, 40)
        }
        Slot::KnownTeam | Slot::KnownPo => text(toks, i, last, ctx, 7)
            .into_iter()
            .filter(|(e, _, _)| {
                toks[i..*e]
                    .iter()
                    .all(|t| t.kind == Kind::Word || matches!(t.norm.as_str(), "," | "+" | "&"))
            })
            .collect(),
        Slot::Date => dates::date_at(toks, i, ctx, dates::Direction::Future)
            .into_iter()
            .map(|(e, d)| {
                (
                    e,
                    match d {
                        Ok(d) => Value::Date(d),
                        Err(raw) => Value::BadDate(raw),
                    },
                    0.0,
                )
            })
            .collect(),
        Slot::Period => dates::period_at(toks, i, ctx)
            .into_iter()
            .map(|(e, p)| {
                (
                    e,
                    match p {
                        Ok(p) => Value::Period(p),
                        Err(raw) => Value::BadDate(raw),
                    },
                    0.0,
                )
            })
            .collect(),
        Slot::Time => dates::time_at(toks, i, ctx)
            .into_iter()
            .map(|(e, t)| (e, Value::Time(t), 0.0))
            .collect(),
        Slot::Zone => zone(toks, i, ctx),
        Slot::Lang => lang(toks, i, ctx),
        Slot::Filter => filter(toks, i, ctx),
        Slot::Confirm => ctx
            .grammar
            .class("yes")
            .iter()
            .filter_map(|p| phrase_at(toks, i, p).map(|c| (i + p.len(), Value::Yes, c)))
            .collect(),
    }
}

/// Phrases with a value (statuses), longest first.
fn phrases<T: Copy>(toks: &[Token], i: usize, list: &[(Vec<String>, T)]) -> Vec<(usize, T, f32)> {
    let mut out: Vec<(usize, T, f32)> = Vec::new();
    for (p, v) in list {
        if let Some(c) = phrase_at(toks, i, p) {
            let end = i + p.len();
            if !out.iter().any(|(e, _, oc)| *e == end && *oc <= c) {
                out.push((end, *v, c));
            }
        }
    }
    out
}

/// The lengths of class phrases at `i` (with their typo cost).
fn class_at(toks: &[Token], i: usize, ctx: &Ctx<'_>, class: &str) -> Vec<(usize, f32)> {
    let mut out: Vec<(usize, f32)> = Vec::new();
    for p in ctx.grammar.class(class) {
        if let Some(c) = phrase_at(toks, i, p)
            && !out.iter().any(|(l, _)| *l == p.len())
        {
            out.push((p.len(), c));
        }
    }
    out
}

/// A positive integer written in digits or in words.
pub fn number_at(toks: &[Token], i: usize, g: &Grammar) -> Option<(usize, u32)> {
    let t = toks.get(i)?;
    if t.kind == Kind::Number {
        return t.norm.parse().ok().map(|n| (i + 1, n));
    }
    // Two words first ("twenty one"), then one.
    if let Some(t2) = toks.get(i + 1)
        && let Some(n) = g.numbers.get(&format!("{} {}", t.norm, t2.norm))
    {
        return Some((i + 2, *n));
    }
    g.numbers.get(&t.norm).map(|n| (i + 1, *n))
}

/// An ordinal: "second", "2nd", "вторую", "24-е", "15-го".
pub fn ordinal_at(toks: &[Token], i: usize, g: &Grammar) -> Option<(usize, u32)> {
    let t = toks.get(i)?;
    if let Some(n) = g.ordinals.get(&t.norm) {
        return Some((i + 1, *n));
    }
    let s = t.norm.as_str();
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    let suffix = s[digits.len()..].trim_start_matches('-');
    let ok = matches!(
        suffix,
        "st" | "nd" | "rd" | "th" | "е" | "й" | "го" | "ое" | "ого" | "ая" | "ю" | "я" | "ье"
    );
    ok.then(|| digits.parse().ok().map(|n| (i + 1, n)))?
}

fn is_name_token(t: &Token) -> bool {
    matches!(t.kind, Kind::Word | Kind::Number | Kind::Numeric) || t.norm == "-" || t.norm == "&"
}

/// Spans of 1..=`max` name-like words at `i` (every span, shortest first).
fn name_spans(toks: &[Token], i: usize, max: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut k = i;
    while k < toks.len() && k - i < max && is_name_token(&toks[k]) {
        k += 1;
        if is_name_token(&toks[k - 1]) && toks[k - 1].kind != Kind::Punct && toks[k - 1].norm != "-"
        {
            out.push(k);
        }
    }
    out
}

/// The user's own words for a span of tokens.
pub fn raw(ctx: &Ctx<'_>, toks: &[Token], from: usize, to: usize) -> String {
    ctx.text[toks[from].start..toks[to - 1].end].to_string()
}

/// A name or text as the user typed it: the span, widened over a `<` glued
/// to its start and a `>` glued to its end when the text is markup-like
/// (`<b>Bold</b>` keeps its brackets; the tokenizer cuts them off as
/// punctuation). Only `<…>` around plain words is taken as brackets.
fn raw_widened(ctx: &Ctx<'_>, start: usize, end: usize) -> String {
    let inner = &ctx.text[start..end];
    let markup = inner.contains('<') || inner.contains('>');
    let mut s = start;
    let mut e = end;
    if markup {
        if ctx.text[..s].ends_with('<') {
            s -= 1;
        }
        if ctx.text[e..].starts_with('>') {
            e += 1;
        }
    }
    ctx.text[s..e].to_string()
}

/// [`raw`] for names and free text ([`raw_widened`]).
fn raw_name(ctx: &Ctx<'_>, toks: &[Token], from: usize, to: usize) -> String {
    raw_widened(ctx, toks[from].start, toks[to - 1].end)
}

fn feature(toks: &[Token], i: usize, ctx: &Ctx<'_>) -> Fill {
    let g = ctx.grammar;
    let mut out: Fill = Vec::new();
    // An optional noun before ("feature 7", "фичу оплата") …
    let mut starts: Vec<(usize, bool, f32)> = vec![(i, false, 0.0)];
    for (len, c) in class_at(toks, i, ctx, "feature_noun") {
        let mut j = i + len;
        while toks.get(j).is_some_and(|t| t.is_punct() && t.norm != "#") {
            j += 1;
        }
        starts.push((j, true, c));
    }
    for (j, noun, nc) in starts {
        let Some(t) = toks.get(j) else { continue };
        let mut here: Fill = Vec::new();
        match t.kind {
            Kind::Hash => {
                if let Ok(n) = t.norm[1..].parse::<i64>()
                    && n > 0
                {
                    here.push((
                        j + 1,
                        Value::Feature(FeatureRef::Number(FeatureNumber(n))),
                        0.0,
                    ));
                }
            }
            Kind::Number => match t.norm.parse::<i64>() {
                Ok(n) if (1..=999_999).contains(&n) => {
                    let c = if noun || ctx.slash { 0.0 } else { 0.3 };
                    here.push((
                        j + 1,
                        Value::Feature(FeatureRef::Number(FeatureNumber(n))),
                        c,
                    ));
                }
                _ if noun || ctx.slash => {
                    here.push((
                        j + 1,
                        Value::Feature(FeatureRef::Invalid(t.norm.clone())),
                        0.0,
                    ));
                }
                _ => {}
            },
            // "-5", "+3": signed numbers are not feature numbers.
            Kind::Word
                if (noun || ctx.slash)
                    && t.norm.len() > 1
                    && t.norm.starts_with(['-', '+'])
                    && t.norm[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                here.push((
                    j + 1,
                    Value::Feature(FeatureRef::Invalid(t.norm.clone())),
                    0.0,
                ));
            }
            _ => {}
        }
        if noun && let Some((e, n)) = number_at(toks, j, g) {
            here.push((
                e,
                Value::Feature(FeatureRef::Number(FeatureNumber(n.into()))),
                0.1,
            ));
        }
        if let Some((e, n)) = ordinal_at(toks, j, g) {
            here.push((e, Value::Feature(FeatureRef::Ordinal(n.into())), 0.2));
        }
        for (len, c) in class_at(toks, j, ctx, "pronoun") {
            here.push((j + len, Value::Feature(FeatureRef::Pronoun), 0.1 + c));
        }
        // A name does not start with the word "feature" itself ("delete
        // feature" names no feature; "feature flags" is found by "flags").
        let noun_here = class_at(toks, j, ctx, "feature_noun")
            .iter()
            .any(|(_, c)| *c == 0.0);
        if !noun_here && (t.kind == Kind::Word || t.kind == Kind::Number || t.kind == Kind::Numeric)
        {
            for end in name_spans(toks, j, 6) {
                let name = raw_name(ctx, toks, j, end);
                let len = (end - j) as f32;
                here.push((
                    end,
                    Value::Feature(FeatureRef::Name(name)),
                    0.1 + 0.05 * len,
                ));
            }
        }
        // … and an optional noun or "one" after ("the signup feature", "the second one").
        let mut more: Fill = Vec::new();
        for (e, v, c) in &here {
            for (len, c2) in class_at(toks, *e, ctx, "feature_noun")
                .into_iter()
                .chain(class_at(toks, *e, ctx, "one"))
            {
                more.push((e + len, v.clone(), c + c2 + 0.01));
            }
        }
        for (e, v, c) in here.into_iter().chain(more) {
            out.push((e, v, c + nc));
        }
    }
    out
}

fn project(toks: &[Token], i: usize, ctx: &Ctx<'_>) -> Fill {
    let mut out: Fill = Vec::new();
    let mut starts: Vec<(usize, f32)> = vec![(i, 0.0)];
    for (len, c) in class_at(toks, i, ctx, "project_noun") {
        starts.push((i + len, c));
    }
    for (j, nc) in starts {
        if j >= toks.len() {
            continue;
        }
        for (len, c) in class_at(toks, j, ctx, "pronoun") {
            out.push((j + len, Value::Project(NameRef::Pronoun), 0.1 + c + nc));
        }
        // A slash command's argument is a name whatever it is made of.
        if ctx.slash && j < toks.len() {
            let mut end = toks.len();
            while end > j + 1 && toks[end - 1].is_punct() {
                end -= 1;
            }
            if !toks[j..end].iter().all(|t| t.is_punct()) {
                out.push((
                    end,
                    Value::Project(NameRef::Name(raw(ctx, toks, j, end))),
                    0.5,
                ));
            }
        }
        for end in name_spans(toks, j, 5) {
            let name = raw_name(ctx, toks, j, end);
            out.push((
                end,
                Value::Project(NameRef::Name(name)),
                0.1 + 0.05 * (end - j) as f32 + nc,
            ));
        }
    }
    out
}

/// A version as typed: `2.1`, `v2.1`, `1.0.3`, `2.1-beta`; a plain number
/// only after the word "release".
pub fn version_of(t: &Token, with_noun: bool) -> Option<String> {
    let s = t.norm.strip_prefix('v').unwrap_or(&t.norm);
    let first_digit = s.chars().next().is_some_and(|c| c.is_ascii_digit());
    if !first_digit || s.len() > 32 {
        return None;
    }
    match t.kind {
        Kind::Numeric if s.contains('.') && !s.contains(':') && !s.contains('/') => {
            Some(s.to_string())
        }
        Kind::Word
            if s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
                && (s.contains('.') || t.norm.starts_with('v')) =>
        {
            Some(s.to_string())
        }
        Kind::Number if with_noun || t.norm.starts_with('v') => Some(s.to_string()),
        _ => None,
    }
}

fn release(toks: &[Token], i: usize, ctx: &Ctx<'_>, existing: bool) -> Fill {
    let mut out: Fill = Vec::new();
    let mut starts: Vec<(usize, bool, f32)> = vec![(i, false, 0.0)];
    for (len, c) in class_at(toks, i, ctx, "release_noun") {
        starts.push((i + len, true, c));
    }
    for (j, noun, nc) in starts {
        let Some(t) = toks.get(j) else { continue };
        let mut here: Fill = Vec::new();
        if let Some(v) = version_of(t, noun || ctx.slash) {
            let value = if existing {
                Value::Release(NameRef::Name(v))
            } else {
                Value::Version(v)
            };
            here.push((j + 1, value, if noun { 0.0 } else { 0.05 }));
        } else if existing
            && matches!(t.kind, Kind::Number | Kind::Word)
            && let Some(r) = ctx.releases.iter().find(|r| r.to_lowercase() == t.norm)
        {
            // A release whose version does not look like one ("11", "Q3").
            here.push((j + 1, Value::Release(NameRef::Name(r.clone())), 0.1));
        }
        if existing {
            for (len, c) in class_at(toks, j, ctx, "pronoun") {
                here.push((j + len, Value::Release(NameRef::Pronoun), 0.1 + c));
            }
        }
        // "the 2.1 release"
        let mut more: Fill = Vec::new();
        for (e, v, c) in &here {
            for (len, c2) in class_at(toks, *e, ctx, "release_noun") {
                more.push((e + len, v.clone(), c + c2 + 0.01));
            }
        }
        for (e, v, c) in here.into_iter().chain(more) {
            out.push((e, v, c + nc));
        }
    }
    out
}

/// Free text: every span from `i` (to the end when `last`). Costs a little
/// per word, so rules that account for more words with literals win.
fn text(toks: &[Token], i: usize, last: bool, ctx: &Ctx<'_>, max: usize) -> Fill {
    if i >= toks.len() {
        return Vec::new();
    }
    if toks[i].is_punct() && !matches!(toks[i].norm.as_str(), "«" | "\"" | "“" | "'") {
        return Vec::new();
    }
    let ends: Vec<usize> = if last {
        // To the end, trailing punctuation aside (the matcher skips it).
        let mut e = toks.len();
        while e > i + 1 && toks[e - 1].is_punct() {
            e -= 1;
        }
        vec![e]
    } else {
        (i + 1..=toks.len().min(i + max)).collect()
    };
    ends.into_iter()
        // The last slot takes the rest, however long (lengths are checked
        // in characters when the command is built).
        .filter(|&e| last || e - i <= max)
        // A span does not end on punctuation (trailing marks are skipped).
        .filter(|&e| !toks[e - 1].is_punct())
        .map(|e| {
            // The last slot keeps what follows its last word and is no token
            // (a trailing emoji: "great feature 🎉"), up to trailing marks.
            let raw = if last {
                // Only symbols: a dropped filler word after it ("please")
                // is not part of the text.
                let end = toks[e - 1].end;
                let stop = toks.get(e).map_or(ctx.text.len(), |t| t.start);
                let tail = &ctx.text[end..stop];
                let cut = tail.find(char::is_alphanumeric).unwrap_or(tail.len());
                let text = ctx.text[toks[i].start..end + cut].trim_end();
                raw_widened(ctx, toks[i].start, toks[i].start + text.len())
            } else {
                raw_name(ctx, toks, i, e)
            };
            (e, Value::Text(raw), 0.1 * (e - i) as f32)
        })
        .collect()
}

/// The text after the last token, when it has something visible.
fn untokenized_tail(toks: &[Token], ctx: &Ctx<'_>) -> Fill {
    let from = toks.last().map_or(0, |t| t.end);
    let tail = ctx.text[from..].trim();
    if tail.is_empty() || tail.chars().any(char::is_alphanumeric) {
        return Vec::new();
    }
    vec![(toks.len(), Value::Text(tail.to_string()), 0.1)]
}

fn zone(toks: &[Token], i: usize, ctx: &Ctx<'_>) -> Fill {
    let mut out: Fill = Vec::new();
    let t = &toks[i];
    // An IANA name as typed (any case): Europe/Berlin, utc.
    if let Some(z) = dates::iana_zone(&raw(ctx, toks, i, i + 1)) {
        out.push((i + 1, Value::Zone(z), 0.0));
    }
    for (p, z) in &ctx.grammar.zones {
        if let Some(c) = phrase_at(toks, i, p) {
            out.push((i + p.len(), Value::Zone(z.to_string()), c));
        }
    }
    // A city: the last part of an IANA name ("new york" → America/New_York).
    for len in 1..=3 {
        if i + len > toks.len() || toks[i..i + len].iter().any(|t| t.kind != Kind::Word) {
            break;
        }
        let words: Vec<&str> = toks[i..i + len].iter().map(|t| t.norm.as_str()).collect();
        if let Some(z) = dates::zone_by_city(&words.join("_")) {
            out.push((i + len, Value::Zone(z), 0.05));
        }
    }
    let _ = t;
    out
}

fn lang(toks: &[Token], i: usize, ctx: &Ctx<'_>) -> Fill {
    ctx.grammar
        .languages
        .iter()
        .filter_map(|(p, code)| phrase_at(toks, i, p).map(|c| (i + p.len(), Value::Lang(code), c)))
        .collect()
}

fn filter(toks: &[Token], i: usize, ctx: &Ctx<'_>) -> Fill {
    let mut out: Fill = Vec::new();
    for (len, c) in class_at(toks, i, ctx, "all") {
        out.push((i + len, Value::Filter(Filter::All), c));
    }
    for (len, c) in class_at(toks, i, ctx, "open") {
        out.push((i + len, Value::Filter(Filter::Open), c));
    }
    for (e, s, c) in phrases(toks, i, &ctx.grammar.statuses) {
        out.push((e, Value::Filter(Filter::Status(s)), c));
    }
    // A version ("2.1", "v3"), or a bare number that is a release's ("11");
    // any other bare number is a feature ("show 3").
    if let Some(v) = version_of(&toks[i], false) {
        out.push((i + 1, Value::Filter(Filter::Release(v)), 0.0));
    } else if let Some(r) = ctx
        .releases
        .iter()
        .find(|r| r.to_lowercase() == toks[i].norm)
    {
        out.push((i + 1, Value::Filter(Filter::Release(r.clone())), 0.05));
    }
    for (len, c) in class_at(toks, i, ctx, "team_noun") {
        for (e, v, c2) in text(toks, i + len, true, ctx, 5) {
            if let Value::Text(t) = v {
                out.push((e, Value::Filter(Filter::Team(t)), c + c2));
            }
        }
    }
    for (len, c) in class_at(toks, i, ctx, "po_noun") {
        for (e, v, c2) in text(toks, i + len, true, ctx, 5) {
            if let Value::Text(t) = v {
                out.push((e, Value::Filter(Filter::Po(t)), c + c2));
            }
        }
    }
    out
}
