//! Conditions in the Common Expression Language (CEL).

use std::collections::BTreeSet;

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};
use cel::parser::PrattParser;
use flowgate_diagnostics::suggest::did_you_mean;
use flowgate_diagnostics::Span;
use flowgate_model::{FieldUse, DATA_OBJECTS};

use crate::cel_lex::{self, Token, TokenKind};
use crate::LangError;

/// The longest condition accepted, in bytes.
pub const MAX_CONDITION_LEN: usize = 64 * 1024;

/// The most operators and brackets one condition may hold. Each can add a level to the syntax
/// tree, and very deep trees exhaust the stack of the parser and of the code that frees them.
pub const MAX_CONDITION_OPERATORS: usize = 1000;

/// How deeply the parser lets a condition nest parentheses, calls and unary operators.
pub(crate) const MAX_RECURSION_DEPTH: u16 = 96;

/// Names a condition may use besides the data objects: the evaluation time and type names.
const BUILTIN_NAMES: &[&str] = &[
    "now",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "list",
    "map",
    "null_type",
    "type",
    "dyn",
];

/// Parse a CEL condition; return every `root.field` data path it reads (deduplicated, in order
/// of first use in the text) with the span of that first use (byte offsets relative to the
/// start of `source`), or the problems found.
///
/// Data is read through the roots in [`DATA_OBJECTS`]; any other free identifier (except `now`,
/// type names and variables bound by macros such as `exists`) is an error.
pub fn analyse_condition(source: &str) -> Result<Vec<(FieldUse, Span)>, Vec<LangError>> {
    let whole = Span::new(0, source.len());
    if source.len() > MAX_CONDITION_LEN {
        return Err(vec![LangError::new(
            whole,
            format!(
                "the condition is too long ({} bytes; at most {MAX_CONDITION_LEN})",
                source.len()
            ),
            Some("split it into smaller conditions".into()),
        )]);
    }
    if source.trim().is_empty() {
        return Err(vec![LangError::new(
            whole,
            "a condition cannot be empty",
            Some("write a CEL expression, e.g. `contact.lifecycle_stage == \"lead\"`".into()),
        )]);
    }
    let tokens = cel_lex::tokenize(source);
    if cel_lex::operator_count(source, &tokens) > MAX_CONDITION_OPERATORS {
        return Err(vec![LangError::new(
            whole,
            format!("the condition is too complex (more than {MAX_CONDITION_OPERATORS} operators)"),
            Some("split it into smaller conditions".into()),
        )]);
    }

    let parsed = PrattParser::new()
        .max_recursion_depth(MAX_RECURSION_DEPTH)
        .parse(source);
    let ast = match parsed {
        Ok(ast) => ast,
        Err(errors) => return Err(convert_parse_errors(source, &tokens, errors.errors)),
    };

    let mut walker = Walker::default();
    walker.visit(&ast, 0);

    let mut errors = Vec::new();
    if walker.too_deep {
        errors.push(LangError::new(
            whole,
            "the condition is nested too deeply",
            Some("split it into smaller conditions".into()),
        ));
    }
    let free = free_names(source, &tokens);
    let mut claimed = BTreeSet::new();
    for name in &walker.bad_names {
        let span = locate_name(source, &tokens, &free, name, &mut claimed).unwrap_or(whole);
        errors.push(bad_name_error(name, span));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.span.start);
        return Err(errors);
    }

    let mut claimed = BTreeSet::new();
    let mut uses: Vec<(FieldUse, Option<Span>)> = walker
        .uses
        .into_iter()
        .map(|field| {
            let span = locate_use(source, &tokens, &free, &field, &mut claimed);
            (field, span)
        })
        .collect();
    // First use in the text first; uses that could not be located keep their tree order.
    uses.sort_by_key(|(_, span)| span.map_or(u32::MAX, |s| s.start));
    Ok(uses
        .into_iter()
        .map(|(field, span)| (field, span.unwrap_or(whole)))
        .collect())
}

/// A free name that is not a way to read data.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum BadName {
    /// A data object used without a field: `contact`.
    BareObject(String),
    /// A name that is neither a data object nor a builtin: `contcat`.
    Unknown(String),
}

