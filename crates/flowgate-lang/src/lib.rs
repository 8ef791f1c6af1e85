//! Analysis of the languages embedded in flowgate assets.
//!
//! * **Conditions** are written in the Common Expression Language (CEL), e.g.
//!   `contact.lifecycle_stage == "lead" && contact.country in ["DE", "AT"]`.
//!   [`analyse_condition`] parses one and lists the data fields it reads.
//! * **Templates** (email subjects and bodies, SMS text) are written in MiniJinja, a Jinja2
//!   dialect, e.g. `Hi {{ contact.first_name | default("there") }}`. [`analyse_template`]
//!   parses one and lists the variables it uses and whether each has a fallback;
//!   [`template_links`] lists the links it contains.
//! * **Condition logic**: [`condition_logic`] lists the comparisons of data fields with literal
//!   values a condition makes (and which of them must hold), and the conjunctions in it that can
//!   never be true.
//!
//! Every function works on untrusted text: it never panics, bounds its work, and reports
//! problems as [`LangError`]s whose spans are byte offsets relative to the start of the text.
#![forbid(unsafe_code)]

mod cel_lex;
mod comparisons;
mod condition;
mod links;
mod preview;
mod template;
mod template_names;

use std::fmt;

use flowgate_diagnostics::Span;

pub use comparisons::{
    comparisons, condition_logic, contradictions, required_comparisons, CelLiteral, CompareOp,
    Comparison, ConditionLogic, Contradiction,
};
pub use condition::{analyse_condition, MAX_CONDITION_LEN, MAX_CONDITION_OPERATORS};
pub use links::template_links;
pub use preview::{render_preview, sample_context};
pub use template::{analyse_template, MAX_TAG_TOKENS, MAX_TEMPLATE_LEN};

/// A problem in embedded text; `span` is relative to the start of the text (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LangError {
    /// Where the problem is, in bytes from the start of the analysed text.
    pub span: Span,
    /// What is wrong, starting in lower case, without a trailing period.
    pub message: String,
    /// What to do about it, when there is something specific to say.
    pub help: Option<String>,
}

impl LangError {
    /// A problem at `span`.
    pub fn new(span: Span, message: impl Into<String>, help: Option<String>) -> Self {
        Self {
            span,
            message: message.into(),
            help,
        }
    }
}

impl fmt::Display for LangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (bytes {}..{})",
            self.message, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for LangError {}
