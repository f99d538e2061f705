//! Button data (`callback_data`): one typed encoding and one strict
//! decoding. The client sends the data back and is never trusted: anything
//! that is not exactly what Radar writes is an outdated button.
//!
//! | action | data |
//! |---|---|
//! | set a feature's status | `st:<feature id>:<status code>:<version>` |
//! | switch project | `use:<project id>` |
//! | confirm a delete | `del:<feature id>:<version>` |
//! | cancel | `nop` |
//! | run an offered command | `do:<offer id>` |
//! | turn to a page of a long answer | `pg:<offer id>:<page>` |
//!
//! A feature's version is the id of the latest event on it: a status picker
//! or a delete confirmation is outdated once the feature changed since it
//! was shown (pressing "Yes, delete" again after an undo deletes nothing).

use radar_store::{EventId, FeatureId, FeatureStatus, OfferId, ProjectId};

use crate::status::{StatusWords, from_code};

/// What a button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonAction {
    SetStatus {
        feature: FeatureId,
        status: FeatureStatus,
        version: EventId,
    },
    UseProject(ProjectId),
    Delete {
        feature: FeatureId,
        version: EventId,
    },
    Dismiss,
    Offer(OfferId),
    /// Page `page` (from 0) of the long answer stored as the offer.
    Page {
        offer: OfferId,
        page: u32,
    },
}

/// Telegram's limit on `callback_data`, in bytes.
pub const MAX_DATA_BYTES: usize = 64;

impl ButtonAction {
    pub fn encode(&self) -> String {
        match self {
            ButtonAction::SetStatus {
                feature,
                status,
                version,
            } => format!("st:{feature}:{}:{version}", status.code()),
            ButtonAction::UseProject(p) => format!("use:{p}"),
            ButtonAction::Delete { feature, version } => format!("del:{feature}:{version}"),
            ButtonAction::Dismiss => "nop".into(),
            ButtonAction::Offer(o) => format!("do:{o}"),
            ButtonAction::Page { offer, page } => format!("pg:{offer}:{page}"),
        }
    }

    /// The action `data` encodes, or `None` for anything Radar does not write.
    pub fn decode(data: &str) -> Option<ButtonAction> {
        if data.len() > MAX_DATA_BYTES {
            return None;
        }
        let parts: Vec<&str> = data.split(':').collect();
        Some(match parts.as_slice() {
            ["st", id, code, v] => ButtonAction::SetStatus {
                feature: FeatureId(id_of(id)?),
                status: from_code(code)?,
                version: EventId(id_of(v)?),
            },
            ["use", id] => ButtonAction::UseProject(ProjectId(id_of(id)?)),
            ["del", id, v] => ButtonAction::Delete {
                feature: FeatureId(id_of(id)?),
                version: EventId(id_of(v)?),
            },
            ["nop"] => ButtonAction::Dismiss,
            ["do", id] => ButtonAction::Offer(OfferId(id_of(id)?)),
            ["pg", id, page] => ButtonAction::Page {
                offer: OfferId(id_of(id)?),
                page: page_of(page)?,
            },
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

/// A page number as Radar writes it: `0`, or digits without a leading zero.
fn page_of(s: &str) -> Option<u32> {
    if s == "0" {
        return Some(0);
    }
    u32::try_from(id_of(s)?).ok()
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
                version: EventId(345),
            },
            ButtonAction::UseProject(ProjectId(3)),
            ButtonAction::Delete {
                feature: FeatureId(9),
                version: EventId(999_999_999_999_999_999),
            },
            ButtonAction::Dismiss,
            ButtonAction::Offer(OfferId(77)),
            ButtonAction::Page {
                offer: OfferId(5),
                page: 0,
            },
            ButtonAction::Page {
                offer: OfferId(5),
                page: 12,
            },
        ] {
            assert_eq!(ButtonAction::decode(&a.encode()), Some(a));
            assert!(a.encode().len() <= MAX_DATA_BYTES);
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "st:1:d",
            "del:1",
            "st:1:d:0",
            "del:1:-2",
            "st:+1:d:1",
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
            "pg:1",
            "pg:1:01",
            "pg:1:-1",
            "pg:0:1",
            "pg:1:99999999999",
            "drop table",
            "",
            "st:99999999999999999999:d",
        ] {
            assert_eq!(ButtonAction::decode(bad), None, "{bad:?}");
        }
        assert_eq!(ButtonAction::decode(&"x".repeat(300)), None);
    }
}
