//! Reading `db_schema.xml` files into a [`Schema`], merged in path order as Magento merges
//! modules: a later declaration of a table adds to it or changes it, `disabled="true"`
//! removes a table, column, index or constraint.

use crate::model::{Column, Constraint, Index, Place, Schema, Table};
use flowgate_diagnostics::{SourceText, Span};
use flowgate_syntax::{parse_xml, XmlElement};
use std::path::{Path, PathBuf};

/// The file name read.
pub const FILE_NAME: &str = "db_schema.xml";

/// Why a tree could not be read.
#[derive(Debug)]
pub struct ReadError {
    /// Where (a file, or `file:line:column`).
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Every `db_schema.xml` under `root`, merged; an error names the file and place.
pub fn read_tree(root: &Path) -> Result<Schema, ReadError> {
    let mut files = Vec::new();
    collect(root, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(ReadError {
            at: root.display().to_string(),
            message: format!("no {FILE_NAME} under this folder; give a Magento checkout or its vendor/magento folder"),
        });
    }
    let mut schema = Schema::default();
    for path in files {
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| ReadError {
            at: shown.clone(),
            message: e.to_string(),
        })?;
        read_file(&SourceText::new(shown.clone(), text), &mut schema)?;
        schema.files.push(shown);
    }
    Ok(schema)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ReadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ReadError {
        at: dir.display().to_string(),
        message: e.to_string(),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect(&path, out)?;
        } else if kind.is_file() && entry.file_name() == FILE_NAME {
            out.push(path);
        }
    }
    Ok(())
}

struct Reader<'a> {
    source: &'a SourceText,
}

impl Reader<'_> {
    fn place(&self, span: Span) -> Place {
        let at = self.source.locate(span);
        Place {
            file: self.source.path().to_owned(),
            line: at.start.line,
            column: at.start.column,
        }
    }

    fn error(&self, span: Span, message: String) -> ReadError {
        ReadError {
            at: self.place(span).to_string(),
            message,
        }
    }
}

fn read_file(source: &SourceText, schema: &mut Schema) -> Result<(), ReadError> {
    let reader = Reader { source };
    let document = parse_xml(source.text());
    if let Some(e) = document.errors.first() {
        return Err(reader.error(e.span, e.message.clone()));
    }
    let Some(root) = document.root else {
        return Err(reader.error(Span::new(0, 0), "the file holds no XML element".to_owned()));
    };
    if root.name.value != "schema" {
        return Err(reader.error(
            root.name.span,
            format!(
                "<{}> is not a declarative schema: the root must be <schema>",
                root.name.value
            ),
        ));
    }
    for element in root.children_named("table") {
        table(&reader, element, schema)?;
    }
    Ok(())
}

fn attr<'e>(element: &'e XmlElement, name: &str) -> Option<&'e str> {
    element.attribute(name).map(|a| a.value.as_str())
}

fn required<'e>(
    reader: &Reader<'_>,
    element: &'e XmlElement,
    name: &str,
) -> Result<&'e str, ReadError> {
    attr(element, name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            reader.error(
                element.name.span,
                format!("<{}> has no `{name}` attribute", element.name.value),
            )
        })
}

fn flag(element: &XmlElement, name: &str, default: bool) -> bool {
    attr(element, name).map_or(default, |v| v == "true")
}

fn number(reader: &Reader<'_>, element: &XmlElement, name: &str) -> Result<Option<u64>, ReadError> {
    match element.attribute(name) {
        None => Ok(None),
        Some(value) => value.value.parse().map(Some).map_err(|_| {
            reader.error(
                value.span,
                format!("`{name}=\"{}\"` is not a whole number", value.value),
            )
        }),
    }
}

fn table(reader: &Reader<'_>, element: &XmlElement, schema: &mut Schema) -> Result<(), ReadError> {
    let name = required(reader, element, "name")?.to_owned();
    if flag(element, "disabled", false) {
        schema.tables.remove(&name);
        return Ok(());
    }
    let table = schema.tables.entry(name.clone()).or_insert_with(|| Table {
        name,
        columns: Default::default(),
        indexes: Default::default(),
        constraints: Default::default(),
        place: reader.place(element.name.span),
    });
    for child in &element.children {
        match child.name.value.as_str() {
            "column" => column(reader, child, table)?,
            "index" => index(reader, child, table)?,
            "constraint" => constraint(reader, child, table)?,
            _ => {}
        }
    }
    Ok(())
}

fn column(reader: &Reader<'_>, element: &XmlElement, table: &mut Table) -> Result<(), ReadError> {
    let name = required(reader, element, "name")?.to_owned();
    if flag(element, "disabled", false) {
        table.columns.remove(&name);
        return Ok(());
    }
    let migrates_from = attr(element, "onCreate").and_then(|v| {
        let inner = v.strip_prefix("migrateDataFrom(")?.strip_suffix(')')?;
        Some(inner.trim().to_owned())
    });
    let column = Column {
        ty: required(reader, element, "xsi:type")?.to_owned(),
        length: number(reader, element, "length")?,
        precision: number(reader, element, "precision")?,
        scale: number(reader, element, "scale")?,
        unsigned: flag(element, "unsigned", false),
        nullable: flag(element, "nullable", true),
        identity: flag(element, "identity", false),
        default: attr(element, "default").map(str::to_owned),
        migrates_from,
        place: reader.place(element.name.span),
        name: name.clone(),
    };
    table.columns.insert(name, column);
    Ok(())
}

fn columns_of(element: &XmlElement) -> Vec<String> {
    element
        .children_named("column")
        .filter_map(|c| attr(c, "name").map(str::to_owned))
        .collect()
}

fn index(reader: &Reader<'_>, element: &XmlElement, table: &mut Table) -> Result<(), ReadError> {
    let id = required(reader, element, "referenceId")?.to_owned();
    if flag(element, "disabled", false) {
        table.indexes.remove(&id);
        return Ok(());
    }
    let index = Index {
        kind: attr(element, "indexType").unwrap_or("btree").to_owned(),
        columns: columns_of(element),
        place: reader.place(element.name.span),
    };
    table.indexes.insert(id, index);
    Ok(())
}

fn constraint(
    reader: &Reader<'_>,
    element: &XmlElement,
    table: &mut Table,
) -> Result<(), ReadError> {
    let id = required(reader, element, "referenceId")?.to_owned();
    if flag(element, "disabled", false) {
        table.constraints.remove(&id);
        return Ok(());
    }
    let kind = required(reader, element, "xsi:type")?.to_owned();
    let (columns, references) = if kind == "foreign" {
        let reference = format!(
            "{}.{} on delete {}",
            attr(element, "referenceTable").unwrap_or("?"),
            attr(element, "referenceColumn").unwrap_or("?"),
            attr(element, "onDelete").unwrap_or("NO ACTION")
        );
        (
            attr(element, "column")
                .map(|c| vec![c.to_owned()])
                .unwrap_or_default(),
            Some(reference),
        )
    } else {
        (columns_of(element), None)
    };
    table.constraints.insert(
        id,
        Constraint {
            kind,
            columns,
            references,
            place: reader.place(element.name.span),
        },
    );
    Ok(())
}
