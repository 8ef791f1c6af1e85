//! A serde `Deserializer` over [`Node`] trees that reports every error with a span.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use flowgate_diagnostics::suggest::did_you_mean;
use flowgate_diagnostics::Span;
use serde::de::value::{BorrowedStrDeserializer, U64Deserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Expected, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};

use crate::node::{Entry, Node, Value};
use crate::scalar::{resolve_non_string, scalar_text};
use crate::spanned::{SPANNED_END, SPANNED_NAME, SPANNED_START, SPANNED_VALUE};

/// Prefix of the enum name through which [`tagged_enum!`](crate::tagged_enum) asks for
/// internally tagged deserialization; the tag key follows it.
pub const TAG_PREFIX: &str = "$__flowgate_tag:";

/// Deepest nesting the deserializer follows (the parsers stop far earlier).
const MAX_DE_DEPTH: usize = 256;

/// A deserialization error at a span.
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    /// The node (or key) the error is about.
    pub span: Span,
    /// What went wrong.
    pub kind: DeErrorKind,
}

/// What went wrong while deserializing.
#[derive(Debug, Clone, PartialEq)]
pub enum DeErrorKind {
    /// A key that the struct does not have.
    UnknownField {
        /// The key as written.
        field: String,
        /// The fields the struct has.
        expected: &'static [&'static str],
    },
    /// A variant name (or tag value) that the enum does not have.
    UnknownVariant {
        /// The name as written.
        variant: String,
        /// The names the enum has.
        expected: &'static [&'static str],
    },
    /// A required field is absent.
    MissingField {
        /// Its name.
        field: &'static str,
    },
    /// The node has the wrong type.
    InvalidType {
        /// What the node is: "a string", "a map", ...
        found: String,
        /// What was expected.
        expected: String,
    },
    /// The node has the right type but a wrong value.
    InvalidValue {
        /// What is wrong with it.
        message: String,
    },
    /// A key appears twice.
    DuplicateKey {
        /// The key.
        key: String,
        /// Span of its first occurrence.
        first: Span,
    },
    /// The document is nested too deeply.
    TooDeep,
    /// Any other message (from a custom `Deserialize` implementation).
    Custom(String),
}

fn backticked(names: &[&str]) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
    out
}

impl fmt::Display for DeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeErrorKind::UnknownField { field, .. } => write!(f, "unknown field `{field}`"),
            DeErrorKind::UnknownVariant { variant, expected } => {
                if expected.is_empty() {
                    write!(f, "unknown variant `{variant}`")
                } else {
                    write!(
                        f,
                        "unknown variant `{variant}`, expected {}{}",
                        if expected.len() == 1 { "" } else { "one of " },
                        backticked(expected)
                    )
                }
            }
            DeErrorKind::MissingField { field } => write!(f, "missing field `{field}`"),
            DeErrorKind::InvalidType { found, expected } => {
                write!(f, "expected {expected}, found {found}")
            }
            DeErrorKind::InvalidValue { message } => write!(f, "invalid value: {message}"),
            DeErrorKind::DuplicateKey { key, .. } => write!(f, "duplicate key `{key}`"),
            DeErrorKind::TooDeep => f.write_str("the document is nested too deeply"),
            DeErrorKind::Custom(message) => f.write_str(message),
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for DeError {}

