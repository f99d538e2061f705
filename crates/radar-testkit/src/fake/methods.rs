//! The HTTP front and the Bot API methods.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::entities::*;
use super::state::*;
use super::wire::*;
use super::*;

pub(super) async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let response = route(&shared, &uri, &headers, &body).await;
    shared.bump();
    response
}

pub(super) async fn route(
    shared: &Arc<Shared>,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let Some(method) = method_from_path(uri.path()) else {
        return error(404, "Not Found", None);
    };
    let params = match parse_params(headers, body, uri.query()) {
        Ok(params) => params,
        Err(description) => return error(400, &description, None),
    };
    let lower = method.to_ascii_lowercase();
    shared.lock().count_request(&lower);
    if let Some(answer) = shared.gates.intercept(shared, uri.path(), &lower).await {
        return answer;
    }
    match lower.as_str() {
        "getupdates" => get_updates(shared, &params).await,
        "sendmessage" => send_message(shared, &params).await,
        "sendphoto" | "senddocument" => send_file(
            &mut shared.lock(),
            &lower,
            &params,
            multipart_files(headers, body),
        ),
        "getme" => ok(json!({
            "id": BOT_USER_ID,
            "is_bot": true,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        })),
        "editmessagetext" => edit_message(&mut shared.lock(), &params, true),
        "editmessagereplymarkup" => edit_message(&mut shared.lock(), &params, false),
        "answercallbackquery" => answer_callback_query(&mut shared.lock(), &params),
        "setmycommands" => set_my_commands(&mut shared.lock(), &params),
        "setchatmenubutton" => {
            let button = p_json(&params, "menu_button");
            if let Some(b) = &button
                && b.get("type").and_then(Value::as_str) == Some("web_app")
            {
                let url = b
                    .pointer("/web_app/url")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !url.starts_with("https://") {
                    return error(
                        400,
                        "Bad Request: menu button Web App URL is invalid: Only HTTPS links are allowed",
                        None,
                    );
                }
            }
            shared.lock().menu_button = button;
            ok(json!(true))
        }
        "getmycommands" => {
            let st = shared.lock();
            let key = commands_key(&params);
            let list = st.commands.get(&key).map_or_else(Vec::new, |set| {
                set.commands
                    .iter()
                    .map(|(c, d)| json!({"command": c, "description": d}))
                    .collect()
            });
            ok(Value::Array(list))
        }
        "deletemycommands" => {
            shared.lock().commands.remove(&commands_key(&params));
            ok(json!(true))
        }
        "setwebhook" => set_webhook(shared, &params),
        "deletewebhook" => {
            let mut st = shared.lock();
            let existed = st.webhook.take().is_some();
            if p_bool(&params, "drop_pending_updates") {
                st.confirm_all();
            }
            let description = if existed {
                "Webhook was deleted"
            } else {
                "Webhook is already deleted"
            };
            ok_with_description(json!(true), description)
        }
        "getwebhookinfo" => {
            let st = shared.lock();
            let mut info = json!({
                "url": st.webhook.as_ref().map_or("", |w| w.url.as_str()),
                "has_custom_certificate": false,
                "pending_update_count": st.pending.len(),
            });
            if let Some(w) = &st.webhook {
                if let Some(max) = w.max_connections {
                    info["max_connections"] = json!(max);
                }
                if let Some(allowed) = &w.allowed_updates {
                    info["allowed_updates"] = allowed.clone();
                }
            }
            ok(info)
        }
        "sendchataction" => ok(json!(true)),
        "deletemessage" => {
            let mut st = shared.lock();
            let key = (
                p_i64(&params, "chat_id").unwrap_or(0),
                p_i64(&params, "message_id").unwrap_or(0),
            );
            match st.messages.remove(&key) {
                Some(_) => ok(json!(true)),
                None => error(400, "Bad Request: message to delete not found", None),
            }
        }
        _ => {
            shared.lock().unknown_methods.push(method.to_owned());
            error(404, "Not Found: method not found", None)
        }
    }
}

