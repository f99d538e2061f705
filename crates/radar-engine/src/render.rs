//! Turning replies into Telegram-sized HTML messages.

use chrono::{NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use radar_store::UserId;

use crate::Lang;
use crate::messages::t;

/// Telegram's limit on a message: 4096 characters after entity parsing
/// (<https://core.telegram.org/bots/api#sendmessage>), counted the way
/// Telegram counts them, in UTF-16 code units: an emoji outside the Basic
/// Multilingual Plane (📁, 🚀) counts twice. See [`units`].
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// How long Telegram finds a message of ours: the UTF-16 code units of the
/// text a client shows for the HTML (tags removed, entities decoded).
pub fn units(html: &str) -> usize {
    html_to_plain(html).encode_utf16().count()
}

/// Escapes user text for Telegram's HTML parse mode.
pub fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// The plain text a Telegram client would show for our HTML.
pub fn html_to_plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&out).into_owned()
}

/// The first line of every message to an allowed user.
pub fn context_line(project: Option<&str>, lang: Lang) -> String {
    match project {
        Some(name) => t!(lang, "context-project", name = esc(name)),
        None => t!(lang, "context-none"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub text: String,
    /// `callback_data`: at most 64 bytes.
    pub data: String,
    /// A Mini App button instead (`web_app.url`, the board): Telegram opens
    /// the page; it accepts these in private chats only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_app: Option<String>,
}

impl Button {
    /// A button that sends `data` back when pressed.
    pub fn callback(text: impl Into<String>, data: impl Into<String>) -> Button {
        Button {
            text: text.into(),
            data: data.into(),
            web_app: None,
        }
    }
}

/// Inline keyboard rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Keyboard(pub Vec<Vec<Button>>);

impl Keyboard {
    /// Telegram's `InlineKeyboardMarkup` JSON, as stored in the outbox.
    pub fn to_json(&self) -> String {
        let rows: Vec<Vec<serde_json::Value>> = self
            .0
            .iter()
            .map(|row| {
                row.iter()
                    .map(|b| match &b.web_app {
                        Some(url) => serde_json::json!({"text": b.text, "web_app": {"url": url}}),
                        None => serde_json::json!({"text": b.text, "callback_data": b.data}),
                    })
                    .collect()
            })
            .collect();
        serde_json::json!({ "inline_keyboard": rows }).to_string()
    }

    pub fn from_json(s: &str) -> Option<Keyboard> {
        let v: serde_json::Value = serde_json::from_str(s).ok()?;
        let rows = v.get("inline_keyboard")?.as_array()?;
        Some(Keyboard(
            rows.iter()
                .filter_map(|r| r.as_array())
                .map(|r| {
                    r.iter()
                        .filter_map(|b| {
                            let text = b.get("text")?.as_str()?.to_string();
                            if let Some(url) = b.pointer("/web_app/url") {
                                return Some(Button {
                                    text,
                                    data: String::new(),
                                    web_app: Some(url.as_str()?.to_string()),
                                });
                            }
                            Some(Button::callback(text, b.get("callback_data")?.as_str()?))
                        })
                        .collect()
                })
                .collect(),
        ))
    }
}

/// One message Radar sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutMessage {
    /// HTML (parse mode `HTML`); a file's caption when the message carries one.
    pub html: String,
    pub keyboard: Option<Keyboard>,
    /// A file sent with the message (`sendPhoto` / `sendDocument`).
    pub file: Option<File>,
}

/// Telegram's limit on a photo's or document's caption: 1024 characters
/// after entity parsing, in UTF-16 code units like a message's text.
pub const MAX_CAPTION_CHARS: usize = 1024;

/// A file a reply carries: a chart (PNG, sent as a photo) or an export (CSV,
/// sent as a document). Rendered in the command's transaction and queued
/// with the reply, so it shows the state the command saw.
#[derive(Clone, PartialEq, Eq)]
pub struct File {
    pub kind: radar_store::AttachmentKind,
    /// The file's name as the user sees it (`burnup-1.2.png`).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "File({} {}, {} bytes)",
            self.kind,
            self.name,
            self.bytes.len()
        )
    }
}

