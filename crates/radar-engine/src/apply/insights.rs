//! `/stats`, `/chart` and `/export`: reads of the event log (see
//! [`crate::insights`] for the definitions). They change nothing; a chart or
//! an export is rendered here, in the command's transaction, and queued
//! with the reply.

use radar_store::{AttachmentKind, EventId, event_log, features, releases};

use super::{Applied, Cx, Done, Fail};
use crate::EngineError;
use crate::insights::{self, chart, export, show_days, show_rate};
use crate::messages::t;
use crate::period::Period;
use crate::render::{File, esc, show_date};

/// Events read per statement of the export.
const EXPORT_PAGE: i64 = 5000;

fn render_failed(e: impl std::fmt::Display) -> Fail {
    Fail::Engine(EngineError::Render(e.to_string()))
}

/// A file name from a project name or version: letters, digits, `.`, `-`, `_`.
fn file_part(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() { "radar".into() } else { out }
}

impl Cx<'_> {
    pub(super) async fn stats(&mut self, period: Option<Period>) -> Applied {
        let p = self.active_project()?;
        let lang = self.lang;
        let tz = self.zone();
        let now = self.engine.now();
        let period = period.unwrap_or(insights::DEFAULT_PERIOD);
        let (from, to) = period.bounds(now, tz);
        let f = insights::flow(self.conn, p.id, from, to, now, tz).await?;
        let mut lines = vec![
            t!(
                lang,
                "stats-title",
                project = esc(&p.name),
                period = period.describe(lang),
                from = show_date(f.from, lang),
                to = show_date(f.to, lang)
            ),
            String::new(),
            t!(
                lang,
                "stats-done",
                count = f.done,
                per_week = show_rate(f.per_week(), lang)
            ),
        ];
        let weeks: Vec<String> = f
            .weeks
            .iter()
            .map(|(w, n)| {
                t!(
                    lang,
                    "stats-week",
                    week = w.number,
                    monday = show_date(w.monday, lang),
                    count = *n
                )
            })
            .collect();
        lines.push(t!(lang, "stats-weeks", weeks = weeks.join(" · ")));
        lines.push(match (f.cycle_median(), f.cycle_p85()) {
            (Some(m), Some(p85)) => t!(
                lang,
                "stats-cycle",
                median = show_days(m, lang),
                p85 = show_days(p85, lang),
                count = f.cycle_times.len()
            ),
            _ => t!(lang, "stats-cycle-none"),
        });
        lines.push(t!(lang, "stats-wip", count = f.wip));
        if f.blocked.is_empty() {
            lines.push(t!(lang, "stats-blocked-none"));
        } else {
            lines.push(t!(lang, "stats-blocked", count = f.blocked.len()));
            for b in &f.blocked {
                let mut line = format!(
                    "  ⛔ #{} {} — {}",
                    b.number,
                    esc(&b.name),
                    b.days
                        .map(|d| show_days(d, lang))
                        .unwrap_or_else(|| "?".into())
                );
                if let Some(r) = &b.reason {
                    line.push_str(&format!(" ({})", esc(r)));
                }
                lines.push(line);
            }
        }
        if !f.releases.is_empty() {
            lines.push(String::new());
            lines.push(t!(lang, "stats-releases"));
            for r in &f.releases {
                let mut line = t!(
                    lang,
                    "stats-release-line",
                    version = esc(&r.version),
                    done = r.done,
                    total = r.total
                );
                if let Some(d) = r.target {
                    line.push_str(" · ");
                    line.push_str(&t!(lang, "stats-target", date = show_date(d, lang)));
                }
                line.push_str(" · ");
                line.push_str(&match r.forecast {
                    Some(d) => t!(lang, "stats-forecast", date = show_date(d, lang)),
                    None if r.total > 0 && r.done == r.total => t!(lang, "stats-forecast-done"),
                    None => t!(lang, "stats-forecast-none"),
                });
                lines.push(line);
            }
        }
        lines.push(String::new());
        lines.push(t!(lang, "stats-how"));
        Ok(Done::unchanged(lines.join("\n")))
    }

    pub(super) async fn chart(&mut self, version: &str) -> Applied {
        let p = self.active_project()?;
        let lang = self.lang;
        let tz = self.zone();
        let r = self.release_named(p.id, version).await?;
        let b = insights::burnup(self.conn, p.id, &r, self.engine.now(), tz).await?;
        let labels = chart::Labels {
            title: t!(lang, "chart-title", version = r.version.clone()),
            scope: t!(lang, "chart-scope"),
            done: t!(lang, "chart-done"),
            today: t!(lang, "chart-today"),
            target: t!(lang, "chart-target"),
            features: t!(lang, "chart-features"),
            date_format: t!(lang, "chart-date-format"),
        };
        let png = chart::render(&b, &labels).map_err(render_failed)?;
        let (scope, done) = b.days.last().copied().unwrap_or((0, 0));
        let mut caption = t!(
            lang,
            "chart-caption",
            version = esc(&r.version),
            done = done,
            scope = scope,
            from = show_date(b.start, lang)
        );
        if let Some(d) = r.target_date {
            caption.push_str(" · ");
            caption.push_str(&t!(lang, "stats-target", date = show_date(d, lang)));
        }
        let file = File {
            kind: AttachmentKind::Photo,
            name: format!("burnup-{}.png", file_part(&r.version)),
            bytes: png,
        };
        let mut d = Done::unchanged(String::new());
        d.files.push((file, caption));
        Ok(d)
    }

    pub(super) async fn export(&mut self) -> Applied {
        let p = self.active_project()?;
        let lang = self.lang;
        let view = self.view();
        let feats = features::list(self.conn, p.id, &[]).await?;
        let rels = releases::list(self.conn, p.id).await?;
        let features_csv = export::features_csv(&feats, &rels, view.tz).map_err(render_failed)?;
        let mut events = export::EventsCsv::new(view.tz).map_err(render_failed)?;
        let mut after = EventId(0);
        loop {
            let page = event_log::project_page(self.conn, p.id, after, EXPORT_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for row in &page {
                events.push(row, &view).map_err(render_failed)?;
            }
            if (page.len() as i64) < EXPORT_PAGE {
                break;
            }
        }
        let rows = events.rows;
        let events_csv = events.finish().map_err(render_failed)?;
        let base = file_part(&p.name);
        let mut d = Done::unchanged(String::new());
        d.files.push((
            File {
                kind: AttachmentKind::Document,
                name: format!("{base}-features.csv"),
                bytes: features_csv,
            },
            t!(
                lang,
                "export-features",
                project = esc(&p.name),
                count = feats.len()
            ),
        ));
        d.files.push((
            File {
                kind: AttachmentKind::Document,
                name: format!("{base}-events.csv"),
                bytes: events_csv,
            },
            t!(lang, "export-events", project = esc(&p.name), count = rows),
        ));
        Ok(d)
    }
}
