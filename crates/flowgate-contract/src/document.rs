//! One contract file: its text, its parsed tree, its dialect, and `$ref` resolution.

use std::collections::HashMap;

use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_syntax::{parse_json, parse_yaml, Node, Value};

use crate::codes;

/// Which specification a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Swagger 2.0 (`swagger: "2.0"`).
    Swagger2,
    /// OpenAPI 3.0.x.
    OpenApi30,
    /// OpenAPI 3.1.x.
    OpenApi31,
}

impl Dialect {
    /// The name people know the dialect by.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Swagger2 => "Swagger 2.0",
            Self::OpenApi30 => "OpenAPI 3.0",
            Self::OpenApi31 => "OpenAPI 3.1",
        }
    }
}

/// Longest chain of `$ref`s to `$ref`s followed before calling it a cycle.
const MAX_REF_HOPS: usize = 32;

/// A parsed contract file.
#[derive(Debug)]
pub struct Document {
    /// The file's text under its display path.
    pub source: SourceText,
    /// The root of the tree.
    pub root: Node,
    /// Swagger 2.0, OpenAPI 3.0 or 3.1.
    pub dialect: Dialect,
}

impl Document {
    /// Parse `source` (JSON when it starts with `{`, YAML otherwise) and recognise its dialect.
    ///
    /// Errors are located diagnostics: syntax errors, a file that is no Swagger or OpenAPI
    /// document.
    pub fn parse(source: SourceText) -> Result<Self, Vec<Diagnostic>> {
        let text = source.text();
        let parsed = if text.trim_start().starts_with('{') {
            parse_json(text)
        } else {
            parse_yaml(text)
        };
        if !parsed.errors.is_empty() {
            return Err(parsed
                .errors
                .iter()
                .map(|e| {
                    Diagnostic::error(codes::SYNTAX, e.message.clone())
                        .at(&source, e.span)
                        .with_help(e.help.clone().unwrap_or_else(|| {
                            "fix the syntax of the file; it must be YAML or JSON".to_owned()
                        }))
                })
                .collect());
        }
        let Some(root) = parsed.docs.into_iter().next() else {
            return Err(vec![not_openapi(
                &source,
                Span::point(0),
                "the file is empty",
            )]);
        };
        let dialect =
            dialect_of(&root).map_err(|(span, why)| vec![not_openapi(&source, span, &why)])?;
        Ok(Self {
            source,
            root,
            dialect,
        })
    }

    /// The display path.
    pub fn path(&self) -> &str {
        self.source.path()
    }
}

fn not_openapi(source: &SourceText, span: Span, why: &str) -> Diagnostic {
    Diagnostic::error(
        codes::NOT_OPENAPI,
        format!(
            "`{}` is not a Swagger 2.0 or OpenAPI 3 document: {why}",
            source.path()
        ),
    )
    .at(source, span)
    .with_help(
        "give a file with `swagger: \"2.0\"` or `openapi: 3.x.y` at the top and a `paths` map",
    )
}

fn dialect_of(root: &Node) -> Result<Dialect, (Span, String)> {
    if root.as_map().is_none() {
        return Err((
            root.span,
            format!("its top level is {}, not a map", root.type_name()),
        ));
    }
    let version = |key: &str| root.get(key).map(|n| (n.span, scalar_text(n)));
    let dialect = match (version("swagger"), version("openapi")) {
        (Some((_, v)), _) if v.starts_with('2') => Dialect::Swagger2,
        (_, Some((_, v))) if v.starts_with("3.0") => Dialect::OpenApi30,
        (_, Some((_, v))) if v.starts_with("3.") => Dialect::OpenApi31,
        (Some((span, v)), _) | (_, Some((span, v))) => {
            return Err((span, format!("version `{v}` is not supported")))
        }
        (None, None) => {
            return Err((
                Span::point(root.span.start as usize),
                "it has neither a `swagger` nor an `openapi` field".to_owned(),
            ))
        }
    };
    match root.get("paths") {
        Some(paths) if paths.as_map().is_none() && !paths.is_null() => Err((
            paths.span,
            format!("`paths` is {}, not a map", paths.type_name()),
        )),
        _ => Ok(dialect),
    }
}

/// The text of a scalar (numbers as written would be better, but versions are strings).
pub fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        Value::Seq(_) => "[…]".to_owned(),
        Value::Map(_) => "{…}".to_owned(),
    }
}

