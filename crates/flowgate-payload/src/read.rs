//! Reading JSON Lines into a [`Shape`], one line at a time: the line buffer is reused, so a
//! capture of any size is read in the memory of its longest line plus its shape.

use crate::shape::{Observe, Shape};
use serde::de::DeserializeSeed;
use std::io::BufRead;
use std::path::Path;

/// Why a capture could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InferError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not one JSON value.
    #[error("{path}:{line}:{column}: {message}")]
    Json {
        /// The file.
        path: String,
        /// The line (1-based).
        line: u64,
        /// The column (1-based).
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// The shape of every record in the JSON Lines file at `path`, and how many records there
/// were (blank lines are not records).
pub fn infer(path: &Path) -> Result<(Shape, u64), InferError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| InferError::Io {
        path: shown.clone(),
        source,
    })?;
    infer_reader(std::io::BufReader::with_capacity(1 << 20, file), &shown)
}

/// [`infer`] over any reader; `name` names it in errors.
pub fn infer_reader(mut reader: impl BufRead, name: &str) -> Result<(Shape, u64), InferError> {
    let mut shape = Shape::default();
    let mut line = Vec::with_capacity(4096);
    let mut number = 0u64;
    let mut records = 0u64;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| InferError::Io {
                path: name.to_owned(),
                source,
            })?;
        if read == 0 {
            return Ok((shape, records));
        }
        number += 1;
        let text = trim(&line);
        if text.is_empty() {
            continue;
        }
        records += 1;
        observe(text, &mut shape, number).map_err(|e| InferError::Json {
            path: name.to_owned(),
            line: number,
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        })?;
    }
}

fn trim(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    let start = line[..end]
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(end);
    &line[start..end]
}

fn observe(text: &[u8], shape: &mut Shape, record: u64) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    Observe { shape, record }.deserialize(&mut de)?;
    de.end()
}
