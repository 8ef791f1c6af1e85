//! Typed identifiers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not a valid [`AssetId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The id is empty.
    #[error("an id cannot be empty")]
    Empty,
    /// The id is longer than [`AssetId::MAX_LEN`].
    #[error("an id has at most {max} characters, this one has {len}")]
    TooLong {
        /// Actual length.
        len: usize,
        /// Allowed length.
        max: usize,
    },
    /// The id contains a character outside `A-Z a-z 0-9 . _ -`.
    #[error("`{ch}` is not allowed in an id: use letters, digits, `-`, `_` and `.`")]
    BadChar {
        /// The offending character.
        ch: char,
    },
    /// The id does not start with a letter or digit.
    #[error("an id must start with a letter or a digit")]
    BadStart,
}

/// The identifier of an asset: unique across the whole workspace, stable across renames of
/// its display name. Letters, digits, `-`, `_` and `.`, starting with a letter or digit,
/// at most 128 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AssetId(String);

impl AssetId {
    /// Longest accepted id.
    pub const MAX_LEN: usize = 128;

    /// Validate and wrap an id.
    pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
        let id = id.into();
        validate_id(&id)?;
        Ok(Self(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Check the id grammar shared by asset ids and step ids.
pub fn validate_id(id: &str) -> Result<(), IdError> {
    let mut chars = id.chars();
    let first = chars.next().ok_or(IdError::Empty)?;
    let len = id.chars().count();
    if len > AssetId::MAX_LEN {
        return Err(IdError::TooLong {
            len,
            max: AssetId::MAX_LEN,
        });
    }
    if !first.is_ascii_alphanumeric() {
        return Err(IdError::BadStart);
    }
    if let Some(ch) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(IdError::BadChar { ch });
    }
    Ok(())
}

impl TryFrom<String> for AssetId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<AssetId> for String {
    fn from(id: AssetId) -> Self {
        id.0
    }
}

impl fmt::Display for AssetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for AssetId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The identifier of a step inside one workflow (same grammar as [`AssetId`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StepId(String);

impl StepId {
    /// Validate and wrap a step id.
    pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
        let id = id.into();
        validate_id(&id)?;
        Ok(Self(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StepId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<StepId> for String {
    fn from(id: StepId) -> Self {
        id.0
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kebab_snake_and_dotted_ids() {
        for id in ["welcome-email", "lead_intake", "v2.nurture", "A1"] {
            assert!(AssetId::new(id).is_ok(), "{id}");
        }
    }

    #[test]
    fn rejects_bad_ids_with_a_reason() {
        assert_eq!(AssetId::new(""), Err(IdError::Empty));
        assert_eq!(AssetId::new("-x"), Err(IdError::BadStart));
        assert_eq!(AssetId::new("a b"), Err(IdError::BadChar { ch: ' ' }));
        assert!(matches!(
            AssetId::new("x".repeat(129)),
            Err(IdError::TooLong { .. })
        ));
    }
}
