//! Applying commands inside the message's transaction. Every change appends
//! its events here, with before/after values, so "what changed" and "undo"
//! can be answered from the log.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::parse::{self, Command, FeatureFilter, ParseContext, ParseError};
use super::render::{Button, Keyboard, esc, show_date, show_time};
use super::status::Status;
use super::{Body, Engine, EngineError, Input, Lang};
use crate::store::models::*;
use crate::store::{Conn, queries};
use crate::tr;

type R = Result<Body, EngineError>;

pub(super) struct Cx<'a> {
    pub conn: &'a mut Conn,
    pub engine: &'a Engine,
    pub user: i64,
    pub lang: Lang,
    pub key: &'a str,
    /// Wall-clock now (UTC) for created_at/updated_at.
    pub now: NaiveDateTime,
    /// When the user sent the message: the events' timestamp.
    pub at: NaiveDateTime,
    /// The active project; updated when a command switches it.
    pub project: Option<Project>,
    /// Set when an event was written.
    pub changed: bool,
}

/// Returns early with the rejection when there is no (writable) project.
macro_rules! need_project {
    ($cx:expr) => {
        match $cx.project.clone() {
            Some(p) => p,
            None => return Ok($cx.no_project()),
        }
    };
    ($cx:expr, writable) => {{
        let p = need_project!($cx);
        if p.status == "archived" {
            return Ok(Body::rejected(tr!(
                $cx.lang,
                "Project <b>{}</b> is archived: it can be read but not changed. /undo the archiving to change it again.",
                "Проект <b>{}</b> в архиве: его можно смотреть, но не менять. Чтобы вернуть, отмените архивацию (/undo).",
                esc(&p.name)
            )));
        }
        p
    }};
}

macro_rules! need_feature {
    ($cx:expr, $project:expr, $n:expr) => {
        match queries::feature_by_number($cx.conn, $project.id, $n).await? {
            Some(f) => f,
            None => return Ok($cx.no_feature($n)),
        }
    };
}

fn name_key(name: &str) -> String {
    name.to_lowercase()
}

