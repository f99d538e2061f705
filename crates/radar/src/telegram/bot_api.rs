//! The Bot API calls whose HTTP outcome decides what happens next: sending
//! and editing replies (the outbox) and `getUpdates` (receipt). teloxide's
//! request layer turns a 5xx with an HTML body (nginx's "502 Bad Gateway"
//! page) into an unreadable-JSON error after sleeping 10 s inside the
//! request; here every answer is classified from its status code and body
//! (<https://core.telegram.org/bots/api#making-requests>) and the caller
//! schedules any retry itself.

use serde::Serialize;
use serde_json::Value;
use teloxide::Bot;

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// 429 Too Many Requests: not applied; wait `retry_after` seconds.
    #[error("429: retry after {0} s")]
    RetryAfter(u64),
    /// Any HTTP 5xx, whatever its body: not applied; retry with backoff.
    #[error("server error {status}: {description}")]
    Server { status: u16, description: String },
    /// The group became a supergroup: the chat now has this id.
    #[error("the group is now the supergroup {0}")]
    Migrated(i64),
    /// Refused for good (4xx): Telegram's code and description.
    #[error("refused by Telegram ({code}): {description}")]
    Refused { code: u16, description: String },
    /// The request never reached Telegram (DNS, refused connection).
    #[error("cannot connect: {0}")]
    NotSent(String),
    /// The request may have reached Telegram (a timeout, a connection lost
    /// mid-answer, an unreadable success): the effect is unknown.
    #[error("ambiguous: {0}")]
    Ambiguous(String),
}

impl CallError {
    /// A refusal whose description contains `text` (Telegram's descriptions
    /// are the only way to tell some 400s apart, e.g. "message is too long").
    pub fn refused_with(&self, text: &str) -> bool {
        matches!(self, CallError::Refused { description, .. }
            if description.to_ascii_lowercase().contains(text))
    }
}

/// Calls `method` (named as teloxide names it, `SendMessage`: Telegram
/// matches method names case-insensitively) with `params` as JSON; returns
/// the `result` value.
pub async fn call<P: Serialize + ?Sized>(
    bot: &Bot,
    method: &str,
    params: &P,
) -> Result<Value, CallError> {
    let url = method_url(bot, method);
    let body = serde_json::to_vec(params).map_err(|e| CallError::Refused {
        code: 0,
        description: format!("cannot encode the request: {e}"),
    })?;
    let sent = bot
        .client()
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    answer(sent).await
}

/// What an answer with `status` and `body` means.
pub fn classify(status: u16, body: &[u8]) -> Result<Value, CallError> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let description = json
        .as_ref()
        .and_then(|j| j.get("description"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| snippet(body));
    let parameter = |name: &str| {
        json.as_ref()
            .and_then(|j| j.pointer(&format!("/parameters/{name}")))
            .and_then(Value::as_i64)
    };
    if let Some(new_chat) = parameter("migrate_to_chat_id") {
        return Err(CallError::Migrated(new_chat));
    }
    if status == 429 || parameter("retry_after").is_some() {
        let secs = parameter("retry_after").unwrap_or(1).max(0) as u64;
        return Err(CallError::RetryAfter(secs));
    }
    if status >= 500 {
        return Err(CallError::Server {
            status,
            description,
        });
    }
    match json {
        Some(j) if j.get("ok").and_then(Value::as_bool) == Some(true) => {
            Ok(j.get("result").cloned().unwrap_or(Value::Null))
        }
        Some(j) => {
            let code = j
                .get("error_code")
                .and_then(Value::as_u64)
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(status);
            if code >= 500 {
                return Err(CallError::Server {
                    status: code,
                    description,
                });
            }
            Err(CallError::Refused { code, description })
        }
        // A success whose body cannot be read: it may have been applied.
        None if (200..300).contains(&status) => Err(CallError::Ambiguous(format!(
            "unreadable answer to a {status}: {description}"
        ))),
        None => Err(CallError::Refused {
            code: status,
            description,
        }),
    }
}

/// A file sent with a call (`sendPhoto`'s `photo`, `sendDocument`'s `document`).
pub struct Upload<'a> {
    /// The form field that carries the file.
    pub field: &'a str,
    pub file_name: &'a str,
    pub mime: &'a str,
    pub bytes: &'a [u8],
}

/// Calls `method` with `params` and one file as `multipart/form-data`
/// (Telegram's way to upload a file): each parameter a text field (objects
/// as JSON), the file a part with its name. Classified like [`call`].
pub async fn call_with_file(
    bot: &Bot,
    method: &str,
    params: &serde_json::Map<String, Value>,
    file: Upload<'_>,
) -> Result<Value, CallError> {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in params {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        form = form.text(k.clone(), text);
    }
    let part = reqwest::multipart::Part::bytes(file.bytes.to_vec())
        .file_name(file.file_name.to_string())
        .mime_str(file.mime)
        .map_err(|e| CallError::Refused {
            code: 0,
            description: without_token(e),
        })?;
    form = form.part(file.field.to_string(), part);
    let sent = bot
        .client()
        .post(method_url(bot, method))
        .multipart(form)
        .send()
        .await;
    answer(sent).await
}

/// What a request's outcome means: not sent (a refused connection), maybe
/// sent (an ambiguous failure), or Telegram's answer, classified.
async fn answer(sent: reqwest::Result<reqwest::Response>) -> Result<Value, CallError> {
    let response = match sent {
        Ok(r) => r,
        Err(e) if e.is_connect() => return Err(CallError::NotSent(without_token(e))),
        Err(e) if e.is_builder() => {
            return Err(CallError::Refused {
                code: 0,
                description: without_token(e),
            });
        }
        Err(e) => return Err(CallError::Ambiguous(without_token(e))),
    };
    let status = response.status().as_u16();
    let body = match response.bytes().await {
        Ok(b) => b,
        Err(e) if status >= 500 => {
            return Err(CallError::Server {
                status,
                description: without_token(e),
            });
        }
        Err(e) => return Err(CallError::Ambiguous(without_token(e))),
    };
    classify(status, &body)
}

fn method_url(bot: &Bot, method: &str) -> reqwest::Url {
    let mut url = bot.api_url();
    let base = url.path().trim_end_matches('/').to_string();
    url.set_path(&format!("{base}/bot{}/{method}", bot.token()));
    url
}

/// An error's text without the URL (which carries the token).
fn without_token(e: reqwest::Error) -> String {
    e.without_url().to_string()
}

/// The first characters of a non-JSON body, on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified_by_status_and_body() {
        let html = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        assert!(matches!(
            classify(502, html),
            Err(CallError::Server { status: 502, .. })
        ));
        assert!(matches!(
            classify(
                500,
                br#"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#
            ),
            Err(CallError::Server { status: 500, .. })
        ));
        assert_eq!(
            classify(
                429,
                br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#
            ),
            Err(CallError::RetryAfter(7))
        );
        assert_eq!(
            classify(
                400,
                br#"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234}}"#
            ),
            Err(CallError::Migrated(-1001234))
        );
        let too_long = classify(
            400,
            br#"{"ok":false,"error_code":400,"description":"Bad Request: message is too long"}"#,
        )
        .unwrap_err();
        assert!(too_long.refused_with("message is too long"));
        assert!(matches!(
            classify(403, br#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#),
            Err(CallError::Refused { code: 403, .. })
        ));
        assert_eq!(
            classify(200, br#"{"ok":true,"result":{"message_id":5}}"#).unwrap()["message_id"],
            5
        );
        assert!(matches!(
            classify(200, b"<html>"),
            Err(CallError::Ambiguous(_))
        ));
    }
}
