//! Arguments of `flowgate contract …`.

use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `flowgate contract …`.
#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Compare two versions of a Swagger 2.0 / OpenAPI 3 contract (YAML or JSON): every
    /// change classified as breaking, warning or info, located in both files.
    ///
    /// Exit code 1 when a finding reaches --fail-on (breaking by default), 2 when a file
    /// cannot be read or is no contract.
    Diff(ContractDiffArgs),
    /// Explain a contract check: what it means, why it matters to clients, an example and
    /// what to do.
    Rule(ContractRuleArgs),
    /// List every contract check with its level.
    Rules,
}

/// `flowgate contract diff`.
#[derive(Debug, Args)]
pub struct ContractDiffArgs {
    /// The older contract (the one clients were built against).
    pub old: PathBuf,
    /// The newer contract.
    pub new: PathBuf,
    /// The lowest level that makes the command exit with 1.
    #[arg(long, value_enum, default_value_t = FailOn::Breaking, value_name = "LEVEL")]
    pub fail_on: FailOn,
}

/// `flowgate contract rule`.
#[derive(Debug, Args)]
pub struct ContractRuleArgs {
    /// The check id (`request-parameter-removed`), in any case.
    pub id: String,
}

/// The level from which `contract diff` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Breaking changes.
    Breaking,
    /// Warnings and breaking changes.
    Warning,
    /// Any change.
    Info,
    /// Never: always exit 0 when both files were compared.
    Never,
}
