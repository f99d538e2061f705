//! The command language: slash commands and English/Russian phrases, both
//! always understood. Parsing is pure: text in, [`Command`] or a reason out.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::period::{Period, PeriodError, looks_like_date, parse_date};
use radar_store::{FeatureId, FeatureNumber, FeatureStatus as Status, ProjectId};

use crate::status;

pub const MAX_PROJECT_NAME: usize = 64;
pub const MAX_FEATURE_NAME: usize = 200;
pub const MAX_VERSION: usize = 32;
pub const MAX_TEXT: usize = 2000;
pub const MAX_SHORT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureFilter {
    /// Open work: everything but done and cancelled.
    Open,
    All,
    Only(Status),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Projects,
    NewProject {
        name: String,
        description: Option<String>,
    },
    Use {
        name: String,
    },
    UseId(ProjectId),
    Archive {
        name: String,
    },
    AddFeature {
        name: String,
        description: Option<String>,
    },
    Features(FeatureFilter),
    ShowFeature(FeatureNumber),
    SetStatus {
        number: FeatureNumber,
        status: Status,
        reason: Option<String>,
    },
    SetStatusById {
        feature_id: FeatureId,
        status: Status,
    },
    Team {
        number: FeatureNumber,
        teams: String,
    },
    Po {
        number: FeatureNumber,
        name: String,
    },
    Describe {
        number: FeatureNumber,
        text: String,
    },
    Rename {
        number: FeatureNumber,
        name: String,
    },
    /// Asks for confirmation (unless `confirmed`).
    Delete {
        number: FeatureNumber,
        confirmed: bool,
    },
    DeleteById(FeatureId),
    NewRelease {
        version: String,
        date: Option<NaiveDate>,
    },
    Releases,
    Plan {
        number: FeatureNumber,
        version: String,
    },
    Unplan(FeatureNumber),
    Ship {
        version: String,
    },
    Changes(Period),
    History(FeatureNumber),
    Undo,
    WhoAmI,
    /// A "Cancel" button.
    Dismiss,
}

/// Why a text is not a valid command; each becomes a clear reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    Empty,
    /// A slash command addressed to another bot (`/help@otherbot`).
    NotForMe,
    Unknown {
        text: String,
    },
    UnknownCommand(String),
    /// The command needs an argument; the usage line to show.
    Usage(&'static str),
    BadNumber(String),
    BadStatus(String),
    BadDate(String),
    BadPeriod(String),
    TooLong {
        what: &'static str,
        max: usize,
    },
    BadButton,
}

pub struct ParseContext<'a> {
    /// The bot's username, to tell `/cmd@us` from `/cmd@otherbot`.
    pub bot_username: Option<&'a str>,
    /// The local date, for dates without a year and for periods.
    pub today: NaiveDate,
}

type P = Result<Command, ParseError>;

/// Parses a message text.
pub fn parse(text: &str, ctx: &ParseContext) -> P {
    let text = text.trim();
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    if text.starts_with('/') {
        return parse_slash(text, ctx);
    }
    parse_phrase(text, ctx)
}

/// Parses button data (`callback_data`, at most 64 bytes, supplied by the
/// client and never trusted).
pub fn parse_button(data: &str) -> P {
    let mut it = data.split(':');
    let kind = it.next().unwrap_or_default();
    let num = |s: Option<&str>| -> Result<i64, ParseError> {
        s.and_then(|s| s.parse::<i64>().ok())
            .filter(|n| *n > 0)
            .ok_or(ParseError::BadButton)
    };
    let cmd = match kind {
        "st" => {
            let id = num(it.next())?;
            let status = it
                .next()
                .and_then(status::from_code)
                .ok_or(ParseError::BadButton)?;
            Command::SetStatusById {
                feature_id: FeatureId(id),
                status,
            }
        }
        "use" => Command::UseId(ProjectId(num(it.next())?)),
        "del" => Command::DeleteById(FeatureId(num(it.next())?)),
        "nop" => Command::Dismiss,
        _ => return Err(ParseError::BadButton),
    };
    if it.next().is_some() {
        return Err(ParseError::BadButton);
    }
    Ok(cmd)
}

fn check_len(s: &str, what: &'static str, max: usize) -> Result<(), ParseError> {
    if s.chars().count() > max {
        Err(ParseError::TooLong { what, max })
    } else {
        Ok(())
    }
}

/// `NAME[: description]`
fn name_and_description(
    s: &str,
    what: &'static str,
    max: usize,
    usage: &'static str,
) -> Result<(String, Option<String>), ParseError> {
    let (name, desc) = match s.split_once(':') {
        Some((n, d)) => (n.trim(), Some(d.trim()).filter(|d| !d.is_empty())),
        None => (s.trim(), None),
    };
    let name = clean_name(name);
    if name.is_empty() {
        return Err(ParseError::Usage(usage));
    }
    check_len(&name, what, max)?;
    if let Some(d) = desc {
        check_len(d, "description", MAX_TEXT)?;
    }
    Ok((name, desc.map(str::to_string)))
}

