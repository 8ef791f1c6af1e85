//! What a rule sees (the model, sources, configuration, target environment) and where it
//! reports (a [`Sink`] of findings).

use crate::config::CheckConfig;
use flowgate_diagnostics::{Location, SourceMap, SourceText, Span};
use flowgate_model::flow::{Dialect, Flow};
use flowgate_model::{
    Asset, AssetId, AssetKind, AssetSpec, Model, Reference, StepId, Template, Workflow,
};
use flowgate_syntax::XmlElement;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// Everything a rule may read.
pub struct CheckContext<'a> {
    /// The loaded model.
    pub model: &'a Model,
    /// Source texts, for locating findings and reading raw text.
    pub sources: &'a SourceMap,
    /// The `[check]` configuration.
    pub config: &'a CheckConfig,
    /// The environment checked for (`prod`), if any.
    pub environment: Option<&'a str>,
    /// Every environment name, in promotion order.
    pub environments: &'a [String],
    referenced: OnceLock<BTreeMap<AssetId, usize>>,
}

impl<'a> CheckContext<'a> {
    /// A context over a model.
    pub fn new(
        model: &'a Model,
        sources: &'a SourceMap,
        config: &'a CheckConfig,
        environment: Option<&'a str>,
        environments: &'a [String],
    ) -> Self {
        Self {
            model,
            sources,
            config,
            environment,
            environments,
            referenced: OnceLock::new(),
        }
    }

    /// The source text an asset was read from.
    pub fn source(&self, asset: &Asset) -> Option<&'a SourceText> {
        let file = self.model.file(asset.origin.file)?;
        self.sources.get(&file.path.to_string_lossy())
    }

    /// Resolve a span inside an asset's file.
    pub fn locate(&self, asset: &Asset, span: Span) -> Option<Location> {
        self.source(asset).map(|s| s.locate(span))
    }

    /// Every workflow.
    pub fn workflows(&self) -> impl Iterator<Item = (&'a Asset, &'a Workflow)> + 'a {
        self.model.assets().iter().filter_map(|a| match &a.spec {
            AssetSpec::Workflow(w) => Some((a, w)),
            _ => None,
        })
    }

    /// Every platform flow.
    pub fn flows(&self) -> impl Iterator<Item = (&'a Asset, &'a Flow)> + 'a {
        self.model.assets().iter().filter_map(|a| match &a.spec {
            AssetSpec::Flow(f) => Some((a, f)),
            _ => None,
        })
    }

    /// Every Salesforce flow, with its `<Flow>` root element.
    pub fn salesforce_flows(
        &self,
    ) -> impl Iterator<Item = (&'a Asset, &'a Flow, &'a XmlElement)> + 'a {
        self.flows().filter_map(|(asset, flow)| {
            (flow.dialect == Dialect::Salesforce)
                .then(|| flow.document.xml())
                .flatten()
                .map(|root| (asset, flow, root))
        })
    }

    /// Every template.
    pub fn templates(&self) -> impl Iterator<Item = (&'a Asset, &'a Template)> + 'a {
        self.model.assets().iter().filter_map(|a| match &a.spec {
            AssetSpec::Template(t) => Some((a, t)),
            _ => None,
        })
    }

    /// The template with this id.
    pub fn template(&self, id: &AssetId) -> Option<(&'a Asset, &'a Template)> {
        let asset = self.model.get(id)?;
        match &asset.spec {
            AssetSpec::Template(t) => Some((asset, t)),
            _ => None,
        }
    }

    /// How many references point at each asset (resolved references only; a bundle's
    /// membership does not count as a use).
    pub fn reference_counts(&self) -> &BTreeMap<AssetId, usize> {
        self.referenced.get_or_init(|| {
            let mut counts = BTreeMap::new();
            for asset in self.model.assets() {
                if asset.kind() == AssetKind::Bundle {
                    continue;
                }
                for reference in asset.references() {
                    if let Some(target) = self.resolve(&reference) {
                        if target.id.value != asset.id.value {
                            *counts.entry(target.id.value.clone()).or_insert(0) += 1;
                        }
                    }
                }
            }
            counts
        })
    }

    /// The asset a reference points at, if it exists.
    pub fn resolve(&self, reference: &Reference<'_>) -> Option<&'a Asset> {
        self.model.target(reference)
    }
}

/// Steps reachable from a workflow's start.
pub fn reachable_steps(workflow: &Workflow) -> BTreeSet<&StepId> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&StepId> = workflow.start_step().into_iter().collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(step) = workflow.step(id) {
            for (_, next) in step.action.edges() {
                stack.push(&next.value);
            }
        }
    }
    seen
}

/// One finding of a rule, before severity and location are applied.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The asset it concerns.
    pub asset: AssetId,
    /// Where in the asset's file.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// Other places: asset, span, message.
    pub related: Vec<(AssetId, Span, String)>,
    /// The platform-flow element it is about (for element-level exceptions).
    pub element: Option<String>,
    /// Credentials the finding points at, masked wherever the finding is shown.
    pub secrets: Vec<String>,
}

impl Finding {
    /// Attach help.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Name the platform-flow element the finding is about.
    pub fn element(&mut self, name: impl Into<String>) -> &mut Self {
        self.element = Some(name.into());
        self
    }

    /// Mark a credential the finding points at: no report shows it, not even in the
    /// quoted source line.
    pub fn secret(&mut self, secret: impl Into<String>) -> &mut Self {
        self.secrets.push(secret.into());
        self
    }

    /// Attach a related place.
    pub fn related(&mut self, asset: &Asset, span: Span, message: impl Into<String>) -> &mut Self {
        self.related
            .push((asset.id.value.clone(), span, message.into()));
        self
    }
}

/// Collects a rule's findings.
#[derive(Debug, Default)]
pub struct Sink {
    findings: Vec<Finding>,
}

impl Sink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Report a finding on `asset` at `span`; chain `.help(…)` / `.related(…)` on the result.
    pub fn report(
        &mut self,
        asset: &Asset,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            asset: asset.id.value.clone(),
            span,
            message: message.into(),
            help: None,
            related: Vec::new(),
            element: None,
            secrets: Vec::new(),
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }

    /// The findings.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
