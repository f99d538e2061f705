//! The CSV export: a project's features and its event log, written with the
//! `csv` crate, UTF-8 with a byte order mark and a header row (a spreadsheet
//! then opens Cyrillic without mojibake). Times are in the user's zone,
//! named in the header.

use chrono::{NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use radar_store::features::Feature;
use radar_store::releases::Release;
use radar_store::{EventId, event_log};

use crate::render::{View, html_to_plain};

/// The byte order mark that starts every file.
pub const BOM: &str = "\u{FEFF}";

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing CSV failed: {0}")]
    Io(#[from] std::io::Error),
}

fn writer() -> csv::Writer<Vec<u8>> {
    let mut buf = Vec::new();
    buf.extend_from_slice(BOM.as_bytes());
    csv::Writer::from_writer(buf)
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ExportError> {
    w.into_inner().map_err(|e| ExportError::Io(e.into_error()))
}

fn local(at: NaiveDateTime, tz: Tz) -> String {
    Utc.from_utc_datetime(&at)
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `features.csv`: one row a feature, by number.
pub fn features_csv(
    features: &[Feature],
    releases: &[Release],
    tz: Tz,
) -> Result<Vec<u8>, ExportError> {
    let mut w = writer();
    let created = format!("created ({tz})");
    let updated = format!("updated ({tz})");
    w.write_record([
        "number",
        "name",
        "status",
        "status_reason",
        "release",
        "teams",
        "po",
        "description",
        created.as_str(),
        updated.as_str(),
    ])?;
    for f in features {
        let release = f
            .release_id
            .and_then(|id| releases.iter().find(|r| r.id == id))
            .map(|r| r.version.as_str())
            .unwrap_or("");
        w.write_record([
            f.number.0.to_string().as_str(),
            &f.name,
            f.status.as_str(),
            f.status_reason.as_deref().unwrap_or(""),
            release,
            f.assigned_teams.as_deref().unwrap_or(""),
            f.assigned_po.as_deref().unwrap_or(""),
            f.description.as_deref().unwrap_or(""),
            &local(f.created_at, tz),
            &local(f.updated_at, tz),
        ])?;
    }
    finish(w)
}

/// The header of `events.csv`.
pub fn events_header(tz: Tz) -> Vec<String> {
    [
        "id",
        &format!("time ({tz})"),
        "user",
        "action",
        "entity",
        "entity_id",
        "what",
        "reverts",
        "details",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Writes `events.csv` incrementally: rows are added page by page.
pub struct EventsCsv {
    w: csv::Writer<Vec<u8>>,
    pub rows: usize,
}

impl EventsCsv {
    pub fn new(tz: Tz) -> Result<EventsCsv, ExportError> {
        let mut w = writer();
        w.write_record(events_header(tz))?;
        Ok(EventsCsv { w, rows: 0 })
    }

    /// One event: `what` is the line "what changed" shows for it (plain text).
    pub fn push(&mut self, row: &event_log::Event, view: &View) -> Result<(), ExportError> {
        let what = crate::change::decode(row)
            .map(|e| {
                let title = crate::describe::event_title(&e, view.lang);
                let line = crate::describe::event_line(&e, view);
                html_to_plain(&format!(
                    "{title}: {}",
                    line.trim().trim_start_matches('•').trim()
                ))
            })
            .unwrap_or_default();
        let reverts = row.reverts_event_id.map(|EventId(id)| id.to_string());
        self.w.write_record([
            row.id.0.to_string().as_str(),
            &local(row.timestamp, view.tz),
            &row.user_id.0.to_string(),
            row.action.as_str(),
            row.entity_type.as_str(),
            &row.entity_id.to_string(),
            what.trim(),
            reverts.as_deref().unwrap_or(""),
            &row.details,
        ])?;
        self.rows += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<Vec<u8>, ExportError> {
        finish(self.w)
    }
}