pub(super) async fn get_updates(shared: &Arc<Shared>, params: &Value) -> Response {
    let offset = p_i64(params, "offset");
    let limit_param = p_i64(params, "limit");
    let timeout_param = p_i64(params, "timeout");
    let allowed = p_json(params, "allowed_updates");
    let limit = usize::try_from(limit_param.unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let timeout = Duration::from_secs(timeout_param.unwrap_or(0).clamp(0, 3600).unsigned_abs());
    let deadline = tokio::time::Instant::now() + timeout;

    let my_generation = {
        let mut st = shared.lock();
        let mut call = GetUpdatesCall {
            offset,
            limit: limit_param,
            timeout: timeout_param,
            allowed_updates: allowed.clone(),
            max_delivered_before: st.max_delivered,
            confirmed: Vec::new(),
            error_status: None,
            at: Instant::now(),
        };
        if st.fail_get_updates.take() {
            let status = st.fail_get_updates.status;
            call.error_status = Some(status);
            st.get_updates_log.push(call);
            return error(status, &status_description(status), None);
        }
        if st.webhook.is_some() {
            call.error_status = Some(409);
            st.get_updates_log.push(call);
            return error(409, CONFLICT_WEBHOOK, None);
        }
        if let Some(Value::Array(list)) = &allowed {
            st.allowed_updates = if list.is_empty() {
                None
            } else {
                Some(
                    list.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                )
            };
        }
        call.confirmed = st.apply_offset(offset);
        st.get_updates_log.push(call);
        st.poll_generation += 1;
        st.poll_generation
    };
    // Terminates an older long poll, as Telegram does.
    shared.updates.notify_waiters();
    shared.bump();

    let min_id = offset.filter(|o| *o > 0).unwrap_or(i64::MIN);
    let mut shutdown = shared.shutdown.subscribe();
    loop {
        let notified = shared.updates.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut st = shared.lock();
            if st.poll_generation != my_generation {
                return error(409, CONFLICT_TERMINATED, None);
            }
            let batch: Vec<&StoredUpdate> = st
                .pending
                .iter()
                .filter(|u| u.id >= min_id)
                .take(limit)
                .collect();
            if !batch.is_empty() || tokio::time::Instant::now() >= deadline || *shutdown.borrow() {
                let mut body = String::with_capacity(
                    32 + batch.iter().map(|u| u.json.len() + 1).sum::<usize>(),
                );
                body.push_str(r#"{"ok":true,"result":["#);
                for (i, u) in batch.iter().enumerate() {
                    if i > 0 {
                        body.push(',');
                    }
                    body.push_str(&u.json);
                }
                body.push_str("]}");
                let last = batch.last().map(|u| u.id);
                if let Some(last) = last {
                    st.max_delivered = Some(st.max_delivered.map_or(last, |m| m.max(last)));
                }
                return json_response(200, body);
            }
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline) => {}
            _ = shutdown.wait_for(|v| *v) => {}
        }
    }
}

pub(super) async fn send_message(shared: &Arc<Shared>, params: &Value) -> Response {
    let (response, delay) = {
        let mut st = shared.lock();
        send_message_locked(&mut st, params)
    };
    if let Some(delay) = delay {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = shared.wait_shutdown() => {}
        }
    }
    response
}

pub(super) fn send_message_locked(st: &mut St, params: &Value) -> (Response, Option<Duration>) {
    let now = Instant::now();
    let chat_id = match chat_id_param(params) {
        Ok(chat_id) => chat_id,
        Err(failure) => return (failure.into(), None),
    };
    let text = p_str(params, "text").unwrap_or_default();

    if let Some(&(at, retry_after)) = st.rate_limited.get(&chat_id)
        && now < at + retry_after
    {
        st.early_retries.push(EarlyRetry {
            chat_id,
            at: now,
            rate_limited_at: at,
            retry_after,
        });
    }

    let outcome = accept_message(st, params, chat_id, &text, now);
    let status = match &outcome {
        Ok(_) => 200,
        Err(failure) => failure.status,
    };
    st.attempts.push(SendAttempt {
        chat_id,
        text,
        at: now,
        status,
    });
    match outcome {
        Ok(message) => {
            let delay = st.hang_sends.take().then_some(st.hang_sends.delay);
            (ok(message), delay)
        }
        Err(failure) => (failure.into(), None),
    }
}

