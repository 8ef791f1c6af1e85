//! The logic of a condition: which data fields it compares with literal values, which of those
//! comparisons must hold for the condition to be true, and conjunctions that can never hold
//! (`contact.score > 10 && contact.score < 5`).
//!
//! The parser does not report where a node was written, so each comparison found in the syntax
//! tree is matched with a `path op literal` sequence of tokens in the text to give it a span.

use std::cmp::Ordering;
use std::fmt;

use cel::common::ast::{Expr, IdedExpr, LiteralValue};
use cel::parser::PrattParser;
use flowgate_diagnostics::Span;
use flowgate_model::{FieldUse, Literal, DATA_OBJECTS};

use crate::cel_lex::{self, Token, TokenKind};
use crate::condition::{MAX_CONDITION_LEN, MAX_CONDITION_OPERATORS, MAX_RECURSION_DEPTH};

/// How deep the walk over a syntax tree goes; deeper parts are ignored.
const MAX_DEPTH: usize = 4 * MAX_CONDITION_OPERATORS;

/// A comparison operator, with any negation around the comparison applied
/// (`!(contact.x == 1)` is read as `contact.x != 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in` a list
    In,
    /// not `in` a list (a negated `in`)
    NotIn,
}

impl CompareOp {
    /// The operator as written in CEL (`not in` for a negated `in`).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::In => "in",
            Self::NotIn => "not in",
        }
    }

    fn from_function(name: &str) -> Option<Self> {
        Some(match name {
            "_==_" => Self::Eq,
            "_!=_" => Self::Ne,
            "_<_" => Self::Lt,
            "_<=_" => Self::Le,
            "_>_" => Self::Gt,
            "_>=_" => Self::Ge,
            "@in" => Self::In,
            _ => return None,
        })
    }

    /// The operator that holds exactly when this one does not.
    fn negated(self) -> Self {
        match self {
            Self::Eq => Self::Ne,
            Self::Ne => Self::Eq,
            Self::Lt => Self::Ge,
            Self::Le => Self::Gt,
            Self::Gt => Self::Le,
            Self::Ge => Self::Lt,
            Self::In => Self::NotIn,
            Self::NotIn => Self::In,
        }
    }

    /// The operator with its operands swapped (`5 < x` is `x > 5`); `in` cannot be swapped.
    fn mirrored(self) -> Option<Self> {
        Some(match self {
            Self::Eq => Self::Eq,
            Self::Ne => Self::Ne,
            Self::Lt => Self::Gt,
            Self::Le => Self::Ge,
            Self::Gt => Self::Lt,
            Self::Ge => Self::Le,
            Self::In | Self::NotIn => return None,
        })
    }

    fn is_ordering(self) -> bool {
        matches!(self, Self::Lt | Self::Le | Self::Gt | Self::Ge)
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A literal value written in a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum CelLiteral {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer (`3u`).
    Uint(u64),
    /// A floating-point number.
    Double(f64),
    /// A string.
    String(String),
    /// A bytes literal (`b"…"`).
    Bytes(Vec<u8>),
    /// A list of literals.
    List(Vec<CelLiteral>),
}

impl CelLiteral {
    /// The CEL value a literal of the asset format stands for.
    pub fn from_literal(literal: &Literal) -> Self {
        match literal {
            Literal::Null => Self::Null,
            Literal::Bool(b) => Self::Bool(*b),
            Literal::Int(i) => Self::Int(*i),
            Literal::Float(f) => Self::Double(*f),
            Literal::String(s) => Self::String(s.clone()),
        }
    }

    /// The CEL type name: `null`, `bool`, `int`, `uint`, `double`, `string`, `bytes`, `list`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "bool",
            Self::Int(_) => "int",
            Self::Uint(_) => "uint",
            Self::Double(_) => "double",
            Self::String(_) => "string",
            Self::Bytes(_) => "bytes",
            Self::List(_) => "list",
        }
    }

    /// Whether the value is a number of any kind.
    pub fn is_number(&self) -> bool {
        self.number().is_some()
    }

    fn number(&self) -> Option<f64> {
        match self {
            Self::Int(i) => Some(*i as f64),
            Self::Uint(u) => Some(*u as f64),
            Self::Double(d) => Some(*d),
            _ => None,
        }
    }

    /// CEL equality: numbers compare by value across `int`, `uint` and `double`; values of
    /// different types are never equal.
    pub fn equals(&self, other: &CelLiteral) -> bool {
        if let (Some(a), Some(b)) = (self.number(), other.number()) {
            return a == b;
        }
        match (self, other) {
            (Self::Null, Self::Null) => true,
            (Self::Bool(a), Self::Bool(b)) => a == b,
            (Self::String(a), Self::String(b)) => a == b,
            (Self::Bytes(a), Self::Bytes(b)) => a == b,
            (Self::List(a), Self::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equals(y))
            }
            _ => false,
        }
    }

    /// CEL ordering, where the two values can be ordered.
    fn order(&self, other: &CelLiteral) -> Option<Ordering> {
        if let (Some(a), Some(b)) = (self.number(), other.number()) {
            return a.partial_cmp(&b);
        }
        match (self, other) {
            (Self::String(a), Self::String(b)) => Some(a.cmp(b)),
            (Self::Bool(a), Self::Bool(b)) => Some(a.cmp(b)),
            (Self::Bytes(a), Self::Bytes(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// Read a literal (or a list of literals, or a negated number) from the syntax tree.
    fn from_ast(expr: &IdedExpr, depth: usize) -> Option<Self> {
        if depth > MAX_DEPTH {
            return None;
        }
        match &expr.expr {
            Expr::Literal(literal) => Some(match literal {
                LiteralValue::Boolean(b) => Self::Bool(*b.inner()),
                LiteralValue::Bytes(b) => Self::Bytes(b.inner().to_vec()),
                LiteralValue::Double(d) => Self::Double(*d.inner()),
                LiteralValue::Int(i) => Self::Int(*i.inner()),
                LiteralValue::Null => Self::Null,
                LiteralValue::String(s) => Self::String(s.inner().to_owned()),
                LiteralValue::UInt(u) => Self::Uint(*u.inner()),
            }),
            Expr::Call(call)
                if call.func_name == "-_" && call.target.is_none() && call.args.len() == 1 =>
            {
                match Self::from_ast(&call.args[0], depth + 1)? {
                    Self::Int(i) => i.checked_neg().map(Self::Int),
                    Self::Double(d) => Some(Self::Double(-d)),
                    _ => None,
                }
            }
            Expr::List(list) if list.optional_indices.is_empty() => list
                .elements
                .iter()
                .map(|e| Self::from_ast(e, depth + 1))
                .collect::<Option<Vec<_>>>()
                .map(Self::List),
            _ => None,
        }
    }
}

impl fmt::Display for CelLiteral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Uint(u) => write!(f, "{u}u"),
            Self::Double(d) => write!(f, "{d:?}"),
            Self::String(s) => write!(f, "{s:?}"),
            Self::Bytes(b) => write!(f, "b{:?}", String::from_utf8_lossy(b)),
            Self::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// A comparison of a data path with a literal: `contact.lifecycle_stage == "lead"`,
/// `10 < contact.score` (read as `contact.score > 10`), `contact.country in ["DE", "AT"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The data object (`contact`).
    pub object: String,
    /// The fields below the object, at least one (`["lifecycle_stage"]`).
    pub path: Vec<String>,
    /// The operator, with the data path on the left and negations applied.
    pub op: CompareOp,
    /// The literal compared with.
    pub value: CelLiteral,
    /// Whether the comparison must hold for the whole condition to be true (it is joined to
    /// the rest by `&&` only, possibly through negated `||`).
    pub required: bool,
    /// The comparison as written (relative to the condition text; the whole text when it
    /// could not be located).
    pub span: Span,
    /// The literal as written (the comparison's span when it could not be located).
    pub value_span: Span,
}

impl Comparison {
    /// The field the comparison reads: the object and the first field of the path.
    pub fn field_use(&self) -> Option<FieldUse> {
        Some(FieldUse {
            object: self.object.clone(),
            field: self.path.first()?.clone(),
        })
    }

    /// `contact.lifecycle_stage`
    pub fn path_text(&self) -> String {
        let mut text = self.object.clone();
        for field in &self.path {
            text.push('.');
            text.push_str(field);
        }
        text
    }

    /// Whether the comparison holds when the data path has `value`; `None` when CEL could not
    /// compare the two (an evaluation error) or the answer is not known.
    pub fn admits(&self, value: &CelLiteral) -> Option<bool> {
        match self.op {
            CompareOp::Eq => Some(value.equals(&self.value)),
            CompareOp::Ne => Some(!value.equals(&self.value)),
            CompareOp::In | CompareOp::NotIn => {
                let CelLiteral::List(items) = &self.value else {
                    return None;
                };
                let found = items.iter().any(|item| value.equals(item));
                Some(found == (self.op == CompareOp::In))
            }
            CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => {
                let ordering = value.order(&self.value)?;
                Some(match self.op {
                    CompareOp::Lt => ordering == Ordering::Less,
                    CompareOp::Le => ordering != Ordering::Greater,
                    CompareOp::Gt => ordering == Ordering::Greater,
                    _ => ordering != Ordering::Less,
                })
            }
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.path_text(), self.op, self.value)
    }
}

/// A part of a condition that can never be true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contradiction {
    /// Why, starting in lower case: "`contact.score > 10` and `contact.score < 5` cannot both
    /// be true".
    pub message: String,
    /// Where (relative to the condition text): the later of the conflicting comparisons, or
    /// the constant `false`.
    pub span: Span,
    /// The earlier comparison it conflicts with, if any.
    pub other: Option<Span>,
    /// Whether the whole condition is therefore never true (otherwise only one alternative of
    /// an `||`, or one branch of a `? :`, is).
    pub whole: bool,
}

/// What [`condition_logic`] finds in a condition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConditionLogic {
    /// Every comparison of a data path with a literal, in the order written.
    pub comparisons: Vec<Comparison>,
    /// Parts that can never be true.
    pub contradictions: Vec<Contradiction>,
}

