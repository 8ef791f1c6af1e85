//! Templates in MiniJinja (Jinja2 syntax).

use std::collections::HashMap;

use flowgate_diagnostics::Span;
use flowgate_model::TemplateVariable;
use minijinja::machinery::ast::{self, BinOpKind, CallArg, Expr, Stmt, UnaryOpKind};
use minijinja::machinery::{self, Token};

use crate::template_names::{unknown_calls, Callable};
use crate::LangError;

/// The longest template accepted, in bytes.
pub const MAX_TEMPLATE_LEN: usize = 1024 * 1024;

/// The most operators, names and brackets one `{{ … }}` or `{% … %}` tag may hold. Each can
/// add a level to the syntax tree, and very deep trees exhaust the stack of the parser and of
/// the code that frees them.
pub const MAX_TAG_TOKENS: usize = 1000;

/// Names the template engine provides: never data the template reads.
const SPECIAL_NAMES: &[&str] = &["loop", "self", "super", "varargs", "kwargs", "caller"];

/// A limit on how deep the walk goes, above what the tag budget and the parser allow.
const MAX_WALK_DEPTH: usize = 4 * MAX_TAG_TOKENS;

/// Parse a template; return every variable it prints or tests (in order of first use in the
/// text, each once, with the span of its first use relative to the start of `source`), and
/// whether every use has a fallback; or the syntax errors.
///
/// A use has a fallback when the variable is the input of a `default` (alias `d`) filter, is
/// tested (an `if` condition, the test of an `x if y else z` expression, an `is defined` test,
/// the left side of `or`/`and`, the operand of `not`), or is used inside an `if` block (or the
/// matching branch of an inline `if`) whose condition tests that same variable. Names bound by
/// `for`, `set` and `with`, and the engine's own names (`loop`, `self`, `super`, `varargs`,
/// `kwargs`, `caller`), are not reported; neither are the names of called functions.
pub fn analyse_template(source: &str) -> Result<Vec<(TemplateVariable, Span)>, Vec<LangError>> {
    if source.len() > MAX_TEMPLATE_LEN {
        return Err(vec![LangError::new(
            Span::new(0, source.len()),
            format!(
                "the template is too long ({} bytes; at most {MAX_TEMPLATE_LEN})",
                source.len()
            ),
            None,
        )]);
    }
    check_tag_sizes(source)?;
    let template = machinery::parse(source, "template", Default::default(), Default::default())
        .map_err(|error| vec![convert_error(source, &error)])?;

    let mut walker = Walker {
        scopes: vec![Vec::new()],
        ..Walker::default()
    };
    walker.stmt(&template, 0);
    if walker.too_deep {
        return Err(vec![LangError::new(
            Span::new(0, source.len()),
            "the template is nested too deeply",
            None,
        )]);
    }
    let unknown = unknown_calls(source, &walker.calls);
    if !unknown.is_empty() {
        return Err(unknown);
    }

    let mut variables: Vec<(TemplateVariable, Span)> = Vec::new();
    let mut index: HashMap<Vec<&str>, usize> = HashMap::new();
    for use_ in walker.uses {
        match index.get(&use_.path) {
            Some(&i) => {
                if let Some((variable, span)) = variables.get_mut(i) {
                    // The place shown is the first use without a fallback, when there is
                    // one: that is where a fallback is missing.
                    let first_bare = variable.has_fallback && !use_.fallback;
                    let earlier = use_.span.start < span.start
                        && (use_.fallback == variable.has_fallback || !use_.fallback);
                    if first_bare || earlier {
                        *span = use_.span;
                    }
                    variable.has_fallback &= use_.fallback;
                }
            }
            None => {
                index.insert(use_.path.clone(), variables.len());
                variables.push((
                    TemplateVariable {
                        path: use_.path.iter().map(|s| (*s).to_owned()).collect(),
                        has_fallback: use_.fallback,
                    },
                    use_.span,
                ));
            }
        }
    }
    variables.sort_by_key(|(_, span)| span.start);
    Ok(variables)
}

