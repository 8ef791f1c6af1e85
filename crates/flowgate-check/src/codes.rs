//! The central table of check codes. A code, once given, keeps its meaning forever: a retired
//! rule's code stays here marked `retired` and is never given to another rule. A test checks
//! that the registry and this table agree.

/// Status of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeStatus {
    /// A rule with this code exists.
    Active,
    /// The rule was removed; the code is not reused.
    Retired,
}

/// `(code, rule name, status)`, in code order.
pub const CODES: &[(&str, &str, CodeStatus)] = &[
    // Logic
    ("FG101", "trigger-loop", CodeStatus::Active),
    ("FG102", "unreachable-step", CodeStatus::Active),
    ("FG103", "branch-without-default", CodeStatus::Active),
    ("FG104", "stranding-wait", CodeStatus::Active),
    ("FG105", "split-not-100", CodeStatus::Active),
    ("FG106", "condition-never-true", CodeStatus::Active),
    // Compliance
    ("FG201", "send-without-suppression", CodeStatus::Active),
    ("FG202", "sms-without-quiet-hours", CodeStatus::Active),
    ("FG203", "send-without-consent", CodeStatus::Active),
    ("FG204", "email-without-unsubscribe", CodeStatus::Active),
    ("FG205", "sms-without-stop-help", CodeStatus::Active),
    ("FG206", "consent-without-audit-fields", CodeStatus::Active),
    (
        "FG207",
        "marketing-without-frequency-cap",
        CodeStatus::Active,
    ),
    ("FG208", "unverified-sender", CodeStatus::Active),
    // Data model
    ("FG301", "field-without-type", CodeStatus::Active),
    ("FG302", "field-without-description", CodeStatus::Active),
    ("FG303", "field-without-default", CodeStatus::Active),
    ("FG304", "enum-without-options", CodeStatus::Active),
    ("FG305", "form-without-dedupe-key", CodeStatus::Active),
    ("FG306", "inconsistent-utm-capture", CodeStatus::Active),
    ("FG307", "unflagged-pii", CodeStatus::Active),
    ("FG308", "unused-asset", CodeStatus::Active),
    // Messaging
    ("FG401", "undefined-template-variable", CodeStatus::Active),
    ("FG402", "variable-without-fallback", CodeStatus::Active),
    ("FG403", "malformed-link", CodeStatus::Active),
    ("FG404", "insecure-link", CodeStatus::Active),
    ("FG405", "link-without-utm", CodeStatus::Active),
    ("FG406", "sms-too-long", CodeStatus::Active),
    ("FG407", "bad-subject-length", CodeStatus::Active),
    ("FG408", "locale-variables-differ", CodeStatus::Active),
    // Integrations
    ("FG501", "nonprod-endpoint-targets-prod", CodeStatus::Active),
    ("FG502", "literal-secret", CodeStatus::Active),
    ("FG503", "insecure-endpoint", CodeStatus::Active),
    ("FG504", "webhook-without-retries", CodeStatus::Active),
    ("FG505", "webhook-without-dead-letter", CodeStatus::Active),
    ("FG506", "webhook-without-alert", CodeStatus::Active),
    (
        "FG507",
        "webhook-step-without-error-path",
        CodeStatus::Active,
    ),
    ("FG508", "direct-database-integration", CodeStatus::Active),
    ("FG509", "integration-without-owner", CodeStatus::Active),
    (
        "FG510",
        "undocumented-timing-assumption",
        CodeStatus::Active,
    ),
    ("FG511", "silent-integration-failure", CodeStatus::Active),
    (
        "FG512",
        "queue-consumer-without-dead-letter",
        CodeStatus::Active,
    ),
    ("FG513", "inbound-without-conflict-rule", CodeStatus::Active),
    (
        "FG514",
        "coupling-to-fragile-integration",
        CodeStatus::Active,
    ),
    (
        "FG515",
        "integration-refactor-candidate",
        CodeStatus::Active,
    ),
    // Release hygiene
    ("FG601", "naming-convention", CodeStatus::Active),
    ("FG602", "orphan-reference", CodeStatus::Active),
    ("FG603", "workflow-without-owner", CodeStatus::Active),
    ("FG604", "workflow-without-description", CodeStatus::Active),
    ("FG605", "bundle-without-alert", CodeStatus::Active),
    // Platform flows
    ("FG701", "unreachable-element", CodeStatus::Active),
    ("FG702", "missing-fault-path", CodeStatus::Active),
    ("FG703", "unused-variable", CodeStatus::Active),
    ("FG704", "dml-in-loop", CodeStatus::Active),
    ("FG705", "query-in-loop", CodeStatus::Active),
    ("FG706", "action-in-loop", CodeStatus::Active),
    ("FG707", "hardcoded-url", CodeStatus::Active),
    ("FG708", "flow-literal-secret", CodeStatus::Active),
    ("FG709", "cyclomatic-complexity", CodeStatus::Active),
    // Salesforce flows
    ("FG801", "api-version", CodeStatus::Active),
    ("FG802", "auto-layout", CodeStatus::Active),
    ("FG803", "copy-api-name", CodeStatus::Active),
    ("FG804", "flow-description", CodeStatus::Active),
    ("FG805", "flow-name", CodeStatus::Active),
    ("FG806", "get-record-all-fields", CodeStatus::Active),
    ("FG807", "hardcoded-id", CodeStatus::Active),
    ("FG808", "duplicate-dml-operation", CodeStatus::Active),
    ("FG809", "missing-null-handler", CodeStatus::Active),
    ("FG810", "process-builder", CodeStatus::Active),
    ("FG811", "recursive-after-update", CodeStatus::Active),
    ("FG812", "same-record-field-updates", CodeStatus::Active),
    ("FG813", "trigger-order", CodeStatus::Active),
    ("FG814", "unsafe-running-context", CodeStatus::Active),
    ("FG815", "inactive-flow", CodeStatus::Active),
    (
        "FG816",
        "record-trigger-without-entry-criteria",
        CodeStatus::Active,
    ),
    ("FG817", "cross-flow-recursion", CodeStatus::Active),
    ("FG818", "hardcoded-user-or-queue", CodeStatus::Active),
    (
        "FG819",
        "subflow-dml-without-fault-path",
        CodeStatus::Active,
    ),
];
