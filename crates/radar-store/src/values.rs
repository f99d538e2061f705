//! Typed column values: status-like columns are `TEXT` with a CHECK
//! constraint (spec §2), read and written as these enums.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            AsExpression, FromSqlRow, Serialize, Deserialize,
        )]
        #[diesel(sql_type = Text)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the order of the CHECK constraint.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value stored as `s`, if any.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<DB> ToSql<Text, DB> for $name
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
            }
        }

        impl<DB> FromSql<Text, DB> for $name
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let s = String::from_sql(bytes)?;
                $name::parse(&s)
                    .ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)).into())
            }
        }
    };
}

text_enum!(
    /// `projects.status`.
    ProjectStatus {
        Active = "active",
        /// Read only; undoing the archiving restores it.
        Archived = "archived",
    }
);

text_enum!(
    /// `features.status`.
    FeatureStatus {
        Backlog = "backlog",
        Planned = "planned",
        InProgress = "in_progress",
        Blocked = "blocked",
        Done = "done",
        Cancelled = "cancelled",
    }
);

impl FeatureStatus {
    /// Open work: everything but done and cancelled.
    pub const OPEN: &'static [FeatureStatus] = &[
        FeatureStatus::Backlog,
        FeatureStatus::Planned,
        FeatureStatus::InProgress,
        FeatureStatus::Blocked,
    ];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

text_enum!(
    /// `releases.status`.
    ReleaseStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Released = "released",
        Cancelled = "cancelled",
    }
);

text_enum!(
    /// `event_log.entity_type`: what an event is about.
    EntityKind {
        Project = "project",
        Feature = "feature",
        Release = "release",
        /// A user's active project (`entity_id` is the user): logged, but not data.
        Context = "context",
    }
);

text_enum!(
    /// `event_log.action`.
    Action {
        Create = "create",
        Update = "update",
        Delete = "delete",
        /// A context switch.
        Switch = "switch",
        /// A compensating event (`reverts_event_id` names the event it reverts).
        Undo = "undo",
    }
);

text_enum!(
    /// `outbox.attachment_kind`: how a reply's file is sent (the reply's
    /// text is then its caption).
    AttachmentKind {
        /// A picture, `sendPhoto` (the burn-up chart, PNG).
        Photo = "photo",
        /// A file, `sendDocument` (the CSV export).
        Document = "document",
    }
);

text_enum!(
    /// `user_settings.language`: the language a user chose for replies.
    Language {
        En = "en",
        Ru = "ru",
    }
);

/// `user_settings.time_zone`: an IANA time zone, stored by its name
/// (`Europe/Berlin`); a name chrono-tz does not know is refused when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct Zone(pub chrono_tz::Tz);

impl<DB> ToSql<Text, DB> for Zone
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        <str as ToSql<Text, DB>>::to_sql(self.0.name(), out)
    }
}

impl<DB> FromSql<Text, DB> for Zone
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let s = String::from_sql(bytes)?;
        s.parse::<chrono_tz::Tz>()
            .map(Zone)
            .map_err(|_| format!("unknown time zone {s:?}").into())
    }
}