impl DeError {
    /// A "did you mean" suggestion for unknown fields and variants: the closest expected name.
    pub fn suggestion(&self) -> Option<&'static str> {
        match &self.kind {
            DeErrorKind::UnknownField { field, expected } => {
                did_you_mean(field, expected.iter().copied())
            }
            DeErrorKind::UnknownVariant { variant, expected } => {
                did_you_mean(variant, expected.iter().copied())
            }
            _ => None,
        }
    }

    /// What to do about the error, when there is something useful to say.
    pub fn help(&self) -> Option<String> {
        match &self.kind {
            DeErrorKind::UnknownField { expected, .. }
            | DeErrorKind::UnknownVariant { expected, .. } => {
                if let Some(best) = self.suggestion() {
                    Some(format!("did you mean `{best}`?"))
                } else if expected.is_empty() {
                    Some("remove it".to_owned())
                } else if expected.len() == 1 {
                    Some(format!("expected {}", backticked(expected)))
                } else {
                    Some(format!("expected one of {}", backticked(expected)))
                }
            }
            DeErrorKind::MissingField { field } => Some(format!("add `{field}`")),
            DeErrorKind::DuplicateKey { .. } => Some("remove one of the two".to_owned()),
            DeErrorKind::TooDeep => {
                Some("flatten the document; such deep nesting is not supported".to_owned())
            }
            _ => None,
        }
    }
}

/// The serde error type of the node deserializer: a kind, and the span once known.
#[derive(Debug)]
pub(crate) struct Error {
    span: Option<Span>,
    kind: DeErrorKind,
}

impl Error {
    fn new(kind: DeErrorKind) -> Self {
        Self { span: None, kind }
    }

