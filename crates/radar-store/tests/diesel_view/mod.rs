//! A schema as diesel sees it: tables, primary keys, columns with their
//! diesel SQL types and nullability, and `joinable!` pairs. Read from a
//! schema file (`diesel::table!` … text) or derived from a migrated database
//! by the rules `diesel print-schema` (diesel_cli 2.3) applies, so that the
//! files the diesel CLI writes can be checked without the CLI.

use std::collections::{BTreeMap, BTreeSet};

use radar_store::test_support::{self, ColumnInfo};
use radar_store::{Backend, Conn};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    pub tables: BTreeMap<String, Table>,
    /// `joinable!(child -> parent (column))`.
    pub joins: BTreeSet<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub pk: Vec<String>,
    /// In the table's order.
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    pub name: String,
    /// The diesel SQL type without `Nullable<…>`: `Int8`, `BigInt`, `Text`…
    pub ty: String,
    pub nullable: bool,
}

/// Reads the `table!` and `joinable!` invocations of a schema file.
pub fn parse(text: &str) -> View {
    let mut view = View::default();
    let mut table: Option<(String, Table)> = None;
    let mut sql_name: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line
            .strip_prefix("diesel::joinable!(")
            .or_else(|| line.strip_prefix("joinable!("))
        {
            let (child, rest) = rest.split_once("->").expect("joinable!(a -> b (c))");
            let (parent, column) = rest.split_once('(').expect("joinable!(a -> b (c))");
            let column = column.trim_end_matches([')', ';']);
            view.joins.insert((
                child.trim().to_string(),
                parent.trim().to_string(),
                column.trim().to_string(),
            ));
        } else if let Some((name, t)) = &mut table {
            if line == "}" {
                view.tables.insert(std::mem::take(name), std::mem::take(t));
                table = None;
            } else if let Some(n) = line
                .strip_prefix("#[sql_name = \"")
                .and_then(|n| n.strip_suffix("\"]"))
            {
                sql_name = Some(n.to_string());
            } else if let Some((column, ty)) = line.split_once("->") {
                let ty = ty.trim().trim_end_matches(',').trim();
                let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                    Some(inner) => (inner.strip_suffix('>').unwrap_or(inner), true),
                    None => (ty, false),
                };
                let ty = ty.rsplit("::").next().unwrap_or(ty);
                let column = column.trim().trim_start_matches("r#");
                t.columns.push(Column {
                    name: sql_name.take().unwrap_or_else(|| column.to_string()),
                    ty: ty.to_string(),
                    nullable,
                });
            }
        } else if line.ends_with('{')
            && line.contains('(')
            && !line.contains("::")
            && !line.starts_with(['#', '/'])
            && !line.starts_with("pub ")
        {
            // `name (pk, …) {`, the table's header.
            let (name, pk) = line.split_once('(').expect("a table header");
            let pk = pk.split_once(')').map_or(pk, |(pk, _)| pk);
            let name = name.trim();
            let name = name.rsplit('.').next().unwrap_or(name);
            table = Some((
                name.to_string(),
                Table {
                    pk: pk.split(',').map(|c| c.trim().to_string()).collect(),
                    columns: Vec::new(),
                },
            ));
        }
    }
    view
}

/// Writes a view as `diesel print-schema` (diesel_cli 2.3) prints it.
pub fn print(view: &View) -> String {
    let mut out = String::from("// @generated automatically by Diesel CLI.\n");
    for (name, t) in &view.tables {
        out.push_str(&format!(
            "\ndiesel::table! {{\n    {name} ({}) {{\n",
            t.pk.join(", ")
        ));
        for c in &t.columns {
            let ty = if c.nullable {
                format!("Nullable<{}>", c.ty)
            } else {
                c.ty.clone()
            };
            out.push_str(&format!("        {} -> {ty},\n", c.name));
        }
        out.push_str("    }\n}\n");
    }
    if !view.joins.is_empty() {
        out.push('\n');
    }
    for (child, parent, column) in &view.joins {
        out.push_str(&format!(
            "diesel::joinable!({child} -> {parent} ({column}));\n"
        ));
    }
    if view.tables.len() >= 2 {
        out.push_str("\ndiesel::allow_tables_to_appear_in_same_query!(\n");
        for name in view.tables.keys() {
            out.push_str(&format!("    {name},\n"));
        }
        out.push_str(");\n");
    }
    out
}

/// PostgreSQL: diesel names a type after its `udt_name` in upper camel case.
fn pg_type(udt: &str) -> String {
    let camel = |s: &str| -> String {
        s.split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect()
    };
    match udt.strip_prefix('_') {
        Some(element) => format!("Array<Nullable<{}>>", camel(element)),
        None => camel(udt),
    }
}

