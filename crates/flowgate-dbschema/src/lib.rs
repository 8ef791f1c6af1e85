//! Magento's declarative schema. [`read_tree`] finds every `db_schema.xml` under a folder
//! (a Magento checkout or `vendor/magento`), reads tables, columns, indexes and constraints
//! with the file, line and column of each, and merges what several modules declare for one
//! table (`disabled="true"` removes). [`diff()`] compares two trees: tables and columns added
//! and removed, renames where `onCreate="migrateDataFrom(…)"` says so, types, lengths,
//! precision, nullability, defaults, indexes and foreign keys, each classified.
#![forbid(unsafe_code)]

pub mod diff;
pub mod model;
mod read;

pub use diff::{diff, Level, SchemaChange};
pub use model::{Column, Constraint, Index, Place, Schema, Table};
pub use read::{read_tree, ReadError};
