//! The grammar: every lexicon merged and compiled once. Word classes hold
//! phrases as token sequences; rules are compiled templates.

use std::collections::HashMap;
use std::sync::LazyLock;

use radar_store::FeatureStatus;

use super::lexicon::{ALL, Lexicon};
use super::pattern::{Template, compile};
use super::table::{COMMANDS, Intent};
use super::text::tokenize;

/// A phrase of one or more words, normalized like message tokens.
pub type Phrase = Vec<String>;

pub struct Grammar {
    pub fillers: Vec<Phrase>,
    pub openers: Vec<Phrase>,
    classes: HashMap<&'static str, Vec<Phrase>>,
    pub statuses: Vec<(Phrase, FeatureStatus)>,
    pub status_verbs: Vec<(Phrase, FeatureStatus)>,
    pub numbers: HashMap<String, u32>,
    pub ordinals: HashMap<String, u32>,
    /// (word, month 1..=12)
    pub months: HashMap<String, u32>,
    /// (word, weekday 0 = Monday)
    pub weekdays: HashMap<String, u32>,
    pub zones: Vec<(Phrase, &'static str)>,
    pub languages: Vec<(Phrase, &'static str)>,
    /// Every word any class, status or rule knows (typos are corrected towards these).
    pub known: Vec<String>,
    pub rules: Vec<Template>,
    /// Rules by a word they require (the first required piece's words);
    /// rules that require no word are in `unanchored`.
    by_word: HashMap<String, Vec<usize>>,
    unanchored: Vec<usize>,
    /// Slash argument templates per intent.
    pub slash_args: HashMap<Intent, Vec<Template>>,
}

fn phrase(s: &str) -> Phrase {
    let p: Phrase = tokenize(s).into_iter().map(|t| t.norm).collect();
    assert!(!p.is_empty(), "lexicon phrase {s:?} has no words");
    p
}

impl Grammar {
    fn build(lexicons: &[&Lexicon]) -> Grammar {
        let mut g = Grammar {
            fillers: Vec::new(),
            openers: Vec::new(),
            classes: HashMap::new(),
            statuses: Vec::new(),
            status_verbs: Vec::new(),
            numbers: HashMap::new(),
            ordinals: HashMap::new(),
            months: HashMap::new(),
            weekdays: HashMap::new(),
            zones: Vec::new(),
            languages: Vec::new(),
            known: Vec::new(),
            rules: Vec::new(),
            by_word: HashMap::new(),
            unanchored: Vec::new(),
            slash_args: HashMap::new(),
        };
        for lx in lexicons {
            g.fillers.extend(lx.fillers.iter().map(|s| phrase(s)));
            g.openers.extend(lx.openers.iter().map(|s| phrase(s)));
            for (name, words) in lx.classes {
                g.classes
                    .entry(name)
                    .or_default()
                    .extend(words.iter().map(|w| phrase(w)));
            }
            for (st, words) in lx.statuses {
                g.statuses.extend(words.iter().map(|w| (phrase(w), *st)));
            }
            for (st, words) in lx.status_verbs {
                g.status_verbs
                    .extend(words.iter().map(|w| (phrase(w), *st)));
            }
            for (w, n) in lx.numbers {
                g.numbers.insert(phrase(w).join(" "), *n);
            }
            for (w, n) in lx.ordinals {
                g.ordinals.insert(phrase(w).join(" "), *n);
            }
            for (i, words) in lx.months.iter().enumerate() {
                for w in *words {
                    g.months.insert(phrase(w).join(" "), i as u32 + 1);
                }
            }
            for (i, words) in lx.weekdays.iter().enumerate() {
                for w in *words {
                    g.weekdays.insert(phrase(w).join(" "), i as u32);
                }
            }
            for (zone, words) in lx.zones {
                g.zones.extend(words.iter().map(|w| (phrase(w), *zone)));
            }
            for (code, words) in lx.languages {
                g.languages.extend(words.iter().map(|w| (phrase(w), *code)));
            }
        }
        g.fillers.sort_by_key(|p| std::cmp::Reverse(p.len()));
        g.openers.sort_by_key(|p| std::cmp::Reverse(p.len()));
        // Filler words never reach the matcher, so phrases lose them too
        // ("what's my user" is matched as "what's user").
        let fillers: Vec<String> = g
            .fillers
            .iter()
            .filter(|p| p.len() == 1)
            .map(|p| p[0].clone())
            .collect();
        for v in g.classes.values_mut() {
            for p in v.iter_mut() {
                if p.len() > 1 {
                    p.retain(|w| !fillers.contains(w));
                }
            }
            v.retain(|p| !p.is_empty());
            v.sort();
            v.dedup();
        }
        // Longest phrases first, so "in progress" wins over "in".
        for v in g.classes.values_mut() {
            v.sort_by_key(|p| std::cmp::Reverse(p.len()));
        }
        g.statuses.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        g.status_verbs
            .sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        for lx in lexicons {
            for (intent, templates) in lx.rules {
                for t in *templates {
                    let compiled = compile(*intent, t, &g)
                        .unwrap_or_else(|e| panic!("rule {intent:?} {t:?}: {e}"));
                    g.rules.push(compiled);
                }
            }
        }
        for spec in COMMANDS {
            let ts = spec
                .args
                .iter()
                .map(|t| {
                    compile(spec.intent, t, &g)
                        .unwrap_or_else(|e| panic!("/{} args {t:?}: {e}", spec.slash[0]))
                })
                .collect();
            g.slash_args.insert(spec.intent, ts);
        }
        for (idx, r) in g.rules.iter().enumerate() {
            // Key each rule by its most selective required piece.
            match r.anchors.iter().min_by_key(|a| a.len()) {
                Some(words) => {
                    for w in words {
                        g.by_word.entry(w.clone()).or_default().push(idx);
                    }
                }
                None => g.unanchored.push(idx),
            }
        }
        let mut known: Vec<String> = Vec::new();
        for phrases in g.classes.values() {
            known.extend(phrases.iter().flatten().cloned());
        }
        known.extend(g.statuses.iter().flat_map(|(p, _)| p.iter().cloned()));
        known.extend(g.status_verbs.iter().flat_map(|(p, _)| p.iter().cloned()));
        for r in &g.rules {
            known.extend(r.literal_words());
        }
        known.sort();
        known.dedup();
        g.known = known;
        g
    }

    /// The rules that may match a message whose words (and typo
    /// corrections) are `present`, in rule order.
    pub fn candidates(&self, present: &std::collections::HashSet<String>) -> Vec<&Template> {
        let mut idx: Vec<usize> = self.unanchored.clone();
        for w in present {
            if let Some(v) = self.by_word.get(w) {
                idx.extend(v);
            }
        }
        idx.sort_unstable();
        idx.dedup();
        idx.into_iter().map(|i| &self.rules[i]).collect()
    }

    /// The phrases of a class (empty for an unknown class).
    pub fn class(&self, name: &str) -> &[Phrase] {
        self.classes.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn has_class(&self, name: &str) -> bool {
        self.classes.contains_key(name)
    }

    /// Whether `word` is a word some rule needs (a command word such as
    /// "releases", "undo", "покажи").
    pub fn is_keyword(&self, word: &str) -> bool {
        self.by_word.contains_key(word)
    }

    /// Whether `word` is a word of any class, status or rule.
    pub fn is_known(&self, word: &str) -> bool {
        self.known
            .binary_search_by(|w| w.as_str().cmp(word))
            .is_ok()
    }
}

/// The grammar of every lexicon, built on first use.
pub static GRAMMAR: LazyLock<Grammar> = LazyLock::new(|| Grammar::build(ALL));
