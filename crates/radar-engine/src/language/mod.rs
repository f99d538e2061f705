//! The command language: slash commands and plain phrases in English and
//! Russian (or both at once), understood against the user's project.
//!
//! - [`table`]: every command (intent, slash names, argument shape): the
//!   single source for parsing, `/help`, the menu and the README table.
//! - [`lexicon`]: one file per language: words, word classes, rules.
//! - [`pattern`]: templates and the matcher; [`slots`] and [`dates`]: one
//!   parser per slot type; [`names`]: matching typed names to known ones.
//! - [`understand`]: message → [`Understanding`]: a resolved [`Command`],
//!   a question (two readings, two candidates), a clear problem, or "not
//!   understood" with the closest commands.
//!
//! The safety rule: a message yields a command only when one rule accounts
//! for every word and each slot resolves to exactly one thing.

pub mod command;
pub mod dates;
pub mod grammar;
pub mod lexicon;
pub mod morph;
pub mod names;
pub mod pattern;
pub mod slots;
pub mod table;
pub mod text;

use std::sync::Arc;

use chrono::NaiveDate;
use radar_store::{FeatureNumber, FeatureStatus};

pub use command::Command;
pub use slots::Filter;
pub use table::Intent;

use grammar::GRAMMAR;
use names::Resolution;
use pattern::{Match, Slot};
use slots::{Ctx, FeatureRef, NameRef, Value};
use text::{Kind, Token};

use crate::period::Period;

pub const MAX_PROJECT_NAME: usize = 64;
pub const MAX_FEATURE_NAME: usize = 200;
pub const MAX_VERSION: usize = 32;
pub const MAX_TEXT: usize = 2000;
pub const MAX_SHORT: usize = 200;

/// What the resolver knows about the user's world.
#[derive(Debug, Default)]
pub struct World {
    /// Name resolutions already made for this message (typed name → result).
    pub resolved: std::sync::Mutex<std::collections::HashMap<(u8, String), Resolution>>,
    /// Shared with the engine's names cache, like `features` and `releases`
    /// (one copy per names version, not per message).
    pub projects: Arc<[ProjectView]>,
    /// The active project's name.
    pub active: Option<String>,
    /// Features of the active project.
    pub features: Arc<[FeatureView]>,
    /// Versions of the active project's releases.
    pub releases: Arc<[String]>,
    /// What the user's previous command touched (pronouns).
    pub last: Last,
    /// The names of each kind (features, projects), prepared for matching
    /// on first use and reused by every name typed in the message (and, as
    /// the engine shares them, by every message of the same names version).
    pub prepared: [Arc<PreparedNames>; 2],
}

/// A kind's names prepared for matching, once ([`World::prepared`]).
pub type PreparedNames = std::sync::OnceLock<Vec<Arc<names::Prepared>>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectView {
    pub name: String,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureView {
    pub number: FeatureNumber,
    pub name: String,
    pub teams: Option<String>,
    pub po: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Last {
    pub feature: Option<FeatureNumber>,
    pub release: Option<String>,
    pub project: Option<String>,
    /// The previous command as a slash command ("same for #9" repeats it).
    pub command: Option<String>,
}

impl World {
    /// [`names::resolve`], once per message and kind of name (0: features,
    /// 1: projects), each kind's names prepared once.
    fn resolve<'a>(
        &'a self,
        kind: u8,
        typed: &str,
        names: impl FnOnce() -> Vec<&'a str>,
    ) -> Resolution {
        let key = (kind, typed.to_string());
        let mut cache = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = cache.get(&key) {
            return r.clone();
        }
        let prepared = self.prepared[usize::from(kind)].get_or_init(|| names::prepare_all(names()));
        let r = names::resolve_prepared(typed, prepared);
        cache.insert(key, r.clone());
        r
    }

    fn teams(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .features
            .iter()
            .filter_map(|f| f.teams.as_deref())
            .flat_map(|t| t.split(','))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        v.sort_by_key(|t| text::fold(t));
        v.dedup_by_key(|t| text::fold(t));
        v
    }

    fn pos(&self) -> Vec<String> {
        let mut v: Vec<String> = self.features.iter().filter_map(|f| f.po.clone()).collect();
        v.sort_by_key(|t| text::fold(t));
        v.dedup_by_key(|t| text::fold(t));
        v
    }
}

/// What is being asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AskAbout {
    /// A name that fits several features (or fits one only loosely).
    Feature(String),
    Project(String),
    /// "it" with nothing it could refer to.
    Pronoun,
    /// A command about a release that names none ("ship").
    Release,
    /// A command with its object missing ("rename feature", "cancel").
    Missing(Intent),
    /// Two different commands read the message equally well.
    Meaning,
}

/// Why an understood command cannot be done as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No feature of the active project is called that (closest: number, name).
    UnknownFeature {
        typed: String,
        closest: Vec<(FeatureNumber, String)>,
    },
    UnknownProject {
        typed: String,
        closest: Vec<String>,
    },
    /// A date that does not exist, or with an implausible year.
    BadDate(String),
    /// A name or text with control characters.
    ControlCharacters,
    /// A name with no visible letter or digit.
    InvisibleName,
    TooLong {
        what: &'static str,
        max: usize,
    },
    /// A slash command with arguments that do not fit.
    Usage(Intent),
    /// `/cmd` that Radar does not have (closest slash names).
    UnknownCommand {
        typed: String,
        closest: Vec<&'static str>,
    },
    /// A time zone Radar does not know.
    UnknownZone(String),
    /// Feature number 0 or negative, or not a number at all.
    BadNumber(String),
    /// A word that is not a status (`/status 1 sleeping`).
    BadStatus(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Understanding {
    Command(Command),
    Ask {
        about: AskAbout,
        options: Vec<Command>,
    },
    Problem(Problem),
    /// Not a command; the closest commands it could mean (may be empty).
    NotUnderstood(Vec<Command>),
    /// A slash command addressed to another bot.
    NotForMe,
    Empty,
}

/// What parsing needs besides the text.
pub struct ParseCtx<'a> {
    /// The bot's username, to tell `/cmd@us` from `/cmd@otherbot`.
    pub bot_username: Option<&'a str>,
    /// The user's local date.
    pub today: NaiveDate,
}

/// Understands a message against `world`.
pub fn understand(text: &str, pc: &ParseCtx<'_>, world: &World) -> Understanding {
    let cleaned = text::clean(text);
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        return Understanding::Empty;
    }
    if let Some(rest) = trimmed.strip_prefix('/') {
        return slash(rest.trim_start(), pc, world);
    }
    phrase(trimmed, pc, world)
}

