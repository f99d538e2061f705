//! Applying commands inside the message's transaction. Each kind of command
//! has its module; every change appends its typed event ([`Change`]) here,
//! so "what changed" and "undo" can be answered from the log.

mod conversation;
mod digest;
mod features;
mod history;
mod insights;
mod offers;
mod projects;
mod releases;
mod settings;
mod undo;
pub(crate) mod world;

use chrono::NaiveDateTime;
use radar_store::event_log::{self, NewEvent};
use radar_store::features::Feature;
use radar_store::projects::Project;
use radar_store::{
    Conn, EventId, FeatureId, FeatureNumber, ProjectId, ReleaseId, StoreError, UserId,
};

use crate::buttons::ButtonAction;
use crate::change::Change;
use crate::language::{self, Command, ParseCtx, Understanding};
use crate::message::{Input, Outcome};
use crate::messages::t;
use crate::reject::Rejection;
use crate::render::{Button, Keyboard, View};
use crate::status::StatusWords;
use crate::{Engine, EngineError, Lang};

pub use digest::{Digest, DigestPass, digest_key};

/// A command that went through: its reply and whether it changed data.
#[derive(Debug)]
pub(crate) struct Done {
    pub outcome: Outcome,
    pub text: String,
    pub keyboard: Option<Keyboard>,
    /// Files sent with the reply, each with its caption (a chart, an export).
    pub files: Vec<(crate::render::File, String)>,
}

impl Done {
    /// Data changed (the command wrote events).
    fn changed(text: String) -> Done {
        Done {
            outcome: Outcome::Changed,
            text,
            keyboard: None,
            files: Vec::new(),
        }
    }

    /// A read, or a command that would change nothing.
    fn unchanged(text: String) -> Done {
        Done {
            outcome: Outcome::Unchanged,
            text,
            keyboard: None,
            files: Vec::new(),
        }
    }

    /// Not a command (with buttons to offer, which a `Rejection` has not).
    fn rejected(text: String) -> Done {
        Done {
            outcome: Outcome::Rejected,
            text,
            keyboard: None,
            files: Vec::new(),
        }
    }

    fn with_keyboard(mut self, k: Keyboard) -> Done {
        if !k.0.is_empty() {
            self.keyboard = Some(k);
        }
        self
    }
}

/// Why a command did not go through.
#[derive(Debug)]
pub(crate) enum Fail {
    /// A clear refusal for the user; nothing changed.
    Rejected(Rejection),
    /// Not for us (a command addressed to another bot).
    Ignored,
    /// Our side failed: the transaction is rolled back.
    Engine(EngineError),
}

impl From<Rejection> for Fail {
    fn from(r: Rejection) -> Self {
        Fail::Rejected(r)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Engine(EngineError::Store(e))
    }
}

pub(crate) type Applied = Result<Done, Fail>;

/// A command being applied: the transaction's connection and what the
/// command runs with.
pub(crate) struct Cx<'a> {
    pub conn: &'a mut Conn,
    pub engine: &'a Engine,
    pub user: UserId,
    /// The reply language: the user's setting, else their client's.
    pub lang: Lang,
    /// The language of the user's client (what `/lang auto` goes back to).
    pub client_lang: Lang,
    /// The user's time zone: their setting, else `RADAR_TIMEZONE`.
    pub tz: chrono_tz::Tz,
    pub key: &'a str,
    /// Wall-clock now (UTC) for created_at/updated_at.
    pub now: NaiveDateTime,
    /// When the user sent the message: the events' timestamp.
    pub at: NaiveDateTime,
    /// The active project; updated when a command switches it.
    pub project: Option<Project>,
    /// What the user's previous command touched, as stored.
    pub conversation: Option<radar_store::conversation_state::Conversation>,
    /// The names versions of the project list and of the project that was
    /// active when the user's context was read ([`world`]).
    pub versions: (
        radar_store::names_versions::Version,
        Option<(ProjectId, radar_store::names_versions::Version)>,
    ),
    /// The active project's names as the message was understood in them
    /// ([`Cx::context`]): the add's duplicate check reads only the features
    /// named alike instead of the whole project.
    pub names: Option<(ProjectId, std::sync::Arc<world::ProjectNames>)>,
    /// Data events written so far (checks that "changed" means it).
    pub data_events: usize,
    /// What the command created (remembered for "it" in the next message).
    pub touched: Touched,
    /// Private chat, or how a group message addresses Radar.
    pub addressed: crate::Addressed,
}

