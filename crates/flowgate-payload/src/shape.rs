//! The shape of the values seen at one place of the payloads, built while parsing: no parsed
//! value is kept, only counts, the first record of each observation and, for enum-like
//! strings, at most [`ENUM_LIMIT`] distinct values. Memory grows with the number of distinct
//! fields, never with the number of records.

use crate::format::Format;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// The most distinct strings a field may hold and still be read as an enum.
pub const ENUM_LIMIT: usize = 12;

/// A JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Boolean,
    /// A number without a fraction or exponent.
    Integer,
    /// Any other number.
    Number,
    /// A string.
    String,
    /// An object.
    Object,
    /// An array.
    Array,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Self; 7] = [
        Self::Null,
        Self::Boolean,
        Self::Integer,
        Self::Number,
        Self::String,
        Self::Object,
        Self::Array,
    ];

    /// The JSON Schema type name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::String => "string",
            Self::Object => "object",
            Self::Array => "array",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How often one kind was seen, and the first record it was seen in (1-based).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    /// How many values of this kind.
    pub count: u64,
    /// The first record holding one.
    pub first: u64,
}

impl Seen {
    fn add(&mut self, record: u64) {
        if self.count == 0 {
            self.first = record;
        }
        self.count += 1;
    }
}

/// A property of an object shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Field {
    /// In how many objects it was present, and the first record.
    pub present: Seen,
    /// Its values.
    pub shape: Shape,
}

/// What was seen at one place.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shape {
    /// Per [`Kind`], in [`Kind::ALL`] order.
    pub kinds: [Seen; 7],
    /// Object properties by name.
    pub properties: BTreeMap<String, Field>,
    /// Array elements, pooled.
    pub items: Option<Box<Shape>>,
    /// Shortest and longest array.
    pub array_len: Option<(u64, u64)>,
    /// Distinct strings with their counts and first records, while there are at most
    /// [`ENUM_LIMIT`]; `None` once there were more.
    pub values: Option<BTreeMap<String, Seen>>,
    /// Strings per format, in [`Format::ALL`] order.
    pub formats: [u64; 5],
    /// Smallest and largest number.
    pub range: Option<(f64, f64)>,
}

impl Shape {
    /// How often `kind` was seen.
    pub fn seen(&self, kind: Kind) -> Seen {
        self.kinds[kind.index()]
    }

    /// How many values were seen here, of any kind.
    pub fn total(&self) -> u64 {
        self.kinds.iter().map(|s| s.count).sum()
    }

    /// The kinds seen, nulls included.
    pub fn kinds_seen(&self) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|k| self.seen(*k).count > 0)
            .collect()
    }

    /// The format every string here has, if they share one.
    pub fn format(&self) -> Option<Format> {
        let strings = self.seen(Kind::String).count;
        Format::ALL
            .into_iter()
            .zip(self.formats)
            .find(|(_, n)| strings > 0 && *n == strings)
            .map(|(f, _)| f)
    }

    fn mark(&mut self, kind: Kind, record: u64) {
        self.kinds[kind.index()].add(record);
    }

    fn number(&mut self, kind: Kind, value: f64, record: u64) {
        self.mark(kind, record);
        self.range = Some(match self.range {
            None => (value, value),
            Some((lo, hi)) => (lo.min(value), hi.max(value)),
        });
    }

    fn string(&mut self, text: &str, record: u64) {
        let first = self.seen(Kind::String).count == 0;
        self.mark(Kind::String, record);
        if let Some(format) = Format::of(text) {
            self.formats[format as usize] += 1;
        }
        if first {
            self.values = Some(BTreeMap::new());
        }
        if let Some(values) = &mut self.values {
            if let Some(seen) = values.get_mut(text) {
                seen.add(record);
            } else if values.len() < ENUM_LIMIT {
                let mut seen = Seen::default();
                seen.add(record);
                values.insert(text.to_owned(), seen);
            } else {
                self.values = None;
            }
        }
    }
}

/// Parses one value into `shape`, as seen in `record` (its line number in the capture).
pub struct Observe<'s> {
    /// Where the value goes.
    pub shape: &'s mut Shape,
    /// Its record number (1-based).
    pub record: u64,
}

impl<'de> DeserializeSeed<'de> for Observe<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Observe<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.shape.mark(Kind::Null, self.record);
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.shape.mark(Kind::Boolean, self.record);
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.shape.number(Kind::Integer, v as f64, self.record);
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.shape.number(Kind::Integer, v as f64, self.record);
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.shape.number(Kind::Number, v, self.record);
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.shape.string(v, self.record);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let record = self.record;
        self.shape.mark(Kind::Object, record);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let field = match self.shape.properties.get_mut(key.as_str()) {
                Some(field) => field,
                None => self.shape.properties.entry(key.into_owned()).or_default(),
            };
            field.present.add(record);
            map.next_value_seed(Observe {
                shape: &mut field.shape,
                record,
            })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let record = self.record;
        self.shape.mark(Kind::Array, record);
        let items = self.shape.items.get_or_insert_with(Box::default);
        let mut len = 0u64;
        while seq
            .next_element_seed(Observe {
                shape: items,
                record,
            })?
            .is_some()
        {
            len += 1;
        }
        self.shape.array_len = Some(match self.shape.array_len {
            None => (len, len),
            Some((lo, hi)) => (lo.min(len), hi.max(len)),
        });
        Ok(())
    }
}

/// An object key, borrowed from the input when it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }

    fn into_owned(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_owned(),
            Key::Owned(s) => s,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v.to_owned()))
    }
}
