//! The integration inventory: every data flow between the shop and the systems around it,
//! read from `Integration` and `System` assets.
//!
//! - [`risk`]: a risk score and class per integration from documented, weighted factors;
//! - [`impact`]: what else is affected, transitively, when an integration changes or stops;
//! - [`map`]: the data-flow map as Mermaid, Graphviz DOT and SVG;
//! - [`docs`]: one Markdown page per integration plus an index;
//! - [`markdown`]: asset text in Markdown, shown as written (never HTML, links or structure);
//! - [`rows_csv`], [`risks_csv`]: CSV whose cells a spreadsheet shows as text, never runs as
//!   formulas.
//!
//! Everything here is a pure function of the loaded model (and the risk configuration):
//! output order follows ids, never hash-map iteration.
#![forbid(unsafe_code)]

pub mod config;
pub mod docs;
mod factor;
pub mod impact;
pub mod map;
pub mod markdown;
pub mod risk;
mod sheet;

use flowgate_model::{Asset, AssetId, AssetSpec, Integration, Model, System};
use serde::Serialize;
use std::collections::BTreeMap;

pub use config::{parse_risk_config, RiskConfig};
pub use impact::{impact, Impact};
pub use risk::{assess, Factor, RiskAssessment, RiskClass};
pub use sheet::{risks_csv, rows_csv};

/// One integration with the asset carrying it.
#[derive(Debug, Clone, Copy)]
pub struct Flow<'a> {
    /// The asset (id, name, owner, labels).
    pub asset: &'a Asset,
    /// The integration.
    pub spec: &'a Integration,
}

impl<'a> Flow<'a> {
    /// The integration's id.
    pub fn id(&self) -> &'a str {
        self.asset.id.as_str()
    }
}

/// The systems and integrations of a model.
#[derive(Debug, Clone)]
pub struct Inventory<'a> {
    /// Systems by id.
    pub systems: BTreeMap<&'a str, (&'a Asset, &'a System)>,
    /// Integrations, by id.
    pub flows: Vec<Flow<'a>>,
}

impl<'a> Inventory<'a> {
    /// Collect the systems and integrations of `model`.
    pub fn new(model: &'a Model) -> Self {
        let mut systems = BTreeMap::new();
        let mut flows = Vec::new();
        for asset in model.assets() {
            match &asset.spec {
                AssetSpec::System(system) => {
                    systems.insert(asset.id.as_str(), (asset, system));
                }
                AssetSpec::Integration(spec) => flows.push(Flow { asset, spec }),
                _ => {}
            }
        }
        flows.sort_by(|a, b| a.id().cmp(b.id()));
        Self { systems, flows }
    }

    /// The integration with id `id`.
    pub fn flow(&self, id: &str) -> Option<Flow<'a>> {
        self.flows.iter().find(|f| f.id() == id).copied()
    }

    /// A system's display name (its id when unknown).
    pub fn system_name<'s>(&'s self, id: &'s str) -> &'s str {
        self.systems
            .get(id)
            .map(|(asset, _)| asset.display_name())
            .unwrap_or(id)
    }

    /// A system by id.
    pub fn system(&self, id: &AssetId) -> Option<(&'a Asset, &'a System)> {
        self.systems.get(id.as_str()).copied()
    }

    /// The integration id closest to `id`, for "did you mean".
    pub fn suggest(&self, id: &str) -> Option<&'a str> {
        flowgate_diagnostics::suggest::did_you_mean(id, self.flows.iter().map(|f| f.id()))
    }
}

/// One row of `flowgate integrations list`: the fields a planning spreadsheet needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListRow {
    /// Integration id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Source system id.
    pub source: String,
    /// Target system id.
    pub target: String,
    /// Direction seen from the shop.
    pub direction: String,
    /// Hook type.
    pub hook: String,
    /// Entities carried.
    pub entities: Vec<String>,
    /// Owner, when known.
    pub owner: Option<String>,
    /// Frequency, when known.
    pub frequency: Option<String>,
    /// Peak records per hour, when known.
    pub peak_per_hour: Option<u64>,
    /// Safe zone (must never break).
    pub safe_zone: bool,
    /// `active` or `deprecated`.
    pub lifecycle: String,
    /// Integrations it depends on.
    pub depends_on: Vec<String>,
}

impl<'a> Inventory<'a> {
    /// The rows of `flowgate integrations list`, by id.
    pub fn rows(&self) -> Vec<ListRow> {
        self.flows
            .iter()
            .map(|flow| {
                let spec = flow.spec;
                ListRow {
                    id: flow.id().to_owned(),
                    name: flow.asset.display_name().to_owned(),
                    source: spec.source.as_str().to_owned(),
                    target: spec.target.as_str().to_owned(),
                    direction: spec.direction.value.to_string(),
                    hook: spec.hook.value.to_string(),
                    entities: spec.entity_names().map(str::to_owned).collect(),
                    owner: flow.asset.owner.clone(),
                    frequency: spec.volume.as_ref().and_then(|v| v.frequency.clone()),
                    peak_per_hour: spec.volume.as_ref().and_then(|v| v.peak_per_hour),
                    safe_zone: spec.safe_zone,
                    lifecycle: spec.lifecycle.value.to_string(),
                    depends_on: spec
                        .depends_on
                        .iter()
                        .map(|d| d.as_str().to_owned())
                        .collect(),
                }
            })
            .collect()
    }
}