/// Every comparison of a data path with a literal in a condition (see [`Comparison`]). A
/// condition that does not parse has none: the loader reports it.
pub fn comparisons(source: &str) -> Vec<Comparison> {
    condition_logic(source).comparisons
}

/// Conjunctions in a condition that can never be true: the constant `false`, and comparisons
/// of the same data path joined by `&&` that no value satisfies together
/// (`x == "a" && x == "b"`, `x > 10 && x < 5`, `x == 3 && x != 3`, `x in ["a"] && x == "b"`).
pub fn contradictions(source: &str) -> Vec<Contradiction> {
    condition_logic(source).contradictions
}

/// Comparisons and contradictions of a condition, from one parse.
pub fn condition_logic(source: &str) -> ConditionLogic {
    let Some(tokens) = admit(source) else {
        return ConditionLogic::default();
    };
    if let Some(quick) = Quick::read(source, &tokens) {
        return quick
            .walker
            .build(source, &quick.atom_spans, &quick.constants);
    }
    slow(source, &tokens)
}

/// [`condition_logic`] through the parser.
fn slow(source: &str, tokens: &[Token]) -> ConditionLogic {
    let Some(walker) = walk(source) else {
        return ConditionLogic::default();
    };
    if walker.atoms.is_empty() && walker.pending.is_empty() {
        return ConditionLogic::default();
    }
    walker.finish(source, tokens)
}

/// The comparisons that must hold for a condition to be true (see [`Comparison::required`]),
/// quicker than [`condition_logic`] because they are not located: their spans are those of
/// the whole text.
pub fn required_comparisons(source: &str) -> Vec<Comparison> {
    let Some(tokens) = admit(source) else {
        return Vec::new();
    };
    let walker = match Quick::read(source, &tokens) {
        Some(quick) => quick.walker,
        None => match walk(source) {
            Some(walker) => walker,
            None => return Vec::new(),
        },
    };
    let whole = trimmed_span(source);
    walker
        .atoms
        .into_iter()
        .filter(|atom| atom.required)
        .map(|atom| Comparison {
            object: atom.object,
            path: atom.path,
            op: atom.op,
            value: atom.value,
            required: true,
            span: whole,
            value_span: whole,
        })
        .collect()
}

/// The tokens of a condition within the limits of [`crate::analyse_condition`].
fn admit(source: &str) -> Option<Vec<Token>> {
    if source.len() > MAX_CONDITION_LEN || source.trim().is_empty() {
        return None;
    }
    let tokens = cel_lex::tokenize(source);
    (cel_lex::operator_count(source, &tokens) <= MAX_CONDITION_OPERATORS).then_some(tokens)
}

/// Parse a condition and walk its tree.
fn walk(source: &str) -> Option<Walker> {
    let ast = PrattParser::new()
        .max_recursion_depth(MAX_RECURSION_DEPTH)
        .parse(source)
        .ok()?;
    let mut walker = Walker::default();
    walker.walk(&ast, false, true, true, 0);
    Some(walker)
}

/// The common shape of a condition read straight from its tokens, without the parser: one or
/// more parts joined by `&&`, each a comparison of a data path with a literal
/// (`contact.stage == "lead"`, `10 < contact.score`, `contact.country in ["DE", "AT"]`), a
/// presence test (`has(contact.x)`, `!has(contact.x)`), a data path (`contact.vip`,
/// `!contact.vip`) or a constant (`true`, `!false`). Anything else goes through the parser.
/// The result is the same as the parser's, which a test checks.
struct Quick {
    walker: Walker,
    atom_spans: Vec<(Span, Span)>,
    constants: Vec<Option<Span>>,
}