/// Refuse tags with so many tokens that their syntax tree could be dangerously deep.
fn check_tag_sizes(source: &str) -> Result<(), Vec<LangError>> {
    let mut tag_start: Option<u32> = None;
    let mut count = 0usize;
    for token in machinery::tokenize(source, false, Default::default(), Default::default()) {
        // Lexical errors are reported, with a better message, by the parser.
        let Ok((token, span)) = token else { break };
        match token {
            Token::VariableStart | Token::BlockStart => {
                tag_start = Some(span.start_offset);
                count = 0;
            }
            Token::VariableEnd | Token::BlockEnd => tag_start = None,
            // Literals and separators do not deepen the tree.
            Token::TemplateData(_)
            | Token::Str(_)
            | Token::String(_)
            | Token::Int(_)
            | Token::Int128(_)
            | Token::Float(_)
            | Token::Comma
            | Token::Colon
            | Token::BracketClose
            | Token::ParenClose
            | Token::BraceClose => {}
            _ => {
                count += 1;
                if count > MAX_TAG_TOKENS {
                    let start = tag_start.unwrap_or(span.start_offset);
                    return Err(vec![LangError::new(
                        Span::new(start as usize, span.end_offset as usize),
                        format!("this tag is too complex (more than {MAX_TAG_TOKENS} operators and names)"),
                        Some("split it up, e.g. with `{% set %}`".into()),
                    )]);
                }
            }
        }
    }
    Ok(())
}

/// Turn a MiniJinja syntax error into a located problem.
fn convert_error(source: &str, error: &minijinja::Error) -> LangError {
    let message = error
        .detail()
        .map_or_else(|| error.kind().to_string(), str::to_owned);
    let span = match error.range() {
        Some(range) => Span::new(range.start.min(source.len()), range.end.min(source.len())),
        None => match error.line() {
            Some(line) => line_span(source, line),
            None => Span::new(0, source.len()),
        },
    };
    LangError::new(span, message, None)
}

/// The span of 1-based line `line` (without its line break).
fn line_span(source: &str, line: usize) -> Span {
    let mut start = 0;
    for (index, text) in source.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let trimmed = text.trim_end_matches(['\n', '\r']);
            return Span::new(start, start + trimmed.len());
        }
        start += text.len();
    }
    Span::point(source.len())
}

/// One use of a variable.
struct Use<'a> {
    path: Vec<&'a str>,
    span: Span,
    fallback: bool,
}

#[derive(Default)]
struct Walker<'a> {
    /// Names bound by `for`, `set` and `with`, innermost scope last.
    scopes: Vec<Vec<&'a str>>,
    /// Paths known to be set here because an enclosing `if` tested them.
    guards: Vec<Vec<&'a str>>,
    uses: Vec<Use<'a>>,
    /// Every filter and test called, with the span of its call.
    calls: Vec<(Callable, &'a str, Span)>,
    too_deep: bool,
}

impl<'a> Walker<'a> {
    fn is_bound(&self, name: &str) -> bool {
        SPECIAL_NAMES.contains(&name) || self.scopes.iter().flatten().any(|n| *n == name)
    }

    fn bind(&mut self, target: &'a Expr<'a>) {
        let mut names = Vec::new();
        target_names(target, &mut names, 0);
        if let Some(scope) = self.scopes.last_mut() {
            scope.extend(names);
        }
    }

    fn record(&mut self, path: Vec<&'a str>, span: Span, fallback: bool) {
        let Some(root) = path.first() else { return };
        if self.is_bound(root) {
            return;
        }
        let guarded = self.guards.contains(&path);
        self.uses.push(Use {
            path,
            span,
            fallback: fallback || guarded,
        });
    }

