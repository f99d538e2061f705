//! Reading the log: "what changed" in a period, and one feature's history.

use std::collections::{HashMap, HashSet};

use radar_store::event_log::{self, Event as EventRow};
use radar_store::{EntityKind, EventId, FeatureNumber};

use super::{Applied, Cx, Done, Fail};
use crate::change::{Event, decode};
use crate::describe::{event_line, event_title};
use crate::messages::t;
use crate::period::Period;
use crate::render::esc;

/// Decodes rows, skipping (and logging) any that cannot be read, so one bad
/// row does not hide the rest of the history.
pub(super) fn decode_all(rows: &[EventRow]) -> Vec<Event> {
    rows.iter()
        .filter_map(|r| match decode(r) {
            Ok(e) => Some(e),
            Err(err) => {
                tracing::warn!(error = %err, "event skipped");
                None
            }
        })
        .collect()
}

impl Cx<'_> {
    /// Who undid each of `events` (the compensating events, by the id they revert).
    async fn undone(&mut self, events: &[Event]) -> Result<HashMap<EventId, EventRow>, Fail> {
        let ids: Vec<EventId> = events.iter().map(|e| e.id).collect();
        Ok(event_log::reverts_of(self.conn, &ids)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.reverts_event_id?, r)))
            .collect())
    }

    pub(super) async fn changes(&mut self, period: Period) -> Applied {
        let p = self.active_project()?;
        let lang = self.lang;
        let view = self.view();
        let (from, to) = period.bounds(self.engine.now(), view.tz);
        const LIMIT: i64 = 2000;
        let rows =
            event_log::project_events(self.conn, p.id, from.naive_utc(), to.naive_utc(), LIMIT)
                .await?;
        if rows.is_empty() {
            return Ok(Done::unchanged(t!(
                lang,
                "changes-none",
                project = esc(&p.name),
                period = period.describe(lang)
            )));
        }
        let events = decode_all(&rows);
        let undone = self.undone(&events).await?;
        // Group per entity, groups ordered by their newest event.
        let mut order: Vec<(EntityKind, i64)> = Vec::new();
        let mut groups: HashMap<(EntityKind, i64), Vec<&Event>> = HashMap::new();
        for e in &events {
            let k = (e.entity, e.entity_id);
            if !groups.contains_key(&k) {
                order.push(k);
            }
            groups.entry(k).or_default().push(e);
        }
        let mut lines = vec![t!(
            lang,
            "changes-title",
            period = period.describe(lang),
            count = rows.len()
        )];
        for k in &order {
            let evs = &groups[k];
            lines.push(String::new());
            lines.push(format!("<b>{}</b>", event_title(evs[0], lang)));
            for e in evs {
                let line = event_line(e, &view);
                match undone.get(&e.id) {
                    Some(u) => lines.push(t!(
                        lang,
                        "changes-undone",
                        line = line,
                        who = view.who(u.user_id)
                    )),
                    None => lines.push(format!("• {line}")),
                }
            }
        }
        if rows.len() as i64 == LIMIT {
            lines.push(String::new());
            lines.push(t!(lang, "changes-limited", count = LIMIT));
        }
        Ok(Done::unchanged(lines.join("\n")))
    }

    pub(crate) async fn history(&mut self, n: FeatureNumber) -> Applied {
        let p = self.active_project()?;
        let f = self.feature(&p, n).await?;
        let lang = self.lang;
        let view = self.view();
        const LIMIT: i64 = 500;
        let mut rows =
            event_log::entity_history(self.conn, EntityKind::Feature, f.id.0, LIMIT).await?;
        rows.reverse();
        let events = decode_all(&rows);
        let undone: HashSet<EventId> = self.undone(&events).await?.into_keys().collect();
        let mut lines = vec![t!(lang, "history-title", feature = Self::feature_title(&f))];
        for e in &events {
            let line = event_line(e, &view);
            lines.push(if undone.contains(&e.id) {
                t!(lang, "history-undone", line = line)
            } else {
                format!("• {line}")
            });
        }
        Ok(Done::unchanged(lines.join("\n")))
    }
}
