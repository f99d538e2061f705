//! The board (a Telegram Mini App, issue 11) as data: what the page shows of
//! the active project, and the changes it asks for. The page's changes run
//! through [`Engine::handle`] like a chat command — the message key
//! `app:<user>:<key>` (the key is the page's idempotency key), the same
//! typed button data as a chat button (so a card moved from a stale board is
//! refused as outdated, as a stale button is), the same events, "what
//! changed" and undo. The chat gets no reply: the reply is stored as already
//! delivered (`Delivery::Inline`) and returned to the page.

use radar_store::event_log;
use radar_store::{
    EntityKind, EventId, FeatureId, FeatureNumber, FeatureStatus, ProjectId, ReleaseStatus, UserId,
    features, projects, releases, user_context,
};
use serde::{Deserialize, Serialize};

use crate::apply::{Cx, Fail, Touched};
use crate::buttons::ButtonAction;
use crate::messages::t;
use crate::render::html_to_plain;
use crate::status::StatusWords;
use crate::{Addressed, Engine, EngineError, Handled, Incoming, Input, Lang, Outcome};

/// The whole board of the user's active project (`GET /app/api/board`).
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub lang: &'static str,
    /// The context line, as text: every reply starts with it.
    pub context: String,
    pub project: Option<BoardProject>,
    pub projects: Vec<BoardProject>,
    /// Columns in order; `folded` ones (cancelled) start closed.
    pub columns: Vec<Column>,
    pub features: Vec<Card>,
    pub releases: Vec<BoardRelease>,
    /// The page's words in the user's language.
    pub words: Words,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardProject {
    pub id: i64,
    pub name: String,
    pub archived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// The status as stored (`in_progress`).
    pub status: &'static str,
    pub label: String,
    pub icon: &'static str,
    pub folded: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub id: i64,
    pub number: i64,
    pub name: String,
    pub status: &'static str,
    pub reason: Option<String>,
    pub teams: Option<String>,
    pub po: Option<String>,
    pub release: Option<String>,
    pub description: Option<String>,
    /// The latest event on the feature: a change carries it back, and is
    /// refused when the feature moved on meanwhile.
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardRelease {
    pub id: i64,
    pub version: String,
    pub target_date: Option<String>,
    pub status: &'static str,
    pub done: usize,
    pub total: usize,
}

/// Words the page shows, from the messages file (`board-*`).
#[derive(Debug, Clone, Serialize)]
pub struct Words {
    pub title: String,
    pub no_project: String,
    pub empty_column: String,
    pub history: String,
    pub move_to: String,
    pub switch_project: String,
    pub close: String,
    pub teams: String,
    pub po: String,
    pub release: String,
    pub refused: String,
    pub saving: String,
}

/// A feature's details and history (`GET /app/api/feature/N`).
#[derive(Debug, Clone, Serialize)]
pub struct CardDetail {
    pub card: Card,
    /// The history as `/history N` shows it, one line each (text).
    pub history: Vec<String>,
}

/// A change the page asks for (`POST /app/api/command`).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AppAction {
    /// Move a card: `{"action":"status","feature":ID,"status":"done","version":V}`.
    Status {
        feature: i64,
        status: String,
        version: i64,
    },
    /// Switch project: `{"action":"use","project":ID}`.
    Use { project: i64 },
}

/// How a page change ended.
#[derive(Debug, Clone, Serialize)]
pub struct AppResult {
    /// `changed`, `unchanged`, `rejected`, or `duplicate` (this key was
    /// applied before: a retried request; nothing changed now).
    pub outcome: &'static str,
    /// The reply a chat command would have had, as text.
    pub message: String,
}

/// Why a page change was not even tried.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the idempotency key must be 1 to 64 of A-Z a-z 0-9 _ -")]
    BadKey,
    #[error("unknown status")]
    BadStatus,
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Board order of the columns.
const COLUMNS: [FeatureStatus; 6] = [
    FeatureStatus::Backlog,
    FeatureStatus::Planned,
    FeatureStatus::InProgress,
    FeatureStatus::Blocked,
    FeatureStatus::Done,
    FeatureStatus::Cancelled,
];

fn words(lang: Lang) -> Words {
    Words {
        title: t!(lang, "board-title"),
        no_project: html_to_plain(&t!(lang, "board-no-project")),
        empty_column: t!(lang, "board-empty-column"),
        history: t!(lang, "board-history"),
        move_to: t!(lang, "board-move-to"),
        switch_project: t!(lang, "board-switch-project"),
        close: t!(lang, "board-close"),
        teams: t!(lang, "board-teams"),
        po: t!(lang, "board-po"),
        release: t!(lang, "board-release"),
        refused: t!(lang, "board-refused"),
        saving: t!(lang, "board-saving"),
    }
}

fn card(f: &features::Feature, release: Option<String>, version: i64) -> Card {
    Card {
        id: f.id.0,
        number: f.number.0,
        name: f.name.clone(),
        status: f.status.as_str(),
        reason: f.status_reason.clone(),
        teams: f.assigned_teams.clone(),
        po: f.assigned_po.clone(),
        release,
        description: f.description.clone(),
        version,
    }
}

/// The chat menu button's label (`setChatMenuButton`).
pub fn menu_label(lang: Lang) -> String {
    t!(lang, "board-title")
}

/// The words of the "not authorized" page state, for a page whose user is
/// not known (a forged or stale initData).
pub fn not_authorized(lang: Lang) -> String {
    t!(lang, "board-not-authorized")
}

