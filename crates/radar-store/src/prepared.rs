//! Writes kept prepared.
//!
//! diesel marks every `UPDATE`, every `INSERT` of a struct with optional
//! columns and every `ON CONFLICT … DO UPDATE` as unsafe to keep in the
//! connection's prepared-statement cache, because their SQL text depends on
//! the values (a `None` column is written `DEFAULT`, an empty changeset has
//! no `SET`). So each such write was prepared anew every time: on PostgreSQL
//! a `Parse`/`Describe` round trip, a full parse, analysis and plan in the
//! server, then a `Close`; on SQLite a `sqlite3_prepare`. PostgreSQL spent
//! about a third of its CPU on that under load (BENCHMARKS.md §10).
//!
//! [`Prepared`] tells the cache that the statement may be kept: the cache
//! then keys it by its SQL text and bind types (diesel's
//! `StatementCacheKey::Sql`), so a value that changes the text gets its own
//! entry and none is ever reused for another text. Use it only for
//! statements whose texts are few — one row, or a bounded number of rows —
//! never for a list whose length is the caller's (each length would stay
//! cached for the connection's life).

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};

/// A statement the connection's cache keeps prepared, keyed by its SQL text.
#[derive(Debug, Clone, Copy)]
pub struct Prepared<Q>(pub Q);

/// `.prepared()` on any statement (see the module's docs for when).
pub trait KeepPrepared: Sized {
    fn prepared(self) -> Prepared<Self> {
        Prepared(self)
    }
}

impl<Q> KeepPrepared for Q {}

impl<Q, DB> QueryFragment<DB> for Prepared<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

// No static id: the cache keys the statement by its SQL text and bind types.
impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}
