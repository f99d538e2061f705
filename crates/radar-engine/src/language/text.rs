//! Text as the grammar sees it: normalized, cut into tokens that remember
//! where they came from (so a name or a reason keeps the user's spelling).

use unicode_normalization::UnicodeNormalization;

/// One token of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The matching form: NFC, lower case, `ё` → `е`, invisible characters removed.
    pub norm: String,
    /// Byte range in the (NFC) message text.
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Whether `norm` is a word of the lexicons (asked again and again by
    /// the matcher, so answered once).
    known: std::cell::OnceCell<bool>,
}

impl Token {
    pub fn new(norm: String, start: usize, end: usize, kind: Kind) -> Token {
        Token {
            norm,
            start,
            end,
            kind,
            known: std::cell::OnceCell::new(),
        }
    }

    /// Whether the word is one of Radar's (a keyword, status, class word):
    /// such a word is never read as a typo of another.
    pub fn is_known(&self) -> bool {
        *self
            .known
            .get_or_init(|| super::grammar::GRAMMAR.is_known(&self.norm))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters (digits and inner `-`, `'`, `.` allowed: `v2`, `e-mail`, `what's`, `https://x.y`).
    Word,
    /// Digits only.
    Number,
    /// `#12`.
    Hash,
    /// Digits with `.`, `/`, `-` or `:` between them: `2.1`, `01.12.2026`, `9:30`.
    Numeric,
    /// Punctuation that separates: `:`, `,`, `-`, `→`, `?`, `!`, `.`, `(`, …
    Punct,
}

impl Token {
    pub fn is(&self, s: &str) -> bool {
        self.norm == s
    }

    pub fn is_punct(&self) -> bool {
        self.kind == Kind::Punct
    }
}

/// Zero-width and direction-control characters: invisible, never part of a name.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
    )
}

/// A control character (C0 or C1, NUL included); newline and tab are
/// reported separately by [`has_control`].
fn is_control(c: char) -> bool {
    c.is_control()
}

/// Whether `s` holds a control character other than newline and tab (or
/// any control character at all when `allow_newlines` is false).
pub fn has_control(s: &str, allow_newlines: bool) -> bool {
    s.chars()
        .any(|c| is_control(c) && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r')))
}

/// NFC with invisible characters removed: the form stored and shown.
pub fn clean(s: &str) -> String {
    s.nfc().filter(|c| !is_invisible(*c)).collect()
}

/// The form names are compared in: [`clean`], case-folded, `ё` → `е`,
/// inner whitespace collapsed.
pub fn fold(s: &str) -> String {
    let lower = clean(s).to_lowercase().replace('ё', "е");
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a name has something visible to show: a letter or a digit.
pub fn has_visible(s: &str) -> bool {
    s.chars().any(|c| c.is_alphanumeric())
}

fn is_emoji_or_symbol(c: char) -> bool {
    // Pictographs, dingbats, arrows we don't use, variation selectors, ZWJ.
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE00..=0xFE0F | 0x200D | 0x20E3 | 0x2300..=0x23FF)
        && !matches!(c, '→' | '←' | '✅' | '✔' | '☑')
}

/// Characters cut off the ends of a chunk as their own tokens.
fn is_edge_punct(c: char) -> bool {
    matches!(
        c,
        ',' | ';'
            | '!'
            | '?'
            | '.'
            | ':'
            | '('
            | ')'
            | '['
            | ']'
            | '«'
            | '»'
            | '"'
            | '“'
            | '”'
            | '„'
            | '\''
            | '‘'
            | '’'
            | '…'
            | '—'
            | '–'
            | '→'
            | '←'
            | '>'
            | '<'
    )
}

fn kind_of(s: &str) -> Kind {
    let mut chars = s.chars();
    if s.starts_with('#') && s.len() > 1 && s[1..].chars().all(|c| c.is_ascii_digit()) {
        return Kind::Hash;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return Kind::Number;
    }
    if chars.next().is_some_and(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '/' | '-' | ':'))
    {
        return Kind::Numeric;
    }
    Kind::Word
}