/// A file and its caption (the context line goes first): the caption's
/// first part travels with the file, within [`MAX_CAPTION_CHARS`]; anything
/// longer follows as text messages.
pub fn file_messages(header: &str, caption: &str, file: File) -> Vec<OutMessage> {
    let mut parts = split_to(header, caption, MAX_CAPTION_CHARS);
    let rest = parts.split_off(1);
    let first = parts
        .pop()
        .map(|m| m.html)
        .unwrap_or_else(|| header.to_string());
    let mut out = vec![OutMessage {
        html: first,
        keyboard: None,
        file: Some(file),
    }];
    if !rest.is_empty() {
        let text: Vec<String> = rest
            .iter()
            .map(|m| {
                m.html
                    .strip_prefix(&format!("{header}\n\n"))
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        out.extend(split_messages(header, &text.join("\n"), None));
    }
    out
}

impl OutMessage {
    pub fn plain(&self) -> String {
        html_to_plain(&self.html)
    }
}

/// Splits `header` + `body` into messages of at most [`MAX_MESSAGE_CHARS`]
/// [`units`], each starting with `header`, cutting between lines. The
/// keyboard goes on the last one.
pub fn split_messages(header: &str, body: &str, keyboard: Option<Keyboard>) -> Vec<OutMessage> {
    let mut parts = split_to(header, body, MAX_MESSAGE_CHARS);
    if let Some(last) = parts.last_mut() {
        last.keyboard = keyboard;
    }
    parts
}

/// [`split_messages`] with messages of at most `limit` units, no keyboard.
fn split_to(header: &str, body: &str, limit: usize) -> Vec<OutMessage> {
    let keyboard: Option<Keyboard> = None;
    let budget = limit.saturating_sub(units(header) + 2).max(1);
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0usize;
    for line in body.lines() {
        for piece in hard_split(line, budget) {
            let len = units(&piece);
            if cur_len > 0 && cur_len + 1 + len > budget {
                parts.push(std::mem::take(&mut cur));
                cur_len = 0;
            }
            if cur_len > 0 {
                cur.push('\n');
                cur_len += 1;
            }
            cur.push_str(&piece);
            cur_len += len;
        }
    }
    if !cur.is_empty() || parts.is_empty() {
        parts.push(cur);
    }
    let n = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| OutMessage {
            html: if p.is_empty() {
                header.to_string()
            } else {
                format!("{header}\n\n{p}")
            },
            keyboard: if i + 1 == n { keyboard.clone() } else { None },
            file: None,
        })
        .collect()
}

/// The console's hint under a paged reply: how to turn the page.
pub fn console_page_hint(lang: Lang) -> String {
    t!(lang, "console-page-hint")
}

/// Room kept on every page for its footer ("Page 12 of 40").
const PAGE_FOOTER_UNITS: usize = 48;

/// What separates a page's title from its lines (a blank line when
/// `lines` starts with one), and the units left for the lines.
fn page_layout(header: &str, title: &str, lines: &[String]) -> (&'static str, usize) {
    let sep = if lines.first().is_some_and(|l| l.trim().is_empty()) {
        "\n\n"
    } else {
        "\n"
    };
    let budget = MAX_MESSAGE_CHARS
        .saturating_sub(units(header) + 2 + units(title) + sep.len() + 2 + PAGE_FOOTER_UNITS)
        .max(64);
    (sep, budget)
}

/// Cuts a long answer into pages: each page is `title`, a line break and
/// as many of `lines` as fit, so that the page under `header`, with a
/// footer of up to [`PAGE_FOOTER_UNITS`], is one message of at most
/// [`MAX_MESSAGE_CHARS`] units (a line too long for a page is cut). Blank
/// lines at a page's start or end are dropped (when `lines` starts with one,
/// every page's title is followed by a blank line). One page when all fit.
pub fn pages(header: &str, title: &str, lines: &[String]) -> Vec<String> {
    let (sep, budget) = page_layout(header, title, lines);
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    let mut cur_len = 0usize;
    for line in lines {
        for piece in hard_split(line, budget) {
            let len = units(&piece);
            let page = out.last_mut().expect("a page");
            if page.is_empty() && piece.trim().is_empty() {
                continue;
            }
            if !page.is_empty() && cur_len + 1 + len > budget {
                out.push(Vec::new());
                cur_len = 0;
                if piece.trim().is_empty() {
                    continue;
                }
            }
            let page = out.last_mut().expect("a page");
            cur_len += len + usize::from(!page.is_empty());
            page.push(piece);
        }
    }
    out.into_iter()
        .map(|mut p| {
            while p.last().is_some_and(|l| l.trim().is_empty()) {
                p.pop();
            }
            if p.is_empty() {
                title.to_string()
            } else {
                format!("{title}{sep}{}", p.join("\n"))
            }
        })
        .collect()
}

/// `title` and `lines` as one page of [`pages`] (the same layout and
/// budget), for an answer paged by count rather than by length. When the
/// lines do not fit together, the longest are cut to a common length (the
/// largest that fits), with an ellipsis; shorter lines stay whole.
pub fn one_page(header: &str, title: &str, lines: &[String]) -> String {
    let mut all = pages(header, title, lines);
    if all.len() == 1 {
        return all.pop().unwrap_or_default();
    }
    let (_, budget) = page_layout(header, title, lines);
    // Each line costs its units and a line break.
    let lens: Vec<usize> = lines.iter().map(|l| units(l)).collect();
    let room = budget.saturating_sub(lines.len());
    let fits = |cap: usize| lens.iter().map(|&l| l.min(cap)).sum::<usize>() <= room;
    let (mut lo, mut hi) = (1usize, lens.iter().copied().max().unwrap_or(1));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) { lo = mid } else { hi = mid - 1 }
    }
    let cap = lo.max(2);
    let cut: Vec<String> = lines
        .iter()
        .zip(&lens)
        .map(|(l, &len)| {
            if len <= cap {
                return l.clone();
            }
            // As plain text (a cut line loses its bold), up to the cap.
            let mut used = 0;
            let kept: String = html_to_plain(l)
                .chars()
                .take_while(|c| {
                    used += c.len_utf16();
                    used < cap
                })
                .collect();
            format!("{}…", esc(&kept))
        })
        .collect();
    pages(header, title, &cut)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// A message Telegram refused as too long (its limit lower than ours, or
