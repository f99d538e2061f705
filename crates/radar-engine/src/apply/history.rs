//! Reading the log: "what changed" in a period, and one feature's history.
//! A long answer is one message of pages with ◀ ▶ buttons that edit it in
//! place: the buttons carry the id of an offer row that stores what is paged
//! through ([`Pager`]), so each press renders its page again from the log.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use radar_store::event_log::{self, Event as EventRow};
use radar_store::offered_actions::{self, NewOffer};
use radar_store::projects::Project;
use radar_store::{EntityKind, EventId, FeatureId, FeatureNumber, OfferId, ProjectId};

use super::{Applied, Cx, Done, Fail};
use crate::buttons::ButtonAction;
use crate::change::{Change, Event, decode};
use crate::describe::{event_line, event_title};
use crate::messages::t;
use crate::period::Period;
use crate::reject::Rejection;
use crate::render::{self, Button, Keyboard, View, esc};

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

/// A group's title: the entity as its newest event left it (after a
/// rename, the new name; after a rename since undone, the old one).
fn current_title(e: &Event, undone: bool, lang: crate::Lang) -> String {
    match &e.change {
        Change::FeatureUpdated {
            feature,
            diff: crate::change::FeatureDiff {
                name: Some(name), ..
            },
        } => {
            let now = if undone { &name.before } else { &name.after };
            format!("#{} {}", feature.number, esc(now))
        }
        _ => event_title(e, lang),
    }
}

/// The most events "what changed" reads for one period.
const CHANGES_LIMIT: i64 = 2000;

/// Events on one page of a long "what changed" (a page is one message;
/// see [`render::one_page`] for a page whose lines are too long).
const CHANGES_PAGE_EVENTS: usize = 30;

/// How long page buttons work (like offered commands).
const PAGES_LIFETIME_HOURS: i64 = 24;

/// What a paged answer shows, stored in its offer's `command` as
/// `page:changes:<project>:<period>:<now, µs>` or
/// `page:history:<feature>:<version>`. "What changed" keeps the moment it
/// was asked, so "today" means the same day on every page; a history is
/// outdated once its feature changed (like the feature's other buttons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pager {
    Changes {
        project: ProjectId,
        period: Period,
        at: DateTime<Utc>,
    },
    History {
        feature: FeatureId,
        version: EventId,
    },
}

impl Pager {
    fn encode(&self) -> String {
        match self {
            Pager::Changes {
                project,
                period,
                at,
            } => format!(
                "page:changes:{project}:{}:{}",
                period.code(),
                at.timestamp_micros()
            ),
            Pager::History { feature, version } => format!("page:history:{feature}:{version}"),
        }
    }

    fn decode(s: &str) -> Option<Pager> {
        let parts: Vec<&str> = s.split(':').collect();
        Some(match parts.as_slice() {
            ["page", "changes", p, period, at] => Pager::Changes {
                project: ProjectId(p.parse().ok()?),
                period: Period::from_code(period)?,
                at: DateTime::from_timestamp_micros(at.parse().ok()?)?,
            },
            ["page", "history", f, v] => Pager::History {
                feature: FeatureId(f.parse().ok()?),
                version: EventId(v.parse().ok()?),
            },
            _ => return None,
        })
    }
}

/// "What changed" in a project, whole, as lines (grouped per entity, groups
/// ordered by their newest event, newest first), for the daily digest; the
/// command shows one page at a time ([`Cx::changes_page`]).
pub(crate) struct ChangesText {
    pub lines: Vec<String>,
    /// Data events in the period (up to the limit).
    pub count: usize,
}

/// The data events of a period, by their keys, in the order "what changed"
/// shows them: grouped per entity, groups ordered by their newest event,
/// newest first within a group.
struct ChangeList {
    /// Every event with its group's index, in the order shown.
    shown: Vec<(usize, EventId)>,
    /// Each group's newest event (its title names the entity as it is now).
    newest: Vec<EventId>,
    /// Whether the period had more events than [`CHANGES_LIMIT`].
    limited: bool,
}

impl ChangeList {
    fn new(keys: &[event_log::EventKey]) -> ChangeList {
        let mut order: Vec<(EntityKind, i64)> = Vec::new();
        let mut groups: HashMap<(EntityKind, i64), Vec<EventId>> = HashMap::new();
        for k in keys {
            let g = (k.entity_type, k.entity_id);
            groups
                .entry(g)
                .or_insert_with(|| {
                    order.push(g);
                    Vec::new()
                })
                .push(k.id);
        }
        ChangeList {
            shown: order
                .iter()
                .enumerate()
                .flat_map(|(i, g)| groups[g].iter().map(move |id| (i, *id)))
                .collect(),
            newest: order.iter().map(|g| groups[g][0]).collect(),
            limited: keys.len() as i64 == CHANGES_LIMIT,
        }
    }
}

