//! The daily digest: once a day, at the local time a user chose
//! (`/digest 09:00`), yesterday's changes in their active project — the
//! "what changed" rendering, shortened — plus a metrics line.
//!
//! Exactly once: [`Engine::send_due_digests`] claims the key
//! `digest:<user>:<local date>` in `processed_messages` in the same
//! transaction that queues the message in the outbox. Two replicas, a
//! restart or a crash at any moment leave either both (claimed and queued)
//! or neither; a digest whose time passed while Radar was down is sent when
//! it runs again that (local) day, never on a later one.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use radar_store::outbox::{self, NewReply};
use radar_store::processed_messages::{self, NewReceipt};
use radar_store::projects::Project;
use radar_store::user_settings::{self, Settings};
use radar_store::{ChatId, Conn, UserId, user_context};

use super::{Cx, Fail, Touched};
use crate::messages::t;
use crate::period::Period;
use crate::render::{self, show_date};
use crate::{Addressed, Engine, EngineError, Lang};

/// Lines of "what changed" a digest shows at most; the rest is counted.
const DIGEST_LINES: usize = 30;

/// A digest rendered for one user and local day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub user: UserId,
    /// The user's local date the digest is for (it summarizes the day before).
    pub date: NaiveDate,
    /// The message (HTML): the context line, then the digest.
    pub html: String,
}

/// Why `radar digest --user N` has nothing to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoDigest {
    NoProject,
    NothingChanged,
}

/// What one scheduler pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestPass {
    /// Digests queued in the outbox.
    pub queued: usize,
    /// Due digests claimed with nothing to say (nothing changed, no project).
    pub empty: usize,
}

/// The message key that makes a user's digest of a local day happen once.
pub fn digest_key(user: UserId, date: NaiveDate) -> String {
    format!("digest:{}:{date}", user.0)
}

/// The instant a local date and time happens in `tz` (in a DST gap, the
/// first instant after it; in a repeated hour, the first of the two).
fn instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

impl Cx<'_> {
    /// The digest body for the local day `date` (yesterday's changes).
    async fn digest_body(
        &mut self,
        project: &Project,
        date: NaiveDate,
    ) -> Result<Option<String>, Fail> {
        let view = self.view();
        let lang = self.lang;
        // "Yesterday" as seen at the start of `date`: the whole previous day.
        let at = instant(self.tz, date, NaiveTime::MIN);
        let Some(c) = self
            .changes_text(project, Period::Yesterday, at, &view)
            .await?
        else {
            return Ok(None);
        };
        let mut lines = vec![t!(
            lang,
            "digest-title",
            date = show_date(date - Duration::days(1), lang),
            count = c.count
        )];
        let body: Vec<&String> = c.lines.iter().collect();
        let shown = body.len().min(DIGEST_LINES);
        lines.extend(body[..shown].iter().map(|l| l.to_string()));
        let hidden = body[shown..]
            .iter()
            .filter(|l| !l.is_empty() && !l.starts_with("<b>"))
            .count();
        if hidden > 0 {
            lines.push(t!(lang, "digest-more", count = hidden));
        }
        // The flow metrics of the four weeks up to the start of `date`
        // (the /stats line, so the digest and /stats agree).
        let m = crate::insights::metrics_line(self.conn, project.id, lang, self.tz, at).await?;
        lines.push(String::new());
        lines.push(m);
        Ok(Some(lines.join("\n")))
    }
}

impl Engine {
    /// The language and zone of a user's digest: their settings, else the
    /// language `/digest` was asked in, else English; `RADAR_TIMEZONE`.
    fn digest_reader(&self, s: Option<&Settings>) -> (Lang, Tz) {
        let lang = s
            .and_then(|s| s.language.or(s.digest_language))
            .map(Lang::from_store)
            .unwrap_or_default();
        let tz = s.and_then(|s| s.time_zone).map_or(self.cfg.tz, |z| z.0);
        (lang, tz)
    }

    /// Renders `user`'s digest for the local day `date` inside the caller's
    /// transaction (reads only).
    async fn render_digest(
        &self,
        conn: &mut Conn,
        settings: Option<&Settings>,
        user: UserId,
        date: NaiveDate,
        key: &str,
    ) -> Result<Result<Digest, NoDigest>, EngineError> {
        let (lang, tz) = self.digest_reader(settings);
        let Some(project) = user_context::active_project(conn, user).await? else {
            return Ok(Err(NoDigest::NoProject));
        };
        let now = self.now().naive_utc();
        let mut cx = Cx {
            conn,
            engine: self,
            user,
            lang,
            client_lang: lang,
            tz,
            key,
            now,
            at: now,
            project: Some(project.clone()),
            // Not read: this command is not parsed from a message.
            conversation: None,
            versions: (None, None),
            names: None,
            data_events: 0,
            touched: Touched::default(),
            addressed: Addressed::Private,
        };
        let body = match cx.digest_body(&project, date).await {
            Ok(b) => b,
            Err(Fail::Engine(e)) => return Err(e),
            Err(_) => None,
        };
        Ok(match body {
            Some(body) => {
                let header = render::context_line(Some(&project.name), lang);
                Ok(Digest {
                    user,
                    date,
                    html: format!("{header}\n\n{body}"),
                })
            }
            None => Err(NoDigest::NothingChanged),
        })
    }

