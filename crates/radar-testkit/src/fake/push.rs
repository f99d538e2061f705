//! Injecting updates: what users send.

use serde_json::{Map, Value, json};

use super::*;

impl FakeTelegram {
    // ----- injecting updates ---------------------------------------------

    /// Pushes a text message from `user_id` in `chat_id` (a private chat when
    /// `chat_id > 0`, a group otherwise). A leading `/command` gets a
    /// `bot_command` entity, as Telegram adds.
    pub fn push_text(
        &self,
        chat_id: i64,
        user_id: i64,
        text: &str,
        language_code: Option<&str>,
    ) -> Pushed {
        self.push_text_at(chat_id, user_id, text, language_code, now_unix())
    }

    /// Like [`FakeTelegram::push_text`], sent at `date` (Unix seconds):
    /// the message's `date`, which Radar records as when the change happened.
    pub fn push_text_at(
        &self,
        chat_id: i64,
        user_id: i64,
        text: &str,
        language_code: Option<&str>,
        date: i64,
    ) -> Pushed {
        self.push_with(|st| {
            let mid = st.next_mid(chat_id);
            let mut msg = base_message(mid, user_json(user_id, language_code), chat_id, date);
            set_text(&mut msg, text);
            let value = Value::Object(msg);
            st.messages.insert(
                (chat_id, mid),
                StoredMsg {
                    json: value.clone(),
                    from_bot: false,
                    source: None,
                },
            );
            (single("message", value), mid)
        })
    }

    /// Pushes a callback query: `user_id` pressed a button carrying `data` on
    /// the bot's message `message_id` in `chat_id`. The query's `message` is
    /// the fake's copy of that bot message when it knows it (so it carries
    /// the current text and keyboard), otherwise a plausible bot message.
    pub fn push_callback(&self, chat_id: i64, user_id: i64, data: &str, message_id: i64) -> Pushed {
        self.push_with(|st| {
            st.next_callback += 1;
            let id = (8_000_000_000_000_000_000u64 + st.next_callback).to_string();
            st.open_callbacks.insert(id.clone());
            let message = match st.messages.get(&(chat_id, message_id)) {
                Some(stored) => stored.json.clone(),
                None => {
                    let mut msg =
                        base_message(message_id, bot_user_json(), chat_id, now_unix() - 60);
                    msg.insert("text".into(), json!("…"));
                    Value::Object(msg)
                }
            };
            let query = json!({
                "id": id,
                "from": user_json(user_id, None),
                "message": message,
                "chat_instance": chat_instance(chat_id),
                "data": data,
            });
            (single("callback_query", query), message_id)
        })
    }

    /// Pushes an `edited_message`: the user edited their message
    /// `message_id` in `chat_id` to `new_text`.
    pub fn push_edited(
        &self,
        chat_id: i64,
        user_id: i64,
        message_id: i64,
        new_text: &str,
    ) -> Pushed {
        self.push_with(|st| {
            let now = now_unix();
            let mut msg = match st.messages.get(&(chat_id, message_id)) {
                Some(StoredMsg {
                    json: Value::Object(m),
                    from_bot: false,
                    ..
                }) => m.clone(),
                _ => base_message(message_id, user_json(user_id, None), chat_id, now - 60),
            };
            msg.remove("entities");
            set_text(&mut msg, new_text);
            msg.insert("edit_date".into(), json!(now));
            let value = Value::Object(msg);
            st.note_mid(chat_id, message_id);
            st.messages.insert(
                (chat_id, message_id),
                StoredMsg {
                    json: value.clone(),
                    from_bot: false,
                    source: None,
                },
            );
            (single("edited_message", value), message_id)
        })
    }

    /// Pushes a message without text (a photo) from `user_id` in `chat_id`.
    pub fn push_non_text(&self, chat_id: i64, user_id: i64) -> Pushed {
        self.push_with(|st| {
            let mid = st.next_mid(chat_id);
            let mut msg = base_message(mid, user_json(user_id, None), chat_id, now_unix());
            msg.insert(
                "photo".into(),
                json!([
                    {"file_id": format!("AgACAgIAAxkBAAI{chat_id}x{mid}s"), "file_unique_id": format!("AQAD{mid}s"),
                     "file_size": 1523, "width": 90, "height": 67},
                    {"file_id": format!("AgACAgIAAxkBAAI{chat_id}x{mid}m"), "file_unique_id": format!("AQAD{mid}m"),
                     "file_size": 24017, "width": 320, "height": 240},
                ]),
            );
            let value = Value::Object(msg);
            st.messages.insert(
                (chat_id, mid),
                StoredMsg { json: value.clone(), from_bot: false, source: None },
            );
            (single("message", value), mid)
        })
    }

