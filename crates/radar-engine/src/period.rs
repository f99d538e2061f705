//! Periods for "what changed" (parsed by the language's slot parsers), resolved in the configured
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
impl Period {
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

impl Period {
    /// A compact spelling that [`Period::from_code`] reads back (stored
    /// with a page button, so its pages show the same period).
    pub fn code(self) -> String {
        match self {
            Period::Last24Hours => "24h".into(),
            Period::Today => "today".into(),
            Period::Yesterday => "yesterday".into(),
            Period::ThisWeek => "week".into(),
            Period::LastDays(n) => format!("days{n}"),
            Period::Since(d) => format!("since{d}"),
        }
    }

    pub fn from_code(s: &str) -> Option<Period> {
        Some(match s {
            "24h" => Period::Last24Hours,
            "today" => Period::Today,
            "yesterday" => Period::Yesterday,
            "week" => Period::ThisWeek,
            _ => {
                if let Some(n) = s.strip_prefix("days") {
                    Period::LastDays(n.parse().ok()?)
                } else {
                    Period::Since(s.strip_prefix("since")?.parse().ok()?)
                }
            }
        })
    }
}

#[cfg(test)]
mod code_tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for p in [
            Period::Last24Hours,
            Period::Today,
            Period::Yesterday,
            Period::ThisWeek,
            Period::LastDays(3),
            Period::Since(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        ] {
            assert_eq!(Period::from_code(&p.code()), Some(p));
        }
        assert_eq!(Period::from_code("days"), None);
        assert_eq!(Period::from_code("since2026-13-01"), None);
    }
}
