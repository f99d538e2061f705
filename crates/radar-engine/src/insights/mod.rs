//! Insights from the event log: flow metrics (`/stats`), a release's
//! burn-up (`/chart`, drawn by [`chart`]) and the CSV export ([`export`]).
//!
//! Definitions (also in `/help stats` and the README):
//!
//! - Only events in effect count: an undo's compensating event and the
//!   event it reverts are both left out.
//! - **Done at**: a feature that is done now was done at its latest "→ done"
//!   event in effect (reopened and done again counts once, then).
//! - **Cycle time**: from the first time the feature entered "in progress"
//!   (or "planned", if it never was in progress) to its done, in days;
//!   median and 85th percentile (nearest rank) over the features done in
//!   the period. A feature that never was in progress nor planned has none.
//! - **Throughput**: features done per ISO week (Monday to Sunday in the
//!   user's time zone) of the period.
//! - **Work in progress**: features in progress now; **blocked**: features
//!   blocked now, for how long since their latest "→ blocked".
//! - **Forecast** of an open release: its features not done yet divided by
//!   the period's throughput per day, counted from today.
//! - **Burn-up scope** on a day: the features planned into the release at the
//!   end of that day (unplanned, deleted and cancelled ones leave it); **done**
//!   the ones of them that are done.
//!
//! Everything is read with indexed queries: the current features of one
//! project (`features_project_status_idx`) and the events of the features
//! that matter (`event_log_entity_idx`), never the whole log.

pub mod chart;
pub mod export;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use radar_store::features::Feature;
use radar_store::releases::Release;
use radar_store::{
    Conn, EventId, FeatureId, FeatureNumber, FeatureStatus, ProjectId, ReleaseId, ReleaseStatus,
    StoreError, event_log,
};

use crate::Lang;
use crate::change::{Change, Event, decode};
use crate::messages::t;
use crate::period::Period;

/// The period `/stats` covers when none is given: the last 4 weeks.
pub const DEFAULT_PERIOD: Period = Period::LastDays(28);

/// Decodes rows and keeps the events in effect: neither a compensating
/// event nor one an undo reverted. Oldest first.
pub fn in_effect(rows: &[event_log::Event]) -> Vec<Event> {
    let reverted: HashSet<EventId> = rows.iter().filter_map(|r| r.reverts_event_id).collect();
    let mut out: Vec<Event> = rows
        .iter()
        .filter(|r| r.reverts_event_id.is_none() && !reverted.contains(&r.id))
        .filter_map(|r| match decode(r) {
            Ok(e) => Some(e),
            Err(err) => {
                tracing::warn!(error = %err, "event skipped");
                None
            }
        })
        .collect();
    out.sort_by_key(|e| e.id);
    out
}

/// A feature's state as its events leave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureState {
    pub exists: bool,
    /// `None` until an event tells.
    pub status: Option<FeatureStatus>,
    pub release: Option<ReleaseId>,
}

impl Default for FeatureState {
    fn default() -> Self {
        FeatureState {
            exists: true,
            status: None,
            release: None,
        }
    }
}

impl FeatureState {
    /// The state after `change` (a change about this feature).
    pub fn apply(mut self, change: &Change) -> FeatureState {
        match change {
            Change::FeatureCreated { feature } => {
                self.exists = true;
                self.status = Some(feature.status);
                self.release = feature.release_id;
            }
            Change::FeatureDeleted { .. } => self.exists = false,
            Change::FeatureUpdated { diff, .. } => {
                if let Some(d) = &diff.status {
                    self.status = Some(d.after);
                }
                if let Some(d) = &diff.release {
                    self.release = d.after.as_ref().map(|r| r.id);
                }
            }
            _ => {}
        }
        self
    }

    /// In the scope of release `r` (planned into it, not deleted, not cancelled).
    pub fn in_scope(&self, r: ReleaseId) -> bool {
        self.exists && self.release == Some(r) && self.status != Some(FeatureStatus::Cancelled)
    }
}

/// The status a change gives the feature, if it sets one.
fn status_after(change: &Change) -> Option<FeatureStatus> {
    match change {
        Change::FeatureCreated { feature } => Some(feature.status),
        Change::FeatureUpdated { diff, .. } => diff.status.as_ref().map(|d| d.after),
        _ => None,
    }
}

