//! The arguments of `flowgate seed …`: synthetic data to rehearse on.

use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `flowgate seed …`.
#[derive(Debug, Subcommand)]
pub enum SeedCommand {
    /// Write synthetic contacts, companies, orders, carts and suppression-list members whose
    /// columns are the workspace's Field assets: emails on reserved domains, phone numbers in
    /// ranges reserved for fiction, edge cases planted and counted. The same seed gives the
    /// same data.
    Generate(SeedGenerateArgs),
}

/// How generated tables are written to files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeedFileFormat {
    /// One CSV file per table, with a header row.
    Csv,
    /// One JSON Lines file per table.
    Jsonl,
}

/// `flowgate seed generate`.
#[derive(Debug, Args)]
pub struct SeedGenerateArgs {
    /// How many contacts (at most 1,000,000 per run).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub contacts: usize,
    /// The seed: the same seed, workspace and options give the same data.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Locales to draw contacts from, in turn (en-US, en-GB, de-DE, fr-FR; `de` finds de-DE).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "en-US,de-DE,en-GB,fr-FR",
        value_name = "TAGS"
    )]
    pub locale: Vec<String>,
    /// The end of generated time (a date, `2026-12-01`): timestamps fall in the two years
    /// before it. Fixed by default so that a seed always gives the same data.
    #[arg(long, default_value = "2026-12-01", value_name = "DATE")]
    pub as_of: String,
    /// The share of contacts generated as edge cases, from 0 to 1 (each kind is planted at
    /// least once when there are enough contacts and the share is above 0).
    #[arg(long, default_value_t = 0.05, value_name = "SHARE")]
    pub edge_share: f64,
    /// Write files into this directory (one per table).
    #[arg(long, value_name = "DIR", conflicts_with = "url")]
    pub out: Option<PathBuf>,
    /// File format with --out.
    #[arg(long = "as", value_enum, default_value_t = SeedFileFormat::Csv)]
    pub file_format: SeedFileFormat,
    /// Write tables into this database instead: sqlite://PATH, postgres://… or mysql://…
    /// (or env:NAME naming a variable that holds it).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Prefix of the table names in the database.
    #[arg(long, default_value = "seed_", value_name = "PREFIX")]
    pub table_prefix: String,
    /// Drop and write again tables that already hold rows.
    #[arg(long)]
    pub replace: bool,
}