fn normalize_token(s: &str) -> String {
    let n = s.to_lowercase().replace('ё', "е");
    match n.as_str() {
        "->" | "=>" | "→" | "⇒" | "-->" => "→".into(),
        "<-" | "←" | "<--" => "←".into(),
        "—" | "–" => "-".into(),
        "’" | "‘" => "'".into(),
        _ => n.replace('’', "'"),
    }
}

/// Cuts a message into tokens. Emoji are dropped; `:` separates only when
/// followed by a space or the end (`10:30` and `https://…` stay whole).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes_len = text.len();
    while i < bytes_len {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        // A check mark means "done": kept as a mark rules may use or skip.
        if matches!(c, '✅' | '✔' | '☑') {
            out.push(Token::new("✅".into(), i, i + c.len_utf8(), Kind::Punct));
            i += c.len_utf8();
            continue;
        }
        if c.is_whitespace() || is_invisible(c) || is_emoji_or_symbol(c) {
            i += c.len_utf8();
            continue;
        }
        // A chunk: up to the next whitespace (or emoji).
        let len = rest
            .char_indices()
            .find(|(_, ch)| ch.is_whitespace() || is_emoji_or_symbol(*ch))
            .map(|(j, _)| j)
            .unwrap_or(rest.len());
        split_chunk(&text[i..i + len], i, &mut out);
        i += len;
    }
    out
}

fn push(out: &mut Vec<Token>, s: &str, start: usize) {
    let s_clean: String = s.chars().filter(|c| !is_invisible(*c)).collect();
    if s_clean.is_empty() {
        return;
    }
    let kind = if s_clean.chars().all(is_edge_punct) || s_clean == "-" || s_clean == "->" {
        Kind::Punct
    } else {
        kind_of(&s_clean)
    };
    out.push(Token::new(
        normalize_token(&s_clean),
        start,
        start + s.len(),
        kind,
    ));
}

fn split_chunk(chunk: &str, offset: usize, out: &mut Vec<Token>) {
    // "what's", "Anna's": the possessive or contracted `'s` is a word of its own.
    if chunk == "'s" || chunk == "’s" {
        out.push(Token::new(
            "'s".into(),
            offset,
            offset + chunk.len(),
            Kind::Word,
        ));
        return;
    }
    let core_end = chunk.trim_end_matches(['?', '!', '.', ',', ':', ';']);
    for apo in ["'s", "’s"] {
        if core_end.len() > apo.len() + 1 && core_end.to_lowercase().ends_with(apo) {
            let cut = core_end.len() - apo.len();
            split_chunk(&chunk[..cut], offset, out);
            split_chunk(&chunk[cut..], offset + cut, out);
            return;
        }
    }
    // Arrows and dashes written as a chunk of their own.
    if matches!(
        chunk,
        "->" | "=>" | "-->" | "<-" | "<--" | "-" | "—" | "–" | "+"
    ) {
        push(out, chunk, offset);
        return;
    }
    let mut start = 0;
    let mut end = chunk.len();
    // Leading punctuation, one token each.
    let mut lead = Vec::new();
    for (j, ch) in chunk.char_indices() {
        if is_edge_punct(ch) && j < end {
            lead.push((j, ch));
            start = j + ch.len_utf8();
        } else {
            break;
        }
    }
    // Trailing punctuation.
    let mut trail = Vec::new();
    for (j, ch) in chunk.char_indices().rev() {
        if j < start {
            break;
        }
        if is_edge_punct(ch) {
            trail.push((j, ch));
            end = j;
        } else {
            break;
        }
    }
    for (j, ch) in lead {
        push(out, &chunk[j..j + ch.len_utf8()], offset + j);
    }
    if start < end {
        let core = &chunk[start..end];
        split_core(core, offset + start, out);
    }
    for (j, ch) in trail.into_iter().rev() {
        push(out, &chunk[j..j + ch.len_utf8()], offset + j);
    }
}