impl BadName {
    fn name(&self) -> &str {
        match self {
            BadName::BareObject(n) | BadName::Unknown(n) => n,
        }
    }
}

fn bad_name_error(name: &BadName, span: Span) -> LangError {
    match name {
        BadName::BareObject(object) => LangError::new(
            span,
            format!("`{object}` is a data object and cannot be used as a value"),
            Some(format!("read one of its fields, e.g. `{object}.<field>`")),
        ),
        BadName::Unknown(name) => {
            let mut candidates: Vec<&str> = DATA_OBJECTS.to_vec();
            candidates.push("now");
            let help = match did_you_mean(name, candidates) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("read fields through an object, e.g. `contact.{name}`"),
            };
            LangError::new(
                span,
                format!(
                    "unknown name `{name}`: data is read through {}",
                    object_list()
                ),
                Some(help),
            )
        }
    }
}

/// "contact, company, deal, order, cart or event".
fn object_list() -> String {
    match DATA_OBJECTS.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Collects field uses and bad names from a parsed condition.
#[derive(Default)]
struct Walker<'a> {
    /// Names bound by enclosing comprehensions (innermost last).
    bound: Vec<&'a str>,
    uses: Vec<FieldUse>,
    seen: BTreeSet<(&'a str, &'a str)>,
    bad_names: Vec<BadName>,
    too_deep: bool,
}

/// A limit on how deep the walk goes, well above what the operator budget allows.
const MAX_WALK_DEPTH: usize = 4 * MAX_CONDITION_OPERATORS;

impl<'a> Walker<'a> {
    fn is_bound(&self, name: &str) -> bool {
        self.bound.contains(&name)
    }

    fn record(&mut self, object: &'a str, field: &'a str) {
        if self.seen.insert((object, field)) {
            self.uses.push(FieldUse {
                object: object.to_owned(),
                field: field.to_owned(),
            });
        }
    }

    fn bad(&mut self, name: BadName) {
        if !self.bad_names.iter().any(|n| n.name() == name.name()) {
            self.bad_names.push(name);
        }
    }