/// When a feature that is done now was done: its latest "→ done" in effect.
/// `None` when its events do not leave it done.
pub fn done_at(events: &[Event]) -> Option<NaiveDateTime> {
    let mut state = FeatureState::default();
    let mut at = None;
    for e in events {
        state = state.apply(&e.change);
        if status_after(&e.change) == Some(FeatureStatus::Done) {
            at = Some(e.at);
        }
    }
    (state.exists && state.status == Some(FeatureStatus::Done))
        .then_some(at)
        .flatten()
}

/// When work on a feature started: the first "→ in progress", or the first
/// "→ planned" if it never was in progress (before `until`).
pub fn started_at(events: &[Event], until: NaiveDateTime) -> Option<NaiveDateTime> {
    let first = |s: FeatureStatus| {
        events
            .iter()
            .filter(|e| e.at <= until)
            .find(|e| status_after(&e.change) == Some(s))
            .map(|e| e.at)
    };
    first(FeatureStatus::InProgress).or_else(|| first(FeatureStatus::Planned))
}

/// Since when a feature is blocked: its latest "→ blocked" in effect.
pub fn blocked_since(events: &[Event]) -> Option<NaiveDateTime> {
    events
        .iter()
        .rev()
        .find(|e| status_after(&e.change) == Some(FeatureStatus::Blocked))
        .map(|e| e.at)
}

/// The median (the mean of the two middle values for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The `p`th percentile by nearest rank: the smallest value with at least
/// `p`% of the values at or below it.
pub fn percentile(values: &[f64], p: u32) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return None;
    }
    let rank = (f64::from(p) / 100.0 * v.len() as f64).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

/// A UTC timestamp's date in `tz`.
pub fn local_date(at: NaiveDateTime, tz: Tz) -> NaiveDate {
    Utc.from_utc_datetime(&at).with_timezone(&tz).date_naive()
}

fn days_between(from: NaiveDateTime, to: NaiveDateTime) -> f64 {
    (to - from).num_seconds() as f64 / 86_400.0
}

/// An ISO week: its year, number and Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    pub year: i32,
    pub number: u32,
    pub monday: NaiveDate,
}

impl Week {
    pub fn of(d: NaiveDate) -> Week {
        let w = d.iso_week();
        Week {
            year: w.year(),
            number: w.week(),
            monday: d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
        }
    }
}

/// A feature blocked now.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocked {
    pub number: FeatureNumber,
    pub name: String,
    pub reason: Option<String>,
    pub since: Option<NaiveDateTime>,
    /// Days blocked (fractional).
    pub days: Option<f64>,
}

/// An open release's progress and forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseForecast {
    pub version: String,
    pub done: usize,
    pub total: usize,
    pub target: Option<NaiveDate>,
    /// The day it would be done at the period's throughput; `None` when
    /// nothing was done in the period (no pace to forecast from) or when
    /// it is done already.
    pub forecast: Option<NaiveDate>,
}

/// The flow metrics of a project over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Days the period spans (for the throughput per day).
    pub days: f64,
    /// Features done in the period, per ISO week (every week of the period, zeros included).
    pub weeks: Vec<(Week, usize)>,
    pub done: usize,
    /// Cycle times in days of the features done in the period (those that have one).
    pub cycle_times: Vec<f64>,
    pub wip: usize,
    pub blocked: Vec<Blocked>,
    pub releases: Vec<ReleaseForecast>,
}

impl Flow {
    pub fn cycle_median(&self) -> Option<f64> {
        median(&self.cycle_times)
    }

    pub fn cycle_p85(&self) -> Option<f64> {
        percentile(&self.cycle_times, 85)
    }

    /// Features done per week, on average over the period.
    pub fn per_week(&self) -> f64 {
        if self.days <= 0.0 {
            0.0
        } else {
            self.done as f64 * 7.0 / self.days
        }
    }
}

/// The stories (events in effect, oldest first) of the given features.
async fn stories(
    conn: &mut Conn,
    ids: &[FeatureId],
) -> Result<HashMap<FeatureId, Vec<Event>>, StoreError> {
    let rows = event_log::feature_stories(conn, ids).await?;
    let mut by: HashMap<FeatureId, Vec<event_log::Event>> = HashMap::new();
    for r in rows {
        by.entry(FeatureId(r.entity_id)).or_default().push(r);
    }
    Ok(by
        .into_iter()
        .map(|(id, rows)| (id, in_effect(&rows)))
        .collect())
}