    fn at(mut self, span: Span) -> Self {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    fn located(kind: DeErrorKind, span: Span) -> Self {
        Self {
            span: Some(span),
            kind,
        }
    }

    fn into_de_error(self, fallback: Span) -> DeError {
        DeError {
            span: self.span.unwrap_or(fallback),
            kind: self.kind,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {}

fn unexpected_name(unexpected: &Unexpected<'_>) -> String {
    match unexpected {
        Unexpected::Bool(_) => "a boolean".to_owned(),
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer".to_owned(),
        Unexpected::Float(_) => "a floating-point number".to_owned(),
        Unexpected::Char(_) | Unexpected::Str(_) => "a string".to_owned(),
        Unexpected::Bytes(_) => "bytes".to_owned(),
        Unexpected::Unit => "null".to_owned(),
        Unexpected::Option => "an optional value".to_owned(),
        Unexpected::NewtypeStruct => "a newtype struct".to_owned(),
        Unexpected::Seq => "a list".to_owned(),
        Unexpected::Map => "a map".to_owned(),
        Unexpected::Enum => "an enum".to_owned(),
        Unexpected::UnitVariant => "a plain name".to_owned(),
        Unexpected::NewtypeVariant => "a newtype variant".to_owned(),
        Unexpected::TupleVariant => "a tuple variant".to_owned(),
        Unexpected::StructVariant => "a struct variant".to_owned(),
        Unexpected::Other(other) => (*other).to_owned(),
    }
}

/// serde's own "expected" texts, in words a YAML author understands.
fn expected_text(expected: &dyn Expected) -> String {
    let text = expected.to_string();
    match text.as_str() {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a non-negative integer".to_owned(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "an integer".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        "a sequence" => "a list".to_owned(),
        "unit" => "null".to_owned(),
        "a borrowed string" => "a string".to_owned(),
        "a character" | "a char" => "a single character".to_owned(),
        _ if text.starts_with("struct ") => "a map".to_owned(),
        _ => text,
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(DeErrorKind::Custom(msg.to_string()))
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Error::new(DeErrorKind::InvalidType {
            found: unexpected_name(&unexpected),
            expected: expected_text(expected),
        })
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Error::new(DeErrorKind::InvalidValue {
            message: format!("expected {expected}, found {unexpected}"),
        })
    }

    fn invalid_length(len: usize, expected: &dyn Expected) -> Self {
        Error::new(DeErrorKind::InvalidValue {
            message: format!("expected {expected}, found {len} elements"),
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Error::new(DeErrorKind::UnknownVariant {
            variant: variant.to_owned(),
            expected,
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Error::new(DeErrorKind::UnknownField {
            field: field.to_owned(),
            expected,
        })
    }

    fn missing_field(field: &'static str) -> Self {
        Error::new(DeErrorKind::MissingField { field })
    }

    fn duplicate_field(field: &'static str) -> Self {
        Error::new(DeErrorKind::DuplicateKey {
            key: field.to_owned(),
            first: Span::default(),
        })
    }
}

/// Shared state of one `from_node` call.
struct Ctx<'a> {
    source: &'a str,
    /// Unknown fields found so far (they do not stop deserialization).
    unknown: RefCell<Vec<DeError>>,
}

impl Ctx<'_> {
    fn unknown_field(&self, key: &crate::Spanned<String>, expected: &'static [&'static str]) {
        self.unknown.borrow_mut().push(DeError {
            span: key.span,
            kind: DeErrorKind::UnknownField {
                field: key.value.clone(),
                expected,
            },
        });
    }
}

/// Keys of one map that the deserializer ignores.
#[derive(Clone, Copy, Default)]
struct Skip<'a> {
    keys: &'a [&'a str],
    tag: Option<&'static str>,
}

impl Skip<'_> {
    fn contains(&self, key: &str) -> bool {
        self.tag == Some(key) || self.keys.contains(&key)
    }
}

/// Deserialize `T` from `node`, which was parsed from `source`.
///
/// Keys named in `skip_keys` are ignored in the top-level map only (the caller has already
/// used them, for example `kind`). Every unknown field anywhere in the tree is reported (at the
/// key) and skipped, so that all of them are found in one pass; any other error stops
/// deserialization and is reported at the innermost node being deserialized. Returns `Ok` only
/// when there is no error at all; errors are sorted by position.
pub fn from_node<T: DeserializeOwned>(
    node: &Node,
    source: &str,
    skip_keys: &[&str],
) -> Result<T, Vec<DeError>> {
    match from_node_partial(node, source, skip_keys) {
        (Some(value), errors) if errors.is_empty() => Ok(value),
        (_, errors) => Err(errors),
    }
}

/// Like [`from_node`], but a value whose only problems are unknown fields is returned as
/// well, with those problems: the caller can go on checking the rest of it, so that one run
/// reports every problem of a document, not the typo first and the rest after it is fixed.
pub fn from_node_partial<T: DeserializeOwned>(
    node: &Node,
    source: &str,
    skip_keys: &[&str],
) -> (Option<T>, Vec<DeError>) {
    let ctx = Ctx {
        source,
        unknown: RefCell::new(Vec::new()),
    };
    let de = NodeDe {
        node,
        ctx: &ctx,
        skip: Skip {
            keys: skip_keys,
            tag: None,
        },
        depth: 0,
    };
    let result = T::deserialize(de);
    let mut errors = ctx.unknown.into_inner();
    let value = match result {
        Ok(value) => Some(value),
        Err(error) => {
            errors.push(error.into_de_error(node.span));
            None
        }
    };
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    (value, errors)
}

/// Deserializes one node.
#[derive(Clone, Copy)]
struct NodeDe<'a> {
    node: &'a Node,
    ctx: &'a Ctx<'a>,
    skip: Skip<'a>,
    depth: usize,
}

impl<'a> NodeDe<'a> {
    fn child(&self, node: &'a Node) -> Result<NodeDe<'a>, Error> {
        let depth = self.depth + 1;
        if depth > MAX_DE_DEPTH {
            return Err(Error::located(DeErrorKind::TooDeep, node.span));
        }
        Ok(NodeDe {
            node,
            ctx: self.ctx,
            skip: Skip::default(),
            depth,
        })
    }

    fn span(&self) -> Span {
        self.node.span
    }

    /// The node as text: strings as they are, plain numbers and booleans as written.
    fn text(&self) -> Option<Cow<'a, str>> {
        match self.node.value {
            Value::Null => None,
            _ => scalar_text(self.node, self.ctx.source),
        }
    }