    /// The data object `expr` names, if it is a free identifier naming one.
    fn data_object(&self, expr: &'a IdedExpr) -> Option<&'a str> {
        match &expr.expr {
            Expr::Ident(name) if !self.is_bound(name) && DATA_OBJECTS.contains(&name.as_str()) => {
                Some(name)
            }
            _ => None,
        }
    }

    fn visit(&mut self, expr: &'a IdedExpr, depth: usize) {
        if depth > MAX_WALK_DEPTH {
            self.too_deep = true;
            return;
        }
        let depth = depth + 1;
        match &expr.expr {
            Expr::Unspecified | Expr::Literal(_) => {}
            Expr::Ident(name) => {
                if self.is_bound(name) || BUILTIN_NAMES.contains(&name.as_str()) {
                    return;
                }
                if DATA_OBJECTS.contains(&name.as_str()) {
                    self.bad(BadName::BareObject(name.clone()));
                } else {
                    self.bad(BadName::Unknown(name.clone()));
                }
            }
            // `contact.x`, and `has(contact.x)`, which the parser turns into a presence test.
            Expr::Select(select) => match self.data_object(&select.operand) {
                Some(object) => self.record(object, &select.field),
                None => self.visit(&select.operand, depth),
            },
            Expr::Call(call) => {
                // `contact["first_name"]` reads a field too.
                if call.func_name == "_[_]" && call.target.is_none() {
                    if let [operand, key] = call.args.as_slice() {
                        if let (Some(object), Expr::Literal(LiteralValue::String(field))) =
                            (self.data_object(operand), &key.expr)
                        {
                            self.record(object, field.inner());
                            return;
                        }
                    }
                }
                if let Some(target) = &call.target {
                    self.visit(target, depth);
                }
                for arg in &call.args {
                    self.visit(arg, depth);
                }
            }
            Expr::Comprehension(comprehension) => {
                self.visit(&comprehension.iter_range, depth);
                self.visit(&comprehension.accu_init, depth);
                let before = self.bound.len();
                self.bound.push(&comprehension.iter_var);
                if let Some(second) = &comprehension.iter_var2 {
                    self.bound.push(second);
                }
                self.bound.push(&comprehension.accu_var);
                self.visit(&comprehension.loop_cond, depth);
                self.visit(&comprehension.loop_step, depth);
                self.visit(&comprehension.result, depth);
                self.bound.truncate(before);
            }
            Expr::List(list) => {
                for element in &list.elements {
                    self.visit(element, depth);
                }
            }
            Expr::Map(map) => {
                for entry in &map.entries {
                    self.visit_entry(&entry.expr, depth);
                }
            }
            Expr::Struct(structure) => {
                for entry in &structure.entries {
                    self.visit_entry(&entry.expr, depth);
                }
            }
        }
    }

    fn visit_entry(&mut self, entry: &'a EntryExpr, depth: usize) {
        match entry {
            EntryExpr::StructField(field) => self.visit(&field.value, depth),
            EntryExpr::MapEntry(entry) => {
                self.visit(&entry.key, depth);
                self.visit(&entry.value, depth);
            }
        }
    }
}

/// The macros that bind a variable: `list.exists(x, …)`.
const BINDING_MACROS: &[&str] = &["all", "exists", "exists_one", "existsOne", "map", "filter"];

/// For each token, whether it is a free name: not a field after a `.`, and neither the
/// variable a macro binds (`x` in `list.exists(x, x > 1)`) nor a use of it inside the macro.
fn free_names(source: &str, tokens: &[Token]) -> Vec<bool> {
    let mut free = vec![true; tokens.len()];
    // Variables bound by the macros whose argument list is open, with the bracket depth
    // inside that list.
    let mut bound: Vec<(&str, usize)> = Vec::new();
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::Punct('(' | '[' | '{') => depth += 1,
            TokenKind::Punct(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                while bound.last().is_some_and(|&(_, d)| d > depth) {
                    bound.pop();
                }
            }
            TokenKind::Ident => {
                let after_dot = i > 0 && tokens.get(i - 1).is_some_and(|t| t.is_punct('.'));
                let name = token.text(source);
                if after_dot || bound.iter().any(|&(b, _)| b == name) {
                    if let Some(slot) = free.get_mut(i) {
                        *slot = false;
                    }
                }
                let opens_macro = after_dot
                    && BINDING_MACROS.contains(&name)
                    && tokens.get(i + 1).is_some_and(|t| t.is_punct('('));
                let binder = tokens.get(i + 2).filter(|t| t.kind == TokenKind::Ident);
                let comma = tokens.get(i + 3).is_some_and(|t| t.is_punct(','));
                if let (true, Some(binder), true) = (opens_macro, binder, comma) {
                    bound.push((binder.text(source), depth + 1));
                    if let Some(slot) = free.get_mut(i + 2) {
                        *slot = false;
                    }
                }
            }
            _ => {}
        }
    }
    free
}

/// The span of the first not-yet-claimed use of `field` in the text: `object.field` or
/// `object["field"]`.
fn locate_use(
    source: &str,
    tokens: &[Token],
    free: &[bool],
    field: &FieldUse,
    claimed: &mut BTreeSet<usize>,
) -> Option<Span> {
    for (i, token) in tokens.iter().enumerate() {
        if token.kind != TokenKind::Ident
            || token.text(source) != field.object
            || !free.get(i).copied().unwrap_or(false)
            || claimed.contains(&token.start)
        {
            continue;
        }
        let end = match (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3)) {
            (Some(dot), Some(name), _)
                if dot.is_punct('.')
                    && name.kind == TokenKind::Ident
                    && name.text(source) == field.field =>
            {
                Some(name.end)
            }
            (Some(open), Some(key), Some(close))
                if open.is_punct('[')
                    && key.kind == TokenKind::Str
                    && string_content(key.text(source)) == Some(field.field.as_str())
                    && close.is_punct(']') =>
            {
                Some(close.end)
            }
            _ => None,
        };
        if let Some(end) = end {
            claimed.insert(token.start);
            return Some(Span::new(token.start, end));
        }
    }
    None
}

