//! Codes of the diagnostics the loader reports. A code is never reused for another meaning.
//!
//! | code | meaning |
//! |---|---|
//! | FG001 | a file cannot be read: I/O error, too large, not UTF-8 |
//! | FG002 | YAML, JSON or XML syntax error |
//! | FG003 | unknown field |
//! | FG004 | missing required field |
//! | FG005 | wrong value type |
//! | FG006 | unknown `kind`, step `type` or trigger `type` |
//! | FG007 | duplicate asset id |
//! | FG008 | reference to an asset that does not exist |
//! | FG009 | reference to an asset of the wrong kind |
//! | FG010 | condition (CEL) does not parse or reads an unknown name |
//! | FG011 | template does not parse |
//! | FG012 | invalid value (id, duration, time, time zone, cron, URL, secret reference, …) |
//! | FG013 | broken step graph (duplicate step id, unknown step) |
//! | FG014 | bundle member or selector that matches nothing |
//! | FG015 | invalid `flowgate.toml` |
//! | FG016 | no asset files matched the workspace globs |

/// I/O error, file too large, or not UTF-8.
pub const UNREADABLE: &str = "FG001";
/// YAML, JSON or XML syntax error.
pub const SYNTAX: &str = "FG002";
/// Unknown field.
pub const UNKNOWN_FIELD: &str = "FG003";
/// Missing required field.
pub const MISSING_FIELD: &str = "FG004";
/// Wrong value type.
pub const WRONG_TYPE: &str = "FG005";
/// Unknown kind or type tag.
pub const UNKNOWN_VARIANT: &str = "FG006";
/// Duplicate asset id.
pub const DUPLICATE_ID: &str = "FG007";
/// Dangling reference.
pub const DANGLING_REFERENCE: &str = "FG008";
/// Reference to an asset of the wrong kind.
pub const WRONG_KIND: &str = "FG009";
/// Bad CEL condition.
pub const BAD_CONDITION: &str = "FG010";
/// Bad template.
pub const BAD_TEMPLATE: &str = "FG011";
/// Invalid value.
pub const INVALID_VALUE: &str = "FG012";
/// Broken step graph.
pub const STEP_GRAPH: &str = "FG013";
/// Bundle member or selector matching nothing.
pub const BUNDLE_MEMBER: &str = "FG014";
/// Invalid workspace configuration.
pub const CONFIG: &str = "FG015";
/// No asset files.
pub const NO_ASSETS: &str = "FG016";

/// Every loader code with a one-line meaning, for `flowgate rules` and docs.
pub const ALL: &[(&str, &str)] = &[
    (
        UNREADABLE,
        "a file cannot be read: I/O error, too large, not UTF-8",
    ),
    (SYNTAX, "YAML, JSON or XML syntax error"),
    (UNKNOWN_FIELD, "unknown field"),
    (MISSING_FIELD, "missing required field"),
    (WRONG_TYPE, "wrong value type"),
    (
        UNKNOWN_VARIANT,
        "unknown `kind`, step `type` or trigger `type`",
    ),
    (DUPLICATE_ID, "duplicate asset id"),
    (
        DANGLING_REFERENCE,
        "reference to an asset that does not exist",
    ),
    (WRONG_KIND, "reference to an asset of the wrong kind"),
    (
        BAD_CONDITION,
        "condition (CEL) does not parse or reads an unknown name",
    ),
    (BAD_TEMPLATE, "template does not parse"),
    (
        INVALID_VALUE,
        "invalid value (id, duration, time, time zone, cron, URL, secret reference)",
    ),
    (
        STEP_GRAPH,
        "broken step graph (duplicate step id, unknown step)",
    ),
    (
        BUNDLE_MEMBER,
        "bundle member or selector that matches nothing",
    ),
    (CONFIG, "invalid flowgate.toml"),
    (NO_ASSETS, "no asset files matched the workspace globs"),
];

/// The FG002 diagnostic for a syntax error found by one of the parsers.
pub(crate) fn syntax_error(
    source: &flowgate_diagnostics::SourceText,
    error: flowgate_syntax::SyntaxError,
) -> flowgate_diagnostics::Diagnostic {
    let diagnostic =
        flowgate_diagnostics::Diagnostic::error(SYNTAX, error.message).at(source, error.span);
    match error.help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}