    fn invalid_type(&self, expected: impl Into<String>) -> Error {
        Error::located(
            DeErrorKind::InvalidType {
                found: self.node.type_name().to_owned(),
                expected: expected.into(),
            },
            self.span(),
        )
    }

    fn any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Seq(items) => {
                let mut seq = SeqDe {
                    items: items.iter(),
                    parent: self,
                };
                let value = visitor.visit_seq(&mut seq)?;
                let rest = seq.items.len();
                if rest > 0 {
                    let expected = format!("{} elements", items.len() - rest);
                    return Err(de::Error::invalid_length(items.len(), &expected.as_str()));
                }
                Ok(value)
            }
            Value::Map(entries) => visitor.visit_map(MapDe::new(self, entries, None)),
        }
    }

    fn string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text() {
            Some(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Some(Cow::Owned(s)) => visitor.visit_string(s),
            None => self.any(visitor),
        }
    }

    fn structure<V: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == SPANNED_NAME {
            return visitor.visit_map(SpannedDe::new(self.span(), self));
        }
        let Value::Map(entries) = &self.node.value else {
            return Err(self.invalid_type("a map"));
        };
        visitor
            .visit_map(MapDe::new(self, entries, Some(fields)))
            .map_err(|error| locate_map_error(error, self.node, entries))
    }

    fn enumeration<V: Visitor<'a>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if let Some(tag) = name.strip_prefix(TAG_PREFIX) {
            return self.tagged(tag, variants, visitor);
        }
        if let Value::Map(entries) = &self.node.value {
            let mut kept = entries.iter().filter(|e| !self.skip.contains(&e.key.value));
            return match (kept.next(), kept.next()) {
                (Some(entry), None) => visitor.visit_enum(MapEnum {
                    entry,
                    parent: self,
                }),
                _ => Err(Error::located(
                    DeErrorKind::InvalidType {
                        found: "a map without exactly one key".to_owned(),
                        expected: format!("one of {}", backticked(variants)),
                    },
                    self.span(),
                )),
            };
        }
        match self.text() {
            Some(text) => visitor.visit_enum(TextEnum {
                text,
                span: self.span(),
            }),
            None => Err(self.invalid_type(format!("one of {}", backticked(variants)))),
        }
    }

    fn tagged<V: Visitor<'a>>(
        self,
        tag: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let Value::Map(entries) = &self.node.value else {
            return Err(self.invalid_type(format!("a map with a `{tag}` key")));
        };
        let Some(entry) = entries.iter().find(|e| e.key.value == tag) else {
            return Err(Error::located(
                DeErrorKind::MissingField { field: tag },
                self.span(),
            ));
        };
        let tag_de = NodeDe {
            node: &entry.value,
            ..self
        };
        let Some(name) = tag_de.text() else {
            return Err(tag_de.invalid_type("a string"));
        };
        if !variants.contains(&name.as_ref()) {
            return Err(Error::located(
                DeErrorKind::UnknownVariant {
                    variant: name.into_owned(),
                    expected: variants,
                },
                entry.value.span,
            ));
        }
        let content = NodeDe {
            skip: Skip {
                keys: self.skip.keys,
                tag: Some(tag),
            },
            ..self
        };
        visitor.visit_enum(TaggedEnum {
            name,
            name_span: entry.value.span,
            content,
            entries,
        })
    }

    /// `u64`/`i128`/`u128` written as integers too large for `i64` were parsed as floats;
    /// give the visitor the exact integer from the source when there is one.
    fn big_integer<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Value::Float(_) = self.node.value {
            if let Some(text) = self.node.source_text(self.ctx.source) {
                let digits = text.strip_prefix('+').unwrap_or(text);
                if let Ok(u) = digits.parse::<u64>() {
                    return visitor.visit_u64(u);
                }
                if let Ok(i) = digits.parse::<i128>() {
                    return visitor.visit_i128(i);
                }
                if let Ok(u) = digits.parse::<u128>() {
                    return visitor.visit_u128(u);
                }
            }
        }
        self.any(visitor)
    }
}

