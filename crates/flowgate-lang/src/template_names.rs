//! The filters and tests a template may call: MiniJinja 2's built-ins, which render the
//! Jinja2 syntax flowgate documents. A misspelt filter (`defualt`) parses, but the engine
//! refuses the template when it renders it, so it is reported while loading.

use crate::LangError;
use flowgate_diagnostics::suggest::did_you_mean;
use flowgate_diagnostics::Span;

/// Built-in filters (`{{ x | name }}`), as MiniJinja 2 registers them with all its features.
const FILTERS: &[&str] = &[
    "abs",
    "attr",
    "batch",
    "bool",
    "capitalize",
    "chain",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "format",
    "groupby",
    "indent",
    "int",
    "items",
    "join",
    "last",
    "length",
    "lines",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "pprint",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "safe",
    "select",
    "selectattr",
    "slice",
    "sort",
    "split",
    "string",
    "sum",
    "title",
    "tojson",
    "trim",
    "unique",
    "upper",
    "urlencode",
    "zip",
];

/// Built-in tests (`{% if x is name %}`), as MiniJinja 2 registers them with all its features.
const TESTS: &[&str] = &[
    "!=",
    "<",
    "<=",
    "==",
    ">",
    ">=",
    "boolean",
    "defined",
    "divisibleby",
    "endingwith",
    "eq",
    "equalto",
    "escaped",
    "even",
    "false",
    "filter",
    "float",
    "ge",
    "greaterthan",
    "gt",
    "in",
    "int",
    "integer",
    "iterable",
    "le",
    "lessthan",
    "lower",
    "lt",
    "mapping",
    "ne",
    "none",
    "number",
    "odd",
    "safe",
    "sameas",
    "sequence",
    "startingwith",
    "string",
    "test",
    "true",
    "undefined",
    "upper",
];

/// Which list a called name belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Callable {
    /// `x | name`.
    Filter,
    /// `x is name`.
    Test,
}

/// An error for each call of a filter or test the engine does not have, at its name.
pub(crate) fn unknown_calls(source: &str, calls: &[(Callable, &str, Span)]) -> Vec<LangError> {
    calls
        .iter()
        .filter(|(kind, name, _)| !known(*kind).contains(name))
        .map(|&(kind, name, span)| unknown(source, kind, name, span))
        .collect()
}

fn known(kind: Callable) -> &'static [&'static str] {
    match kind {
        Callable::Filter => FILTERS,
        Callable::Test => TESTS,
    }
}

fn unknown(source: &str, kind: Callable, name: &str, span: Span) -> LangError {
    let noun = match kind {
        Callable::Filter => "filter",
        Callable::Test => "test",
    };
    let help = match did_you_mean(name, known(kind).iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!(
            "the {noun}s are MiniJinja's built-ins: {}",
            known(kind).join(", ")
        ),
    };
    LangError::new(
        name_span(source, name, span),
        format!("unknown {noun} `{name}`: the template cannot be rendered"),
        Some(help),
    )
}

/// The span of `name` inside the call's span (at its start, or after its `|` or `is`), or
/// the call's span.
fn name_span(source: &str, name: &str, call: Span) -> Span {
    let start = call.start as usize;
    let text = source.get(start..call.end as usize).unwrap_or_default();
    text.match_indices(name)
        .find(|(at, _)| {
            let before = text[..*at].trim_end();
            before.is_empty()
                || before.ends_with('|')
                || before.ends_with(" is")
                || before.ends_with(" not")
        })
        .map(|(at, _)| Span::new(start + at, start + at + name.len()))
        .unwrap_or(call)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_filter_is_named_at_its_place_with_the_closest() {
        let source = "{{ contact.first_name | defualt(\"x\") }}";
        let call = Span::new(3, source.len() - 3);
        let errors = unknown_calls(source, &[(Callable::Filter, "defualt", call)]);
        assert_eq!(errors.len(), 1);
        let span = errors[0].span;
        assert_eq!(&source[span.start as usize..span.end as usize], "defualt");
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `default`?"));
    }

    #[test]
    fn built_ins_are_known() {
        let source = "{{ x | default(1) | upper }}";
        let span = Span::new(0, source.len());
        let calls = [
            (Callable::Filter, "default", span),
            (Callable::Filter, "upper", span),
            (Callable::Test, "defined", span),
        ];
        assert!(unknown_calls(source, &calls).is_empty());
    }
}
