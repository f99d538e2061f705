//! Questions and suggestions with buttons. Each button runs a command Radar
//! offered; the command is stored (`offered_actions`, a day) and the button
//! carries its id. Pressing it is a message of its own (`cb:<id>`, exactly
//! once), runs the stored command through the same language, and works once.

use chrono::Duration;
use radar_store::OfferId;
use radar_store::offered_actions::{self, NewOffer};

use super::conversation::Context;
use super::{Applied, Cx, Done, Fail};
use crate::buttons::ButtonAction;
use crate::language::{self, AskAbout, Command, Understanding, World};
use crate::messages::t;
use crate::reject::Rejection;
use crate::render::{Button, Keyboard, esc};
use crate::status::StatusWords;

/// How long an offered button works.
const OFFER_LIFETIME: i64 = 24;

impl Cx<'_> {
    /// Buttons for `options`, one a row, each running its command.
    async fn offer(&mut self, options: &[Command], world: &World) -> Result<Keyboard, Fail> {
        let mut rows = Vec::new();
        for cmd in options.iter().take(4) {
            let Some(slash) = cmd.slash() else { continue };
            let id = offered_actions::insert(
                self.conn,
                &NewOffer {
                    user_id: self.user,
                    command: &slash,
                    created_at: self.now,
                    expires_at: self.now + Duration::hours(OFFER_LIFETIME),
                },
            )
            .await?;
            rows.push(vec![Button {
                text: self.label(cmd, world),
                data: ButtonAction::Offer(id).encode(),
                web_app: None,
            }]);
        }
        if !rows.is_empty() {
            rows.push(vec![Button {
                text: t!(self.lang, "button-cancel"),
                data: ButtonAction::Dismiss.encode(),
                web_app: None,
            }]);
        }
        Ok(Keyboard(rows))
    }

    /// A short label for a command on a button: "#3 Payments → done".
    fn label(&self, cmd: &Command, world: &World) -> String {
        let lang = self.lang;
        let feature = |n: radar_store::FeatureNumber| {
            world
                .features
                .iter()
                .find(|f| f.number == n)
                .map(|f| format!("#{n} {}", f.name))
                .unwrap_or_else(|| format!("#{n}"))
        };
        let text = match cmd {
            Command::SetStatus { number, status, .. } => {
                format!("{} → {}", feature(*number), status.label(lang))
            }
            Command::Plan { number, version } => format!("{} → {version}", feature(*number)),
            c if c.feature().is_some() => {
                let n = c.feature().unwrap_or(radar_store::FeatureNumber(0));
                format!("{} · {}", feature(n), c.slash().unwrap_or_default())
            }
            Command::UseProject { name } => format!("→ {name}"),
            c => c.slash().unwrap_or_default(),
        };
        text.chars().take(60).collect()
    }

    /// Asks which of `options` the user meant (or, with none, what is missing).
    pub(super) async fn ask(
        &mut self,
        about: AskAbout,
        options: Vec<Command>,
        cx: &Context,
    ) -> Applied {
        let lang = self.lang;
        let text = match &about {
            AskAbout::Feature(typed) if options.is_empty() => {
                t!(lang, "ask-feature-none", typed = esc(typed))
            }
            AskAbout::Feature(typed) => t!(lang, "ask-feature", typed = esc(typed)),
            AskAbout::Project(typed) => t!(lang, "ask-project", typed = esc(typed)),
            AskAbout::Pronoun => t!(lang, "ask-pronoun"),
            AskAbout::Release if options.is_empty() => t!(lang, "ask-release-none"),
            AskAbout::Release => t!(lang, "ask-release"),
            AskAbout::Meaning if options.is_empty() => t!(lang, "ask-same-for"),
            AskAbout::Meaning => t!(lang, "ask-meaning"),
            AskAbout::Missing(intent) => {
                let usage = crate::help::usage(lang, language::table::spec(*intent));
                t!(lang, "ask-missing", usage = esc(&usage))
            }
        };
        let keyboard = self.offer(&options, &cx.world).await?;
        Ok(Done::unchanged(text).with_keyboard(keyboard))
    }

    /// "I didn't understand", with the closest commands as buttons.
    pub(super) async fn not_understood(
        &mut self,
        suggestions: Vec<Command>,
        cx: &Context,
    ) -> Applied {
        let text = if suggestions.is_empty() {
            t!(self.lang, "parse-unknown")
        } else {
            t!(self.lang, "parse-unknown-suggest")
        };
        let keyboard = self.offer(&suggestions, &cx.world).await?;
        Ok(Done::rejected(text).with_keyboard(keyboard))
    }

    /// A press of a button that runs an offered command.
    pub(super) async fn press_offer(&mut self, id: OfferId) -> Applied {
        let offer = offered_actions::get(self.conn, id)
            .await?
            .filter(|o| o.user_id == self.user)
            .ok_or(Rejection::OutdatedButton)?;
        if offer.expires_at < self.now
            || !offered_actions::use_once(self.conn, id, self.now).await?
        {
            return Err(Rejection::OutdatedButton.into());
        }
        let cx = self.context().await?;
        let pc = language::ParseCtx {
            bot_username: None,
            today: self.engine.today_in(self.tz),
        };
        match language::understand(&offer.command, &pc, &cx.world) {
            Understanding::Command(cmd) => self.run(cmd, &cx).await,
            // The world moved on since the offer (a feature deleted, renamed).
            _ => Err(Rejection::OutdatedButton.into()),
        }
    }
}
