//! Rules: templates of words, word classes and typed slots, and the matcher
//! that fits a message to them.
//!
//! Template syntax, one rule per string:
//!
//! | piece | matches |
//! |---|---|
//! | `word` or `a\|b\|c` | one word (a typo of one letter is tolerated in words of 4+ letters, at a cost) |
//! | `@class` | any phrase of a lexicon class (`@move`, `@feature_noun`) |
//! | `{slot}` | a typed value: `{feature}`, `{status}`, `{name}`, `{date}` … (see [`Slot`]) |
//! | `[ … ]` | an optional group |
//! | `:` `,` `→` `←` `-` | that punctuation |
//!
//! Punctuation in the message that no piece asks for is ignored; every
//! word must be consumed by the template (the safety rule: a message changes
//! data only when all of it is understood).

use super::grammar::{Grammar, Phrase};
use super::slots::{self, Ctx, Value};
use super::table::Intent;
use super::text::{Kind, Token};

/// A typed hole in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// A feature: `#7`, `7`, `feature 7`, "the second one", a name, "it".
    Feature,
    /// A project: a name (Latin or Cyrillic spelling), "it".
    Project,
    /// An existing release: `2.1`, `release 2.1`, "it".
    Release,
    /// A new release's version.
    Version,
    /// A status word: "done", "в работе".
    Status,
    /// A verb that sets a status: "finish" → done.
    StatusVerb,
    /// Free text: a new name.
    Name,
    /// Free text: a description.
    Desc,
    /// Free text: why a status was set.
    Reason,
    /// Team names.
    Teams,
    /// A person (the PO).
    Po,
    /// A team that already appears in the project.
    KnownTeam,
    /// A PO that already appears in the project.
    KnownPo,
    /// A date (a target: a date without a year is the next such date).
    Date,
    /// A period for "what changed": today, this week, since monday, …
    Period,
    /// A time of day: 09:00, 9am, в 9 утра.
    Time,
    /// An IANA time zone or a city.
    Zone,
    /// A language.
    Lang,
    /// A `/features` filter.
    Filter,
    /// "yes" confirming a delete.
    Confirm,
    /// A help topic.
    Topic,
}

impl Slot {
    fn parse(name: &str) -> Option<Slot> {
        Some(match name {
            "feature" => Slot::Feature,
            "project" => Slot::Project,
            "release" => Slot::Release,
            "version" => Slot::Version,
            "status" => Slot::Status,
            "status_verb" => Slot::StatusVerb,
            "name" => Slot::Name,
            "desc" => Slot::Desc,
            "reason" => Slot::Reason,
            "teams" => Slot::Teams,
            "po" => Slot::Po,
            "known_team" => Slot::KnownTeam,
            "known_po" => Slot::KnownPo,
            "date" => Slot::Date,
            "period" => Slot::Period,
            "time" => Slot::Time,
            "zone" => Slot::Zone,
            "lang" => Slot::Lang,
            "filter" => Slot::Filter,
            "confirm" => Slot::Confirm,
            "topic" => Slot::Topic,
            _ => return None,
        })
    }

    /// Free-text slots take any words (and keep the user's spelling).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Slot::Name | Slot::Desc | Slot::Reason | Slot::Teams | Slot::Po | Slot::Topic
        )
    }
}

