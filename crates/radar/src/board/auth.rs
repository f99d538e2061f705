//! Who is calling the board: Telegram's Mini App `initData`, checked exactly
//! as <https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app>
//! says. The page sends it as `Authorization: tma <initData>`.
//!
//! - the data-check-string is every field but `hash`, as `key=value`
//!   (values URL-decoded), sorted by key, joined with `\n`;
//! - the secret key is `HMAC_SHA256(key = "WebAppData", message = bot token)`;
//! - `hash` must be the hex of `HMAC_SHA256(key = secret, message = data-check-string)`,
//!   compared in constant time (`Mac::verify_slice`);
//! - `auth_date` (Unix seconds) must be at most `RADAR_APP_MAX_AGE` old
//!   (default a day), and not in the future beyond a minute of clock skew.
//!
//! Changing any field (the user id, the date) changes the data-check-string,
//! so a replayed initData with a field changed fails the signature.

use std::collections::BTreeMap;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The key initData is signed with, derived from the bot token. The token
/// itself is not kept by the board.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub fn from_token(token: &str) -> SecretKey {
        let mut mac = HmacSha256::new_from_slice(b"WebAppData").expect("HMAC takes any key length");
        mac.update(token.as_bytes());
        SecretKey(mac.finalize().into_bytes().into())
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length")
    }

    /// initData as Telegram gives it to the page: the fields, URL-encoded,
    /// and their `hash` (tests and local tries sign with it).
    pub fn init_data(&self, fields: &[(&str, &str)]) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            s.append_pair(k, v);
        }
        s.append_pair("hash", &self.sign(fields));
        s.finish()
    }

    /// The `hash` Telegram would put on these fields (tests sign with it).
    pub fn sign(&self, fields: &[(&str, &str)]) -> String {
        let sorted: BTreeMap<&str, &str> = fields.iter().copied().collect();
        let mut mac = self.mac();
        mac.update(check_string(&sorted).as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppUser {
    pub id: i64,
    /// The Telegram client's `language_code`.
    pub language_code: Option<String>,
}

/// Why initData was refused (each is a 401; the page shows "not authorized").
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("no initData (expected the header `Authorization: tma <initData>`)")]
    Missing,
    #[error("initData is malformed: {0}")]
    Malformed(&'static str),
    #[error("initData's signature does not match")]
    BadSignature,
    #[error("initData is too old (auth_date {age} s ago)")]
    Stale { age: i64 },
    #[error("initData's auth_date is in the future")]
    Future,
}

fn check_string(fields: &BTreeMap<&str, &str>) -> String {
    fields
        .iter()
        .filter(|(k, _)| **k != "hash")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks `init_data` (the query string Telegram gives the page) and returns
/// its user. `now` is Unix seconds.
pub fn verify(
    init_data: &str,
    key: &SecretKey,
    now: i64,
    max_age: Duration,
) -> Result<AppUser, AuthError> {
    if init_data.trim().is_empty() {
        return Err(AuthError::Missing);
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(init_data.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
    for (k, v) in &pairs {
        if fields.insert(k, v).is_some() {
            return Err(AuthError::Malformed("a field appears twice"));
        }
    }
    let hash = fields.get("hash").ok_or(AuthError::Malformed("no hash"))?;
    let hash = hex::decode(hash).map_err(|_| AuthError::Malformed("hash is not hex"))?;
    let mut mac = key.mac();
    mac.update(check_string(&fields).as_bytes());
    mac.verify_slice(&hash)
        .map_err(|_| AuthError::BadSignature)?;

    // Signed by Telegram from here on: only now are the fields trusted.
    let auth_date: i64 = fields
        .get("auth_date")
        .and_then(|d| d.parse().ok())
        .ok_or(AuthError::Malformed("no auth_date"))?;
    let age = now - auth_date;
    if age < -60 {
        return Err(AuthError::Future);
    }
    if age > max_age.as_secs() as i64 {
        return Err(AuthError::Stale { age });
    }
    let user: serde_json::Value = fields
        .get("user")
        .and_then(|u| serde_json::from_str(u).ok())
        .ok_or(AuthError::Malformed("no user"))?;
    let id = user
        .get("id")
        .and_then(serde_json::Value::as_i64)
        .ok_or(AuthError::Malformed("no user id"))?;
    Ok(AppUser {
        id,
        language_code: user
            .get("language_code")
            .and_then(|l| l.as_str())
            .map(String::from),
    })
}

/// `Authorization: tma <initData>` → the initData.
pub fn from_header(value: Option<&str>) -> Result<&str, AuthError> {
    let v = value.ok_or(AuthError::Missing)?;
    let (scheme, rest) = v.split_once(' ').ok_or(AuthError::Missing)?;
    if !scheme.eq_ignore_ascii_case("tma") {
        return Err(AuthError::Missing);
    }
    Ok(rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:TEST-token";
    const DAY: Duration = Duration::from_secs(86_400);

    fn signed(fields: &[(&str, &str)]) -> String {
        SecretKey::from_token(TOKEN).init_data(fields)
    }

    const USER: &str = r#"{"id":1001,"first_name":"Ann","language_code":"ru"}"#;

    #[test]
    fn a_signed_init_data_gives_its_user() {
        let data = signed(&[("auth_date", "1000"), ("query_id", "AAH"), ("user", USER)]);
        let key = SecretKey::from_token(TOKEN);
        assert_eq!(
            verify(&data, &key, 1000 + 60, DAY),
            Ok(AppUser {
                id: 1001,
                language_code: Some("ru".into())
            })
        );
    }

    /// Telegram's documented example shape, checked against a hash computed
    /// independently (Python's hmac, from the steps in Telegram's docs).
    #[test]
    fn matches_an_independent_implementation() {
        let key = SecretKey::from_token("7342037359:AAHI25ES9xCOMPrrsD3pd5dqlEOvHRW_xNs");
        let fields = [
            ("auth_date", "1733584787"),
            ("query_id", "AAGcqlFKAAAAAJyqUUp6"),
            (
                "user",
                r#"{"id":1246866076,"first_name":"Dante","language_code":"en"}"#,
            ),
        ];
        assert_eq!(
            key.sign(&fields),
            "815612086bf1462bda5ed369b5d5061d0a5b19bb2c22067930fc3e5f4d4ccfef"
        );
    }

    #[test]
    fn forged_changed_stale_and_missing_are_refused() {
        let key = SecretKey::from_token(TOKEN);
        let good = signed(&[("auth_date", "1000"), ("user", USER)]);
        // Another bot's token.
        let other = SecretKey::from_token("999:other");
        assert_eq!(
            verify(&good, &other, 1000, DAY),
            Err(AuthError::BadSignature)
        );
        // A field changed after signing: another user id.
        let changed = good.replace("1001", "1002");
        assert_eq!(
            verify(&changed, &key, 1000, DAY),
            Err(AuthError::BadSignature)
        );
        // A field added after signing.
        let added = format!("{good}&start_param=x");
        assert_eq!(
            verify(&added, &key, 1000, DAY),
            Err(AuthError::BadSignature)
        );
        // Too old, or from the future.
        assert_eq!(
            verify(&good, &key, 1000 + 86_401, DAY),
            Err(AuthError::Stale { age: 86_401 })
        );
        assert_eq!(
            verify(&good, &key, 1000 - 3600, DAY),
            Err(AuthError::Future)
        );
        // No hash, a bad hash, nothing at all.
        let no_hash = good.split("&hash=").next().unwrap().to_string();
        assert_eq!(
            verify(&no_hash, &key, 1000, DAY),
            Err(AuthError::Malformed("no hash"))
        );
        assert_eq!(
            verify(&format!("{no_hash}&hash=zz"), &key, 1000, DAY),
            Err(AuthError::Malformed("hash is not hex"))
        );
        assert_eq!(verify("", &key, 1000, DAY), Err(AuthError::Missing));
        // A duplicated field cannot smuggle a second value past the check.
        let dup = format!("user=%7B%22id%22%3A1%7D&{good}");
        assert!(verify(&dup, &key, 1000, DAY).is_err());
    }

    #[test]
    fn the_header_scheme_is_tma() {
        assert_eq!(from_header(Some("tma a=b")), Ok("a=b"));
        assert_eq!(from_header(Some("Bearer a=b")), Err(AuthError::Missing));
        assert_eq!(from_header(None), Err(AuthError::Missing));
    }
}