/// Why a `$ref` could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefProblem {
    /// Nothing at the pointer.
    Dangling,
    /// A chain of `$ref`s that comes back to itself.
    Cycle,
    /// A reference into another file, which is not read.
    External,
}

/// Resolves local `$ref`s of one document, with an index of the second-level entries
/// (`#/definitions/X`, `#/components/schemas/X`, ...) so that lookups do not scan maps.
pub struct Resolver<'a> {
    root: &'a Node,
    index: HashMap<String, &'a Node>,
}

impl<'a> Resolver<'a> {
    /// Index `doc`.
    pub fn new(doc: &'a Document) -> Self {
        let mut index = HashMap::new();
        for entry in doc.root.as_map().unwrap_or_default() {
            let Some(children) = entry.value.as_map() else {
                continue;
            };
            let top = format!("#/{}", escape(&entry.key.value));
            for child in children {
                let here = format!("{top}/{}", escape(&child.key.value));
                if entry.key.value == "components" {
                    for grandchild in child.value.as_map().unwrap_or_default() {
                        index.insert(
                            format!("{here}/{}", escape(&grandchild.key.value)),
                            &grandchild.value,
                        );
                    }
                }
                index.insert(here, &child.value);
            }
        }
        Self {
            root: &doc.root,
            index,
        }
    }

    /// The node at a pointer such as `#/definitions/Pet`.
    pub fn lookup(&self, pointer: &str) -> Result<&'a Node, RefProblem> {
        if let Some(node) = self.index.get(pointer) {
            return Ok(node);
        }
        let Some(rest) = pointer.strip_prefix('#') else {
            return Err(RefProblem::External);
        };
        let mut node = self.root;
        for segment in rest.split('/').skip(1) {
            let key = unescape(segment);
            node = match &node.value {
                Value::Map(_) => node.get(&key),
                Value::Seq(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            }
            .ok_or(RefProblem::Dangling)?;
        }
        Ok(node)
    }

    /// Follow `node`'s `$ref` chain to the node it stands for, with the last pointer taken.
    pub fn resolve(
        &self,
        node: &'a Node,
    ) -> Result<(&'a Node, Option<&'a str>), (RefProblem, Span)> {
        let mut current = node;
        let mut name = None;
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = current.get("$ref") else {
                return Ok((current, name));
            };
            let Some(pointer) = reference.as_str() else {
                return Err((RefProblem::Dangling, reference.span));
            };
            current = self.lookup(pointer).map_err(|p| (p, reference.span))?;
            name = Some(pointer);
        }
        Err((RefProblem::Cycle, node.span))
    }

    /// [`resolve`](Self::resolve), or the node itself when its reference cannot be followed
    /// (problems are reported once, by [`check_refs`]).
    pub fn follow(&self, node: &'a Node) -> &'a Node {
        self.resolve(node).map(|(n, _)| n).unwrap_or(node)
    }
}

/// `~` and `/` escaped as in a JSON pointer.
pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn unescape(segment: &str) -> String {
    let decoded = percent_decode(segment);
    decoded.replace("~1", "/").replace("~0", "~")
}

fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every local `$ref` of the document that leads nowhere or into a cycle, located at the
/// reference. References into other files are left alone.
pub fn check_refs(doc: &Document, resolver: &Resolver<'_>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut stack = vec![&doc.root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                if let Some(Value::String(pointer)) = node.get("$ref").map(|r| &r.value) {
                    if pointer.starts_with('#') {
                        if let Err((problem, span)) = resolver.resolve(node) {
                            problems.push(ref_diagnostic(doc, pointer, &problem, span));
                        }
                    }
                }
                stack.extend(entries.iter().map(|e| &e.value));
            }
            Value::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    problems
}

fn ref_diagnostic(doc: &Document, pointer: &str, problem: &RefProblem, span: Span) -> Diagnostic {
    let (code, message, help) = match problem {
        RefProblem::Cycle => (
            codes::REF_CYCLE,
            format!(
                "`$ref: {pointer}` is part of a chain of references that never reaches a schema"
            ),
            "make one reference of the chain point at a definition",
        ),
        _ => (
            codes::DANGLING_REF,
            format!("`$ref: {pointer}` points at nothing in `{}`", doc.path()),
            "fix the pointer or add the definition it names",
        ),
    };
    Diagnostic::error(code, message)
        .at(&doc.source, span)
        .with_help(help)
}
