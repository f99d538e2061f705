//! Russian word forms of new names. "добавь оплату" and "создай новую
//! ленту" put the name in the accusative case; the feature is «Оплата», the
//! name «новая лента». Word forms come from the OpenCorpora dictionary
//! (`rumorph`); a word that can be nominative as typed is left alone
//! («Уведомления», «меню», «Личный кабинет»), and so is a quoted name.

use std::sync::LazyLock;

use rumorph::{Analysis, Dictionary};

static DICTIONARY: LazyLock<Option<Dictionary>> = LazyLock::new(|| Dictionary::bundled().ok());

/// `name` with its leading adjectives and head noun in the nominative when
/// they can only be accusative as typed; the user's capitals are kept.
pub fn nominative(name: &str) -> String {
    let Some(d) = DICTIONARY.as_ref() else {
        return name.to_string();
    };
    let mut out: Vec<String> = Vec::new();
    let mut head_done = false;
    for word in name.split(' ') {
        if head_done || !is_cyrillic_word(word) {
            head_done = true;
            out.push(word.to_string());
            continue;
        }
        let analyses = d.analyze(word);
        let pos = analyses
            .first()
            .and_then(|a| d.ud_tag(a.ud))
            .map(|t| t.pos().to_string())
            .unwrap_or_default();
        let noun = matches!(pos.as_str(), "NOUN" | "PROPN");
        if !noun && pos != "ADJ" {
            head_done = true;
            out.push(word.to_string());
            continue;
        }
        let case = |a: &Analysis| {
            d.ud_tag(a.ud)
                .and_then(|t| t.feat("Case").map(str::to_string))
        };
        let can_be_nominative = analyses.iter().any(|a| case(a).as_deref() == Some("Nom"));
        let form = if can_be_nominative {
            None
        } else {
            analyses
                .iter()
                .find(|a| case(a).as_deref() == Some("Acc"))
                .and_then(|a| d.inflect(a, &[("Case", "Nom")]))
                .map(|f| spelled_like(word, &f.word))
        };
        out.push(form.unwrap_or_else(|| word.to_string()));
        head_done = noun;
    }
    out.join(" ")
}

fn is_cyrillic_word(w: &str) -> bool {
    !w.is_empty()
        && w.chars()
            .all(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
}

/// `form` with the capitals of `typed`, and «е» where `typed` has no «ё».
fn spelled_like(typed: &str, form: &str) -> String {
    let form = if typed.contains(['ё', 'Ё']) {
        form.to_string()
    } else {
        form.replace('ё', "е")
    };
    if typed.chars().all(|c| c.is_uppercase()) && typed.chars().count() > 1 {
        return form.to_uppercase();
    }
    if typed.chars().next().is_some_and(char::is_uppercase) {
        let mut cs = form.chars();
        return cs
            .next()
            .map(|c| c.to_uppercase().chain(cs).collect())
            .unwrap_or_default();
    }
    form
}

#[cfg(test)]
mod tests {
    use super::nominative;

    #[test]
    fn accusative_names_become_nominative() {
        for (typed, name) in [
            ("Оплату", "Оплата"),
            ("оплату", "оплата"),
            ("новую ленту новостей", "новая лента новостей"),
            ("Авторизацию через Google", "Авторизация через Google"),
            // Could be nominative as typed: left alone.
            ("Уведомления", "Уведомления"),
            ("меню", "меню"),
            ("Личный кабинет", "Личный кабинет"),
            ("Экспорт отчётов", "Экспорт отчётов"),
            ("Search", "Search"),
            ("Восход-2", "Восход-2"),
        ] {
            assert_eq!(nominative(typed), name, "{typed}");
        }
    }
}
