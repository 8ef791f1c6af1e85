//! Schema checks: one kind of change (type, nullability, enum, bounds, pattern, default)
//! applied to each place a schema can sit. The id is the place followed by the kind:
//! `request-property-` + `max-length-decreased`.

use super::{Check, Level};
use Level::{Breaking as B, Info as I, Warning as W};

/// Where a schema sits, which decides the id prefix and whether tightening or loosening
/// it breaks clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A parameter's schema.
    RequestParameter,
    /// A property inside a parameter's schema.
    RequestParameterProperty,
    /// A request body's schema.
    RequestBody,
    /// A property inside a request body.
    RequestProperty,
    /// A response body's schema.
    ResponseBody,
    /// A property inside a response body.
    ResponseProperty,
}

/// Every subject.
pub const SUBJECTS: [Subject; 6] = [
    Subject::RequestParameter,
    Subject::RequestParameterProperty,
    Subject::RequestBody,
    Subject::RequestProperty,
    Subject::ResponseBody,
    Subject::ResponseProperty,
];

impl Subject {
    /// The id prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::RequestParameter => "request-parameter",
            Self::RequestParameterProperty => "request-parameter-property",
            Self::RequestBody => "request-body",
            Self::RequestProperty => "request-property",
            Self::ResponseBody => "response-body",
            Self::ResponseProperty => "response-property",
        }
    }

    /// Whether clients write it (requests) rather than read it (responses).
    pub fn is_request(self) -> bool {
        !matches!(self, Self::ResponseBody | Self::ResponseProperty)
    }

    /// The subject of a property inside this one.
    pub fn nested(self) -> Self {
        match self {
            Self::RequestParameter | Self::RequestParameterProperty => {
                Self::RequestParameterProperty
            }
            Self::RequestBody | Self::RequestProperty => Self::RequestProperty,
            Self::ResponseBody | Self::ResponseProperty => Self::ResponseProperty,
        }
    }

    /// What it is, for summaries.
    fn noun(self) -> &'static str {
        match self {
            Self::RequestParameter => "a request parameter",
            Self::RequestParameterProperty => "a property of a request parameter",
            Self::RequestBody => "a request body",
            Self::RequestProperty => "a request body property",
            Self::ResponseBody => "a response body",
            Self::ResponseProperty => "a response body property",
        }
    }
}

