//! Typed events. A [`Change`] is what a command writes to `event_log`: its
//! variant gives the row's `entity_type` and `action`, its JSON is `details`.
//! "What changed", history and undo read the same type back, and each change
//! knows its inverse (what undo writes, as a compensating event).
//!
//! Rows written before this type existed (free-form JSON with `ref`,
//! `before`/`after` and `snapshot` keys) are still read, through
//! [`legacy`]: `event_log` is append-only, so no migration may rewrite them.
//!
//! Snapshots are their own structs, not the store's rows: a column added to
//! `features` must get `#[serde(default)]` here, so older snapshots (and the
//! legacy ones, which have the same field names) keep decoding.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use radar_store::event_log::Event as EventRow;
use radar_store::features::{Feature, NewFeature};
use radar_store::projects::Project;
use radar_store::releases::{NewRelease, Release};
use radar_store::{
    Action, EntityKind, EventId, FeatureId, FeatureNumber, FeatureStatus, Language, ProjectId,
    ProjectStatus, ReleaseId, ReleaseStatus, UserId,
};
use serde::{Deserialize, Serialize};

/// A value before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta<T> {
    pub before: T,
    pub after: T,
}

impl<T: PartialEq> Delta<T> {
    /// `Some` when the value really changes.
    pub fn new(before: T, after: T) -> Option<Delta<T>> {
        (before != after).then_some(Delta { before, after })
    }
}

impl<T> Delta<T> {
    pub fn inverse(self) -> Delta<T> {
        Delta {
            before: self.after,
            after: self.before,
        }
    }
}

fn inv<T>(d: Option<Delta<T>>) -> Option<Delta<T>> {
    d.map(Delta::inverse)
}

/// How a feature is named in an event: its number and its name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureRef {
    pub number: FeatureNumber,
    pub name: String,
}

impl From<&Feature> for FeatureRef {
    fn from(f: &Feature) -> Self {
        FeatureRef {
            number: f.number,
            name: f.name.clone(),
        }
    }
}

/// A release as a feature's field refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRef {
    pub id: ReleaseId,
    pub version: String,
}

impl From<&Release> for ReleaseRef {
    fn from(r: &Release) -> Self {
        ReleaseRef {
            id: r.id,
            version: r.version.clone(),
        }
    }
}

/// The fields of a feature a change touched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureDiff {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Delta<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Delta<Option<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Delta<FeatureStatus>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<Delta<Option<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Delta<Option<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub po: Option<Delta<Option<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<Delta<Option<ReleaseRef>>>,
}

impl FeatureDiff {
    pub fn is_empty(&self) -> bool {
        *self == FeatureDiff::default()
    }

    pub fn inverse(self) -> FeatureDiff {
        FeatureDiff {
            name: inv(self.name),
            description: inv(self.description),
            status: inv(self.status),
            status_reason: inv(self.status_reason),
            teams: inv(self.teams),
            po: inv(self.po),
            release: inv(self.release),
        }
    }
}

/// The fields of a project a change touched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectDiff {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Delta<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Delta<Option<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Delta<ProjectStatus>>,
}

impl ProjectDiff {
    pub fn inverse(self) -> ProjectDiff {
        ProjectDiff {
            name: inv(self.name),
            description: inv(self.description),
            status: inv(self.status),
        }
    }
}

/// The fields of a release a change touched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleaseDiff {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Delta<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_date: Option<Delta<Option<NaiveDate>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Delta<ReleaseStatus>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub released_at: Option<Delta<Option<NaiveDateTime>>>,
}

impl ReleaseDiff {
    pub fn inverse(self) -> ReleaseDiff {
        ReleaseDiff {
            version: inv(self.version),
            target_date: inv(self.target_date),
            status: inv(self.status),
            released_at: inv(self.released_at),
        }
    }
}

/// The settings of a user a change touched (`None`: the default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsDiff {
    /// An IANA zone name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<Delta<Option<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Delta<Option<Language>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_at: Option<Delta<Option<NaiveTime>>>,
}

impl SettingsDiff {
    pub fn is_empty(&self) -> bool {
        *self == SettingsDiff::default()
    }

    pub fn inverse(self) -> SettingsDiff {
        SettingsDiff {
            time_zone: inv(self.time_zone),
            language: inv(self.language),
            digest_at: inv(self.digest_at),
        }
    }
}

/// A whole project, as created (or removed by an undo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSnapshot {
    pub id: ProjectId,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "active")]
    pub status: ProjectStatus,
    pub created_at: NaiveDateTime,
}

