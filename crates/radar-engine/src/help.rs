//! `/help`, the Telegram command menu and the README's command table, all
//! generated from the command table ([`crate::language::table`]) and the
//! messages files (`cmd-<name>` describes a command, `cmd-<name>-examples`
//! gives phrases it understands). A test checks every command has both in
//! every language, and that the README's table is the generated one.

use i18n_embed::fluent::FluentLanguageLoader;

use crate::Lang;
#[cfg(test)]
use crate::language::table::COMMANDS;
use crate::language::table::{CommandSpec, Group, listed};
use crate::messages::{loader, t};
use crate::render::esc;

/// A message looked up by an id built at run time (the test below checks
/// that every id this module builds exists).
fn get(l: &FluentLanguageLoader, id: &str) -> String {
    l.get(id)
}

/// How to type a command, in `lang`: `/status N STATUS[: reason]`. The
/// placeholders come from `cmd-<name>-usage` (absent for commands that take
/// no arguments).
pub fn usage(lang: Lang, c: &CommandSpec) -> String {
    if c.usage.is_empty() {
        format!("/{}", c.slash[0])
    } else {
        format!(
            "/{} {}",
            c.slash[0],
            get(loader(lang), &format!("cmd-{}-usage", c.name))
        )
    }
}

/// The whole `/help`, or the help of one command (`/help status`,
/// `/help what changed`).
pub fn help(lang: Lang, topic: Option<&str>) -> String {
    let l = loader(lang);
    if let Some(topic) = topic.map(str::trim).filter(|t| !t.is_empty())
        && let Some(c) = find(topic)
    {
        return command_help(lang, c);
    }
    let mut out = vec![t!(lang, "help-intro")];
    for group in Group::ALL {
        if !listed().any(|c| c.group == group) {
            continue;
        }
        out.push(String::new());
        out.push(format!(
            "<b>{}</b>",
            get(l, &format!("help-group-{}", group.key()))
        ));
        for c in listed().filter(|c| c.group == group) {
            out.push(format!(
                "{} — {}",
                esc(&usage(lang, c)),
                get(l, &format!("cmd-{}", c.name))
            ));
        }
    }
    out.push(String::new());
    out.push(t!(lang, "help-outro"));
    out.join("\n")
}

/// The command a help topic names: a slash name, an intent name, or words
/// of its description.
fn find(topic: &str) -> Option<&'static CommandSpec> {
    let t = topic
        .trim_start_matches('/')
        .to_lowercase()
        .replace(' ', "_");
    listed().find(|c| c.slash.contains(&t.as_str()) || c.name == t)
}

fn command_help(lang: Lang, c: &CommandSpec) -> String {
    let l = loader(lang);
    let mut out = vec![
        format!(
            "<b>{}</b> — {}",
            esc(&usage(lang, c)),
            get(l, &format!("cmd-{}", c.name))
        ),
        t!(
            lang,
            "help-examples",
            examples = get(l, &format!("cmd-{}-examples", c.name))
        ),
    ];
    if c.slash.len() > 1 {
        out.push(t!(
            lang,
            "help-aliases",
            aliases = c.slash[1..]
                .iter()
                .map(|s| format!("/{s}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let details = format!("cmd-{}-details", c.name);
    if l.has(&details) {
        out.push(String::new());
        out.push(get(l, &details));
    }
    out.join("\n")
}

/// Telegram's command menu (`setMyCommands`) in `lang`: (command, description).
pub fn menu(lang: Lang) -> Vec<(String, String)> {
    let l = loader(lang);
    listed()
        .filter(|c| c.menu)
        .map(|c| {
            let mut d = get(l, &format!("cmd-{}", c.name));
            if !c.usage.is_empty() {
                d = format!("{d}: {}", usage(lang, c));
            }
            (c.slash[0].to_string(), d.chars().take(256).collect())
        })
        .collect()
}

/// The README's command table (between `<!-- commands -->` markers).
pub fn readme_table() -> String {
    let en = loader(Lang::En);
    let ru = loader(Lang::Ru);
    let mut out = vec![
        "| command | what it does | also understood (EN) | also understood (RU) |".to_string(),
        "|---|---|---|---|".to_string(),
    ];
    for c in listed() {
        let slash = c
            .slash
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if i == 0 {
                    format!("`{}`", usage(Lang::En, c))
                } else {
                    format!("`/{s}`")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
            .replace('|', "\\|");
        out.push(format!(
            "| {slash} | {} | {} | {} |",
            get(en, &format!("cmd-{}", c.name)),
            get(en, &format!("cmd-{}-examples", c.name)).replace('|', "\\|"),
            get(ru, &format!("cmd-{}-examples", c.name)).replace('|', "\\|"),
        ));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_described_and_has_examples_in_every_language() {
        for lang in Lang::ALL {
            let l = loader(lang);
            for c in COMMANDS {
                for id in [
                    format!("cmd-{}", c.name),
                    format!("cmd-{}-examples", c.name),
                ] {
                    assert!(l.has(&id), "{lang:?} has no message {id}");
                }
            }
            for g in Group::ALL {
                assert!(l.has(&format!("help-group-{}", g.key())), "{lang:?} {g:?}");
            }
            // Placeholders exactly for the commands that take arguments.
            for c in COMMANDS {
                let id = format!("cmd-{}-usage", c.name);
                assert_eq!(l.has(&id), !c.usage.is_empty(), "{lang:?} {id}");
            }
        }
    }

    #[test]
    fn help_lists_every_command_and_the_menu_every_menu_command() {
        for lang in Lang::ALL {
            let h = help(lang, None);
            for c in listed() {
                assert!(
                    h.contains(&format!("/{}", c.slash[0])),
                    "{lang:?} help lacks /{}",
                    c.slash[0]
                );
            }
            let m = menu(lang);
            assert_eq!(m.len(), listed().filter(|c| c.menu).count());
            for (cmd, d) in &m {
                assert!((3..=256).contains(&d.chars().count()), "{cmd}: {d}");
            }
        }
        let h = help(Lang::En, Some("status"));
        assert!(h.contains("/status N STATUS") && h.contains("/st"), "{h}");
        // The English placeholders are the table's (the README shows them).
        for c in COMMANDS.iter().filter(|c| !c.usage.is_empty()) {
            assert_eq!(usage(Lang::En, c), format!("/{} {}", c.slash[0], c.usage));
        }
        let h = help(Lang::Ru, Some("status"));
        assert!(h.contains("/status N СТАТУС"), "{h}");
    }
}