/// SQLite: diesel reads the declared type (diesel_cli's
/// `determine_column_type`, with `sqlite_integer_primary_key_is_bigint`).
fn sqlite_type(declared: &str, rowid: bool) -> Result<String, String> {
    let t = declared.to_lowercase();
    let has = |s: &str| t.contains(s);
    Ok(
        if t == "boolean" || t == "bool" || has("tiny") && has("int") {
            "Bool"
        } else if t == "int2" || has("small") && has("int") {
            "SmallInt"
        } else if t == "int8" || has("big") && has("int") {
            "BigInt"
        } else if has("int") {
            if rowid { "BigInt" } else { "Integer" }
        } else if has("char") || has("clob") || has("text") {
            "Text"
        } else if has("blob") || has("binary") || t.is_empty() {
            "Binary"
        } else if has("float") || has("real") {
            "Float"
        } else if has("double") || has("num") || has("dec") {
            "Double"
        } else if t == "datetime" || t == "timestamp" {
            "Timestamp"
        } else if t == "date" {
            "Date"
        } else if t == "time" {
            "Time"
        } else {
            return Err(format!(
                "diesel print-schema does not support the SQLite type {declared:?}"
            ));
        }
        .to_string(),
    )
}

/// What `diesel print-schema` reports for the migrated database `conn`.
pub async fn of_database(conn: &mut Conn) -> View {
    let backend = conn.backend();
    let columns = test_support::column_info(conn).await.unwrap();
    let fks = test_support::foreign_keys(conn).await.unwrap();

    let mut pks: BTreeMap<&str, Vec<&ColumnInfo>> = BTreeMap::new();
    for c in columns.iter().filter(|c| c.pk > 0) {
        pks.entry(&c.table_name).or_default().push(c);
    }
    let pk = |table: &str| -> Vec<String> {
        let mut cols = pks.get(table).cloned().unwrap_or_default();
        cols.sort_by_key(|c| c.pk);
        cols.iter().map(|c| c.column_name.clone()).collect()
    };
    // A SQLite rowid alias: the only primary key column, declared exactly
    // INTEGER, of a rowid table.
    let is_rowid = |table: &str, column: &str| -> bool {
        match pks.get(table).map(Vec::as_slice) {
            Some([c]) => {
                c.column_name == column
                    && c.sql_type.eq_ignore_ascii_case("integer")
                    && c.rowid_table
            }
            _ => false,
        }
    };

    let mut view = View::default();
    for c in &columns {
        let ty = match backend {
            Backend::Postgres => pg_type(&c.sql_type),
            Backend::Sqlite => {
                let references_rowid = fks.iter().any(|f| {
                    f.child_table == c.table_name
                        && f.child_column == c.column_name
                        && matches!(pk(&f.parent_table).as_slice(), [id] if is_rowid(&f.parent_table, id))
                });
                let rowid = is_rowid(&c.table_name, &c.column_name) || references_rowid;
                sqlite_type(&c.sql_type, rowid).unwrap_or_else(|e| panic!("{e}"))
            }
        };
        let t = view.tables.entry(c.table_name.clone()).or_default();
        t.columns.push(Column {
            name: c.column_name.clone(),
            ty,
            nullable: c.nullable,
        });
    }
    for (name, t) in &mut view.tables {
        t.pk = pk(name);
    }

    // joinable!: single-column foreign keys to the parent's one-column
    // primary key, not self-referencing, the only one between two tables.
    let mut by_constraint: BTreeMap<(&str, &str), Vec<_>> = BTreeMap::new();
    for f in &fks {
        by_constraint
            .entry((&f.child_table, &f.constraint))
            .or_default()
            .push(f);
    }
    let mut candidates = Vec::new();
    let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    for cols in by_constraint.values() {
        let f = cols[0];
        let pair = if f.child_table < f.parent_table {
            (f.child_table.clone(), f.parent_table.clone())
        } else {
            (f.parent_table.clone(), f.child_table.clone())
        };
        *pairs.entry(pair.clone()).or_default() += 1;
        let parent_pk = pk(&f.parent_table);
        let references_pk =
            parent_pk.len() == 1 && f.parent_column.as_deref().is_none_or(|p| p == parent_pk[0]);
        if cols.len() == 1 && f.child_table != f.parent_table && references_pk {
            candidates.push((pair, f));
        }
    }
    for (pair, f) in candidates {
        if pairs[&pair] == 1 {
            view.joins.insert((
                f.child_table.clone(),
                f.parent_table.clone(),
                f.child_column.clone(),
            ));
        }
    }
    view
}

/// The portable name of a backend's type (`Int8` and `BigInt` are one type).
pub fn portable_type(ty: &str) -> &str {
    match ty {
        "Int8" => "BigInt",
        "Int4" => "Integer",
        "Int2" => "SmallInt",
        "Float8" => "Double",
        "Float4" => "Float",
        "Bytea" => "Binary",
        "Varchar" => "Text",
        t => t,
    }
}
