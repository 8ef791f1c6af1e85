//! What a declarative schema declares.

use serde::Serialize;
use std::collections::BTreeMap;

/// Where something is declared: file, line, column (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The file, relative to the tree read.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Column.
    pub column: u32,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// `xsi:type`: `int`, `varchar`, `decimal`, …
    pub ty: String,
    /// `length` (varchar, varbinary).
    pub length: Option<u64>,
    /// `precision` (decimal).
    pub precision: Option<u64>,
    /// `scale` (decimal).
    pub scale: Option<u64>,
    /// `unsigned`.
    pub unsigned: bool,
    /// `nullable` (true unless `nullable="false"`).
    pub nullable: bool,
    /// `identity` (auto-increment).
    pub identity: bool,
    /// `default`.
    pub default: Option<String>,
    /// `onCreate="migrateDataFrom(old)"`: the column it takes its data from.
    pub migrates_from: Option<String>,
    /// Where declared (the last declaration that changed it).
    pub place: Place,
}

impl Column {
    /// The type as SQL writes it: `decimal(20,4)`, `varchar(255)`, `int unsigned`.
    pub fn sql_type(&self) -> String {
        let size = match (self.length, self.precision, self.scale) {
            (Some(l), _, _) => format!("({l})"),
            (None, Some(p), Some(s)) => format!("({p},{s})"),
            (None, Some(p), None) => format!("({p})"),
            _ => String::new(),
        };
        let unsigned = if self.unsigned { " unsigned" } else { "" };
        format!("{}{size}{unsigned}", self.ty)
    }
}

/// An index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    /// `indexType`: `btree`, `fulltext`, `hash`.
    pub kind: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// Where declared.
    pub place: Place,
}

/// A constraint: primary, unique or foreign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Constraint {
    /// `primary`, `unique` or `foreign`.
    pub kind: String,
    /// Its columns (a foreign key's `column`).
    pub columns: Vec<String>,
    /// A foreign key's `referenceTable.referenceColumn` and `onDelete`.
    pub references: Option<String>,
    /// Where declared.
    pub place: Place,
}

/// A table, merged from every module that declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    /// Its name.
    pub name: String,
    /// Columns by name.
    pub columns: BTreeMap<String, Column>,
    /// Indexes by `referenceId`.
    pub indexes: BTreeMap<String, Index>,
    /// Constraints by `referenceId`.
    pub constraints: BTreeMap<String, Constraint>,
    /// Where first declared.
    pub place: Place,
}

/// Every table of a tree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// Tables by name.
    pub tables: BTreeMap<String, Table>,
    /// The files read, relative to the tree.
    pub files: Vec<String>,
}
