//! Matching what a user typed against names Radar knows (features,
//! projects, teams, people): case and `ё`, Russian and English word forms
//! (Snowball stemming), Latin ↔ Cyrillic transliteration, typos.

use frostem::{Algorithm, Stemmer};
use std::sync::LazyLock;

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

/// How a typed word compares with a word of a name.
fn word_score(q: &str, n: &str) -> f32 {
    if q == n {
        return 1.0;
    }
    let (qs, ns) = (stem(q), stem(n));
    if qs == ns {
        return 0.95;
    }
    let (ql, nl) = (latin(q), latin(n));
    if ql == nl {
        return 0.95;
    }
    let (qp, np) = (phon(&ql), phon(&nl));
    if qp == np {
        return 0.93;
    }
    let (qsp, nsp) = (phon(&latin(&qs)), phon(&latin(&ns)));
    if qsp == nsp && qsp.len() >= 3 {
        return 0.9;
    }
    let cross = is_cyrillic(q) != is_cyrillic(n);
    // A Russian word form of a name: its stem starts the other spelling
    // ("Анны" → ан… / Anna, "мобильной" → мобильн… / Mobile).
    if cross && ql.chars().count().abs_diff(nl.chars().count()) <= 3 {
        let prefix_of = |a: &String, b: &String| {
            let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            short.len() >= 2 && long.starts_with(short.as_str())
        };
        if prefix_of(&qsp, &nsp) || prefix_of(&qsp, &np) || prefix_of(&qp, &nsp) {
            return 0.85;
        }
    }
    // A typo: one edit in a word of 5+ letters, two in 9+.
    let len = ql.chars().count().max(nl.chars().count());
    let d = strsim::damerau_levenshtein(&qp, &np).min(strsim::damerau_levenshtein(&ql, &nl));
    if len >= 5 && (d <= 1 || (len >= 9 && d <= 2)) {
        return 0.85;
    }
    // Transliterations disagree on some letters: a close Latin spelling.
    let jw = strsim::jaro_winkler(&qp, &np) as f32;
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
    let (fq, fnm) = (fold(query), fold(name));
    if fq.is_empty() {
        return 0.0;
    }
    if fq == fnm {
        return 1.0;
    }
    let (q, n) = (words(query), words(name));
    if q.is_empty() || n.is_empty() {
        return 0.0;
    }
    if latin(&q.join(" ")) == latin(&n.join(" ")) {
        return 0.97;
    }
    // Every typed word must match a word of the name, in order.
    let mut total = 0.0;
    let mut k = 0;
    let mut first_at = None;
    for qw in &q {
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
    let mut scored: Vec<(usize, f32)> = names
        .into_iter()
        .enumerate()
        .map(|(i, n)| (i, score(query, n)))
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