/// Computes the flow metrics of `project` for `[from, to)` as seen at `now`
/// in `tz`.
pub async fn flow(
    conn: &mut Conn,
    project: ProjectId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Flow, StoreError> {
    let features = radar_store::features::list(conn, project, &[]).await?;
    let wanted: Vec<FeatureId> = features
        .iter()
        .filter(|f| matches!(f.status, FeatureStatus::Done | FeatureStatus::Blocked))
        .map(|f| f.id)
        .collect();
    let stories = stories(conn, &wanted).await?;
    let (from_n, to_n) = (from.naive_utc(), to.naive_utc());
    let mut done_at_of: Vec<NaiveDateTime> = Vec::new();
    let mut cycle_times = Vec::new();
    let mut blocked = Vec::new();
    for f in &features {
        let story = stories.get(&f.id).map(Vec::as_slice).unwrap_or(&[]);
        match f.status {
            FeatureStatus::Done => {
                let Some(done) = done_at(story) else { continue };
                if done < from_n || done >= to_n {
                    continue;
                }
                done_at_of.push(done);
                if let Some(start) = started_at(story, done) {
                    cycle_times.push(days_between(start, done));
                }
            }
            FeatureStatus::Blocked => {
                let since = blocked_since(story);
                blocked.push(Blocked {
                    number: f.number,
                    name: f.name.clone(),
                    reason: f.status_reason.clone(),
                    since,
                    days: since.map(|s| days_between(s, now.naive_utc())),
                });
            }
            _ => {}
        }
    }
    blocked.sort_by(|a, b| b.days.unwrap_or(0.0).total_cmp(&a.days.unwrap_or(0.0)));
    let from_d = local_date(from_n, tz);
    let last = local_date((to - Duration::seconds(1)).naive_utc().max(from_n), tz);
    let mut weeks: BTreeMap<Week, usize> = BTreeMap::new();
    let mut d = from_d;
    while d <= last {
        weeks.entry(Week::of(d)).or_insert(0);
        d += Duration::days(7);
    }
    weeks.entry(Week::of(last)).or_insert(0);
    for at in &done_at_of {
        *weeks.entry(Week::of(local_date(*at, tz))).or_insert(0) += 1;
    }
    let days = days_between(from_n, to_n.min(now.naive_utc()).max(from_n));
    let done = done_at_of.len();
    let today = now.with_timezone(&tz).date_naive();
    let per_day = if days > 0.0 { done as f64 / days } else { 0.0 };
    let releases = radar_store::releases::list(conn, project)
        .await?
        .into_iter()
        .filter(|r| matches!(r.status, ReleaseStatus::Planned | ReleaseStatus::InProgress))
        .map(|r| forecast(&r, &features, per_day, today))
        .collect();
    Ok(Flow {
        from: from_d,
        to: last,
        days,
        weeks: weeks.into_iter().collect(),
        done,
        cycle_times,
        wip: features
            .iter()
            .filter(|f| f.status == FeatureStatus::InProgress)
            .count(),
        blocked,
        releases,
    })
}

/// A release's done/total now and the day it would be done at `per_day`.
pub fn forecast(
    r: &Release,
    features: &[Feature],
    per_day: f64,
    today: NaiveDate,
) -> ReleaseForecast {
    let mine = || {
        features
            .iter()
            .filter(|f| f.release_id == Some(r.id) && f.status != FeatureStatus::Cancelled)
    };
    let total = mine().count();
    let done = mine().filter(|f| f.status == FeatureStatus::Done).count();
    let remaining = total - done;
    let forecast = (remaining > 0 && per_day > 0.0)
        .then(|| today + Duration::days((remaining as f64 / per_day).ceil() as i64));
    ReleaseForecast {
        version: r.version.clone(),
        done,
        total,
        target: r.target_date,
        forecast,
    }
}

/// A release's burn-up: scope and done at the end of each day.
#[derive(Debug, Clone, PartialEq)]
pub struct BurnUp {
    pub version: String,
    pub start: NaiveDate,
    pub today: NaiveDate,
    pub target: Option<NaiveDate>,
    /// One entry a day from `start` to `today`: (scope, done).
    pub days: Vec<(usize, usize)>,
}

impl BurnUp {
    /// Scope and done at the end of `d` (`None` outside the series).
    pub fn on(&self, d: NaiveDate) -> Option<(usize, usize)> {
        let i = usize::try_from((d - self.start).num_days()).ok()?;
        self.days.get(i).copied()
    }
}

/// Computes the burn-up of release `r` (of `project`) up to `now` in `tz`.
pub async fn burnup(
    conn: &mut Conn,
    project: ProjectId,
    r: &Release,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<BurnUp, StoreError> {
    let mut ids: Vec<FeatureId> =
        event_log::features_naming_release(conn, project, r.id, r.created_at).await?;
    let current = radar_store::features::list(conn, project, &[]).await?;
    ids.extend(
        current
            .iter()
            .filter(|f| f.release_id == Some(r.id))
            .map(|f| f.id),
    );
    ids.sort_unstable();
    ids.dedup();
    let stories = stories(conn, &ids).await?;
    let today = now.with_timezone(&tz).date_naive();
    Ok(burnup_of(r, stories.values(), today, tz))
}

/// The burn-up of `r` from feature stories (pure: the fixture tests call it).
pub fn burnup_of<'a>(
    r: &Release,
    stories: impl Iterator<Item = &'a Vec<Event>>,
    today: NaiveDate,
    tz: Tz,
) -> BurnUp {
    let created = local_date(r.created_at, tz);
    // Per feature: its state at the end of each day it changed.
    let mut timelines: Vec<Vec<(NaiveDate, FeatureState)>> = Vec::new();
    let mut start = created;
    for story in stories {
        let mut state = FeatureState::default();
        let mut line: Vec<(NaiveDate, FeatureState)> = Vec::new();
        for e in story {
            state = state.apply(&e.change);
            let d = local_date(e.at, tz);
            if state.in_scope(r.id) {
                start = start.min(d);
            }
            match line.last_mut() {
                Some((last, s)) if *last == d => *s = state,
                _ => line.push((d, state)),
            }
        }
        timelines.push(line);
    }
    let start = start.min(today);
    let mut days = Vec::new();
    let mut d = start;
    while d <= today {
        let (mut scope, mut done) = (0, 0);
        for line in &timelines {
            let state = line.iter().take_while(|(day, _)| *day <= d).last();
            if let Some((_, s)) = state
                && s.in_scope(r.id)
            {
                scope += 1;
                if s.status == Some(FeatureStatus::Done) {
                    done += 1;
                }
            }
        }
        days.push((scope, done));
        d += Duration::days(1);
    }
    BurnUp {
        version: r.version.clone(),
        start,
        today,
        target: r.target_date,
        days,
    }
}

/// Days as people say them: `3.5 d` / `3,5 дн.`.
pub fn show_days(days: f64, lang: Lang) -> String {
    let rounded = (days * 10.0).round() / 10.0;
    let n = if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    };
    let n = match lang {
        Lang::Ru => n.replace('.', ","),
        Lang::En => n,
    };
    t!(lang, "stats-days", days = n)
}

/// The one-line summary of a project's flow over the last 4 weeks, for the
/// daily digest ("the metrics line"): done, throughput per week, cycle
/// time median, work in progress and blocked.
pub async fn metrics_line(
    conn: &mut Conn,
    project: ProjectId,
    lang: Lang,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let (from, to) = DEFAULT_PERIOD.bounds(now, tz);
    let f = flow(conn, project, from, to, now, tz).await?;
    Ok(summary_line(&f, lang))
}

/// [`metrics_line`]'s text, from computed metrics.
pub fn summary_line(f: &Flow, lang: Lang) -> String {
    let cycle = f
        .cycle_median()
        .map(|d| show_days(d, lang))
        .unwrap_or_else(|| "—".into());
    t!(
        lang,
        "stats-line",
        done = f.done,
        per_week = show_rate(f.per_week(), lang),
        cycle = cycle,
        wip = f.wip,
        blocked = f.blocked.len()
    )
}

/// A rate with one decimal (`1.8` / `1,8`).
pub fn show_rate(x: f64, lang: Lang) -> String {
    let s = format!("{:.1}", (x * 10.0).round() / 10.0);
    match lang {
        Lang::Ru => s.replace('.', ","),
        Lang::En => s,
    }
}