/// Give errors raised by a struct visitor after reading its map a precise span.
fn locate_map_error(error: Error, node: &Node, entries: &[Entry]) -> Error {
    if error.span.is_some() {
        return error;
    }
    match error.kind {
        DeErrorKind::MissingField { .. } => {
            let span = entries.first().map_or(node.span, |e| e.key.span);
            error.at(span)
        }
        DeErrorKind::DuplicateKey { key, .. } => {
            let mut same = entries.iter().filter(|e| e.key.value == key);
            let (first, second) = (same.next(), same.next());
            match (first, second) {
                (Some(first), Some(second)) => Error::located(
                    DeErrorKind::DuplicateKey {
                        key,
                        first: first.key.span,
                    },
                    second.key.span,
                ),
                (Some(only), None) => Error::located(
                    DeErrorKind::DuplicateKey {
                        key,
                        first: only.key.span,
                    },
                    only.key.span,
                ),
                _ => Error::located(
                    DeErrorKind::DuplicateKey {
                        key,
                        first: node.span,
                    },
                    node.span,
                ),
            }
        }
        kind => Error::located(kind, node.span),
    }
}

macro_rules! located_methods {
    ($($method:ident => $inner:ident,)*) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
                let span = self.span();
                self.$inner(visitor).map_err(|e| e.at(span))
            }
        )*
    };
}

impl<'a> de::Deserializer<'a> for NodeDe<'a> {
    type Error = Error;

    located_methods! {
        deserialize_any => any,
        deserialize_bool => any,
        deserialize_i8 => any,
        deserialize_i16 => any,
        deserialize_i32 => any,
        deserialize_i64 => any,
        deserialize_i128 => big_integer,
        deserialize_u8 => any,
        deserialize_u16 => any,
        deserialize_u32 => any,
        deserialize_u64 => big_integer,
        deserialize_u128 => big_integer,
        deserialize_f32 => any,
        deserialize_f64 => any,
        deserialize_char => string,
        deserialize_str => string,
        deserialize_string => string,
        deserialize_bytes => any,
        deserialize_byte_buf => any,
        deserialize_unit => any,
        deserialize_seq => any,
        deserialize_map => any,
        deserialize_identifier => string,
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let span = self.span();
        match self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
        .map_err(|e| e.at(span))
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let span = self.span();
        visitor.visit_newtype_struct(self).map_err(|e| e.at(span))
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let span = self.span();
        self.structure(name, fields, visitor)
            .map_err(|e| e.at(span))
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let span = self.span();
        self.enumeration(name, variants, visitor)
            .map_err(|e| e.at(span))
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct SeqDe<'a> {
    items: std::slice::Iter<'a, Node>,
    parent: NodeDe<'a>,
}

impl<'a> SeqAccess<'a> for SeqDe<'a> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            // Errors raised by the seed after the node deserializer returned (for example a
            // validating `Deserialize` impl) belong to this node too.
            Some(node) => seed
                .deserialize(self.parent.child(node)?)
                .map(Some)
                .map_err(|e| e.at(node.span)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a> {
    entries: std::slice::Iter<'a, Entry>,
    fields: Option<&'static [&'static str]>,
    value: Option<&'a Node>,
    parent: NodeDe<'a>,
}

impl<'a> MapDe<'a> {
    fn new(
        parent: NodeDe<'a>,
        entries: &'a [Entry],
        fields: Option<&'static [&'static str]>,
    ) -> Self {
        Self {
            entries: entries.iter(),
            fields,
            value: None,
            parent,
        }
    }
}

