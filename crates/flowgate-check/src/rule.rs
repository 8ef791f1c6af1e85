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
}

impl Category {
    /// Every category, in code order.
    pub const ALL: [Category; 6] = [
        Self::Logic,
        Self::Compliance,
        Self::DataModel,
        Self::Messaging,
        Self::Integrations,
        Self::Hygiene,
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
            summary: $summary:literal $(,)?
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
            };
        }
    };
}
