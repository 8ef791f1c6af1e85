//! The arguments of `flowgate payload …`.

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
