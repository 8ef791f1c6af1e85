//! `Spanned<T>`: a deserialized value together with the span it was read from.

use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use flowgate_diagnostics::Span;
use serde::de::value::{
    BoolDeserializer, F64Deserializer, I64Deserializer, MapAccessDeserializer,
    SeqAccessDeserializer, StrDeserializer, StringDeserializer, U64Deserializer, UnitDeserializer,
};
use serde::de::{DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Name of the magic struct through which [`Spanned`] asks for its span.
pub(crate) const SPANNED_NAME: &str = "$__flowgate_spanned";
/// Magic key carrying the span start.
pub(crate) const SPANNED_START: &str = "$__flowgate_spanned_start";
/// Magic key carrying the span end.
pub(crate) const SPANNED_END: &str = "$__flowgate_spanned_end";
/// Magic key carrying the value.
pub(crate) const SPANNED_VALUE: &str = "$__flowgate_spanned_value";
/// The magic struct's fields.
pub(crate) const SPANNED_FIELDS: &[&str] = &[SPANNED_START, SPANNED_END, SPANNED_VALUE];

/// A value and the span of the node it was deserialized from.
///
/// Comparison, ordering and hashing look at `value` only. Serialization and the JSON schema
/// are those of `T`. Deserializing through [`from_node`](crate::from_node) fills in the span;
/// other deserializers give a default (empty) span.
#[derive(Clone, Copy, Default)]
pub struct Spanned<T> {
    /// Where the value was written.
    pub span: Span,
    /// The value.
    pub value: T,
}

impl<T> Spanned<T> {
    /// A value with its span.
    pub fn new(span: Span, value: T) -> Self {
        Self { span, value }
    }

    /// The value, dropping the span.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// A reference to the value with the same span.
    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned {
            span: self.span,
            value: &self.value,
        }
    }

    /// Transform the value, keeping the span.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned {
            span: self.span,
            value: f(self.value),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} @ {}..{}",
            self.value, self.span.start, self.span.end
        )
    }
}

impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T> Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Spanned<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl Borrow<str> for Spanned<String> {
    fn borrow(&self) -> &str {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: PartialOrd> PartialOrd for Spanned<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl<T: Ord> Ord for Spanned<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

impl<T: Hash> Hash for Spanned<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, SpannedVisitor(PhantomData))
    }
}

struct SpannedVisitor<T>(PhantomData<T>);

/// Deserialize `T` from a foreign deserializer's value, with an empty span.
fn plain<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Spanned<T>, D::Error> {
    T::deserialize(deserializer).map(|value| Spanned {
        span: Span::default(),
        value,
    })
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
    type Value = Spanned<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key_seed(MagicKey)? {
            None => plain(MapAccessDeserializer::new(map)),
            Some(Key::Start) => {
                let start: u64 = map.next_value()?;
                let end = match map.next_key_seed(MagicKey)? {
                    Some(Key::End) => map.next_value::<u64>()?,
                    _ => return Err(serde::de::Error::custom("malformed span")),
                };
                match map.next_key_seed(MagicKey)? {
                    Some(Key::Value) => {
                        let value = map.next_value()?;
                        let span = Span::new(
                            usize::try_from(start).unwrap_or(usize::MAX),
                            usize::try_from(end).unwrap_or(usize::MAX),
                        );
                        Ok(Spanned { span, value })
                    }
                    _ => Err(serde::de::Error::custom("malformed span")),
                }
            }
            Some(Key::Other(first)) => plain(MapAccessDeserializer::new(Chained {
                first: Some(first),
                map,
            })),
            Some(Key::End | Key::Value) => Err(serde::de::Error::custom("malformed span")),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        plain(SeqAccessDeserializer::new(seq))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        plain(BoolDeserializer::<E>::new(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        plain(I64Deserializer::<E>::new(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        plain(U64Deserializer::<E>::new(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        plain(F64Deserializer::<E>::new(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        plain(StrDeserializer::<E>::new(v))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        plain(StringDeserializer::<E>::new(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        plain(UnitDeserializer::<E>::new())
    }
}

enum Key {
    Start,
    End,
    Value,
    Other(String),
}

struct MagicKey;

impl<'de> DeserializeSeed<'de> for MagicKey {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(MagicKey)
    }
}

impl Visitor<'_> for MagicKey {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            SPANNED_START => Key::Start,
            SPANNED_END => Key::End,
            SPANNED_VALUE => Key::Value,
            other => Key::Other(other.to_owned()),
        })
    }
}

/// A map whose first key was already read.
struct Chained<A> {
    first: Option<String>,
    map: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Chained<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.first.take() {
            Some(first) => seed
                .deserialize(IntoDeserializer::<A::Error>::into_deserializer(first))
                .map(Some),
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        self.map.next_value_seed(seed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn equality_and_hash_ignore_the_span() {
        let a = Spanned::new(Span::new(0, 1), "x".to_owned());
        let b = Spanned::new(Span::new(5, 9), "x".to_owned());
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), Ordering::Equal);
        let mut map = BTreeMap::new();
        map.insert(a, 1);
        assert_eq!(map.get("x"), Some(&1));
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn serializes_transparently() {
        let a = Spanned::new(Span::new(0, 1), vec![1, 2]);
        assert_eq!(serde_json::to_string(&a).unwrap(), "[1,2]");
    }

    #[test]
    fn other_deserializers_give_an_empty_span() {
        // serde_json only calls visit_map/visit_seq from deserialize_struct.
        let m: Spanned<BTreeMap<String, u32>> = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        assert_eq!(m.value.len(), 2);
        assert_eq!(m.value["b"], 2);
        assert_eq!(m.span, Span::default());
        let v: Spanned<Vec<u32>> = serde_json::from_str("[1,2]").unwrap();
        assert_eq!(v.value, vec![1, 2]);
    }

    #[test]
    fn schema_is_the_inner_schema() {
        let inner = schemars::schema_for!(Vec<String>);
        let outer = schemars::schema_for!(Spanned<Vec<String>>);
        assert_eq!(inner, outer);
    }
}