/// The text between the quotes of a simple (unprefixed, escape-free) string literal.
fn string_content(literal: &str) -> Option<&str> {
    let quote = literal.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = literal.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains('\\') && !inner.contains(quote)).then_some(inner)
}

/// The span of the first not-yet-claimed free use of `name`.
fn locate_name(
    source: &str,
    tokens: &[Token],
    free: &[bool],
    name: &BadName,
    claimed: &mut BTreeSet<usize>,
) -> Option<Span> {
    let candidates = tokens.iter().enumerate().filter(|(i, t)| {
        t.kind == TokenKind::Ident
            && t.text(source) == name.name()
            && free.get(*i).copied().unwrap_or(false)
            && !claimed.contains(&t.start)
    });
    // Prefer a use as a value over a function name of the same spelling.
    let mut first = None;
    for (i, token) in candidates {
        let is_call = tokens.get(i + 1).is_some_and(|t| t.is_punct('('));
        if !is_call {
            first = Some(token);
            break;
        }
        first.get_or_insert(token);
    }
    let token = first?;
    claimed.insert(token.start);
    Some(Span::new(token.start, token.end))
}

/// Turn the parser's errors into located problems.
fn convert_parse_errors(
    source: &str,
    tokens: &[Token],
    errors: Vec<cel::ParseError>,
) -> Vec<LangError> {
    let whole = Span::new(0, source.len());
    let mut out: Vec<LangError> = Vec::new();
    let mut seen_offsets = BTreeSet::new();
    let has_located = errors.iter().any(|e| e.pos.0 > 0);
    if errors
        .iter()
        .any(|e| e.msg.starts_with("expression recursion limit exceeded"))
    {
        // The other errors are consequences of giving up.
        return vec![LangError::new(
            whole,
            format!("the condition is nested too deeply (more than {MAX_RECURSION_DEPTH} levels)"),
            Some("split it into smaller conditions".into()),
        )];
    }
    for error in errors {
        let message = clean_message(&error.msg);
        if error.pos.0 <= 0 {
            // Unlocated follow-up errors add nothing when located ones exist.
            if !has_located {
                out.push(LangError::new(whole, message, None));
            }
            continue;
        }
        let offset = offset_of(source, error.pos.0, error.pos.1);
        if !seen_offsets.insert(offset) {
            continue;
        }
        let span = token_span_at(source, tokens, offset);
        out.push(LangError::new(span, message, None));
    }
    if out.is_empty() {
        out.push(LangError::new(
            whole,
            "the condition is not valid CEL",
            None,
        ));
    }
    out
}

/// The parser's message with any `ERROR: <input>:line:col:` prefix removed.
fn clean_message(message: &str) -> String {
    let trimmed = message.trim();
    let without = match trimmed.strip_prefix("ERROR: <input>:") {
        Some(rest) => {
            // Skip `line:col: `.
            let mut parts = rest.splitn(3, ':');
            let (_, _, text) = (parts.next(), parts.next(), parts.next());
            text.unwrap_or(rest).trim()
        }
        None => trimmed,
    };
    without
        .strip_prefix("Syntax error: ")
        .unwrap_or(without)
        .to_owned()
}