/// Entities a command created.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    pub feature: Option<FeatureId>,
    pub release: Option<ReleaseId>,
    pub project: Option<ProjectId>,
}

impl Cx<'_> {
    pub fn view(&self) -> View {
        View {
            lang: self.lang,
            tz: self.zone(),
            me: self.user,
        }
    }

    /// The user's time zone: "today", ISO weeks, shown times and dates. One
    /// place, so per-user settings replace the configured zone here.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.tz
    }

    pub async fn dispatch(&mut self, input: &Input) -> Applied {
        match input {
            Input::Edited => Err(Rejection::Edited.into()),
            Input::Forwarded => Err(Rejection::Forwarded.into()),
            Input::NonText => Err(Rejection::NonText.into()),
            Input::NotUtf8 => Err(Rejection::NotUtf8.into()),
            Input::Text(text) => {
                let cx = self.context().await?;
                let pc = ParseCtx {
                    bot_username: self.engine.config().bot_username.as_deref(),
                    today: self.engine.today_in(self.tz),
                };
                let understood = language::understand(text, &pc, &cx.world);
                // A reply to Radar's message in a group is for Radar only when
                // it is a command the language reads fully; otherwise it is
                // someone talking ("thanks!"), and Radar stays silent.
                if self.addressed == crate::Addressed::ReplyToBot
                    && !matches!(understood, Understanding::Command(_))
                {
                    return Err(Fail::Ignored);
                }
                match understood {
                    Understanding::Command(cmd) => self.run(cmd, &cx).await,
                    Understanding::Ask { about, options } => self.ask(about, options, &cx).await,
                    Understanding::Problem(p) => Err(Rejection::Language(p).into()),
                    // No "did you mean" buttons in groups.
                    Understanding::NotUnderstood(_) if self.addressed.in_group() => {
                        self.not_understood(Vec::new(), &cx).await
                    }
                    Understanding::NotUnderstood(s) => self.not_understood(s, &cx).await,
                    Understanding::NotForMe => Err(Fail::Ignored),
                    Understanding::Empty => Err(Rejection::Empty.into()),
                }
            }
            Input::Button(data) => match ButtonAction::decode(data) {
                Some(ButtonAction::Offer(id)) => self.press_offer(id).await,
                Some(ButtonAction::Page { offer, page }) => self.press_page(offer, page).await,
                Some(ButtonAction::SetStatus {
                    feature,
                    status,
                    version,
                }) => {
                    let f = self.writable_feature_by_id(feature).await?;
                    self.button_current(feature, version).await?;
                    self.set_status(f, status, None).await
                }
                Some(ButtonAction::UseProject(id)) => self.use_project_id(id).await,
                Some(ButtonAction::Delete { feature, version }) => {
                    self.button_current(feature, version).await?;
                    self.delete_feature_by_id(feature).await
                }
                Some(ButtonAction::Dismiss) => Ok(Done::unchanged(t!(self.lang, "dismissed"))),
                None => Err(Rejection::OutdatedButton.into()),
            },
        }
    }

    /// Applies an understood command and remembers what it touched.
    async fn run(&mut self, cmd: Command, cx: &conversation::Context) -> Applied {
        let done = self.apply(&cmd).await?;
        self.remember(&cmd, cx).await?;
        Ok(done)
    }

    async fn apply(&mut self, cmd: &Command) -> Applied {
        use features::Field;
        let cmd = cmd.clone();
        match cmd {
            Command::Help { topic } => Ok(Done::unchanged(crate::help::help(
                self.lang,
                topic.as_deref(),
            ))),
            Command::WhoAmI => Ok(self.whoami()),
            Command::Dismiss => Ok(Done::unchanged(t!(self.lang, "dismissed"))),
            Command::Projects => self.projects().await,
            Command::NewProject { name, description } => self.new_project(&name, description).await,
            Command::UseProject { name } => self.use_project(&name).await,
            Command::UseProjectId(id) => self.use_project_id(id).await,
            Command::ArchiveProject { name } => self.archive(&name).await,
            Command::UnarchiveProject { name } => self.unarchive(&name).await,
            Command::RenameProject { name, new_name } => {
                self.rename_project(&name, &new_name).await
            }
            Command::AddFeature { name, description } => self.add_feature(&name, description).await,
            Command::Features(filter) => self.features(filter).await,
            Command::ShowFeature(n) => self.show_feature(n).await,
            Command::SetStatus {
                number,
                status,
                reason,
            } => {
                let f = self.writable_feature(number).await?;
                self.set_status(f, status, reason).await
            }
            Command::SetStatusById { feature, status } => {
                let f = self.writable_feature_by_id(feature).await?;
                self.set_status(f, status, None).await
            }
            Command::AssignTeam { number, teams } => {
                self.update_field(number, Field::Teams, teams).await
            }
            Command::AssignPo { number, po } => self.update_field(number, Field::Po, po).await,
            Command::Describe { number, text } => {
                self.update_field(number, Field::Description, text).await
            }
            Command::RenameFeature { number, name } => {
                self.update_field(number, Field::Name, name).await
            }
            Command::DeleteFeature { number, confirmed } => {
                let f = self.writable_feature(number).await?;
                if confirmed {
                    self.delete_feature(f).await
                } else {
                    self.confirm_delete(&f).await
                }
            }
            Command::DeleteFeatureById(id) => self.delete_feature_by_id(id).await,
            Command::NewRelease { version, date } => self.new_release(version, date).await,
            Command::Releases => self.releases().await,
            Command::ReleaseDate { version, date } => self.release_date(&version, date).await,
            Command::StartRelease { version } => {
                self.release_status(&version, radar_store::ReleaseStatus::InProgress)
                    .await
            }
            Command::CancelRelease { version } => {
                self.release_status(&version, radar_store::ReleaseStatus::Cancelled)
                    .await
            }
            Command::Plan { number, version } => self.plan(number, Some(version)).await,
            Command::Unplan(number) => self.plan(number, None).await,
            Command::Ship { version } => self.ship(&version).await,
            Command::Changes(period) => self.changes(period).await,
            Command::History(n) => self.history(n).await,
            Command::Undo => self.undo().await,
            Command::Stats(period) => self.stats(period).await,
            Command::Chart { version } => self.chart(&version).await,
            Command::Export => self.export().await,
            Command::Digest(at) => self.set_digest(at).await,
            Command::Timezone(zone) => self.set_time_zone(&zone).await,
            Command::Language(code) => self.set_language(code).await,
        }
    }

    // ------------------------------------------------------------ the log

    /// Appends a command's change to the event log.
    async fn log(
        &mut self,
        change: &Change,
        entity_id: i64,
        project: Option<ProjectId>,
    ) -> Result<EventId, Fail> {
        self.append(change, entity_id, project, None).await
    }

    async fn append(
        &mut self,
        change: &Change,
        entity_id: i64,
        project: Option<ProjectId>,
        reverts: Option<EventId>,
    ) -> Result<EventId, Fail> {
        let details = change.to_json();
        let id = event_log::append(
            self.conn,
            &NewEvent {
                correlation_id: self.key,
                user_id: self.user,
                project_id: project,
                action: if reverts.is_some() {
                    radar_store::Action::Undo
                } else {
                    change.action()
                },
                entity_type: change.entity_kind(),
                entity_id,
                details: &details,
                timestamp: self.at,
                created_at: self.now,
                reverts_event_id: reverts,
            },
        )
        .await?;
        if change.is_data() {
            self.data_events += 1;
        }
        Ok(id)
    }

    // ------------------------------------------------------------ lookups

    /// The active project, for a command that reads it.
    fn active_project(&self) -> Result<Project, Rejection> {
        self.project.clone().ok_or(Rejection::NoProject)
    }

    /// The active project, for a command that changes it.
    fn writable_project(&self) -> Result<Project, Rejection> {
        let p = self.active_project()?;
        if p.is_archived() {
            return Err(Rejection::Archived { project: p.name });
        }
        Ok(p)
    }

    /// Feature `#n` of the active project.
    async fn feature(&mut self, project: &Project, n: FeatureNumber) -> Result<Feature, Fail> {
        radar_store::features::by_number(self.conn, project.id, n)
            .await?
            .ok_or_else(|| {
                Rejection::NoFeature {
                    number: n,
                    project: project.name.clone(),
                }
                .into()
            })
    }

    /// Feature `#n` of the active project, which must be writable.
    async fn writable_feature(&mut self, n: FeatureNumber) -> Result<Feature, Fail> {
        let p = self.writable_project()?;
        self.feature(&p, n).await
    }

    /// A feature a button names by id (in any project, which must be writable).
    async fn writable_feature_by_id(&mut self, id: FeatureId) -> Result<Feature, Fail> {
        let f = radar_store::features::get(self.conn, id)
            .await?
            .ok_or(Rejection::FeatureGone)?;
        match radar_store::projects::get(self.conn, f.project_id).await? {
            Some(p) if p.is_archived() => Err(Rejection::Archived { project: p.name }.into()),
            Some(_) => Ok(f),
            None => Err(Rejection::FeatureGone.into()),
        }
    }

    // ------------------------------------------------------------ shared replies

    fn feature_title(f: &Feature) -> String {
        format!("#{} {}", f.number, crate::render::esc(&f.name))
    }

    /// A feature's version: the latest event on it (see [`ButtonAction`]).
    async fn feature_version(&mut self, id: radar_store::FeatureId) -> Result<EventId, Fail> {
        Ok(
            event_log::latest_on(self.conn, radar_store::EntityKind::Feature, id.0)
                .await?
                .unwrap_or(EventId(1)),
        )
    }

    /// Whether a button made for `version` of feature `id` is still current.
    async fn button_current(
        &mut self,
        id: radar_store::FeatureId,
        version: EventId,
    ) -> Result<(), Fail> {
        if self.feature_version(id).await? == version {
            Ok(())
        } else {
            Err(Rejection::OutdatedButton.into())
        }
    }

    /// A status picker under a feature.
    async fn status_keyboard(&mut self, f: &Feature) -> Result<Keyboard, Fail> {
        let version = self.feature_version(f.id).await?;
        Ok(self.status_keyboard_at(f, version))
    }

    /// A status picker under a feature whose latest event is `version` (the
    /// event the command just appended: no need to read it back).
    fn status_keyboard_at(&self, f: &Feature, version: EventId) -> Keyboard {
        let buttons: Vec<Button> = radar_store::FeatureStatus::ALL
            .iter()
            .map(|&s| Button {
                text: if s == f.status {
                    format!("• {}", s.label(self.lang))
                } else {
                    format!("{} {}", s.icon(), s.label(self.lang))
                },
                data: ButtonAction::SetStatus {
                    feature: f.id,
                    status: s,
                    version,
                }
                .encode(),
                web_app: None,
            })
            .collect();
        Keyboard(buttons.chunks(3).map(|c| c.to_vec()).collect())
    }

    fn whoami(&self) -> Done {
        let project = self.project.as_ref().map(|p| crate::render::esc(&p.name));
        Done::unchanged(t!(
            self.lang,
            "whoami",
            id = self.user.to_string(),
            project = project.unwrap_or_else(|| t!(self.lang, "whoami-no-project"))
        ))
    }
}