/// kind, level in requests, level in responses, what changed, an example.
type Kind = (&'static str, Level, Level, &'static str, &'static str);

/// Every kind of schema change.
pub const KINDS: &[Kind] = &[
    (
        "type-changed",
        B,
        B,
        "the type or format of {} changed",
        "type: integer  →  type: string",
    ),
    (
        "list-of-types-narrowed",
        B,
        I,
        "{} allows fewer of the types it listed",
        "type: [string, integer]  →  type: [string]",
    ),
    (
        "list-of-types-widened",
        I,
        B,
        "{} allows more types than it listed",
        "type: [string]  →  type: [string, integer]",
    ),
    (
        "became-nullable",
        I,
        B,
        "{} may now be null",
        "type: string  →  type: string, nullable: true",
    ),
    (
        "became-not-nullable",
        B,
        I,
        "{} may no longer be null",
        "nullable: true  →  (no nullable)",
    ),
    (
        "became-enum",
        B,
        I,
        "{} is now restricted to an enum",
        "type: string  →  type: string, enum: [new, paid]",
    ),
    (
        "enum-value-removed",
        B,
        I,
        "a value was removed from the enum of {}",
        "enum: [new, paid, shipped]  →  enum: [new, paid]",
    ),
    (
        "enum-value-added",
        I,
        W,
        "a value was added to the enum of {}",
        "enum: [new, paid]  →  enum: [new, paid, shipped]",
    ),
    (
        "max-length-decreased",
        B,
        I,
        "the maxLength of {} decreased",
        "maxLength: 255  →  maxLength: 64",
    ),
    (
        "max-length-increased",
        I,
        W,
        "the maxLength of {} increased",
        "maxLength: 64  →  maxLength: 255",
    ),
    (
        "max-length-set",
        B,
        I,
        "{} got a maxLength",
        "(no maxLength)  →  maxLength: 64",
    ),
    (
        "min-length-increased",
        B,
        I,
        "the minLength of {} increased",
        "minLength: 1  →  minLength: 8",
    ),
    (
        "min-length-decreased",
        I,
        W,
        "the minLength of {} decreased",
        "minLength: 8  →  minLength: 1",
    ),
    (
        "max-decreased",
        B,
        I,
        "the maximum of {} decreased",
        "maximum: 100  →  maximum: 50",
    ),
    (
        "max-increased",
        I,
        W,
        "the maximum of {} increased",
        "maximum: 50  →  maximum: 100",
    ),
    (
        "max-set",
        B,
        I,
        "{} got a maximum",
        "(no maximum)  →  maximum: 100",
    ),
    (
        "min-increased",
        B,
        I,
        "the minimum of {} increased",
        "minimum: 0  →  minimum: 1",
    ),
    (
        "min-decreased",
        I,
        W,
        "the minimum of {} decreased",
        "minimum: 1  →  minimum: 0",
    ),
    (
        "min-set",
        B,
        I,
        "{} got a minimum",
        "(no minimum)  →  minimum: 1",
    ),
    (
        "max-items-decreased",
        B,
        I,
        "the maxItems of {} decreased",
        "maxItems: 100  →  maxItems: 10",
    ),
    (
        "max-items-increased",
        I,
        W,
        "the maxItems of {} increased",
        "maxItems: 10  →  maxItems: 100",
    ),
    (
        "min-items-increased",
        B,
        I,
        "the minItems of {} increased",
        "minItems: 0  →  minItems: 1",
    ),
    (
        "min-items-decreased",
        I,
        W,
        "the minItems of {} decreased",
        "minItems: 1  →  minItems: 0",
    ),
    (
        "pattern-added",
        B,
        I,
        "{} got a pattern",
        "type: string  →  type: string, pattern: '^[A-Z]+$'",
    ),
    (
        "pattern-changed",
        W,
        W,
        "the pattern of {} changed",
        "pattern: '^[A-Z]+$'  →  pattern: '^[A-Z0-9]+$'",
    ),
    (
        "pattern-removed",
        I,
        W,
        "{} lost its pattern",
        "pattern: '^[A-Z]+$'  →  (no pattern)",
    ),
    (
        "default-value-changed",
        W,
        I,
        "the default value of {} changed",
        "default: 10  →  default: 20",
    ),
    (
        "one-of-added",
        I,
        W,
        "a schema was added to the `oneOf` of {}",
        "oneOf: [Card]  →  oneOf: [Card, Invoice]",
    ),
    (
        "one-of-removed",
        B,
        I,
        "a schema was removed from the `oneOf` of {}",
        "oneOf: [Card, Invoice]  →  oneOf: [Card]",
    ),
    (
        "any-of-added",
        I,
        W,
        "a schema was added to the `anyOf` of {}",
        "anyOf: [Card]  →  anyOf: [Card, Invoice]",
    ),
    (
        "any-of-removed",
        B,
        I,
        "a schema was removed from the `anyOf` of {}",
        "anyOf: [Card, Invoice]  →  anyOf: [Card]",
    ),
    (
        "all-of-added",
        B,
        I,
        "a schema was added to the `allOf` of {}",
        "allOf: [Base]  →  allOf: [Base, Audited]",
    ),
    (
        "all-of-removed",
        I,
        W,
        "a schema was removed from the `allOf` of {}",
        "allOf: [Base, Audited]  →  allOf: [Base]",
    ),
];

fn why(subject: Subject, level: Level) -> &'static str {
    match (subject.is_request(), level) {
        (true, Level::Breaking) => "Clients send what the old contract allowed; the new contract rejects some of it, so their requests fail validation.",
        (true, Level::Warning) => "Clients that relied on the old behaviour may now send or get something else than they expect.",
        (true, Level::Info) => "The contract accepts everything it accepted before; existing clients keep working.",
        (false, Level::Breaking) => "Clients read responses by the old contract; a value it did not allow can fail their deserialisation or their logic.",
        (false, Level::Warning) => "Clients may receive values the old contract did not allow and may not handle them.",
        (false, Level::Info) => "Responses stay within what the old contract allowed; existing clients keep working.",
    }
}

fn fix(level: Level) -> &'static str {
    match level {
        Level::Breaking => "Revert the change, accept both forms for a deprecation period, or release a new major version of the API.",
        Level::Warning => "Check that clients handle the change, and document it in the changelog.",
        Level::Info => "Nothing: document it in the changelog.",
    }
}

/// Every schema check.
pub(super) fn checks() -> Vec<Check> {
    let mut checks = Vec::new();
    for subject in SUBJECTS {
        for &(kind, request, response, summary, example) in KINDS {
            let level = if subject.is_request() {
                request
            } else {
                response
            };
            checks.push(Check {
                id: format!("{}-{kind}", subject.prefix()),
                level,
                summary: summary.replace("{}", subject.noun()),
                why: why(subject, level).to_owned(),
                example: example.to_owned(),
                fix: fix(level).to_owned(),
            });
        }
    }
    checks
}
