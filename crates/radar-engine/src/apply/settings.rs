//! A user's settings: time zone (`/timezone`), reply language (`/lang`) and
//! daily digest time (`/digest`). Each change is written to `user_settings`
//! and logged as a [`Change::SettingsChanged`] in the same transaction (not
//! data: undo and "what changed" leave it alone).

use chrono::NaiveTime;
use chrono_tz::Tz;
use radar_store::Zone;
use radar_store::user_settings::{self, Settings};

use super::{Applied, Cx, Done, Fail};
use crate::Lang;
use crate::change::{Change, Delta, SettingsDiff};
use crate::language::Problem;
use crate::messages::t;
use crate::reject::Rejection;
use crate::render::esc;

impl Cx<'_> {
    async fn settings(&mut self) -> Result<Settings, Fail> {
        Ok(user_settings::get(self.conn, self.user)
            .await?
            .unwrap_or_else(|| Settings::defaults(self.user, self.now)))
    }

    /// Writes `new` and logs what changed; `false` when nothing did.
    async fn save_settings(&mut self, old: &Settings, new: Settings) -> Result<bool, Fail> {
        let diff = SettingsDiff {
            time_zone: Delta::new(
                old.time_zone.map(|z| z.0.name().to_string()),
                new.time_zone.map(|z| z.0.name().to_string()),
            ),
            language: Delta::new(old.language, new.language),
            digest_at: Delta::new(old.digest_at, new.digest_at),
        };
        if diff.is_empty() {
            return Ok(false);
        }
        user_settings::put(
            self.conn,
            &Settings {
                updated_at: self.now,
                ..new
            },
        )
        .await?;
        self.log(&Change::SettingsChanged { diff }, self.user.0, None)
            .await?;
        Ok(true)
    }

    /// `/timezone Europe/Berlin`: dates and times are read and shown there.
    pub(super) async fn set_time_zone(&mut self, zone: &str) -> Applied {
        let tz: Tz = zone
            .parse()
            .map_err(|_| Rejection::Language(Problem::UnknownZone(zone.to_string())))?;
        let old = self.settings().await?;
        let new = Settings {
            time_zone: Some(Zone(tz)),
            ..old
        };
        let changed = self.save_settings(&old, new).await?;
        self.tz = tz;
        let local = self
            .engine
            .now()
            .with_timezone(&tz)
            .format("%H:%M")
            .to_string();
        let zone = esc(tz.name());
        Ok(Done::unchanged(if changed {
            t!(
                self.lang,
                "settings-time-zone-set",
                zone = zone,
                time = local
            )
        } else {
            t!(
                self.lang,
                "settings-time-zone-same",
                zone = zone,
                time = local
            )
        }))
    }

    /// `/lang ru`, `/lang auto`: the language replies are written in.
    pub(super) async fn set_language(&mut self, code: &str) -> Applied {
        let choice = Lang::by_code(code);
        let old = self.settings().await?;
        let new = Settings {
            language: choice.map(Lang::to_store),
            ..old
        };
        let changed = self.save_settings(&old, new).await?;
        self.lang = choice.unwrap_or(self.client_lang);
        Ok(Done::unchanged(match (choice, changed) {
            (None, _) => t!(self.lang, "settings-language-auto"),
            (Some(_), true) => t!(self.lang, "settings-language-set"),
            (Some(_), false) => t!(self.lang, "settings-language-same"),
        }))
    }

    /// `/digest 09:00`, `/digest off`.
    pub(super) async fn set_digest(&mut self, at: Option<NaiveTime>) -> Applied {
        let old = self.settings().await?;
        let new = Settings {
            digest_at: at,
            digest_language: at.map(|_| self.lang.to_store()),
            ..old
        };
        let changed = self.save_settings(&old, new).await?;
        let zone = esc(self.tz.name());
        Ok(Done::unchanged(match (at, changed) {
            (Some(at), true) => t!(
                self.lang,
                "settings-digest-set",
                time = at.format("%H:%M").to_string(),
                zone = zone
            ),
            (Some(at), false) => t!(
                self.lang,
                "settings-digest-same",
                time = at.format("%H:%M").to_string(),
                zone = zone
            ),
            (None, true) => t!(self.lang, "settings-digest-off"),
            (None, false) => t!(self.lang, "settings-digest-same-off"),
        }))
    }
}
