//! Matching what a user typed against names Radar knows (features,
//! projects, teams, people): case and `ё`, Russian and English word forms
//! (Snowball stemming), Latin ↔ Cyrillic transliteration, typos.

use frostem::{Algorithm, Stemmer};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use super::text::fold;

static RU: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::new(Algorithm::Russian));
static EN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::new(Algorithm::English));

/// Words ignored when names are compared.
const STOP: &[&str] = &[
    "the", "a", "an", "to", "of", "for", "and", "и", "в", "по", "для", "на", "&", "-",
];

pub fn is_cyrillic(w: &str) -> bool {
    w.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// The stem of one (folded) word, by its script.
pub fn stem(w: &str) -> String {
    if w.chars().all(|c| c.is_ascii_digit()) {
        return w.to_string();
    }
    if is_cyrillic(w) {
        RU.stem(w).into_owned()
    } else {
        EN.stem(w).into_owned()
    }
}

/// Latin letters for any script, lower case, without apostrophes.
pub fn latin(s: &str) -> String {
    any_ascii::any_ascii(s)
        .to_lowercase()
        .replace(['\'', '`'], "")
}

fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| {
            c.is_whitespace()
                || matches!(c, ',' | '.' | '«' | '»' | '"' | '(' | ')' | ':' | '!' | '?')
        })
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .map(str::to_string)
        .collect()
}