impl Engine {
    /// The board of `user`'s active project: columns, cards, releases.
    pub async fn board(&self, user: UserId, lang: Lang) -> Result<Board, EngineError> {
        let mut conn = self.db.get().await?;
        let conn = &mut conn;
        // The user's /lang, if they chose one, over the Telegram client's.
        let (lang, _) = self.reader(conn, user, lang).await?;
        let active = user_context::active_project(conn, user).await?;
        let all = projects::list(conn).await?;
        let columns = COLUMNS
            .iter()
            .map(|&s| Column {
                status: s.as_str(),
                label: s.label(lang),
                icon: s.icon(),
                folded: s == FeatureStatus::Cancelled,
            })
            .collect();
        let mut board = Board {
            lang: lang.code(),
            context: html_to_plain(&crate::render::context_line(
                active.as_ref().map(|p| p.name.as_str()),
                lang,
            )),
            project: active.as_ref().map(|p| BoardProject {
                id: p.id.0,
                name: p.name.clone(),
                archived: p.is_archived(),
            }),
            projects: all
                .iter()
                .map(|p| BoardProject {
                    id: p.id.0,
                    name: p.name.clone(),
                    archived: p.is_archived(),
                })
                .collect(),
            columns,
            features: Vec::new(),
            releases: Vec::new(),
            words: words(lang),
        };
        let Some(p) = active else {
            return Ok(board);
        };
        let feats = features::list(conn, p.id, &[]).await?;
        let rels = releases::list(conn, p.id).await?;
        let versions: std::collections::HashMap<i64, EventId> =
            event_log::latest_in_project(conn, p.id, EntityKind::Feature)
                .await?
                .into_iter()
                .collect();
        let version_of = |id: FeatureId| versions.get(&id.0).copied().unwrap_or(EventId(1)).0;
        board.features = feats
            .iter()
            .map(|f| {
                let release = f
                    .release_id
                    .and_then(|r| rels.iter().find(|x| x.id == r))
                    .map(|r| r.version.clone());
                card(f, release, version_of(f.id))
            })
            .collect();
        board.releases = rels
            .iter()
            .filter(|r| r.status != ReleaseStatus::Cancelled)
            .map(|r| {
                let mine = feats
                    .iter()
                    .filter(|f| f.release_id == Some(r.id) && f.status != FeatureStatus::Cancelled);
                BoardRelease {
                    id: r.id.0,
                    version: r.version.clone(),
                    target_date: r.target_date.map(|d| d.to_string()),
                    status: r.status.as_str(),
                    done: mine
                        .clone()
                        .filter(|f| f.status == FeatureStatus::Done)
                        .count(),
                    total: mine.count(),
                }
            })
            .collect();
        Ok(board)
    }

    /// One card of the active project with its history, or `None` when the
    /// project has no feature `number`.
    pub async fn card(
        &self,
        user: UserId,
        lang: Lang,
        number: i64,
    ) -> Result<Option<CardDetail>, EngineError> {
        let mut conn = self.db.get().await?;
        let client_lang = lang;
        let (lang, tz) = self.reader(&mut conn, user, lang).await?;
        let project = user_context::active_project(&mut conn, user).await?;
        let Some(p) = project.clone() else {
            return Ok(None);
        };
        let Some(f) = features::by_number(&mut conn, p.id, FeatureNumber(number)).await? else {
            return Ok(None);
        };
        let release = match f.release_id {
            Some(r) => releases::get(&mut conn, r).await?.map(|r| r.version),
            None => None,
        };
        let version = event_log::latest_on(&mut conn, EntityKind::Feature, f.id.0)
            .await?
            .unwrap_or(EventId(1));
        let now = self.now().naive_utc();
        let mut cx = Cx {
            conn: &mut conn,
            engine: self,
            user,
            lang,
            client_lang,
            tz,
            key: "",
            now,
            at: now,
            project,
            // Not read: this command is not parsed from a message.
            conversation: None,
            versions: (None, None),
            names: None,
            data_events: 0,
            touched: Touched::default(),
            addressed: Addressed::Private,
        };
        let history = match cx.history(f.number).await {
            Ok(done) => html_to_plain(&done.text)
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            Err(Fail::Engine(e)) => return Err(e),
            Err(_) => Vec::new(),
        };
        Ok(Some(CardDetail {
            card: card(&f, release, version.0),
            history,
        }))
    }

    /// Applies a page change exactly once per `key` (the message key
    /// `app:<user>:<key>`), through the same path as a button press.
    pub async fn app_command(
        &self,
        user: UserId,
        lang: Lang,
        key: &str,
        action: &AppAction,
    ) -> Result<AppResult, AppError> {
        let key_ok = !key.is_empty()
            && key.len() <= 64
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !key_ok {
            return Err(AppError::BadKey);
        }
        let button = match action {
            AppAction::Status {
                feature,
                status,
                version,
            } => ButtonAction::SetStatus {
                feature: FeatureId(*feature),
                status: FeatureStatus::parse(status).ok_or(AppError::BadStatus)?,
                version: EventId(*version),
            },
            AppAction::Use { project } => ButtonAction::UseProject(ProjectId(*project)),
        };
        let mut msg = Incoming::app(user, key, lang, Input::Button(button.encode()));
        msg.authorized = true;
        Ok(match self.handle(&msg).await? {
            Handled::Duplicate => AppResult {
                outcome: "duplicate",
                message: String::new(),
            },
            Handled::Replied(r) => AppResult {
                outcome: match r.outcome {
                    Outcome::Changed => "changed",
                    Outcome::Unchanged => "unchanged",
                    _ => "rejected",
                },
                message: r
                    .messages
                    .iter()
                    .map(|m| m.plain())
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
        })
    }
}
