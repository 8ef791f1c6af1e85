//! The XML reader over the Salesforce Flow corpus, and property tests: it never panics and
//! its spans always point into the source.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use flowgate_diagnostics::{LineCol, LineIndex};
use flowgate_syntax::{parse_xml, Span, XmlDocument, XmlElement};
use proptest::prelude::*;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/salesforce-flows"
);

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.ends_with(".flow-meta.xml"))
        {
            out.push(path);
        }
    }
}

/// Every `*.flow-meta.xml` of the corpus, with its text, in path order.
fn corpus() -> &'static [(PathBuf, String)] {
    static FILES: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut paths = Vec::new();
        collect(Path::new(CORPUS), &mut paths);
        paths.sort();
        assert!(!paths.is_empty(), "no *.flow-meta.xml under {CORPUS}");
        paths
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path).unwrap();
                (path, text)
            })
            .collect()
    })
}

fn slice(src: &str, span: Span) -> &str {
    &src[span.start as usize..span.end as usize]
}

fn all_elements(root: &XmlElement) -> impl Iterator<Item = &XmlElement> {
    std::iter::once(root).chain(root.descendants())
}

/// The invariants that hold for any input: spans in bounds, on character boundaries, and
/// element spans starting with `<`.
fn check(src: &str) -> XmlDocument {
    let doc = parse_xml(src);
    let in_bounds = |span: Span| {
        let (start, end) = (span.start as usize, span.end as usize);
        assert!(
            start <= end && end <= src.len(),
            "{span:?} of {}",
            src.len()
        );
        assert!(src.is_char_boundary(start) && src.is_char_boundary(end));
    };
    for error in &doc.errors {
        in_bounds(error.span);
        assert!(!error.message.is_empty());
    }
    assert!(
        doc.root.is_some() || !doc.errors.is_empty(),
        "no root and no error"
    );
    if let Some(root) = &doc.root {
        for element in all_elements(root) {
            in_bounds(element.span);
            in_bounds(element.name.span);
            assert!(slice(src, element.span).starts_with('<'));
            assert!(element.span.start < element.name.span.start);
            assert!(element.name.span.end <= element.span.end);
            if let Some(text) = &element.text {
                in_bounds(text.span);
            }
            for (key, value) in &element.attributes {
                in_bounds(key.span);
                in_bounds(value.span);
            }
        }
    }
    doc
}

#[test]
fn corpus_parses_without_errors() {
    let files = corpus();
    let mut elements = 0;
    for (path, src) in files {
        let name = path.display();
        let doc = check(src);
        assert!(doc.errors.is_empty(), "{name}: {:#?}", doc.errors);
        let root = doc.root.as_ref().unwrap();
        assert_eq!(root.name.value, "Flow", "{name}");
        assert_eq!(
            root.attribute("xmlns").map(|v| v.value.as_str()),
            Some("http://soap.sforce.com/2006/04/metadata"),
            "{name}"
        );
        assert!(root.child_text("label").is_some(), "{name}");
        for element in all_elements(root) {
            let text = slice(src, element.span);
            let tag = format!("<{}", element.name.value);
            assert!(text.starts_with(&tag), "{name}: {text:?} for {tag}");
            let end = format!("</{}>", element.name.value);
            assert!(
                text.ends_with(&end) || text.ends_with("/>"),
                "{name}: {text:?}"
            );
            assert_eq!(slice(src, element.name.span), element.name.value, "{name}");
            if let Some(value) = &element.text {
                let written = slice(src, value.span);
                assert!(!written.is_empty(), "{name}");
                assert_eq!(written.trim(), written, "{name}: text span is trimmed");
                assert!(!written.contains('<'), "{name}: {written:?}");
                if !written.contains('&') && !written.contains('\r') {
                    assert_eq!(written, value.value, "{name}");
                }
            }
            elements += 1;
        }
    }
    assert!(elements > files.len());
}

#[test]
fn corpus_values_and_positions() {
    let (_, src) = corpus()
        .iter()
        .find(|(path, _)| path.ends_with("HardcodedUrl.flow-meta.xml"))
        .expect("HardcodedUrl.flow-meta.xml in the corpus");
    let doc = parse_xml(src);
    let root = doc.root.unwrap();
    let formula = root.child("formulas").unwrap();
    assert_eq!(formula.child_text("name"), Some("HardcodedURL"));
    let expression = formula.child("expression").unwrap();
    assert_eq!(
        expression.text_str(),
        Some("\"https://mydomain.sandbox.my.salesforce.com/\"&{!$User.Id}")
    );
    // Line and column of the element, as rules report them.
    let index = LineIndex::new(src);
    assert_eq!(
        index.line_col(src, expression.span.start),
        LineCol { line: 8, column: 9 }
    );
    assert_eq!(
        index.line_col(src, expression.name.span.start),
        LineCol {
            line: 8,
            column: 10
        }
    );
    assert_eq!(
        index.line_col(src, root.span.start),
        LineCol { line: 2, column: 1 }
    );
    let field = root
        .descendants()
        .find(|e| e.name.value == "fieldText")
        .unwrap();
    assert_eq!(field.text_str(), Some("<p>{!HardcodedURL}</p>"));
}

