//! The wire format: JSON building and request parsing.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::*;

pub(super) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

pub(super) fn single(key: &str, value: Value) -> Map<String, Value> {
    let mut map = Map::with_capacity(1);
    map.insert(key.to_owned(), value);
    map
}

pub(super) fn bot_user_json() -> Value {
    json!({"id": BOT_USER_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME})
}

pub(super) fn user_json(user_id: i64, language_code: Option<&str>) -> Value {
    let mut user = json!({
        "id": user_id,
        "is_bot": false,
        "first_name": format!("User {user_id}"),
        "username": format!("user{user_id}"),
    });
    if let Some(lang) = language_code {
        user["language_code"] = json!(lang);
    }
    user
}

/// A private chat for positive ids, a supergroup for `-100…` ids, a group
/// otherwise.
pub(super) fn chat_json(chat_id: i64) -> Value {
    if chat_id > 0 {
        json!({"id": chat_id, "type": "private", "first_name": format!("User {chat_id}"),
               "username": format!("user{chat_id}")})
    } else if chat_id <= -1_000_000_000_000 {
        json!({"id": chat_id, "type": "supergroup", "title": format!("Supergroup {chat_id}")})
    } else {
        json!({"id": chat_id, "type": "group", "title": format!("Group {chat_id}")})
    }
}

pub(super) fn chat_instance(chat_id: i64) -> String {
    (-(5_000_000_000_000_000_000i128 + i128::from(chat_id))).to_string()
}

pub(super) fn base_message(
    message_id: i64,
    from: Value,
    chat_id: i64,
    date: i64,
) -> Map<String, Value> {
    let mut msg = Map::with_capacity(8);
    msg.insert("message_id".into(), json!(message_id));
    msg.insert("from".into(), from);
    msg.insert("chat".into(), chat_json(chat_id));
    msg.insert("date".into(), json!(date));
    msg
}

/// Sets `text` and, for a leading `/command`, the `bot_command` entity
/// Telegram adds (offsets in UTF-16 code units).
pub(super) fn set_text(msg: &mut Map<String, Value>, text: &str) {
    msg.insert("text".into(), json!(text));
    if let Some(entity) = command_entity(text) {
        msg.insert("entities".into(), json!([entity]));
    }
}

pub(super) fn command_entity(text: &str) -> Option<Value> {
    let command = text.strip_prefix('/')?.split(char::is_whitespace).next()?;
    if command.is_empty() {
        return None;
    }
    let length = 1 + command.encode_utf16().count();
    Some(json!({"type": "bot_command", "offset": 0, "length": length}))
}

pub(super) fn json_response(status: u16, body: String) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

pub(super) fn ok(result: Value) -> Response {
    json_response(200, json!({"ok": true, "result": result}).to_string())
}

pub(super) fn ok_with_description(result: Value, description: &str) -> Response {
    json_response(
        200,
        json!({"ok": true, "result": result, "description": description}).to_string(),
    )
}

/// A Bot API error answer, before it becomes a response.
pub(super) struct Failure {
    pub(super) status: u16,
    pub(super) description: String,
    pub(super) parameters: Option<Value>,
    /// The body is a proxy's HTML error page, as Telegram's front end sends
    /// for some 5xx, not the Bot API's JSON.
    pub(super) html: bool,
}

pub(super) fn failure(status: u16, description: &str, parameters: Option<Value>) -> Failure {
    Failure {
        status,
        description: description.to_owned(),
        parameters,
        html: false,
    }
}

/// A 5xx answered by the front-end proxy with its HTML page.
pub(super) fn html_failure(status: u16) -> Failure {
    Failure {
        html: true,
        ..failure(status, &status_description(status), None)
    }
}

impl From<Failure> for Response {
    fn from(f: Failure) -> Response {
        if f.html {
            let reason = status_description(f.status);
            let page = format!(
                "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n",
                code = f.status
            );
            return Response::builder()
                .status(StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_GATEWAY))
                .header(header::CONTENT_TYPE, "text/html")
                .body(Body::from(page))
                .unwrap_or_default();
        }
        error(f.status, &f.description, f.parameters)
    }
}

pub(super) fn error(status: u16, description: &str, parameters: Option<Value>) -> Response {
    let mut body = json!({"ok": false, "error_code": status, "description": description});
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    json_response(status, body.to_string())
}

pub(super) fn status_description(status: u16) -> String {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
        .to_owned()
}

// ----- request parsing ----------------------------------------------------

/// `/bot<token>/<method>` → `<method>`.
pub(super) fn method_from_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/bot")?;
    let (token, method) = rest.split_once('/')?;
    if token.is_empty() || method.is_empty() || method.contains('/') {
        return None;
    }
    Some(method)
}