#[derive(Debug, Clone)]
pub enum Elem {
    Words(Vec<String>),
    Class(&'static str),
    Slot(Slot),
    Opt(Vec<Elem>),
}

#[derive(Debug, Clone)]
pub struct Template {
    pub intent: Intent,
    pub source: &'static str,
    pub elems: Vec<Elem>,
    /// Words the message must contain for the template to have a chance:
    /// per required piece, the words its first token could be.
    pub anchors: Vec<Vec<String>>,
}

impl Template {
    /// The literal words of the template (for typo correction).
    pub fn literal_words(&self) -> Vec<String> {
        fn walk(es: &[Elem], out: &mut Vec<String>) {
            for e in es {
                match e {
                    Elem::Words(w) => out.extend(w.iter().cloned()),
                    Elem::Opt(inner) => walk(inner, out),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.elems, &mut out);
        out
    }

    /// Number of literal pieces (words and classes) in the template.
    pub fn literals(&self) -> usize {
        fn walk(es: &[Elem]) -> usize {
            es.iter()
                .map(|e| match e {
                    Elem::Words(_) | Elem::Class(_) => 1,
                    Elem::Opt(inner) => walk(inner),
                    Elem::Slot(_) => 0,
                })
                .sum()
        }
        walk(&self.elems)
    }
}

/// Compiles a template string (see the module docs).
pub fn compile(intent: Intent, src: &'static str, g: &Grammar) -> Result<Template, String> {
    let mut stack: Vec<Vec<Elem>> = vec![Vec::new()];
    let mut words: Vec<String> = Vec::new();
    // Split on whitespace, keeping brackets as their own pieces.
    let mut piece = String::new();
    let mut pieces: Vec<String> = Vec::new();
    for c in src.chars() {
        match c {
            '[' | ']' => {
                if !piece.is_empty() {
                    pieces.push(std::mem::take(&mut piece));
                }
                pieces.push(c.to_string());
            }
            c if c.is_whitespace() => {
                if !piece.is_empty() {
                    pieces.push(std::mem::take(&mut piece));
                }
            }
            c => piece.push(c),
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    for p in pieces {
        match p.as_str() {
            "[" => stack.push(Vec::new()),
            "]" => {
                let inner = stack.pop().ok_or("unbalanced ]")?;
                stack
                    .last_mut()
                    .ok_or("unbalanced ]")?
                    .push(Elem::Opt(inner));
            }
            p if p.starts_with('{') && p.ends_with('}') => {
                let slot = Slot::parse(&p[1..p.len() - 1]).ok_or(format!("unknown slot {p}"))?;
                stack
                    .last_mut()
                    .ok_or("bad template")?
                    .push(Elem::Slot(slot));
            }
            p if p.starts_with('@') => {
                let name = &p[1..];
                if !g.has_class(name) {
                    return Err(format!("unknown class @{name}"));
                }
                let name: &'static str = Box::leak(name.to_string().into_boxed_str());
                stack
                    .last_mut()
                    .ok_or("bad template")?
                    .push(Elem::Class(name));
            }
            p => {
                words.clear();
                for alt in p.split('|') {
                    let toks = super::text::tokenize(alt);
                    if toks.len() != 1 {
                        return Err(format!("a literal must be one word: {alt:?}"));
                    }
                    words.push(toks[0].norm.clone());
                }
                stack
                    .last_mut()
                    .ok_or("bad template")?
                    .push(Elem::Words(words.clone()));
            }
        }
    }
    if stack.len() != 1 {
        return Err("unbalanced [".into());
    }
    let elems = stack.pop().unwrap_or_default();
    let anchors = elems
        .iter()
        .filter_map(|e| match e {
            Elem::Words(w) => Some(w.clone()),
            Elem::Class(name) => {
                let mut firsts: Vec<String> = g
                    .class(name)
                    .iter()
                    .filter_map(|p| p.first().cloned())
                    .collect();
                firsts.sort();
                firsts.dedup();
                Some(firsts)
            }
            _ => None,
        })
        .collect();
    Ok(Template {
        intent,
        source: src,
        elems,
        anchors,
    })
}

/// The words a message has, and the known words its unknown words could
/// be typos of.
pub fn present(toks: &[Token], g: &super::grammar::Grammar) -> std::collections::HashSet<String> {
    let mut set: std::collections::HashSet<String> = toks.iter().map(|t| t.norm.clone()).collect();
    for t in toks {
        if t.kind == Kind::Word && !t.is_known() {
            // A word is read as another form or a typo of a known word only
            // when both start with the same letter (`word_cost`), and the
            // known words are sorted: only that letter's run is compared.
            let Some(first) = t.norm.chars().next() else {
                continue;
            };
            let mut buf = [0u8; 4];
            let first: &str = first.encode_utf8(&mut buf);
            let from = g.known.partition_point(|w| w.as_str() < first);
            set.extend(
                g.known[from..]
                    .iter()
                    .take_while(|w| w.starts_with(first))
                    .filter(|w| word_cost(t, w).is_some())
                    .cloned(),
            );
        }
    }
    set
}

/// Whether every required piece of `t` could match some token of the
/// message (exactly or as a typo): a cheap test before matching.
pub fn may_match(t: &Template, toks: &[Token], ctx: &Ctx<'_>) -> bool {
    let present = ctx.present(toks);
    t.anchors
        .iter()
        .all(|words| words.iter().any(|w| present.contains(w)))
}

/// A template fitted to a message.
#[derive(Debug, Clone)]
pub struct Match {
    pub intent: Intent,
    pub source: &'static str,
    pub values: Vec<(Slot, Value)>,
    /// Lower is better: typos, bare numbers, words left to free text.
    pub cost: f32,
    /// Literal pieces matched (more is more specific).
    pub literals: usize,
}

impl Match {
    pub fn get(&self, slot: Slot) -> Option<&Value> {
        self.values.iter().find(|(s, _)| *s == slot).map(|(_, v)| v)
    }
}

/// How close a message word must be to a known word to count as a typo of it.
pub fn typo_of(token: &str, word: &str) -> bool {
    typo_cost(token, word).is_some()
}

/// The cost of reading `token` as a typo of `word` (its edit distance), if it can be one.
pub fn typo_cost(token: &str, word: &str) -> Option<f32> {
    if token == word {
        return Some(0.0);
    }
    let n = token.chars().count();
    let m = word.chars().count();
    if n < 4 || m < 4 || n.abs_diff(m) > 1 {
        return None;
    }
    // Keep the first letter: typos rarely change it, and names often differ there.
    if token.chars().next() != word.chars().next() {
        return None;
    }
    let d = strsim::damerau_levenshtein(token, word);
    (d <= if m >= 8 { 2 } else { 1 }).then_some(d as f32 * TYPO)
}

/// Whether a message word is itself a word Radar knows (then it is never
/// read as a typo of another one).
/// Cost of a punctuation mark no rule asked for.
const SKIP: f32 = 0.05;

/// Cost of one word matched as a typo.
const TYPO: f32 = 1.0;

/// The cost of reading message word `t` as lexicon word `w`: 0 when equal,
/// [`FORM`] for another form of a Russian word (same stem), the edit
/// distance for a typo; `None` when it cannot be. A word Radar knows is
/// never read as another one.
pub fn word_cost(t: &Token, w: &str) -> Option<f32> {
    if t.norm == w {
        return Some(0.0);
    }
    if t.kind != Kind::Word || t.is_known() {
        return None;
    }
    if t.norm.chars().count() >= 5
        && w.chars().count() >= 4
        && t.norm.chars().next() == w.chars().next()
        && super::names::is_cyrillic(&t.norm)
        && super::names::stem(&t.norm) == super::names::stem(w)
    {
        return Some(FORM);
    }
    typo_cost(&t.norm, w)
}

/// Whether `toks[i..]` starts with `phrase`; returns the cost (0 exact,
/// word forms and typos otherwise).
pub fn phrase_at(toks: &[Token], i: usize, phrase: &Phrase) -> Option<f32> {
    if i + phrase.len() > toks.len() {
        return None;
    }
    let mut cost = 0.0;
    for (k, w) in phrase.iter().enumerate() {
        cost += word_cost(&toks[i + k], w)?;
    }
    Some(cost)
}

/// Cost of another form of a Russian word ("разблокировали" for "разблокирована").
const FORM: f32 = 0.4;

struct State<'a> {
    toks: &'a [Token],
    ctx: &'a Ctx<'a>,
    out: Vec<Match>,
    /// The message ended while the template still needed a slot.
    partial: Option<usize>,
    budget: usize,
}

/// Every way `template` fits the whole of `toks`.
pub fn matches(template: &Template, toks: &[Token], ctx: &Ctx<'_>) -> Vec<Match> {
    if !may_match(template, toks, ctx) {
        return Vec::new();
    }
    matches_or_partial(template, toks, ctx).0
}

/// The matches of `template`, and — when there is none — whether the
/// message is the start of it with a required slot missing ("rename
/// feature", "ship"): the number of literal pieces it matched.
pub fn matches_or_partial(
    template: &Template,
    toks: &[Token],
    ctx: &Ctx<'_>,
) -> (Vec<Match>, Option<usize>) {
    if !may_match(template, toks, ctx) {
        return (Vec::new(), None);
    }
    let mut st = State {
        toks,
        ctx,
        out: Vec::new(),
        partial: None,
        budget: 20_000,
    };
    let mut values = Vec::new();
    let elems: Vec<&Elem> = template.elems.iter().collect();
    go(&mut st, template, &elems, 0, &mut values, 0.0, 0);
    (st.out, st.partial)
}

/// A value that is only the word for a kind of thing ("feature", "проект"),
/// so the thing itself is still missing.
fn only_nouns(v: &Value, ctx: &Ctx<'_>) -> bool {
    let text = match v {
        Value::Feature(super::slots::FeatureRef::Name(t))
        | Value::Project(super::slots::NameRef::Name(t))
        | Value::Text(t) => t,
        _ => return false,
    };
    let folded = super::text::fold(text);
    [
        "feature_noun",
        "project_noun",
        "release_noun",
        "team_noun",
        "po_noun",
    ]
    .iter()
    .any(|c| ctx.grammar.class(c).iter().any(|p| p.join(" ") == folded))
}

/// A value that surely names a thing (a feature by number, a version), not
/// free text or a word that may be chatter: a message that stops after it
/// still lacks the rest of its command ("rename #11", "опиши 10").
fn is_reference(v: &Value) -> bool {
    use super::slots::FeatureRef;
    matches!(
        v,
        Value::Feature(FeatureRef::Number(_) | FeatureRef::Ordinal(_)) | Value::Version(_)
    )
}

fn needs_slot(elems: &[&Elem]) -> bool {
    elems.iter().any(|e| matches!(e, Elem::Slot(_)))
}

fn go(
    st: &mut State<'_>,
    t: &Template,
    elems: &[&Elem],
    i: usize,
    values: &mut Vec<(Slot, Value)>,
    cost: f32,
    literals: usize,
) {
    if st.budget == 0 {
        return;
    }
    st.budget -= 1;
    let toks = st.toks;
    // Unasked-for punctuation is skipped (at a tiny cost, so a rule that
    // uses a mark like ✅ wins over one that ignores it).
    if i < toks.len() && toks[i].is_punct() {
        go(st, t, elems, i + 1, values, cost + SKIP, literals);
    }
    if i == toks.len()
        && literals > 0
        && needs_slot(elems)
        && values
            .iter()
            .all(|(_, v)| only_nouns(v, st.ctx) || is_reference(v))
    {
        st.partial = Some(st.partial.unwrap_or(0).max(literals));
    }
    let Some((first, rest)) = elems.split_first() else {
        if i == toks.len() {
            st.out.push(Match {
                intent: t.intent,
                source: t.source,
                values: values.clone(),
                cost,
                literals,
            });
        }
        return;
    };
    match first {
        Elem::Opt(inner) => {
            // Without the group …
            go(st, t, rest, i, values, cost, literals);
            // … and with it.
            let mut seq: Vec<&Elem> = inner.iter().collect();
            seq.extend_from_slice(rest);
            go(st, t, &seq, i, values, cost, literals);
        }
        Elem::Words(ws) => {
            if i >= toks.len() {
                return;
            }
            let tok = &toks[i];
            let best = ws
                .iter()
                .filter_map(|w| word_cost(tok, w))
                .min_by(f32::total_cmp);
            if let Some(c) = best {
                go(st, t, rest, i + 1, values, cost + c, literals + 1);
            }
        }
        Elem::Class(name) => {
            let g = st.ctx.grammar;
            let mut seen_len = Vec::new();
            for p in g.class(name) {
                if let Some(c) = phrase_at(toks, i, p) {
                    // One try per length and cost (phrases of a class are alternatives).
                    if seen_len.contains(&(p.len(), c as u32)) {
                        continue;
                    }
                    seen_len.push((p.len(), c as u32));
                    go(st, t, rest, i + p.len(), values, cost + c, literals + 1);
                }
            }
        }
        Elem::Slot(slot) => {
            // A free-text slot at the very end takes everything left.
            let last = rest.is_empty();
            let fills = slots::fill_memo(*slot, toks, i, last, st.ctx);
            for (end, value, c) in fills.iter() {
                values.push((*slot, value.clone()));
                go(st, t, rest, *end, values, cost + c, literals);
                values.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos() {
        assert!(typo_of("relase", "release"));
        assert!(typo_of("fetaure", "feature"));
        assert!(typo_of("blokced", "blocked"));
        assert!(typo_of("фичю", "фичу"));
        assert!(typo_of("shwo", "show"));
        assert!(!typo_of("gone", "done"));
        assert!(!typo_of("login", "logout"));
    }
}
