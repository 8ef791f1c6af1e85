//! Content hashes: object ids, snapshot ids, tree node ids and operation-log hashes.
//!
//! All four are 32-byte BLAKE3 digests written as 64 lowercase hex characters; they differ in
//! what they hash and in the domain prefix (see [`crate::canonical`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::canonical::{domain_hash, OBJECT_DOMAIN, TREE_DOMAIN};

/// A string that is not 64 lowercase hex characters, given where an id was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{text}`: expected 64 lowercase hex characters")]
pub struct ParseIdError {
    /// What kind of id was being parsed (`object id`, `snapshot id`, …).
    pub what: &'static str,
    /// The rejected text (shortened when long).
    pub text: String,
}

fn parse_hex32(what: &'static str, text: &str) -> Result<[u8; 32], ParseIdError> {
    let error = || ParseIdError {
        what,
        text: text.chars().take(80).collect(),
    };
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return Err(error());
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(hi), Some(lo)) => out[i] = (hi << 4) | lo,
            _ => return Err(error()),
        }
    }
    Ok(out)
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8; 32]) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 64];
    for (i, b) in bytes.iter().enumerate() {
        text[2 * i] = HEX[usize::from(b >> 4)];
        text[2 * i + 1] = HEX[usize::from(b & 0xf)];
    }
    // Only ASCII hex digits were written.
    f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
}

macro_rules! digest_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 32]);

        impl $name {
            /// Wraps a raw 32-byte digest.
            pub const fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            /// The raw 32-byte digest.
            pub const fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// The first 12 hex characters, for human output.
            pub fn short(&self) -> String {
                self.to_string()[..12].to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_hex(f, &self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_hex32($what, s).map(Self)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

digest_type!(
    /// The id of a stored object: BLAKE3 over `flowgate/object/v1\0` followed by its bytes.
    ObjectId,
    "object id"
);

digest_type!(
    /// The id of a snapshot: BLAKE3 over `flowgate/snapshot/v1\0` followed by the canonical
    /// JSON of its identity (bundle, version and sorted entries; not date, author or manifest).
    SnapshotId,
    "snapshot id"
);

digest_type!(
    /// The hash of one operation-log record, chained through `prev_hash`.
    OpHash,
    "operation hash"
);

digest_type!(
    /// The id of a node of a snapshot's tree: BLAKE3 over `flowgate/tree/v1\0` followed by the
    /// node's bytes (see `docs/store.md`).
    TreeId,
    "tree id"
);

impl TreeId {
    /// The id of the tree node `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(domain_hash(TREE_DOMAIN, bytes))
    }
}

impl ObjectId {
    /// The id of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(domain_hash(OBJECT_DOMAIN, bytes))
    }
}

impl OpHash {
    /// The `prev_hash` of the first record: 32 zero bytes.
    pub const GENESIS: OpHash = OpHash([0; 32]);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_reject_bad_hex() {
        let id = ObjectId::of(b"hello");
        let text = id.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<ObjectId>(), Ok(id));
        assert!(text.to_uppercase().parse::<ObjectId>().is_err());
        assert!(text[..63].parse::<ObjectId>().is_err());
        let err = "zz".parse::<SnapshotId>().unwrap_err();
        assert!(err.to_string().contains("invalid snapshot id `zz`"));
        assert_eq!(id.short(), &text[..12]);
    }
}
