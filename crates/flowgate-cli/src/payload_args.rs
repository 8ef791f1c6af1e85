//! The arguments of `flowgate payload …` and `flowgate schema diff`: what an integration
//! receives and what it reads, across a platform upgrade.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `flowgate payload …`.
#[derive(Debug, Subcommand)]
pub enum PayloadCommand {
    /// Infer a JSON Schema from captured payloads (JSON Lines): types, optionality, enums,
    /// formats, nullability, array shapes.
    Infer(InferArgs),
    /// What changed between two captures of an integration's payloads: fields gone, retyped,
    /// null, new enum values, new required-looking fields (exit 1 when a change may break a
    /// consumer).
    Diff(PayloadDiffArgs),
}

/// `flowgate payload infer`.
#[derive(Debug, Args)]
pub struct InferArgs {
    /// The captured payloads, one JSON value per line.
    pub samples: PathBuf,
}

/// `flowgate payload diff`.
#[derive(Debug, Args)]
pub struct PayloadDiffArgs {
    /// The capture before (JSON Lines).
    pub before: PathBuf,
    /// The capture after (JSON Lines).
    pub after: PathBuf,
}

/// `flowgate schema [diff OLD NEW]`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SchemaArgs {
    /// Compare database schemas instead.
    #[command(subcommand)]
    pub command: Option<SchemaCommand>,
}

/// `flowgate schema diff`.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Compare two Magento declarative-schema trees (every db_schema.xml under each folder):
    /// tables, columns, types, nullability, defaults, indexes and foreign keys, renames where
    /// `onCreate="migrateDataFrom(…)"` says so (exit 1 on a breaking change).
    Diff(SchemaDiffArgs),
}

/// `flowgate schema diff`.
#[derive(Debug, Args)]
pub struct SchemaDiffArgs {
    /// The tree before (a Magento checkout, or its vendor/magento folder).
    pub old: PathBuf,
    /// The tree after.
    pub new: PathBuf,
    /// Only this table (repeat for several).
    #[arg(long = "table", value_name = "TABLE")]
    pub tables: Vec<String>,
}

/// `flowgate upgrade …`.
#[derive(Debug, Subcommand)]
pub enum UpgradeCommand {
    /// The plan for upgrading a system: per integration, the schema changes on the tables and
    /// columns it uses, its validation steps, and phases (read-only first, safe zone last).
    /// The versions' contracts are read from `contracts/<system>/<version>/db_schema`.
    Plan(UpgradePlanArgs),
}

/// `flowgate upgrade plan`.
#[derive(Debug, Args)]
pub struct UpgradePlanArgs {
    /// The system (a System asset id whose `version` is the current one).
    pub system: String,
    /// The version to upgrade to.
    #[arg(long, value_name = "VERSION")]
    pub to: String,
    /// Write the Markdown plan to this file instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