pub(super) fn accept_message(
    st: &mut St,
    params: &Value,
    chat_id: i64,
    text: &str,
    now: Instant,
) -> Result<Value, Failure> {
    if st.fail_sends.take() {
        let status = st.fail_sends.status;
        if st.fail_sends.html {
            return Err(html_failure(status));
        }
        return Err(failure(status, &status_description(status), None));
    }
    if let Some((p429, p5xx, seed)) = st.storm {
        // xorshift64: a storm that is the same on every run.
        let mut x = seed;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        st.storm = Some((p429, p5xx, x));
        let roll = (x % 100) as u32;
        if roll < p5xx {
            return Err(html_failure(502));
        }
        if roll < p5xx + p429 {
            st.rate_limited
                .insert(chat_id, (now, Duration::from_secs(1)));
            return Err(failure(
                429,
                "Too Many Requests: retry after 1",
                Some(json!({"retry_after": 1})),
            ));
        }
    }
    if let Some(&to) = st.migrated.get(&chat_id) {
        return Err(failure(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            Some(json!({"migrate_to_chat_id": to})),
        ));
    }
    if st.rate_limit_sends.take() {
        let retry_after = st.rate_limit_sends.retry_after;
        st.rate_limited
            .insert(chat_id, (now, Duration::from_secs(u64::from(retry_after))));
        return Err(failure(
            429,
            &format!("Too Many Requests: retry after {retry_after}"),
            Some(json!({"retry_after": retry_after})),
        ));
    }
    if st.blocked.contains(&chat_id) {
        return Err(failure(403, "Forbidden: bot was blocked by the user", None));
    }

    let parse_mode = p_str(params, "parse_mode");
    let plain = message_text(text, parse_mode.as_deref())?;
    if plain.encode_utf16().count() > st.max_message_units {
        return Err(failure(400, "Bad Request: message is too long", None));
    }
    let reply_markup = p_json(params, "reply_markup");
    check_markup(reply_markup.as_ref(), chat_id > 0)?;

    let reply_parameters = p_json(params, "reply_parameters");
    let reply_to = reply_parameters
        .as_ref()
        .and_then(|rp| p_i64(rp, "message_id"))
        .or_else(|| p_i64(params, "reply_to_message_id"));
    let allow_without_reply = reply_parameters
        .as_ref()
        .is_some_and(|rp| p_bool(rp, "allow_sending_without_reply"))
        || p_bool(params, "allow_sending_without_reply");
    let reply_to_message = match reply_to {
        Some(mid) => match st.messages.get(&(chat_id, mid)) {
            Some(stored) => {
                let mut original = stored.json.clone();
                if let Value::Object(m) = &mut original {
                    m.remove("reply_to_message");
                }
                Some(original)
            }
            None if allow_without_reply => None,
            None => {
                return Err(failure(
                    400,
                    "Bad Request: message to be replied not found",
                    None,
                ));
            }
        },
        None => None,
    };

    let message_id = st.next_mid(chat_id);
    let mut msg = base_message(message_id, bot_user_json(), chat_id, now_unix());
    msg.insert("text".into(), json!(plain));
    if let Some(original) = reply_to_message {
        msg.insert("reply_to_message".into(), original);
    }
    if let Some(markup) = inline_markup(reply_markup.as_ref()) {
        msg.insert("reply_markup".into(), markup);
    }
    let message = Value::Object(msg);
    st.messages.insert(
        (chat_id, message_id),
        StoredMsg {
            json: message.clone(),
            from_bot: true,
            source: Some((text.to_owned(), parse_mode.clone())),
        },
    );
    st.sent.push(Sent {
        chat_id,
        text: text.to_owned(),
        parse_mode,
        reply_markup,
        reply_to_message_id: reply_to,
        message_id,
        at: now,
        request: params.clone(),
    });
    Ok(message)
}

