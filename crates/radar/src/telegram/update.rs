//! Updates as Telegram sends them: raw JSON first, typed second. Telegram
//! adds fields, entity types and update kinds over time; teloxide 0.17 loses
//! a message's text when an entity type is new to it, and cannot read some
//! updates at all. Radar keeps the raw JSON (stored at receipt for replay)
//! and, when the typed reading fails or lost the text, reads the few fields
//! it needs from the raw JSON into a minimal message teloxide can read.

use serde_json::{Map, Value, json};
use teloxide::types::{Update, UpdateKind};

/// One update as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: i64,
    /// The update exactly as Telegram sent it (stored with the receipt).
    pub raw: Value,
    /// What the handler tree is given: teloxide's reading of the update, or
    /// of its minimal form. `None` when neither can be read.
    pub typed: Option<Update>,
}

impl Received {
    pub fn parse(raw: Value) -> Received {
        let id = raw.get("update_id").and_then(Value::as_i64).unwrap_or(-1);
        let typed = typed(&raw).or_else(|| minimal(&raw).and_then(|m| typed(&m)));
        Received { id, raw, typed }
    }

    /// The raw JSON as stored.
    pub fn payload(&self) -> String {
        self.raw.to_string()
    }
}

/// teloxide's reading, when it kept everything Radar uses.
fn typed(raw: &Value) -> Option<Update> {
    // From text: teloxide's `UpdateKind` cannot be read from a `Value`.
    let u: Update = serde_json::from_str(&raw.to_string()).ok()?;
    if matches!(u.kind, UpdateKind::Error(_)) {
        return None;
    }
    // A message whose text teloxide dropped (an unknown entity type makes it
    // read the message as some other kind).
    let raw_text = message_of(raw)
        .and_then(|m| m.get("text"))
        .and_then(Value::as_str);
    let typed_text = match &u.kind {
        UpdateKind::Message(m) | UpdateKind::EditedMessage(m) => m.text(),
        _ => None,
    };
    if raw_text.is_some() && typed_text != raw_text {
        return None;
    }
    Some(u)
}

fn message_of(raw: &Value) -> Option<&Value> {
    raw.get("message").or_else(|| raw.get("edited_message"))
}

/// The fields of a message Radar reads (ids, sender, chat, date, text,
/// what it replies to, a group's migration), without its entities.
fn minimal(raw: &Value) -> Option<Value> {
    let (kind, m) = ["message", "edited_message"]
        .iter()
        .find_map(|k| raw.get(*k).map(|m| (*k, m)))?;
    let mut out = Map::new();
    out.insert("update_id".into(), raw.get("update_id")?.clone());
    out.insert(kind.into(), minimal_message(m, true)?);
    Some(Value::Object(out))
}

