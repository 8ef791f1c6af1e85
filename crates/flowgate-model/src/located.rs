//! Values that remember where they were written.

use flowgate_diagnostics::Span;
use serde::{Serialize, Serializer};
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// A value with the byte span it came from inside its asset's source file.
///
/// Equality, ordering and hashing look at the value only: moving text around in a file
/// does not change what an asset means.
#[derive(Debug, Clone, Copy, Default)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written (empty for values that were not read from a file).
    pub span: Span,
}

impl<T> Located<T> {
    /// Wrap a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }

    /// Wrap a value that has no source location.
    pub fn unlocated(value: T) -> Self {
        Self {
            value,
            span: Span::default(),
        }
    }

    /// Transform the value, keeping the span.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Located<U> {
        Located {
            value: f(self.value),
            span: self.span,
        }
    }
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Located<T> {}

impl<T: PartialOrd> PartialOrd for Located<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl<T: Ord> Ord for Located<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}

impl<T: Hash> Hash for Located<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}