    /// Pushes a text message from `user_id` in `chat_id` that replies to the
    /// message `reply_to` of that chat (the fake's copy of it, so a reply to
    /// one of the bot's messages carries the bot as its sender).
    pub fn push_reply(&self, chat_id: i64, user_id: i64, text: &str, reply_to: i64) -> Pushed {
        self.push_with(|st| {
            let mid = st.next_mid(chat_id);
            let mut msg = base_message(mid, user_json(user_id, Some("en")), chat_id, now_unix());
            set_text(&mut msg, text);
            let original = match st.messages.get(&(chat_id, reply_to)) {
                Some(stored) => {
                    let mut o = stored.json.clone();
                    if let Value::Object(m) = &mut o {
                        m.remove("reply_to_message");
                    }
                    o
                }
                None => {
                    let mut o = base_message(reply_to, bot_user_json(), chat_id, now_unix() - 60);
                    o.insert("text".into(), json!("…"));
                    Value::Object(o)
                }
            };
            msg.insert("reply_to_message".into(), original);
            let value = Value::Object(msg);
            st.messages.insert(
                (chat_id, mid),
                StoredMsg {
                    json: value.clone(),
                    from_bot: false,
                    source: None,
                },
            );
            (single("message", value), mid)
        })
    }

    /// Telegram upgrades group `old` to supergroup `new` (by `user_id`):
    /// from now on a send to `old` answers 400 with `migrate_to_chat_id`, and
    /// the two service messages arrive — `migrate_to_chat_id` in the old
    /// group, `migrate_from_chat_id` in the new supergroup.
    pub fn migrate_group(&self, old: i64, new: i64, user_id: i64) -> (Pushed, Pushed) {
        self.lock().migrated.insert(old, new);
        let in_old = self.push_with(|st| {
            let mid = st.next_mid(old);
            let mut msg = base_message(mid, user_json(user_id, None), old, now_unix());
            msg.insert("migrate_to_chat_id".into(), json!(new));
            (single("message", Value::Object(msg)), mid)
        });
        let in_new = self.push_with(|st| {
            let mid = st.next_mid(new);
            let mut msg = base_message(mid, user_json(user_id, None), new, now_unix());
            msg.insert("migrate_from_chat_id".into(), json!(old));
            (single("message", Value::Object(msg)), mid)
        });
        (in_old, in_new)
    }

    /// Pushes a `channel_post` with `text` in channel `chat_id`.
    pub fn push_channel_post(&self, chat_id: i64, text: &str) -> Pushed {
        self.push_with(|st| {
            let mid = st.next_mid(chat_id);
            let chat =
                json!({"id": chat_id, "type": "channel", "title": format!("Channel {chat_id}")});
            let mut msg = Map::new();
            msg.insert("message_id".into(), json!(mid));
            msg.insert("sender_chat".into(), chat.clone());
            msg.insert("chat".into(), chat);
            msg.insert("date".into(), json!(now_unix()));
            set_text(&mut msg, text);
            (single("channel_post", Value::Object(msg)), mid)
        })
    }

    /// Pushes an arbitrary update body, e.g. `{"my_chat_member": {...}}`; the
    /// fake sets `update_id` (any given one is replaced). A `message`-like
    /// payload is remembered so that replies to it and edits of it work.
    ///
    /// # Panics
    /// If `update` is not a JSON object.
    pub fn push_raw(&self, update: Value) -> Pushed {
        let Value::Object(body) = update else {
            panic!("fake Telegram: push_raw needs a JSON object");
        };
        self.push_with(|st| {
            let mut message_id = 0;
            for (key, value) in &body {
                if key == "callback_query" {
                    if let Some(id) = value.get("id").and_then(Value::as_str) {
                        st.open_callbacks.insert(id.to_owned());
                    }
                    if let Some(mid) = value.pointer("/message/message_id").and_then(Value::as_i64)
                    {
                        message_id = mid;
                    }
                } else if let (Some(mid), Some(chat)) = (
                    value.get("message_id").and_then(Value::as_i64),
                    value.pointer("/chat/id").and_then(Value::as_i64),
                ) {
                    message_id = mid;
                    st.note_mid(chat, mid);
                    let from_bot =
                        value.pointer("/from/id").and_then(Value::as_i64) == Some(BOT_USER_ID);
                    st.messages.insert(
                        (chat, mid),
                        StoredMsg {
                            json: value.clone(),
                            from_bot,
                            source: None,
                        },
                    );
                }
            }
            (body, message_id)
        })
    }
}
