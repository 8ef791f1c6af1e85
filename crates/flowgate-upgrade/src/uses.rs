//! What an integration uses of a system's database: its declared `tables`, and the entity
//! field mappings on the system's side that name `table.column` of a table the schema has.

use flowgate_dbschema::Schema;
use flowgate_model::{Integration, TableAccess};
use serde::Serialize;

/// One table (and column) an integration relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnUse {
    /// The table.
    pub table: String,
    /// The column (none: the table as a whole).
    pub column: Option<String>,
    /// Whether the integration writes it.
    pub writes: bool,
    /// `tables` (declared) or `fields` (an entity field mapping).
    pub from: &'static str,
}

/// What a [`Problem`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UseKind {
    /// A table or column of the database (FG026).
    Table,
    /// An operation or field of the API (FG027).
    Api,
}

/// Something an integration says it uses that the system's version does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// A table or column, or an operation or field.
    pub kind: UseKind,
    /// Byte span in the integration's file.
    #[serde(skip)]
    pub span: (usize, usize),
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

/// The five names closest to `wanted` (longest common prefix, then shortest).
pub(crate) fn nearest<'a>(wanted: &str, names: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let common = |name: &str| {
        wanted
            .chars()
            .zip(name.chars())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut ranked: Vec<&str> = names.map(String::as_str).collect();
    ranked.sort_by_key(|name| (std::cmp::Reverse(common(name)), name.len()));
    ranked.truncate(5);
    ranked
}

/// `table.column` when `text` is one (identifiers only).
fn table_column(text: &str) -> Option<(&str, &str)> {
    let (table, column) = text.trim().split_once('.')?;
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (ident(table) && ident(column)).then_some((table, column))
}

/// The columns `integration` uses of `system` (whose schema is `schema`), and what it names
/// that the schema does not have.
pub fn column_uses(
    integration: &Integration,
    system: &str,
    schema: &Schema,
) -> (Vec<ColumnUse>, Vec<Problem>) {
    let mut uses = Vec::new();
    let mut problems = Vec::new();
    for declared in integration
        .tables
        .iter()
        .filter(|t| t.system.value == system)
    {
        let writes = declared.access != TableAccess::Read;
        let table = &declared.table.value;
        let Some(found) = schema.tables.get(table) else {
            problems.push(Problem {
                kind: UseKind::Table,
                span: (declared.table.span.start as usize, declared.table.span.end as usize),
                message: format!("table `{table}` does not exist in {system}'s schema"),
                help: "check the name against the system's declarative schema (`contracts/<system>/<version>/db_schema`)".to_owned(),
            });
            continue;
        };
        if declared.columns.is_empty() {
            uses.push(ColumnUse {
                table: table.clone(),
                column: None,
                writes,
                from: "tables",
            });
        }
        for column in &declared.columns {
            if !found.columns.contains_key(&column.value) {
                problems.push(Problem {
                    kind: UseKind::Table,
                    span: (column.span.start as usize, column.span.end as usize),
                    message: format!(
                        "column `{table}.{}` does not exist in {system}'s schema",
                        column.value
                    ),
                    help: format!(
                        "{table} has no such column; the nearest names: {}",
                        nearest(&column.value, found.columns.keys()).join(", ")
                    ),
                });
                continue;
            }
            uses.push(ColumnUse {
                table: table.clone(),
                column: Some(column.value.clone()),
                writes,
                from: "tables",
            });
        }
    }
    mapped(integration, system, schema, &mut uses);
    (uses, problems)
}

/// The field mappings on `system`'s side naming a column of a table the schema has.
fn mapped(integration: &Integration, system: &str, schema: &Schema, uses: &mut Vec<ColumnUse>) {
    let reads = integration.source.value.as_str() == system;
    let writes = integration.target.value.as_str() == system;
    for field in integration.entities.iter().flat_map(|e| &e.fields) {
        let sides = [(reads, &field.from, false), (writes, &field.to, true)];
        for (on_side, text, write) in sides {
            let Some((table, column)) = table_column(text).filter(|_| on_side) else {
                continue;
            };
            if schema
                .tables
                .get(table)
                .is_some_and(|t| t.columns.contains_key(column))
            {
                uses.push(ColumnUse {
                    table: table.to_owned(),
                    column: Some(column.to_owned()),
                    writes: write,
                    from: "fields",
                });
            }
        }
    }
}