/// One part of a [`Quick`] conjunction.
enum Part {
    Atom(Atom, Span, Span),
    Constant(bool, bool, Span),
    Other,
}

impl Quick {
    fn read(source: &str, tokens: &[Token]) -> Option<Quick> {
        let mut parts = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i <= tokens.len() {
            let at_and = i + 1 < tokens.len()
                && tokens[i].is_punct('&')
                && tokens[i + 1].is_punct('&')
                && tokens[i + 1].start == tokens[i].end;
            if i == tokens.len() || at_and {
                parts.push(quick_part(source, tokens.get(start..i)?)?);
                i += 2;
                start = i;
                continue;
            }
            i += 1;
        }
        let chain = parts.len() > 1;
        let mut quick = Quick {
            walker: Walker::default(),
            atom_spans: Vec::new(),
            constants: Vec::new(),
        };
        let mut atoms = Vec::new();
        for part in parts {
            match part {
                Part::Atom(atom, span, value_span) => {
                    atoms.push(quick.walker.atoms.len());
                    quick.walker.atoms.push(atom);
                    quick.atom_spans.push((span, value_span));
                }
                // A constant that is false: written `false`, or `!true`.
                Part::Constant(written, negated, span) if written == negated => {
                    let constant = quick.walker.constants.len();
                    quick.walker.constants.push((written, negated));
                    quick.constants.push(Some(span));
                    quick.walker.pending.push(Pending::False {
                        constant,
                        whole: true,
                        root: !chain,
                    });
                }
                Part::Constant(..) | Part::Other => {}
            }
        }
        if chain {
            quick.walker.conflicting(&atoms, true);
        }
        Some(quick)
    }
}

/// One part of a conjunction, or `None` when it is not one of the [`Quick`] shapes.
fn quick_part(source: &str, tokens: &[Token]) -> Option<Part> {
    let (negated, rest) = match tokens.split_first() {
        Some((first, rest)) if first.is_punct('!') => (true, rest),
        _ => (false, tokens),
    };
    // `true`, `!false`
    if let [word] = rest {
        let text = word.text(source);
        if word.kind == TokenKind::Ident && (text == "true" || text == "false") {
            return Some(Part::Constant(
                text == "true",
                negated,
                Span::new(word.start, word.end),
            ));
        }
    }
    // `contact.vip`, `!contact.vip`
    if quick_path(source, rest).is_some_and(|(_, used)| used == rest.len()) {
        return Some(Part::Other);
    }
    // `has(contact.x)`, `!has(contact.x)`
    if let [has, open, inner @ .., close] = rest {
        if has.kind == TokenKind::Ident
            && has.text(source) == "has"
            && open.is_punct('(')
            && close.is_punct(')')
            && quick_path(source, inner).is_some_and(|(_, used)| used == inner.len())
        {
            return Some(Part::Other);
        }
    }
    if negated {
        return None;
    }
    // `path op literal` or `literal op path`
    let (path, value, op, reversed, value_tokens) = match quick_path(source, tokens) {
        Some((path, used)) => {
            let (op, width) = quick_op(source, tokens.get(used..)?)?;
            let value_tokens = tokens.get(used + width..)?;
            let (value, taken) = scan_literal(source, value_tokens, 0, false, 0)?;
            if taken != value_tokens.len() {
                return None;
            }
            (path, value?, op, false, value_tokens)
        }
        None => {
            let (value, taken) = scan_literal(source, tokens, 0, false, 0)?;
            let (op, width) = quick_op(source, tokens.get(taken..)?)?;
            let path_tokens = tokens.get(taken + width..)?;
            let (path, used) = quick_path(source, path_tokens)?;
            if used != path_tokens.len() {
                return None;
            }
            (path, value?, op, true, tokens.get(..taken)?)
        }
    };
    let effective = if reversed { op.mirrored() } else { Some(op) };
    let Some(effective) = effective else {
        // `"a" in contact.tags`: not a comparison with a literal.
        return Some(Part::Other);
    };
    if effective == CompareOp::In && !matches!(value, CelLiteral::List(_)) {
        return Some(Part::Other);
    }
    let (first, last) = (tokens.first()?, tokens.last()?);
    let (value_first, value_last) = (value_tokens.first()?, value_tokens.last()?);
    let (object, fields) = path;
    Some(Part::Atom(
        Atom {
            object,
            path: fields,
            written_op: op,
            reversed,
            op: effective,
            value,
            required: true,
        },
        Span::new(first.start, last.end),
        Span::new(value_first.start, value_last.end),
    ))
}

