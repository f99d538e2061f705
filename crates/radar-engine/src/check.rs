//! `radar check`, the engine's part: every event of the log decodes (in the
//! typed format or the legacy one), and every feature's current row is what
//! replaying its events gives. (The store checks the rest: migrations,
//! schema, foreign keys, `reverts_event_id` links; see `radar_store::check`.)
//!
//! Replaying a feature: its creation event's snapshot, then each update's
//! `after` values, field by field, in event order; a deletion removes it, a
//! creation (also an undone deletion) brings its snapshot back. An undo's
//! event holds the change the undo made, so it replays like any other.

use std::collections::BTreeMap;

use radar_store::event_log::{self, Event as EventRow};
use radar_store::{Conn, EntityKind, EventId, StoreError, features};

use crate::change::{self, Change, DecodeError, FeatureSnapshot};

/// Events read a page at a time.
const PAGE: i64 = 5000;

/// Something the engine finds wrong, with ids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Finding {
    #[error("{0}")]
    Undecodable(DecodeError),
    #[error(
        "feature id {feature} (#{number} of project {project}): {field} is {state}, its events say {replay}"
    )]
    StateDiffers {
        feature: i64,
        number: i64,
        project: i64,
        field: &'static str,
        state: String,
        replay: String,
    },
    #[error("feature id {feature} (#{number} of project {project}) exists, but its events {why}")]
    Unexplained {
        feature: i64,
        number: i64,
        project: i64,
        why: &'static str,
    },
    #[error(
        "feature id {feature} does not exist, but its events leave it existing (last event {last})"
    )]
    Missing { feature: i64, last: i64 },
    #[error(
        "event {event} updates feature id {feature} while no event has created it (or after its deletion)"
    )]
    UpdateBeforeCreate { event: i64, feature: i64 },
}

/// A feature's fields as its events describe them.
#[derive(Debug, Clone, PartialEq)]
struct Replayed {
    project: i64,
    number: i64,
    name: String,
    description: Option<String>,
    status: String,
    status_reason: Option<String>,
    teams: Option<String>,
    po: Option<String>,
    release: Option<i64>,
}

impl From<&FeatureSnapshot> for Replayed {
    fn from(f: &FeatureSnapshot) -> Self {
        Replayed {
            project: f.project_id.0,
            number: f.number.0,
            name: f.name.clone(),
            description: f.description.clone(),
            status: f.status.as_str().to_string(),
            status_reason: f.status_reason.clone(),
            teams: f.assigned_teams.clone(),
            po: f.assigned_po.clone(),
            release: f.release_id.map(|r| r.0),
        }
    }
}

impl From<&features::Feature> for Replayed {
    fn from(f: &features::Feature) -> Self {
        Replayed {
            project: f.project_id.0,
            number: f.number.0,
            name: f.name.clone(),
            description: f.description.clone(),
            status: f.status.as_str().to_string(),
            status_reason: f.status_reason.clone(),
            teams: f.assigned_teams.clone(),
            po: f.assigned_po.clone(),
            release: f.release_id.map(|r| r.0),
        }
    }
}

/// What a feature's events say, so far.
#[derive(Debug, Clone)]
enum Replay {
    Exists(Replayed),
    Deleted,
    /// Updated without a creation before (history starts in the middle).
    Unknown,
}

fn show<T: std::fmt::Debug>(v: &T) -> String {
    format!("{v:?}")
}

/// Decodes every event and compares every feature with its replay.
pub async fn events(conn: &mut Conn) -> Result<Vec<Finding>, StoreError> {
    let mut findings = Vec::new();
    let mut replay: BTreeMap<i64, (Replay, EventId)> = BTreeMap::new();
    let mut reported = std::collections::HashSet::new();
    let mut after = EventId(0);
    loop {
        let page: Vec<EventRow> = event_log::page(conn, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for row in &page {
            let event = match change::decode(row) {
                Ok(e) => e,
                Err(e) => {
                    findings.push(Finding::Undecodable(e));
                    continue;
                }
            };
            if event.entity != EntityKind::Feature {
                continue;
            }
            let id = event.entity_id;
            let entry = replay.entry(id).or_insert((Replay::Unknown, event.id));
            entry.1 = event.id;
            match (&event.change, &mut entry.0) {
                (Change::FeatureCreated { feature }, state) => {
                    *state = Replay::Exists(Replayed::from(feature));
                }
                (Change::FeatureDeleted { .. }, state) => *state = Replay::Deleted,
                (Change::FeatureUpdated { diff, .. }, Replay::Exists(f)) => {
                    if let Some(d) = &diff.name {
                        f.name = d.after.clone();
                    }
                    if let Some(d) = &diff.description {
                        f.description = d.after.clone();
                    }
                    if let Some(d) = &diff.status {
                        f.status = d.after.as_str().to_string();
                    }
                    if let Some(d) = &diff.status_reason {
                        f.status_reason = d.after.clone();
                    }
                    if let Some(d) = &diff.teams {
                        f.teams = d.after.clone();
                    }
                    if let Some(d) = &diff.po {
                        f.po = d.after.clone();
                    }
                    if let Some(d) = &diff.release {
                        f.release = d.after.as_ref().map(|r| r.id.0);
                    }
                }
                (Change::FeatureUpdated { .. }, state) => {
                    // Once per feature, not once per event.
                    if reported.insert(id) {
                        findings.push(Finding::UpdateBeforeCreate {
                            event: event.id.0,
                            feature: id,
                        });
                    }
                    *state = Replay::Unknown;
                }
                _ => {}
            }
        }
    }

    let rows = features::all(conn).await?;
    let mut seen = std::collections::HashSet::new();
    for row in &rows {
        seen.insert(row.id.0);
        let state = Replayed::from(row);
        let (feature, number, project) = (row.id.0, row.number.0, row.project_id.0);
        let unexplained = |why| Finding::Unexplained {
            feature,
            number,
            project,
            why,
        };
        match replay.get(&row.id.0) {
            None => findings.push(unexplained("are none (no event creates it)")),
            Some((Replay::Deleted, _)) => findings.push(unexplained("end in its deletion")),
            Some((Replay::Unknown, _)) => {} // reported as UpdateBeforeCreate
            Some((Replay::Exists(r), _)) => {
                let mut differs = |field, s: String, r: String| {
                    if s != r {
                        findings.push(Finding::StateDiffers {
                            feature,
                            number,
                            project,
                            field,
                            state: s,
                            replay: r,
                        });
                    }
                };
                differs("project_id", show(&state.project), show(&r.project));
                differs("number", show(&state.number), show(&r.number));
                differs("name", show(&state.name), show(&r.name));
                differs(
                    "description",
                    show(&state.description),
                    show(&r.description),
                );
                differs("status", show(&state.status), show(&r.status));
                differs(
                    "status_reason",
                    show(&state.status_reason),
                    show(&r.status_reason),
                );
                differs("assigned_teams", show(&state.teams), show(&r.teams));
                differs("assigned_po", show(&state.po), show(&r.po));
                differs("release_id", show(&state.release), show(&r.release));
            }
        }
    }
    for (id, (state, last)) in &replay {
        if matches!(state, Replay::Exists(_)) && !seen.contains(id) {
            findings.push(Finding::Missing {
                feature: *id,
                last: last.0,
            });
        }
    }
    Ok(findings)
}