fn ctx<'a>(text: &'a str, pc: &ParseCtx<'_>, slash: bool, world: &'a World) -> Ctx<'a> {
    Ctx::new(&GRAMMAR, text, pc.today, slash, &world.releases)
}

fn slash(rest: &str, pc: &ParseCtx<'_>, world: &World) -> Understanding {
    let (head, args) = match rest.find(char::is_whitespace) {
        Some(p) => (&rest[..p], rest[p..].trim()),
        None => (rest, ""),
    };
    let (name, bot) = match head.split_once('@') {
        Some((n, b)) => (n, Some(b)),
        None => (head, None),
    };
    if let (Some(b), Some(me)) = (bot, pc.bot_username)
        && !b.eq_ignore_ascii_case(me)
    {
        return Understanding::NotForMe;
    }
    let name = name.to_lowercase();
    let Some(spec) = table::by_slash(&name) else {
        if name.is_empty() && !args.is_empty() {
            // "/ status 2 planned": a space after the slash.
            return understand(&format!("/{args}"), pc, world);
        }
        let mut closest: Vec<(f64, &'static str)> = table::COMMANDS
            .iter()
            .flat_map(|c| c.slash.iter())
            .map(|s| (strsim::jaro_winkler(&name, s), *s))
            .filter(|(s, _)| *s >= 0.8)
            .collect();
        closest.sort_by(|a, b| b.0.total_cmp(&a.0));
        let typed: String = format!("/{}", name.chars().take(32).collect::<String>());
        // A one-letter slip in a command name is corrected when unambiguous.
        if let [(s, only)] = closest.as_slice()
            && *s >= 0.9
        {
            return understand(&format!("/{only} {args}"), pc, world);
        }
        return Understanding::Problem(Problem::UnknownCommand {
            typed,
            closest: closest.into_iter().take(3).map(|(_, s)| s).collect(),
        });
    };
    let tokens = text::tokenize(args);
    let c = ctx(args, pc, true, world);
    let mut found: Vec<Match> = GRAMMAR.slash_args[&spec.intent]
        .iter()
        .flat_map(|t| pattern::matches(t, &tokens, &c))
        .collect();
    // A slash command also takes the phrase rules of its own intent
    // ("/status 4 blocked waiting for legal", "/features in progress").
    if found.is_empty() && !tokens.is_empty() {
        found = GRAMMAR
            .rules
            .iter()
            .filter(|r| r.intent == spec.intent)
            .flat_map(|t| pattern::matches(t, &tokens, &c))
            .collect();
    }
    if found.is_empty() {
        // `/status 1 sleeping`: the feature is there, the status is not a status.
        if spec.intent == Intent::SetStatus
            && tokens.len() >= 2
            && matches!(tokens[0].kind, Kind::Hash | Kind::Number)
        {
            return Understanding::Problem(Problem::BadStatus(slots::raw(
                &c,
                &tokens,
                1,
                tokens.len(),
            )));
        }
        return Understanding::Problem(Problem::Usage(spec.intent));
    }
    decide(found, world, &c, true)
}

/// Drops filler phrases wherever they are, and opener phrases at the start.
fn strip_fillers(tokens: Vec<Token>) -> Vec<Token> {
    let g = &*GRAMMAR;
    let mut toks: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let filler = g.fillers.iter().find(|p| {
            tokens[i].kind == Kind::Word && pattern::phrase_at(&tokens, i, p) == Some(0.0)
        });
        match filler {
            Some(p) => i += p.len(),
            None => {
                toks.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    loop {
        // Leading punctuation and openers ("ok, so", "ну давай").
        while toks.first().is_some_and(|t| t.is_punct() && t.norm != "+") {
            toks.remove(0);
        }
        let Some(len) = g
            .openers
            .iter()
            .filter(|p| pattern::phrase_at(&toks, 0, p) == Some(0.0))
            .map(|p| p.len())
            .max()
        else {
            break;
        };
        if len >= toks.len() {
            break;
        }
        toks.drain(..len);
    }
    toks
}

fn phrase(text: &str, pc: &ParseCtx<'_>, world: &World) -> Understanding {
    let c = ctx(text, pc, false, world);
    let tokens = strip_fillers(text::tokenize(text));
    if tokens.iter().all(|t| t.is_punct()) {
        return Understanding::NotUnderstood(Vec::new());
    }
    // "same for #9", "то же для #8": the previous command, for another feature.
    if let Some(u) = same_for(&tokens, &c, pc, world) {
        return u;
    }
    let first = read(&tokens, &c, world);
    if !matches!(
        first,
        Understanding::NotUnderstood(_)
            | Understanding::Problem(
                Problem::UnknownFeature { .. } | Problem::UnknownProject { .. }
            )
    ) {
        return first;
    }
    // A complete command followed by a comment ("remove #8, it's a
    // duplicate") or by "now"/"today": read it without them.
    for shorter in [without_adverb(&tokens), without_comment(&tokens)]
        .into_iter()
        .flatten()
        .chain(without_comment(&tokens).and_then(|t| without_adverb(&t)))
    {
        let again = read(&shorter, &c, world);
        if matches!(again, Understanding::Command(_) | Understanding::Ask { .. }) {
            return with_comment_as_reason(again, &tokens, shorter.len(), &c);
        }
    }
    match first {
        Understanding::NotUnderstood(_) => {
            Understanding::NotUnderstood(suggest(&tokens, &c, world))
        }
        // "list the releases for me ok" is not about a feature named
        // «releases for me ok»: a "name" made of Radar's own words gets the
        // closest commands instead, when there are any.
        Understanding::Problem(
            Problem::UnknownFeature { ref typed, .. } | Problem::UnknownProject { ref typed, .. },
        ) if text::tokenize(typed)
            .iter()
            .any(|t| t.kind == Kind::Word && GRAMMAR.is_keyword(&t.norm)) =>
        {
            let suggestions = suggest(&tokens, &c, world);
            if suggestions.is_empty() {
                first
            } else {
                Understanding::NotUnderstood(suggestions)
            }
        }
        other => other,
    }
}

/// One reading of the tokens: the best command, a question, a problem.
fn read(tokens: &[Token], c: &Ctx<'_>, world: &World) -> Understanding {
    // Slot fills are memoized by position: valid for one token list only.
    c.memo.borrow_mut().clear();
    let mut found: Vec<Match> = Vec::new();
    let mut partial: Option<(usize, Intent)> = None;
    for t in GRAMMAR.candidates(c.present(tokens)) {
        let (m, p) = pattern::matches_or_partial(t, tokens, c);
        found.extend(m);
        if let Some(lits) = p
            && partial.is_none_or(|(l, _)| lits > l)
        {
            partial = Some((lits, t.intent));
        }
    }
    let decided = if found.is_empty() {
        Understanding::NotUnderstood(Vec::new())
    } else {
        decide(found, world, c, false)
    };
    match (decided, partial) {
        // Nothing fits, but the message starts a command: ask for the rest.
        (Understanding::NotUnderstood(_), Some((_, intent))) => Understanding::Ask {
            about: AskAbout::Missing(intent),
            options: Vec::new(),
        },
        (d, _) => d,
    }
}

/// The tokens without a trailing "now", "today", "сейчас".
fn without_adverb(tokens: &[Token]) -> Option<Vec<Token>> {
    let mut end = tokens.len();
    while end > 0 && tokens[end - 1].is_punct() {
        end -= 1;
    }
    let len = GRAMMAR
        .class("now")
        .iter()
        .filter(|p| p.len() < end && pattern::phrase_at(tokens, end - p.len(), p) == Some(0.0))
        .map(|p| p.len())
        .max()?;
    Some(tokens[..end - len].to_vec())
}

/// "gift cards cancelled, business dropped it": the comment after a status
/// that wants a reason (blocked, cancelled) is the reason.
fn with_comment_as_reason(
    u: Understanding,
    tokens: &[Token],
    kept: usize,
    c: &Ctx<'_>,
) -> Understanding {
    let Understanding::Command(Command::SetStatus {
        number,
        status: status @ (FeatureStatus::Blocked | FeatureStatus::Cancelled),
        reason: None,
    }) = u
    else {
        return u;
    };
    // The comment starts after the separator that ended the kept part
    // (a trailing "now" is not a comment).
    if !tokens
        .get(kept)
        .is_some_and(|t| matches!(t.norm.as_str(), "," | "-" | ";"))
    {
        return Understanding::Command(Command::SetStatus {
            number,
            status,
            reason: None,
        });
    }
    let mut from = kept;
    while from < tokens.len() && tokens[from].is_punct() {
        from += 1;
    }
    let mut to = tokens.len();
    while to > from && tokens[to - 1].is_punct() {
        to -= 1;
    }
    let reason = (from < to)
        .then(|| slots::raw(c, tokens, from, to))
        .and_then(|r| long_text(&r, "reason").ok())
        .filter(|r| !r.is_empty());
    Understanding::Command(Command::SetStatus {
        number,
        status,
        reason,
    })
}

/// The tokens without a trailing comment after a comma or a dash, when the
/// comment names nothing (no number, version, #N or date).
fn without_comment(tokens: &[Token]) -> Option<Vec<Token>> {
    let sep = tokens
        .iter()
        .rposition(|t| matches!(t.norm.as_str(), "," | "-" | ";"))?;
    if sep < 2
        || tokens[sep + 1..]
            .iter()
            .any(|t| matches!(t.kind, Kind::Hash | Kind::Number | Kind::Numeric))
        || tokens[sep + 1..].iter().all(|t| t.is_punct())
    {
        return None;
    }
    Some(tokens[..sep].to_vec())
}

/// Every reading of a phrase with its cost and what it builds to: for
/// understanding why a message was read the way it was (tests, debugging).
pub fn explain(text: &str, pc: &ParseCtx<'_>, world: &World) -> Vec<String> {
    let cleaned = text::clean(text);
    let c = ctx(&cleaned, pc, false, world);
    let tokens = strip_fillers(text::tokenize(&cleaned));
    let mut out = vec![format!(
        "tokens: {:?}",
        tokens.iter().map(|t| t.norm.as_str()).collect::<Vec<_>>()
    )];
    let mut found: Vec<Match> = GRAMMAR
        .rules
        .iter()
        .flat_map(|t| pattern::matches(t, &tokens, &c))
        .collect();
    found.sort_by(|a, b| a.cost.total_cmp(&b.cost));
    for m in found.iter().take(12) {
        let built = match build(m, world, &c) {
            Built::Ok(cmd) => format!("{cmd:?}"),
            Built::Ask(a, o) => format!("ask {a:?} {o:?}"),
            Built::Problem(p) => format!("problem {p:?}"),
            Built::Misfit => "misfit".into(),
        };
        out.push(format!(
            "{:.2} [{}] {:?} → {built}",
            m.cost, m.literals, m.source
        ));
    }
    out
}

fn same_for(
    tokens: &[Token],
    c: &Ctx<'_>,
    pc: &ParseCtx<'_>,
    world: &World,
) -> Option<Understanding> {
    let lead = GRAMMAR
        .class("same_for")
        .iter()
        .filter(|p| pattern::phrase_at(tokens, 0, p) == Some(0.0))
        .map(|p| p.len())
        .max()?;
    let feature = slots::fill(Slot::Feature, tokens, lead, true, c)
        .into_iter()
        .find(|(end, v, _)| {
            *end == tokens.len() && matches!(v, Value::Feature(FeatureRef::Number(_)))
        })?;
    let Value::Feature(FeatureRef::Number(n)) = feature.1 else {
        return None;
    };
    let Some(prev) = world.last.command.as_deref() else {
        return Some(Understanding::Ask {
            about: AskAbout::Meaning,
            options: Vec::new(),
        });
    };
    let Understanding::Command(cmd) = understand(prev, pc, world) else {
        return None;
    };
    Some(match with_feature(cmd, n) {
        Some(cmd) => Understanding::Command(cmd),
        None => Understanding::Ask {
            about: AskAbout::Meaning,
            options: Vec::new(),
        },
    })
}

/// The same command for another feature.
fn with_feature(cmd: Command, n: FeatureNumber) -> Option<Command> {
    use Command as C;
    Some(match cmd {
        C::ShowFeature(_) => C::ShowFeature(n),
        C::Unplan(_) => C::Unplan(n),
        C::History(_) => C::History(n),
        C::SetStatus { status, reason, .. } => C::SetStatus {
            number: n,
            status,
            reason,
        },
        C::AssignTeam { teams, .. } => C::AssignTeam { number: n, teams },
        C::AssignPo { po, .. } => C::AssignPo { number: n, po },
        C::Describe { text, .. } => C::Describe { number: n, text },
        C::Plan { version, .. } => C::Plan { number: n, version },
        C::DeleteFeature { .. } => C::DeleteFeature {
            number: n,
            confirmed: false,
        },
        _ => return None,
    })
}

/// What became of one reading of a message.
enum Built {
    Ok(Command),
    Ask(AskAbout, Vec<Command>),
    Problem(Problem),
    /// The reading does not fit the project's data (a "known team" that is not).
    Misfit,
}

fn decide(mut found: Vec<Match>, world: &World, c: &Ctx<'_>, slash: bool) -> Understanding {
    found.sort_by(|a, b| a.cost.total_cmp(&b.cost).then(b.literals.cmp(&a.literals)));
    let mut oks: Vec<(f32, usize, Command)> = Vec::new();
    let mut asks: Vec<(f32, AskAbout, Vec<Command>)> = Vec::new();
    let mut problems: Vec<(f32, Problem, usize)> = Vec::new();
    for m in &found {
        match build(m, world, c) {
            Built::Ok(cmd) => {
                if !oks.iter().any(|(_, _, o)| *o == cmd) {
                    oks.push((m.cost, m.literals, cmd));
                }
            }
            Built::Ask(about, options) => asks.push((m.cost, about, options)),
            Built::Problem(p) => problems.push((m.cost, p, m.literals)),
            Built::Misfit => {}
        }
    }
    if let Some((best, lits, cmd)) = oks.first().cloned() {
        // Two different commands that read the message equally well: ask.
        let rivals: Vec<Command> = oks
            .iter()
            .filter(|(c, l, o)| {
                *c <= best + TIE && *l == lits && *o != cmd && same_kind_tie(&cmd, o)
            })
            .map(|(_, _, o)| o.clone())
            .collect();
        if !rivals.is_empty() {
            let mut options = vec![cmd];
            options.extend(rivals);
            options.truncate(4);
            return Understanding::Ask {
                about: AskAbout::Meaning,
                options,
            };
        }
        // A question that reads the message as well as the best command
        // ("запланируй 10": status planned, or plan into which release?):
        // a guess between two meanings is not made; the command becomes
        // one of the options.
        if let Some((ac, AskAbout::Release, options)) = asks.first()
            && *ac <= best + TIE
            && !options.is_empty()
            && options.iter().all(|o| o.intent() != cmd.intent())
        {
            let mut all = vec![cmd];
            all.extend(options.iter().cloned());
            all.truncate(4);
            return Understanding::Ask {
                about: AskAbout::Meaning,
                options: all,
            };
        }
        // A reading that needs a question, clearly better than the best command.
        if let Some((ac, about, options)) = asks.first()
            && *ac + 0.5 < best
        {
            return Understanding::Ask {
                about: about.clone(),
                options: options.clone(),
            };
        }
        return Understanding::Command(cmd);
    }
    if let Some((ac, about, options)) = asks.into_iter().next() {
        // A problem with a clearly better reading wins over a question.
        if let Some((pc, p, _)) = problems.first()
            && *pc + 0.5 < ac
        {
            return Understanding::Problem(p.clone());
        }
        return Understanding::Ask { about, options };
    }
    // An unknown name is worth saying only when some word of the rule was
    // recognized ("show me the referral feature"); a message that is only
    // an unknown name is chit-chat ("lol").
    if let Some((_, p, literals)) = problems.into_iter().next() {
        let name_only = literals == 0
            && matches!(
                p,
                Problem::UnknownFeature { .. } | Problem::UnknownProject { .. }
            );
        if !name_only || slash {
            return Understanding::Problem(p);
        }
    }
    Understanding::NotUnderstood(Vec::new())
}

/// Readings whose costs differ by no more than this are a tie.
const TIE: f32 = 0.04;

/// Whether two commands are rivals worth a question (not just two ways to
/// say the same thing, like `Features(Open)` and `Features(All)` for "all").
fn same_kind_tie(a: &Command, b: &Command) -> bool {
    a.intent() != b.intent() || a.feature() != b.feature() || a.release() != b.release()
}

/// The closest commands to a message no rule accounts for (at most three,
/// best first): what it says with one or two of its unknown words left out, else
/// what one or two of its words say on their own ("can you list the releases
/// for me ok" → /releases). A message with no word Radar knows gets none.
/// Suggestions only become buttons; nothing runs until one is pressed.
fn suggest(tokens: &[Token], c: &Ctx<'_>, world: &World) -> Vec<Command> {
    const MAX: usize = 3;
    let words: Vec<usize> = (0..tokens.len())
        .filter(|&i| !tokens[i].is_punct())
        .collect();
    let knows = |t: &Token| t.kind == Kind::Hash || t.is_known();
    if words.is_empty() || words.len() > 12 || !tokens.iter().any(knows) {
        return Vec::new();
    }
    let mut out: Vec<(f32, Command)> = Vec::new();
    let add = |reading: Option<(f32, Command)>, out: &mut Vec<(f32, Command)>| {
        if let Some((cost, cmd)) = reading
            && !out.iter().any(|(_, o)| *o == cmd)
        {
            out.push((cost, cmd));
        }
    };
    let without = |drop: &[usize]| -> Vec<Token> {
        (0..tokens.len())
            .filter(|i| !drop.contains(i))
            .map(|i| tokens[i].clone())
            .collect()
    };
    // Words Radar does not know are the ones to leave out ("kinda").
    let unknown: Vec<usize> = words
        .iter()
        .copied()
        .filter(|&i| !knows(&tokens[i]))
        .collect();
    for &i in &unknown {
        add(reading(tokens, without(&[i]), c, world, 1.0), &mut out);
    }
    if out.is_empty() && unknown.len() <= 4 {
        for (a, &i) in unknown.iter().enumerate() {
            for &j in &unknown[a + 1..] {
                add(reading(tokens, without(&[i, j]), c, world, 2.0), &mut out);
            }
        }
    }
    // One known word, or two in a row, on their own.
    for (a, &i) in words.iter().enumerate() {
        if !knows(&tokens[i]) {
            continue;
        }
        add(
            reading(tokens, vec![tokens[i].clone()], c, world, 3.0),
            &mut out,
        );
        if let Some(&j) = words.get(a + 1) {
            let two = vec![tokens[i].clone(), tokens[j].clone()];
            add(reading(tokens, two, c, world, 3.0), &mut out);
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out.into_iter().take(MAX).map(|(_, c)| c).collect()
}

/// The command `toks` (a part of the message `all`) reads as, with its
/// cost plus `penalty`.
fn reading(
    all: &[Token],
    toks: Vec<Token>,
    c: &Ctx<'_>,
    world: &World,
    penalty: f32,
) -> Option<(f32, Command)> {
    c.memo.borrow_mut().clear();
    let found: Vec<Match> = GRAMMAR
        .candidates(c.present(all))
        .into_iter()
        .flat_map(|t| pattern::matches(t, &toks, c))
        .collect();
    let best = found.iter().map(|m| m.cost).min_by(f32::total_cmp)?;
    match decide(found, world, c, false) {
        Understanding::Command(cmd) => Some((best + penalty, cmd)),
        _ => None,
    }
}

// ---------------------------------------------------------------- building

fn text_value(m: &Match, slot: Slot) -> Option<String> {
    match m.get(slot) {
        Some(Value::Text(t)) => Some(t.clone()),
        _ => None,
    }
}

/// Trims quotes and separators the user put around a value.
fn trim_text(s: &str) -> String {
    let t = s.trim().trim_matches(|c: char| {
        matches!(
            c,
            '"' | '«' | '»' | '“' | '”' | '„' | '\'' | '‘' | '’' | ':' | ',' | ';'
        )
    });
    t.trim().to_string()
}

/// A name as stored: NFC, invisible characters removed, spaces collapsed.
fn name_value(s: &str, what: &'static str, max: usize) -> Result<String, Problem> {
    if text::has_control(s, false) {
        return Err(Problem::ControlCharacters);
    }
    let cleaned = text::clean(&trim_text(s));
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if !text::has_visible(&cleaned) {
        return Err(Problem::InvisibleName);
    }
    if cleaned.chars().count() > max {
        return Err(Problem::TooLong { what, max });
    }
    Ok(cleaned)
}

/// A description or a reason: newlines and tabs allowed. A leading label
/// ("description:", "описание:") is not part of it.
fn long_text(s: &str, what: &'static str) -> Result<String, Problem> {
    if text::has_control(s, true) {
        return Err(Problem::ControlCharacters);
    }
    let mut s = s.trim();
    if let Some((label, rest)) = s.split_once(':')
        && GRAMMAR
            .class("desc_noun")
            .iter()
            .any(|p| p.join(" ") == text::fold(label))
        && !rest.trim().is_empty()
    {
        s = rest;
    }
    let cleaned = text::clean(&trim_text(s));
    if cleaned.chars().count() > MAX_TEXT {
        return Err(Problem::TooLong {
            what,
            max: MAX_TEXT,
        });
    }
    // A description may be only emoji; it may not be only blanks.
    if cleaned.chars().all(char::is_whitespace) {
        return Err(Problem::InvisibleName);
    }
    Ok(cleaned)
}

macro_rules! try_built {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(b) => return b,
        }
    };
}

fn problem(p: Problem) -> Built {
    Built::Problem(p)
}

/// A choice already made for a slot (building one option of a question).
#[derive(Debug, Clone, Default)]
struct Fixed {
    feature: Option<FeatureNumber>,
    project: Option<String>,
}

/// The same reading built once per candidate (each becomes a button).
fn options_for(
    m: &Match,
    world: &World,
    c: &Ctx<'_>,
    fixes: impl Iterator<Item = Fixed>,
) -> Vec<Command> {
    fixes
        .filter_map(|f| match build_with(m, world, c, &f) {
            Built::Ok(cmd) => Some(cmd),
            _ => None,
        })
        .collect()
}

fn fixed_features(world: &World, is: &[usize]) -> impl Iterator<Item = Fixed> {
    is.iter()
        .map(|&i| Fixed {
            feature: Some(world.features[i].number),
            ..Fixed::default()
        })
        .collect::<Vec<_>>()
        .into_iter()
}

/// Resolves a feature reference to a number of the active project.
fn feature(m: &Match, world: &World, c: &Ctx<'_>, fixed: &Fixed) -> Result<FeatureNumber, Built> {
    if let Some(n) = fixed.feature {
        return Ok(n);
    }
    match m.get(Slot::Feature) {
        Some(Value::Feature(FeatureRef::Number(n))) => Ok(*n),
        Some(Value::Feature(FeatureRef::Ordinal(n))) if *n > 0 => Ok(FeatureNumber(*n)),
        Some(Value::Feature(FeatureRef::Invalid(raw))) => {
            Err(problem(Problem::BadNumber(raw.clone())))
        }
        Some(Value::Feature(FeatureRef::Pronoun)) => world
            .last
            .feature
            .ok_or(Built::Ask(AskAbout::Pronoun, Vec::new())),
        Some(Value::Feature(FeatureRef::Name(typed))) => {
            match world.resolve(0, typed, || {
                world.features.iter().map(|f| f.name.as_str()).collect()
            }) {
                Resolution::One(i) => Ok(world.features[i].number),
                Resolution::Several(is) => Err(Built::Ask(
                    AskAbout::Feature(typed.clone()),
                    options_for(m, world, c, fixed_features(world, &is)),
                )),
                Resolution::None(closest) if !closest.is_empty() && m.literals > 0 => {
                    Err(Built::Ask(
                        AskAbout::Feature(typed.clone()),
                        options_for(m, world, c, fixed_features(world, &closest)),
                    ))
                }
                Resolution::None(closest) => Err(problem(Problem::UnknownFeature {
                    typed: typed.clone(),
                    closest: closest
                        .iter()
                        .map(|&i| (world.features[i].number, world.features[i].name.clone()))
                        .collect(),
                })),
            }
        }
        _ => Err(Built::Misfit),
    }
}

/// The existing project a reference names (its exact name).
fn project(m: &Match, world: &World, c: &Ctx<'_>, fixed: &Fixed) -> Result<String, Built> {
    if let Some(p) = &fixed.project {
        return Ok(p.clone());
    }
    match m.get(Slot::Project) {
        Some(Value::Project(NameRef::Pronoun)) => world
            .last
            .project
            .clone()
            .ok_or(Built::Ask(AskAbout::Pronoun, Vec::new())),
        Some(Value::Project(NameRef::Name(typed))) => {
            // "the other project": ask which.
            if in_class(typed, "other") {
                return Err(Built::Ask(
                    AskAbout::Project(typed.clone()),
                    world
                        .projects
                        .iter()
                        .filter(|p| Some(&p.name) != world.active.as_ref() && !p.archived)
                        .map(|p| Command::UseProject {
                            name: p.name.clone(),
                        })
                        .collect(),
                ));
            }
            match world.resolve(1, typed, || {
                world.projects.iter().map(|p| p.name.as_str()).collect()
            }) {
                Resolution::One(i) => Ok(world.projects[i].name.clone()),
                Resolution::Several(is) => Err(Built::Ask(
                    AskAbout::Project(typed.clone()),
                    options_for(
                        m,
                        world,
                        c,
                        is.iter()
                            .map(|&i| Fixed {
                                project: Some(world.projects[i].name.clone()),
                                ..Fixed::default()
                            })
                            .collect::<Vec<_>>()
                            .into_iter(),
                    ),
                )),
                Resolution::None(closest) => Err(problem(Problem::UnknownProject {
                    typed: typed.clone(),
                    closest: closest
                        .iter()
                        .map(|&i| world.projects[i].name.clone())
                        .collect(),
                })),
            }
        }
        _ => Err(Built::Misfit),
    }
}

/// Whether `typed` (its words, a project noun aside) is a phrase of `class`.
fn in_class(typed: &str, class: &str) -> bool {
    let toks: Vec<Token> = text::tokenize(typed)
        .into_iter()
        .filter(|t| {
            !GRAMMAR
                .class("project_noun")
                .iter()
                .any(|p| p.len() == 1 && p[0] == t.norm)
        })
        .collect();
    GRAMMAR
        .class(class)
        .iter()
        .any(|p| p.len() == toks.len() && pattern::phrase_at(&toks, 0, p) == Some(0.0))
}

/// Whether `typed` is only words like "feature", «фичу», "project": "add
/// feature" names nothing (it is not a feature called "feature").
fn only_nouns(typed: &str) -> bool {
    /// Words that describe the thing being made, not its name.
    const PLAIN: &[&str] = &[
        "a",
        "an",
        "new",
        "another",
        "one",
        "новую",
        "новая",
        "новый",
        "новое",
        "ещё",
        "еще",
        "одну",
        "один",
    ];
    let toks = text::tokenize(typed);
    !toks.is_empty()
        && toks.iter().all(|t| {
            PLAIN.contains(&t.norm.as_str())
                || ["feature_noun", "project_noun", "release_noun"]
                    .iter()
                    .any(|class| {
                        GRAMMAR
                            .class(class)
                            .iter()
                            .any(|p| p.len() == 1 && p[0] == t.norm)
                    })
        })
}

/// Function words that never make a team or a person's name.
const NOT_A_NAME: &[&str] = &[
    "is",
    "are",
    "was",
    "were",
    "be",
    "at",
    "the",
    "on",
    "in",
    "to",
    "of",
    "for",
    "with",
    "will",
    "this",
    "that",
    "it",
    "not",
    "no",
    "and",
    "tomorrow",
    "today",
    "what",
    "who",
    "how",
    "why",
    "when",
    "where",
    "which",
    "в",
    "на",
    "из",
    "с",
    "не",
    "это",
    "будет",
    "уже",
    "сегодня",
    "завтра",
    "что",
    "кто",
    "как",
    "где",
    "когда",
    "почему",
    "какой",
    "какая",
    "ли",
    "там",
    "тут",
];

/// A team or a person's name: a few words, none of them a function word.
fn person_like(s: &str) -> bool {
    let words: Vec<String> = text::fold(s)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    !words.is_empty()
        && words.len() <= 4
        && !words.iter().any(|w| NOT_A_NAME.contains(&w.as_str()))
        && !s.contains([':', '?', '!'])
}

/// Whether a new name is really a reference ("it", "#7", "12").
fn reference_like(s: &str) -> bool {
    let toks = text::tokenize(s);
    let first = toks.first();
    let in_class = |class: &str, t: &Token| {
        GRAMMAR
            .class(class)
            .iter()
            .any(|p| p.len() == 1 && p[0] == t.norm)
    };
    first.is_some_and(|t| {
        t.kind == Kind::Hash
            || (toks.len() == 1 && t.kind == Kind::Number)
            || slots::version_of(t, false).is_some()
            || in_class("pronoun", t)
            || in_class("release_noun", t)
            || in_class("project_noun", t)
    })
}

/// The releases to ask about when a command names none.
fn ask_release(world: &World, make: impl Fn(String) -> Command) -> Built {
    Built::Ask(
        AskAbout::Release,
        world.releases.iter().cloned().map(make).collect(),
    )
}

/// A release reference: a pronoun resolves to the last release; a version
/// is matched to an existing one's spelling ("V2.1" → "2.1") or kept.
fn release(m: &Match, world: &World) -> Result<String, Built> {
    match m.get(Slot::Release) {
        Some(Value::Release(NameRef::Pronoun)) => world
            .last
            .release
            .clone()
            .ok_or(Built::Ask(AskAbout::Pronoun, Vec::new())),
        Some(Value::Release(NameRef::Name(v))) => {
            if v.chars().count() > MAX_VERSION {
                return Err(problem(Problem::TooLong {
                    what: "version",
                    max: MAX_VERSION,
                }));
            }
            Ok(world
                .releases
                .iter()
                .find(|r| r.eq_ignore_ascii_case(v))
                .cloned()
                .unwrap_or_else(|| v.clone()))
        }
        _ => Err(Built::Misfit),
    }
}

/// A value that must name a team or person already in the project.
fn known(typed: &str, known: &[String]) -> Option<String> {
    match names::resolve(typed, known.iter().map(String::as_str)) {
        Resolution::One(i) => Some(known[i].clone()),
        _ => None,
    }
}

/// Teams that all exist already: "mobile and platform" → "Mobile, Platform".
fn known_teams(typed: &str, world: &World) -> Option<String> {
    let all = world.teams();
    let mut out: Vec<String> = Vec::new();
    for part in split_list(typed) {
        let t = known(&part, &all)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    (!out.is_empty()).then(|| out.join(", "))
}

/// "Core, Mobile", "Core and Mobile", "веб + мобайл" → the parts.
fn split_list(s: &str) -> Vec<String> {
    s.split([',', ';', '/', '&', '+'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" и "))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Team names as stored: "Core, Mobile"; known teams keep their spelling.
fn teams_value(s: &str, world: &World) -> Result<String, Problem> {
    let all = world.teams();
    let mut out: Vec<String> = Vec::new();
    let parts = s
        .split([',', ';', '/', '&', '+'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" и "));
    for p in parts {
        let p = p.trim();
        let p = p
            .strip_suffix(" team")
            .or_else(|| p.strip_prefix("team "))
            .or_else(|| p.strip_prefix("команда "))
            .or_else(|| p.strip_prefix("команде "))
            .or_else(|| p.strip_prefix("команды "))
            .unwrap_or(p);
        if p.is_empty() {
            continue;
        }
        let name = known(p, &all).unwrap_or(name_value(p, "team", MAX_SHORT)?);
        if !out.iter().any(|o| text::fold(o) == text::fold(&name)) {
            out.push(name);
        }
    }
    if out.is_empty() {
        return Err(Problem::InvisibleName);
    }
    Ok(out.join(", "))
}

fn period_of(m: &Match) -> Result<Option<Period>, Built> {
    match m.get(Slot::Period) {
        Some(Value::Period(p)) => Ok(Some(*p)),
        Some(Value::BadDate(raw)) => Err(problem(Problem::BadDate(raw.clone()))),
        _ => Ok(None),
    }
}

/// A new name without a trailing "now" ("should be called Atlas Store now").
fn without_trailing_now(s: &str) -> String {
    let toks = text::tokenize(s);
    if toks.len() < 2 {
        return s.to_string();
    }
    match without_adverb(&toks) {
        Some(rest) if !rest.is_empty() => s[..rest[rest.len() - 1].end].to_string(),
        _ => s.to_string(),
    }
}

/// Whether `part` of `text` comes right after a colon.
fn after_colon(text: &str, part: &str) -> bool {
    text.rfind(part)
        .is_some_and(|p| text[..p].trim_end().ends_with(':'))
}

/// "because the API is late" → "the API is late".
fn strip_because(r: &str) -> String {
    let t = r.trim();
    for w in [
        "because of",
        "because",
        "bc",
        "b/c",
        "cuz",
        "cause",
        "due to",
        "since",
    ] {
        if let Some(rest) = t.strip_prefix(w)
            && rest.starts_with(char::is_whitespace)
        {
            return rest.trim().to_string();
        }
    }
    t.to_string()
}

fn build(m: &Match, world: &World, c: &Ctx<'_>) -> Built {
    build_with(m, world, c, &Fixed::default())
}

fn build_with(m: &Match, world: &World, c: &Ctx<'_>, fixed: &Fixed) -> Built {
    use Command as C;
    let feature = || feature(m, world, c, fixed);
    let name = |what, max| -> Result<String, Built> {
        let t = without_trailing_now(&text_value(m, Slot::Name).ok_or(Built::Misfit)?);
        if reference_like(&t) || (!c.slash && (ends_with_pronoun(&t) || only_nouns(&t))) {
            return Err(Built::Misfit);
        }
        new_name(&t, what, max, c.slash).map_err(Built::Problem)
    };
    let desc = |slot| -> Result<Option<String>, Built> {
        match text_value(m, slot) {
            Some(t) => long_text(&t, "description")
                .map(Some)
                .map_err(Built::Problem),
            None => Ok(None),
        }
    };
    let cmd = match m.intent {
        Intent::Help => C::Help {
            topic: text_value(m, Slot::Topic).map(|t| trim_text(&t)),
        },
        Intent::Projects => C::Projects,
        Intent::NewProject => C::NewProject {
            name: try_built!(name("project name", MAX_PROJECT_NAME)),
            description: try_built!(desc(Slot::Desc)),
        },
        Intent::UseProject => C::UseProject {
            name: try_built!(project(m, world, c, fixed)),
        },
        Intent::ArchiveProject => C::ArchiveProject {
            name: try_built!(project(m, world, c, fixed)),
        },
        Intent::UnarchiveProject => C::UnarchiveProject {
            name: try_built!(project(m, world, c, fixed)),
        },
        Intent::RenameProject => {
            let name = match m.get(Slot::Project) {
                Some(_) => try_built!(project(m, world, c, fixed)),
                None => match &world.active {
                    Some(a) => a.clone(),
                    None => return Built::Ask(AskAbout::Pronoun, Vec::new()),
                },
            };
            C::RenameProject {
                name,
                new_name: try_built!(self::name_of(m, c, "project name", MAX_PROJECT_NAME)),
            }
        }
        Intent::AddFeature => C::AddFeature {
            name: try_built!(name("feature name", MAX_FEATURE_NAME)),
            description: try_built!(desc(Slot::Desc)),
        },
        Intent::Features => {
            let filter = if let Some(Value::Filter(f)) = m.get(Slot::Filter) {
                match f {
                    Filter::Team(t) => {
                        Filter::Team(known(t, &world.teams()).unwrap_or_else(|| trim_text(t)))
                    }
                    Filter::Po(p) => {
                        Filter::Po(known(p, &world.pos()).unwrap_or_else(|| trim_text(p)))
                    }
                    // A bare unknown version ("31.02") is not a request for a list.
                    Filter::Release(v)
                        if m.literals == 0 && !world.releases.iter().any(|r| r == v) =>
                    {
                        return Built::Misfit;
                    }
                    f => f.clone(),
                }
            } else if let Some(Value::Status(s)) = m.get(Slot::Status).or(m.get(Slot::StatusVerb)) {
                Filter::Status(*s)
            } else if m.get(Slot::Release).is_some() {
                Filter::Release(try_built!(release(m, world)))
            } else if let Some(t) = text_value(m, Slot::KnownTeam) {
                match known(&t, &world.teams()) {
                    Some(t) => Filter::Team(t),
                    None => return Built::Misfit,
                }
            } else if let Some(p) = text_value(m, Slot::KnownPo) {
                match known(&p, &world.pos()) {
                    Some(p) => Filter::Po(p),
                    None => return Built::Misfit,
                }
            } else {
                Filter::Open
            };
            C::Features(filter)
        }
        Intent::ShowFeature => C::ShowFeature(try_built!(feature())),
        Intent::SetStatus => {
            let status = match m.get(Slot::Status).or(m.get(Slot::StatusVerb)) {
                Some(Value::Status(s)) => *s,
                _ => return Built::Misfit,
            };
            let reason = match text_value(m, Slot::Reason) {
                // A reason explains a block; after any other status it must
                // be marked with a colon (otherwise it is a comment).
                Some(r)
                    if status == radar_store::FeatureStatus::Blocked || after_colon(c.text, &r) =>
                {
                    Some(try_built!(
                        long_text(&strip_because(&r), "reason").map_err(Built::Problem)
                    ))
                }
                Some(_) => return Built::Misfit,
                None => None,
            };
            C::SetStatus {
                number: try_built!(feature()),
                status,
                reason,
            }
        }
        Intent::AssignTeam => {
            let teams = if let Some(t) = text_value(m, Slot::KnownTeam) {
                match known_teams(&t, world) {
                    Some(t) => t,
                    None => return Built::Misfit,
                }
            } else {
                let t = try_built!(text_value(m, Slot::Teams).ok_or(Built::Misfit));
                if !t.split([',', ';', '&', '+']).all(person_like) {
                    return Built::Misfit;
                }
                try_built!(teams_value(&t, world).map_err(Built::Problem))
            };
            C::AssignTeam {
                number: try_built!(feature()),
                teams,
            }
        }
        Intent::AssignPo => {
            let po = if let Some(p) = text_value(m, Slot::KnownPo) {
                match known(&p, &world.pos()) {
                    Some(p) => p,
                    None => return Built::Misfit,
                }
            } else {
                let p = try_built!(text_value(m, Slot::Po).ok_or(Built::Misfit));
                if !person_like(&p) {
                    return Built::Misfit;
                }
                let p = try_built!(name_value(&p, "name", MAX_SHORT).map_err(Built::Problem));
                known(&p, &world.pos()).unwrap_or(p)
            };
            C::AssignPo {
                number: try_built!(feature()),
                po,
            }
        }
        Intent::Describe => C::Describe {
            number: try_built!(feature()),
            text: try_built!(desc(Slot::Desc).and_then(|d| d.ok_or(Built::Misfit))),
        },
        Intent::RenameFeature => C::RenameFeature {
            number: try_built!(feature()),
            name: try_built!(name("feature name", MAX_FEATURE_NAME)),
        },
        Intent::DeleteFeature => C::DeleteFeature {
            number: try_built!(feature()),
            confirmed: m.get(Slot::Confirm).is_some(),
        },
        Intent::NewRelease => {
            let version = match m.get(Slot::Version) {
                Some(Value::Version(v)) if v.chars().count() <= MAX_VERSION => v.clone(),
                Some(Value::Version(_)) => {
                    return problem(Problem::TooLong {
                        what: "version",
                        max: MAX_VERSION,
                    });
                }
                _ => return Built::Misfit,
            };
            let date = match m.get(Slot::Date) {
                Some(Value::Date(d)) => Some(*d),
                Some(Value::BadDate(raw)) => return problem(Problem::BadDate(raw.clone())),
                _ => None,
            };
            // In a phrase, a date for a release that exists is a new date,
            // not a new release ("release 2.1 on dec 20"); `/release 2.1 DATE`
            // is a request to create, answered with what exists.
            if date.is_some()
                && !c.slash
                && world
                    .releases
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&version))
            {
                return Built::Misfit;
            }
            C::NewRelease { version, date }
        }
        Intent::Releases => C::Releases,
        Intent::ReleaseDate => {
            let date = match m.get(Slot::Date) {
                Some(Value::Date(d)) => *d,
                Some(Value::BadDate(raw)) => return problem(Problem::BadDate(raw.clone())),
                _ => return Built::Misfit,
            };
            let version = try_built!(release(m, world));
            // A date for a release that does not exist yet: in a phrase
            // ("релиз 3.1 на 5 января") that is a new release — a reading the
            // NewRelease rules give when they match; otherwise ask.
            if !c.slash
                && !world
                    .releases
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&version))
            {
                return Built::Ask(
                    AskAbout::Meaning,
                    vec![C::NewRelease {
                        version,
                        date: Some(date),
                    }],
                );
            }
            C::ReleaseDate { version, date }
        }
        Intent::StartRelease if m.get(Slot::Release).is_none() => {
            return ask_release(world, |version| C::StartRelease { version });
        }
        Intent::StartRelease => C::StartRelease {
            version: try_built!(release(m, world)),
        },
        Intent::CancelRelease if m.get(Slot::Release).is_none() => {
            return ask_release(world, |version| C::CancelRelease { version });
        }
        Intent::CancelRelease => C::CancelRelease {
            version: try_built!(release(m, world)),
        },
        // "plan #10" names no release: which one?
        Intent::Plan if m.get(Slot::Release).is_none() => {
            let number = try_built!(feature());
            return ask_release(world, |version| C::Plan { number, version });
        }
        Intent::Plan => C::Plan {
            number: try_built!(feature()),
            version: try_built!(release(m, world)),
        },
        Intent::Unplan => C::Unplan(try_built!(feature())),
        Intent::Ship if m.get(Slot::Release).is_none() => {
            return ask_release(world, |version| C::Ship { version });
        }
        Intent::Ship => C::Ship {
            version: try_built!(release(m, world)),
        },
        Intent::Changes => C::Changes(try_built!(period_of(m)).unwrap_or(Period::Last24Hours)),
        Intent::History => C::History(try_built!(feature())),
        Intent::Undo => C::Undo,
        Intent::WhoAmI => C::WhoAmI,
        Intent::Stats => C::Stats(try_built!(period_of(m))),
        Intent::Chart if m.get(Slot::Release).is_none() => {
            return ask_release(world, |version| C::Chart { version });
        }
        Intent::Chart => C::Chart {
            version: try_built!(release(m, world)),
        },
        Intent::Export => C::Export,
        Intent::Digest => match m.get(Slot::Time) {
            Some(Value::Time(t)) => C::Digest(Some(*t)),
            _ => C::Digest(None),
        },
        Intent::Timezone => match m.get(Slot::Zone) {
            Some(Value::Zone(z)) => C::Timezone(z.clone()),
            _ => return Built::Misfit,
        },
        Intent::Language => match m.get(Slot::Lang) {
            Some(Value::Lang(l)) => C::Language(l),
            _ => return Built::Misfit,
        },
    };
    Built::Ok(cmd)
}

fn name_of(m: &Match, c: &Ctx<'_>, what: &'static str, max: usize) -> Result<String, Built> {
    let t = without_trailing_now(&text_value(m, Slot::Name).ok_or(Built::Misfit)?);
    new_name(&t, what, max, c.slash).map_err(Built::Problem)
}

/// A name for something new (a project, a feature, a rename). In a phrase
/// the name may be inflected ("добавь оплату"): it is stored in the
/// nominative; a slash command's or a quoted name is kept as typed.
fn new_name(s: &str, what: &'static str, max: usize, slash: bool) -> Result<String, Problem> {
    // `call it "For you" instead`: the quoted part is the name.
    let s = quoted_part(s).unwrap_or(s);
    let name = name_value(s, what, max)?;
    let quoted = s.trim_start().starts_with(QUOTES);
    if slash || quoted {
        return Ok(name);
    }
    Ok(morph::nominative(&name))
}

const QUOTES: [char; 6] = ['"', '«', '“', '„', '\'', '‘'];

/// The quoted name at the start of `s` («For you», "For you") when at most
/// three words of chatter follow it ("instead", "from now on").
fn quoted_part(s: &str) -> Option<&str> {
    let t = s.trim_start();
    // The opening quote may have been read as punctuation before the name:
    // `For you" instead` — the name ends at its lone closing quote.
    if !t.starts_with(QUOTES) {
        let closing = ['"', '»', '”', '’'];
        let mut at = t.char_indices().filter(|(_, c)| closing.contains(c));
        let (end, c) = at.next()?;
        if at.next().is_some() || end == 0 {
            return None;
        }
        let rest = &t[end + c.len_utf8()..];
        return (rest.split_whitespace().count() <= 3).then(|| &t[..end]);
    }
    let open = t.chars().next().filter(|c| QUOTES.contains(c))?;
    let close = match open {
        '«' => '»',
        '“' | '„' => '”',
        '‘' => '’',
        c => c,
    };
    let inner_start = open.len_utf8();
    let end = t[inner_start..].find(close)? + inner_start;
    let rest = &t[end + close.len_utf8()..];
    (end > inner_start && rest.split_whitespace().count() <= 3)
        .then(|| &t[..end + close.len_utf8()])
}

/// Whether a would-be name ends with a pronoun ("a jira ticket for this"):
/// a reference to something, not a name.
fn ends_with_pronoun(s: &str) -> bool {
    text::tokenize(s)
        .iter()
        .rev()
        .find(|t| !t.is_punct())
        .is_some_and(|t| {
            GRAMMAR
                .class("pronoun")
                .iter()
                .any(|p| p.len() == 1 && p[0] == t.norm)
        })
}
