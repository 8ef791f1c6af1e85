//! What else is affected when an integration changes or stops.
//!
//! Two things carry an effect from one integration to the next:
//! - a declared coupling: `B.depends_on` names `A`;
//! - data: `A` writes an entity into a system and `B` reads the same entity out of that
//!   system (an order export to the ERP feeds the ERP's invoice export).
//!
//! Both are followed transitively (breadth first, so each affected integration is reported
//! with a shortest chain). Integrations that carry one of the same entities without a data
//! path are listed apart: they do not break, but they are worth re-testing.

use crate::{Flow, Inventory};
use flowgate_model::{AssetId, Direction};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Why one integration is affected by the one before it in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Link {
    /// It declares a dependency.
    DependsOn,
    /// It reads an entity from a system the previous one writes it to.
    Data {
        /// The entity.
        entity: String,
        /// The system.
        system: String,
    },
}

/// One affected integration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Affected {
    /// Integration id.
    pub id: String,
    /// Steps from the changed integration (1 = directly).
    pub depth: usize,
    /// The chain from the changed integration to this one (both included).
    pub path: Vec<String>,
    /// Why it is affected by the last-but-one integration of the chain.
    pub link: Link,
    /// Whether it is in the safe zone.
    pub safe_zone: bool,
    /// Its owner.
    pub owner: Option<String>,
}

/// An integration that carries the same entity without a data path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sharing {
    /// Integration id.
    pub id: String,
    /// The entities shared.
    pub entities: Vec<String>,
}

/// The impact of changing or stopping one integration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    /// The integration changed.
    pub subject: String,
    /// Integrations affected, by depth then id.
    pub affected: Vec<Affected>,
    /// Integrations carrying one of the same entities, not otherwise affected.
    pub shared_entities: Vec<Sharing>,
    /// Systems touched by the subject and every affected integration.
    pub systems: Vec<String>,
    /// Safe-zone integrations among the subject and the affected.
    pub safe_zone: Vec<String>,
}

/// Each entity an integration moves, with the system it reads it from and the one it writes
/// it into. A two-way flow moves an entity away from its source of truth; without one, both
/// ways.
fn moves<'a>(flow: Flow<'a>) -> Vec<(&'a str, &'a AssetId, &'a AssetId)> {
    let spec = flow.spec;
    let (source, target) = (&spec.source.value, &spec.target.value);
    let mut out = Vec::new();
    for entity in &spec.entities {
        let name = entity.entity.value.as_str();
        if spec.direction.value != Direction::Bidirectional {
            out.push((name, source, target));
            continue;
        }
        match entity.source_of_truth.as_ref().map(|t| &t.value) {
            Some(truth) if truth == source => out.push((name, source, target)),
            Some(truth) if truth == target => out.push((name, target, source)),
            _ => {
                out.push((name, source, target));
                out.push((name, target, source));
            }
        }
    }
    out
}

/// Who reads what from where, and who depends on whom: built once per inventory so that
/// following effects costs a lookup per step, not a scan of every integration.
#[derive(Debug, Clone)]
pub struct Couplings<'a> {
    /// Integration id → the integrations whose `depends_on` names it.
    dependents: BTreeMap<&'a str, Vec<Flow<'a>>>,
    /// (entity, system) → the integrations reading that entity from that system.
    readers: BTreeMap<(&'a str, &'a str), Vec<Flow<'a>>>,
}

impl<'a> Couplings<'a> {
    /// Index an inventory.
    pub fn new(inventory: &Inventory<'a>) -> Self {
        let mut dependents: BTreeMap<&'a str, Vec<Flow<'a>>> = BTreeMap::new();
        let mut readers: BTreeMap<(&'a str, &'a str), Vec<Flow<'a>>> = BTreeMap::new();
        for flow in &inventory.flows {
            for dependency in &flow.spec.depends_on {
                dependents
                    .entry(dependency.value.as_str())
                    .or_default()
                    .push(*flow);
            }
            for (entity, from, _) in moves(*flow) {
                readers
                    .entry((entity, from.as_str()))
                    .or_default()
                    .push(*flow);
            }
        }
        Self {
            dependents,
            readers,
        }
    }

    /// The integrations directly affected by `flow`, with why, by id: a declared
    /// dependency wins over a data path; of several data paths, the first entity counts.
    pub fn direct_effects(&self, flow: Flow<'a>) -> Vec<(Flow<'a>, Link)> {
        let mut out: BTreeMap<&str, (Flow<'a>, Link)> = BTreeMap::new();
        for (entity, _, into) in moves(flow) {
            for reader in self
                .readers
                .get(&(entity, into.as_str()))
                .into_iter()
                .flatten()
            {
                if reader.id() != flow.id() && !out.contains_key(reader.id()) {
                    out.insert(
                        reader.id(),
                        (
                            *reader,
                            Link::Data {
                                entity: entity.to_owned(),
                                system: into.as_str().to_owned(),
                            },
                        ),
                    );
                }
            }
        }
        for dependent in self.dependents.get(flow.id()).into_iter().flatten() {
            if dependent.id() != flow.id() {
                out.insert(dependent.id(), (*dependent, Link::DependsOn));
            }
        }
        out.into_values().collect()
    }
}

/// The integrations directly affected by `flow`, with why, by id.
pub fn direct_effects<'a>(inventory: &Inventory<'a>, flow: Flow<'a>) -> Vec<(Flow<'a>, Link)> {
    Couplings::new(inventory).direct_effects(flow)
}