/// The byte offset of a 1-based line and 1-based byte column, clamped into the text.
fn offset_of(source: &str, line: isize, column: isize) -> usize {
    let line = usize::try_from(line.max(1) - 1).unwrap_or(0);
    let column = usize::try_from(column.max(1) - 1).unwrap_or(0);
    let mut start = 0;
    for (index, text) in source.split_inclusive('\n').enumerate() {
        if index == line {
            let within = column.min(text.len());
            return floor_char_boundary(source, start + within);
        }
        start += text.len();
    }
    source.len()
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The span of the token starting at (or covering) `offset`, or an empty span there.
fn token_span_at(source: &str, tokens: &[Token], offset: usize) -> Span {
    tokens
        .iter()
        .find(|t| t.start <= offset && offset < t.end)
        .map_or_else(
            || Span::point(offset.min(source.len())),
            |t| Span::new(t.start, t.end),
        )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn field(object: &str, field: &str) -> FieldUse {
        FieldUse {
            object: object.into(),
            field: field.into(),
        }
    }

    fn text(source: &str, span: Span) -> &str {
        &source[span.start as usize..span.end as usize]
    }

    fn uses(source: &str) -> Vec<(String, String, String)> {
        analyse_condition(source)
            .unwrap()
            .into_iter()
            .map(|(f, span)| (f.object, f.field, text(source, span).to_owned()))
            .collect()
    }

    fn errors(source: &str) -> Vec<LangError> {
        analyse_condition(source).unwrap_err()
    }

    #[test]
    fn finds_fields_with_spans_in_first_use_order() {
        let source = r#"contact.lifecycle_stage == "lead" && contact.country in ["DE", "AT"] && !has(contact.unsubscribed_at) && contact.country != "contact.x""#;
        let found = analyse_condition(source).unwrap();
        assert_eq!(
            found.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>(),
            vec![
                field("contact", "lifecycle_stage"),
                field("contact", "country"),
                field("contact", "unsubscribed_at"),
            ]
        );
        assert_eq!(found[0].1, Span::new(0, 23));
        assert_eq!(text(source, found[1].1), "contact.country");
        assert_eq!(found[1].1.start, 37);
        assert_eq!(text(source, found[2].1), "contact.unsubscribed_at");
    }

    #[test]
    fn order_follows_the_text() {
        assert_eq!(
            uses("deal.amount > 10 ? order.total > 1.0 : cart.size < 2"),
            vec![
                ("deal".into(), "amount".into(), "deal.amount".into()),
                ("order".into(), "total".into(), "order.total".into()),
                ("cart".into(), "size".into(), "cart.size".into()),
            ]
        );
    }

    #[test]
    fn nested_paths_report_the_first_field() {
        assert_eq!(
            uses("order.billing.city == 'Berlin'"),
            vec![("order".into(), "billing".into(), "order.billing".into())]
        );
    }

    #[test]
    fn has_reads_the_field() {
        assert_eq!(
            uses("!has(contact.unsubscribed_at)"),
            vec![(
                "contact".into(),
                "unsubscribed_at".into(),
                "contact.unsubscribed_at".into()
            )]
        );
        assert_eq!(
            uses("has(order.billing.city)"),
            vec![("order".into(), "billing".into(), "order.billing".into())]
        );
    }

    #[test]
    fn index_with_a_constant_key_reads_the_field() {
        assert_eq!(
            uses(r#"contact["first_name"] == "x""#),
            vec![(
                "contact".into(),
                "first_name".into(),
                r#"contact["first_name"]"#.into()
            )]
        );
    }

    #[test]
    fn whitespace_around_the_dot_is_located() {
        assert_eq!(
            uses("event . name == 'x'"),
            vec![("event".into(), "name".into(), "event . name".into())]
        );
    }

    #[test]
    fn comprehension_variables_are_not_errors() {
        assert_eq!(
            uses(
                r#"order.items.exists(i, i.sku == "X") && order.items.all(i, i.qty > 0 && i.price < contact.limit)"#
            ),
            vec![
                ("order".into(), "items".into(), "order.items".into()),
                ("contact".into(), "limit".into(), "contact.limit".into()),
            ]
        );
        assert!(uses("[1, 2].map(x, x * 2).filter(y, y > 2).size() > 0").is_empty());
        assert!(uses("deal.tags.exists_one(t, t == 'vip')").len() == 1);
    }

    #[test]
    fn comprehension_variables_do_not_leak() {
        let errors = errors("order.items.exists(i, i.sku == 'X') && i.sku == 'Y'");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("unknown name `i`"));
        assert_eq!(errors[0].span, Span::new(39, 40));
    }

    #[test]
    fn now_and_builtins_are_allowed() {
        assert_eq!(
            uses("contact.created_at > now - duration('24h') && type(deal.amount) == double && size(contact.email) > 3 && contact.email.matches('^a')"),
            vec![
                ("contact".into(), "created_at".into(), "contact.created_at".into()),
                ("deal".into(), "amount".into(), "deal.amount".into()),
                ("contact".into(), "email".into(), "contact.email".into()),
            ]
        );
        assert!(uses("now > timestamp('2024-01-01T00:00:00Z')").is_empty());
    }

    #[test]
    fn unknown_root_suggests_the_close_object() {
        let errors = errors("contact.email != '' && contcat.email == 'a'");
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].message,
            "unknown name `contcat`: data is read through contact, company, deal, order, cart or event"
        );
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `contact`?"));
        assert_eq!(errors[0].span, Span::new(23, 30));
    }

    #[test]
    fn unknown_bare_name_suggests_an_object_path() {
        let errors = errors("lifecycle == 1");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("unknown name `lifecycle`"));
        assert_eq!(
            errors[0].help.as_deref(),
            Some("read fields through an object, e.g. `contact.lifecycle`")
        );
        assert_eq!(errors[0].span, Span::new(0, 9));
    }

    #[test]
    fn a_bare_object_is_an_error() {
        let errors = errors("size(contact) > 1");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("`contact` is a data object"));
        assert_eq!(errors[0].span, Span::new(5, 12));
    }

    #[test]
    fn names_inside_strings_and_fields_are_not_located() {
        let source = "'x' == \"x\" && company.x == 'y' && x == 1";
        let errors = errors(source);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].span, Span::new(34, 35));
    }

    #[test]
    fn parse_error_location_on_a_later_line() {
        let source = "contact.a == 1 &&\n  contact.b == )";
        let errors = errors(source);
        assert!(!errors.is_empty());
        assert_eq!(errors[0].span, Span::new(33, 34));
        assert!(!errors[0].message.starts_with("ERROR"));
        assert!(!errors[0].message.starts_with("Syntax error"));
    }

    #[test]
    fn parse_error_at_the_end() {
        let errors = errors("contact.a ==");
        assert_eq!(errors[0].span, Span::point(12));
        assert_eq!(
            errors[0].message,
            "mismatched input '<EOF>' expecting expression"
        );
    }

    #[test]
    fn parse_error_after_multibyte_text() {
        let source = "'é' == é";
        let errors = errors(source);
        assert!(errors
            .iter()
            .all(|e| source.is_char_boundary(e.span.start as usize)));
    }

    #[test]
    fn empty_conditions_are_errors() {
        for source in ["", "   \n\t"] {
            let errors = errors(source);
            assert_eq!(errors[0].message, "a condition cannot be empty");
        }
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let source = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let errors = errors(&source);
        assert!(
            errors[0].message.contains("nested too deeply"),
            "{errors:?}"
        );
    }

    #[test]
    fn too_many_operators_is_an_error() {
        let source = "contact.a + ".repeat(2000) + "1";
        let errors = errors(&source);
        assert!(errors[0].message.contains("too complex"), "{errors:?}");
    }

    #[test]
    fn long_input_is_an_error() {
        let source = format!("'{}'", "a".repeat(MAX_CONDITION_LEN));
        let errors = errors(&source);
        assert!(errors[0].message.contains("too long"), "{errors:?}");
    }

    #[test]
    fn operator_budget_shapes_fit_a_small_stack() {
        // The worst shapes just under the budget must not exhaust a 2 MiB thread stack.
        let n = MAX_CONDITION_OPERATORS;
        let shapes = vec![
            format!("contact.a{}", ".f()".repeat(n / 2)),
            format!("{}c", "contact.a ? 1 : ".repeat(n - 1)),
            format!("contact{}", ".b".repeat(n)),
            format!("{}1", "1 + ".repeat(n)),
            format!("contact.a{}", "[0]".repeat(n)),
            format!("{}1", "-".repeat(n)),
        ];
        for source in shapes {
            let handle = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || {
                    let _ = analyse_condition(&source);
                })
                .unwrap();
            handle.join().unwrap();
        }
    }

    #[test]
    fn clean_message_strips_prefixes() {
        assert_eq!(
            clean_message("ERROR: <input>:1:3: Syntax error: oops"),
            "oops"
        );
        assert_eq!(
            clean_message("unexpected character"),
            "unexpected character"
        );
    }
}