    fn body(&mut self, stmts: &'a [Stmt<'a>], depth: usize) {
        for stmt in stmts {
            self.stmt(stmt, depth);
        }
    }

    /// Walk `stmts` with `guards` in force.
    fn guarded_body(&mut self, guards: Vec<Vec<&'a str>>, stmts: &'a [Stmt<'a>], depth: usize) {
        let before = self.guards.len();
        self.guards.extend(guards);
        self.body(stmts, depth);
        self.guards.truncate(before);
    }

    #[allow(unreachable_patterns)] // Statements of optional MiniJinja features.
    fn stmt(&mut self, stmt: &'a Stmt<'a>, depth: usize) {
        if depth > MAX_WALK_DEPTH {
            self.too_deep = true;
            return;
        }
        let depth = depth + 1;
        match stmt {
            Stmt::Template(t) => self.body(&t.children, depth),
            Stmt::EmitExpr(e) => self.expr(&e.expr, false, depth),
            Stmt::EmitRaw(_) => {}
            Stmt::ForLoop(f) => {
                self.expr(&f.iter, false, depth);
                self.scopes.push(Vec::new());
                self.bind(&f.target);
                if let Some(filter) = &f.filter_expr {
                    self.expr(filter, true, depth);
                }
                self.body(&f.body, depth);
                self.scopes.pop();
                self.body(&f.else_body, depth);
            }
            Stmt::IfCond(i) => {
                self.expr(&i.expr, true, depth);
                let mut when_true = Vec::new();
                guards_true(&i.expr, &mut when_true, 0);
                self.guarded_body(when_true, &i.true_body, depth);
                let mut when_false = Vec::new();
                guards_false(&i.expr, &mut when_false, 0);
                self.guarded_body(when_false, &i.false_body, depth);
            }
            Stmt::WithBlock(w) => {
                for (_, value) in &w.assignments {
                    self.expr(value, false, depth);
                }
                self.scopes.push(Vec::new());
                for (target, _) in &w.assignments {
                    self.bind(target);
                }
                self.body(&w.body, depth);
                self.scopes.pop();
            }
            Stmt::Set(s) => {
                self.expr(&s.expr, false, depth);
                self.bind(&s.target);
            }
            Stmt::SetBlock(s) => {
                if let Some(filter) = &s.filter {
                    self.expr(filter, false, depth);
                }
                self.body(&s.body, depth);
                self.bind(&s.target);
            }
            Stmt::AutoEscape(a) => {
                self.expr(&a.enabled, false, depth);
                self.body(&a.body, depth);
            }
            Stmt::FilterBlock(f) => {
                self.expr(&f.filter, false, depth);
                self.body(&f.body, depth);
            }
            Stmt::Do(d) => self.call(&d.call, depth),
            _ => {}
        }
    }

    /// Visit an expression. `fallback` tells whether a variable that is the value of this
    /// expression has a fallback here.
    fn expr(&mut self, expr: &'a Expr<'a>, fallback: bool, depth: usize) {
        if depth > MAX_WALK_DEPTH {
            self.too_deep = true;
            return;
        }
        let depth = depth + 1;
        if let Some((path, span)) = variable_path(expr, 0) {
            self.record(path, span, fallback);
            return;
        }
        match expr {
            Expr::Var(_) | Expr::Const(_) => {}
            // Not a plain path: `(a | f).x`, `a[0].b`, `a[i]`.
            Expr::GetAttr(g) => self.expr(&g.expr, false, depth),
            Expr::GetItem(g) => {
                self.expr(&g.expr, false, depth);
                self.expr(&g.subscript_expr, false, depth);
            }
            Expr::Slice(s) => {
                self.expr(&s.expr, false, depth);
                for part in [&s.start, &s.stop, &s.step].into_iter().flatten() {
                    self.expr(part, false, depth);
                }
            }
            Expr::UnaryOp(u) => match u.op {
                UnaryOpKind::Not => self.expr(&u.expr, true, depth),
                UnaryOpKind::Neg => self.expr(&u.expr, false, depth),
            },
            Expr::BinOp(b) => match b.op {
                // `a or b`, `a and b`: `a` is tested; `b` is the value in its place.
                BinOpKind::ScOr => {
                    self.expr(&b.left, true, depth);
                    let mut guards = Vec::new();
                    guards_false(&b.left, &mut guards, 0);
                    self.guarded_expr(guards, &b.right, fallback, depth);
                }
                BinOpKind::ScAnd => {
                    self.expr(&b.left, true, depth);
                    let mut guards = Vec::new();
                    guards_true(&b.left, &mut guards, 0);
                    self.guarded_expr(guards, &b.right, fallback, depth);
                }
                _ => {
                    self.expr(&b.left, false, depth);
                    self.expr(&b.right, false, depth);
                }
            },
            Expr::Compare(c) => {
                self.expr(&c.expr, false, depth);
                for op in &c.ops {
                    self.expr(&op.expr, false, depth);
                }
            }
            Expr::IfExpr(i) => {
                self.expr(&i.test_expr, true, depth);
                let mut when_true = Vec::new();
                guards_true(&i.test_expr, &mut when_true, 0);
                self.guarded_expr(when_true, &i.true_expr, fallback, depth);
                if let Some(false_expr) = &i.false_expr {
                    let mut when_false = Vec::new();
                    guards_false(&i.test_expr, &mut when_false, 0);
                    self.guarded_expr(when_false, false_expr, fallback, depth);
                }
            }
            Expr::Filter(f) => {
                self.calls
                    .push((Callable::Filter, f.name, span_of(f.span())));
                if let Some(input) = &f.expr {
                    let is_default = matches!(f.name, "default" | "d");
                    self.expr(input, fallback || is_default, depth);
                }
                self.args(&f.args, depth);
            }
            Expr::Test(t) => {
                self.calls.push((Callable::Test, t.name, span_of(t.span())));
                self.expr(&t.expr, true, depth);
                self.args(&t.args, depth);
            }
            Expr::Call(c) => self.call(c, depth),
            Expr::List(l) => {
                for item in &l.items {
                    self.expr(item, false, depth);
                }
            }
            Expr::Map(m) => {
                for item in m.keys.iter().chain(&m.values) {
                    self.expr(item, false, depth);
                }
            }
        }
    }

    fn guarded_expr(
        &mut self,
        guards: Vec<Vec<&'a str>>,
        expr: &'a Expr<'a>,
        fallback: bool,
        depth: usize,
    ) {
        let before = self.guards.len();
        self.guards.extend(guards);
        self.expr(expr, fallback, depth);
        self.guards.truncate(before);
    }

    fn call(&mut self, call: &'a ast::Call<'a>, depth: usize) {
        match &call.expr {
            // `range(3)`, `namespace()`: a function, not a variable.
            Expr::Var(_) => {}
            // `contact.name.upper()`: a method called on a value.
            Expr::GetAttr(method) => self.expr(&method.expr, false, depth),
            other => self.expr(other, false, depth),
        }
        self.args(&call.args, depth);
    }

    fn args(&mut self, args: &'a [CallArg<'a>], depth: usize) {
        for arg in args {
            let (CallArg::Pos(e)
            | CallArg::Kwarg(_, e)
            | CallArg::PosSplat(e)
            | CallArg::KwargSplat(e)) = arg;
            self.expr(e, false, depth);
        }
    }
}