/// counted otherwise): its first half, as a message, and the rest as one
/// message (split again if refused again). The context line (before the
/// first blank line) starts both. `None` when it cannot be split further.
pub fn resplit(html: &str) -> Option<(String, String)> {
    let (header, body) = html.split_once("\n\n").unwrap_or(("", html));
    let budget = (units(html) / 2).max(units(header) + 64);
    let parts = split_to(header, body, budget.min(MAX_MESSAGE_CHARS));
    if parts.len() < 2 {
        return None;
    }
    let bodies: Vec<&str> = parts[1..]
        .iter()
        .map(|m| {
            m.html
                .strip_prefix(header)
                .unwrap_or(&m.html)
                .trim_start_matches('\n')
        })
        .collect();
    Some((
        parts[0].html.clone(),
        format!("{header}\n\n{}", bodies.join("\n")),
    ))
}

/// Two parts of one reply (each starting with the context line) as one.
pub fn rejoin(a: &str, b: &str) -> String {
    let (header, body_b) = b.split_once("\n\n").unwrap_or(("", b));
    if a.starts_with(header) {
        format!("{a}\n{body_b}")
    } else {
        format!("{a}\n\n{b}")
    }
}

/// A line longer than the budget: drop its markup (so no tag is cut in two)
/// and cut it into pieces, re-escaped, each within the budget (a character
/// is never cut in two: an emoji's two UTF-16 units stay together).
fn hard_split(line: &str, budget: usize) -> Vec<String> {
    if units(line) <= budget {
        return vec![line.to_string()];
    }
    let plain = html_to_plain(line);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    // Words stay whole unless one alone is longer than the budget.
    for word in plain.split_inclusive(' ') {
        let wl = word.encode_utf16().count();
        if cur_len + wl > budget && !cur.is_empty() {
            out.push(std::mem::take(&mut cur).trim_end().to_string());
            cur_len = 0;
        }
        if wl <= budget {
            cur.push_str(&esc(word));
            cur_len += wl;
            continue;
        }
        for ch in word.chars() {
            let l = ch.len_utf16();
            if cur_len + l > budget && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
                cur_len = 0;
            }
            cur.push_str(&esc(&ch.to_string()));
            cur_len += l;
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim_end().to_string());
    }
    out
}

/// What rendering a reply needs to know about its reader: the language, the
/// time zone times are shown in, and who "you" is.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub lang: Lang,
    pub tz: Tz,
    pub me: UserId,
}

impl View {
    /// "you", or "user 42".
    pub fn who(&self, user: UserId) -> String {
        if user == self.me {
            t!(self.lang, "who-you")
        } else {
            t!(self.lang, "who-user", id = user.to_string())
        }
    }

    pub fn time(&self, t: NaiveDateTime) -> String {
        show_time(t, self.tz, self.lang)
    }
}

/// A stored UTC time shown in the configured zone, in the language's
/// `format-time` pattern.
pub fn show_time(time: NaiveDateTime, tz: Tz, lang: Lang) -> String {
    let local = Utc.from_utc_datetime(&time).with_timezone(&tz);
    local.format(&t!(lang, "format-time")).to_string()
}

