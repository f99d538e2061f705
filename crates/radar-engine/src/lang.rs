//! Reply language. Both languages' phrases are always understood; this only
//! picks the language Radar answers in. Each language's reply text is its
//! messages file, `i18n/<code>/radar_engine.ftl` (see [`crate::messages`]).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    /// Every reply language, in declaration order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// Telegram's `language_code`: a code starting with a language's code
    /// (`ru`, `ru-RU`) picks it; anything else is English.
    pub fn from_code(code: Option<&str>) -> Lang {
        let code = code.unwrap_or_default().trim().to_ascii_lowercase();
        Lang::ALL
            .into_iter()
            .find(|l| code.starts_with(l.code()))
            .unwrap_or_default()
    }

    /// The stored value of a user's language setting.
    pub fn to_store(self) -> radar_store::Language {
        match self {
            Lang::En => radar_store::Language::En,
            Lang::Ru => radar_store::Language::Ru,
        }
    }

    pub fn from_store(l: radar_store::Language) -> Lang {
        match l {
            radar_store::Language::En => Lang::En,
            radar_store::Language::Ru => Lang::Ru,
        }
    }

    /// A language by its code (`en`, `ru`).
    pub fn by_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's id: its messages folder and Fluent language (plural rules).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_telegram_codes() {
        assert_eq!(Lang::from_code(Some("ru")), Lang::Ru);
        assert_eq!(Lang::from_code(Some(" RU-ru")), Lang::Ru);
        assert_eq!(Lang::from_code(Some("en-US")), Lang::En);
        assert_eq!(Lang::from_code(Some("de")), Lang::En);
        assert_eq!(Lang::from_code(Some("")), Lang::En);
        assert_eq!(Lang::from_code(None), Lang::En);
    }
}