/// A Latin spelling reduced to how it sounds, so that transliterations
/// agree: `dzh` → `j` → `g` before e/i ("Джемини" / "Gemini"), `ks` → `x`
/// ("Экспорт" / "Export"), `kh` → `h`, `y` → `i`, doubled letters once.
pub fn phon(latin: &str) -> String {
    let s = latin
        .replace('w', "v")
        .replace("dzh", "j")
        .replace("shch", "sh")
        .replace("ks", "x")
        .replace("kh", "h")
        .replace("ph", "f")
        .replace("ck", "k")
        .replace('y', "i");
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let c = match (c, next) {
            ('j', Some('e' | 'i')) => 'g',
            ('c', Some('a' | 'o' | 'u' | 'r' | 'l')) | ('c', None) => 'k',
            (c, _) => c,
        };
        if out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// A word in every form it is compared in, computed once.
#[derive(Debug, Clone)]
struct Word {
    word: String,
    stem: String,
    latin: String,
    phon: String,
    /// The stem, in Latin letters, reduced to how it sounds.
    stem_phon: String,
    cyrillic: bool,
    latin_chars: usize,
}

impl Word {
    fn new(word: String) -> Word {
        let stem = stem(&word);
        let latin = latin(&word);
        let phon = phon(&latin);
        let stem_phon = self::phon(&self::latin(&stem));
        Word {
            cyrillic: is_cyrillic(&word),
            latin_chars: latin.chars().count(),
            word,
            stem,
            latin,
            phon,
            stem_phon,
        }
    }
}

/// A name (or what was typed) prepared for comparison: folded, and its
/// words in every form. Prepare a list of names once and resolve any
/// number of typed names against it ([`resolve_prepared`]).
#[derive(Debug, Clone)]
pub struct Prepared {
    folded: String,
    words: Vec<Word>,
    /// The words, joined, in Latin letters.
    latin: String,
}

impl Prepared {
    pub fn new(name: &str) -> Prepared {
        let words = words(name);
        let latin = latin(&words.join(" "));
        Prepared {
            folded: fold(name),
            words: words.into_iter().map(Word::new).collect(),
            latin,
        }
    }
}

/// Names prepared before, by name, so that a name's forms are computed once
/// per process rather than once per message (every message compares what
/// was typed with all the active project's feature names). Emptied when it
/// holds [`PREPARED_NAMES`] names.
static PREPARED: LazyLock<Mutex<HashMap<String, Arc<Prepared>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
const PREPARED_NAMES: usize = 4096;

/// `names`, each prepared ([`Prepared::new`]) or taken from those prepared
/// before.
pub fn prepare_all<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<Arc<Prepared>> {
    let mut cache = PREPARED.lock().unwrap_or_else(|e| e.into_inner());
    names
        .into_iter()
        .map(|name| {
            if let Some(p) = cache.get(name) {
                return p.clone();
            }
            let p = Arc::new(Prepared::new(name));
            if cache.len() >= PREPARED_NAMES {
                cache.clear();
            }
            cache.insert(name.to_string(), p.clone());
            p
        })
        .collect()
}

/// How a typed word compares with a word of a name.
fn word_score(q: &Word, n: &Word) -> f32 {
    if q.word == n.word {
        return 1.0;
    }
    if q.stem == n.stem {
        return 0.95;
    }
    let (ql, nl) = (&q.latin, &n.latin);
    if ql == nl {
        return 0.95;
    }
    let (qp, np) = (&q.phon, &n.phon);
    if qp == np {
        return 0.93;
    }
    let (qsp, nsp) = (&q.stem_phon, &n.stem_phon);
    if qsp == nsp && qsp.len() >= 3 {
        return 0.9;
    }
    let cross = q.cyrillic != n.cyrillic;
    // A Russian word form of a name: its stem starts the other spelling
    // ("Анны" → ан… / Anna, "мобильной" → мобильн… / Mobile).
    if cross && q.latin_chars.abs_diff(n.latin_chars) <= 3 {
        let prefix_of = |a: &String, b: &String| {
            let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            short.len() >= 2 && long.starts_with(short.as_str())
        };
        if prefix_of(qsp, nsp) || prefix_of(qsp, np) || prefix_of(qp, nsp) {
            return 0.85;
        }
    }
    // A typo: one edit in a word of 5+ letters, two in 9+. (An edit
    // distance is at least the difference in length: skip it when that
    // alone rules a typo out.)
    let len = q.latin_chars.max(n.latin_chars);
    if len >= 5 {
        let most = if len >= 9 { 2 } else { 1 };
        let close = |a: &String, b: &String| {
            a.chars().count().abs_diff(b.chars().count()) <= most
                && strsim::damerau_levenshtein(a, b) <= most
        };
        if close(qp, np) || close(ql, nl) {
            return 0.85;
        }
    }
    // Transliterations disagree on some letters: a close Latin spelling.
    let jw = strsim::jaro_winkler(qp, np) as f32;
    if cross && len >= 5 && jw >= 0.88 {
        return 0.8;
    }
    // Not the same word, but close enough to suggest ("Apoxyz" / "Apollo").
    if jw >= 0.75 {
        return 0.55;
    }
    0.0
}

/// How well `query` names `name`, from 0 (not at all) to 1 (exactly).
///
/// - 1.0: the same text (case, `ё`, spacing aside);
/// - 0.95: the same words in another form ("оплату" / «Оплата»), or the
///   same letters in another script ("Voskhod" / «Восход»);
/// - 0.75–0.9: the first words of the name ("export" / "Export to CSV"),
///   or every typed word found in it;
/// - about 0.8: a one-letter typo ("singup").
pub fn score(query: &str, name: &str) -> f32 {
    score_prepared(&Prepared::new(query), &Prepared::new(name))
}

/// [`score`] of prepared names.
pub fn score_prepared(query: &Prepared, name: &Prepared) -> f32 {
    let (fq, fnm) = (&query.folded, &name.folded);
    if fq.is_empty() {
        return 0.0;
    }
    if fq == fnm {
        return 1.0;
    }
    let (q, n) = (&query.words, &name.words);
    if q.is_empty() || n.is_empty() {
        return 0.0;
    }
    if query.latin == name.latin {
        return 0.97;
    }
    // Every typed word must match a word of the name, in order.
    let mut total = 0.0;
    let mut k = 0;
    let mut first_at = None;
    for qw in q {
        let mut found = None;
        while k < n.len() {
            let s = word_score(qw, &n[k]);
            k += 1;
            if s > 0.0 {
                found = Some(s);
                first_at.get_or_insert(k - 1);
                break;
            }
        }
        match found {
            Some(s) => total += s,
            None => return 0.0,
        }
    }
    let avg = total / q.len() as f32;
    if q.len() == n.len() {
        return avg * 0.97;
    }
    // Part of the name: better when it is the start and covers more.
    let coverage = q.len() as f32 / n.len() as f32;
    let start = if first_at == Some(0) { 1.0 } else { 0.92 };
    (0.72 + 0.16 * coverage) * avg * start
}

/// Above this a name is a candidate; one candidate at or above [`SURE`] is
/// acted on, several are asked about.
pub const PLAUSIBLE: f32 = 0.7;
pub const SURE: f32 = 0.8;

/// What a typed name resolves to among `names` (index, score).
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    One(usize),
    Several(Vec<usize>),
    /// Nothing close; the closest names for a suggestion (may be empty).
    None(Vec<usize>),
}

/// Resolves `query` among `names` by the rules above.
pub fn resolve<'a>(query: &str, names: impl IntoIterator<Item = &'a str>) -> Resolution {
    let prepared: Vec<Arc<Prepared>> = names
        .into_iter()
        .map(|n| Arc::new(Prepared::new(n)))
        .collect();
    resolve_prepared(query, &prepared)
}