/// Collapses whitespace and strips surrounding quotes: `"Apollo  X"` → `Apollo X`.
fn clean_name(s: &str) -> String {
    let s = s.trim();
    let s = s
        .strip_prefix(['"', '«', '\'', '“'])
        .and_then(|x| x.strip_suffix(['"', '»', '\'', '”']))
        .unwrap_or(s);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn feature_number(s: &str) -> Result<FeatureNumber, ParseError> {
    let t = s.trim().trim_start_matches('#');
    match t.parse::<i64>() {
        Ok(n) if n > 0 => Ok(FeatureNumber(n)),
        _ => Err(ParseError::BadNumber(s.trim().to_string())),
    }
}

/// `STATUS[: reason]`
fn status_and_reason(s: &str) -> Result<(Status, Option<String>), ParseError> {
    let (st, reason) = match s.split_once(':') {
        Some((a, b)) => (a, Some(b.trim()).filter(|r| !r.is_empty())),
        None => (s, None),
    };
    let status = status::parse(st).ok_or_else(|| ParseError::BadStatus(st.trim().to_string()))?;
    if let Some(r) = reason {
        check_len(r, "reason", MAX_TEXT)?;
    }
    Ok((status, reason.map(str::to_string)))
}

fn feature_filter(s: &str) -> Result<FeatureFilter, ParseError> {
    let t = s.trim().to_lowercase();
    for prefix in [
        "that are ",
        "which are ",
        "in status ",
        "in ",
        "со статусом ",
        "в статусе ",
    ] {
        if let Some(rest) = t.strip_prefix(prefix)
            && let Ok(f) = feature_filter_exact(rest)
        {
            return Ok(f);
        }
    }
    feature_filter_exact(&t).map_err(|_| ParseError::BadStatus(s.trim().to_string()))
}

fn feature_filter_exact(t: &str) -> Result<FeatureFilter, ParseError> {
    match t.trim() {
        "" | "open" | "открытые" => Ok(FeatureFilter::Open),
        "all" | "все" | "всё" => Ok(FeatureFilter::All),
        t => status::parse(t)
            .map(FeatureFilter::Only)
            .ok_or_else(|| ParseError::BadStatus(t.to_string())),
    }
}

fn period(s: &str, today: NaiveDate) -> Result<Period, ParseError> {
    Period::parse(s, today).map_err(|e| match e {
        PeriodError::BadDate(d) => ParseError::BadDate(d),
        PeriodError::Unknown(p) => ParseError::BadPeriod(p),
    })
}

fn release_args(version: &str, date: Option<&str>, today: NaiveDate) -> P {
    let version = version.trim().trim_start_matches(['v', 'V']).to_string();
    let version = if version.is_empty() {
        return Err(ParseError::Usage("/release VERSION [YYYY-MM-DD]"));
    } else {
        version
    };
    check_len(&version, "version", MAX_VERSION)?;
    let date = match date.map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(parse_date(d, today).ok_or_else(|| ParseError::BadDate(d.to_string()))?),
    };
    Ok(Command::NewRelease { version, date })
}

fn version_arg(s: &str, usage: &'static str) -> Result<String, ParseError> {
    let v = s.trim().trim_start_matches(['v', 'V']);
    if v.is_empty() || v.contains(char::is_whitespace) {
        return Err(ParseError::Usage(usage));
    }
    check_len(v, "version", MAX_VERSION)?;
    Ok(v.to_string())
}

