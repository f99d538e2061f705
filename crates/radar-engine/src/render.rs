//! Turning replies into Telegram-sized HTML messages.

use chrono::{NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use radar_store::UserId;

use crate::Lang;
use crate::messages::t;

/// Telegram's limit is 4096 characters after entity parsing; raw HTML is
/// never shorter than its parsed text, so counting raw characters is safe.
pub const MAX_MESSAGE_CHARS: usize = 4096;

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
                    .map(|b| serde_json::json!({"text": b.text, "callback_data": b.data}))
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
                            Some(Button {
                                text: b.get("text")?.as_str()?.to_string(),
                                data: b.get("callback_data")?.as_str()?.to_string(),
                            })
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
    /// HTML (parse mode `HTML`).
    pub html: String,
    pub keyboard: Option<Keyboard>,
}

impl OutMessage {
    pub fn plain(&self) -> String {
        html_to_plain(&self.html)
    }
}

/// Splits `header` + `body` into messages of at most [`MAX_MESSAGE_CHARS`],
/// each starting with `header`, cutting between lines. The keyboard goes on
/// the last one.
pub fn split_messages(header: &str, body: &str, keyboard: Option<Keyboard>) -> Vec<OutMessage> {
    let budget = MAX_MESSAGE_CHARS - header.chars().count() - 2;
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0usize;
    for line in body.lines() {
        let pieces = hard_split(line, budget);
        for piece in pieces {
            let len = piece.chars().count();
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
        })
        .collect()
}

/// A line longer than the budget: drop its markup (so no tag is cut in two)
/// and cut it into pieces, re-escaped, each within the budget.
fn hard_split(line: &str, budget: usize) -> Vec<String> {
    if line.chars().count() <= budget {
        return vec![line.to_string()];
    }
    let plain = html_to_plain(line);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for ch in plain.chars() {
        let piece = esc(&ch.to_string());
        let l = piece.chars().count();
        if cur_len + l > budget {
            out.push(std::mem::take(&mut cur));
            cur_len = 0;
        }
        cur.push_str(&piece);
        cur_len += l;
    }
    if !cur.is_empty() {
        out.push(cur);
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
    fn long_bodies_are_split_with_the_header_on_every_part() {
        let header = context_line(Some("Apollo"), Lang::En);
        let body: String = (0..500)
            .map(|i| format!("line {i} {}\n", "x".repeat(40)))
            .collect();
        let msgs = split_messages(&header, &body, None);
        assert!(msgs.len() > 1);
        for m in &msgs {
            assert!(m.html.chars().count() <= MAX_MESSAGE_CHARS);
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
            assert!(m.html.chars().count() <= MAX_MESSAGE_CHARS);
            let p = m.plain();
            assert!(p.starts_with("📁 Контекст: проект не выбран"));
            total.push_str(p.split_once("\n\n").unwrap().1);
        }
        assert_eq!(total, "&<".repeat(3000));
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("<b>&</b>"), "&lt;b&gt;&amp;&lt;/b&gt;");
        assert_eq!(html_to_plain("<b>a &amp; b</b>"), "a & b");
    }
}