pub(super) fn edit_message(st: &mut St, params: &Value, with_text: bool) -> Response {
    let method = if with_text {
        "editMessageText"
    } else {
        "editMessageReplyMarkup"
    };
    let now = Instant::now();
    let text = p_str(params, "text");
    let parse_mode = p_str(params, "parse_mode");
    let reply_markup = p_json(params, "reply_markup");
    if let Err(failure) = check_markup(
        reply_markup.as_ref(),
        p_i64(params, "chat_id").unwrap_or(0) > 0,
    ) {
        return failure.into();
    }
    let plain = if with_text {
        let plain = match message_text(text.as_deref().unwrap_or(""), parse_mode.as_deref()) {
            Ok(plain) => plain,
            Err(failure) => return failure.into(),
        };
        if plain.encode_utf16().count() > st.max_message_units {
            return error(400, "Bad Request: MESSAGE_TOO_LONG", None);
        }
        Some(plain)
    } else {
        None
    };
    let mut edit = Edit {
        method,
        chat_id: None,
        message_id: None,
        inline_message_id: p_str(params, "inline_message_id"),
        text: text.clone(),
        parse_mode: parse_mode.clone(),
        reply_markup: reply_markup.clone(),
        at: now,
    };
    if edit.inline_message_id.is_some() {
        st.edits.push(edit);
        return ok(json!(true));
    }
    let chat_id = match chat_id_param(params) {
        Ok(chat_id) => chat_id,
        Err(failure) => return failure.into(),
    };
    let Some(message_id) = p_i64(params, "message_id") else {
        return error(
            400,
            "Bad Request: message identifier is not specified",
            None,
        );
    };
    let Some(stored) = st.messages.get_mut(&(chat_id, message_id)) else {
        return error(400, "Bad Request: message to edit not found", None);
    };
    if !stored.from_bot {
        return error(400, "Bad Request: message can't be edited", None);
    }
    let Value::Object(msg) = &mut stored.json else {
        return error(400, "Bad Request: message can't be edited", None);
    };
    let new_markup = inline_markup(reply_markup.as_ref());
    let same_markup = msg.get("reply_markup") == new_markup.as_ref();
    let same_text = match &plain {
        Some(plain) => {
            msg.get("text").and_then(Value::as_str) == Some(plain.as_str())
                && stored.source.as_ref().is_none_or(|(t, pm)| {
                    Some(t) == text.as_ref() && pm.as_deref() == parse_mode.as_deref()
                })
        }
        None => true,
    };
    if same_text && same_markup {
        return error(400, MESSAGE_NOT_MODIFIED, None);
    }
    if let Some(plain) = plain {
        msg.insert("text".into(), json!(plain));
        stored.source = Some((text.unwrap_or_default(), parse_mode));
    }
    match new_markup {
        Some(markup) => msg.insert("reply_markup".into(), markup),
        None => msg.remove("reply_markup"),
    };
    msg.insert("edit_date".into(), json!(now_unix()));
    let result = stored.json.clone();
    edit.chat_id = Some(chat_id);
    edit.message_id = Some(message_id);
    st.edits.push(edit);
    ok(result)
}

pub(super) fn answer_callback_query(st: &mut St, params: &Value) -> Response {
    let Some(id) = p_str(params, "callback_query_id") else {
        return error(400, "Bad Request: query_id is empty", None);
    };
    if !st.open_callbacks.remove(&id) {
        return error(400, INVALID_QUERY_ID, None);
    }
    st.callback_answers.push(CallbackAnswer {
        callback_query_id: id,
        text: p_str(params, "text"),
        show_alert: p_bool(params, "show_alert"),
        at: Instant::now(),
    });
    ok(json!(true))
}

pub(super) fn set_my_commands(st: &mut St, params: &Value) -> Response {
    let list = match p_json(params, "commands") {
        Some(Value::Array(list)) => list,
        _ => return error(400, "Bad Request: parameter \"commands\" is required", None),
    };
    let mut commands = Vec::with_capacity(list.len());
    for item in &list {
        let command = p_str(item, "command").unwrap_or_default();
        let description = p_str(item, "description").unwrap_or_default();
        let valid = (1..=32).contains(&command.chars().count())
            && command
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return error(400, "Bad Request: BOT_COMMAND_INVALID", None);
        }
        if description.trim().is_empty() {
            return error(
                400,
                "Bad Request: command description must be non-empty",
                None,
            );
        }
        commands.push((command, description));
    }
    let key = commands_key(params);
    let set = CommandSet {
        scope: p_json(params, "scope").unwrap_or_else(|| json!({"type": "default"})),
        language_code: Some(key.0.clone()).filter(|l| !l.is_empty()),
        commands,
    };
    if set.commands.is_empty() {
        st.commands.remove(&key);
    } else {
        st.commands.insert(key, set);
    }
    ok(json!(true))
}