fn active() -> ProjectStatus {
    ProjectStatus::Active
}

impl From<&Project> for ProjectSnapshot {
    fn from(p: &Project) -> Self {
        ProjectSnapshot {
            id: p.id,
            name: p.name.clone(),
            description: p.description.clone(),
            status: p.status,
            created_at: p.created_at,
        }
    }
}

/// A whole feature, as created or deleted: what undoing a delete restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSnapshot {
    pub id: FeatureId,
    pub project_id: ProjectId,
    pub number: FeatureNumber,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub status: FeatureStatus,
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub assigned_teams: Option<String>,
    #[serde(default)]
    pub assigned_po: Option<String>,
    #[serde(default)]
    pub release_id: Option<ReleaseId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<&Feature> for FeatureSnapshot {
    fn from(f: &Feature) -> Self {
        FeatureSnapshot {
            id: f.id,
            project_id: f.project_id,
            number: f.number,
            name: f.name.clone(),
            description: f.description.clone(),
            status: f.status,
            status_reason: f.status_reason.clone(),
            assigned_teams: f.assigned_teams.clone(),
            assigned_po: f.assigned_po.clone(),
            release_id: f.release_id,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

impl FeatureSnapshot {
    /// The row that restores this feature under its old id and number.
    pub fn to_new(&self) -> NewFeature {
        NewFeature {
            id: Some(self.id),
            project_id: self.project_id,
            number: self.number,
            name: self.name.clone(),
            description: self.description.clone(),
            status: self.status,
            status_reason: self.status_reason.clone(),
            assigned_teams: self.assigned_teams.clone(),
            assigned_po: self.assigned_po.clone(),
            release_id: self.release_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn reference(&self) -> FeatureRef {
        FeatureRef {
            number: self.number,
            name: self.name.clone(),
        }
    }
}

/// A whole release, as created or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseSnapshot {
    pub id: ReleaseId,
    pub project_id: ProjectId,
    pub version: String,
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
    pub status: ReleaseStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    #[serde(default)]
    pub released_at: Option<NaiveDateTime>,
}

impl From<&Release> for ReleaseSnapshot {
    fn from(r: &Release) -> Self {
        ReleaseSnapshot {
            id: r.id,
            project_id: r.project_id,
            version: r.version.clone(),
            target_date: r.target_date,
            status: r.status,
            created_at: r.created_at,
            updated_at: r.updated_at,
            released_at: r.released_at,
        }
    }
}

impl ReleaseSnapshot {
    pub fn to_new(&self) -> NewRelease {
        NewRelease {
            id: Some(self.id),
            project_id: self.project_id,
            version: self.version.clone(),
            target_date: self.target_date,
            status: self.status,
            created_at: self.created_at,
            updated_at: self.updated_at,
            released_at: self.released_at,
        }
    }
}

/// One change to Radar's data (or to a user's context).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    ProjectCreated {
        project: ProjectSnapshot,
    },
    /// Only written by undoing a creation.
    ProjectDeleted {
        project: ProjectSnapshot,
    },
    ProjectUpdated {
        /// The project's name before the change.
        name: String,
        diff: ProjectDiff,
    },
    /// A user's active project changed (not data: never undone, not shown
    /// in "what changed").
    ContextSwitched {
        before: Option<ProjectId>,
        after: Option<ProjectId>,
    },
    /// A user's settings changed (time zone, language, digest time): like
    /// a context switch, about the user (`entity_id`), not data: never
    /// undone, not shown in "what changed".
    SettingsChanged {
        diff: SettingsDiff,
    },
    FeatureCreated {
        feature: FeatureSnapshot,
    },
    FeatureDeleted {
        feature: FeatureSnapshot,
    },
    FeatureUpdated {
        feature: FeatureRef,
        diff: FeatureDiff,
    },
    ReleaseCreated {
        release: ReleaseSnapshot,
    },
    /// Only written by undoing a creation.
    ReleaseDeleted {
        release: ReleaseSnapshot,
    },
    ReleaseUpdated {
        version: String,
        diff: ReleaseDiff,
    },
}

impl Change {
    pub fn entity_kind(&self) -> EntityKind {
        match self {
            Change::ProjectCreated { .. }
            | Change::ProjectDeleted { .. }
            | Change::ProjectUpdated { .. } => EntityKind::Project,
            Change::ContextSwitched { .. } | Change::SettingsChanged { .. } => EntityKind::Context,
            Change::FeatureCreated { .. }
            | Change::FeatureDeleted { .. }
            | Change::FeatureUpdated { .. } => EntityKind::Feature,
            Change::ReleaseCreated { .. }
            | Change::ReleaseDeleted { .. }
            | Change::ReleaseUpdated { .. } => EntityKind::Release,
        }
    }

    /// The `action` column of a change written by a command (an undo's
    /// compensating event is written with [`Action::Undo`] instead).
    pub fn action(&self) -> Action {
        match self {
            Change::ProjectCreated { .. }
            | Change::FeatureCreated { .. }
            | Change::ReleaseCreated { .. } => Action::Create,
            Change::ProjectDeleted { .. }
            | Change::FeatureDeleted { .. }
            | Change::ReleaseDeleted { .. } => Action::Delete,
            Change::ProjectUpdated { .. }
            | Change::FeatureUpdated { .. }
            | Change::ReleaseUpdated { .. }
            | Change::SettingsChanged { .. } => Action::Update,
            Change::ContextSwitched { .. } => Action::Switch,
        }
    }

    /// Whether the change is data (a context switch is not).
    pub fn is_data(&self) -> bool {
        !matches!(
            self,
            Change::ContextSwitched { .. } | Change::SettingsChanged { .. }
        )
    }

    /// The change that undoes this one.
    pub fn inverse(self) -> Change {
        match self {
            Change::ProjectCreated { project } => Change::ProjectDeleted { project },
            Change::ProjectDeleted { project } => Change::ProjectCreated { project },
            Change::ProjectUpdated { name, diff } => {
                let name = diff.name.as_ref().map(|d| d.after.clone()).unwrap_or(name);
                Change::ProjectUpdated {
                    name,
                    diff: diff.inverse(),
                }
            }
            Change::ContextSwitched { before, after } => Change::ContextSwitched {
                before: after,
                after: before,
            },
            Change::SettingsChanged { diff } => Change::SettingsChanged {
                diff: diff.inverse(),
            },
            Change::FeatureCreated { feature } => Change::FeatureDeleted { feature },
            Change::FeatureDeleted { feature } => Change::FeatureCreated { feature },
            Change::FeatureUpdated { feature, diff } => {
                let feature = FeatureRef {
                    number: feature.number,
                    name: diff
                        .name
                        .as_ref()
                        .map(|d| d.after.clone())
                        .unwrap_or(feature.name),
                };
                Change::FeatureUpdated {
                    feature,
                    diff: diff.inverse(),
                }
            }
            Change::ReleaseCreated { release } => Change::ReleaseDeleted { release },
            Change::ReleaseDeleted { release } => Change::ReleaseCreated { release },
            Change::ReleaseUpdated { version, diff } => {
                let version = diff
                    .version
                    .as_ref()
                    .map(|d| d.after.clone())
                    .unwrap_or(version);
                Change::ReleaseUpdated {
                    version,
                    diff: diff.inverse(),
                }
            }
        }
    }

    /// The `details` JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Change always serializes")
    }
}

/// An event of the log, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: EventId,
    pub correlation_id: String,
    pub user: UserId,
    pub project: Option<ProjectId>,
    pub entity: EntityKind,
    pub entity_id: i64,
    /// When the user sent the command.
    pub at: NaiveDateTime,
    /// What was changed. For a compensating event (an undo), the change the
    /// undo made: the inverse of the reverted event's change.
    pub change: Change,
    /// The event this one undoes.
    pub reverts: Option<EventId>,
}

