//! `names_versions`: a version token per scope of the names a message is
//! understood in, so that the engine can keep those names in memory and
//! still see every change, made by this process or another replica
//! (migration `000009_names_versions` says why the token is random).
//!
//! The store functions that write a name bump its scope here, in the
//! caller's transaction: [`crate::projects`] (insert, rename, status, delete)
//! bumps [`Scope::Projects`]; [`crate::features`] (insert, delete, a change
//! of name, number, teams or PO) and [`crate::releases`] (insert, delete, a
//! change of version) bump [`Scope::Project`]. A write made around them (raw
//! SQL) is not seen by a running process until the scope's next bump.

use crate::prepared::KeepPrepared;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::ProjectId;
use crate::schema::names_versions;
use crate::{Conn, R, dispatch};

/// Which names a version covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every project's name and status.
    Projects,
    /// One project's feature names (numbers, teams, POs) and release versions.
    Project(ProjectId),
}

impl Scope {
    /// The `scope` column: 0 for the project list, else the project's id.
    pub fn key(self) -> i64 {
        match self {
            Scope::Projects => 0,
            Scope::Project(p) => p.0,
        }
    }
}

/// A scope's version: `None` when it was never bumped since the migration.
pub type Version = Option<i64>;

/// Gives `scope` a new version (in the caller's transaction).
pub async fn bump(conn: &mut Conn, scope: Scope) -> R<()> {
    upsert(conn, scope, rand::random()).await
}

/// Gives `scope` a new version if it still has `read` (the version its
/// caller read the names at) and returns it: the caller's names plus its
/// own change are the names at that version. `None` when another
/// transaction changed the scope in between; the scope then gets a new
/// version all the same. On PostgreSQL the row lock taken here orders
/// concurrent writers of one scope, so at most one of them sees `read`.
pub async fn bump_from(conn: &mut Conn, scope: Scope, read: Version) -> R<Option<i64>> {
    let version: i64 = rand::random();
    let key = scope.key();
    let changed = dispatch!(conn, |c| {
        match read {
            Some(read) => {
                diesel::update(
                    names_versions::table
                        .filter(names_versions::scope.eq(key))
                        .filter(names_versions::version.eq(read)),
                )
                .set(names_versions::version.eq(version))
                .prepared()
                .execute(c)
                .await?
            }
            None => {
                diesel::insert_into(names_versions::table)
                    .values((
                        names_versions::scope.eq(key),
                        names_versions::version.eq(version),
                    ))
                    .on_conflict_do_nothing()
                    .prepared()
                    .execute(c)
                    .await?
            }
        }
    });
    if changed == 1 {
        return Ok(Some(version));
    }
    upsert(conn, scope, version).await?;
    Ok(None)
}

async fn upsert(conn: &mut Conn, scope: Scope, version: i64) -> R<()> {
    let scope = scope.key();
    dispatch!(conn, |c| {
        diesel::insert_into(names_versions::table)
            .values((
                names_versions::scope.eq(scope),
                names_versions::version.eq(version),
            ))
            .on_conflict(names_versions::scope)
            .do_update()
            .set(names_versions::version.eq(version))
            .prepared()
            .execute(c)
            .await?;
    });
    Ok(())
}

/// A scope's current version.
pub async fn get(conn: &mut Conn, scope: Scope) -> R<Version> {
    let scope = scope.key();
    Ok(dispatch!(conn, |c| {
        names_versions::table
            .find(scope)
            .select(names_versions::version)
            .first::<i64>(c)
            .await
            .optional()?
    }))
}
