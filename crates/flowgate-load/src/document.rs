//! Reading one file into assets: bytes → text → documents → wire → domain.

use crate::lower::{Lowered, Lowerer};
use crate::wire::AssetWire;
use crate::{codes, lossy_source, FileFormat};
use flowgate_diagnostics::suggest::did_you_mean;
use flowgate_diagnostics::{Diagnostic, LineCol, Location, SourceText, Span};
use flowgate_model::flow::Dialect;
use flowgate_model::{Asset, AssetId, FileId};
use flowgate_syntax::{DeError, DeErrorKind, Node, Value};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A file to load.
pub(crate) struct Input {
    pub absolute: PathBuf,
    pub relative: PathBuf,
    pub format: FileFormat,
}

/// What one file produced.
pub(crate) struct FileOutput {
    pub path: String,
    pub source: Option<SourceText>,
    pub assets: Vec<Asset>,
    pub invalid_ids: Vec<AssetId>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Load files in parallel, keeping their order (file ids are input indexes).
pub(crate) fn load_files(inputs: &[Input], root: &Path, max_size: u64) -> Vec<FileOutput> {
    in_parallel(
        inputs,
        |i, input| load_file(file_id(i), input, root, max_size),
        |input| failed(input, internal_error_diagnostic()),
    )
}

/// `work` over every item on rayon's pool, in item order (`work` gets the item's index). An
/// item whose work panicked gets `on_panic` instead of being lost: a panic is a bug, and the
/// other files still load.
pub(crate) fn in_parallel<T: Sync, O: Send>(
    items: &[T],
    work: impl Fn(usize, &T) -> O + Sync,
    on_panic: impl Fn(&T) -> O + Sync,
) -> Vec<O> {
    items
        .par_iter()
        .enumerate()
        .map(|(i, item)| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(i, item)))
                .unwrap_or_else(|_| on_panic(item))
        })
        .collect()
}

fn file_id(index: usize) -> FileId {
    FileId(u32::try_from(index).unwrap_or(u32::MAX))
}