/// Words CEL does not accept as field names without escaping.
const RESERVED: &[&str] = &[
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// A data path at the start of `tokens` (`contact.a.b`, not followed by a call), and how many
/// tokens it takes.
fn quick_path(source: &str, tokens: &[Token]) -> Option<((String, Vec<String>), usize)> {
    let object = tokens.first()?;
    let name = object.text(source);
    if object.kind != TokenKind::Ident || !DATA_OBJECTS.contains(&name) {
        return None;
    }
    let mut fields = Vec::new();
    let mut i = 1;
    while let (Some(dot), Some(field)) = (tokens.get(i), tokens.get(i + 1)) {
        if !dot.is_punct('.')
            || field.kind != TokenKind::Ident
            || RESERVED.contains(&field.text(source))
        {
            break;
        }
        fields.push(field.text(source).to_owned());
        i += 2;
    }
    let next = tokens.get(i);
    if fields.is_empty()
        || next.is_some_and(|t| matches!(t.kind, TokenKind::Punct('(' | '[' | '.')))
    {
        return None;
    }
    Some(((name.to_owned(), fields), i))
}

/// A comparison operator at the start of `tokens`, and how many tokens it takes.
fn quick_op(source: &str, tokens: &[Token]) -> Option<(CompareOp, usize)> {
    let first = tokens.first()?;
    if first.kind == TokenKind::Ident && first.text(source) == "in" {
        return Some((CompareOp::In, 1));
    }
    let TokenKind::Punct(c) = first.kind else {
        return None;
    };
    let joined = tokens
        .get(1)
        .is_some_and(|t| t.is_punct('=') && t.start == first.end);
    match (c, joined) {
        ('=', true) => Some((CompareOp::Eq, 2)),
        ('!', true) => Some((CompareOp::Ne, 2)),
        ('<', true) => Some((CompareOp::Le, 2)),
        ('>', true) => Some((CompareOp::Ge, 2)),
        ('<', false) => Some((CompareOp::Lt, 1)),
        ('>', false) => Some((CompareOp::Gt, 1)),
        _ => None,
    }
}

/// A comparison found in the tree, before it is located in the text.
struct Atom {
    object: String,
    path: Vec<String>,
    written_op: CompareOp,
    reversed: bool,
    op: CompareOp,
    value: CelLiteral,
    required: bool,
}

/// What a leaf of a conjunction is.
enum Leaf {
    Atom(usize),
    False(usize),
    Other,
}

enum Pending {
    /// Two atoms that cannot both hold: (earlier, later).
    Atoms(usize, usize, bool),
    /// A constant `false` (index among the constants) inside a conjunction, or the whole
    /// condition when `root`.
    False {
        constant: usize,
        whole: bool,
        root: bool,
    },
}

#[derive(Default)]
struct Walker {
    atoms: Vec<Atom>,
    /// Constants that count as `false`, in the order met: the literal as written (`true` when
    /// written as `!true`), and whether it is read negated.
    constants: Vec<(bool, bool)>,
    pending: Vec<Pending>,
}

impl Walker {
    /// Walk `expr`, read as negated when `negated`; `required` when it must hold for the
    /// whole condition to be true.
    fn walk(
        &mut self,
        expr: &IdedExpr,
        negated: bool,
        required: bool,
        root: bool,
        depth: usize,
    ) -> Leaf {
        if depth > MAX_DEPTH {
            return Leaf::Other;
        }
        let depth = depth + 1;
        match &expr.expr {
            Expr::Call(call) if call.target.is_none() => {
                let args = call.args.as_slice();
                match (call.func_name.as_str(), args) {
                    ("!_", [inner]) => self.walk(inner, !negated, required, root, depth),
                    ("_&&_" | "_||_", [_, _]) => {
                        let conjunctive = (call.func_name == "_&&_") != negated;
                        if conjunctive {
                            self.conjunction(expr, negated, required, depth);
                        } else {
                            for arg in args {
                                self.walk(arg, negated, false, false, depth);
                            }
                        }
                        Leaf::Other
                    }
                    ("_?_:_", [_, then, otherwise]) => {
                        self.walk(then, negated, false, false, depth);
                        self.walk(otherwise, negated, false, false, depth);
                        Leaf::Other
                    }
                    (name, [left, right]) => match CompareOp::from_function(name) {
                        Some(op) => self.comparison(op, left, right, negated, required, depth),
                        None => Leaf::Other,
                    },
                    _ => Leaf::Other,
                }
            }
            Expr::Literal(LiteralValue::Boolean(b)) => {
                if *b.inner() == negated {
                    let constant = self.constants.len();
                    self.constants.push((*b.inner(), negated));
                    if root {
                        self.pending.push(Pending::False {
                            constant,
                            whole: true,
                            root: true,
                        });
                    }
                    Leaf::False(constant)
                } else {
                    Leaf::Other
                }
            }
            _ => Leaf::Other,
        }
    }

    fn comparison(
        &mut self,
        written_op: CompareOp,
        left: &IdedExpr,
        right: &IdedExpr,
        negated: bool,
        required: bool,
        depth: usize,
    ) -> Leaf {
        let (path, value, reversed, op) = match (data_path(left), data_path(right)) {
            (Some(path), None) => match CelLiteral::from_ast(right, depth) {
                Some(value) => (path, value, false, written_op),
                None => return Leaf::Other,
            },
            (None, Some(path)) => {
                match (CelLiteral::from_ast(left, depth), written_op.mirrored()) {
                    (Some(value), Some(op)) => (path, value, true, op),
                    _ => return Leaf::Other,
                }
            }
            _ => return Leaf::Other,
        };
        if matches!(op, CompareOp::In) && !matches!(value, CelLiteral::List(_)) {
            return Leaf::Other;
        }
        let (object, fields) = path;
        self.atoms.push(Atom {
            object,
            path: fields,
            written_op,
            reversed,
            op: if negated { op.negated() } else { op },
            value,
            required,
        });
        Leaf::Atom(self.atoms.len() - 1)
    }

    /// A chain of `&&` (or a negated chain of `||`): its leaves must all hold together.
    fn conjunction(&mut self, expr: &IdedExpr, negated: bool, required: bool, depth: usize) {
        let mut leaves = Vec::new();
        collect_conjuncts(expr, negated, &mut leaves, depth);
        let mut atoms = Vec::new();
        for (leaf, leaf_negated) in leaves {
            match self.walk(leaf, leaf_negated, required, false, depth + 1) {
                Leaf::Atom(index) => atoms.push(index),
                Leaf::False(constant) => self.pending.push(Pending::False {
                    constant,
                    whole: required,
                    root: false,
                }),
                Leaf::Other => {}
            }
        }
        self.conflicting(&atoms, required);
    }

    /// Record the comparisons among `atoms` (joined by `&&`) that cannot hold together: for
    /// each data path, the first pair.
    fn conflicting(&mut self, atoms: &[usize], required: bool) {
        let mut reported: Vec<(&str, &[String])> = Vec::new();
        let mut found = Vec::new();
        for (j, &later) in atoms.iter().enumerate() {
            let Some(b) = self.atoms.get(later) else {
                continue;
            };
            if reported
                .iter()
                .any(|(o, p)| *o == b.object && *p == b.path.as_slice())
            {
                continue;
            }
            let conflict = atoms[..j].iter().copied().find(|&earlier| {
                self.atoms
                    .get(earlier)
                    .is_some_and(|a| a.object == b.object && a.path == b.path && conflicts(a, b))
            });
            if let Some(earlier) = conflict {
                reported.push((&b.object, &b.path));
                found.push(Pending::Atoms(earlier, later, required));
            }
        }
        self.pending.extend(found);
    }

    /// Locate the atoms and constants found in the tree in the text, then build the result.
    fn finish(self, source: &str, tokens: &[Token]) -> ConditionLogic {
        let items = scan_items(source, tokens);
        let occurrences = occurrences(&items);
        let whole = trimmed_span(source);
        let mut claimed = vec![false; occurrences.len()];
        let atom_spans: Vec<(Span, Span)> = self
            .atoms
            .iter()
            .map(|atom| {
                let found = occurrences.iter().enumerate().position(|(i, occ)| {
                    !claimed[i]
                        && occ.reversed == atom.reversed
                        && occ.op == atom.written_op
                        && occ.names.first() == Some(&atom.object.as_str())
                        && occ.names.len() == atom.path.len() + 1
                        && occ.names[1..].iter().zip(&atom.path).all(|(a, b)| *a == b)
                        && occ
                            .value
                            .as_ref()
                            .is_none_or(|v| same_literal(v, &atom.value))
                });
                match found {
                    Some(i) => {
                        claimed[i] = true;
                        (occurrences[i].span, occurrences[i].value_span)
                    }
                    None => (whole, whole),
                }
            })
            .collect();
        let mut booleans = bare_booleans(source, tokens, &items);
        let constants: Vec<Option<Span>> = self
            .constants
            .iter()
            .map(|&(written, negated)| {
                let word = if written { "true" } else { "false" };
                let matches = |b: &Option<(Span, bool)>, bang: Option<bool>| {
                    b.is_some_and(|(span, after_bang)| {
                        span_text(source, span) == word && bang.is_none_or(|n| n == after_bang)
                    })
                };
                // Prefer a constant written with `!` when it is read negated.
                let at = booleans
                    .iter()
                    .position(|b| matches(b, Some(negated)))
                    .or_else(|| booleans.iter().position(|b| matches(b, None)))?;
                booleans[at].take().map(|(span, _)| span)
            })
            .collect();
        self.build(source, &atom_spans, &constants)
    }

    /// The result, given where each atom (comparison, literal) and constant was written.
    fn build(
        self,
        source: &str,
        atom_spans: &[(Span, Span)],
        constants: &[Option<Span>],
    ) -> ConditionLogic {
        let whole = trimmed_span(source);
        let comparisons: Vec<Comparison> = self
            .atoms
            .into_iter()
            .enumerate()
            .map(|(i, atom)| {
                let (span, value_span) = atom_spans.get(i).copied().unwrap_or((whole, whole));
                Comparison {
                    object: atom.object,
                    path: atom.path,
                    op: atom.op,
                    value: atom.value,
                    required: atom.required,
                    span,
                    value_span,
                }
            })
            .collect();
        let text = |c: &Comparison| -> String {
            if c.span == whole {
                c.to_string()
            } else {
                collapse(span_text(source, c.span))
            }
        };
        let contradictions = self
            .pending
            .into_iter()
            .filter_map(|pending| match pending {
                Pending::Atoms(earlier, later, is_whole) => {
                    let (a, b) = (comparisons.get(earlier)?, comparisons.get(later)?);
                    Some(Contradiction {
                        message: format!("`{}` and `{}` cannot both be true", text(a), text(b)),
                        span: b.span,
                        other: Some(a.span),
                        whole: is_whole,
                    })
                }
                Pending::False {
                    constant,
                    whole: is_whole,
                    root,
                } => Some(Contradiction {
                    message: if root {
                        "it is the constant `false`".to_owned()
                    } else {
                        "it is joined by `&&` to the constant `false`".to_owned()
                    },
                    span: if root {
                        whole
                    } else {
                        constants.get(constant).copied().flatten().unwrap_or(whole)
                    },
                    other: None,
                    whole: is_whole,
                }),
            })
            .collect();
        ConditionLogic {
            comparisons,
            contradictions,
        }
    }
}

/// The leaves of a conjunction, each with whether it is read negated.
fn collect_conjuncts<'e>(
    expr: &'e IdedExpr,
    negated: bool,
    out: &mut Vec<(&'e IdedExpr, bool)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Expr::Call(call) = &expr.expr {
        if call.target.is_none() {
            match (call.func_name.as_str(), call.args.as_slice()) {
                ("!_", [inner]) => return collect_conjuncts(inner, !negated, out, depth + 1),
                ("_&&_" | "_||_", [left, right]) if (call.func_name == "_&&_") != negated => {
                    collect_conjuncts(left, negated, out, depth + 1);
                    collect_conjuncts(right, negated, out, depth + 1);
                    return;
                }
                _ => {}
            }
        }
    }
    out.push((expr, negated));
}

