//! The upgrade plan: for each integration that touches the system, the schema changes between
//! the two versions on the tables and columns it uses, its validation steps, and a phase.
//! Phases follow the usual order of a platform upgrade: integrations that only read before
//! those that write back, outbound before inbound, low volume before high, and the safe zone
//! (orders, stock, payments, customers) last, each after a parallel run.

use crate::api::{api_uses, changes_on, unknown_calls, ApiChange, ApiUse};
use crate::contracts::Contracts;
use crate::uses::{column_uses, ColumnUse, Problem};
use flowgate_contract::{Contract, Document, Failure, Finding};
use flowgate_dbschema::{diff, Level, Schema, SchemaChange};
use flowgate_model::{AssetSpec, Direction, Integration, Model};
use serde::Serialize;

/// One integration's part of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    /// The integration.
    pub integration: String,
    /// Its name.
    pub name: String,
    /// Whether it writes into the system (it is the target, or declares write access).
    pub writes: bool,
    /// Its direction.
    pub direction: String,
    /// Its peak volume per hour, when known.
    pub peak_per_hour: Option<u64>,
    /// Whether it is in the safe zone.
    pub safe_zone: bool,
    /// What it uses of the system's database.
    pub uses: Vec<ColumnUse>,
    /// The breaking and warning schema changes on what it uses (additions break nothing).
    pub schema_changes: Vec<SchemaChange>,
    /// The operations of the system's API it calls, with the fields it relies on.
    pub api_calls: Vec<ApiUse>,
    /// The breaking and warning API changes on those operations and fields.
    pub api_changes: Vec<ApiChange>,
    /// Breaking changes among the schema and API changes.
    pub breaking: usize,
    /// Its phase (1 first).
    pub phase: u8,
    /// What to check after the upgrade, as the integration says.
    pub validation: Vec<String>,
    /// What it names that the current version does not have.
    pub problems: Vec<Problem>,
}

/// A phase of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    /// 1 to 4.
    pub number: u8,
    /// What it holds and how to go about it.
    pub title: &'static str,
    /// Its integrations, lowest volume first.
    pub integrations: Vec<String>,
}

/// The plan for upgrading `system` from one version to another.
#[derive(Debug, Clone, Serialize)]
pub struct UpgradePlan {
    /// The system.
    pub system: String,
    /// Its version now.
    pub from: String,
    /// The version upgraded to.
    pub to: String,
    /// Every schema change between the versions.
    pub schema_changes: usize,
    /// The API contracts compared (current version's, new version's).
    pub api_contracts: Vec<(String, String)>,
    /// Every API change between the versions (info included).
    pub api_changes: usize,
    /// Per integration touching the system.
    pub integrations: Vec<Impact>,
    /// The integrations in order.
    pub phases: Vec<Phase>,
}

const PHASES: [&str; 4] = [
    "read-only, outbound: start here",
    "read-only, inbound or both ways",
    "write back into the system",
    "safe zone (orders, stock, payments, customers): parallel run first, then switch",
];

/// What both versions say, compared.
struct Compared<'c> {
    changes: Vec<SchemaChange>,
    findings: Vec<Finding>,
    current_schema: Option<&'c Schema>,
    current_apis: Vec<Contract<'c>>,
}

/// The API contracts of both versions, paired: the only one of each, else by file name.
fn pairs<'c>(from: &'c [Document], to: &'c [Document]) -> Vec<(&'c Document, &'c Document)> {
    if let ([old], [new]) = (from, to) {
        return vec![(old, new)];
    }
    let name = |d: &Document| {
        std::path::Path::new(d.path())
            .file_name()
            .map(|n| n.to_owned())
    };
    from.iter()
        .filter_map(|old| {
            let new = to.iter().find(|new| name(new) == name(old))?;
            Some((old, new))
        })
        .collect()
}