/// The path as shown to the user and used as the key of its source text. Bytes that are not
/// UTF-8 are written as `\xNN` (not replaced by `�`), so that two names differing only in
/// such bytes stay two files.
fn display(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// A file that could not be read: the diagnostic points at its start, so that it still
/// names the file, line and column.
fn failed(input: &Input, diagnostic: Diagnostic) -> FileOutput {
    failed_at(display(&input.relative), diagnostic)
}

fn failed_at(path: String, mut diagnostic: Diagnostic) -> FileOutput {
    if diagnostic.location.is_none() {
        let start = LineCol { line: 1, column: 1 };
        diagnostic.location = Some(Location {
            path: path.clone(),
            start,
            end: start,
            span: Span::default(),
        });
    }
    FileOutput {
        path,
        source: None,
        assets: Vec::new(),
        invalid_ids: Vec::new(),
        diagnostics: vec![diagnostic],
    }
}

/// What a file whose loading panicked yields: a located internal error.
pub(crate) fn internal_error(path: &str) -> FileOutput {
    failed_at(path.to_owned(), internal_error_diagnostic())
}

fn internal_error_diagnostic() -> Diagnostic {
    Diagnostic::error(codes::UNREADABLE, "internal error while loading this file")
        .with_help("please report this as a bug, with the file if you can")
}

fn load_file(file: FileId, input: &Input, root: &Path, max_size: u64) -> FileOutput {
    let path = display(&input.relative);
    let size = std::fs::metadata(&input.absolute)
        .map(|m| m.len())
        .unwrap_or(0);
    if size > max_size {
        return failed(
            input,
            Diagnostic::error(
                codes::UNREADABLE,
                format!("{path} is {size} bytes, larger than the {max_size}-byte limit"),
            )
            .with_help("split the file, exclude it with `workspace.exclude`, or raise `workspace.max_file_size` in flowgate.toml"),
        );
    }
    let bytes = match std::fs::read(&input.absolute) {
        Ok(bytes) => bytes,
        Err(e) => {
            return failed(
                input,
                Diagnostic::error(codes::UNREADABLE, format!("cannot read {path}: {e}")),
            )
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => load_text(file, &path, text, root, input.format),
        Err(e) => {
            let valid_up_to = e.utf8_error().valid_up_to();
            let source = lossy_source(&path, e.as_bytes());
            let diagnostic =
                Diagnostic::error(codes::UNREADABLE, format!("{path} is not UTF-8 text"))
                    .at(&source, Span::new(valid_up_to, valid_up_to + 1))
                    .with_label("invalid byte here")
                    .with_help("save the file as UTF-8; asset files are YAML or JSON text");
            FileOutput {
                path,
                source: Some(source),
                assets: Vec::new(),
                invalid_ids: Vec::new(),
                diagnostics: vec![diagnostic],
            }
        }
    }
}

/// Load one file's text.
pub(crate) fn load_text(
    file: FileId,
    path: &str,
    text: String,
    root: &Path,
    format: FileFormat,
) -> FileOutput {
    let source = SourceText::new(path, text);
    if let FileFormat::Platform(dialect) = format {
        return load_platform(file, source, dialect);
    }
    let mut diagnostics = Vec::new();
    let mut assets = Vec::new();
    let mut invalid_ids = Vec::new();
    let parsed = if path.ends_with(".json") {
        flowgate_syntax::parse_json(source.text())
    } else {
        flowgate_syntax::parse_yaml(source.text())
    };
    diagnostics.extend(
        parsed
            .errors
            .into_iter()
            .map(|e| codes::syntax_error(&source, e)),
    );
    let dir = root.join(path);
    let dir = dir.parent().unwrap_or(root);
    let mut documents: Vec<&Node> = Vec::new();
    for doc in &parsed.docs {
        match &doc.value {
            Value::Null => {}
            Value::Seq(items) => documents.extend(items.iter()),
            _ => documents.push(doc),
        }
    }
    for doc in documents {
        if !matches!(doc.value, Value::Map(_)) {
            diagnostics.push(
                Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!("an asset document is a map, found {}", doc.type_name()),
                )
                .at(&source, doc.span)
                .with_help("each document starts with `kind:` and `id:`, e.g. `kind: Tag` / `id: newsletter`"),
            );
            continue;
        }
        // `$schema` lets JSON files name the editor schema, as YAML files do in a comment.
        // A document with unknown fields only is still lowered, so its other problems (a
        // dangling reference beside a misspelt key) are reported in the same run.
        let (wire, errors) =
            flowgate_syntax::from_node_partial::<AssetWire>(doc, source.text(), &["$schema"]);
        report_wire_errors(&source, &errors, &mut diagnostics);
        match wire {
            Some(wire) => {
                let mut lowerer = Lowerer::new(&source, file, dir, root, &mut diagnostics);
                match lowerer.asset(wire, doc.span) {
                    Lowered::Asset(asset) => assets.push(*asset),
                    Lowered::Invalid(id) => invalid_ids.push(id.value),
                    Lowered::Nothing => {}
                }
            }
            None => {
                // Remember the id so references to this asset are not reported as dangling.
                if let Some(id) = doc
                    .get("id")
                    .and_then(Node::as_str)
                    .and_then(|s| AssetId::new(s).ok())
                {
                    invalid_ids.push(id);
                }
            }
        }
    }
    FileOutput {
        path: path.to_owned(),
        source: Some(source),
        assets,
        invalid_ids,
        diagnostics,
    }
}

/// The problems of deserializing one document; a typo such as `tempalte:` also leaves
/// `template` missing, and only the typo is reported.
fn report_wire_errors(source: &SourceText, errors: &[DeError], diagnostics: &mut Vec<Diagnostic>) {
    let misspelled: Vec<&str> = errors
        .iter()
        .filter_map(|e| match &e.kind {
            DeErrorKind::UnknownField { field, expected } => {
                did_you_mean(field, expected.iter().copied())
            }
            _ => None,
        })
        .collect();
    diagnostics.extend(
        errors
            .iter()
            .filter(|e| !matches!(&e.kind, DeErrorKind::MissingField { field } if misspelled.contains(field)))
            .map(|e| de_error(source, e)),
    );
}

fn de_error(source: &SourceText, error: &DeError) -> Diagnostic {
    let (code, message, help) = match &error.kind {
        DeErrorKind::UnknownField { field, expected } => (
            codes::UNKNOWN_FIELD,
            format!("unknown field `{field}`"),
            Some(match did_you_mean(field, expected.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None if expected.is_empty() => "this map takes no fields".to_owned(),
                None => format!("expected one of: {}", expected.join(", ")),
            }),
        ),
        DeErrorKind::UnknownVariant { variant, expected } => (
            codes::UNKNOWN_VARIANT,
            format!("unknown variant `{variant}`"),
            Some(match did_you_mean(variant, expected.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("expected one of: {}", expected.join(", ")),
            }),
        ),
        DeErrorKind::MissingField { field } => (
            codes::MISSING_FIELD,
            format!("missing field `{field}`"),
            Some(format!("add `{field}:` here")),
        ),
        DeErrorKind::InvalidType { found, expected } => (
            codes::WRONG_TYPE,
            format!("expected {expected}, found {found}"),
            None,
        ),
        DeErrorKind::InvalidValue { message } => (codes::INVALID_VALUE, message.clone(), None),
        DeErrorKind::DuplicateKey { key, .. } => (
            codes::SYNTAX,
            format!("key `{key}` appears twice in this map"),
            None,
        ),
        DeErrorKind::TooDeep => (
            codes::SYNTAX,
            "the document is nested too deeply".to_owned(),
            None,
        ),
        DeErrorKind::Custom(message) => (codes::WRONG_TYPE, message.clone(), None),
    };
    let mut d = Diagnostic::error(code, message).at(source, error.span);
    if let Some(help) = help {
        d = d.with_help(help);
    }
    if let DeErrorKind::DuplicateKey { first, .. } = &error.kind {
        d = d.with_related(source.locate(*first), "first written here");
    }
    d
}

/// Import a platform file as one flow asset.
fn load_platform(file: FileId, source: SourceText, dialect: Dialect) -> FileOutput {
    let (imported, diagnostics) = crate::dialects::import(dialect, &source);
    let mut output = FileOutput {
        path: source.path().to_owned(),
        source: None,
        assets: Vec::new(),
        invalid_ids: Vec::new(),
        diagnostics,
    };
    if let Some(imported) = imported {
        match AssetId::new(imported.id.clone()) {
            Ok(id) => {
                let whole = Span::new(0, source.text().len());
                output.assets.push(Asset {
                    id: flowgate_model::Located::new(id, Span::point(0)),
                    name: imported.name,
                    description: imported.description,
                    owner: None,
                    labels: [("dialect".to_owned(), dialect.as_str().to_owned())]
                        .into_iter()
                        .collect(),
                    spec: flowgate_model::AssetSpec::Flow(imported.flow),
                    origin: flowgate_model::Origin { file, span: whole },
                });
            }
            Err(e) => output.diagnostics.push(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    format!("cannot derive an asset id from the file name: {e}"),
                )
                .at(&source, Span::point(0))
                .with_help(
                    "rename the file: its name, without the platform suffix, becomes the id",
                ),
            ),
        }
    }
    output.source = Some(source);
    output
}

#[cfg(test)]
mod tests {
    use super::in_parallel;

    #[test]
    fn items_keep_their_order_and_a_panic_costs_only_its_item() {
        let items: Vec<u32> = (0..100).collect();
        let out = in_parallel(
            &items,
            |i, &item| {
                assert_ne!(item, 42, "a bug in one file");
                (i, item * 2)
            },
            |&item| (usize::MAX, item),
        );
        assert_eq!(out.len(), 100);
        for (i, &(index, value)) in out.iter().enumerate() {
            if i == 42 {
                assert_eq!((index, value), (usize::MAX, 42));
            } else {
                assert_eq!((index, value), (i, 2 * i as u32));
            }
        }
    }
}
