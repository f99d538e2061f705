//! Periods for "what changed": parsed from words, resolved in the configured
//! time zone (`RADAR_TIMEZONE`), so "today" starts at the user's midnight.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::Lang;
use crate::messages::t;
use crate::render::show_date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// The last 24 hours (the default).
    Last24Hours,
    Today,
    Yesterday,
    /// Since Monday 00:00 local time.
    ThisWeek,
    LastDays(u32),
    Since(NaiveDate),
}

/// Dates in either language's usual spelling: `2026-12-01`, `01.12.2026`,
/// `1.12` (this year). Impossible dates (31.02) are `None`.
pub fn parse_date(s: &str, today: NaiveDate) -> Option<NaiveDate> {
    let s = s.trim().trim_end_matches(['.', ',', '?', '!']);
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d.%m.%Y") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d/%m/%Y") {
        return Some(d);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() == 2 {
        let d: u32 = parts[0].parse().ok()?;
        let m: u32 = parts[1].parse().ok()?;
        return NaiveDate::from_ymd_opt(today.year(), m, d);
    }
    None
}

/// Looks like a date someone meant, even if impossible (31.02): used to say
/// "no such date" instead of "I don't understand".
pub fn looks_like_date(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '/'))
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().any(|c| matches!(c, '.' | '-' | '/'))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodError {
    BadDate(String),
    Unknown(String),
}

impl Period {
    pub fn parse(s: &str, today: NaiveDate) -> Result<Period, PeriodError> {
        let t = s
            .trim()
            .trim_end_matches(['?', '!', '.'])
            .trim()
            .to_lowercase();
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        let t = t.as_str();
        let fixed = match t {
            "" | "24h" | "last 24 hours" | "in the last 24 hours" | "за сутки" => {
                Some(Period::Last24Hours)
            }
            "today" | "сегодня" | "за сегодня" => Some(Period::Today),
            "yesterday" | "вчера" | "за вчера" => Some(Period::Yesterday),
            "this week" | "week" | "за неделю" | "на этой неделе" | "за эту неделю" | "неделя" => {
                Some(Period::ThisWeek)
            }
            _ => None,
        };
        if let Some(p) = fixed {
            return Ok(p);
        }
        // "in the last 3 days", "last 3 days", "3 days", "3d", "за 3 дня"
        let days = t
            .trim_start_matches("in the ")
            .trim_start_matches("over the ")
            .trim_start_matches("last ")
            .trim_start_matches("за последние ")
            .trim_start_matches("за ");
        let (num, unit) = match days.find(|c: char| !c.is_ascii_digit()) {
            Some(i) => (&days[..i], days[i..].trim()),
            None => (days, ""),
        };
        if let Ok(n) = num.parse::<u32>()
            && matches!(unit, "d" | "day" | "days" | "дня" | "дней" | "день" | "д")
        {
            if n == 0 || n > 3660 {
                return Err(PeriodError::Unknown(s.trim().to_string()));
            }
            return Ok(Period::LastDays(n));
        }
        let date = t
            .strip_prefix("since ")
            .or_else(|| t.strip_prefix("с "))
            .or_else(|| t.strip_prefix("from "))
            .unwrap_or(t);
        if let Some(d) = parse_date(date, today) {
            return Ok(Period::Since(d));
        }
        if looks_like_date(date) {
            return Err(PeriodError::BadDate(date.to_string()));
        }
        Err(PeriodError::Unknown(s.trim().to_string()))
    }

    /// `[from, to)` in UTC for this period, as seen at `now` in `tz`.
    pub fn bounds(self, now: DateTime<Utc>, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let local_today = now.with_timezone(&tz).date_naive();
        let midnight = |d: NaiveDate| -> DateTime<Utc> {
            let naive = d.and_hms_opt(0, 0, 0).expect("midnight exists");
            // A DST gap at midnight: take the earliest valid instant after it.
            tz.from_local_datetime(&naive)
                .earliest()
                .or_else(|| {
                    tz.from_local_datetime(&(naive + Duration::hours(1)))
                        .earliest()
                })
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
        };
        let end = now + Duration::seconds(1);
        match self {
            Period::Last24Hours => (now - Duration::hours(24), end),
            Period::Today => (midnight(local_today), end),
            Period::Yesterday => (
                midnight(local_today - Duration::days(1)),
                midnight(local_today),
            ),
            Period::ThisWeek => {
                let back = local_today.weekday().num_days_from_monday() as i64;
                (midnight(local_today - Duration::days(back)), end)
            }
            Period::LastDays(n) => (now - Duration::days(n as i64), end),
            Period::Since(d) => (midnight(d), end),
        }
    }

    /// The period in words, e.g. "in the last 3 days" / «за последние 3 дня».
    pub fn describe(self, lang: Lang) -> String {
        match self {
            Period::Last24Hours => t!(lang, "period-last-24-hours"),
            Period::Today => t!(lang, "period-today"),
            Period::Yesterday => t!(lang, "period-yesterday"),
            Period::ThisWeek => t!(lang, "period-this-week"),
            Period::LastDays(n) => t!(lang, "period-last-days", days = n),
            Period::Since(d) => t!(lang, "period-since", date = show_date(d, lang)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    #[test]
    fn parses_periods_in_both_languages() {
        let p = |s| Period::parse(s, today());
        assert_eq!(p(""), Ok(Period::Last24Hours));
        assert_eq!(p("today"), Ok(Period::Today));
        assert_eq!(p("Сегодня"), Ok(Period::Today));
        assert_eq!(p("yesterday"), Ok(Period::Yesterday));
        assert_eq!(p("вчера"), Ok(Period::Yesterday));
        assert_eq!(p("this week"), Ok(Period::ThisWeek));
        assert_eq!(p("за неделю"), Ok(Period::ThisWeek));
        assert_eq!(p("in the last 3 days"), Ok(Period::LastDays(3)));
        assert_eq!(p("за 3 дня"), Ok(Period::LastDays(3)));
        assert_eq!(p("7d"), Ok(Period::LastDays(7)));
        assert_eq!(
            p("since 2026-11-01"),
            Ok(Period::Since(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()))
        );
        assert_eq!(
            p("с 01.11.2026"),
            Ok(Period::Since(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()))
        );
        assert_eq!(
            p("с 31.02.2026"),
            Err(PeriodError::BadDate("31.02.2026".into()))
        );
        assert!(matches!(p("banana"), Err(PeriodError::Unknown(_))));
        assert!(matches!(p("0 days"), Err(PeriodError::Unknown(_))));
    }

    #[test]
    fn today_starts_at_local_midnight() {
        let tz: Tz = "Europe/Moscow".parse().unwrap();
        // 2026-11-21 00:30 in Moscow is 2026-11-20 21:30 UTC.
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap();
        let (from, _) = Period::Today.bounds(now, tz);
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 11, 20, 21, 0, 0).unwrap());
        let (yf, yt) = Period::Yesterday.bounds(now, tz);
        assert_eq!(yf, Utc.with_ymd_and_hms(2026, 11, 19, 21, 0, 0).unwrap());
        assert_eq!(yt, from);
    }
}