#[test]
fn corpus_files_with_crlf_line_endings() {
    let crlf: Vec<_> = corpus()
        .iter()
        .filter(|(_, src)| src.contains("\r\n"))
        .collect();
    for (path, src) in crlf {
        let doc = parse_xml(src);
        assert!(doc.errors.is_empty(), "{}", path.display());
        for element in all_elements(doc.root.as_ref().unwrap()) {
            if let Some(text) = element.text_str() {
                assert!(!text.contains('\r'), "{}: {text:?}", path.display());
            }
        }
    }
}

#[test]
fn a_byte_order_mark_shifts_every_span() {
    for (path, src) in corpus() {
        let plain = parse_xml(src);
        let with_bom = format!("\u{feff}{src}");
        let shifted = parse_xml(&with_bom);
        assert!(shifted.errors.is_empty(), "{}", path.display());
        let a: Vec<_> = all_elements(plain.root.as_ref().unwrap()).collect();
        let b: Vec<_> = all_elements(shifted.root.as_ref().unwrap()).collect();
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.span.offset_by(3), y.span);
            assert_eq!(x.name.span.offset_by(3), y.name.span);
            assert_eq!(x.text, y.text);
        }
    }
}

#[test]
fn truncated_corpus_files_report_errors_inside_the_input() {
    for (path, src) in corpus().iter().take(8) {
        let close = src.rfind("</Flow>").unwrap();
        for end in (0..close).step_by(97).chain([close, close + 3]) {
            let Some(prefix) = src.get(..end) else {
                continue;
            };
            let doc = check(prefix);
            assert!(!doc.errors.is_empty(), "{} cut at {end}", path.display());
            for error in &doc.errors {
                assert!(error.span.end as usize <= prefix.len());
            }
        }
    }
}

/// Pieces of XML syntax, glued together at random or spliced into corpus files.
const PIECES: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<a>",
    "</a>",
    "<b/>",
    "<Flow>",
    "</Flow>",
    "<p:x>",
    "</p:x>",
    " x=\"1\"",
    " x='",
    "\"",
    "'",
    "=",
    "&",
    "&amp;",
    "&lt;",
    "&#10;",
    "&#x1F600;",
    "&#0;",
    "&e;",
    "&nbsp;",
    ";",
    "<!--",
    "-->",
    "--",
    "<![CDATA[",
    "]]>",
    "<?xml version=\"1.0\"?>",
    "<?pi",
    "?>",
    "<!DOCTYPE a [<!ENTITY e \"v\">]>",
    "<!DOCTYPE",
    "<!ENTITY",
    "[",
    "]",
    " ",
    "\n",
    "\r\n",
    "\t",
    "text",
    "é",
    "😀",
    "\u{feff}",
    "\u{0}",
    "\u{1}",
    "\u{fffe}",
    ":",
    "{",
];

fn structured() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|parts| parts.concat())
}

/// One edit of a corpus file: where, what, and how much.
#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, &'static str),
    Duplicate(prop::sample::Index, usize),
    Truncate(prop::sample::Index),
    Byte(prop::sample::Index, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), 1..64usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<prop::sample::Index>(), prop::sample::select(PIECES))
            .prop_map(|(at, piece)| Edit::Insert(at, piece)),
        (any::<prop::sample::Index>(), 1..256usize).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        any::<prop::sample::Index>().prop_map(Edit::Truncate),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(at, b)| Edit::Byte(at, b)),
    ]
}

fn mutate(src: &str, edits: &[Edit]) -> String {
    let mut bytes = src.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len();
        let at = |index: &prop::sample::Index| if len == 0 { 0 } else { index.index(len + 1) };
        match edit {
            Edit::Delete(index, n) => {
                let start = at(index);
                bytes.drain(start..(start + n).min(len));
            }
            Edit::Insert(index, piece) => {
                let start = at(index);
                bytes.splice(start..start, piece.bytes());
            }
            Edit::Duplicate(index, n) => {
                let start = at(index);
                let copy = bytes[start..(start + n).min(len)].to_vec();
                bytes.splice(start..start, copy);
            }
            Edit::Truncate(index) => bytes.truncate(at(index)),
            Edit::Byte(index, b) => {
                if len > 0 {
                    let i = index.index(len);
                    bytes[i] = *b;
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

proptest! {
    // 256 cases by default; `PROPTEST_CASES=100000` for a longer hunt.
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(source in any::<String>()) {
        check(&source);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn structured_text_never_panics(source in structured()) {
        check(&source);
    }

    #[test]
    fn mutated_corpus_files_never_panic(
        file in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let files = corpus();
        let (_, src) = &files[file.index(files.len())];
        check(&mutate(src, &edits));
    }
}