fn opt_str(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

impl Cx<'_> {
    pub async fn dispatch(&mut self, input: &Input) -> R {
        let lang = self.lang;
        match input {
            Input::Edited => Ok(Body::rejected(tr!(
                lang,
                "✏️ Edits are not applied. Send the corrected command as a new message.",
                "✏️ Правки сообщений не применяются. Отправьте исправленную команду новым сообщением."
            ))),
            Input::Forwarded => Ok(Body::rejected(tr!(
                lang,
                "↪️ Forwarded messages are not executed. Send the command yourself.",
                "↪️ Пересланные сообщения не выполняются. Отправьте команду сами."
            ))),
            Input::NonText => Ok(Body::rejected(tr!(
                lang,
                "I only understand text commands. Try /help.",
                "Я понимаю только текстовые команды. Попробуйте /help."
            ))),
            Input::Text(text) => {
                let today = self.engine.today();
                let ctx = ParseContext {
                    bot_username: self.engine.cfg.bot_username.as_deref(),
                    today,
                };
                match parse::parse(text, &ctx) {
                    Ok(cmd) => self.apply(cmd).await,
                    Err(ParseError::NotForMe) => Ok(Body {
                        ignore: true,
                        ..Body::default()
                    }),
                    Err(e) => Ok(self.parse_error(e)),
                }
            }
            Input::Button(data) => match parse::parse_button(data) {
                Ok(cmd) => self.apply(cmd).await,
                Err(e) => Ok(self.parse_error(e)),
            },
        }
    }

    async fn apply(&mut self, cmd: Command) -> R {
        match cmd {
            Command::Help => Ok(Body::ok(help(self.lang))),
            Command::WhoAmI => Ok(self.whoami()),
            Command::Dismiss => Ok(Body::ok(tr!(
                self.lang,
                "OK, nothing changed.",
                "Хорошо, ничего не меняю."
            ))),
            Command::Projects => self.projects().await,
            Command::NewProject { name, description } => self.new_project(&name, description).await,
            Command::Use { name } => self.use_project(&name).await,
            Command::UseId(id) => self.use_project_id(id).await,
            Command::Archive { name } => self.archive(&name).await,
            Command::AddFeature { name, description } => self.add_feature(&name, description).await,
            Command::Features(filter) => self.features(filter).await,
            Command::ShowFeature(n) => self.show_feature(n).await,
            Command::SetStatus {
                number,
                status,
                reason,
            } => {
                let p = need_project!(self, writable);
                let f = need_feature!(self, p, number);
                self.set_status(f, status, reason).await
            }
            Command::SetStatusById { feature_id, status } => {
                let Some(f) = queries::feature_by_id(self.conn, feature_id).await? else {
                    return Ok(self.gone());
                };
                if let Some(b) = self.check_writable(f.project_id).await? {
                    return Ok(b);
                }
                self.set_status(f, status, None).await
            }
            Command::Team { number, teams } => {
                self.update_field(number, Field::Teams, Some(teams)).await
            }
            Command::Po { number, name } => self.update_field(number, Field::Po, Some(name)).await,
            Command::Describe { number, text } => {
                self.update_field(number, Field::Description, Some(text))
                    .await
            }
            Command::Rename { number, name } => {
                self.update_field(number, Field::Name, Some(name)).await
            }
            Command::Delete { number, confirmed } => {
                let p = need_project!(self, writable);
                let f = need_feature!(self, p, number);
                if confirmed {
                    self.delete_feature(f).await
                } else {
                    Ok(self.confirm_delete(&f))
                }
            }
            Command::DeleteById(id) => {
                let Some(f) = queries::feature_by_id(self.conn, id).await? else {
                    return Ok(Body::ok(tr!(
                        self.lang,
                        "That feature is already deleted. Nothing changed.",
                        "Эта фича уже удалена. Ничего не изменилось."
                    )));
                };
                if let Some(b) = self.check_writable(f.project_id).await? {
                    return Ok(b);
                }
                self.delete_feature(f).await
            }
            Command::NewRelease { version, date } => self.new_release(version, date).await,
            Command::Releases => self.releases().await,
            Command::Plan { number, version } => self.plan(number, Some(version)).await,
            Command::Unplan(number) => self.plan(number, None).await,
            Command::Ship { version } => self.ship(&version).await,
            Command::Changes(period) => self.changes(period).await,
            Command::History(n) => self.history(n).await,
            Command::Undo => self.undo().await,
        }
    }

    // ------------------------------------------------------------ helpers

    async fn log(
        &mut self,
        entity_type: &str,
        entity_id: i64,
        project_id: Option<i64>,
        action: &str,
        details: Value,
        reverts: Option<i64>,
    ) -> Result<i64, EngineError> {
        let e = NewEvent {
            correlation_id: self.key.to_string(),
            user_id: self.user,
            project_id,
            action: action.to_string(),
            entity_type: entity_type.to_string(),
            entity_id,
            details: details.to_string(),
            timestamp: self.at,
            created_at: self.now,
            reverts_event_id: reverts,
        };
        let id = queries::append_event(self.conn, &e).await?;
        if entity_type != "context" {
            self.changed = true;
        }
        Ok(id)
    }

    fn no_project(&self) -> Body {
        Body::rejected(tr!(
            self.lang,
            "No active project yet. Create one with /newproject NAME, or pick one: /projects",
            "Проект не выбран. Создайте его: /newproject НАЗВАНИЕ — или выберите: /projects"
        ))
    }

    fn no_feature(&self, n: i64) -> Body {
        let p = self
            .project
            .as_ref()
            .map(|p| esc(&p.name))
            .unwrap_or_default();
        Body::rejected(tr!(
            self.lang,
            "There is no feature #{} in {}. See /features all",
            "В проекте {1} нет фичи #{0}. Список: /features all",
            n,
            p
        ))
    }

    fn gone(&self) -> Body {
        Body::rejected(tr!(
            self.lang,
            "That feature no longer exists. Nothing changed.",
            "Этой фичи больше нет. Ничего не изменилось."
        ))
    }

    /// For buttons, which name a feature by id: its project must still be writable.
    async fn check_writable(&mut self, project_id: i64) -> Result<Option<Body>, EngineError> {
        match queries::project_by_id(self.conn, project_id).await? {
            Some(p) if p.status == "archived" => Ok(Some(Body::rejected(tr!(
                self.lang,
                "Project <b>{}</b> is archived: it can't be changed.",
                "Проект <b>{}</b> в архиве: его нельзя менять.",
                esc(&p.name)
            )))),
            Some(_) => Ok(None),
            None => Ok(Some(self.gone())),
        }
    }

    fn feature_ref(f: &Feature) -> Value {
        json!({"number": f.number, "name": f.name})
    }

    fn feature_title(f: &Feature) -> String {
        format!("#{} {}", f.number, esc(&f.name))
    }

    fn status_of(f: &Feature) -> Status {
        Status::from_db(&f.status).unwrap_or(Status::Backlog)
    }

    fn status_keyboard(&self, f: &Feature) -> Keyboard {
        let current = Self::status_of(f);
        let buttons: Vec<Button> = Status::ALL
            .iter()
            .map(|s| Button {
                text: if *s == current {
                    format!("• {}", s.label(self.lang))
                } else {
                    format!("{} {}", s.icon(), s.label(self.lang))
                },
                data: format!("st:{}:{}", f.id, s.code()),
            })
            .collect();
        Keyboard(buttons.chunks(3).map(|c| c.to_vec()).collect())
    }

    fn parse_error(&self, e: ParseError) -> Body {
        let lang = self.lang;
        Body::rejected(match e {
            ParseError::Empty => tr!(
                lang,
                "Send me a command, for example /help.",
                "Отправьте команду, например /help."
            ),
            ParseError::NotForMe => String::new(),
            ParseError::Unknown { .. } => tr!(
                lang,
                "I didn't understand that. Nothing changed. /help lists what I can do.",
                "Я не понял. Ничего не изменилось. Что я умею: /help"
            ),
            ParseError::UnknownCommand(c) => tr!(
                lang,
                "I don't know the command {}. Nothing changed. See /help",
                "Я не знаю команды {}. Ничего не изменилось. Список: /help",
                esc(&c)
            ),
            ParseError::Usage(u) => tr!(
                lang,
                "Usage: <code>{}</code>",
                "Формат: <code>{}</code>",
                esc(u)
            ),
            ParseError::BadNumber(s) => tr!(
                lang,
                "«{}» is not a feature number. Features are numbered #1, #2, …",
                "«{}» — не номер фичи. Фичи нумеруются #1, #2, …",
                esc(&s)
            ),
            ParseError::BadStatus(s) => tr!(
                lang,
                "I don't know the status «{}». Statuses: {}.",
                "Я не знаю статуса «{}». Статусы: {}.",
                esc(&s),
                Status::ALL
                    .iter()
                    .map(|s| s.label(lang))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ParseError::BadDate(s) => tr!(
                lang,
                "«{}» is not a valid date. Use YYYY-MM-DD, for example 2026-12-01.",
                "«{}» — неверная дата. Используйте ДД.ММ.ГГГГ, например 01.12.2026.",
                esc(&s)
            ),
            ParseError::BadPeriod(s) => tr!(
                lang,
                "I don't understand the period «{}». Try: today, yesterday, this week, in the last 3 days, since 2026-11-01.",
                "Я не понял период «{}». Например: сегодня, вчера, за неделю, за 3 дня, с 01.11.2026.",
                esc(&s)
            ),
            ParseError::TooLong { what, max } => tr!(
                lang,
                "That {} is too long: at most {} characters. Nothing changed.",
                "Слишком длинно ({}): не больше {} символов. Ничего не изменилось.",
                what,
                max
            ),
            ParseError::BadButton => tr!(
                lang,
                "That button is no longer valid. Nothing changed.",
                "Эта кнопка больше не действует. Ничего не изменилось."
            ),
        })
    }

    fn whoami(&self) -> Body {
        let project = self.project.as_ref().map(|p| esc(&p.name));
        Body::ok(tr!(
            self.lang,
            "You are user <code>{}</code>, language: English, allowed.\nActive project: {}",
            "Вы — пользователь <code>{}</code>, язык: русский, доступ есть.\nАктивный проект: {}",
            self.user,
            project.unwrap_or_else(|| tr!(self.lang, "none", "не выбран"))
        ))
    }

    // ------------------------------------------------------------ projects

    async fn suggestions(&mut self, name: &str) -> Result<Vec<String>, EngineError> {
        let all = queries::list_projects(self.conn).await?;
        let key = name_key(name);
        let mut scored: Vec<(f64, String)> = all
            .into_iter()
            .map(|p| {
                let score = strsim::jaro_winkler(&key, &p.name_key).max(
                    if p.name_key.contains(&key) || key.contains(&p.name_key) {
                        0.9
                    } else {
                        0.0
                    },
                );
                (score, p.name)
            })
            .filter(|(s, _)| *s >= 0.7)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        Ok(scored.into_iter().take(3).map(|(_, n)| n).collect())
    }

    async fn unknown_project(&mut self, name: &str) -> R {
        let sugg = self.suggestions(name).await?;
        let text = if sugg.is_empty() {
            tr!(
                self.lang,
                "There is no project «{}». See /projects",
                "Проекта «{}» нет. Список: /projects",
                esc(name)
            )
        } else {
            let list = sugg
                .iter()
                .map(|s| format!("<b>{}</b>", esc(s)))
                .collect::<Vec<_>>()
                .join(", ");
            tr!(
                self.lang,
                "There is no project «{}». Did you mean: {}?",
                "Проекта «{}» нет. Может быть, вы имели в виду: {}?",
                esc(name),
                list
            )
        };
        Ok(Body::rejected(text))
    }

    async fn projects(&mut self) -> R {
        let all = queries::list_projects(self.conn).await?;
        if all.is_empty() {
            return Ok(Body::ok(tr!(
                self.lang,
                "No projects yet. Create one: /newproject NAME",
                "Проектов пока нет. Создайте: /newproject НАЗВАНИЕ"
            )));
        }
        let active = self.project.as_ref().map(|p| p.id);
        let mut lines = vec![tr!(self.lang, "<b>Projects</b>", "<b>Проекты</b>")];
        let mut buttons = Vec::new();
        for p in &all {
            let mark = if Some(p.id) == active { " ◀" } else { "" };
            let archived = if p.status == "archived" {
                tr!(self.lang, " (archived)", " (в архиве)")
            } else {
                String::new()
            };
            lines.push(format!("• <b>{}</b>{}{}", esc(&p.name), archived, mark));
            if Some(p.id) != active && p.status == "active" && buttons.len() < 24 {
                let text: String = p.name.chars().take(30).collect();
                buttons.push(Button {
                    text: format!("→ {text}"),
                    data: format!("use:{}", p.id),
                });
            }
        }
        let kb = Keyboard(buttons.chunks(2).map(|c| c.to_vec()).collect());
        Ok(Body::ok(lines.join("\n")).with_keyboard(kb))
    }

    async fn switch_to(&mut self, p: Project) -> Result<(), EngineError> {
        let before = self.project.as_ref().map(|p| p.id);
        queries::set_active_project(self.conn, self.user, Some(p.id), self.now).await?;
        self.log(
            "context",
            self.user,
            Some(p.id),
            "switch",
            json!({"before": {"active_project_id": before}, "after": {"active_project_id": p.id}}),
            None,
        )
        .await?;
        self.project = Some(p);
        Ok(())
    }

    async fn new_project(&mut self, name: &str, description: Option<String>) -> R {
        let key = name_key(name);
        if let Some(p) = queries::project_by_key(self.conn, &key).await? {
            return Ok(Body::ok(tr!(
                self.lang,
                "Project <b>{}</b> already exists. Nothing changed. Switch to it: /use {}",
                "Проект <b>{}</b> уже есть. Ничего не изменилось. Переключиться: /use {}",
                esc(&p.name),
                esc(&p.name)
            )));
        }
        let p = queries::insert_project(
            self.conn,
            &NewProject {
                id: None,
                name,
                name_key: &key,
                description: description.as_deref(),
                status: "active",
                next_feature_number: 1,
                created_at: self.now,
                updated_at: self.now,
            },
        )
        .await?;
        self.log(
            "project",
            p.id,
            Some(p.id),
            "create",
            json!({"ref": {"name": p.name}, "snapshot": p}),
            None,
        )
        .await?;
        let name = esc(&p.name);
        self.switch_to(p).await?;
        Ok(Body::ok(tr!(
            self.lang,
            "✅ Created project <b>{}</b>; it is now your active project. Add a feature: /add NAME",
            "✅ Создан проект <b>{}</b>, он теперь активный. Добавьте фичу: /add НАЗВАНИЕ",
            name
        )))
    }

    async fn use_project(&mut self, name: &str) -> R {
        match queries::project_by_key(self.conn, &name_key(name)).await? {
            Some(p) => self.use_found(p).await,
            None => self.unknown_project(name).await,
        }
    }

    async fn use_project_id(&mut self, id: i64) -> R {
        match queries::project_by_id(self.conn, id).await? {
            Some(p) => self.use_found(p).await,
            None => Ok(Body::rejected(tr!(
                self.lang,
                "That project no longer exists. See /projects",
                "Этого проекта больше нет. Список: /projects"
            ))),
        }
    }

    async fn use_found(&mut self, p: Project) -> R {
        if self.project.as_ref().map(|a| a.id) == Some(p.id) {
            return Ok(Body::ok(tr!(
                self.lang,
                "You are already in <b>{}</b>.",
                "Вы уже в проекте <b>{}</b>.",
                esc(&p.name)
            )));
        }
        let archived = p.status == "archived";
        let name = esc(&p.name);
        self.switch_to(p).await?;
        let mut text = tr!(
            self.lang,
            "Switched to <b>{}</b>.",
            "Переключился на <b>{}</b>.",
            name
        );
        if archived {
            text.push_str(&tr!(
                self.lang,
                " It is archived: read only.",
                " Он в архиве: только чтение."
            ));
        }
        Ok(Body::ok(text))
    }

    async fn archive(&mut self, name: &str) -> R {
        let Some(p) = queries::project_by_key(self.conn, &name_key(name)).await? else {
            return self.unknown_project(name).await;
        };
        if p.status == "archived" {
            return Ok(Body::ok(tr!(
                self.lang,
                "Project <b>{}</b> is already archived. Nothing changed.",
                "Проект <b>{}</b> уже в архиве. Ничего не изменилось.",
                esc(&p.name)
            )));
        }
        queries::set_project_status(self.conn, p.id, "archived", self.now).await?;
        self.log(
            "project",
            p.id,
            Some(p.id),
            "update",
            json!({"ref": {"name": p.name}, "before": {"status": "active"}, "after": {"status": "archived"}}),
            None,
        )
        .await?;
        if let Some(a) = self.project.as_mut().filter(|a| a.id == p.id) {
            a.status = "archived".into();
        }
        Ok(Body::ok(tr!(
            self.lang,
            "🗄 Archived project <b>{}</b>. /undo brings it back.",
            "🗄 Проект <b>{}</b> в архиве. Вернуть: /undo",
            esc(&p.name)
        )))
    }

    // ------------------------------------------------------------ features

    async fn add_feature(&mut self, name: &str, description: Option<String>) -> R {
        let p = need_project!(self, writable);
        let existing = queries::list_features(self.conn, p.id, &[]).await?;
        let key = name_key(name);
        if let Some(f) = existing
            .iter()
            .find(|f| name_key(&f.name) == key && f.status != "cancelled")
        {
            return Ok(Body::ok(tr!(
                self.lang,
                "{} already exists ({}). Nothing changed.",
                "{} уже есть ({}). Ничего не изменилось.",
                Self::feature_title(f),
                Self::status_of(f).label(self.lang)
            ))
            .with_keyboard(self.status_keyboard(f)));
        }
        let number = queries::take_feature_number(self.conn, p.id).await?;
        let f = queries::insert_feature(
            self.conn,
            &NewFeature {
                id: None,
                project_id: p.id,
                number,
                name: name.to_string(),
                description,
                status: Status::Backlog.as_str().into(),
                status_reason: None,
                assigned_teams: None,
                assigned_po: None,
                release_id: None,
                created_at: self.now,
                updated_at: self.now,
            },
        )
        .await?;
        self.log(
            "feature",
            f.id,
            Some(p.id),
            "create",
            json!({"ref": Self::feature_ref(&f), "snapshot": f}),
            None,
        )
        .await?;
        Ok(Body::ok(tr!(
            self.lang,
            "➕ Added {} ({}).",
            "➕ Добавлена фича {} ({}).",
            Self::feature_title(&f),
            Status::Backlog.label(self.lang)
        ))
        .with_keyboard(self.status_keyboard(&f)))
    }

    async fn features(&mut self, filter: FeatureFilter) -> R {
        let p = need_project!(self);
        let statuses: Vec<&str> = match &filter {
            FeatureFilter::All => vec![],
            FeatureFilter::Open => vec!["backlog", "planned", "in_progress", "blocked"],
            FeatureFilter::Only(s) => vec![s.as_str()],
        };
        let list = queries::list_features(self.conn, p.id, &statuses).await?;
        let releases: HashMap<i64, String> = queries::list_releases(self.conn, p.id)
            .await?
            .into_iter()
            .map(|r| (r.id, r.version))
            .collect();
        let lang = self.lang;
        let title = match &filter {
            FeatureFilter::All => tr!(lang, "<b>All features</b>", "<b>Все фичи</b>"),
            FeatureFilter::Open => tr!(lang, "<b>Open features</b>", "<b>Открытые фичи</b>"),
            FeatureFilter::Only(s) => tr!(
                lang,
                "<b>Features: {}</b>",
                "<b>Фичи: {}</b>",
                s.label(lang)
            ),
        };
        if list.is_empty() {
            let hint = match filter {
                FeatureFilter::Only(_) => tr!(
                    lang,
                    "None. All features: /features all",
                    "Таких нет. Все фичи: /features all"
                ),
                _ => tr!(
                    lang,
                    "None yet. Add one: /add NAME",
                    "Пока нет. Добавьте: /add НАЗВАНИЕ"
                ),
            };
            return Ok(Body::ok(format!("{title}\n{hint}")));
        }
        let mut lines = vec![format!("{title} ({})", list.len())];
        for f in &list {
            let st = Self::status_of(f);
            let mut line = format!(
                "{} {} — {}",
                st.icon(),
                Self::feature_title(f),
                st.label(lang)
            );
            if let Some(r) = &f.status_reason {
                line.push_str(&format!(": <i>{}</i>", esc(r)));
            }
            if let Some(t) = &f.assigned_teams {
                line.push_str(&format!(" · 👥 {}", esc(t)));
            }
            if let Some(v) = f.release_id.and_then(|id| releases.get(&id)) {
                line.push_str(&format!(" · 🚀 {}", esc(v)));
            }
            lines.push(line);
        }
        Ok(Body::ok(lines.join("\n")))
    }

    async fn show_feature(&mut self, n: i64) -> R {
        let p = need_project!(self);
        let f = need_feature!(self, p, n);
        let lang = self.lang;
        let tz = self.engine.cfg.tz;
        let st = Self::status_of(&f);
        let mut lines = vec![format!("<b>{}</b>", Self::feature_title(&f))];
        let mut status = format!("{} {}", st.icon(), st.label(lang));
        if let Some(r) = &f.status_reason {
            status.push_str(&format!(": <i>{}</i>", esc(r)));
        }
        lines.push(tr!(lang, "Status: {}", "Статус: {}", status));
        if let Some(d) = &f.description {
            lines.push(tr!(lang, "Description: {}", "Описание: {}", esc(d)));
        }
        lines.push(tr!(
            lang,
            "Teams: {}",
            "Команды: {}",
            f.assigned_teams.as_deref().map(esc).unwrap_or("—".into())
        ));
        lines.push(tr!(
            lang,
            "PO: {}",
            "PO: {}",
            f.assigned_po.as_deref().map(esc).unwrap_or("—".into())
        ));
        let release = match f.release_id {
            Some(id) => queries::release_by_id(self.conn, id)
                .await?
                .map(|r| esc(&r.version)),
            None => None,
        };
        lines.push(tr!(
            lang,
            "Release: {}",
            "Релиз: {}",
            release.unwrap_or("—".into())
        ));
        lines.push(tr!(
            lang,
            "Created {}, updated {}",
            "Создана {}, изменена {}",
            show_time(f.created_at, tz, lang),
            show_time(f.updated_at, tz, lang)
        ));
        Ok(Body::ok(lines.join("\n")).with_keyboard(self.status_keyboard(&f)))
    }

    async fn set_status(&mut self, f: Feature, status: Status, reason: Option<String>) -> R {
        let lang = self.lang;
        let before = Self::status_of(&f);
        let in_other_project = self.project.as_ref().map(|p| p.id) != Some(f.project_id);
        if before == status && (reason.is_none() || reason == f.status_reason) {
            return Ok(Body::ok(tr!(
                lang,
                "{} is already {}. Nothing changed.",
                "{} уже в статусе «{}». Ничего не изменилось.",
                Self::feature_title(&f),
                status.label(lang)
            ))
            .with_keyboard(self.status_keyboard(&f)));
        }
        let changes = FeatureChanges {
            status: Some(status.as_str().into()),
            status_reason: Some(reason.clone()),
            updated_at: Some(self.now),
            ..Default::default()
        };
        let updated = queries::update_feature(self.conn, f.id, &changes).await?;
        self.log(
            "feature",
            f.id,
            Some(f.project_id),
            "update",
            json!({
                "ref": Self::feature_ref(&f),
                "before": {"status": f.status, "status_reason": opt_str(&f.status_reason)},
                "after": {"status": updated.status, "status_reason": opt_str(&updated.status_reason)},
            }),
            None,
        )
        .await?;
        let mut text = format!(
            "{} {}: {} → <b>{}</b>",
            status.icon(),
            Self::feature_title(&f),
            before.label(lang),
            status.label(lang)
        );
        if let Some(r) = &reason {
            text.push_str(&format!(" (<i>{}</i>)", esc(r)));
        }
        if in_other_project && let Some(p) = queries::project_by_id(self.conn, f.project_id).await?
        {
            text.push_str(&tr!(
                lang,
                "\n(in project <b>{}</b>)",
                "\n(в проекте <b>{}</b>)",
                esc(&p.name)
            ));
        }
        Ok(Body::ok(text).with_keyboard(self.status_keyboard(&updated)))
    }

    async fn update_field(&mut self, number: i64, field: Field, value: Option<String>) -> R {
        let p = need_project!(self, writable);
        let f = need_feature!(self, p, number);
        let lang = self.lang;
        let current = field.get(&f);
        if current == value {
            return Ok(Body::ok(tr!(
                lang,
                "{}: {} is already «{}». Nothing changed.",
                "{}: {} уже «{}». Ничего не изменилось.",
                Self::feature_title(&f),
                field.label(lang),
                esc(value.as_deref().unwrap_or("—"))
            )));
        }
        let mut changes = FeatureChanges {
            updated_at: Some(self.now),
            ..Default::default()
        };
        field.set(&mut changes, value.clone());
        queries::update_feature(self.conn, f.id, &changes).await?;
        let key = field.key();
        self.log(
            "feature",
            f.id,
            Some(f.project_id),
            "update",
            json!({
                "ref": Self::feature_ref(&f),
                "before": {key: current},
                "after": {key: value},
            }),
            None,
        )
        .await?;
        Ok(Body::ok(tr!(
            lang,
            "✏️ {}: {} {} → {}",
            "✏️ {}: {} {} → {}",
            Self::feature_title(&f),
            field.label(lang),
            esc(&short(current.as_deref().unwrap_or("—"))),
            esc(&short(value.as_deref().unwrap_or("—")))
        )))
    }

    fn confirm_delete(&self, f: &Feature) -> Body {
        let lang = self.lang;
        Body::ok(tr!(
            lang,
            "Delete {}? Press the button, or type <code>/delete {} yes</code>. (/undo can bring it back.)",
            "Удалить {}? Нажмите кнопку или напишите <code>/delete {} yes</code>. (Вернуть можно через /undo.)",
            Self::feature_title(f),
            f.number
        ))
        .with_keyboard(Keyboard(vec![vec![
            Button { text: tr!(lang, "🗑 Yes, delete #{}", "🗑 Да, удалить #{}", f.number), data: format!("del:{}", f.id) },
            Button { text: tr!(lang, "Cancel", "Отмена"), data: "nop".into() },
        ]]))
    }

    async fn delete_feature(&mut self, f: Feature) -> R {
        queries::delete_feature(self.conn, f.id).await?;
        self.log(
            "feature",
            f.id,
            Some(f.project_id),
            "delete",
            json!({"ref": Self::feature_ref(&f), "snapshot": f}),
            None,
        )
        .await?;
        Ok(Body::ok(tr!(
            self.lang,
            "🗑 Deleted {}. /undo brings it back.",
            "🗑 Фича {} удалена. Вернуть: /undo",
            Self::feature_title(&f)
        )))
    }

    // ------------------------------------------------------------ releases

    async fn new_release(&mut self, version: String, date: Option<chrono::NaiveDate>) -> R {
        let p = need_project!(self, writable);
        let lang = self.lang;
        if let Some(r) = queries::release_by_version(self.conn, p.id, &version).await? {
            return Ok(Body::ok(tr!(
                lang,
                "Release <b>{}</b> already exists. Nothing changed.",
                "Релиз <b>{}</b> уже есть. Ничего не изменилось.",
                esc(&r.version)
            )));
        }
        let r = queries::insert_release(
            self.conn,
            &NewRelease {
                id: None,
                project_id: p.id,
                version,
                target_date: date,
                status: "planned".into(),
                created_at: self.now,
                updated_at: self.now,
                released_at: None,
            },
        )
        .await?;
        self.log(
            "release",
            r.id,
            Some(p.id),
            "create",
            json!({"ref": {"version": r.version}, "snapshot": r}),
            None,
        )
        .await?;
        let when = r
            .target_date
            .map(|d| tr!(lang, " for {}", " на {}", show_date(d, lang)))
            .unwrap_or_default();
        Ok(Body::ok(tr!(
            lang,
            "🚀 Created release <b>{}</b>{}. Plan features into it: /plan N {}",
            "🚀 Создан релиз <b>{}</b>{}. Добавьте фичи: /plan N {}",
            esc(&r.version),
            when,
            esc(&r.version)
        )))
    }

    fn release_line(&self, r: &Release, feats: &[Feature]) -> String {
        let lang = self.lang;
        let mine: Vec<&Feature> = feats
            .iter()
            .filter(|f| f.release_id == Some(r.id))
            .collect();
        let total = mine.iter().filter(|f| f.status != "cancelled").count();
        let done = mine.iter().filter(|f| f.status == "done").count();
        let pct = (done * 100).checked_div(total).unwrap_or(0);
        let status = match (r.status.as_str(), lang) {
            ("planned", Lang::En) => "planned",
            ("in_progress", Lang::En) => "in progress",
            ("released", Lang::En) => "released",
            ("cancelled", Lang::En) => "cancelled",
            ("planned", Lang::Ru) => "запланирован",
            ("in_progress", Lang::Ru) => "в работе",
            ("released", Lang::Ru) => "выпущен",
            ("cancelled", Lang::Ru) => "отменён",
            (s, _) => s,
        };
        let mut line = format!("🚀 <b>{}</b> — {}", esc(&r.version), status);
        if let Some(d) = r.target_date {
            line.push_str(&format!(" · {}", show_date(d, lang)));
        }
        line.push_str(&tr!(
            lang,
            " · {}/{} done ({}%)",
            " · готово {}/{} ({}%)",
            done,
            total,
            pct
        ));
        line
    }

    async fn releases(&mut self) -> R {
        let p = need_project!(self);
        let list = queries::list_releases(self.conn, p.id).await?;
        if list.is_empty() {
            return Ok(Body::ok(tr!(
                self.lang,
                "No releases yet. Create one: /release 1.0 2026-12-01",
                "Релизов пока нет. Создайте: /release 1.0 2026-12-01"
            )));
        }
        let feats = queries::features_in_releases(self.conn, p.id).await?;
        let mut lines = vec![tr!(self.lang, "<b>Releases</b>", "<b>Релизы</b>")];
        for r in &list {
            lines.push(self.release_line(r, &feats));
        }
        Ok(Body::ok(lines.join("\n")))
    }

    async fn unknown_release(&mut self, project: i64, version: &str) -> R {
        let known: Vec<String> = queries::list_releases(self.conn, project)
            .await?
            .into_iter()
            .map(|r| esc(&r.version))
            .collect();
        let lang = self.lang;
        let mut text = tr!(
            lang,
            "There is no release «{}». Create it: /release {}",
            "Релиза «{}» нет. Создайте: /release {}",
            esc(version),
            esc(version)
        );
        if !known.is_empty() {
            text.push_str(&tr!(
                lang,
                "\nReleases: {}",
                "\nРелизы: {}",
                known.join(", ")
            ));
        }
        Ok(Body::rejected(text))
    }

    async fn plan(&mut self, number: i64, version: Option<String>) -> R {
        let p = need_project!(self, writable);
        let f = need_feature!(self, p, number);
        let lang = self.lang;
        let target = match &version {
            Some(v) => match queries::release_by_version(self.conn, p.id, v).await? {
                Some(r) => Some(r),
                None => return self.unknown_release(p.id, v).await,
            },
            None => None,
        };
        let current = match f.release_id {
            Some(id) => queries::release_by_id(self.conn, id).await?,
            None => None,
        };
        if current.as_ref().map(|r| r.id) == target.as_ref().map(|r| r.id) {
            return Ok(Body::ok(match &target {
                Some(r) => tr!(
                    lang,
                    "{} is already in release {}. Nothing changed.",
                    "{} уже в релизе {}. Ничего не изменилось.",
                    Self::feature_title(&f),
                    esc(&r.version)
                ),
                None => tr!(
                    lang,
                    "{} is not in any release. Nothing changed.",
                    "{} не входит ни в один релиз. Ничего не изменилось.",
                    Self::feature_title(&f)
                ),
            }));
        }
        let changes = FeatureChanges {
            release_id: Some(target.as_ref().map(|r| r.id)),
            updated_at: Some(self.now),
            ..Default::default()
        };
        queries::update_feature(self.conn, f.id, &changes).await?;
        self.log(
            "feature",
            f.id,
            Some(p.id),
            "update",
            json!({
                "ref": Self::feature_ref(&f),
                "before": {"release_id": current.as_ref().map(|r| r.id), "release": current.as_ref().map(|r| r.version.clone())},
                "after": {"release_id": target.as_ref().map(|r| r.id), "release": target.as_ref().map(|r| r.version.clone())},
            }),
            None,
        )
        .await?;
        Ok(Body::ok(match &target {
            Some(r) => tr!(
                lang,
                "🚀 {} is planned into release <b>{}</b>.",
                "🚀 {} добавлена в релиз <b>{}</b>.",
                Self::feature_title(&f),
                esc(&r.version)
            ),
            None => tr!(
                lang,
                "{} is no longer in release {}.",
                "{} убрана из релиза {}.",
                Self::feature_title(&f),
                esc(&current.map(|r| r.version).unwrap_or_default())
            ),
        }))
    }

    async fn ship(&mut self, version: &str) -> R {
        let p = need_project!(self, writable);
        let lang = self.lang;
        let Some(r) = queries::release_by_version(self.conn, p.id, version).await? else {
            return self.unknown_release(p.id, version).await;
        };
        if r.status == "released" {
            return Ok(Body::ok(tr!(
                lang,
                "Release <b>{}</b> is already out. Nothing changed.",
                "Релиз <b>{}</b> уже выпущен. Ничего не изменилось.",
                esc(&r.version)
            )));
        }
        let updated = queries::update_release(
            self.conn,
            r.id,
            &ReleaseChanges {
                status: Some("released".into()),
                released_at: Some(Some(self.at)),
                updated_at: Some(self.now),
                ..Default::default()
            },
        )
        .await?;
        self.log(
            "release",
            r.id,
            Some(p.id),
            "update",
            json!({
                "ref": {"version": r.version},
                "before": {"status": r.status, "released_at": r.released_at},
                "after": {"status": updated.status, "released_at": updated.released_at},
            }),
            None,
        )
        .await?;
        let feats = queries::features_in_releases(self.conn, p.id).await?;
        let open: Vec<String> = feats
            .iter()
            .filter(|f| {
                f.release_id == Some(r.id) && !matches!(f.status.as_str(), "done" | "cancelled")
            })
            .map(Self::feature_title)
            .collect();
        let mut text = tr!(
            lang,
            "🎉 Release <b>{}</b> is out!\n{}",
            "🎉 Релиз <b>{}</b> выпущен!\n{}",
            esc(&r.version),
            self.release_line(&updated, &feats)
        );
        if !open.is_empty() {
            text.push_str(&tr!(
                lang,
                "\nNot done: {}",
                "\nНе готово: {}",
                open.join(", ")
            ));
        }
        Ok(Body::ok(text))
    }

    // ------------------------------------------------------------ the log

    async fn changes(&mut self, period: super::period::Period) -> R {
        let p = need_project!(self);
        let lang = self.lang;
        let tz = self.engine.cfg.tz;
        let (from, to) = period.bounds(self.engine.now(), tz);
        const LIMIT: i64 = 2000;
        let events =
            queries::project_events(self.conn, p.id, from.naive_utc(), to.naive_utc(), LIMIT)
                .await?;
        if events.is_empty() {
            return Ok(Body::ok(tr!(
                lang,
                "Nothing changed in <b>{}</b> {}.",
                "В проекте <b>{}</b> ничего не менялось {}.",
                esc(&p.name),
                period.describe(lang)
            )));
        }
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        let reverts: HashMap<i64, Event> = queries::reverts_of(self.conn, &ids)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.reverts_event_id?, r)))
            .collect();
        // Group per entity, groups ordered by their newest event.
        let mut order: Vec<(String, i64)> = Vec::new();
        let mut groups: HashMap<(String, i64), Vec<&Event>> = HashMap::new();
        for e in &events {
            let k = (e.entity_type.clone(), e.entity_id);
            if !groups.contains_key(&k) {
                order.push(k.clone());
            }
            groups.entry(k).or_default().push(e);
        }
        let mut lines = vec![tr!(
            lang,
            "<b>What changed {}</b> ({} changes)",
            "<b>Что изменилось {}</b> (изменений: {})",
            period.describe(lang),
            events.len()
        )];
        for k in &order {
            let evs = &groups[k];
            lines.push(String::new());
            lines.push(format!("<b>{}</b>", entity_title(evs[0], lang)));
            for e in evs {
                let who = self.who(e.user_id);
                let what = describe_event(e, lang);
                let when = show_time(e.timestamp, tz, lang);
                match reverts.get(&e.id) {
                    Some(u) => lines.push(tr!(
                        lang,
                        "• <s>{} · {} · {}</s> — undone by {}",
                        "• <s>{} · {} · {}</s> — отменено ({})",
                        when,
                        who,
                        what,
                        self.who(u.user_id)
                    )),
                    None => lines.push(format!("• {when} · {who} · {what}")),
                }
            }
        }
        if events.len() as i64 == LIMIT {
            lines.push(tr!(
                lang,
                "\n(only the latest {} are shown)",
                "\n(показаны последние {})",
                LIMIT
            ));
        }
        Ok(Body::ok(lines.join("\n")))
    }

    fn who(&self, user: i64) -> String {
        if user == self.user {
            tr!(self.lang, "you", "вы")
        } else {
            tr!(self.lang, "user {}", "пользователь {}", user)
        }
    }

    async fn history(&mut self, n: i64) -> R {
        let p = need_project!(self);
        let f = need_feature!(self, p, n);
        let lang = self.lang;
        let tz = self.engine.cfg.tz;
        const LIMIT: i64 = 500;
        let mut events = queries::entity_history(self.conn, "feature", f.id, LIMIT).await?;
        events.reverse();
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        let undone: HashSet<i64> = queries::reverts_of(self.conn, &ids)
            .await?
            .into_iter()
            .filter_map(|r| r.reverts_event_id)
            .collect();
        let mut lines = vec![tr!(
            lang,
            "<b>History of {}</b>",
            "<b>История {}</b>",
            Self::feature_title(&f)
        )];
        for e in &events {
            let line = format!(
                "{} · {} · {}",
                show_time(e.timestamp, tz, lang),
                self.who(e.user_id),
                describe_event(e, lang)
            );
            lines.push(if undone.contains(&e.id) {
                tr!(lang, "• <s>{}</s> (undone)", "• <s>{}</s> (отменено)", line)
            } else {
                format!("• {line}")
            });
        }
        Ok(Body::ok(lines.join("\n")))
    }

    // ------------------------------------------------------------ undo

    async fn undo(&mut self) -> R {
        let lang = self.lang;
        let Some(latest) = queries::latest_undoable_event(self.conn, self.user).await? else {
            return Ok(Body::ok(tr!(lang, "Nothing to undo.", "Отменять нечего.")));
        };
        // Undo the whole command that wrote it (all its events), newest first.
        let mut group = queries::events_of_command(self.conn, &latest.correlation_id).await?;
        let gids: Vec<i64> = group.iter().map(|e| e.id).collect();
        let done: HashSet<i64> = queries::reverts_of(self.conn, &gids)
            .await?
            .into_iter()
            .filter_map(|r| r.reverts_event_id)
            .collect();
        group.retain(|e| e.user_id == self.user && !done.contains(&e.id));
        group.reverse();
        let gids: HashSet<i64> = group.iter().map(|e| e.id).collect();

        // Refuse if anyone changed the same thing since.
        for e in &group {
            let later = if e.entity_type == "project" && e.action == "create" {
                queries::project_events_after(self.conn, e.entity_id, e.id).await?
            } else {
                queries::entity_events_after(self.conn, &e.entity_type, e.entity_id, e.id).await?
            };
            let candidates: Vec<&Event> = later
                .iter()
                .filter(|l| l.reverts_event_id.is_none() && !gids.contains(&l.id))
                .collect();
            let ids: Vec<i64> = candidates.iter().map(|l| l.id).collect();
            let reverted: HashSet<i64> = queries::reverts_of(self.conn, &ids)
                .await?
                .into_iter()
                .filter_map(|r| r.reverts_event_id)
                .collect();
            if let Some(blocker) = candidates.into_iter().find(|l| !reverted.contains(&l.id)) {
                return Ok(Body::rejected(tr!(
                    lang,
                    "Can't undo «{}: {}»: {} changed it since ({}, {}). Nothing changed.",
                    "Нельзя отменить «{}: {}»: потом это изменил(а) {} ({}, {}). Ничего не изменилось.",
                    entity_title(e, lang),
                    describe_event(e, lang),
                    self.who(blocker.user_id),
                    describe_event(blocker, lang),
                    show_time(blocker.timestamp, self.engine.cfg.tz, lang)
                )));
            }
            if let Some(reason) = self.undo_blocked(e).await? {
                return Ok(Body::rejected(reason));
            }
        }

        let mut lines = vec![tr!(lang, "↩️ Undone:", "↩️ Отменено:")];
        for e in &group {
            self.revert(e).await?;
            lines.push(format!(
                "• {}: {}",
                entity_title(e, lang),
                describe_event(e, lang)
            ));
        }
        // The active project may have been affected (undone creation, archive).
        self.project = match self.project.as_ref() {
            Some(p) => queries::project_by_id(self.conn, p.id).await?,
            None => None,
        };
        Ok(Body::ok(lines.join("\n")))
    }

    /// Reasons an undo can't be done that the log alone doesn't show.
    async fn undo_blocked(&mut self, e: &Event) -> Result<Option<String>, EngineError> {
        let lang = self.lang;
        let d: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
        match (e.entity_type.as_str(), e.action.as_str()) {
            ("feature", "delete") | ("release", "delete") => {
                let pid = d["snapshot"]["project_id"].as_i64().unwrap_or_default();
                if queries::project_by_id(self.conn, pid).await?.is_none() {
                    return Ok(Some(tr!(
                        lang,
                        "Can't undo: its project no longer exists.",
                        "Нельзя отменить: проекта больше нет."
                    )));
                }
            }
            ("release", "create") => {
                let feats =
                    queries::features_in_releases(self.conn, e.project_id.unwrap_or_default())
                        .await?;
                if feats.iter().any(|f| f.release_id == Some(e.entity_id)) {
                    return Ok(Some(tr!(
                        lang,
                        "Can't undo creating release {}: features are planned into it. /unplan them first.",
                        "Нельзя отменить создание релиза {}: в нём есть фичи. Сначала уберите их (/unplan).",
                        esc(d["ref"]["version"].as_str().unwrap_or_default())
                    )));
                }
            }
            ("feature", "update") => {
                if let Some(rid) = d["before"]["release_id"].as_i64()
                    && queries::release_by_id(self.conn, rid).await?.is_none()
                {
                    return Ok(Some(tr!(
                        lang,
                        "Can't undo: that release no longer exists.",
                        "Нельзя отменить: этого релиза больше нет."
                    )));
                }
            }
            _ => {}
        }
        Ok(None)
    }

    async fn revert(&mut self, e: &Event) -> Result<(), EngineError> {
        let d: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
        let mut undo = json!({"ref": d["ref"], "undoes": e.action});
        match (e.entity_type.as_str(), e.action.as_str()) {
            ("project", "create") => {
                queries::delete_project(self.conn, e.entity_id).await?;
                undo["snapshot"] = d["snapshot"].clone();
            }
            ("project", "update") => {
                if let Some(s) = d["before"]["status"].as_str() {
                    queries::set_project_status(self.conn, e.entity_id, s, self.now).await?;
                }
                undo["before"] = d["after"].clone();
                undo["after"] = d["before"].clone();
            }
            ("feature", "create") => {
                queries::delete_feature(self.conn, e.entity_id).await?;
                undo["snapshot"] = d["snapshot"].clone();
            }
            ("feature", "delete") => {
                let f: Feature = serde_json::from_value(d["snapshot"].clone()).map_err(|err| {
                    EngineError::Store(crate::store::StoreError::Migration(err.to_string()))
                })?;
                let mut nf = NewFeature::from(&f);
                // The release may be gone since; the FK would refuse it.
                if let Some(rid) = nf.release_id
                    && queries::release_by_id(self.conn, rid).await?.is_none()
                {
                    nf.release_id = None;
                }
                queries::insert_feature(self.conn, &nf).await?;
                undo["snapshot"] = d["snapshot"].clone();
            }
            ("feature", "update") => {
                let before = &d["before"];
                let mut ch = FeatureChanges {
                    updated_at: Some(self.now),
                    ..Default::default()
                };
                let s = |k: &str| before.get(k).map(|v| v.as_str().map(str::to_string));
                if let Some(Some(v)) = s("status") {
                    ch.status = Some(v);
                }
                if let Some(Some(v)) = s("name") {
                    ch.name = Some(v);
                }
                ch.status_reason = s("status_reason");
                ch.description = s("description");
                ch.assigned_teams = s("assigned_teams");
                ch.assigned_po = s("assigned_po");
                ch.release_id = before.get("release_id").map(|v| v.as_i64());
                queries::update_feature(self.conn, e.entity_id, &ch).await?;
                undo["before"] = d["after"].clone();
                undo["after"] = d["before"].clone();
            }
            ("release", "create") => {
                queries::delete_release(self.conn, e.entity_id).await?;
                undo["snapshot"] = d["snapshot"].clone();
            }
            ("release", "update") => {
                let before = &d["before"];
                let ch = ReleaseChanges {
                    status: before["status"].as_str().map(str::to_string),
                    released_at: before
                        .get("released_at")
                        .map(|v| serde_json::from_value(v.clone()).ok().flatten()),
                    updated_at: Some(self.now),
                    ..Default::default()
                };
                queries::update_release(self.conn, e.entity_id, &ch).await?;
                undo["before"] = d["after"].clone();
                undo["after"] = d["before"].clone();
            }
            _ => {}
        }
        self.log(
            &e.entity_type,
            e.entity_id,
            e.project_id,
            "undo",
            undo,
            Some(e.id),
        )
        .await?;
        Ok(())
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// Feature fields set by a simple command.
#[derive(Clone, Copy)]
enum Field {
    Teams,
    Po,
    Description,
    Name,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::Teams => "assigned_teams",
            Field::Po => "assigned_po",
            Field::Description => "description",
            Field::Name => "name",
        }
    }
    fn label(self, lang: Lang) -> &'static str {
        field_label(self.key(), lang)
    }
    fn get(self, f: &Feature) -> Option<String> {
        match self {
            Field::Teams => f.assigned_teams.clone(),
            Field::Po => f.assigned_po.clone(),
            Field::Description => f.description.clone(),
            Field::Name => Some(f.name.clone()),
        }
    }
    fn set(self, ch: &mut FeatureChanges, v: Option<String>) {
        match self {
            Field::Teams => ch.assigned_teams = Some(v),
            Field::Po => ch.assigned_po = Some(v),
            Field::Description => ch.description = Some(v),
            Field::Name => ch.name = v,
        }
    }
}

