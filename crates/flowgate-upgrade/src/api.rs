//! What an integration calls of a system's API (its declared `api_calls`): each operation and
//! field checked against the contracts of the system's current version, and the changes of
//! an upgrade that touch exactly those operations and fields.

use crate::uses::{nearest, Problem, UseKind};
use flowgate_contract::lookup::parse_operation;
use flowgate_contract::{Contract, Finding, OperationLookup};
use flowgate_diagnostics::Location;
use flowgate_model::Integration;
use serde::Serialize;

/// One operation an integration calls, and the fields it relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiUse {
    /// `GET /V1/orders/{id}`, as declared.
    pub operation: String,
    /// Dotted paths into the request body, the responses or parameter names.
    pub fields: Vec<String>,
}

/// A change between two versions of the API on what an integration calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiChange {
    /// The check id (`api-removed-without-deprecation`).
    pub check: String,
    /// `breaking` or `warning`.
    pub level: &'static str,
    /// The operation as the contract writes it (`GET /V1/orders/{id}`).
    pub operation: String,
    /// The body field the change is on (`items[].sku`), none for the operation as a whole.
    pub field: Option<String>,
    /// What changed.
    pub message: String,
    /// Where it is in the current version's contract.
    pub old: Option<Location>,
    /// Where it is in the new version's contract.
    pub new: Option<Location>,
}

/// The operations `integration` declares for `system`.
pub fn api_uses(integration: &Integration, system: &str) -> Vec<ApiUse> {
    integration
        .api_calls
        .iter()
        .filter(|c| c.system.value == system)
        .map(|c| ApiUse {
            operation: c.operation.value.clone(),
            fields: c.fields.iter().map(|f| f.value.clone()).collect(),
        })
        .collect()
}

fn span(located: &flowgate_model::Located<String>) -> (usize, usize) {
    (located.span.start as usize, located.span.end as usize)
}

/// What `integration` declares of `system`'s API that none of `contracts` (the current
/// version's) has: an operation, or a field of an operation. Nothing is checked without a
/// contract.
pub fn unknown_calls(
    integration: &Integration,
    system: &str,
    contracts: &[Contract<'_>],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if contracts.is_empty() {
        return problems;
    }
    for call in integration
        .api_calls
        .iter()
        .filter(|c| c.system.value == system)
    {
        let text = call.operation.value.as_str();
        let mut nearest_ops = Vec::new();
        let mut malformed = false;
        let found = contracts.iter().find_map(|c| match c.operation(text) {
            Ok(op) => Some(op),
            Err(OperationLookup::Malformed) => {
                malformed = true;
                None
            }
            Err(OperationLookup::Missing(near)) => {
                nearest_ops.extend(near);
                None
            }
        });
        let Some(op) = found else {
            let (message, help) = if malformed {
                (
                    format!("operation `{text}` is not METHOD /path"),
                    "write the HTTP method and the path template, as in `GET /V1/orders/{id}`"
                        .to_owned(),
                )
            } else {
                nearest_ops.truncate(5);
                (
                    format!("operation `{text}` is not in {system}'s API contract"),
                    format!(
                        "the contract has no such method and path (parameter names do not matter); the nearest operations: {}",
                        nearest_ops.join(", ")
                    ),
                )
            };
            problems.push(Problem {
                kind: UseKind::Api,
                span: span(&call.operation),
                message,
                help,
            });
            continue;
        };
        for field in &call.fields {
            let Err(missing) = op.field(&field.value) else {
                continue;
            };
            let place = if missing.found.is_empty() {
                "its request body and responses".to_owned()
            } else {
                format!("`{}`", missing.found)
            };
            let names: Vec<String> = missing.names.clone();
            let last = field.value.rsplit('.').next().unwrap_or_default();
            let near = nearest(last.trim_end_matches("[]"), names.iter());
            let help = if near.is_empty() {
                format!("{place} has no properties to rely on; fields are dotted paths from the request or response body, `[]` for array items (`items[].sku`)")
            } else {
                format!(
                    "{place} has no such property; the nearest names: {}",
                    near.join(", ")
                )
            };
            problems.push(Problem {
                kind: UseKind::Api,
                span: span(field),
                message: format!(
                    "field `{}` is not in {} of {system}'s API contract",
                    field.value,
                    op.name()
                ),
                help,
            });
        }
    }
    problems
}

/// Whether a change on `changed` (a body field, none: the operation) touches an integration
/// relying on `declared`: the same field, a field inside it, or one that holds it.
fn field_touches(changed: Option<&str>, declared: &[String]) -> bool {
    let Some(changed) = changed else {
        return true;
    };
    let within = |inner: &str, outer: &str| {
        inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with(['.', '[']))
    };
    declared
        .iter()
        .any(|d| within(d, changed) || within(changed, d))
}

/// The breaking and warning findings that touch the operations and fields of `uses`.
pub fn changes_on(uses: &[ApiUse], findings: &[Finding]) -> Vec<ApiChange> {
    let mut changes = Vec::new();
    for finding in findings {
        if finding.level == flowgate_contract::Level::Info {
            continue;
        }
        // A document-wide change (top-level security) touches every caller.
        let (touched, operation) = match &finding.operation {
            None => (!uses.is_empty(), "every operation".to_owned()),
            Some(op) => {
                let key = parse_operation(&format!("{} {}", op.method, op.path));
                let touched = uses.iter().any(|u| {
                    parse_operation(&u.operation).is_some_and(|k| Some(k) == key)
                        && field_touches(finding.field.as_deref(), &u.fields)
                });
                (touched, format!("{} {}", op.method, op.path))
            }
        };
        if touched {
            changes.push(ApiChange {
                check: finding.id.clone(),
                level: finding.level.as_str(),
                operation,
                field: finding.field.clone(),
                message: finding.message.clone(),
                old: finding.old.clone(),
                new: finding.new.clone(),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::field_touches;

    #[test]
    fn a_change_touches_the_field_those_inside_it_and_those_holding_it() {
        let declared = ["items[].sku".to_owned(), "customer".to_owned()];
        for (changed, touches) in [
            (None, true),
            (Some("items[].sku"), true),
            (Some("items"), true),
            (Some("items[]"), true),
            (Some("customer.email"), true),
            (Some("items[].skus"), false),
            (Some("items_count"), false),
            (Some("items[].name"), false),
            (Some("customers"), false),
        ] {
            assert_eq!(field_touches(changed, &declared), touches, "{changed:?}");
        }
        assert!(!field_touches(Some("sku"), &[]));
    }
}