fn parse_slash(text: &str, ctx: &ParseContext) -> P {
    let (head, args) = match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim()),
        None => (text, ""),
    };
    let head = &head[1..];
    let (cmd, target) = match head.split_once('@') {
        Some((c, t)) => (c, Some(t)),
        None => (head, None),
    };
    if let (Some(t), Some(me)) = (target, ctx.bot_username)
        && !t.eq_ignore_ascii_case(me.trim_start_matches('@'))
    {
        return Err(ParseError::NotForMe);
    }
    let cmd = cmd.to_lowercase();
    let two = |usage: &'static str| -> Result<(FeatureNumber, String), ParseError> {
        let (n, rest) = args
            .split_once(char::is_whitespace)
            .ok_or(ParseError::Usage(usage))?;
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(ParseError::Usage(usage));
        }
        Ok((feature_number(n)?, rest.to_string()))
    };
    let one = |usage: &'static str| -> Result<FeatureNumber, ParseError> {
        if args.is_empty() {
            return Err(ParseError::Usage(usage));
        }
        feature_number(args)
    };
    Ok(match cmd.as_str() {
        "start" | "help" => Command::Help,
        "projects" => Command::Projects,
        "newproject" => {
            let (name, description) = name_and_description(
                args,
                "project name",
                MAX_PROJECT_NAME,
                "/newproject NAME[: description]",
            )?;
            Command::NewProject { name, description }
        }
        "use" => {
            let name = clean_name(args);
            if name.is_empty() {
                return Err(ParseError::Usage("/use NAME"));
            }
            check_len(&name, "project name", MAX_PROJECT_NAME)?;
            Command::Use { name }
        }
        "archive" => {
            let name = clean_name(args);
            if name.is_empty() {
                return Err(ParseError::Usage("/archive NAME"));
            }
            check_len(&name, "project name", MAX_PROJECT_NAME)?;
            Command::Archive { name }
        }
        "add" => {
            let (name, description) = name_and_description(
                args,
                "feature name",
                MAX_FEATURE_NAME,
                "/add NAME[: description]",
            )?;
            Command::AddFeature { name, description }
        }
        "features" => Command::Features(feature_filter(args)?),
        "feature" => Command::ShowFeature(one("/feature N")?),
        "status" => {
            let (number, rest) = two("/status N STATUS[: reason]")?;
            let (status, reason) = status_and_reason(&rest)?;
            Command::SetStatus {
                number,
                status,
                reason,
            }
        }
        "team" => {
            let (number, teams) = two("/team N TEAMS")?;
            check_len(&teams, "teams", MAX_SHORT)?;
            Command::Team {
                number,
                teams: normalize_teams(&teams),
            }
        }
        "po" => {
            let (number, name) = two("/po N NAME")?;
            check_len(&name, "name", MAX_SHORT)?;
            Command::Po {
                number,
                name: clean_name(&name),
            }
        }
        "describe" => {
            let (number, text) = two("/describe N TEXT")?;
            check_len(&text, "description", MAX_TEXT)?;
            Command::Describe { number, text }
        }
        "rename" => {
            let (number, name) = two("/rename N NAME")?;
            let name = clean_name(&name);
            check_len(&name, "feature name", MAX_FEATURE_NAME)?;
            Command::Rename { number, name }
        }
        "delete" => {
            let mut parts = args.split_whitespace();
            let n = parts.next().ok_or(ParseError::Usage("/delete N"))?;
            let number = feature_number(n)?;
            let confirmed = match parts.next().map(|s| s.to_lowercase()) {
                None => false,
                Some(w) if matches!(w.as_str(), "yes" | "confirm" | "да") => true,
                Some(_) => return Err(ParseError::Usage("/delete N")),
            };
            Command::Delete { number, confirmed }
        }
        "release" => {
            let mut parts = args.split_whitespace();
            let v = parts
                .next()
                .ok_or(ParseError::Usage("/release VERSION [YYYY-MM-DD]"))?;
            let d = parts.next();
            if parts.next().is_some() {
                return Err(ParseError::Usage("/release VERSION [YYYY-MM-DD]"));
            }
            release_args(v, d, ctx.today)?
        }
        "releases" => Command::Releases,
        "plan" => {
            let (number, version) = two("/plan N VERSION")?;
            Command::Plan {
                number,
                version: version_arg(&version, "/plan N VERSION")?,
            }
        }
        "unplan" => Command::Unplan(one("/unplan N")?),
        "ship" => Command::Ship {
            version: version_arg(args, "/ship VERSION")?,
        },
        "changes" => Command::Changes(period(args, ctx.today)?),
        "history" => Command::History(one("/history N")?),
        "undo" => Command::Undo,
        "whoami" => Command::WhoAmI,
        _ => {
            let mut c: String = cmd.chars().take(32).collect();
            c.insert(0, '/');
            return Err(ParseError::UnknownCommand(c));
        }
    })
}

fn normalize_teams(s: &str) -> String {
    s.split([',', ';'])
        .flat_map(|p| {
            // "Core and Web", "Core и Web"
            p.split(" and ").flat_map(|q| q.split(" и "))
        })
        .map(clean_name)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! re {
    ($s:literal) => {{
        static R: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(concat!("(?is)^", $s, "$")).unwrap());
        &*R
    }};
}