/// The impact of changing or stopping the integration `id`; `None` when there is none.
pub fn impact(inventory: &Inventory<'_>, id: &str) -> Option<Impact> {
    impact_with(inventory, &Couplings::new(inventory), id)
}

/// [`impact`] with couplings indexed once (for many queries over one inventory).
pub fn impact_with<'a>(
    inventory: &Inventory<'a>,
    couplings: &Couplings<'a>,
    id: &str,
) -> Option<Impact> {
    let subject = inventory.flow(id)?;
    let mut seen: BTreeSet<&str> = BTreeSet::from([subject.id()]);
    let mut queue = VecDeque::from([(subject, vec![subject.id().to_owned()])]);
    let mut affected = Vec::new();
    while let Some((flow, path)) = queue.pop_front() {
        for (next, link) in couplings.direct_effects(flow) {
            if !seen.insert(next.id()) {
                continue;
            }
            let mut chain = path.clone();
            chain.push(next.id().to_owned());
            affected.push(Affected {
                id: next.id().to_owned(),
                depth: chain.len() - 1,
                path: chain.clone(),
                link,
                safe_zone: next.spec.safe_zone,
                owner: next.asset.owner.clone(),
            });
            queue.push_back((next, chain));
        }
    }
    affected.sort_by(|a, b| a.depth.cmp(&b.depth).then(a.id.cmp(&b.id)));
    let entities: BTreeSet<&str> = subject.spec.entity_names().collect();
    let shared_entities = inventory
        .flows
        .iter()
        .filter(|f| !seen.contains(f.id()))
        .filter_map(|f| {
            let shared: Vec<String> = f
                .spec
                .entity_names()
                .filter(|e| entities.contains(e))
                .map(str::to_owned)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            (!shared.is_empty()).then(|| Sharing {
                id: f.id().to_owned(),
                entities: shared,
            })
        })
        .collect();
    let mut systems = BTreeSet::new();
    let mut safe_zone = Vec::new();
    for flow in
        std::iter::once(subject).chain(affected.iter().filter_map(|a| inventory.flow(&a.id)))
    {
        systems.insert(flow.spec.source.as_str().to_owned());
        systems.insert(flow.spec.target.as_str().to_owned());
        if flow.spec.safe_zone {
            safe_zone.push(flow.id().to_owned());
        }
    }
    Some(Impact {
        subject: subject.id().to_owned(),
        affected,
        shared_entities,
        systems: systems.into_iter().collect(),
        safe_zone,
    })
}

impl Impact {
    /// The impact in words, one line per affected integration.
    pub fn render_text(&self, inventory: &Inventory<'_>) -> String {
        let mut out = String::new();
        if self.affected.is_empty() {
            out.push_str(&format!(
                "Nothing else depends on `{}`: no declared coupling, and no integration reads what it writes.\n",
                self.subject
            ));
        } else {
            out.push_str(&format!(
                "If `{}` changes or stops, {} other integration{} {} affected:\n\n",
                self.subject,
                self.affected.len(),
                if self.affected.len() == 1 { "" } else { "s" },
                if self.affected.len() == 1 {
                    "is"
                } else {
                    "are"
                },
            ));
            // Depth-first by chain, so each line sits under the one it is reached from.
            let mut tree: Vec<&Affected> = self.affected.iter().collect();
            tree.sort_by(|a, b| a.path.cmp(&b.path));
            for a in tree {
                let previous = a
                    .path
                    .get(a.path.len().saturating_sub(2))
                    .map(String::as_str)
                    .unwrap_or("");
                let why = match &a.link {
                    Link::DependsOn => format!("depends on {previous}"),
                    Link::Data { entity, system } => format!(
                        "reads {entity} from {} that {previous} writes",
                        inventory.system_name(system)
                    ),
                };
                let indent = "  ".repeat(a.depth.saturating_sub(1));
                out.push_str(&format!(
                    "  {indent}{} {}{}\n      {indent}{}: {}\n",
                    if a.depth == 1 { "→" } else { "↳" },
                    a.id,
                    if a.safe_zone { "  [safe zone]" } else { "" },
                    why,
                    a.path.join(" → ")
                ));
            }
        }
        if !self.shared_entities.is_empty() {
            out.push_str("\nAlso carrying the same entities (re-test, no data path):\n");
            for s in &self.shared_entities {
                out.push_str(&format!("  - {} ({})\n", s.id, s.entities.join(", ")));
            }
        }
        out.push_str(&format!("\nSystems touched: {}\n", self.systems.join(", ")));
        if !self.safe_zone.is_empty() {
            out.push_str(&format!(
                "Safe-zone integrations in the blast radius: {}\n",
                self.safe_zone.join(", ")
            ));
        }
        out
    }
}