impl<'a> MapAccess<'a> for MapDe<'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for entry in self.entries.by_ref() {
            if self.parent.skip.contains(&entry.key.value) {
                continue;
            }
            if let Some(fields) = self.fields {
                if !fields.contains(&entry.key.value.as_str()) {
                    self.parent.ctx.unknown_field(&entry.key, fields);
                    continue;
                }
            }
            self.value = Some(&entry.value);
            let key = TextDe {
                text: Cow::Borrowed(&entry.key.value),
                span: entry.key.span,
            };
            return seed
                .deserialize(key)
                .map(Some)
                .map_err(|e| e.at(entry.key.span));
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(node) => seed
                .deserialize(self.parent.child(node)?)
                .map_err(|e| e.at(node.span)),
            None => Err(de::Error::custom(
                "a map value was requested before its key",
            )),
        }
    }
}

/// Feeds a [`Spanned`](crate::Spanned) its span, then the value from `value`.
struct SpannedDe<D> {
    span: Span,
    state: u8,
    value: Option<D>,
}

impl<D> SpannedDe<D> {
    fn new(span: Span, value: D) -> Self {
        Self {
            span,
            state: 0,
            value: Some(value),
        }
    }
}

impl<'a, D: de::Deserializer<'a, Error = Error>> MapAccess<'a> for SpannedDe<D> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let key = match self.state {
            0 => SPANNED_START,
            1 => SPANNED_END,
            2 => SPANNED_VALUE,
            _ => return Ok(None),
        };
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let state = self.state;
        self.state = self.state.saturating_add(1);
        match state {
            0 => seed.deserialize(U64Deserializer::new(u64::from(self.span.start))),
            1 => seed.deserialize(U64Deserializer::new(u64::from(self.span.end))),
            _ => match self.value.take() {
                Some(value) => seed.deserialize(value).map_err(|e| e.at(self.span)),
                None => Err(de::Error::custom("a span value was requested twice")),
            },
        }
    }
}

/// Deserializes a piece of text at a span: a map key, a variant name, a tag value.
struct TextDe<'a> {
    text: Cow<'a, str>,
    span: Span,
}

impl<'a> TextDe<'a> {
    fn visit_text<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text {
            Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    fn number<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Ok(i) = self.text.parse::<i64>() {
            return visitor.visit_i64(i);
        }
        if let Ok(u) = self.text.parse::<u64>() {
            return visitor.visit_u64(u);
        }
        if let Some(Value::Float(f)) = resolve_non_string(&self.text) {
            return visitor.visit_f64(f);
        }
        self.visit_text(visitor)
    }

    fn boolean<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text.as_ref() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => self.visit_text(visitor),
        }
    }
}

macro_rules! text_methods {
    ($($method:ident => $inner:ident,)*) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
                let span = self.span;
                self.$inner(visitor).map_err(|e| e.at(span))
            }
        )*
    };
}

impl<'a> de::Deserializer<'a> for TextDe<'a> {
    type Error = Error;

    text_methods! {
        deserialize_any => visit_text,
        deserialize_bool => boolean,
        deserialize_i8 => number,
        deserialize_i16 => number,
        deserialize_i32 => number,
        deserialize_i64 => number,
        deserialize_i128 => number,
        deserialize_u8 => number,
        deserialize_u16 => number,
        deserialize_u32 => number,
        deserialize_u64 => number,
        deserialize_u128 => number,
        deserialize_f32 => number,
        deserialize_f64 => number,
        deserialize_char => visit_text,
        deserialize_str => visit_text,
        deserialize_string => visit_text,
        deserialize_bytes => visit_text,
        deserialize_byte_buf => visit_text,
        deserialize_unit => visit_text,
        deserialize_seq => visit_text,
        deserialize_map => visit_text,
        deserialize_identifier => visit_text,
        deserialize_ignored_any => visit_text,
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let span = self.span;
        visitor.visit_some(self).map_err(|e| e.at(span))
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let span = self.span;
        visitor.visit_newtype_struct(self).map_err(|e| e.at(span))
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let span = self.span;
        if name == SPANNED_NAME {
            return visitor
                .visit_map(SpannedDe::new(span, self))
                .map_err(|e| e.at(span));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let span = self.span;
        visitor
            .visit_enum(TextEnum {
                text: self.text,
                span,
            })
            .map_err(|e| e.at(span))
    }
}

