//! Errors of a reconciliation run.
//!
//! Every error says what is wrong, where (the side, the asset field, the file and line) and
//! what to do. The variants carry those as fields, so a caller can tell them apart without
//! reading the message: [`Error::Invalid`] is always something the user can correct in the
//! asset, its files or its environment; [`Error::Connection`] and [`Error::Database`] are
//! about reaching and running the databases.

use std::path::PathBuf;

/// Why a run (or the generator) could not complete. A run that fails never reports
/// "no differences".
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A connection URL is missing or unusable, or a local source's file does not exist.
    #[error("{side}: {problem}")]
    Connection {
        /// `left` or `right`.
        side: String,
        /// What is wrong and what to do.
        problem: ConnectionProblem,
    },
    /// A database reported an error (including a dropped connection).
    #[error("{side}: the database failed while running the reconciliation ({source}); nothing is reported for this run — fix the cause and run it again")]
    Database {
        /// `left`, `right` or the generator target.
        side: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The asset, a local source's file or the generator's options ask for something the
    /// engine cannot do; the user can correct it (boxed: it is the largest).
    #[error(transparent)]
    Invalid(Box<Invalid>),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(Box::new(invalid))
    }
}

/// Why a side cannot be connected to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionProblem {
    /// The URL's scheme is none the engine reads.
    #[error("the connection URL must start with mysql://, mariadb://, postgres://, sqlite:, csv: or parquet:")]
    UnknownScheme,
    /// The connection variable the asset names is not set.
    #[error("environment variable {variable} is not set; export it with the connection URL (mysql://… or postgres://…)")]
    UnsetVariable {
        /// The variable's name.
        variable: String,
    },
    /// The asset's secret reference uses a provider connections cannot be read from.
    #[error("`{provider}:` secret references are not supported for reconciliation connections yet; use `env:NAME`")]
    UnsupportedSecret {
        /// The provider (`vault`, …).
        provider: String,
    },
    /// A local source's file does not exist.
    #[error("{}: no such file; give the path of the {kind} file (relative to the directory flowgate runs in)", path.display())]
    NoSuchFile {
        /// The file as the URL names it.
        path: PathBuf,
        /// What it should be (`SQLite database`, `CSV`, `Parquet`).
        kind: &'static str,
    },
}

/// An environment variable a reconciliation may not read: its name does not end in `_URL`
/// or `_DSN`, or it starts with `FLOWGATE_` (see [`crate::connection_variable`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`env:{variable}` is not a connection variable: a reconciliation reads only variables whose name ends in `_URL` or `_DSN` and does not start with `FLOWGATE_` (flowgate's own settings); export the connection URL as, for example, `{suggestion}` and write `url: env:{suggestion}`")]
pub struct NotConnectionVariable {
    /// The variable the asset names.
    pub variable: String,
    /// A name that would be read.
    pub suggestion: String,
}

/// Where in a local source a row is: its line in a CSV file, or its row in a Parquet file
/// or a SQLite result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowPlace {
    /// `FILE:LINE` of a CSV file.
    Line {
        /// The file.
        path: PathBuf,
        /// The line (from 1).
        line: String,
    },
    /// `FILE: row N`.
    Row {
        /// The file.
        path: PathBuf,
        /// The row (from 1).
        row: String,
    },
}

impl std::fmt::Display for RowPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Line { path, line } => write!(f, "{}:{line}", path.display()),
            Self::Row { path, row } => write!(f, "{}: row {row}", path.display()),
        }
    }
}