/// Whether no value satisfies both comparisons (of the same data path).
fn conflicts(a: &Atom, b: &Atom) -> bool {
    let admits = |atom: &Atom, value: &CelLiteral| {
        Comparison {
            object: String::new(),
            path: Vec::new(),
            op: atom.op,
            value: atom.value.clone(),
            required: false,
            span: Span::default(),
            value_span: Span::default(),
        }
        .admits(value)
    };
    // A single allowed value (or a list of them) against the other comparison.
    for (x, y) in [(a, b), (b, a)] {
        match (&x.op, &x.value) {
            (CompareOp::Eq, value) => return admits(y, value) == Some(false),
            (CompareOp::In, CelLiteral::List(items)) => {
                return items.iter().all(|item| admits(y, item) == Some(false));
            }
            _ => {}
        }
    }
    // Two bounds of a numeric range.
    if a.op.is_ordering() && b.op.is_ordering() {
        let (Some(x), Some(y)) = (a.value.number(), b.value.number()) else {
            return false;
        };
        let lower_upper = |low: &Atom, lv: f64, high: &Atom, hv: f64| -> Option<bool> {
            let low_strict = match low.op {
                CompareOp::Gt => true,
                CompareOp::Ge => false,
                _ => return None,
            };
            let high_strict = match high.op {
                CompareOp::Lt => true,
                CompareOp::Le => false,
                _ => return None,
            };
            Some(if low_strict || high_strict {
                lv >= hv
            } else {
                lv > hv
            })
        };
        return lower_upper(a, x, b, y)
            .or_else(|| lower_upper(b, y, a, x))
            .unwrap_or(false);
    }
    false
}

fn same_literal(a: &CelLiteral, b: &CelLiteral) -> bool {
    a.equals(b)
}

/// `contact.x`, `order.billing.city`, `contact["x"]`: the object and the fields below it.
fn data_path(expr: &IdedExpr) -> Option<(String, Vec<String>)> {
    let mut fields = Vec::new();
    let mut current = expr;
    for _ in 0..MAX_DEPTH {
        match &current.expr {
            Expr::Select(select) if !select.test => {
                fields.push(select.field.clone());
                current = &select.operand;
            }
            Expr::Call(call) if call.func_name == "_[_]" && call.target.is_none() => {
                let [operand, key] = call.args.as_slice() else {
                    return None;
                };
                let Expr::Literal(LiteralValue::String(key)) = &key.expr else {
                    return None;
                };
                fields.push(key.inner().to_owned());
                current = operand;
            }
            Expr::Ident(name) if DATA_OBJECTS.contains(&name.as_str()) && !fields.is_empty() => {
                fields.reverse();
                return Some((name.clone(), fields));
            }
            _ => return None,
        }
    }
    None
}

/// A piece of the token stream, for locating comparisons.
#[derive(Debug)]
enum Item<'s> {
    Path {
        names: Vec<&'s str>,
        start: usize,
        end: usize,
    },
    Literal {
        value: Option<CelLiteral>,
        start: usize,
        end: usize,
    },
    Op {
        op: CompareOp,
    },
    Other {
        /// The token is a constant `true`/`false` not next to a comparison.
        boolean: Option<(usize, usize)>,
    },
}

impl Item<'_> {
    fn is_value(&self) -> bool {
        matches!(self, Item::Path { .. } | Item::Literal { .. })
    }
}

/// Where a `path op literal` (or `literal op path`) sequence was written.
struct Occurrence<'i> {
    names: &'i [&'i str],
    op: CompareOp,
    reversed: bool,
    value: Option<CelLiteral>,
    span: Span,
    value_span: Span,
}