fn parse_phrase(text: &str, ctx: &ParseContext) -> P {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let t = joined.trim_end_matches(['.', '!']).trim();
    let today = ctx.today;

    if re!(r"(help|помощь|помоги|\?|start|commands|команды)").is_match(t) {
        return Ok(Command::Help);
    }
    if re!(r"((list |show |my )?projects|проекты|(покажи |мои )?проекты|список проектов)\??")
        .is_match(t)
    {
        return Ok(Command::Projects);
    }
    if re!(r"(undo|undo last|undo that|undo it|отмени последнее|отмени|отменить|отмена|откати)")
        .is_match(t)
    {
        return Ok(Command::Undo);
    }
    if re!(r"(whoami|who am i\??|кто я\??)").is_match(t) {
        return Ok(Command::WhoAmI);
    }
    if re!(r"((list |show )?releases|релизы|(покажи )?релизы)\??").is_match(t) {
        return Ok(Command::Releases);
    }
    if let Some(c) = re!(r"(?:new project|create project|add project|создай проект|новый проект|создать проект)(?:\s+(.*))?").captures(t) {
        let (name, description) = name_and_description(
            c.get(1).map_or("", |m| m.as_str()),
            "project name",
            MAX_PROJECT_NAME,
            "new project NAME[: description]",
        )?;
        return Ok(Command::NewProject { name, description });
    }
    if let Some(c) = re!(r"(?:switch to|use|переключись на|переключиться на|перейди в|перейди на)(?:\s+(?:project|проект))?(?:\s+(.*))?").captures(t) {
        let name = clean_name(c.get(1).map_or("", |m| m.as_str()));
        if name.is_empty() {
            return Err(ParseError::Usage("switch to NAME"));
        }
        check_len(&name, "project name", MAX_PROJECT_NAME)?;
        return Ok(Command::Use { name });
    }
    if let Some(c) = re!(r"(?:archive project|archive|архивируй проект|архивируй|заархивируй проект|заархивируй)(?:\s+(.*))?").captures(t) {
        let name = clean_name(c.get(1).map_or("", |m| m.as_str()));
        if name.is_empty() {
            return Err(ParseError::Usage("archive project NAME"));
        }
        check_len(&name, "project name", MAX_PROJECT_NAME)?;
        return Ok(Command::Archive { name });
    }
    if let Some(c) = re!(r"(?:add feature|new feature|create feature|добавь фичу|новая фича|создай фичу|добавить фичу)(?:\s+(.*))?").captures(t) {
        let (name, description) = name_and_description(
            c.get(1).map_or("", |m| m.as_str()),
            "feature name",
            MAX_FEATURE_NAME,
            "add feature NAME[: description]",
        )?;
        return Ok(Command::AddFeature { name, description });
    }
    // Features lists: "features", "features in progress", "show blocked features",
    // "фичи", "покажи фичи в работе", "all features".
    if let Some(c) = re!(r"(?:show |list )?(?:all )?features(?:\s+(.+?))?\??").captures(t) {
        let all = t.to_lowercase().contains("all features");
        let f = c.get(1).map_or("", |m| m.as_str());
        return Ok(Command::Features(if all && f.is_empty() {
            FeatureFilter::All
        } else {
            feature_filter(f)?
        }));
    }
    if let Some(c) = re!(r"(?:show |list )?(.+?) features\??").captures(t) {
        return Ok(Command::Features(feature_filter(&c[1])?));
    }
    if let Some(c) = re!(r"(?:покажи |список )?(?:все )?фичи(?:\s+(.+?))?\??").captures(t)
    {
        let all = t.to_lowercase().contains("все фичи");
        let f = c.get(1).map_or("", |m| m.as_str());
        return Ok(Command::Features(if all && f.is_empty() {
            FeatureFilter::All
        } else {
            feature_filter(f)?
        }));
    }
    if let Some(c) = re!(r"(?:show|покажи|open|открой)\s+#\s*(\d+)\??").captures(t) {
        return Ok(Command::ShowFeature(feature_number(&c[1])?));
    }
    if let Some(c) = re!(r"(?:history of|history|история|история фичи)\s+#\s*(\d+)\??").captures(t)
    {
        return Ok(Command::History(feature_number(&c[1])?));
    }
    if let Some(c) =
        re!(r"(?:delete|remove|удали|удалить)\s+#\s*(\d+)(?:\s+(yes|confirm|да))?").captures(t)
    {
        return Ok(Command::Delete {
            number: feature_number(&c[1])?,
            confirmed: c.get(2).is_some(),
        });
    }
    if let Some(c) = re!(
        r"(?:assign|назначь)\s+#\s*(\d+)\s+(?:to\s+)?(?:the\s+)?(?:teams?|команд[еаыам]+)\s+(.+)"
    )
    .captures(t)
    {
        check_len(&c[2], "teams", MAX_SHORT)?;
        return Ok(Command::Team {
            number: feature_number(&c[1])?,
            teams: normalize_teams(&c[2]),
        });
    }
    if let Some(c) = re!(r"(?:the\s+)?po\s+(?:of|for)\s+#\s*(\d+)\s+is\s+(.+)").captures(t) {
        check_len(&c[2], "name", MAX_SHORT)?;
        return Ok(Command::Po {
            number: feature_number(&c[1])?,
            name: clean_name(&c[2]),
        });
    }
    if let Some(c) = re!(r"(?:po|по)\s+(?:для\s+)?#\s*(\d+)\s*(?:[:—–-]|это|is)\s*(.+)").captures(t)
    {
        check_len(&c[2], "name", MAX_SHORT)?;
        return Ok(Command::Po {
            number: feature_number(&c[1])?,
            name: clean_name(&c[2]),
        });
    }
    if let Some(c) = re!(r"(?:new release|create release|add release|создай релиз|новый релиз)(?:\s+(\S+)(?:\s+(?:on|for|at|на|к)?\s*(\S+))?)?").captures(t) {
        let v = c.get(1).map_or("", |m| m.as_str());
        if v.is_empty() {
            return Err(ParseError::Usage("new release VERSION [on YYYY-MM-DD]"));
        }
        return release_args(v, c.get(2).map(|m| m.as_str()), today);
    }
    if let Some(c) =
        re!(r"(?:put|plan|add|move)\s+#\s*(\d+)\s+(?:into|in|to)\s+(?:the\s+)?release\s+(\S+)")
            .captures(t)
            .or_else(|| re!(r"(?:put|plan)\s+#\s*(\d+)\s+(?:into|in|to)\s+(\S+)").captures(t))
            .or_else(|| {
                re!(r"(?:добавь|включи|запланируй)\s+#\s*(\d+)\s+в\s+(?:релиз\s+)?(\S+)")
                    .captures(t)
            })
    {
        return Ok(Command::Plan {
            number: feature_number(&c[1])?,
            version: version_arg(&c[2], "put #N into VERSION")?,
        });
    }
    if let Some(c) = re!(r"(?:unplan\s+#\s*(\d+)|(?:remove|take)\s+#\s*(\d+)\s+(?:out\s+)?(?:of|from)\s+(?:the\s+|its\s+)?release|убери\s+#\s*(\d+)\s+из\s+релиза)").captures(t) {
        let n = c.get(1).or(c.get(2)).or(c.get(3)).map_or("", |m| m.as_str());
        return Ok(Command::Unplan(feature_number(n)?));
    }
    if let Some(c) = re!(r"(?:ship(?:\s+release)?\s+(\S+)|release\s+(\S+)\s+is\s+(?:out|shipped|released|live)|релиз\s+(\S+)\s+(?:выпущен|вышел|выпущен)|выпусти(?:\s+релиз)?\s+(\S+))").captures(t) {
        let v = c.get(1).or(c.get(2)).or(c.get(3)).or(c.get(4)).map_or("", |m| m.as_str());
        return Ok(Command::Ship { version: version_arg(v, "ship VERSION")? });
    }
    if let Some(c) = re!(r"(?:what(?:'s|’s| has| have)?\s+changed|changes|что изменилось|что поменялось|изменения)(?:\s+(.+?))?\??").captures(t) {
        return Ok(Command::Changes(period(c.get(1).map_or("", |m| m.as_str()), today)?));
    }
    // Status changes.
    if let Some(c) = re!(r"(?:move|set|mark|put)\s+#\s*(\d+)\s+(?:to|as|into|in)\s+(.+)")
        .captures(t)
        .or_else(|| {
            re!(r"(?:переведи|перенеси|отметь|поставь)\s+#\s*(\d+)\s+(?:в|как)\s+(.+)").captures(t)
        })
    {
        let number = feature_number(&c[1])?;
        let (status, reason) = status_and_reason(&c[2])?;
        return Ok(Command::SetStatus {
            number,
            status,
            reason,
        });
    }
    if let Some(c) = re!(r"#\s*(\d+)(?:\s*[:—–-]\s*|\s+)(.+)").captures(t) {
        let number = feature_number(&c[1])?;
        let (status, reason) = status_and_reason(&c[2])?;
        return Ok(Command::SetStatus {
            number,
            status,
            reason,
        });
    }
    if let Some(c) = re!(r"#\s*(\d+)\??").captures(t) {
        return Ok(Command::ShowFeature(feature_number(&c[1])?));
    }
    if looks_like_date(t) && parse_date(t, today).is_none() {
        return Err(ParseError::BadDate(t.to_string()));
    }
    Err(ParseError::Unknown {
        text: t.chars().take(100).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ParseContext<'static> {
        ParseContext {
            bot_username: Some("radar_bot"),
            today: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        }
    }
    fn p(s: &str) -> P {
        parse(s, &ctx())
    }

    #[test]
    fn slash_commands_with_and_without_bot_name() {
        assert_eq!(p("/help"), Ok(Command::Help));
        assert_eq!(p("/start"), Ok(Command::Help));
        assert_eq!(p("/help@radar_bot"), Ok(Command::Help));
        assert_eq!(p("/HELP@Radar_Bot"), Ok(Command::Help));
        assert_eq!(p("/help@otherbot"), Err(ParseError::NotForMe));
        assert_eq!(p("/projects@radar_bot"), Ok(Command::Projects));
        assert_eq!(
            p("/status@radar_bot 3 blocked: waiting for keys"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::Blocked,
                reason: Some("waiting for keys".into())
            })
        );
        assert_eq!(
            p("/frobnicate"),
            Err(ParseError::UnknownCommand("/frobnicate".into()))
        );
    }

    #[test]
    fn every_slash_form() {
        assert_eq!(
            p("/newproject Apollo: moon"),
            Ok(Command::NewProject {
                name: "Apollo".into(),
                description: Some("moon".into())
            })
        );
        assert_eq!(
            p("/newproject"),
            Err(ParseError::Usage("/newproject NAME[: description]"))
        );
        assert_eq!(
            p("/use apollo"),
            Ok(Command::Use {
                name: "apollo".into()
            })
        );
        assert_eq!(
            p("/archive Apollo"),
            Ok(Command::Archive {
                name: "Apollo".into()
            })
        );
        assert_eq!(
            p("/add Login"),
            Ok(Command::AddFeature {
                name: "Login".into(),
                description: None
            })
        );
        assert_eq!(p("/features"), Ok(Command::Features(FeatureFilter::Open)));
        assert_eq!(
            p("/features all"),
            Ok(Command::Features(FeatureFilter::All))
        );
        assert_eq!(
            p("/features blocked"),
            Ok(Command::Features(FeatureFilter::Only(Status::Blocked)))
        );
        assert_eq!(
            p("/feature 12"),
            Ok(Command::ShowFeature(FeatureNumber(12)))
        );
        assert_eq!(
            p("/feature #12"),
            Ok(Command::ShowFeature(FeatureNumber(12)))
        );
        assert_eq!(p("/feature x"), Err(ParseError::BadNumber("x".into())));
        assert_eq!(
            p("/status 3 in progress"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::InProgress,
                reason: None
            })
        );
        assert_eq!(
            p("/status 3 nonsense"),
            Err(ParseError::BadStatus("nonsense".into()))
        );
        assert_eq!(
            p("/team 3 Core, Web"),
            Ok(Command::Team {
                number: FeatureNumber(3),
                teams: "Core, Web".into()
            })
        );
        assert_eq!(
            p("/po 3 Anna"),
            Ok(Command::Po {
                number: FeatureNumber(3),
                name: "Anna".into()
            })
        );
        assert_eq!(
            p("/describe 3 Some text"),
            Ok(Command::Describe {
                number: FeatureNumber(3),
                text: "Some text".into()
            })
        );
        assert_eq!(
            p("/rename 3 Sign in"),
            Ok(Command::Rename {
                number: FeatureNumber(3),
                name: "Sign in".into()
            })
        );
        assert_eq!(
            p("/delete 3"),
            Ok(Command::Delete {
                number: FeatureNumber(3),
                confirmed: false
            })
        );
        assert_eq!(
            p("/delete 3 yes"),
            Ok(Command::Delete {
                number: FeatureNumber(3),
                confirmed: true
            })
        );
        assert_eq!(
            p("/release 1.2 2026-12-01"),
            Ok(Command::NewRelease {
                version: "1.2".into(),
                date: NaiveDate::from_ymd_opt(2026, 12, 1)
            })
        );
        assert_eq!(
            p("/release 1.2 2026-02-31"),
            Err(ParseError::BadDate("2026-02-31".into()))
        );
        assert_eq!(p("/releases"), Ok(Command::Releases));
        assert_eq!(
            p("/plan 3 1.2"),
            Ok(Command::Plan {
                number: FeatureNumber(3),
                version: "1.2".into()
            })
        );
        assert_eq!(p("/unplan 3"), Ok(Command::Unplan(FeatureNumber(3))));
        assert_eq!(
            p("/ship 1.2"),
            Ok(Command::Ship {
                version: "1.2".into()
            })
        );
        assert_eq!(p("/changes"), Ok(Command::Changes(Period::Last24Hours)));
        assert_eq!(p("/changes today"), Ok(Command::Changes(Period::Today)));
        assert_eq!(p("/history 3"), Ok(Command::History(FeatureNumber(3))));
        assert_eq!(p("/undo"), Ok(Command::Undo));
        assert_eq!(p("/whoami"), Ok(Command::WhoAmI));
    }

    #[test]
    fn english_phrases() {
        assert_eq!(p("help"), Ok(Command::Help));
        assert_eq!(p("projects"), Ok(Command::Projects));
        assert_eq!(
            p("new project Apollo"),
            Ok(Command::NewProject {
                name: "Apollo".into(),
                description: None
            })
        );
        assert_eq!(
            p("create project Apollo: to the moon"),
            Ok(Command::NewProject {
                name: "Apollo".into(),
                description: Some("to the moon".into())
            })
        );
        assert_eq!(
            p("switch to Apollo"),
            Ok(Command::Use {
                name: "Apollo".into()
            })
        );
        assert_eq!(
            p("switch to project Apollo"),
            Ok(Command::Use {
                name: "Apollo".into()
            })
        );
        assert_eq!(
            p("use Apollo"),
            Ok(Command::Use {
                name: "Apollo".into()
            })
        );
        assert_eq!(
            p("archive project Apollo"),
            Ok(Command::Archive {
                name: "Apollo".into()
            })
        );
        assert_eq!(
            p("add feature Login"),
            Ok(Command::AddFeature {
                name: "Login".into(),
                description: None
            })
        );
        assert_eq!(
            p("new feature Login: OAuth"),
            Ok(Command::AddFeature {
                name: "Login".into(),
                description: Some("OAuth".into())
            })
        );
        assert_eq!(p("features"), Ok(Command::Features(FeatureFilter::Open)));
        assert_eq!(
            p("show blocked features"),
            Ok(Command::Features(FeatureFilter::Only(Status::Blocked)))
        );
        assert_eq!(
            p("features in progress"),
            Ok(Command::Features(FeatureFilter::Only(Status::InProgress)))
        );
        assert_eq!(p("all features"), Ok(Command::Features(FeatureFilter::All)));
        assert_eq!(p("show #3"), Ok(Command::ShowFeature(FeatureNumber(3))));
        assert_eq!(
            p("#3 is done"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::Done,
                reason: None
            })
        );
        assert_eq!(
            p("move #3 to in progress"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::InProgress,
                reason: None
            })
        );
        assert_eq!(
            p("#3 blocked: waiting for keys"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::Blocked,
                reason: Some("waiting for keys".into())
            })
        );
        assert_eq!(
            p("#3 is blocked: waiting for keys"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::Blocked,
                reason: Some("waiting for keys".into())
            })
        );
        assert_eq!(
            p("#3 is banana"),
            Err(ParseError::BadStatus("is banana".into()))
        );
        assert_eq!(
            p("assign #3 to team Core"),
            Ok(Command::Team {
                number: FeatureNumber(3),
                teams: "Core".into()
            })
        );
        assert_eq!(
            p("assign #3 to teams Core and Web"),
            Ok(Command::Team {
                number: FeatureNumber(3),
                teams: "Core, Web".into()
            })
        );
        assert_eq!(
            p("PO of #3 is Anna"),
            Ok(Command::Po {
                number: FeatureNumber(3),
                name: "Anna".into()
            })
        );
        assert_eq!(
            p("delete #3"),
            Ok(Command::Delete {
                number: FeatureNumber(3),
                confirmed: false
            })
        );
        assert_eq!(
            p("new release 1.2"),
            Ok(Command::NewRelease {
                version: "1.2".into(),
                date: None
            })
        );
        assert_eq!(
            p("new release 1.2 on 2026-12-01"),
            Ok(Command::NewRelease {
                version: "1.2".into(),
                date: NaiveDate::from_ymd_opt(2026, 12, 1)
            })
        );
        assert_eq!(p("releases"), Ok(Command::Releases));
        assert_eq!(
            p("put #3 into 1.2"),
            Ok(Command::Plan {
                number: FeatureNumber(3),
                version: "1.2".into()
            })
        );
        assert_eq!(
            p("put #3 into release 1.2"),
            Ok(Command::Plan {
                number: FeatureNumber(3),
                version: "1.2".into()
            })
        );
        assert_eq!(
            p("ship 1.2"),
            Ok(Command::Ship {
                version: "1.2".into()
            })
        );
        assert_eq!(
            p("release 1.2 is out"),
            Ok(Command::Ship {
                version: "1.2".into()
            })
        );
        assert_eq!(p("what changed"), Ok(Command::Changes(Period::Last24Hours)));
        assert_eq!(
            p("what changed this week?"),
            Ok(Command::Changes(Period::ThisWeek))
        );
        assert_eq!(
            p("what changed in the last 3 days"),
            Ok(Command::Changes(Period::LastDays(3)))
        );
        assert_eq!(
            p("what changed since 2026-11-01"),
            Ok(Command::Changes(Period::Since(
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
            )))
        );
        assert_eq!(p("history of #3"), Ok(Command::History(FeatureNumber(3))));
        assert_eq!(p("undo"), Ok(Command::Undo));
        assert_eq!(p("undo last"), Ok(Command::Undo));
    }

    #[test]
    fn russian_phrases() {
        assert_eq!(p("помощь"), Ok(Command::Help));
        assert_eq!(p("проекты"), Ok(Command::Projects));
        assert_eq!(
            p("создай проект Аполлон"),
            Ok(Command::NewProject {
                name: "Аполлон".into(),
                description: None
            })
        );
        assert_eq!(
            p("новый проект Аполлон: луна"),
            Ok(Command::NewProject {
                name: "Аполлон".into(),
                description: Some("луна".into())
            })
        );
        assert_eq!(
            p("переключись на Аполлон"),
            Ok(Command::Use {
                name: "Аполлон".into()
            })
        );
        assert_eq!(
            p("переключись на проект Аполлон"),
            Ok(Command::Use {
                name: "Аполлон".into()
            })
        );
        assert_eq!(
            p("архивируй проект Аполлон"),
            Ok(Command::Archive {
                name: "Аполлон".into()
            })
        );
        assert_eq!(
            p("добавь фичу Вход"),
            Ok(Command::AddFeature {
                name: "Вход".into(),
                description: None
            })
        );
        assert_eq!(
            p("новая фича Вход"),
            Ok(Command::AddFeature {
                name: "Вход".into(),
                description: None
            })
        );
        assert_eq!(p("фичи"), Ok(Command::Features(FeatureFilter::Open)));
        assert_eq!(
            p("покажи фичи в работе"),
            Ok(Command::Features(FeatureFilter::Only(Status::InProgress)))
        );
        assert_eq!(p("покажи #3"), Ok(Command::ShowFeature(FeatureNumber(3))));
        assert_eq!(
            p("#3 готово"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::Done,
                reason: None
            })
        );
        assert_eq!(
            p("#3 в работе"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::InProgress,
                reason: None
            })
        );
        assert_eq!(
            p("переведи #3 в бэклог"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::Backlog,
                reason: None
            })
        );
        assert_eq!(
            p("#3 заблокирована: ждём ключи"),
            Ok(Command::SetStatus {
                number: FeatureNumber(3),
                status: Status::Blocked,
                reason: Some("ждём ключи".into())
            })
        );
        assert_eq!(
            p("назначь #3 команде Core"),
            Ok(Command::Team {
                number: FeatureNumber(3),
                teams: "Core".into()
            })
        );
        assert_eq!(
            p("удали #3"),
            Ok(Command::Delete {
                number: FeatureNumber(3),
                confirmed: false
            })
        );
        assert_eq!(
            p("создай релиз 1.2 на 01.12.2026"),
            Ok(Command::NewRelease {
                version: "1.2".into(),
                date: NaiveDate::from_ymd_opt(2026, 12, 1)
            })
        );
        assert_eq!(p("релизы"), Ok(Command::Releases));
        assert_eq!(
            p("добавь #3 в релиз 1.2"),
            Ok(Command::Plan {
                number: FeatureNumber(3),
                version: "1.2".into()
            })
        );
        assert_eq!(
            p("релиз 1.2 выпущен"),
            Ok(Command::Ship {
                version: "1.2".into()
            })
        );
        assert_eq!(
            p("что изменилось"),
            Ok(Command::Changes(Period::Last24Hours))
        );
        assert_eq!(
            p("что изменилось сегодня"),
            Ok(Command::Changes(Period::Today))
        );
        assert_eq!(
            p("что изменилось вчера"),
            Ok(Command::Changes(Period::Yesterday))
        );
        assert_eq!(
            p("что изменилось за неделю"),
            Ok(Command::Changes(Period::ThisWeek))
        );
        assert_eq!(
            p("что изменилось за 3 дня"),
            Ok(Command::Changes(Period::LastDays(3)))
        );
        assert_eq!(
            p("что изменилось с 01.11.2026"),
            Ok(Command::Changes(Period::Since(
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
            )))
        );
        assert_eq!(p("история #3"), Ok(Command::History(FeatureNumber(3))));
        assert_eq!(p("отмени последнее"), Ok(Command::Undo));
        assert_eq!(p("отмена"), Ok(Command::Undo));
    }

    #[test]
    fn bad_input() {
        assert_eq!(p(""), Err(ParseError::Empty));
        assert_eq!(p("   "), Err(ParseError::Empty));
        assert!(matches!(p("hello there"), Err(ParseError::Unknown { .. })));
        assert_eq!(p("31.02"), Err(ParseError::BadDate("31.02".into())));
        let long = "x".repeat(4096);
        assert_eq!(
            p(&format!("/newproject {long}")),
            Err(ParseError::TooLong {
                what: "project name",
                max: MAX_PROJECT_NAME
            })
        );
        assert!(matches!(
            p("'; DROP TABLE projects; --"),
            Err(ParseError::Unknown { .. })
        ));
        assert!(matches!(p("🚀🚀🚀"), Err(ParseError::Unknown { .. })));
    }

    #[test]
    fn buttons() {
        assert_eq!(
            parse_button("st:12:d"),
            Ok(Command::SetStatusById {
                feature_id: FeatureId(12),
                status: Status::Done
            })
        );
        assert_eq!(parse_button("use:5"), Ok(Command::UseId(ProjectId(5))));
        assert_eq!(parse_button("del:7"), Ok(Command::DeleteById(FeatureId(7))));
        assert_eq!(parse_button("nop"), Ok(Command::Dismiss));
        assert_eq!(parse_button("st:12:z"), Err(ParseError::BadButton));
        assert_eq!(parse_button("st:-1:d"), Err(ParseError::BadButton));
        assert_eq!(parse_button("use:5:extra"), Err(ParseError::BadButton));
        assert_eq!(parse_button(&"x".repeat(65)), Err(ParseError::BadButton));
    }
}