pub(super) fn parse_params(
    headers: &HeaderMap,
    body: &[u8],
    query: Option<&str>,
) -> Result<Value, String> {
    let mut map = Map::new();
    if let Some(query) = query {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            map.insert(k.into_owned(), form_value(&v));
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let lower = content_type.to_ascii_lowercase();
    if body.iter().all(u8::is_ascii_whitespace) {
        // No body parameters.
    } else if lower.starts_with("multipart/form-data") {
        let boundary = content_type
            .split(';')
            .filter_map(|part| part.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
            .map(|(_, v)| v.trim().trim_matches('"').to_owned())
            .ok_or_else(|| "Bad Request: multipart boundary is missing".to_owned())?;
        parse_multipart(body, &boundary, &mut map);
    } else if lower.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            map.insert(k.into_owned(), form_value(&v));
        }
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => map.extend(object),
            _ => return Err("Bad Request: can't parse JSON object".to_owned()),
        }
    }
    Ok(Value::Object(map))
}

/// Form values are strings; JSON-serialized objects and arrays (how teloxide
/// sends nested fields in multipart) are decoded.
pub(super) fn form_value(raw: &str) -> Value {
    let t = raw.trim_start();
    if (t.starts_with('[') || t.starts_with('{'))
        && let Ok(value) = serde_json::from_str::<Value>(raw)
    {
        return value;
    }
    Value::String(raw.to_owned())
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One part of a multipart body: its field name, file name (for a file)
/// and content.
struct Part<'a> {
    name: String,
    filename: Option<String>,
    content: &'a [u8],
}

/// The named parts of a multipart body with `boundary` (RFC 7578).
fn multipart_parts<'a>(body: &'a [u8], boundary: &str) -> Vec<Part<'a>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut out = Vec::new();
    let Some(first) = find(body, delimiter) else {
        return out;
    };
    let mut rest = &body[first + delimiter.len()..];
    while !rest.starts_with(b"--") {
        let Some(end) = find(rest, delimiter) else {
            break;
        };
        let part = &rest[..end];
        rest = &rest[end + delimiter.len()..];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let Some(split) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let (mut name, mut filename) = (None, None);
        for line in head.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            for param in value.split(';').filter_map(|p| p.trim().split_once('=')) {
                let v = param.1.trim().trim_matches('"').to_owned();
                match param.0.trim() {
                    "name" => name = Some(v),
                    "filename" => filename = Some(v),
                    _ => {}
                }
            }
        }
        if let Some(name) = name {
            out.push(Part {
                name,
                filename,
                content: &part[split + 4..],
            });
        }
    }
    out
}

pub(super) fn parse_multipart(body: &[u8], boundary: &str, map: &mut Map<String, Value>) {
    for p in multipart_parts(body, boundary) {
        let value = match p.filename {
            Some(filename) => json!(format!("<file {filename}: {} bytes>", p.content.len())),
            None => form_value(&String::from_utf8_lossy(p.content)),
        };
        map.insert(p.name, value);
    }
}

pub(super) fn p_i64(params: &Value, key: &str) -> Option<i64> {
    match params.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn p_str(params: &Value, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn p_bool(params: &Value, key: &str) -> bool {
    match params.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// A structured parameter, accepting it JSON-serialized in a string too (as
/// Telegram does).
pub(super) fn p_json(params: &Value, key: &str) -> Option<Value> {
    match params.get(key)? {
        Value::Null => None,
        Value::String(s) => serde_json::from_str(s).ok(),
        other => Some(other.clone()),
    }
}

pub(super) fn chat_id_param(params: &Value) -> Result<i64, Failure> {
    match params.get("chat_id") {
        None | Some(Value::Null) => Err(failure(400, "Bad Request: chat_id is empty", None)),
        Some(_) => p_i64(params, "chat_id")
            .ok_or_else(|| failure(400, "Bad Request: chat not found", None)),
    }
}

pub(super) fn commands_key(params: &Value) -> (String, String) {
    let scope = p_json(params, "scope").unwrap_or_else(|| json!({"type": "default"}));
    (
        p_str(params, "language_code").unwrap_or_default(),
        scope.to_string(),
    )
}

/// A file part of a `multipart/form-data` body.
pub(super) struct FilePart {
    pub(super) field: String,
    pub(super) file_name: String,
    pub(super) bytes: Vec<u8>,
}

/// The file parts of a multipart body (empty for any other body).
pub(super) fn multipart_files(headers: &HeaderMap, body: &[u8]) -> Vec<FilePart> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(boundary) = content_type
        .split(';')
        .filter_map(|part| part.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
    else {
        return Vec::new();
    };
    multipart_parts(body, &boundary)
        .into_iter()
        .filter_map(|p| {
            Some(FilePart {
                field: p.name,
                file_name: p.filename?,
                bytes: p.content.to_vec(),
            })
        })
        .collect()
}
