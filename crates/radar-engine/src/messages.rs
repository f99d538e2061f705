//! Every reply's text comes from one Fluent messages file per language,
//! `i18n/<code>/radar_engine.ftl` ([`Lang::code`]), embedded in the binary.
//!
//! `t!(lang, "message-id", name = value, …)` renders a message. `fl!`
//! checks the id and the argument names at compile time against the English
//! file (the fallback in `i18n.toml`); the key parity test below checks that
//! every other language has the same ids with the same variables.
//!
//! Arguments: user text is escaped with [`crate::render::esc`] before it is
//! passed (the files hold Telegram HTML markup). Counts are passed as
//! numbers, so a message's plural selector (`{ $count -> [one] … *[other] … }`)
//! follows the language's CLDR rules; Fluent prints integers as plain digits
//! (1234, not 1,234). Identifiers (user ids, feature numbers) are passed as
//! strings: they are names, not quantities.
//!
//! Adding a language: copy `i18n/en/radar_engine.ftl` to
//! `i18n/<code>/radar_engine.ftl` and translate it (same ids, same
//! variables; plural variants are the language's CLDR categories), then add
//! the variant to [`Lang`] (`ALL` and `code`). The tests below fail until the
//! folders and `Lang::ALL` match and every message is there.

use std::sync::LazyLock;

use i18n_embed::LanguageLoader;
use i18n_embed::fluent::FluentLanguageLoader;
use i18n_embed::unic_langid::LanguageIdentifier;
use rust_embed::RustEmbed;

use crate::Lang;

/// The messages files, `i18n/<code>/radar_engine.ftl`.
#[derive(RustEmbed)]
#[folder = "i18n/"]
struct Files;

/// The files' name, as `domain` in `i18n.toml`.
const DOMAIN: &str = "radar_engine";

/// One loader per language, in [`Lang::ALL`] order.
static LOADERS: LazyLock<[FluentLanguageLoader; Lang::ALL.len()]> =
    LazyLock::new(|| std::array::from_fn(|i| build(Lang::ALL[i])));

/// A loader holding only `lang`'s file (it is its own fallback, so a
/// message missing there is never silently shown in English).
fn build(lang: Lang) -> FluentLanguageLoader {
    let id: LanguageIdentifier = lang
        .code()
        .parse()
        .unwrap_or_else(|e| panic!("{:?} is not a language id: {e}", lang.code()));
    let loader = FluentLanguageLoader::new(DOMAIN, id.clone());
    loader
        .load_languages(&Files, &[id])
        .unwrap_or_else(|e| panic!("the messages of {:?} do not load: {e}", lang.code()));
    // No U+2068/U+2069 isolation marks around arguments: they would end up
    // in Telegram messages and in every comparison of reply text.
    loader.set_use_isolating(false);
    loader
}

/// The messages of `lang`.
pub fn loader(lang: Lang) -> &'static FluentLanguageLoader {
    &LOADERS[lang as usize]
}