/// The names a `for`, `set` or `with` target binds: `x`, or `k, v`.
fn target_names<'a>(target: &'a Expr<'a>, names: &mut Vec<&'a str>, depth: usize) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    match target {
        Expr::Var(v) => names.push(v.id),
        Expr::List(l) => {
            for item in &l.items {
                target_names(item, names, depth + 1);
            }
        }
        _ => {}
    }
}

/// A MiniJinja span as a byte span.
fn span_of(span: machinery::Span) -> Span {
    Span::new(span.start_offset as usize, span.end_offset as usize)
}

/// The variable path an expression reads, if it is one: `name`, `a.b.c`, `a["b"]`; with the
/// span from the root name to the end of the last segment.
fn variable_path<'a>(expr: &'a Expr<'a>, depth: usize) -> Option<(Vec<&'a str>, Span)> {
    if depth > MAX_WALK_DEPTH {
        return None;
    }
    let (base, segment, end) = match expr {
        Expr::Var(v) => {
            let span = v.span();
            return Some((
                vec![v.id],
                Span::new(span.start_offset as usize, span.end_offset as usize),
            ));
        }
        Expr::GetAttr(g) => (&g.expr, g.name, g.span().end_offset),
        Expr::GetItem(g) => match &g.subscript_expr {
            Expr::Const(c) => match c.value.as_str() {
                Some(key) => (&g.expr, key, g.span().end_offset),
                None => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    let (mut path, span) = variable_path(base, depth + 1)?;
    path.push(segment);
    Some((path, Span::new(span.start as usize, end as usize)))
}

/// Paths that are set (truthy or defined) when `expr` is true.
fn guards_true<'a>(expr: &'a Expr<'a>, out: &mut Vec<Vec<&'a str>>, depth: usize) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    if let Some((path, _)) = variable_path(expr, 0) {
        out.push(path);
        return;
    }
    match expr {
        Expr::Test(t) if t.name == "defined" => {
            if let Some((path, _)) = variable_path(&t.expr, 0) {
                out.push(path);
            }
        }
        Expr::UnaryOp(u) if matches!(u.op, UnaryOpKind::Not) => {
            guards_false(&u.expr, out, depth + 1);
        }
        Expr::BinOp(b) if matches!(b.op, BinOpKind::ScAnd) => {
            guards_true(&b.left, out, depth + 1);
            guards_true(&b.right, out, depth + 1);
        }
        _ => {}
    }
}

/// Paths that are set when `expr` is false.
fn guards_false<'a>(expr: &'a Expr<'a>, out: &mut Vec<Vec<&'a str>>, depth: usize) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    match expr {
        Expr::Test(t) if matches!(t.name, "undefined" | "none") => {
            if let Some((path, _)) = variable_path(&t.expr, 0) {
                out.push(path);
            }
        }
        Expr::UnaryOp(u) if matches!(u.op, UnaryOpKind::Not) => {
            guards_true(&u.expr, out, depth + 1);
        }
        Expr::BinOp(b) if matches!(b.op, BinOpKind::ScOr) => {
            guards_false(&b.left, out, depth + 1);
            guards_false(&b.right, out, depth + 1);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// `(path, has_fallback, text of span)` for each variable.
    fn vars(source: &str) -> Vec<(String, bool, String)> {
        analyse_template(source)
            .unwrap()
            .into_iter()
            .map(|(v, span)| {
                (
                    v.path.join("."),
                    v.has_fallback,
                    source[span.start as usize..span.end as usize].to_owned(),
                )
            })
            .collect()
    }

    fn v(path: &str, fallback: bool, text: &str) -> (String, bool, String) {
        (path.to_owned(), fallback, text.to_owned())
    }

    #[test]
    fn example_from_the_brief() {
        let source = r#"Hi {{ contact.first_name | default("there") }}, your order {{ order.increment_id }} shipped. {% if contact.city %}See you in {{ contact.city }}{% endif %}"#;
        assert_eq!(
            vars(source),
            vec![
                v("contact.first_name", true, "contact.first_name"),
                v("order.increment_id", false, "order.increment_id"),
                v("contact.city", true, "contact.city"),
            ]
        );
        let spans: Vec<Span> = analyse_template(source)
            .unwrap()
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(spans[0], Span::new(6, 24));
    }

    #[test]
    fn default_filter_and_its_alias() {
        assert_eq!(
            vars("{{ a | d('x') }} {{ b | trim | default('y') | upper }} {{ c | upper }} {{ x | default(y) }}"),
            vec![
                v("a", true, "a"),
                v("b", true, "b"),
                v("c", false, "c"),
                v("x", true, "x"),
                v("y", false, "y"),
            ]
        );
    }

    #[test]
    fn the_place_shown_is_the_first_use_without_a_fallback() {
        assert_eq!(
            vars("{{ contact.name | default('you') }} and {{ contact.name }} {{ contact.name }}"),
            vec![v("contact.name", false, "contact.name")]
        );
        let source = "{{ contact.name | default('you') }} and {{ contact.name }}";
        let (_, span) = analyse_template(source).unwrap().remove(0);
        assert_eq!(span.start as usize, source.rfind("contact.name").unwrap());
        let source = "{{ contact.name }} {{ contact.name | d('x') }} {{ contact.name }}";
        let (_, span) = analyse_template(source).unwrap().remove(0);
        assert_eq!(span.start, 3, "the earliest bare use");
    }

    #[test]
    fn an_unknown_filter_or_test_is_an_error_at_its_name() {
        let source =
            "{{ contact.first_name | default('there') }} {{ contact.first_name | defualt('x') }}";
        let errors = analyse_template(source).unwrap_err();
        assert_eq!(errors.len(), 1);
        let span = errors[0].span;
        assert_eq!(&source[span.start as usize..span.end as usize], "defualt");
        assert!(errors[0].message.contains("unknown filter `defualt`"));
        let source = "{% if contact.city is defnied %}x{% endif %}";
        let errors = analyse_template(source).unwrap_err();
        let span = errors[0].span;
        assert_eq!(&source[span.start as usize..span.end as usize], "defnied");
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `defined`?"));
    }

    #[test]
    fn every_use_must_have_a_fallback() {
        assert_eq!(
            vars("{{ contact.name | default('you') }} and {{ contact.name }}"),
            vec![v("contact.name", false, "contact.name")]
        );
    }

    #[test]
    fn if_guards() {
        let source = "{% if contact.city is defined %}{{ contact.city }}{% endif %}\
                      {% if not deal.name %}none{% else %}{{ deal.name }}{% endif %}\
                      {% if order.a and order.b %}{{ order.a }}{{ order.b }}{{ order.c }}{% endif %}\
                      {% if cart.x %}{% elif cart.y %}{{ cart.y }}{{ cart.x }}{% endif %}";
        assert_eq!(
            vars(source),
            vec![
                v("contact.city", true, "contact.city"),
                v("deal.name", true, "deal.name"),
                v("order.a", true, "order.a"),
                v("order.b", true, "order.b"),
                v("order.c", false, "order.c"),
                // Shown at its use without a fallback, after `cart.y`'s.
                v("cart.y", true, "cart.y"),
                v("cart.x", false, "cart.x"),
            ]
        );
    }

    #[test]
    fn guard_applies_only_inside_its_block() {
        assert_eq!(
            vars("{% if a %}{{ a }}{% endif %}{{ a }}"),
            vec![v("a", false, "a")]
        );
        // Testing a parent does not guard a child, nor the reverse.
        assert_eq!(
            vars("{% if contact %}{{ contact.x }}{% endif %}"),
            vec![
                v("contact", true, "contact"),
                v("contact.x", false, "contact.x")
            ]
        );
    }

    #[test]
    fn only_tested_variables_have_a_fallback() {
        assert_eq!(
            vars("{% if contact.vip %}VIP{% endif %}"),
            vec![v("contact.vip", true, "contact.vip")]
        );
    }

    #[test]
    fn ternary_and_or_guards() {
        assert_eq!(
            vars("{{ a if a else 'x' }} {{ b if c else b }} {{ d or 'x' }} {{ 'x' if not e else e }}"),
            vec![
                v("a", true, "a"),
                v("b", false, "b"),
                v("c", true, "c"),
                v("d", true, "d"),
                v("e", true, "e"),
            ]
        );
    }

    #[test]
    fn for_and_set_bound_names_are_excluded() {
        let source = "{% for item in order.items %}{{ item.sku }} {{ loop.index }}{{ contact.x }}{% else %}{{ item }}{% endfor %}\
                      {% set greeting = 'Hi ' ~ contact.first_name %}{{ greeting }} {{ greeting.upper() }}\
                      {% for k, v in deal.props | dictsort %}{{ k }}={{ v }}{% endfor %}\
                      {% with total = order.total %}{{ total }}{% endwith %}{{ total }}\
                      {% set block %}x{% endset %}{{ block }}";
        assert_eq!(
            vars(source),
            vec![
                v("order.items", false, "order.items"),
                v("contact.x", false, "contact.x"),
                v("item", false, "item"),
                v("contact.first_name", false, "contact.first_name"),
                v("deal.props", false, "deal.props"),
                v("order.total", false, "order.total"),
                v("total", false, "total"),
            ]
        );
    }

    #[test]
    fn a_name_used_before_it_is_set_is_a_variable() {
        assert_eq!(
            vars("{{ x }}{% set x = 1 %}{{ x }}"),
            vec![v("x", false, "x")]
        );
    }

    #[test]
    fn attribute_and_item_lookup_are_the_same_path() {
        let found = vars(
            r#"{{ contact["first_name"] }} {{ contact.first_name }} {{ order.items[0].sku }} {{ deal[key] }}"#,
        );
        assert_eq!(
            found,
            vec![
                v("contact.first_name", false, r#"contact["first_name"]"#),
                v("order.items", false, "order.items"),
                v("deal", false, "deal"),
                v("key", false, "key"),
            ]
        );
    }

    #[test]
    fn variables_inside_filters_tests_calls_and_conditions_count() {
        assert_eq!(
            vars("{{ price | round(precision) }} {{ x is divisibleby(n) }} {{ range(count) }} {{ contact.name.upper() }} {% for i in range(deal.n) if i > min %}{% endfor %}"),
            vec![
                v("price", false, "price"),
                v("precision", false, "precision"),
                v("x", true, "x"),
                v("n", false, "n"),
                v("count", false, "count"),
                v("contact.name", false, "contact.name"),
                v("deal.n", false, "deal.n"),
                v("min", false, "min"),
            ]
        );
    }

    #[test]
    fn plain_text_has_no_variables() {
        assert!(vars("Hello there, no tags {# a comment {{ x }} #}").is_empty());
        assert!(vars("").is_empty());
    }

    #[test]
    fn syntax_error_location() {
        let source = "Hi\n{{ contact.first_name ";
        let errors = analyse_template(source).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].message,
            "unexpected end of input, expected end of variable block"
        );
        assert_eq!(errors[0].span, Span::new(14, 24));

        let errors = analyse_template("ok\n {% if %}").unwrap_err();
        assert_eq!(errors[0].message, "unexpected end of block");
        assert_eq!(errors[0].span, Span::new(10, 12));

        let errors = analyse_template("{% if a %}x").unwrap_err();
        assert!(errors[0].span.end as usize <= 11);
    }

    #[test]
    fn unknown_statements_are_errors() {
        let errors = analyse_template("{% frobnicate %}").unwrap_err();
        assert_eq!(errors[0].span, Span::new(3, 13));
    }

    #[test]
    fn oversized_templates_are_errors() {
        let source = "a".repeat(MAX_TEMPLATE_LEN + 1);
        let errors = analyse_template(&source).unwrap_err();
        assert!(errors[0].message.contains("too long"));
    }

    #[test]
    fn oversized_tags_are_errors() {
        let source = format!("ok {{{{ {}a }}}}", "not ".repeat(MAX_TAG_TOKENS + 1));
        let errors = analyse_template(&source).unwrap_err();
        assert!(errors[0].message.contains("too complex"), "{errors:?}");
        assert_eq!(errors[0].span.start, 3);
        // Long literal lists are fine.
        let list = vec!["'x'"; 3 * MAX_TAG_TOKENS].join(", ");
        assert!(analyse_template(&format!("{{% if a in [{list}] %}}{{% endif %}}")).is_ok());
    }

    #[test]
    fn tag_budget_shapes_fit_a_small_stack() {
        let n = MAX_TAG_TOKENS;
        let shapes = vec![
            format!("{{{{ {}a }}}}", "not ".repeat(n - 1)),
            format!("{{{{ {}a }}}}", "a if b else ".repeat(n / 3 - 1)),
            format!("{{{{ {}a }}}}", "a + ".repeat(n / 2 - 1)),
            format!("{{{{ a{} }}}}", ".b".repeat(n / 2 - 1)),
            format!("{{{{ a{} }}}}", "|f".repeat(n / 2 - 1)),
            format!("{{{{ a{} }}}}", "()".repeat(n - 2)),
            format!("{{{{ {}a }}}}", "-".repeat(n - 1)),
            "{% if a %}".repeat(140) + &"{% endif %}".repeat(140),
        ];
        for source in shapes {
            let handle = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || {
                    let _ = analyse_template(&source);
                })
                .unwrap();
            handle.join().unwrap();
        }
    }

    #[test]
    fn line_span_of_missing_ranges() {
        assert_eq!(line_span("a\nbc\r\nd", 2), Span::new(2, 4));
        assert_eq!(line_span("a", 9), Span::point(1));
    }
}