/// [`resolve`] among names prepared once ([`prepare_all`]).
pub fn resolve_prepared(query: &str, names: &[Arc<Prepared>]) -> Resolution {
    let query = Prepared::new(query);
    let mut scored: Vec<(usize, f32)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (i, score_prepared(&query, n)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let plausible: Vec<(usize, f32)> = scored
        .iter()
        .copied()
        .filter(|(_, s)| *s >= PLAUSIBLE)
        .collect();
    match plausible.as_slice() {
        [] => Resolution::None(
            scored
                .iter()
                .filter(|(_, s)| *s > 0.5)
                .take(3)
                .map(|(i, _)| *i)
                .collect(),
        ),
        [(i, s)] if *s >= SURE => Resolution::One(*i),
        [(i, s), (_, s2), ..] if *s >= 0.999 && *s2 < 0.999 => Resolution::One(*i),
        [(i, s), (_, s2), ..] if *s >= 0.94 && *s2 < SURE => Resolution::One(*i),
        many => Resolution::Several(many.iter().take(4).map(|(i, _)| *i).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEATURES: &[&str] = &[
        "Login",
        "Signup",
        "Payments",
        "Export to CSV",
        "Onboarding tour",
        "Push notifications",
        "Dark mode",
        "Search",
        "Оплата",
        "Экспорт отчётов",
        "Личный кабинет",
        "Уведомления",
        "Payment history",
        "Admin panel",
    ];

    fn r(q: &str) -> Resolution {
        resolve(q, FEATURES.iter().copied())
    }

    #[test]
    fn features_by_name() {
        assert_eq!(r("login"), Resolution::One(0));
        assert_eq!(r("логин"), Resolution::One(0));
        assert_eq!(r("payments"), Resolution::One(2));
        assert_eq!(r("export to csv"), Resolution::One(3));
        assert_eq!(r("dark mode"), Resolution::One(6));
        assert_eq!(r("оплату"), Resolution::One(8));
        assert_eq!(r("оплатой"), Resolution::One(8));
        assert_eq!(r("личного кабинета"), Resolution::One(10));
        assert_eq!(r("уведомлений"), Resolution::One(11));
        assert_eq!(r("экспорта отчетов"), Resolution::One(9));
        assert_eq!(r("payment history"), Resolution::One(12));
        assert_eq!(r("singup"), Resolution::One(1));
        assert_eq!(r("admin panel"), Resolution::One(13));
        assert!(
            matches!(r("payment"), Resolution::Several(v) if v.contains(&2) && v.contains(&12))
        );
        assert!(matches!(r("export"), Resolution::Several(v) if v.contains(&3) && v.contains(&9)));
        assert!(matches!(r("referral"), Resolution::None(_)));
        assert!(matches!(r("lol"), Resolution::None(_)));
        assert!(matches!(r("move export"), Resolution::None(_)));
    }

    #[test]
    fn names_prepared_once_resolve_as_prepared_each_time() {
        let a = prepare_all(FEATURES.iter().copied());
        let b = prepare_all(FEATURES.iter().copied());
        assert!(a.iter().zip(&b).all(|(x, y)| Arc::ptr_eq(x, y)), "reused");
        for q in ["login", "оплату", "singup", "payment", "export", "lol"] {
            assert_eq!(resolve_prepared(q, &a), r(q), "{q}");
        }
    }

    #[test]
    fn projects_across_scripts() {
        let p = ["Apollo", "Gemini", "Mercury Mobile", "Восход", "Legacy CRM"];
        let r = |q| resolve(q, p.iter().copied());
        assert_eq!(r("Аполлон"), Resolution::One(0));
        assert_eq!(r("гемини"), Resolution::One(1));
        assert_eq!(r("Джемини"), Resolution::One(1));
        assert_eq!(r("voskhod"), Resolution::One(3));
        assert_eq!(r("восходом"), Resolution::One(3));
        assert_eq!(r("mercury mobile"), Resolution::One(2));
        assert_eq!(r("legacy crm"), Resolution::One(4));
    }

    #[test]
    fn people_and_teams() {
        let people = ["Anna", "Boris"];
        let r = |q| resolve(q, people.iter().copied());
        assert_eq!(r("Анна"), Resolution::One(0));
        assert_eq!(r("Анны"), Resolution::One(0));
        assert_eq!(r("Борису"), Resolution::One(1));
        assert_eq!(r("boris"), Resolution::One(1));
        let teams = ["Core", "Payments", "Mobile"];
        let r = |q| resolve(q, teams.iter().copied());
        assert_eq!(r("mobile"), Resolution::One(2));
        assert_eq!(r("мобильной"), Resolution::One(2));
    }
}

#[cfg(test)]
mod debug {
    #[test]
    fn show_scores() {
        for (q, n) in [
            ("export", "Export to CSV"),
            ("export", "Экспорт отчётов"),
            ("гемини", "Gemini"),
            ("Джемини", "Gemini"),
            ("Анна", "Anna"),
            ("Анны", "Anna"),
            ("Аполлон", "Apollo"),
            ("мобильной", "Mobile"),
            ("Борису", "Boris"),
            ("нотификации", "Push notifications"),
            ("мобильщикам", "Mobile"),
        ] {
            eprintln!(
                "{q} / {n}: {} latin={} {} stem={} {}",
                super::score(q, n),
                super::latin(q),
                super::latin(n),
                super::stem(&q.to_lowercase()),
                super::stem(&n.to_lowercase())
            );
        }
    }
}