fn field_label(key: &str, lang: Lang) -> &'static str {
    match (key, lang) {
        ("status", Lang::En) => "status",
        ("status", Lang::Ru) => "статус",
        ("status_reason", Lang::En) => "reason",
        ("status_reason", Lang::Ru) => "причина",
        ("assigned_teams", Lang::En) => "teams",
        ("assigned_teams", Lang::Ru) => "команды",
        ("assigned_po", _) => "PO",
        ("description", Lang::En) => "description",
        ("description", Lang::Ru) => "описание",
        ("name", Lang::En) => "name",
        ("name", Lang::Ru) => "название",
        ("release", Lang::En) => "release",
        ("release", Lang::Ru) => "релиз",
        ("released_at", Lang::En) => "released at",
        ("released_at", Lang::Ru) => "дата выпуска",
        (_, Lang::En) => "field",
        (_, Lang::Ru) => "поле",
    }
}

/// "#3 Login", "release 1.2", "project Apollo" from an event's `ref`.
fn entity_title(e: &Event, lang: Lang) -> String {
    let d: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
    let r = &d["ref"];
    match e.entity_type.as_str() {
        "feature" => format!(
            "#{} {}",
            r["number"].as_i64().unwrap_or_default(),
            esc(r["name"].as_str().unwrap_or_default())
        ),
        "release" => tr!(
            lang,
            "release {}",
            "релиз {}",
            esc(r["version"].as_str().unwrap_or_default())
        ),
        "project" => tr!(
            lang,
            "project {}",
            "проект {}",
            esc(r["name"].as_str().unwrap_or_default())
        ),
        other => esc(other),
    }
}

