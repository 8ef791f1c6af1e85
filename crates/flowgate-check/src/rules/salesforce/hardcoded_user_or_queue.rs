use super::support::{child_text, elements, flow_display_name, text_part_span, SfElement};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::flow::{Flow, FlowTrigger};
use flowgate_syntax::{Spanned, XmlElement};
use regex::Regex;
use std::sync::LazyLock;

declare_rule! {
    /// ## What it does
    /// Flags Salesforce flows that name a particular user or queue with a literal string:
    ///
    /// - Get / Update / Delete Records elements and record-trigger entry conditions on
    ///   `User`, `Group` (queues and public groups), `Queue` or `GroupMember` filtered by a
    ///   literal user name, name, email, alias or nickname, or a group's developer name, name
    ///   or email (`EqualTo` / `NotEqualTo`);
    /// - decision, wait and filter conditions, and formulas, that compare the current
    ///   user's or a record owner's identity with a literal (`$User.Username`,
    ///   `$Record.Owner.Name`, `Owner:Group.DeveloperName`, `CreatedBy.Email` …);
    /// - `OwnerId` set to a literal that is not a record id.
    ///
    /// Values that come from a variable, a constant, a custom label, custom metadata or a
    /// formula are not flagged, and neither are other filters (`Type` = `Queue`,
    /// `IsActive` = true). Literal record ids are `hardcoded-id` (FG807).
    ///
    /// ## Why is this bad?
    /// People leave, change their email and get renamed; queues are renamed and
    /// reorganised; sandboxes append `.uat` to every user name. A flow that routes cases to
    /// the queue named "Tier 2 Support" or skips a step for `jane.doe@acme.com` breaks
    /// silently on the day that changes, and behaves differently in every sandbox. The
    /// routing rules are also invisible to admins, who maintain users and queues in Setup,
    /// not in flows.
    ///
    /// ## Example
    /// ```xml
    /// <recordLookups>
    ///     <name>Get_Support_Queue</name>
    ///     <filters>
    ///         <field>DeveloperName</field>
    ///         <operator>EqualTo</operator>
    ///         <value><stringValue>Tier_2_Support</stringValue></value>
    ///     </filters>
    ///     <object>Group</object>
    /// </recordLookups>
    /// ```
    ///
    /// ## How to fix
    /// Keep the name where admins maintain it, and read it from there: a custom metadata
    /// record, a custom setting or a custom label, or a flow input variable:
    /// ```xml
    ///         <value><elementReference>$Label.Support_Queue</elementReference></value>
    /// ```
    /// Better still, route with assignment rules or omni-channel routing.
    pub struct HardcodedUserOrQueue {
        code: "FG818",
        name: "hardcoded-user-or-queue",
        category: Salesforce,
        severity: Warning,
        summary: "a Salesforce flow names a user or queue with a literal string",
    }
}

/// Fields of a user that identify one person.
const USER_FIELDS: &[&str] = &[
    "Username",
    "Name",
    "Email",
    "Alias",
    "CommunityNickname",
    "FirstName",
    "LastName",
    "FederationIdentifier",
];

/// Fields of a group or queue that identify one.
const GROUP_FIELDS: &[&str] = &["DeveloperName", "Name", "Email"];

/// Relationships from a record to a user (`CreatedBy.Email`).
const USER_RELATIONSHIPS: &[&str] = &["$User", "CreatedBy", "LastModifiedBy", "Manager"];

/// Operators that compare with one exact identity.
const EXACT_OPERATORS: &[&str] = &["EqualTo", "NotEqualTo"];

/// Whom a field identifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity {
    User,
    Queue,
    UserOrQueue,
}

impl Identity {
    /// The identity of records of `object`, for filters on its fields.
    fn of_object(object: &str) -> Option<Self> {
        match object.trim() {
            o if o.eq_ignore_ascii_case("User") => Some(Self::User),
            o if ["Group", "Queue", "GroupMember"]
                .iter()
                .any(|g| o.eq_ignore_ascii_case(g)) =>
            {
                Some(Self::Queue)
            }
            _ => None,
        }
    }

    /// Whether `field` identifies one user or queue.
    fn identifies(self, field: &str) -> bool {
        let in_list = |list: &[&str]| list.iter().any(|f| f.eq_ignore_ascii_case(field));
        match self {
            Self::User => in_list(USER_FIELDS),
            Self::Queue => in_list(GROUP_FIELDS),
            Self::UserOrQueue => in_list(USER_FIELDS) || in_list(GROUP_FIELDS),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Queue => "queue or group",
            Self::UserOrQueue => "user or queue",
        }
    }
}

