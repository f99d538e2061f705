//! Reply language. Both languages' phrases are always understood; this only
//! picks the language Radar answers in.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    /// Telegram's `language_code`: anything starting with `ru` → Russian.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some(c) if c.trim().to_ascii_lowercase().starts_with("ru") => Lang::Ru,
            _ => Lang::En,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }
}

/// `tr!(lang, "English {x}", "Русский {x}")`: one phrase in both languages,
/// side by side, so a missing translation is a compile error, not a runtime gap.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $en:literal, $ru:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::Lang::En => format!($en $(, $arg)*),
            $crate::Lang::Ru => format!($ru $(, $arg)*),
        }
    };
}
