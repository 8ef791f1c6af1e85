//! Spans inside scalar values, mapped back to the file.

use flowgate_diagnostics::Span;

/// Where a span inside a scalar's value lies in the file.
///
/// `file` is the text of the file, `written` the span of the scalar as written there (quotes
/// included), `value` the scalar's value (as lowered, e.g. an expression's source) and
/// `relative` a span of byte offsets inside `value`. The value may be quoted, or a block
/// scalar whose indentation YAML removed: each line of the value is found, in order, inside
/// the written text.
///
/// When the start cannot be found this is `written` itself; when only the end cannot be
/// found it is the empty span at the start.
pub fn value_span(file: &str, written: Span, value: &str, relative: Span) -> Span {
    let Some(text) = file.get(written.start as usize..written.end as usize) else {
        return written;
    };
    let map = |offset: u32| -> Option<u32> {
        let offset = offset as usize;
        let mut search_from = 0;
        let mut line_start = 0;
        for line in value.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let found = if content.is_empty() {
                search_from
            } else {
                search_from + text.get(search_from..)?.find(content)?
            };
            if offset <= line_start + content.len() {
                let absolute = written.start as usize + found + (offset - line_start);
                return u32::try_from(absolute).ok();
            }
            search_from = found + content.len();
            line_start += line.len();
        }
        None
    };
    match (map(relative.start), map(relative.end)) {
        (Some(start), Some(end)) if start <= end => Span { start, end },
        (Some(start), _) => Span { start, end: start },
        _ => written,
    }
}
