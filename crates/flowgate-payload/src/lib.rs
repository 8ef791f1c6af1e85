//! Payload drift. [`infer`] reads captured payloads (JSON Lines) once, in constant memory,
//! into a [`Shape`]: per field, how often each JSON type appeared, nulls, string formats, the
//! values of enum-like strings, array shapes, and the first record where each was seen.
//! [`schema::to_json_schema`] writes a shape as JSON Schema; [`diff::diff`] compares two
//! shapes (before and after an upgrade) and names what changed, with counts and record
//! numbers. Nothing here prints.
#![forbid(unsafe_code)]

pub mod diff;
pub mod format;
mod read;
pub mod schema;
pub mod shape;

pub use diff::{diff, Change, ChangeKind};
pub use read::{infer, infer_reader, InferError};
pub use shape::{Field, Kind, Shape};