    /// `radar digest --user N`: the user's digest for today (their local
    /// day), as the scheduler would send it; nothing is claimed or queued.
    /// `Err` is the sentence saying why there is none.
    pub async fn digest_now(&self, user: UserId) -> Result<Result<Digest, String>, EngineError> {
        let mut conn = self.db.get().await?;
        let settings = user_settings::get(&mut conn, user).await?;
        let (lang, tz) = self.digest_reader(settings.as_ref());
        let date = self.now().with_timezone(&tz).date_naive();
        let key = digest_key(user, date);
        Ok(
            match self
                .render_digest(&mut conn, settings.as_ref(), user, date, &key)
                .await?
            {
                Ok(d) => Ok(d),
                Err(NoDigest::NoProject) => {
                    Err(t!(lang, "digest-no-project", user = user.to_string()))
                }
                Err(NoDigest::NothingChanged) => Err(t!(
                    lang,
                    "digest-none",
                    user = user.to_string(),
                    date = show_date(date - Duration::days(1), lang)
                )),
            },
        )
    }

    /// One scheduler pass: every digest due now (its local time has come
    /// today, the setting was made before that time, and today's key is not
    /// claimed yet) is claimed and queued, one transaction per user.
    pub async fn send_due_digests(&self) -> Result<DigestPass, EngineError> {
        let now = self.now();
        let due: Vec<(Settings, NaiveDate)> = {
            let mut conn = self.db.get().await?;
            let all = user_settings::with_digest(&mut conn).await?;
            let mut due = Vec::new();
            for s in all {
                let Some(at) = s.digest_at else { continue };
                let (_, tz) = self.digest_reader(Some(&s));
                let date = now.with_timezone(&tz).date_naive();
                let when = instant(tz, date, at);
                if now >= when && s.updated_at <= when.naive_utc() {
                    due.push((s, date));
                }
            }
            let keys: Vec<String> = due.iter().map(|(s, d)| digest_key(s.user_id, *d)).collect();
            let claimed = processed_messages::existing(&mut conn, &keys).await?;
            due.retain(|(s, d)| !claimed.contains(&digest_key(s.user_id, *d)));
            due
        };
        let mut pass = DigestPass::default();
        for (s, date) in due {
            match self.send_digest(&s, date, now).await? {
                Some(true) => pass.queued += 1,
                Some(false) => pass.empty += 1,
                None => {}
            }
        }
        Ok(pass)
    }

    /// Claims and queues one digest: `Some(true)` queued, `Some(false)`
    /// claimed with nothing to send, `None` claimed before (elsewhere).
    async fn send_digest(
        &self,
        s: &Settings,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Option<bool>, EngineError> {
        let user = s.user_id;
        let key = digest_key(user, date);
        // The user's private chat (its id is the user's).
        let chat = ChatId(user.0);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = async {
                let mut conn = self.db.get().await?;
                radar_store::write(
                    &mut conn,
                    async |conn| -> Result<Option<bool>, EngineError> {
                        let receipt = NewReceipt {
                            message_id: &key,
                            update_id: None,
                            chat_id: chat,
                            user_id: Some(user),
                            received_at: now.naive_utc(),
                            processed_at: None,
                            payload: None,
                        };
                        if !processed_messages::claim(conn, &receipt, now.naive_utc()).await? {
                            return Ok(None);
                        }
                        let settings = user_settings::get(conn, user).await?;
                        let digest = match self
                            .render_digest(conn, settings.as_ref(), user, date, &key)
                            .await?
                        {
                            Ok(d) => d,
                            Err(_) => return Ok(Some(false)),
                        };
                        let (header, body) = digest
                            .html
                            .split_once("\n\n")
                            .unwrap_or(("", digest.html.as_str()));
                        let rows: Vec<NewReply> = render::split_messages(header, body, None)
                            .into_iter()
                            .map(|m| NewReply {
                                chat_id: chat,
                                message_key: Some(key.clone()),
                                text: m.html,
                                parse_mode: Some("HTML".into()),
                                reply_markup: None,
                                reply_to_message_id: None,
                                created_at: now.naive_utc(),
                                sent_at: None,
                                edit_message_id: None,
                            })
                            .collect();
                        outbox::queue(conn, &rows).await?;
                        Ok(Some(true))
                    },
                )
                .await
            };
            match result.await {
                Err(e) if e.is_transient() && attempt < crate::MAX_ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(5 * (1 << attempt))).await;
                }
                r => return r,
            }
        }
    }
}