fn minimal_message(m: &Value, with_reply: bool) -> Option<Value> {
    let chat = m.get("chat")?;
    let mut msg = Map::new();
    msg.insert("message_id".into(), m.get("message_id")?.clone());
    msg.insert("date".into(), m.get("date").cloned().unwrap_or(json!(0)));
    msg.insert(
        "chat".into(),
        json!({
            "id": chat.get("id")?,
            "type": chat.get("type").cloned().unwrap_or(json!("private")),
            "title": chat.get("title"),
            "first_name": chat.get("first_name"),
        }),
    );
    if let Some(from) = m.get("from") {
        msg.insert(
            "from".into(),
            json!({
                "id": from.get("id")?,
                "is_bot": from.get("is_bot").cloned().unwrap_or(json!(false)),
                "first_name": from.get("first_name").cloned().unwrap_or(json!("")),
                "username": from.get("username"),
                "language_code": from.get("language_code"),
            }),
        );
    }
    for key in ["sender_chat", "edit_date"] {
        if let Some(v) = m.get(key) {
            msg.insert(key.into(), v.clone());
        }
    }
    for key in ["migrate_to_chat_id", "migrate_from_chat_id"] {
        if let Some(v) = m.get(key) {
            msg.insert(key.into(), v.clone());
        }
    }
    match m.get("text") {
        Some(text) => {
            msg.insert("text".into(), text.clone());
        }
        // Not text, and not a group's migration: nothing Radar acts on.
        None if !msg.contains_key("migrate_to_chat_id")
            && !msg.contains_key("migrate_from_chat_id") =>
        {
            return None;
        }
        None => {}
    }
    if with_reply
        && let Some(r) = m
            .get("reply_to_message")
            .and_then(|r| minimal_message(r, false))
    {
        msg.insert("reply_to_message".into(), r);
    }
    // Drop nulls (absent optional fields).
    if let Some(Value::Object(c)) = msg.get_mut("chat") {
        c.retain(|_, v| !v.is_null());
    }
    if let Some(Value::Object(f)) = msg.get_mut("from") {
        f.retain(|_, v| !v.is_null());
    }
    Some(Value::Object(msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(r: &Received) -> Option<String> {
        match &r.typed.as_ref()?.kind {
            UpdateKind::Message(m) => m.text().map(str::to_string),
            _ => None,
        }
    }

    #[test]
    fn a_known_update_is_read_as_is() {
        let r = Received::parse(json!({
            "update_id": 7,
            "message": {"message_id": 3, "date": 1700000000,
                "chat": {"id": 42, "type": "private", "first_name": "A"},
                "from": {"id": 42, "is_bot": false, "first_name": "A"},
                "text": "/add Login",
                "entities": [{"type": "bot_command", "offset": 0, "length": 4}]}
        }));
        assert_eq!(r.id, 7);
        assert_eq!(text_of(&r).as_deref(), Some("/add Login"));
    }

    #[test]
    fn an_unknown_entity_type_keeps_the_text() {
        let r = Received::parse(json!({
            "update_id": 8,
            "message": {"message_id": 4, "date": 1700000000,
                "chat": {"id": 42, "type": "private", "first_name": "A"},
                "from": {"id": 42, "is_bot": false, "first_name": "A", "language_code": "ru"},
                "text": "/add Login",
                "entities": [{"type": "bot_command", "offset": 0, "length": 4},
                             {"type": "date_time", "offset": 5, "length": 5, "unix_time": 1}]}
        }));
        assert_eq!(text_of(&r).as_deref(), Some("/add Login"));
        // The raw JSON is kept as Telegram sent it.
        assert!(r.payload().contains("date_time"));
    }

    #[test]
    fn an_unknown_update_kind_is_not_read() {
        let r = Received::parse(json!({"update_id": 9, "future_thing": {"x": 1}}));
        assert_eq!(r.id, 9);
        assert!(r.typed.is_none());
    }

    #[test]
    fn an_unreadable_message_keeps_what_radar_needs() {
        // A field teloxide expects with another type.
        let r = Received::parse(json!({
            "update_id": 10,
            "message": {"message_id": 5, "date": 1700000000,
                "chat": {"id": -100, "type": "supergroup", "title": "T"},
                "from": {"id": 42, "is_bot": false, "first_name": "A"},
                "text": "@radar_bot undo",
                "link_preview_options": "not an object",
                "reply_to_message": {"message_id": 1, "date": 1700000000,
                    "chat": {"id": -100, "type": "supergroup", "title": "T"},
                    "from": {"id": 99, "is_bot": true, "first_name": "Radar"},
                    "text": "📁 Project: Apollo", "some_new_field": [1, 2]}}
        }));
        assert_eq!(text_of(&r).as_deref(), Some("@radar_bot undo"));
        let Some(Update {
            kind: UpdateKind::Message(m),
            ..
        }) = &r.typed
        else {
            panic!("a message");
        };
        assert_eq!(
            m.reply_to_message()
                .and_then(|r| r.from.as_ref())
                .map(|f| f.id.0),
            Some(99)
        );
    }
}