impl Event {
    pub fn is_undo(&self) -> bool {
        self.reverts.is_some()
    }

    /// What a reader calls this change: for an undo, the change it reverted.
    pub fn original_change(&self) -> Change {
        if self.is_undo() {
            self.change.clone().inverse()
        } else {
            self.change.clone()
        }
    }
}

/// An event row whose `details` cannot be read as a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {id} ({entity} {action}) cannot be decoded: {reason}")]
pub struct DecodeError {
    pub id: EventId,
    pub entity: EntityKind,
    pub action: Action,
    pub reason: String,
}

/// Reads an event row: the typed format first, then the legacy one.
pub fn decode(row: &EventRow) -> Result<Event, DecodeError> {
    let change = match serde_json::from_str::<Change>(&row.details) {
        Ok(c) => c,
        Err(typed) => legacy::decode(row).ok_or_else(|| DecodeError {
            id: row.id,
            entity: row.entity_type,
            action: row.action,
            reason: typed.to_string(),
        })?,
    };
    Ok(Event {
        id: row.id,
        correlation_id: row.correlation_id.clone(),
        user: row.user_id,
        project: row.project_id,
        entity: row.entity_type,
        entity_id: row.entity_id,
        at: row.timestamp,
        change,
        reverts: row.reverts_event_id,
    })
}

