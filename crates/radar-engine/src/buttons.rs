//! Button data (`callback_data`): one typed encoding and one strict
//! decoding. The client sends the data back and is never trusted: anything
//! that is not exactly what Radar writes is an outdated button.
//!
//! | action | data |
//! |---|---|
//! | set a feature's status | `st:<feature id>:<status code>` |
//! | switch project | `use:<project id>` |
//! | confirm a delete | `del:<feature id>` |
//! | cancel | `nop` |
//! | run an offered command | `do:<offer id>` |

use radar_store::{FeatureId, FeatureStatus, OfferId, ProjectId};

use crate::status::{StatusWords, from_code};

/// What a button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonAction {
    SetStatus {
        feature: FeatureId,
        status: FeatureStatus,
    },
    UseProject(ProjectId),
    Delete(FeatureId),
    Dismiss,
    Offer(OfferId),
}

/// Telegram's limit on `callback_data`, in bytes.
pub const MAX_DATA_BYTES: usize = 64;

impl ButtonAction {
    pub fn encode(&self) -> String {
        match self {
            ButtonAction::SetStatus { feature, status } => {
                format!("st:{feature}:{}", status.code())
            }
            ButtonAction::UseProject(p) => format!("use:{p}"),
            ButtonAction::Delete(f) => format!("del:{f}"),
            ButtonAction::Dismiss => "nop".into(),
            ButtonAction::Offer(o) => format!("do:{o}"),
        }
    }

    /// The action `data` encodes, or `None` for anything Radar does not write.
    pub fn decode(data: &str) -> Option<ButtonAction> {
        if data.len() > MAX_DATA_BYTES {
            return None;
        }
        let parts: Vec<&str> = data.split(':').collect();
        Some(match parts.as_slice() {
            ["st", id, code] => ButtonAction::SetStatus {
                feature: FeatureId(id_of(id)?),
                status: from_code(code)?,
            },
            ["use", id] => ButtonAction::UseProject(ProjectId(id_of(id)?)),
            ["del", id] => ButtonAction::Delete(FeatureId(id_of(id)?)),
            ["nop"] => ButtonAction::Dismiss,
            ["do", id] => ButtonAction::Offer(OfferId(id_of(id)?)),
            _ => return None,
        })
    }
}

/// A positive id written as Radar writes it: digits only, no sign, no
/// leading zero.
fn id_of(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for a in [
            ButtonAction::SetStatus {
                feature: FeatureId(12),
                status: FeatureStatus::InProgress,
            },
            ButtonAction::UseProject(ProjectId(3)),
            ButtonAction::Delete(FeatureId(9)),
            ButtonAction::Dismiss,
            ButtonAction::Offer(OfferId(77)),
        ] {
            assert_eq!(ButtonAction::decode(&a.encode()), Some(a));
            assert!(a.encode().len() <= MAX_DATA_BYTES);
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "st:+1:d",
            "st:1:d:x",
            "st:-1:d",
            "st:01:d",
            "st:1:zz",
            "st:1",
            "st::d",
            "use:",
            "use:1.0",
            "del:1 ",
            " del:1",
            "nop:",
            "do:abc",
            "drop table",
            "",
            "st:99999999999999999999:d",
        ] {
            assert_eq!(ButtonAction::decode(bad), None, "{bad:?}");
        }
        assert_eq!(ButtonAction::decode(&"x".repeat(300)), None);
    }
}