/// Whom a reference such as `$User.Username`, `$Record.Owner:Group.DeveloperName` or
/// `Get_Case.Owner.Name` identifies, if it is the identity field of a user or queue.
/// `$Record.<field>` counts when the flow is triggered on `User` or `Group`.
fn identity_of_reference(reference: &str, trigger: Option<Identity>) -> Option<Identity> {
    let reference = reference.trim();
    let (path, field) = reference.rsplit_once('.')?;
    let parent = path.rsplit('.').next().unwrap_or(path);
    let (relationship, kind) = match parent.split_once(':') {
        Some((relationship, kind)) => (relationship, Some(kind)),
        None => (parent, None),
    };
    let identity = if USER_RELATIONSHIPS
        .iter()
        .any(|r| relationship.eq_ignore_ascii_case(r))
    {
        Identity::User
    } else if relationship.eq_ignore_ascii_case("Owner") {
        match kind {
            Some(kind) if kind.eq_ignore_ascii_case("User") => Identity::User,
            Some(kind) if kind.eq_ignore_ascii_case("Group") => Identity::Queue,
            _ => Identity::UserOrQueue,
        }
    } else if path.eq_ignore_ascii_case("$Record") {
        trigger?
    } else {
        return None;
    };
    identity.identifies(field).then_some(identity)
}

/// A literal string value (`<value><stringValue>…`), not empty and without merge fields.
fn literal(value: Option<&XmlElement>) -> Option<&Spanned<String>> {
    let text = child_text(value?, "stringValue")?;
    let trimmed = text.value.trim();
    (!trimmed.is_empty() && !trimmed.contains("{!")).then_some(text)
}

/// Whether a literal has the shape of a record id (15 or 18 letters and digits): those are
/// FG807's.
fn looks_like_id(text: &str) -> bool {
    let text = text.trim();
    matches!(text.len(), 15 | 18)
        && text.bytes().all(|b| b.is_ascii_alphanumeric())
        && text.bytes().any(|b| b.is_ascii_digit())
}

/// One finding: where, and what to say after "`element` in flow `f` ".
struct Hit {
    span: Span,
    what: String,
}

/// The hard-coded identities in one element (or the start element).
fn element_hits(element: &SfElement<'_>, trigger: Option<Identity>) -> Vec<Hit> {
    let mut hits = Vec::new();
    // Filters of an element (or entry conditions) on users or queues.
    if let Some(identity) = element
        .xml
        .child_text("object")
        .and_then(Identity::of_object)
    {
        for filter in element.xml.children_named("filters") {
            let field = filter
                .child_text("field")
                .map(str::trim)
                .unwrap_or_default();
            let operator = filter.child_text("operator").map(str::trim);
            let Some(value) = literal(filter.child("value")) else {
                continue;
            };
            if identity.identifies(field) && operator.is_some_and(|o| EXACT_OPERATORS.contains(&o))
            {
                hits.push(Hit {
                    span: value.span,
                    what: format!(
                        "selects a {} by the hard-coded {field} `{}`",
                        identity.noun(),
                        value.value.trim()
                    ),
                });
            }
        }
    }
    // Conditions (decision outcomes, wait events) comparing an identity with a literal.
    for condition in element
        .xml
        .descendants()
        .filter(|xml| xml.name.value == "conditions")
    {
        let Some(left) = condition.child_text("leftValueReference") else {
            continue;
        };
        let Some(identity) = identity_of_reference(left, trigger) else {
            continue;
        };
        let operator = condition.child_text("operator").map(str::trim);
        let Some(value) = literal(condition.child("rightValue")) else {
            continue;
        };
        if operator.is_some_and(|o| EXACT_OPERATORS.contains(&o)) {
            hits.push(Hit {
                span: value.span,
                what: format!(
                    "compares `{}` with the hard-coded {} `{}`",
                    left.trim(),
                    identity.noun(),
                    value.value.trim()
                ),
            });
        }
    }
    // `OwnerId` set to a literal that is not an id (record fields, or assignments to
    // `record.OwnerId`).
    let owner_values = element
        .xml
        .children_named("inputAssignments")
        .filter(|a| {
            a.child_text("field")
                .is_some_and(|f| f.trim().eq_ignore_ascii_case("OwnerId"))
        })
        .chain(element.xml.children_named("assignmentItems").filter(|a| {
            a.child_text("assignToReference").is_some_and(|r| {
                r.trim()
                    .rsplit('.')
                    .next()
                    .is_some_and(|f| f.eq_ignore_ascii_case("OwnerId"))
            })
        }))
        .filter_map(|a| literal(a.child("value")));
    for value in owner_values {
        if !looks_like_id(&value.value) {
            hits.push(Hit {
                span: value.span,
                what: format!(
                    "sets `OwnerId` to the literal `{}`, a name rather than a user or queue id",
                    value.value.trim()
                ),
            });
        }
    }
    hits
}