fn show_value(key: &str, v: &Value, lang: Lang) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if key == "status" => Status::from_db(s)
            .map(|st| st.label(lang).to_string())
            .unwrap_or_else(|| match (s.as_str(), lang) {
                ("released", Lang::Ru) => "выпущен".into(),
                ("planned", Lang::Ru) => "запланирован".into(),
                ("active", Lang::Ru) => "активен".into(),
                ("archived", Lang::Ru) => "в архиве".into(),
                _ => esc(s),
            }),
        Value::String(s) => esc(&short(s)),
        other => esc(&other.to_string()),
    }
}

/// One line for an event: `status backlog → in progress`, `created`, …
fn describe_event(e: &Event, lang: Lang) -> String {
    let d: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
    let action = if e.action == "undo" {
        d["undoes"].as_str().unwrap_or("update")
    } else {
        e.action.as_str()
    };
    let text = match action {
        "create" => tr!(lang, "created", "создано"),
        "delete" => tr!(lang, "deleted", "удалено"),
        _ => {
            let (before, after) = if e.action == "undo" {
                (&d["after"], &d["before"])
            } else {
                (&d["before"], &d["after"])
            };
            let mut parts = Vec::new();
            if let Some(obj) = after.as_object() {
                for (k, v) in obj {
                    let unchanged = before.get(k.as_str()).unwrap_or(&Value::Null) == v;
                    if k == "release_id"
                        || (k == "released_at" && obj.contains_key("status"))
                        || unchanged
                    {
                        continue;
                    }
                    parts.push(format!(
                        "{} {} → {}",
                        field_label(k, lang),
                        show_value(k, &before[k.as_str()], lang),
                        show_value(k, v, lang)
                    ));
                }
            }
            parts.join(", ")
        }
    };
    if e.action == "undo" {
        tr!(lang, "undo of: {}", "отмена: {}", text)
    } else {
        text
    }
}

