//! Id newtypes, so a feature's id, its per-project number and a release id
//! cannot be confused. Each is stored as `BIGINT`.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::BigInt;
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            AsExpression, FromSqlRow, Serialize, Deserialize,
        )]
        #[diesel(sql_type = BigInt)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl<DB> ToSql<BigInt, DB> for $name
        where
            DB: Backend,
            i64: ToSql<BigInt, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <i64 as ToSql<BigInt, DB>>::to_sql(&self.0, out)
            }
        }

        impl<DB> FromSql<BigInt, DB> for $name
        where
            DB: Backend,
            i64: FromSql<BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                i64::from_sql(bytes).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// `projects.id`.
    ProjectId
);
id_type!(
    /// `features.id`: stable across renumbering, used in button data.
    FeatureId
);
id_type!(
    /// A feature's number within its project: `#1`, `#2`, … (`features.number`).
    FeatureNumber
);
id_type!(
    /// `releases.id`.
    ReleaseId
);
id_type!(
    /// `event_log.id`: the log's order.
    EventId
);
id_type!(
    /// `outbox.id`: a chat's replies go out in this order.
    OutboxId
);
id_type!(
    /// A Telegram user id (the console's operator is a user too).
    UserId
);
id_type!(
    /// A Telegram chat id (a private chat has its user's id).
    ChatId
);
id_type!(
    /// `offered_actions.id`: what a button offering a command carries.
    OfferId
);