/// Comparisons of an identity reference with a string literal in formula text
/// (`{!$User.Username} = "ops@acme.com"`, either way round): reference and literal are
/// groups 1 and 2, or 4 and 3.
static FORMULA_COMPARISON: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // Merge-field names are ASCII (Salesforce API names): `[A-Za-z0-9_]` rather than `\w`,
    // whose Unicode class made this the costliest expression to compile (4.4 ms vs 0.14 ms).
    let reference = r"\{?!?\s*(\$?[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z0-9_]+)?(?:\.[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z0-9_]+)?)+)\s*\}?";
    let literal = r#"["']([^"'{}]+)["']"#;
    let compare = r"\s*(?:==?|<>|!=)\s*";
    Regex::new(&format!(
        "{reference}{compare}{literal}|{literal}{compare}{reference}"
    ))
    .ok()
});

/// The hard-coded identities in a formula text.
fn formula_hits(flow: &Flow, text: &Spanned<String>, trigger: Option<Identity>) -> Vec<Hit> {
    let Some(pattern) = FORMULA_COMPARISON.as_ref() else {
        return Vec::new();
    };
    pattern
        .captures_iter(&text.value)
        .filter_map(|captures| {
            let (reference, literal) = match (captures.get(1), captures.get(2)) {
                (Some(reference), Some(literal)) => (reference, literal),
                _ => (captures.get(4)?, captures.get(3)?),
            };
            let identity = identity_of_reference(reference.as_str(), trigger)?;
            Some(Hit {
                span: text_part_span(flow, text, literal.start(), literal.as_str()),
                what: format!(
                    "compares `{}` with the hard-coded {} `{}`",
                    reference.as_str(),
                    identity.noun(),
                    literal.as_str()
                ),
            })
        })
        .collect()
}

impl Rule for HardcodedUserOrQueue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, root) in ctx.salesforce_flows() {
            let trigger = match &flow.trigger {
                FlowTrigger::Record {
                    object: Some(object),
                    ..
                } => Identity::of_object(object),
                _ => None,
            };
            let name = flow_display_name(ctx, asset);
            let mut hits: Vec<(Option<&str>, Hit)> = Vec::new();
            for element in elements(flow, root) {
                let owner = (!element.is_start()).then(|| element.name());
                hits.extend(
                    element_hits(&element, trigger)
                        .into_iter()
                        .map(|h| (owner, h)),
                );
                let formulas = ["filterFormula", "formulaExpression"]
                    .iter()
                    .flat_map(|tag| {
                        element
                            .xml
                            .descendants()
                            .filter(move |x| x.name.value == *tag)
                    })
                    .filter_map(|x| x.text.as_ref());
                for text in formulas {
                    hits.extend(
                        formula_hits(flow, text, trigger)
                            .into_iter()
                            .map(|h| (owner, h)),
                    );
                }
            }
            for formula in root.children_named("formulas") {
                let owner = formula.child_text("name").map(str::trim);
                if let Some(text) = child_text(formula, "expression") {
                    hits.extend(
                        formula_hits(flow, text, trigger)
                            .into_iter()
                            .map(|h| (owner, h)),
                    );
                }
            }
            for (owner, hit) in hits {
                let subject = match owner {
                    Some(owner) => format!("`{owner}` in flow `{name}`"),
                    None => format!("the start of flow `{name}`"),
                };
                let finding = sink
                    .report(asset, hit.span, format!("{subject} {}", hit.what))
                    .help(
                        "users and queues differ between orgs and change over time: read the \
                         name from custom metadata, a custom setting or label, or an input \
                         variable (or route with assignment rules) instead of writing it in \
                         the flow",
                    );
                if let Some(owner) = owner {
                    finding.element(owner);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{identity_of_reference, Identity};

    #[test]
    fn references_to_identities() {
        let user = Some(Identity::User);
        for (reference, trigger, expected) in [
            ("$User.Username", None, user),
            ("$User.Id", None, None),
            ("$Record.Owner.Name", None, Some(Identity::UserOrQueue)),
            (
                "$Record.Owner:Group.DeveloperName",
                None,
                Some(Identity::Queue),
            ),
            ("$Record.Owner:Group.Username", None, None),
            ("Get_Case.CreatedBy.Email", None, user),
            ("$Record.Username", user, user),
            ("$Record.Username", None, None),
            ("$Record.Name", None, None),
            ("Get_Account.Name", None, None),
            ("Name", user, None),
        ] {
            assert_eq!(
                identity_of_reference(reference, trigger),
                expected,
                "{reference}"
            );
        }
    }
}