fn help(lang: Lang) -> String {
    match lang {
        Lang::En => "<b>Radar</b> keeps your projects, features and releases.\n\
\n<b>Projects</b>\n/projects — list, with switch buttons\n/newproject NAME[: description] — create (and switch to it)\n/use NAME — switch project\n/archive NAME — archive a project\n\
\n<b>Features</b>\n/add NAME[: description] — add a feature\n/features [STATUS|all] — list\n/feature N — show #N with a status picker\n/status N STATUS[: reason] — e.g. <code>#3 is blocked: waiting for keys</code>\n/team N TEAMS · /po N NAME · /describe N TEXT · /rename N NAME\n/delete N — delete (asks first)\n\
\n<b>Releases</b>\n/release VERSION [YYYY-MM-DD] — create\n/releases — list with progress\n/plan N VERSION · /unplan N\n/ship VERSION — mark as released\n\
\n<b>History</b>\n/changes [today|yesterday|this week|3 days|since 2026-11-01]\n/history N — history of #N\n/undo — undo your last change\n/whoami\n\
\nStatuses: backlog, planned, in progress, blocked, done, cancelled. Plain phrases work too: «switch to Apollo», «#3 is done», «what changed this week».".to_string(),
        Lang::Ru => "<b>Radar</b> ведёт ваши проекты, фичи и релизы.\n\
\n<b>Проекты</b>\n/projects — список с кнопками переключения\n/newproject НАЗВАНИЕ[: описание] — создать (и переключиться)\n/use НАЗВАНИЕ — переключиться\n/archive НАЗВАНИЕ — в архив\n\
\n<b>Фичи</b>\n/add НАЗВАНИЕ[: описание] — добавить фичу\n/features [СТАТУС|all] — список\n/feature N — показать #N с выбором статуса\n/status N СТАТУС[: причина] — например <code>#3 заблокирована: ждём ключи</code>\n/team N КОМАНДЫ · /po N ИМЯ · /describe N ТЕКСТ · /rename N НАЗВАНИЕ\n/delete N — удалить (с подтверждением)\n\
\n<b>Релизы</b>\n/release ВЕРСИЯ [ДАТА] — создать\n/releases — список с прогрессом\n/plan N ВЕРСИЯ · /unplan N\n/ship ВЕРСИЯ — релиз выпущен\n\
\n<b>История</b>\n/changes [сегодня|вчера|за неделю|за 3 дня|с 01.11.2026]\n/history N — история #N\n/undo — отменить последнее изменение\n/whoami\n\
\nСтатусы: бэклог, запланирована, в работе, заблокирована, готово, отменена. Можно и словами: «переключись на Аполлон», «#3 готово», «что изменилось за неделю».".to_string(),
    }
}