pub(super) fn set_webhook(shared: &Arc<Shared>, params: &Value) -> Response {
    let url = p_str(params, "url").unwrap_or_default();
    let drop_pending_updates = p_bool(params, "drop_pending_updates");
    {
        let mut st = shared.lock();
        if drop_pending_updates {
            st.confirm_all();
        }
        if url.is_empty() {
            st.webhook = None;
        } else {
            let allowed_updates = p_json(params, "allowed_updates");
            if let Some(Value::Array(list)) = &allowed_updates {
                st.allowed_updates = if list.is_empty() {
                    None
                } else {
                    Some(
                        list.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect(),
                    )
                };
            }
            st.webhook = Some(WebhookConfig {
                url,
                secret_token: p_str(params, "secret_token"),
                allowed_updates,
                max_connections: p_i64(params, "max_connections"),
                drop_pending_updates,
            });
        }
    }
    ok_with_description(json!(true), "Webhook was set")
}

/// `sendPhoto` / `sendDocument` as Telegram checks them: the file uploaded
/// as multipart under `photo` / `document`, a caption of at most 1024
/// UTF-16 units after entity parsing (HTML parse mode rules as for text),
/// a photo that is an image Telegram can process (PNG or JPEG, sides
/// adding up to at most 10000 pixels, ratio at most 20).
pub(super) fn send_file(
    st: &mut St,
    method: &str,
    params: &Value,
    files: Vec<FilePart>,
) -> Response {
    let chat_id = match chat_id_param(params) {
        Ok(chat_id) => chat_id,
        Err(failure) => return failure.into(),
    };
    let (field, name) = if method == "sendphoto" {
        ("photo", "sendPhoto")
    } else {
        ("document", "sendDocument")
    };
    let Some(file) = files.into_iter().find(|f| f.field == field) else {
        return error(
            400,
            &format!("Bad Request: there is no {field} in the request"),
            None,
        );
    };
    if file.bytes.is_empty() {
        return error(400, "Bad Request: file must be non-empty", None);
    }
    if field == "photo" {
        let png = file.bytes.starts_with(b"\x89PNG\r\n\x1a\n") && file.bytes.len() >= 24;
        let jpeg = file.bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
        if !png && !jpeg {
            return error(400, "Bad Request: IMAGE_PROCESS_FAILED", None);
        }
        if png {
            let w = u32::from_be_bytes([
                file.bytes[16],
                file.bytes[17],
                file.bytes[18],
                file.bytes[19],
            ]);
            let h = u32::from_be_bytes([
                file.bytes[20],
                file.bytes[21],
                file.bytes[22],
                file.bytes[23],
            ]);
            if w == 0 || h == 0 || w + h > 10_000 || w.max(h) > 20 * w.min(h) {
                return error(400, "Bad Request: PHOTO_INVALID_DIMENSIONS", None);
            }
        }
    }
    if st.blocked.contains(&chat_id) {
        return error(403, "Forbidden: bot was blocked by the user", None);
    }
    let caption = p_str(params, "caption").unwrap_or_default();
    let parse_mode = p_str(params, "parse_mode");
    let plain = match message_text(&caption, parse_mode.as_deref()) {
        Ok(plain) => plain,
        Err(failure) => return failure.into(),
    };
    if plain.encode_utf16().count() > 1024 {
        return error(400, "Bad Request: message caption is too long", None);
    }
    let reply_to = p_json(params, "reply_parameters")
        .as_ref()
        .and_then(|rp| p_i64(rp, "message_id"))
        .or_else(|| p_i64(params, "reply_to_message_id"));
    let message_id = st.next_mid(chat_id);
    let mut msg = base_message(message_id, bot_user_json(), chat_id, now_unix());
    msg.insert("caption".into(), json!(plain));
    msg.insert(
        field.into(),
        json!({"file_name": file.file_name, "file_size": file.bytes.len()}),
    );
    let message = Value::Object(msg);
    st.messages.insert(
        (chat_id, message_id),
        StoredMsg {
            json: message.clone(),
            from_bot: true,
            source: None,
        },
    );
    st.files.push(SentFile {
        chat_id,
        method: name.to_owned(),
        caption,
        parse_mode,
        file_name: file.file_name,
        bytes: file.bytes,
        reply_to_message_id: reply_to,
        message_id,
    });
    ok(message)
}
