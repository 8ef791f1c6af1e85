//! What a rule is: metadata declared in one place, and a check over the model.

use crate::context::{CheckContext, Sink};
use flowgate_diagnostics::Severity;
use std::fmt;

/// The checklist section a rule belongs to; its digit is the first digit of the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Loops, unreachable steps, missing defaults, stranded contacts (FG1xx).
    Logic,
    /// Suppression, quiet hours, consent, unsubscribe, STOP/HELP, senders (FG2xx).
    Compliance,
    /// Field types, descriptions, options, dedupe keys, PII, unused assets (FG3xx).
    DataModel,
    /// Template variables, fallbacks, links, SMS length, subjects, locales (FG4xx).
    Messaging,
    /// Endpoints, secrets, retries, dead letters, alerts, error paths (FG5xx).
    Integrations,
    /// Naming, orphan references, ownership, alert routing (FG6xx).
    Hygiene,
    /// Platform flows of every dialect: unreachable elements, work in loops, fault paths,
    /// unused variables, hard-coded URLs and secrets, complexity (FG7xx).
    Flows,
    /// Salesforce Flow specifics: API version, naming, running context, record-trigger
    /// recursion, null handling (FG8xx).
    Salesforce,
}

impl Category {
    /// Every category, in code order.
    pub const ALL: [Category; 8] = [
        Self::Logic,
        Self::Compliance,
        Self::DataModel,
        Self::Messaging,
        Self::Integrations,
        Self::Hygiene,
        Self::Flows,
        Self::Salesforce,
    ];

    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logic => "logic",
            Self::Compliance => "compliance",
            Self::DataModel => "data-model",
            Self::Messaging => "messaging",
            Self::Integrations => "integrations",
            Self::Hygiene => "release-hygiene",
            Self::Flows => "flows",
            Self::Salesforce => "salesforce",
        }
    }

    /// The code prefix (`FG1`).
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Logic => "FG1",
            Self::Compliance => "FG2",
            Self::DataModel => "FG3",
            Self::Messaging => "FG4",
            Self::Integrations => "FG5",
            Self::Hygiene => "FG6",
            Self::Flows => "FG7",
            Self::Salesforce => "FG8",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code (`FG101`); never reused for another meaning.
    pub code: &'static str,
    /// Kebab-case name (`trigger-loop`), accepted wherever a code is.
    pub name: &'static str,
    /// Section of the checklist.
    pub category: Category,
    /// Severity unless configured otherwise.
    pub default_severity: Severity,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// Markdown: What it does / Why is this bad? / Example / How to fix.
    pub doc: &'static str,
    /// The equivalent rule of Lightning Flow Scanner (`APIVersion`), accepted in
    /// configuration wherever a code is, so that a team can keep its rule names.
    pub peer: Option<&'static str>,
}

impl RuleMeta {
    /// Whether `key` names this rule: its code, its name or its peer rule's name, in any
    /// case.
    pub fn answers_to(&self, key: &str) -> bool {
        let key = key.trim();
        [self.code, self.name]
            .into_iter()
            .chain(self.peer)
            .any(|k| k.eq_ignore_ascii_case(key))
    }

    /// Whether `key` selects this rule: a code prefix (`FG7`, `fg7`), or a name.
    pub fn selected_by(&self, key: &str) -> bool {
        let key = key.trim();
        let prefix = !key.is_empty()
            && self
                .code
                .get(..key.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(key));
        prefix || self.answers_to(key)
    }
}

/// A check over the model.
pub trait Rule: Send + Sync {
    /// Identity and documentation.
    fn meta(&self) -> &'static RuleMeta;
    /// Report findings into `sink`.
    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink);
}

/// Declare a rule: a unit struct whose doc comment is also its `flowgate rule` page.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// …
///     pub struct BranchWithoutDefault {
///         code: "FG103",
///         name: "branch-without-default",
///         category: Logic,
///         severity: Warning,
///         summary: "a branch step has no default path",
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            name: $rule_name:literal,
            category: $category:ident,
            severity: $severity:ident,
            summary: $summary:literal
            $(, peer: $peer:literal)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $name {
            /// The rule's metadata.
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                code: $code,
                name: $rule_name,
                category: $crate::Category::$category,
                default_severity: flowgate_diagnostics::Severity::$severity,
                summary: $summary,
                doc: concat!($($doc, "\n"),*),
                peer: $crate::__peer!($($peer)?),
            };
        }
    };
}

/// `Some(name)` or `None`, for [`declare_rule!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __peer {
    () => {
        None
    };
    ($peer:literal) => {
        Some($peer)
    };
}