impl Cx<'_> {
    /// Who undid each of the events `ids` (the compensating events, by the
    /// id they revert).
    async fn undone(&mut self, ids: &[EventId]) -> Result<HashMap<EventId, EventRow>, Fail> {
        Ok(event_log::reverts_of(self.conn, ids)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.reverts_event_id?, r)))
            .collect())
    }

    /// The keys of the data events of `project` in `period` as seen at `at`.
    async fn change_list(
        &mut self,
        project: &Project,
        period: Period,
        at: DateTime<Utc>,
        view: &View,
    ) -> Result<Option<ChangeList>, Fail> {
        let (from, to) = period.bounds(at, view.tz);
        let keys = event_log::project_event_keys(
            self.conn,
            project.id,
            from.naive_utc(),
            to.naive_utc(),
            CHANGES_LIMIT,
        )
        .await?;
        Ok((!keys.is_empty()).then(|| ChangeList::new(&keys)))
    }

    /// The lines of `part` of `list` (consecutive entries of its `shown`):
    /// only these events' rows and undo marks are read. A group's title
    /// comes before its first event in `part` (so a group that goes on from
    /// the previous page repeats it).
    async fn change_lines(
        &mut self,
        list: &ChangeList,
        part: &[(usize, EventId)],
        view: &View,
    ) -> Result<Vec<String>, Fail> {
        let lang = view.lang;
        let mut ids: Vec<EventId> = part.iter().map(|(_, id)| *id).collect();
        ids.extend(part.iter().map(|(g, _)| list.newest[*g]));
        ids.sort_unstable();
        ids.dedup();
        let rows = event_log::by_ids(self.conn, &ids).await?;
        let events: HashMap<EventId, Event> =
            decode_all(&rows).into_iter().map(|e| (e.id, e)).collect();
        let undone = self.undone(&ids).await?;
        let mut lines = Vec::new();
        let mut group = None;
        for (g, id) in part {
            let Some(e) = events.get(id) else { continue };
            if group != Some(*g) {
                group = Some(*g);
                let newest = events.get(&list.newest[*g]).unwrap_or(e);
                lines.push(String::new());
                let title = current_title(newest, undone.contains_key(&newest.id), lang);
                lines.push(format!("<b>{title}</b>"));
            }
            let line = event_line(e, view);
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
        Ok(lines)
    }

    /// The events of `project` in `period` as seen at `at`, in words, all
    /// of them (the daily digest).
    pub(crate) async fn changes_text(
        &mut self,
        project: &Project,
        period: Period,
        at: DateTime<Utc>,
        view: &View,
    ) -> Result<Option<ChangesText>, Fail> {
        let Some(list) = self.change_list(project, period, at, view).await? else {
            return Ok(None);
        };
        let mut lines = self.change_lines(&list, &list.shown, view).await?;
        if list.limited {
            lines.push(String::new());
            lines.push(t!(view.lang, "changes-limited", count = CHANGES_LIMIT));
        }
        Ok(Some(ChangesText {
            lines,
            count: list.shown.len(),
        }))
    }

    /// Page `page` (from 0) of "what changed" in `project` during `period`
    /// as seen at `at`: the title (counting every event of the period), the
    /// page's lines and the number of pages; `None` when nothing changed.
    /// Only the keys of the period's events are read in full (from an
    /// index); the rows themselves only for the page's
    /// [`CHANGES_PAGE_EVENTS`] events, so the cost of a page does not grow
    /// with the period.
    async fn changes_page(
        &mut self,
        project: &Project,
        period: Period,
        at: DateTime<Utc>,
        view: &View,
        page: u32,
    ) -> Result<Option<(String, Vec<String>, u32)>, Fail> {
        let lang = view.lang;
        let Some(list) = self.change_list(project, period, at, view).await? else {
            return Ok(None);
        };
        let pages = list.shown.len().div_ceil(CHANGES_PAGE_EVENTS) as u32;
        let title = t!(
            lang,
            "changes-title",
            period = period.describe(lang),
            count = list.shown.len()
        );
        let start = page as usize * CHANGES_PAGE_EVENTS;
        let part = list
            .shown
            .get(start..(start + CHANGES_PAGE_EVENTS).min(list.shown.len()))
            .unwrap_or_default();
        let mut lines = self.change_lines(&list, part, view).await?;
        if list.limited && page + 1 == pages {
            lines.push(String::new());
            lines.push(t!(lang, "changes-limited", count = CHANGES_LIMIT));
        }
        Ok(Some((title, lines, pages)))
    }

    pub(super) async fn changes(&mut self, period: Period) -> Applied {
        let p = self.active_project()?;
        let at = self.engine.now();
        let pager = Pager::Changes {
            project: p.id,
            period,
            at,
        };
        self.show_page(pager, None, 0).await
    }

    pub(crate) async fn history(&mut self, n: FeatureNumber) -> Applied {
        let p = self.active_project()?;
        let f = self.feature(&p, n).await?;
        let version = self.feature_version(f.id).await?;
        let pager = Pager::History {
            feature: f.id,
            version,
        };
        self.show_page(pager, None, 0).await
    }

    /// Page `page` of what `pager` shows, as one message's text, and the
    /// number of pages. An outdated button when there is no such page.
    async fn page_text(&mut self, pager: Pager, page: u32) -> Result<(String, u32), Fail> {
        let view = self.view();
        let lang = self.lang;
        let header =
            render::context_line(self.project.as_ref().map(|p| p.name.as_str()), self.lang);
        match pager {
            Pager::Changes {
                project,
                period,
                at,
            } => {
                let p = match self.project.clone().filter(|p| p.id == project) {
                    Some(p) => p,
                    None => radar_store::projects::get(self.conn, project)
                        .await?
                        .ok_or(Rejection::OutdatedButton)?,
                };
                match self.changes_page(&p, period, at, &view, page).await? {
                    Some((_, _, count)) if page >= count => Err(Rejection::OutdatedButton.into()),
                    Some((title, lines, count)) => {
                        Ok((render::one_page(&header, &title, &lines), count))
                    }
                    None if page > 0 => Err(Rejection::OutdatedButton.into()),
                    None => Ok((
                        t!(
                            lang,
                            "changes-none",
                            project = esc(&p.name),
                            period = period.describe(lang)
                        ),
                        1,
                    )),
                }
            }
            Pager::History { feature, .. } => {
                let f = radar_store::features::get(self.conn, feature)
                    .await?
                    .ok_or(Rejection::OutdatedButton)?;
                const LIMIT: i64 = 500;
                let mut rows =
                    event_log::entity_history(self.conn, EntityKind::Feature, f.id.0, LIMIT)
                        .await?;
                rows.reverse();
                let events = decode_all(&rows);
                let undone: HashSet<EventId> = self
                    .undone(&events.iter().map(|e| e.id).collect::<Vec<_>>())
                    .await?
                    .into_keys()
                    .collect();
                let title = t!(lang, "history-title", feature = Self::feature_title(&f));
                let lines: Vec<String> = events
                    .iter()
                    .map(|e| {
                        let line = event_line(e, &view);
                        if undone.contains(&e.id) {
                            t!(lang, "history-undone", line = line)
                        } else {
                            format!("• {line}")
                        }
                    })
                    .collect();
                let mut pages = render::pages(&header, &title, &lines);
                let count = pages.len() as u32;
                if page >= count {
                    return Err(Rejection::OutdatedButton.into());
                }
                Ok((pages.swap_remove(page as usize), count))
            }
        }
    }

    /// Page `page` of what `pager` shows: the whole answer when it fits in
    /// one page, else that page with ◀ ▶ buttons. `offer` is the stored
    /// pager of a button press (a new one is stored on first showing).
    async fn show_page(&mut self, pager: Pager, offer: Option<OfferId>, page: u32) -> Applied {
        let (text, count) = self.page_text(pager, page).await?;
        if count == 1 && offer.is_none() {
            return Ok(Done::unchanged(text));
        }
        let offer = match offer {
            Some(id) => id,
            None => {
                offered_actions::insert(
                    self.conn,
                    &NewOffer {
                        user_id: self.user,
                        command: &pager.encode(),
                        created_at: self.now,
                        expires_at: self.now + Duration::hours(PAGES_LIFETIME_HOURS),
                    },
                )
                .await?
            }
        };
        let mut row = Vec::new();
        if page > 0 {
            row.push(Button {
                text: t!(self.lang, "page-prev"),
                data: ButtonAction::Page {
                    offer,
                    page: page - 1,
                }
                .encode(),
                web_app: None,
            });
        }
        if page + 1 < count {
            row.push(Button {
                text: t!(self.lang, "page-next"),
                data: ButtonAction::Page {
                    offer,
                    page: page + 1,
                }
                .encode(),
                web_app: None,
            });
        }
        let text = format!(
            "{text}\n\n{}",
            t!(self.lang, "page-of", page = page + 1, pages = count)
        );
        Ok(Done::unchanged(text).with_keyboard(Keyboard(vec![row])))
    }

    /// A press of ◀ or ▶: the page, rendered again from the log, replaces
    /// the message. An expired pager, another user's, or a history whose
    /// feature changed since is an outdated button.
    pub(super) async fn press_page(&mut self, id: OfferId, page: u32) -> Applied {
        let offer = offered_actions::get(self.conn, id)
            .await?
            .filter(|o| o.user_id == self.user && o.expires_at >= self.now)
            .ok_or(Rejection::OutdatedButton)?;
        let pager = Pager::decode(&offer.command).ok_or(Rejection::OutdatedButton)?;
        if let Pager::History { feature, version } = pager {
            self.button_current(feature, version).await?;
        }
        self.show_page(pager, Some(id), page).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers_round_trip() {
        for p in [
            Pager::Changes {
                project: ProjectId(3),
                period: Period::LastDays(7),
                at: DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap(),
            },
            Pager::History {
                feature: FeatureId(9),
                version: EventId(120),
            },
        ] {
            assert_eq!(Pager::decode(&p.encode()), Some(p));
        }
        assert_eq!(Pager::decode("/changes today"), None);
        assert_eq!(Pager::decode("page:history:1"), None);
    }
}