fn scan_items<'s>(source: &'s str, tokens: &[Token]) -> Vec<Item<'s>> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let text = token.text(source);
        let after_dot = i > 0 && tokens[i - 1].is_punct('.');
        let adjacent = |k: usize, c: char| {
            tokens
                .get(k)
                .is_some_and(|t| t.is_punct(c) && t.start == tokens[k - 1].end)
        };
        // Two-character operators.
        if let TokenKind::Punct(c @ ('=' | '!' | '<' | '>')) = token.kind {
            let op = match (c, adjacent(i + 1, '=')) {
                ('=', true) => Some((CompareOp::Eq, 2)),
                ('!', true) => Some((CompareOp::Ne, 2)),
                ('<', true) => Some((CompareOp::Le, 2)),
                ('>', true) => Some((CompareOp::Ge, 2)),
                ('<', false) => Some((CompareOp::Lt, 1)),
                ('>', false) => Some((CompareOp::Gt, 1)),
                _ => None,
            };
            if let Some((op, width)) = op {
                items.push(Item::Op { op });
                i += width;
                continue;
            }
        }
        if token.kind == TokenKind::Ident && text == "in" {
            items.push(Item::Op { op: CompareOp::In });
            i += 1;
            continue;
        }
        if token.kind == TokenKind::Ident && !after_dot && DATA_OBJECTS.contains(&text) {
            let (names, next) = scan_path(source, tokens, i);
            if names.len() > 1 {
                let end = tokens.get(next - 1).map_or(token.end, |t| t.end);
                items.push(Item::Path {
                    names,
                    start: token.start,
                    end,
                });
                i = next;
                continue;
            }
        }
        let previous_is_value = items.last().is_some_and(Item::is_value)
            || (i > 0 && matches!(tokens[i - 1].kind, TokenKind::Punct(')' | ']')));
        if !after_dot {
            if let Some((value, next)) = scan_literal(source, tokens, i, previous_is_value, 0) {
                let end = tokens.get(next - 1).map_or(token.end, |t| t.end);
                items.push(Item::Literal {
                    value,
                    start: token.start,
                    end,
                });
                i = next;
                continue;
            }
        }
        let boolean = (token.kind == TokenKind::Ident && (text == "true" || text == "false"))
            .then_some((token.start, token.end));
        items.push(Item::Other { boolean });
        i += 1;
    }
    items
}

/// The names of a data path starting at token `i` (object first), and the token after it.
fn scan_path<'s>(source: &'s str, tokens: &[Token], i: usize) -> (Vec<&'s str>, usize) {
    let mut names = vec![tokens[i].text(source)];
    let mut j = i + 1;
    loop {
        match (tokens.get(j), tokens.get(j + 1), tokens.get(j + 2)) {
            (Some(dot), Some(name), next)
                if dot.is_punct('.')
                    && name.kind == TokenKind::Ident
                    && !next.is_some_and(|t| t.is_punct('(')) =>
            {
                names.push(name.text(source));
                j += 2;
            }
            (Some(open), Some(key), Some(close))
                if open.is_punct('[') && key.kind == TokenKind::Str && close.is_punct(']') =>
            {
                match string_inner(key.text(source)) {
                    Some(inner) => names.push(inner),
                    None => break,
                }
                j += 3;
            }
            _ => break,
        }
    }
    (names, j)
}

/// A literal starting at token `i`: its value (`None` when written in a way this scanner does
/// not decode) and the token after it.
fn scan_literal(
    source: &str,
    tokens: &[Token],
    i: usize,
    previous_is_value: bool,
    depth: usize,
) -> Option<(Option<CelLiteral>, usize)> {
    if depth > 64 {
        return None;
    }
    let token = tokens.get(i)?;
    let text = token.text(source);
    match token.kind {
        TokenKind::Str => Some((decode_string(text), i + 1)),
        TokenKind::Number => Some((decode_number(text), i + 1)),
        TokenKind::Ident => match text {
            "true" => Some((Some(CelLiteral::Bool(true)), i + 1)),
            "false" => Some((Some(CelLiteral::Bool(false)), i + 1)),
            "null" => Some((Some(CelLiteral::Null), i + 1)),
            _ => None,
        },
        TokenKind::Punct('-') if !previous_is_value => {
            let number = tokens.get(i + 1).filter(|t| t.kind == TokenKind::Number)?;
            let value = match decode_number(number.text(source)) {
                Some(CelLiteral::Int(v)) => v.checked_neg().map(CelLiteral::Int),
                Some(CelLiteral::Double(v)) => Some(CelLiteral::Double(-v)),
                _ => None,
            };
            Some((value, i + 2))
        }
        TokenKind::Punct('[') if !previous_is_value => {
            let mut values = Some(Vec::new());
            let mut j = i + 1;
            loop {
                let next = tokens.get(j)?;
                if next.is_punct(']') {
                    return Some((values.map(CelLiteral::List), j + 1));
                }
                let (value, after) = scan_literal(source, tokens, j, false, depth + 1)?;
                match (&mut values, value) {
                    (Some(list), Some(value)) => list.push(value),
                    _ => values = None,
                }
                j = after;
                let separator = tokens.get(j)?;
                if separator.is_punct(',') {
                    j += 1;
                } else if !separator.is_punct(']') {
                    return None;
                }
            }
        }
        _ => None,
    }
}

fn decode_string(text: &str) -> Option<CelLiteral> {
    string_inner(text).map(|inner| CelLiteral::String(inner.to_owned()))
}

/// The text between the quotes of a string literal (raw, or without escapes).
fn string_inner(text: &str) -> Option<&str> {
    let (raw, rest) = match text.as_bytes().first()? {
        b'r' | b'R' => (true, text.get(1..)?),
        b'"' | b'\'' => (false, text),
        _ => return None,
    };
    let quote = rest.chars().next()?;
    let triple = [quote; 3];
    let inner = if rest.len() >= 6
        && rest.chars().take(3).eq(triple)
        && rest.chars().rev().take(3).eq(triple)
    {
        rest.get(3..rest.len() - 3)?
    } else {
        rest.strip_prefix(quote)?.strip_suffix(quote)?
    };
    if !raw && inner.contains('\\') {
        return None;
    }
    Some(inner)
}

fn decode_number(text: &str) -> Option<CelLiteral> {
    let (digits, unsigned) = match text.strip_suffix(['u', 'U']) {
        Some(digits) => (digits, true),
        None => (text, false),
    };
    if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        let value = u64::from_str_radix(hex, 16).ok()?;
        return Some(if unsigned {
            CelLiteral::Uint(value)
        } else {
            CelLiteral::Int(i64::try_from(value).ok()?)
        });
    }
    if unsigned {
        return digits.parse().ok().map(CelLiteral::Uint);
    }
    if digits.contains(['.', 'e', 'E']) {
        return digits.parse().ok().map(CelLiteral::Double);
    }
    digits.parse().ok().map(CelLiteral::Int)
}

