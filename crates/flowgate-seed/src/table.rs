//! Generated tables: named, typed columns and rows of JSON values.

use serde_json::Value;

/// The type of a column, which decides its SQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Text.
    Text,
    /// A whole number.
    Integer,
    /// A decimal number.
    Real,
    /// True or false.
    Bool,
    /// A calendar date (`2026-03-29`).
    Date,
    /// An instant in UTC (`2026-03-29T01:00:00Z`).
    Timestamp,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name (a field id or a built-in column).
    pub name: String,
    /// Its type.
    pub kind: ColumnKind,
}

/// One generated table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Its name (`contacts`, `companies`, `orders`, `carts`, `list_members`).
    pub name: &'static str,
    /// Its columns, in order.
    pub columns: Vec<Column>,
    /// Its rows, one value per column (null where a value is missing).
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// An empty table with `columns`.
    pub fn new(name: &'static str, columns: Vec<Column>) -> Self {
        Self {
            name,
            columns,
            rows: Vec::new(),
        }
    }

    /// The index of the column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}
