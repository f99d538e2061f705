//! Message validation as Telegram does it: HTML entities, lengths, markup.

use serde_json::{Value, json};

use super::wire::*;
use super::*;

/// The text Telegram would store: entities parsed away, surrounding
/// whitespace trimmed.
pub(super) fn message_text(text: &str, parse_mode: Option<&str>) -> Result<String, Failure> {
    let parsed = match parse_mode {
        None | Some("") => text.to_owned(),
        Some(mode) if mode.eq_ignore_ascii_case("html") => html_to_plain(text).map_err(|e| {
            failure(
                400,
                &format!("Bad Request: can't parse entities: {e}"),
                None,
            )
        })?,
        // Markdown is not parsed: its length is counted with the markup.
        Some(mode)
            if mode.eq_ignore_ascii_case("markdownv2") || mode.eq_ignore_ascii_case("markdown") =>
        {
            text.to_owned()
        }
        Some(_) => return Err(failure(400, "Bad Request: unsupported parse_mode", None)),
    };
    let trimmed = parsed.trim();
    if trimmed.is_empty() {
        return Err(failure(400, "Bad Request: message text is empty", None));
    }
    Ok(trimmed.to_owned())
}

/// Strips Telegram-HTML markup and decodes `&lt; &gt; &amp; &quot;` and
/// numeric entities, failing like Telegram's parser on unsupported or
/// unbalanced tags. The error is the part after "can't parse entities: ".
pub fn html_to_plain(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    let mut run_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'&' => {
                out.push_str(&text[run_start..i]);
                match decode_entity(&text[i..]) {
                    Some((c, len)) => {
                        out.push(c);
                        i += len;
                    }
                    None => {
                        out.push('&');
                        i += 1;
                    }
                }
                run_start = i;
            }
            b'<' => {
                out.push_str(&text[run_start..i]);
                let begin = i;
                i += 1;
                if i < bytes.len() && bytes[i] == b'/' {
                    i += 1;
                    let name_start = i;
                    while i < bytes.len() && bytes[i] != b'>' {
                        i += 1;
                    }
                    if i == bytes.len() {
                        return Err(format!("Unclosed end tag at byte offset {begin}"));
                    }
                    let name = text[name_start..i].trim().to_ascii_lowercase();
                    i += 1;
                    let Some(expected) = open.pop() else {
                        return Err(format!("Unexpected end tag at byte offset {begin}"));
                    };
                    if name != expected {
                        return Err(format!(
                            "Unmatched end tag at byte offset {begin}, expected \"</{expected}>\", \
                             found \"</{name}>\""
                        ));
                    }
                } else {
                    let name_start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    if i == bytes.len() {
                        return Err(format!("Unclosed start tag at byte offset {begin}"));
                    }
                    let name = text[name_start..i].to_ascii_lowercase();
                    if !HTML_TAGS.contains(&name.as_str()) {
                        return Err(format!(
                            "Unsupported start tag \"{name}\" at byte offset {begin}"
                        ));
                    }
                    let mut quote = None;
                    while i < bytes.len() {
                        let c = bytes[i];
                        match quote {
                            Some(q) if c == q => quote = None,
                            Some(_) => {}
                            None if c == b'"' || c == b'\'' => quote = Some(c),
                            None if c == b'>' => break,
                            None => {}
                        }
                        i += 1;
                    }
                    if i == bytes.len() {
                        return Err(format!("Unclosed start tag at byte offset {begin}"));
                    }
                    i += 1;
                    open.push(name);
                }
                run_start = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[run_start..]);
    if let Some(tag) = open.last() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{tag}\""
        ));
    }
    Ok(out)
}

/// Decodes one entity at the start of `s` (which begins with `&`).
pub(super) fn decode_entity(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes().iter().take(12).position(|&b| b == b';')?;
    let body = &s[1..end];
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let num = body.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

/// Telegram's checks of an inline keyboard: callback data of 1–64 bytes; a
/// Mini App (`web_app`) button only with an https URL and only in a private
/// chat (a group gets `BUTTON_TYPE_INVALID`).
pub(super) fn check_markup(markup: Option<&Value>, private_chat: bool) -> Result<(), Failure> {
    let Some(rows) = markup
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(Value::as_array)
    else {
        return Ok(());
    };
    for button in rows.iter().filter_map(Value::as_array).flatten() {
        if let Some(data) = button.get("callback_data") {
            let len = data.as_str().map_or(0, str::len);
            if !(1..=MAX_CALLBACK_DATA_BYTES).contains(&len) {
                return Err(failure(400, "Bad Request: BUTTON_DATA_INVALID", None));
            }
        }
        if let Some(web_app) = button.get("web_app") {
            if !private_chat {
                return Err(failure(400, "Bad Request: BUTTON_TYPE_INVALID", None));
            }
            let url = web_app.get("url").and_then(Value::as_str).unwrap_or("");
            if !url.starts_with("https://") {
                return Err(failure(
                    400,
                    "Bad Request: inline keyboard button Web App URL is invalid: Only HTTPS links are allowed",
                    None,
                ));
            }
        }
    }
    Ok(())
}

/// The markup Telegram echoes back on a message: inline keyboards only.
pub(super) fn inline_markup(markup: Option<&Value>) -> Option<Value> {
    let markup = markup?;
    let rows = markup.get("inline_keyboard")?.as_array()?;
    if rows
        .iter()
        .all(|row| row.as_array().is_none_or(Vec::is_empty))
    {
        return None;
    }
    Some(json!({"inline_keyboard": rows}))
}