/// The format written before typed events: `{"ref": …, "before": …,
/// "after": …}` for updates, `{"ref": …, "snapshot": <the row>}` for creates
/// and deletes, and for an undo the same plus `"undoes": <action>` (with
/// before/after already swapped, so the JSON describes the undo itself).
mod legacy {
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::*;

    pub(super) fn decode(row: &EventRow) -> Option<Change> {
        let d: Value = serde_json::from_str(&row.details).ok()?;
        let action = if row.action == Action::Undo {
            d.get("undoes")?.as_str()?
        } else {
            row.action.as_str()
        };
        let original = match (row.entity_type, action) {
            (EntityKind::Context, _) => {
                return Some(Change::ContextSwitched {
                    before: id(&d["before"]["active_project_id"]).map(ProjectId),
                    after: id(&d["after"]["active_project_id"]).map(ProjectId),
                });
            }
            (EntityKind::Project, "create") => Change::ProjectCreated {
                project: from(&d["snapshot"])?,
            },
            (EntityKind::Feature, "create") => Change::FeatureCreated {
                feature: from(&d["snapshot"])?,
            },
            (EntityKind::Feature, "delete") => Change::FeatureDeleted {
                feature: from(&d["snapshot"])?,
            },
            (EntityKind::Release, "create") => Change::ReleaseCreated {
                release: from(&d["snapshot"])?,
            },
            (EntityKind::Project, "update") => Change::ProjectUpdated {
                name: d["ref"]["name"].as_str()?.to_string(),
                diff: ProjectDiff {
                    status: delta(&d, "status")?,
                    ..ProjectDiff::default()
                },
            },
            (EntityKind::Release, "update") => Change::ReleaseUpdated {
                version: d["ref"]["version"].as_str()?.to_string(),
                diff: ReleaseDiff {
                    status: delta(&d, "status")?,
                    released_at: delta(&d, "released_at")?,
                    ..ReleaseDiff::default()
                },
            },
            (EntityKind::Feature, "update") => Change::FeatureUpdated {
                feature: FeatureRef {
                    number: FeatureNumber(d["ref"]["number"].as_i64()?),
                    name: d["ref"]["name"].as_str()?.to_string(),
                },
                diff: FeatureDiff {
                    name: delta(&d, "name")?,
                    description: delta(&d, "description")?,
                    status: delta(&d, "status")?,
                    status_reason: delta(&d, "status_reason")?,
                    teams: delta(&d, "assigned_teams")?,
                    po: delta(&d, "assigned_po")?,
                    release: release_delta(&d)?,
                },
            },
            _ => return None,
        };
        // A legacy undo of a create or delete holds the original's snapshot:
        // the undo itself is the inverse. An undo of an update already has
        // before/after swapped, so it reads as the undo itself.
        Some(match (row.action, action) {
            (Action::Undo, "create" | "delete") => original.inverse(),
            _ => original,
        })
    }

    fn id(v: &Value) -> Option<i64> {
        v.as_i64()
    }

    fn from<T: DeserializeOwned>(v: &Value) -> Option<T> {
        serde_json::from_value(v.clone()).ok()
    }

    /// `Some(None)` when the field is not part of the change, `None` when it
    /// is there but unreadable.
    #[allow(clippy::option_option)]
    fn delta<T: DeserializeOwned + PartialEq>(d: &Value, key: &str) -> Option<Option<Delta<T>>> {
        match (d["before"].get(key), d["after"].get(key)) {
            (Some(b), Some(a)) => Some(Delta::new(from(b)?, from(a)?)),
            _ => Some(None),
        }
    }

