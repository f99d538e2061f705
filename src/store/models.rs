//! Rows as Rust types. Timestamps are UTC `NaiveDateTime`s (see the migrations).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::schema::{event_log, features, outbox, processed_messages, projects, releases};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Serialize, Deserialize)]
#[diesel(table_name = projects)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub description: Option<String>,
    pub status: String,
    pub next_feature_number: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = projects)]
pub struct NewProject<'a> {
    pub id: Option<i64>,
    pub name: &'a str,
    pub name_key: &'a str,
    pub description: Option<&'a str>,
    pub status: &'a str,
    pub next_feature_number: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Serialize, Deserialize)]
#[diesel(table_name = features)]
pub struct Feature {
    pub id: i64,
    pub project_id: i64,
    pub number: i64,
    pub name: String,
    pub description: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub assigned_teams: Option<String>,
    pub assigned_po: Option<String>,
    pub release_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = features)]
pub struct NewFeature {
    pub id: Option<i64>,
    pub project_id: i64,
    pub number: i64,
    pub name: String,
    pub description: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub assigned_teams: Option<String>,
    pub assigned_po: Option<String>,
    pub release_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<&Feature> for NewFeature {
    fn from(f: &Feature) -> Self {
        NewFeature {
            id: Some(f.id),
            project_id: f.project_id,
            number: f.number,
            name: f.name.clone(),
            description: f.description.clone(),
            status: f.status.clone(),
            status_reason: f.status_reason.clone(),
            assigned_teams: f.assigned_teams.clone(),
            assigned_po: f.assigned_po.clone(),
            release_id: f.release_id,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

/// A partial update of a feature: `None` leaves a column alone,
/// `Some(None)` sets a nullable column to NULL.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = features)]
pub struct FeatureChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub status: Option<String>,
    pub status_reason: Option<Option<String>>,
    pub assigned_teams: Option<Option<String>>,
    pub assigned_po: Option<Option<String>>,
    pub release_id: Option<Option<i64>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Serialize, Deserialize)]
#[diesel(table_name = releases)]
pub struct Release {
    pub id: i64,
    pub project_id: i64,
    pub version: String,
    pub target_date: Option<NaiveDate>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub released_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = releases)]
pub struct NewRelease {
    pub id: Option<i64>,
    pub project_id: i64,
    pub version: String,
    pub target_date: Option<NaiveDate>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub released_at: Option<NaiveDateTime>,
}

impl From<&Release> for NewRelease {
    fn from(r: &Release) -> Self {
        NewRelease {
            id: Some(r.id),
            project_id: r.project_id,
            version: r.version.clone(),
            target_date: r.target_date,
            status: r.status.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            released_at: r.released_at,
        }
    }
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = releases)]
pub struct ReleaseChanges {
    pub status: Option<String>,
    pub released_at: Option<Option<NaiveDateTime>>,
    pub target_date: Option<Option<NaiveDate>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = event_log)]
pub struct Event {
    pub id: i64,
    pub correlation_id: String,
    pub user_id: i64,
    pub project_id: Option<i64>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: i64,
    pub details: String,
    pub timestamp: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub reverts_event_id: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = event_log)]
pub struct NewEvent {
    pub correlation_id: String,
    pub user_id: i64,
    pub project_id: Option<i64>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: i64,
    pub details: String,
    pub timestamp: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub reverts_event_id: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = processed_messages)]
pub struct NewReceipt<'a> {
    pub message_id: &'a str,
    pub update_id: Option<i64>,
    pub chat_id: i64,
    pub user_id: Option<i64>,
    pub received_at: NaiveDateTime,
    pub processed_at: Option<NaiveDateTime>,
    pub payload: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = processed_messages)]
pub struct Receipt {
    pub message_id: String,
    pub update_id: Option<i64>,
    pub chat_id: i64,
    pub user_id: Option<i64>,
    pub received_at: NaiveDateTime,
    pub processed_at: Option<NaiveDateTime>,
    pub payload: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutbox {
    pub chat_id: i64,
    pub message_key: Option<String>,
    pub text: String,
    pub parse_mode: Option<String>,
    pub reply_markup: Option<String>,
    pub reply_to_message_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub chat_id: i64,
    pub message_key: Option<String>,
    pub text: String,
    pub parse_mode: Option<String>,
    pub reply_markup: Option<String>,
    pub reply_to_message_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
}
