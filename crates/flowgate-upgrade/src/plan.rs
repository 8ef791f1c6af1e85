//! The upgrade plan: for each integration that touches the system, the schema changes between
//! the two versions on the tables and columns it uses, its validation steps, and a phase.
//! Phases follow the usual order of a platform upgrade: integrations that only read before
//! those that write back, outbound before inbound, low volume before high, and the safe zone
//! (orders, stock, payments, customers) last, each after a parallel run.

use crate::uses::{column_uses, ColumnUse, Problem};
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
    /// Breaking changes among them.
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

/// The plan for `system` between the schemas `from` and `to` (`None` when a version has no
/// schema tree: nothing to compare).
pub fn plan(
    model: &Model,
    system: &str,
    versions: (&str, &str),
    schemas: (&Schema, &Schema),
) -> UpgradePlan {
    let changes = diff(schemas.0, schemas.1);
    let mut integrations: Vec<Impact> = model
        .assets()
        .iter()
        .filter_map(|a| match &a.spec {
            AssetSpec::Integration(i) if touches(i, system) => Some(impact(
                a.id.value.as_str(),
                a.name.as_deref(),
                i,
                system,
                schemas.0,
                &changes,
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
    let phases = (1..=4u8)
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
        .collect();
    UpgradePlan {
        system: system.to_owned(),
        from: versions.0.to_owned(),
        to: versions.1.to_owned(),
        schema_changes: changes.len(),
        integrations,
        phases,
    }
}

fn touches(i: &Integration, system: &str) -> bool {
    i.source.value.as_str() == system
        || i.target.value.as_str() == system
        || i.tables.iter().any(|t| t.system.value == system)
        || i.api_calls.iter().any(|c| c.system.value == system)
}

fn impact(
    id: &str,
    name: Option<&str>,
    i: &Integration,
    system: &str,
    schema: &Schema,
    changes: &[SchemaChange],
) -> Impact {
    let (uses, problems) = column_uses(i, system, schema);
    let relevant: Vec<SchemaChange> = changes
        .iter()
        .filter(|c| c.level != Level::Info)
        .filter(|c| {
            uses.iter().any(|u| {
                u.table == c.table && (c.item.is_none() || u.column.is_none() || u.column == c.item)
            })
        })
        .cloned()
        .collect();
    let writes = i.target.value.as_str() == system || uses.iter().any(|u| u.writes);
    let direction = i.direction.value;
    let phase = match (i.safe_zone, writes, direction) {
        (true, _, _) => 4,
        (false, true, _) => 3,
        (false, false, Direction::Outbound) => 1,
        (false, false, _) => 2,
    };
    Impact {
        integration: id.to_owned(),
        name: name.unwrap_or(id).to_owned(),
        writes,
        direction: format!("{direction:?}").to_lowercase(),
        peak_per_hour: i.volume.as_ref().and_then(|v| v.peak_per_hour),
        safe_zone: i.safe_zone,
        breaking: relevant
            .iter()
            .filter(|c| c.level == Level::Breaking)
            .count(),
        uses,
        schema_changes: relevant,
        phase,
        validation: i.validation.clone(),
        problems,
    }
}