/// A date in the language's `format-date` pattern.
pub fn show_date(d: chrono::NaiveDate, lang: Lang) -> String {
    d.format(&t!(lang, "format-date")).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_cuts_long_lines_to_fit_one_message() {
        let header = "📁 Apollo";
        let short = vec![
            String::new(),
            "<b>Feature #1</b>".to_string(),
            "• a".to_string(),
        ];
        assert_eq!(
            one_page(header, "Title", &short),
            "Title\n\n<b>Feature #1</b>\n• a"
        );
        let long: Vec<String> = (0..20)
            .map(|i| format!("• {i} {}", "word &amp; ".repeat(60)))
            .collect();
        let mut lines = long.clone();
        lines.insert(3, "• a short line stays whole".to_string());
        let page = one_page(header, "Title", &lines);
        assert!(units(header) + 2 + units(&page) + PAGE_FOOTER_UNITS <= MAX_MESSAGE_CHARS);
        assert_eq!(page.lines().count(), 22, "every line is kept, cut: {page}");
        assert!(page.contains("\n• a short line stays whole\n"));
        let cut = page.lines().skip(1).filter(|l| l.ends_with('…')).count();
        assert_eq!(cut, 20, "only the long lines are cut: {page}");
        assert!(page.contains("• 19 word &amp;"));
    }

    #[test]
    fn long_bodies_are_split_with_the_header_on_every_part() {
        let header = context_line(Some("Apollo"), Lang::En);
        let body: String = (0..500)
            .map(|i| format!("line {i} {}\n", "x".repeat(40)))
            .collect();
        let msgs = split_messages(&header, &body, None);
        assert!(msgs.len() > 1);
        for m in &msgs {
            assert!(units(&m.html) <= MAX_MESSAGE_CHARS);
            assert!(m.plain().starts_with("📁 Project: Apollo\n"));
        }
        let joined: String = msgs.iter().map(|m| m.html.clone()).collect();
        assert!(joined.contains("line 0 ") && joined.contains("line 499 "));
    }

    #[test]
    fn a_huge_line_is_cut_without_breaking_entities() {
        let header = context_line(None, Lang::Ru);
        let body = esc(&"&<".repeat(3000));
        let msgs = split_messages(&header, &body, None);
        assert!(msgs.len() >= 2);
        let mut total = String::new();
        for m in &msgs {
            assert!(units(&m.html) <= MAX_MESSAGE_CHARS);
            let p = m.plain();
            assert!(p.starts_with("📁 Контекст: проект не выбран"));
            total.push_str(p.split_once("\n\n").unwrap().1);
        }
        assert_eq!(total, "&<".repeat(3000));
    }

    #[test]
    fn length_is_counted_in_utf16_units_after_parsing() {
        // Astral-plane emoji count twice; markup and entities not at all.
        assert_eq!(units("📁"), 2);
        assert_eq!(units("<b>a &amp; b</b>"), 5);
        let header = context_line(Some("Apollo"), Lang::En);
        // 3,000 emoji (6,000 units): more than one message, none over the limit.
        let body = "🚀".repeat(3000);
        let msgs = split_messages(&header, &body, None);
        assert_eq!(msgs.len(), 2);
        let mut total = 0;
        for m in &msgs {
            assert!(units(&m.html) <= MAX_MESSAGE_CHARS, "{}", units(&m.html));
            total += m.plain().matches('🚀').count();
        }
        assert_eq!(total, 3000);
        // Lines of icons, as a long feature list renders.
        let list: String = (1..=200)
            .map(|i| format!("⛔ #{i} <b>Feature</b> — blocked · 👥 Core 🚀 2.1\n"))
            .collect();
        for m in split_messages(&header, &list, None) {
            assert!(units(&m.html) <= MAX_MESSAGE_CHARS);
        }
        // A reply Telegram refused is re-split with the context line on each part.
        let (first, rest) = resplit(&format!("{header}\n\n{}", "🚀".repeat(5000))).unwrap();
        assert!(first.starts_with(&header) && units(&first) <= MAX_MESSAGE_CHARS);
        assert!(rest.starts_with(&format!("{header}\n\n🚀")));
        let (second, third) = resplit(&rest).unwrap();
        assert!(units(&second) < units(&rest) && units(&third) < units(&rest));
        let count = |s: &str| s.matches('🚀').count();
        assert_eq!(count(&first) + count(&second) + count(&third), 5000);
        // Parts put back together keep one context line.
        let joined = rejoin(&second, &third);
        assert_eq!(count(&joined), count(&rest));
        assert_eq!(joined.matches("📁").count(), 1);
        assert_eq!(resplit(&header), None);
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("<b>&</b>"), "&lt;b&gt;&amp;&lt;/b&gt;");
        assert_eq!(html_to_plain("<b>a &amp; b</b>"), "a & b");
    }
}