/// Inside a chunk: `#7→done`, `#7:`, `word:word` split at arrows and at a
/// `:` between letters; everything else stays whole.
fn split_core(core: &str, offset: usize, out: &mut Vec<Token>) {
    for sep in ["→", "->", "←", "<-"] {
        if let Some(p) = core.find(sep)
            && p > 0
            && p + sep.len() < core.len()
        {
            split_core(&core[..p], offset, out);
            push(out, sep, offset + p);
            split_core(&core[p + sep.len()..], offset + p + sep.len(), out);
            return;
        }
    }
    // `#3,#4` or `Core,Mobile`: commas inside split too.
    if let Some(p) = core.find(',')
        && p > 0
        && p + 1 < core.len()
    {
        split_core(&core[..p], offset, out);
        push(out, ",", offset + p);
        split_core(&core[p + 1..], offset + p + 1, out);
        return;
    }
    // `#12:` handled by edge punctuation; `#12:done` or `desc:text`.
    if let Some(p) = core.find(':')
        && p > 0
        && p + 1 < core.len()
        && !core[p + 1..].starts_with("//")
        && !(core[..p].chars().all(|c| c.is_ascii_digit())
            && core[p + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit()))
    {
        split_core(&core[..p], offset, out);
        push(out, ":", offset + p);
        split_core(&core[p + 1..], offset + p + 1, out);
        return;
    }
    // `#7` directly followed by letters: `#7done`.
    if let Some(after) = core.strip_prefix('#') {
        let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && 1 + digits < core.len() {
            push(out, &core[..1 + digits], offset);
            split_core(&core[1 + digits..], offset + 1 + digits, out);
            return;
        }
    }
    push(out, core, offset);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn tokens() {
        assert_eq!(norms("#7 is Done!"), ["#7", "is", "done", "!"]);
        assert_eq!(norms("#2 → in progress"), ["#2", "→", "in", "progress"]);
        assert_eq!(norms("#13 -> 3.0"), ["#13", "→", "3.0"]);
        assert_eq!(norms("#7→done"), ["#7", "→", "done"]);
        assert_eq!(norms("#8   in   2.1  🙏"), ["#8", "in", "2.1"]);
        assert_eq!(
            norms("blocked: waiting for legal"),
            ["blocked", ":", "waiting", "for", "legal"]
        );
        assert_eq!(norms("meet at 10:30"), ["meet", "at", "10:30"]);
        assert_eq!(
            norms("Docs at https://example.com/api"),
            ["docs", "at", "https://example.com/api"]
        );
        assert_eq!(norms("Ёжик «Оплата»"), ["ежик", "«", "оплата", "»"]);
        assert_eq!(norms("what's in 2.1?"), ["what", "'s", "in", "2.1", "?"]);
        assert_eq!(norms("Anna's features"), ["anna", "'s", "features"]);
        assert_eq!(norms("Core,Mobile"), ["core", ",", "mobile"]);
        assert_eq!(
            norms("new project: Hermes, billing"),
            ["new", "project", ":", "hermes", ",", "billing"]
        );
        assert_eq!(norms("#7 done ✅"), ["#7", "done", "✅"]);
        assert_eq!(norms("ship 🚀🚀"), ["ship"]);
        assert_eq!(norms("A\u{200B}pollo"), ["apollo"]);
    }

    #[test]
    fn spans_point_at_the_original() {
        let text = "rename #4 to Payments v2";
        let t = tokenize(text);
        assert_eq!(&text[t[3].start..t[4].end], "Payments v2");
        assert_eq!(t[1].kind, Kind::Hash);
    }

    #[test]
    fn kinds() {
        let k = |s: &str| tokenize(s)[0].kind;
        assert_eq!(k("12"), Kind::Number);
        assert_eq!(k("2.1"), Kind::Numeric);
        assert_eq!(k("01.12.2026"), Kind::Numeric);
        assert_eq!(k("#3"), Kind::Hash);
        assert_eq!(k("v2"), Kind::Word);
        assert_eq!(k(":"), Kind::Punct);
    }

    #[test]
    fn names() {
        assert_eq!(fold("  Apollo\u{200B}  X "), "apollo x");
        assert_eq!(clean("Apo\u{202E}llo"), "Apollo");
        assert!(!has_visible("\u{200B} . "));
        assert!(has_control("a\u{0}b", true));
        assert!(!has_control("a\nb\tc", true));
        assert!(has_control("a\nb", false));
    }
}