/// Something the user can correct: in the asset, in a local source's file, in the
/// database's setup or in the generator's options. Each message says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Invalid {
    /// The asset names an environment variable that is not a connection variable.
    #[error("{side}: {source}")]
    Variable {
        /// `left` or `right`.
        side: String,
        /// The variable and a name that would do.
        #[source]
        source: NotConnectionVariable,
    },
    /// An SQL fragment of the asset (`query`, `filter`, an aggregate query) is refused.
    #[error("{field}: {problem} (at character {at}); `{field}` is one piece of a single statement in the database's own SQL — correct it in the asset")]
    Fragment {
        /// The asset field (`left.filter`, ``aggregates `revenue`: right``).
        field: String,
        /// The character (from 1) in the fragment.
        at: usize,
        /// What is wrong and how to correct it.
        problem: &'static str,
    },
    /// `segment_by` holds negative values.
    #[error("`segment_by` must be a non-negative integer column on both sides")]
    NegativeSegmentBy {
        /// The smallest value found.
        min: i128,
    },
    /// A side's checksum query returned a row that is not `segment, count, sum`.
    #[error("{side}: a checksum query returned an unreadable row; is `segment_by` a non-negative integer column?")]
    UnreadableChecksums {
        /// The side.
        side: String,
    },
    /// MySQL/MariaDB does not know the side's `timezone`.
    #[error("{side}: MySQL does not know the time zone `{zone}`; load the zone tables (mysql_tzinfo_to_sql) or write an offset such as `+01:00`")]
    MySqlZone {
        /// The side.
        side: String,
        /// The zone the asset names.
        zone: String,
    },
    /// The side's `timezone` is neither an IANA name nor an offset.
    #[error("{side}: unknown time zone `{zone}`")]
    UnknownZone {
        /// The side.
        side: String,
        /// The zone the asset names.
        zone: String,
    },
    /// The database did not return its clock, which an incremental run needs.
    #[error("{side}: the database did not tell its clock")]
    NoClock {
        /// The side.
        side: String,
    },
    /// A statement that changes data was asked of a read-only connection.
    #[error("{side}: this connection is read-only; statements that change data are not run")]
    ReadOnly {
        /// The side.
        side: String,
    },
    /// A local source's file lies outside the workspace once links are followed.
    #[error("{side}: {} is outside the workspace {} (it resolves to {}); a local source must be a file inside the workspace — copy or export it there", path.display(), workspace.display(), real.display())]
    OutsideWorkspace {
        /// `left` or `right`.
        side: String,
        /// The file as the URL names it.
        path: PathBuf,
        /// The workspace's real path.
        workspace: PathBuf,
        /// The file's real path.
        real: PathBuf,
    },
    /// A local source names neither a `table` nor a `query`.
    #[error("{}: the source needs a `table` or a `query`", path.display())]
    NoTableOrQuery {
        /// The file.
        path: PathBuf,
    },
    /// A CSV file cannot be opened or read as CSV.
    #[error("{}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: csv::Error,
    },
    /// A CSV file's header row cannot be read.
    #[error("{}:1: cannot read the header row: {source}", path.display())]
    CsvHeader {
        /// The file.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: csv::Error,
    },
    /// A CSV file's header row leaves a column unnamed.
    #[error("{}:1: the header row must name every column", path.display())]
    CsvUnnamedColumn {
        /// The file.
        path: PathBuf,
    },
    /// A CSV row cannot be read (most often: another number of cells than the header).
    #[error("{}:{line}: {source}; every row needs as many cells as the header ({width})", path.display())]
    CsvRow {
        /// The file.
        path: PathBuf,
        /// The line (0 when unknown).
        line: u64,
        /// Cells in the header.
        width: usize,
        /// The reader's error.
        #[source]
        source: csv::Error,
    },
    /// A Parquet file cannot be opened as Parquet.
    #[error("{}: not a readable Parquet file: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// A Parquet row cannot be read.
    #[error("{}: row {row}: {source}", path.display())]
    ParquetRow {
        /// The file.
        path: PathBuf,
        /// The row (from 1).
        row: usize,
        /// The reader's error.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// A local source's value cannot be read as its column's type.
    #[error("{place}: column `{column}`: `{found}` is not {expected}; correct the value or the column's `type`")]
    Value {
        /// The row.
        place: RowPlace,
        /// The source column.
        column: String,
        /// The text found.
        found: String,
        /// What was expected (`a decimal`, `a timestamp`).
        expected: &'static str,
    },
    /// A local source's `segment_by` value is not a non-negative whole number.
    #[error(
        "{place}: `segment_by` column `{column}`: `{found}` is not a non-negative whole number"
    )]
    SegmentValue {
        /// The row.
        place: RowPlace,
        /// The source column.
        column: String,
        /// The text found.
        found: String,
    },
    /// A local side's aggregate query returned a value that is not of its column's type.
    #[error("aggregate check {check}: column `{column}`: `{found}` is not {expected}")]
    AggregateValue {
        /// The aggregate check.
        check: String,
        /// The group or measure column.
        column: String,
        /// The text found.
        found: String,
        /// What was expected.
        expected: &'static str,
    },
    /// Magento's `db_schema.xml` is not readable XML.
    #[error("{}: byte {byte}: not readable XML ({source})", path.display())]
    SchemaXml {
        /// The file.
        path: PathBuf,
        /// Where reading stopped.
        byte: u64,
        /// The reader's error.
        #[source]
        source: quick_xml::Error,
    },
    /// A `sales_order` column of `db_schema.xml` has a type the generator does not know.
    #[error("{}: column {column}: unknown type `{found}`", path.display())]
    SchemaColumnType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// Its `xsi:type`.
        found: String,
    },
    /// `db_schema.xml` has no `sales_order` table.
    #[error("{}: no `sales_order` table; pass Magento's module-sales/etc/db_schema.xml", path.display())]
    NoSalesOrder {
        /// The file.
        path: PathBuf,
    },
    /// The generator's `every` is too small to plant one difference of each class.
    #[error("`every` must be at least 10 (one residue per planted class)")]
    Every {
        /// The value given.
        every: u64,
    },
    /// The generator's ERP schema name is not a plain identifier.
    #[error("`{schema}` is not a schema name (letters, digits, `_`)")]
    SchemaName {
        /// The name given.
        schema: String,
    },
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_before() {
        let variable = Error::from(Invalid::Variable {
            side: "left".to_owned(),
            source: NotConnectionVariable {
                variable: "HOME".to_owned(),
                suggestion: "HOME_DB_URL".to_owned(),
            },
        });
        assert_eq!(
            variable.to_string(),
            "left: `env:HOME` is not a connection variable: a reconciliation reads only variables whose name ends in `_URL` or `_DSN` and does not start with `FLOWGATE_` (flowgate's own settings); export the connection URL as, for example, `HOME_DB_URL` and write `url: env:HOME_DB_URL`"
        );
        let value = Error::from(Invalid::Value {
            place: RowPlace::Line {
                path: PathBuf::from("data/orders.csv"),
                line: "3".to_owned(),
            },
            column: "base_grand_total".to_owned(),
            found: "12,x".to_owned(),
            expected: "a decimal",
        });
        assert_eq!(
            value.to_string(),
            "data/orders.csv:3: column `base_grand_total`: `12,x` is not a decimal; correct the value or the column's `type`"
        );
        let missing = Error::Connection {
            side: "right".to_owned(),
            problem: ConnectionProblem::NoSuchFile {
                path: PathBuf::from("erp.csv"),
                kind: "CSV",
            },
        };
        assert_eq!(
            missing.to_string(),
            "right: erp.csv: no such file; give the path of the CSV file (relative to the directory flowgate runs in)"
        );
        let fragment = Error::from(Invalid::Fragment {
            field: "right.filter".to_owned(),
            at: 7,
            problem: "a `(` is never closed: balance the parentheses",
        });
        assert_eq!(
            fragment.to_string(),
            "right.filter: a `(` is never closed: balance the parentheses (at character 7); `right.filter` is one piece of a single statement in the database's own SQL — correct it in the asset"
        );
    }
}