/// An enum written as a plain name: unit variants only.
struct TextEnum<'a> {
    text: Cow<'a, str>,
    span: Span,
}

impl<'a> EnumAccess<'a> for TextEnum<'a> {
    type Error = Error;
    type Variant = UnitOnly;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> Result<(V::Value, UnitOnly), Error> {
        let span = self.span;
        let name = TextDe {
            text: self.text,
            span,
        };
        Ok((seed.deserialize(name)?, UnitOnly { span }))
    }
}

struct UnitOnly {
    span: Span,
}

impl UnitOnly {
    fn not_unit(&self, expected: &str) -> Error {
        Error::located(
            DeErrorKind::InvalidType {
                found: "a plain name".to_owned(),
                expected: expected.to_owned(),
            },
            self.span,
        )
    }
}

impl<'a> VariantAccess<'a> for UnitOnly {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, _seed: T) -> Result<T::Value, Error> {
        Err(self.not_unit("a map with one key naming the variant"))
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, _visitor: V) -> Result<V::Value, Error> {
        Err(self.not_unit("a map with one key naming the variant"))
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Error> {
        Err(self.not_unit("a map with one key naming the variant"))
    }
}

/// An externally tagged enum written as a single-key map.
struct MapEnum<'a> {
    entry: &'a Entry,
    parent: NodeDe<'a>,
}

impl<'a> EnumAccess<'a> for MapEnum<'a> {
    type Error = Error;
    type Variant = NodeDe<'a>;

    fn variant_seed<V: DeserializeSeed<'a>>(
        self,
        seed: V,
    ) -> Result<(V::Value, NodeDe<'a>), Error> {
        let name = TextDe {
            text: Cow::Borrowed(&self.entry.key.value),
            span: self.entry.key.span,
        };
        let value = seed.deserialize(name)?;
        Ok((value, self.parent.child(&self.entry.value)?))
    }
}

impl<'a> VariantAccess<'a> for NodeDe<'a> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.node.value {
            Value::Null => Ok(()),
            _ => Err(self.invalid_type("null")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value, Error> {
        let span = self.span();
        seed.deserialize(self).map_err(|e| e.at(span))
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

/// An internally tagged enum (see [`tagged_enum!`](crate::tagged_enum)).
struct TaggedEnum<'a> {
    name: Cow<'a, str>,
    name_span: Span,
    /// The same map, with the tag key skipped.
    content: NodeDe<'a>,
    entries: &'a [Entry],
}

impl<'a> EnumAccess<'a> for TaggedEnum<'a> {
    type Error = Error;
    type Variant = TaggedContent<'a>;

    fn variant_seed<V: DeserializeSeed<'a>>(
        self,
        seed: V,
    ) -> Result<(V::Value, TaggedContent<'a>), Error> {
        let name = TextDe {
            text: self.name,
            span: self.name_span,
        };
        let value = seed.deserialize(name)?;
        Ok((
            value,
            TaggedContent {
                content: self.content,
                entries: self.entries,
            },
        ))
    }
}

struct TaggedContent<'a> {
    content: NodeDe<'a>,
    entries: &'a [Entry],
}

impl<'a> VariantAccess<'a> for TaggedContent<'a> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        for entry in self.entries {
            if !self.content.skip.contains(&entry.key.value) {
                self.content.ctx.unknown_field(&entry.key, &[]);
            }
        }
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value, Error> {
        let span = self.content.span();
        seed.deserialize(self.content).map_err(|e| e.at(span))
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, _visitor: V) -> Result<V::Value, Error> {
        Err(self.content.invalid_type("a list"))
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self.content, "", fields, visitor)
    }
}