/// The plan for upgrading `system` from the version of `from` to that of `to`: schema
/// changes when both have a schema tree, API changes for each pair of contracts. A contract
/// with a broken `$ref` fails the plan, located.
pub fn plan(
    model: &Model,
    system: &str,
    from: &Contracts,
    to: &Contracts,
) -> Result<UpgradePlan, Failure> {
    let changes = match (&from.schema, &to.schema) {
        (Some(old), Some(new)) => diff(old, new),
        _ => Vec::new(),
    };
    let mut findings = Vec::new();
    let mut api_contracts = Vec::new();
    for (old, new) in pairs(&from.apis, &to.apis) {
        findings.extend(flowgate_contract::diff(old, new)?.findings);
        api_contracts.push((old.path().to_owned(), new.path().to_owned()));
    }
    let compared = Compared {
        changes,
        findings,
        current_schema: from.schema.as_ref(),
        current_apis: from.apis.iter().map(Contract::new).collect(),
    };
    let mut integrations: Vec<Impact> = model
        .assets()
        .iter()
        .filter_map(|a| match &a.spec {
            AssetSpec::Integration(i) if touches(i, system) => Some(impact(
                (a.id.value.as_str(), a.name.as_deref()),
                i,
                system,
                &compared,
            )),
            _ => None,
        })
        .collect();
    integrations.sort_by_key(|i| {
        (
            i.phase,
            i.peak_per_hour.unwrap_or(u64::MAX),
            i.integration.clone(),
        )
    });
    Ok(UpgradePlan {
        system: system.to_owned(),
        from: from.version.clone(),
        to: to.version.clone(),
        schema_changes: compared.changes.len(),
        api_contracts,
        api_changes: compared.findings.len(),
        phases: phases(&integrations),
        integrations,
    })
}

fn phases(integrations: &[Impact]) -> Vec<Phase> {
    (1..=4u8)
        .map(|number| Phase {
            number,
            title: PHASES[usize::from(number - 1)],
            integrations: integrations
                .iter()
                .filter(|i| i.phase == number)
                .map(|i| i.integration.clone())
                .collect(),
        })
        .filter(|p| !p.integrations.is_empty())
        .collect()
}

fn touches(i: &Integration, system: &str) -> bool {
    i.source.value.as_str() == system
        || i.target.value.as_str() == system
        || i.tables.iter().any(|t| t.system.value == system)
        || i.api_calls.iter().any(|c| c.system.value == system)
}

fn impact(
    (id, name): (&str, Option<&str>),
    i: &Integration,
    system: &str,
    compared: &Compared<'_>,
) -> Impact {
    let (uses, mut problems) = match compared.current_schema {
        Some(schema) => column_uses(i, system, schema),
        None => (Vec::new(), Vec::new()),
    };
    problems.extend(unknown_calls(i, system, &compared.current_apis));
    let relevant: Vec<SchemaChange> = compared
        .changes
        .iter()
        .filter(|c| c.level != Level::Info)
        .filter(|c| {
            uses.iter().any(|u| {
                u.table == c.table && (c.item.is_none() || u.column.is_none() || u.column == c.item)
            })
        })
        .cloned()
        .collect();
    let api_calls = api_uses(i, system);
    let api_changes = changes_on(&api_calls, &compared.findings);
    let calls_write = api_calls.iter().any(|c| {
        let method = c.operation.split_whitespace().next().unwrap_or_default();
        !["GET", "HEAD", "OPTIONS"].contains(&method.to_ascii_uppercase().as_str())
    });
    let writes = i.target.value.as_str() == system || calls_write || uses.iter().any(|u| u.writes);
    let direction = i.direction.value;
    let phase = match (i.safe_zone, writes, direction) {
        (true, _, _) => 4,
        (false, true, _) => 3,
        (false, false, Direction::Outbound) => 1,
        (false, false, _) => 2,
    };
    let breaking = relevant
        .iter()
        .filter(|c| c.level == Level::Breaking)
        .count()
        + api_changes.iter().filter(|c| c.level == "breaking").count();
    Impact {
        integration: id.to_owned(),
        name: name.unwrap_or(id).to_owned(),
        writes,
        direction: format!("{direction:?}").to_lowercase(),
        peak_per_hour: i.volume.as_ref().and_then(|v| v.peak_per_hour),
        safe_zone: i.safe_zone,
        breaking,
        uses,
        schema_changes: relevant,
        api_calls,
        api_changes,
        phase,
        validation: i.validation.clone(),
        problems,
    }
}