/// `t!(lang, "message-id")` or `t!(lang, "message-id", name = value, …)`:
/// the message in `lang`, as a `String`.
macro_rules! t {
    ($lang:expr, $id:tt $(,)?) => {
        i18n_embed_fl::fl!($crate::messages::loader($lang), $id)
    };
    // `fl!` appends `.into()` to each value: the parentheses keep `*n` or
    // `n as u64` whole.
    ($lang:expr, $id:tt, $($name:ident = $value:expr),+ $(,)?) => {
        i18n_embed_fl::fl!($crate::messages::loader($lang), $id, $($name = ($value)),+)
    };
}
pub(crate) use t;

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast;

    use super::*;
    use crate::period::Period;
    use crate::render::{show_date, show_time};

    type Vars = BTreeSet<String>;

    /// Each message of a file and the variables it uses, failing on any
    /// syntax error (the loader would skip the broken entry silently).
    fn messages(code: &str) -> BTreeMap<String, Vars> {
        let path = format!("{code}/{DOMAIN}.ftl");
        let file = Files::get(&path).unwrap_or_else(|| panic!("no {path}"));
        let text = std::str::from_utf8(&file.data).expect("UTF-8");
        let res = fluent_syntax::parser::parse(text)
            .unwrap_or_else(|(_, errors)| panic!("{path} does not parse: {errors:?}"));
        let mut out = BTreeMap::new();
        for entry in &res.body {
            match entry {
                ast::Entry::Message(m) => {
                    let mut vars = Vars::new();
                    if let Some(p) = &m.value {
                        pattern_vars(p, &mut vars);
                    }
                    assert!(
                        m.attributes.is_empty(),
                        "{path}: {} has attributes; t! does not read them",
                        m.id.name
                    );
                    let dup = out.insert(m.id.name.to_string(), vars);
                    assert!(dup.is_none(), "{path}: {} is defined twice", m.id.name);
                }
                ast::Entry::Junk { content } => panic!("{path}: cannot read {content:?}"),
                _ => {}
            }
        }
        out
    }

    fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut Vars) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expression_vars(expression, vars);
            }
        }
    }

    fn expression_vars(e: &ast::Expression<&str>, vars: &mut Vars) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, vars);
                for v in variants {
                    pattern_vars(&v.value, vars);
                }
            }
            ast::Expression::Inline(i) => inline_vars(i, vars),
        }
    }

    fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut Vars) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                vars.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, vars);
                }
                for a in &arguments.named {
                    inline_vars(&a.value, vars);
                }
            }
            _ => {}
        }
    }

    /// The language folders under `i18n/`.
    fn language_dirs() -> BTreeSet<String> {
        Files::iter()
            .filter_map(|p| p.split_once('/').map(|(dir, _)| dir.to_string()))
            .collect()
    }

    #[test]
    fn every_language_has_the_english_messages_with_the_same_variables() {
        let en = messages(Lang::En.code());
        assert!(en.len() > 100, "the English file is the reference");
        let dirs = language_dirs();
        let langs: BTreeSet<String> = Lang::ALL.iter().map(|l| l.code().to_string()).collect();
        assert_eq!(
            dirs, langs,
            "one messages folder per Lang, and one Lang per folder"
        );
        for code in &dirs {
            let other = messages(code);
            let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
            assert!(extra.is_empty(), "{code} has ids English lacks: {extra:?}");
            for (id, vars) in &en {
                assert_eq!(
                    &other[id], vars,
                    "{code}: {id} must use the same variables as in English"
                );
            }
        }
    }

    #[test]
    fn every_language_loads_without_isolation_marks() {
        for (i, &lang) in Lang::ALL.iter().enumerate() {
            assert_eq!(lang as usize, i, "Lang::ALL is in declaration order");
            let s = t!(lang, "context-project", name = "<b>x</b>");
            assert!(s.ends_with("<b><b>x</b></b>"), "{s}");
            assert!(!s.contains(['\u{2068}', '\u{2069}']), "{s:?}");
            // Date patterns are valid strftime (chrono panics on a bad one).
            let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                .unwrap()
                .and_hms_opt(9, 5, 0)
                .unwrap();
            assert!(show_date(t.date(), lang).contains("2026"));
            assert!(show_time(t, chrono_tz::UTC, lang).contains("09:05"));
        }
    }

    #[test]
    fn numbers_are_plain_digits() {
        assert_eq!(
            t!(Lang::En, "changes-limited", count = 1234_i64),
            "(only the latest 1234 are shown)"
        );
        assert_eq!(
            t!(Lang::Ru, "changes-limited", count = 1234_i64),
            "(показаны последние 1234)"
        );
        for lang in Lang::ALL {
            let s = t!(lang, "changes-title", period = "", count = 1_234_567_usize);
            assert!(s.contains("(1234567 "), "{s}");
            let s = t!(
                lang,
                "release-progress",
                done = 1234_usize,
                total = 12345_usize,
                percent = 9
            );
            assert!(s.contains("1234/12345 "), "{s}");
            let s = t!(lang, "who-user", id = 7_123_456_789_i64.to_string());
            assert!(s.ends_with(" 7123456789"), "{s}");
        }
    }

    #[test]
    fn russian_plurals() {
        let days = |n| Period::LastDays(n).describe(Lang::Ru);
        assert_eq!(days(1), "за последний 1 день");
        assert_eq!(days(2), "за последние 2 дня");
        assert_eq!(days(5), "за последние 5 дней");
        assert_eq!(days(11), "за последние 11 дней");
        assert_eq!(days(21), "за последние 21 день");
        assert_eq!(days(22), "за последние 22 дня");
        assert_eq!(days(25), "за последние 25 дней");
        let changes = |n: usize| t!(Lang::Ru, "changes-title", period = "сегодня", count = n);
        assert_eq!(changes(1), "<b>Что изменилось сегодня</b> (1 изменение)");
        assert_eq!(changes(2), "<b>Что изменилось сегодня</b> (2 изменения)");
        assert_eq!(changes(5), "<b>Что изменилось сегодня</b> (5 изменений)");
        assert_eq!(changes(11), "<b>Что изменилось сегодня</b> (11 изменений)");
        assert_eq!(changes(21), "<b>Что изменилось сегодня</b> (21 изменение)");
        assert_eq!(changes(22), "<b>Что изменилось сегодня</b> (22 изменения)");
        assert_eq!(changes(25), "<b>Что изменилось сегодня</b> (25 изменений)");
        let feats = |n: usize| t!(Lang::Ru, "features-heading", title = "Фичи", count = n);
        assert_eq!(feats(1), "Фичи (1 фича)");
        assert_eq!(feats(3), "Фичи (3 фичи)");
        assert_eq!(feats(12), "Фичи (12 фич)");
        assert_eq!(feats(21), "Фичи (21 фича)");
        let progress = |done: usize, total: usize| {
            t!(
                Lang::Ru,
                "release-progress",
                done = done,
                total = total,
                percent = 0
            )
        };
        assert_eq!(progress(1, 1), "готово 1/1 фичи (0%)");
        assert_eq!(progress(1, 3), "готово 1/3 фич (0%)");
        assert_eq!(progress(0, 0), "готово 0/0 фич (0%)");
        assert_eq!(progress(3, 21), "готово 3/21 фичи (0%)");
        let open = |done: usize, cancelled: usize| {
            t!(
                Lang::Ru,
                "features-none-open",
                done = done,
                cancelled = cancelled
            )
        };
        assert!(open(1, 0).contains("единственная фича готова"));
        assert!(open(3, 0).contains("все 3 фичи готовы"));
        assert!(open(5, 0).contains("все 5 фич готовы"));
        assert!(open(2, 1).contains("готово 2, отменено 1"));
    }

    #[test]
    fn english_plurals() {
        let days = |n| Period::LastDays(n).describe(Lang::En);
        assert_eq!(days(1), "in the last 1 day");
        assert_eq!(days(2), "in the last 2 days");
        assert_eq!(days(21), "in the last 21 days");
        let changes = |n: usize| t!(Lang::En, "changes-title", period = "today", count = n);
        assert_eq!(changes(1), "<b>What changed today</b> (1 change)");
        assert_eq!(changes(2), "<b>What changed today</b> (2 changes)");
        let feats = |n: usize| t!(Lang::En, "features-heading", title = "All", count = n);
        assert_eq!(feats(1), "All (1 feature)");
        assert_eq!(feats(2), "All (2 features)");
        let progress = |done: usize, total: usize| {
            t!(
                Lang::En,
                "release-progress",
                done = done,
                total = total,
                percent = 50
            )
        };
        assert_eq!(progress(1, 1), "1/1 feature done (50%)");
        assert_eq!(progress(1, 2), "1/2 features done (50%)");
        let open = |done: usize, cancelled: usize| {
            t!(
                Lang::En,
                "features-none-open",
                done = done,
                cancelled = cancelled
            )
        };
        assert_eq!(
            open(5, 0),
            "No open features: all 5 are done. See them: /features all"
        );
        assert_eq!(
            open(1, 0),
            "No open features: the only one is done. See it: /features all"
        );
        assert_eq!(
            open(2, 1),
            "No open features: 2 done, 1 cancelled. See them: /features all"
        );
        let long = |max: usize| t!(Lang::En, "parse-too-long", what = "name", max = max);
        assert!(long(1).contains("at most 1 character."));
        assert!(long(64).contains("at most 64 characters."));
    }

    /// Roughly what one message costs to render (run with `--nocapture`).
    #[test]
    fn cost_of_one_message() {
        let n = 20_000u32;
        let start = std::time::Instant::now();
        for i in 0..n {
            std::hint::black_box(t!(Lang::Ru, "status-in-progress"));
            std::hint::black_box(i);
        }
        let plain = start.elapsed() / n;
        let start = std::time::Instant::now();
        for i in 0..n {
            std::hint::black_box(t!(
                Lang::Ru,
                "changes-title",
                period = "сегодня",
                count = i as usize
            ));
        }
        let plural = start.elapsed() / n;
        let start = std::time::Instant::now();
        for i in 0..n {
            std::hint::black_box(format!(
                "<b>Что изменилось {}</b> ({} изменений)",
                "сегодня", i
            ));
        }
        let format = start.elapsed() / n;
        println!(
            "t! without arguments: {plain:?}/call; with 2 arguments and a plural: {plural:?}/call; format! of the same: {format:?}/call"
        );
    }
}