fn occurrences<'i>(items: &'i [Item<'_>]) -> Vec<Occurrence<'i>> {
    let mut out = Vec::new();
    for window in items.windows(3) {
        match window {
            [Item::Path {
                names,
                start,
                end: _,
            }, Item::Op { op }, Item::Literal {
                value,
                start: value_start,
                end,
            }] => out.push(Occurrence {
                names,
                op: *op,
                reversed: false,
                value: value.clone(),
                span: Span::new(*start, *end),
                value_span: Span::new(*value_start, *end),
            }),
            [Item::Literal {
                value,
                start,
                end: value_end,
            }, Item::Op { op }, Item::Path {
                names,
                start: _,
                end,
            }] => out.push(Occurrence {
                names,
                op: *op,
                reversed: true,
                value: value.clone(),
                span: Span::new(*start, *end),
                value_span: Span::new(*start, *value_end),
            }),
            _ => {}
        }
    }
    out
}

/// Spans of `true`/`false` tokens that are not an operand of a comparison.
/// Spans of `true`/`false` tokens that are not an operand of a comparison, with whether a `!`
/// is written right before each.
fn bare_booleans(source: &str, tokens: &[Token], items: &[Item<'_>]) -> Vec<Option<(Span, bool)>> {
    let after_bang = |start: usize| {
        tokens
            .iter()
            .position(|t| t.start == start)
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| tokens.get(i))
            .is_some_and(|t| t.is_punct('!') && t.text(source) == "!")
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let near_op = |k: Option<usize>| {
            k.and_then(|k| items.get(k))
                .is_some_and(|it| matches!(it, Item::Op { .. }))
        };
        match item {
            Item::Literal {
                value: Some(CelLiteral::Bool(_)),
                start,
                end,
            } if !near_op(i.checked_sub(1)) && !near_op(i.checked_add(1)) => {
                out.push(Some((Span::new(*start, *end), after_bang(*start))));
            }
            Item::Other {
                boolean: Some((start, end)),
            } => out.push(Some((Span::new(*start, *end), after_bang(*start)))),
            _ => {}
        }
    }
    out
}

fn trimmed_span(source: &str) -> Span {
    let start = source.len() - source.trim_start().len();
    let end = source.trim_end().len().max(start);
    Span::new(start, end)
}

fn span_text(source: &str, span: Span) -> &str {
    source
        .get(span.start as usize..span.end as usize)
        .unwrap_or("")
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn text(source: &str, span: Span) -> &str {
        span_text(source, span)
    }

    fn atoms(source: &str) -> Vec<(String, CompareOp, CelLiteral, bool, String)> {
        comparisons(source)
            .into_iter()
            .map(|c| {
                let written = text(source, c.span).to_owned();
                (c.path_text(), c.op, c.value, c.required, written)
            })
            .collect()
    }

    fn s(v: &str) -> CelLiteral {
        CelLiteral::String(v.into())
    }

    #[test]
    fn finds_comparisons_with_spans() {
        let source = r#"contact.lifecycle_stage == "lead" && 10 < contact.score && contact.country in ["DE", "AT"]"#;
        let found = atoms(source);
        assert_eq!(
            found,
            vec![
                (
                    "contact.lifecycle_stage".into(),
                    CompareOp::Eq,
                    s("lead"),
                    true,
                    r#"contact.lifecycle_stage == "lead""#.into()
                ),
                (
                    "contact.score".into(),
                    CompareOp::Gt,
                    CelLiteral::Int(10),
                    true,
                    "10 < contact.score".into()
                ),
                (
                    "contact.country".into(),
                    CompareOp::In,
                    CelLiteral::List(vec![s("DE"), s("AT")]),
                    true,
                    r#"contact.country in ["DE", "AT"]"#.into()
                ),
            ]
        );
        let value = comparisons(source)[0].value_span;
        assert_eq!(text(source, value), r#""lead""#);
    }

    #[test]
    fn disjunctions_and_negations() {
        let found = atoms(r#"contact.a == 1 || contact.b == 2"#);
        assert!(found.iter().all(|a| !a.3));
        let found = atoms(r#"!(contact.a == 1 || contact.b != "x")"#);
        assert_eq!(found[0].1, CompareOp::Ne);
        assert!(found[0].3);
        assert_eq!(found[1].1, CompareOp::Eq);
        assert!(found[1].3);
        let found = atoms(r#"!(contact.a in ["x"])"#);
        assert_eq!(found[0].1, CompareOp::NotIn);
        let found = atoms(r#"contact.a == 1 ? contact.b == 2 : contact.c == -3"#);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].2, CelLiteral::Int(-3));
        assert_eq!(found[1].4, "contact.c == -3");
    }

    #[test]
    fn comprehensions_and_calls_are_not_comparisons() {
        assert!(atoms(r#"order.items.exists(i, i.sku == "X") && size(contact.x) > 2"#).is_empty());
        assert!(atoms("contact.a == contact.b").is_empty());
        assert!(atoms("contact.a + 1 == 2").is_empty());
    }

    #[test]
    fn nested_paths_and_index_keys() {
        let found = atoms(r#"order.billing.city == 'Berlin' && contact["stage"] == "lead""#);
        assert_eq!(found[0].0, "order.billing.city");
        assert_eq!(found[0].4, "order.billing.city == 'Berlin'");
        assert_eq!(found[1].0, "contact.stage");
        assert_eq!(found[1].4, r#"contact["stage"] == "lead""#);
    }

    #[test]
    fn repeated_comparisons_get_their_own_spans() {
        let source = "contact.a == 1 || contact.a == 1";
        let found = comparisons(source);
        assert_eq!(found[0].span, Span::new(0, 14));
        assert_eq!(found[1].span, Span::new(18, 32));
    }

    fn contradiction_messages(source: &str) -> Vec<(String, String, bool)> {
        contradictions(source)
            .into_iter()
            .map(|c| (c.message, text(source, c.span).to_owned(), c.whole))
            .collect()
    }

    #[test]
    fn contradicting_equalities() {
        let found = contradiction_messages(r#"contact.x == "a" && contact.x == "b""#);
        assert_eq!(
            found,
            vec![(
                r#"`contact.x == "a"` and `contact.x == "b"` cannot both be true"#.into(),
                r#"contact.x == "b""#.into(),
                true
            )]
        );
        assert_eq!(
            contradiction_messages("contact.x == 3 && contact.x != 3").len(),
            1
        );
        assert_eq!(
            contradiction_messages(r#"contact.x in ["a", "b"] && contact.x == "c""#).len(),
            1
        );
        assert_eq!(
            contradiction_messages(r#"contact.x in ["a", "b"] && contact.x in ["c"]"#).len(),
            1
        );
    }

    #[test]
    fn contradicting_ranges() {
        let found = contradiction_messages("contact.x > 10 && contact.x < 5");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "contact.x < 5");
        assert_eq!(
            contradiction_messages("contact.x > 5 && contact.x < 5").len(),
            1
        );
        assert_eq!(
            contradiction_messages("contact.x >= 5 && 5 >= contact.x").len(),
            0
        );
        assert_eq!(
            contradiction_messages("contact.x >= 5 && contact.x < 5.0").len(),
            1
        );
        assert_eq!(
            contradiction_messages("contact.x == 3 && contact.x > 4").len(),
            1
        );
    }

    #[test]
    fn satisfiable_conditions_have_none() {
        for source in [
            r#"contact.x == "a" || contact.x == "b""#,
            "contact.x > 1 && contact.x < 5",
            "contact.x != 1 && contact.x != 2",
            r#"contact.x == "a" && contact.y == "b""#,
            "contact.x == 1 && contact.x == 1.0",
            r#"contact.lifecycle_stage in ["mql", "sql", "customer"]"#,
            "contact.x > now",
            "true",
            "contact.last_order_at > contact.cart_abandoned_at",
        ] {
            assert!(contradictions(source).is_empty(), "{source}");
        }
    }

    #[test]
    fn contradictions_inside_alternatives_are_not_whole() {
        let found =
            contradiction_messages(r#"(contact.x == "a" && contact.x == "b") || contact.y == 1"#);
        assert_eq!(found.len(), 1);
        assert!(!found[0].2);
    }

    #[test]
    fn negated_disjunction_is_a_conjunction() {
        let found = contradiction_messages("!(contact.x != 1 || contact.x != 2)");
        assert_eq!(found.len(), 1);
        assert!(found[0].2);
    }

    #[test]
    fn constant_false() {
        let found = contradiction_messages("false");
        assert_eq!(
            found,
            vec![("it is the constant `false`".into(), "false".into(), true)]
        );
        let found = contradiction_messages("contact.x == 1 && false");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "false");
        let found = contradiction_messages("contact.x == true && !true");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "true");
        assert!(contradictions("contact.x == false").is_empty());
        assert!(contradictions("contact.x == 1 || false").is_empty());
    }

    #[test]
    fn required_comparisons_match_the_located_ones() {
        let source =
            r#"contact.a == 1 && (contact.b == 2 || contact.c == 3) && !(contact.d in ["x"])"#;
        let located: Vec<_> = comparisons(source)
            .into_iter()
            .filter(|c| c.required)
            .map(|c| c.to_string())
            .collect();
        let quick: Vec<_> = required_comparisons(source)
            .into_iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(located, quick);
        assert_eq!(quick, vec!["contact.a == 1", r#"contact.d not in ["x"]"#]);
    }

    #[test]
    fn the_quick_reading_agrees_with_the_parser() {
        let parts = [
            r#"contact.stage == "lead""#,
            r#"contact.stage != 'mql'"#,
            r#""lead" == contact.stage"#,
            "contact.score >= 60",
            "contact.score < 10",
            "10 < contact.score",
            "contact.score <= -5",
            "contact.score > 1.5",
            "contact.score == 3u",
            "contact.score == 0x10",
            r#"contact.country in ["DE", "AT"]"#,
            r#"contact.country in ["DE",]"#,
            "contact.tags in []",
            r#""vip" in contact.tags"#,
            r#"contact.stage in "lead""#,
            "has(contact.email)",
            "!has(contact.email)",
            "contact.vip",
            "!contact.vip",
            "order.billing.city == 'Berlin'",
            "true",
            "false",
            "!true",
            "!false",
            "contact.vip == true",
            "contact.x == null",
            r#"contact.x == r"raw\d""#,
            r#"contact.x == "esc\"aped""#,
            r#"contact.x == b"bytes""#,
            "contact.score + 1 > 2",
            "contact.a == contact.b",
            "size(contact.x) > 2",
            "contact.email.endsWith('@acme.example')",
            r#"contact["stage"] == "lead""#,
            "(contact.score > 5)",
            "contact.score > 5 || contact.score < 2",
            "!(contact.score > 5)",
            "contact.tags.exists(t, t == 'x')",
        ];
        let mut sources: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
        for a in &parts {
            for b in &parts {
                sources.push(format!("{a} && {b}"));
            }
        }
        sources.push("contact.score > 10 && contact.vip && contact.score < 5 && false".into());
        sources.push("  contact.score > 10 &&\n  contact.score < 5  ".into());
        let mut quick_used = 0;
        for source in &sources {
            let Some(tokens) = admit(source) else {
                continue;
            };
            let expected = slow(source, &tokens);
            if Quick::read(source, &tokens).is_some() {
                quick_used += 1;
            }
            assert_eq!(condition_logic(source), expected, "{source}");
            let required: Vec<_> = expected
                .comparisons
                .iter()
                .filter(|c| c.required)
                .map(ToString::to_string)
                .collect();
            let quick: Vec<_> = required_comparisons(source)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(quick, required, "{source}");
        }
        assert!(quick_used > 500, "{quick_used}");
    }

    #[test]
    fn admits_values() {
        let c = &comparisons(r#"contact.stage == "lead""#)[0];
        assert_eq!(c.admits(&s("lead")), Some(true));
        assert_eq!(c.admits(&s("mql")), Some(false));
        let c = &comparisons("contact.score >= 60")[0];
        assert_eq!(c.admits(&CelLiteral::Int(59)), Some(false));
        assert_eq!(c.admits(&CelLiteral::Double(60.0)), Some(true));
        assert_eq!(c.admits(&s("x")), None);
        let c = &comparisons(r#"contact.stage in ["a", "b"]"#)[0];
        assert_eq!(c.admits(&s("b")), Some(true));
        assert_eq!(
            CelLiteral::from_literal(&Literal::String("a".into())),
            s("a")
        );
    }

    #[test]
    fn invalid_and_hostile_input_yields_nothing() {
        assert_eq!(condition_logic("contact.x =="), ConditionLogic::default());
        assert_eq!(condition_logic(""), ConditionLogic::default());
        let deep = format!("{}true{}", "(".repeat(90), ")".repeat(90));
        let _ = condition_logic(&deep);
        let long_chain = vec!["contact.x == 1"; 150].join(" && ");
        let found = condition_logic(&long_chain);
        assert_eq!(found.comparisons.len(), 150);
        assert!(found.contradictions.is_empty());
        let nots = format!("{}contact.x == 1", "!".repeat(500));
        let _ = condition_logic(&nots);
        let source = "'é' == contact.x && contact.x == 'ü'";
        for c in comparisons(source) {
            assert!(source.is_char_boundary(c.span.start as usize));
            assert!(source.is_char_boundary(c.span.end as usize));
        }
        assert_eq!(contradictions(source).len(), 1);
    }

    #[test]
    fn operator_budget_shapes_fit_a_small_stack() {
        let n = MAX_CONDITION_OPERATORS;
        let shapes = vec![
            format!("{}contact.c == 1", "contact.a == 1 ? true : ".repeat(n / 6)),
            format!("{}contact.c == 1", "contact.a == 1 && ".repeat(n / 6)),
            format!("{}contact.c == 1", "contact.a == 1 || !".repeat(n / 7)),
            format!("contact{} == 1", ".b".repeat(n - 3)),
            format!("contact.a in {}1{}", "[".repeat(n / 2), "]".repeat(n / 2)),
        ];
        for source in shapes {
            let handle = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || {
                    let _ = condition_logic(&source);
                })
                .unwrap();
            handle.join().unwrap();
        }
    }
}