    #[allow(clippy::option_option)]
    fn release_delta(d: &Value) -> Option<Option<Delta<Option<ReleaseRef>>>> {
        let side = |v: &Value| -> Option<Option<ReleaseRef>> {
            match (v.get("release_id")?, v.get("release")) {
                (Value::Null, _) => Some(None),
                (id, version) => Some(Some(ReleaseRef {
                    id: ReleaseId(id.as_i64()?),
                    version: version
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                })),
            }
        };
        if d["before"].get("release_id").is_none() {
            return Some(None);
        }
        Some(Delta::new(side(&d["before"])?, side(&d["after"])?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    fn row(action: Action, entity: EntityKind, details: &str, reverts: Option<i64>) -> EventRow {
        EventRow {
            id: EventId(9),
            correlation_id: "k".into(),
            user_id: UserId(1),
            project_id: Some(ProjectId(1)),
            action,
            entity_type: entity,
            entity_id: 2,
            details: details.into(),
            timestamp: t(),
            created_at: t(),
            reverts_event_id: reverts.map(EventId),
        }
    }

    #[test]
    fn typed_changes_round_trip_and_invert() {
        let c = Change::FeatureUpdated {
            feature: FeatureRef {
                number: FeatureNumber(2),
                name: "Signup".into(),
            },
            diff: FeatureDiff {
                status: Delta::new(FeatureStatus::Backlog, FeatureStatus::Blocked),
                status_reason: Delta::new(None, Some("legal".into())),
                ..FeatureDiff::default()
            },
        };
        let json = c.to_json();
        assert_eq!(
            json,
            r#"{"change":"feature_updated","feature":{"number":2,"name":"Signup"},"diff":{"status":{"before":"backlog","after":"blocked"},"status_reason":{"before":null,"after":"legal"}}}"#
        );
        let back: Change = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        assert_eq!(c.clone().inverse().inverse(), c);
        assert_eq!(c.action(), Action::Update);
        assert_eq!(c.entity_kind(), EntityKind::Feature);
    }

    #[test]
    fn a_rename_inverse_names_the_feature_by_its_new_name() {
        let c = Change::FeatureUpdated {
            feature: FeatureRef {
                number: FeatureNumber(3),
                name: "Export".into(),
            },
            diff: FeatureDiff {
                name: Delta::new("Export".into(), "Export to CSV".into()),
                ..FeatureDiff::default()
            },
        };
        match c.inverse() {
            Change::FeatureUpdated { feature, diff } => {
                assert_eq!(feature.name, "Export to CSV");
                assert_eq!(diff.name.unwrap().after, "Export");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn legacy_rows_decode() {
        let upd = row(
            Action::Update,
            EntityKind::Feature,
            r#"{"after":{"release":"1.2","release_id":1},"before":{"release":null,"release_id":null},"ref":{"name":"Login","number":1}}"#,
            None,
        );
        let e = decode(&upd).unwrap();
        assert_eq!(
            e.change,
            Change::FeatureUpdated {
                feature: FeatureRef {
                    number: FeatureNumber(1),
                    name: "Login".into()
                },
                diff: FeatureDiff {
                    release: Delta::new(
                        None,
                        Some(ReleaseRef {
                            id: ReleaseId(1),
                            version: "1.2".into()
                        })
                    ),
                    ..FeatureDiff::default()
                }
            }
        );
        let undo = row(
            Action::Undo,
            EntityKind::Feature,
            r#"{"after":{"status":"blocked","status_reason":"waiting for legal"},"before":{"status":"in_progress","status_reason":null},"ref":{"name":"Signup","number":2},"undoes":"update"}"#,
            Some(5),
        );
        let e = decode(&undo).unwrap();
        assert!(e.is_undo());
        match (&e.change, e.original_change()) {
            (Change::FeatureUpdated { diff, .. }, Change::FeatureUpdated { diff: orig, .. }) => {
                assert_eq!(diff.status.as_ref().unwrap().after, FeatureStatus::Blocked);
                assert_eq!(orig.status.unwrap().after, FeatureStatus::InProgress);
            }
            other => panic!("{other:?}"),
        }
        let undo_create = row(
            Action::Undo,
            EntityKind::Release,
            r#"{"ref":{"version":"2.0"},"snapshot":{"created_at":"2026-11-30T15:50:55.629668","id":2,"project_id":1,"released_at":null,"status":"planned","target_date":null,"updated_at":"2026-11-30T15:50:55.629668","version":"2.0"},"undoes":"create"}"#,
            Some(33),
        );
        assert!(matches!(
            decode(&undo_create).unwrap().change,
            Change::ReleaseDeleted { .. }
        ));
        let ctx = row(
            Action::Switch,
            EntityKind::Context,
            r#"{"after":{"active_project_id":2},"before":{"active_project_id":null}}"#,
            None,
        );
        assert_eq!(
            decode(&ctx).unwrap().change,
            Change::ContextSwitched {
                before: None,
                after: Some(ProjectId(2))
            }
        );
    }

    #[test]
    fn unreadable_details_are_a_decode_error_naming_the_event() {
        let bad = row(
            Action::Update,
            EntityKind::Feature,
            r#"{"nonsense":1}"#,
            None,
        );
        let err = decode(&bad).unwrap_err();
        assert_eq!(err.id, EventId(9));
        assert!(err.to_string().contains("event 9"), "{err}");
    }
}
