//! The Node-RED target: a bundle's rendered flows deployed into a running Node-RED through
//! its Admin HTTP API, beside every other flow the runtime runs.
//!
//! A runtime runs one flows array that many bundles share, so the target owns only its
//! bundle's nodes, found through the markers on the bundle's tabs ([`markers`]). `stage`
//! reads `GET /flows`, refuses when the bundle's nodes were changed in the editor since
//! flowgate deployed them ([`drift`]), and merges the rendering into the flows read
//! ([`merge`]); `activate` resolves credential references and POSTs `{ rev, flows }`, so the
//! runtime's own revision check refuses a deployment made since the read (409: a
//! [`TargetFailure::Conflict`]). Nothing is sent when the flows would not change.

mod client;
mod credentials;
mod drift;
mod markers;
mod merge;
mod pull;

use client::{Api, Runtime};
use flowgate_release::{
    DeployTarget, Deployed, Pulled, Rendered, Staged, TargetError, TargetFailure, TargetSpec,
};
use markers::Deployment;
use merge::Owned;
use serde_json::{json, Value};

/// A running Node-RED.
#[derive(Debug, Clone)]
pub struct NodeRedTarget {
    api: Api,
    spec: TargetSpec,
    full: bool,
}

impl NodeRedTarget {
    /// The runtime at `url`; `token` is the Admin API bearer token when it has `adminAuth`;
    /// `full` deploys with `Node-RED-Deployment-Type: full` (every flow restarts).
    pub fn new(url: &str, token: Option<String>, full: bool) -> Self {
        Self {
            api: Api::new(url, token),
            spec: TargetSpec::NodeRed {
                url: url.to_owned(),
                auth: None,
                full,
            },
            full,
        }
    }

    fn failed(&self, message: impl Into<String>) -> TargetError {
        TargetError::failed(self.api.place(), message)
    }

    /// What `bundle` owns in `runtime`, with drift lines.
    fn owned(runtime: &Runtime, bundle: &str) -> (Owned, Vec<String>) {
        let owned = Owned::find(&runtime.flows, bundle);
        let drift = drift::drift(&runtime.flows, &owned);
        (owned, drift)
    }

    /// The merged flows of a stage: the rendering's nodes in place of the bundle's.
    fn merged(
        &self,
        runtime: &Runtime,
        owned: &Owned,
        rendered: &Rendered,
        deployment: &Deployment,
    ) -> Result<Vec<Value>, TargetError> {
        let files = merge::rendered_files(rendered)
            .map_err(|e| self.failed(format!("cannot deploy the rendering: {e}")))?;
        if files.is_empty() {
            return Err(self.failed(
                "the rendering holds no Node-RED flow (platform/node-red/…); the bundle has \
                 nothing this target can run",
            ));
        }
        let nodes: Vec<Value> = files.iter().flat_map(|(_, n)| n.iter().cloned()).collect();
        if let Some((id, name)) = credentials::literal(&nodes) {
            return Err(self.failed(format!(
                "the node `{id}` carries its credential `{name}` in the flow file; write a \
                 secret reference (`env:NAME`) instead, so that it is resolved when deployed"
            )));
        }
        let desired = merge::desired(files, deployment);
        merge::merge(&runtime.flows, &owned.ids, desired)
            .map_err(|e| self.failed(format!("cannot deploy the bundle: {e}")))
    }
}

impl DeployTarget for NodeRedTarget {
    fn describe(&self) -> String {
        self.spec.describe()
    }

    fn shared(&self) -> bool {
        true
    }

    fn stage(
        &self,
        bundle: &str,
        rendered: &Rendered,
        manifest: &Value,
    ) -> Result<Staged, TargetError> {
        let runtime = self.api.flows()?;
        let (owned, drift) = Self::owned(&runtime, bundle);
        // An edit in the editor is never overwritten, unless this is a repair (`sync`) or the
        // rendering already holds it (a version adopted from the runtime).
        let repair = manifest.get("repair") == Some(&Value::Bool(true));
        if !drift.is_empty()
            && !repair
            && !holds_rendering(&pull::files(&runtime.flows, &owned), rendered)
        {
            return Err(TargetError::of(
                TargetFailure::Conflict,
                self.api.place(),
                format!(
                    "the flows of {bundle} were changed in the Node-RED editor since flowgate \
                     deployed them ({}); nothing was deployed. Pull the change into the \
                     workspace or undo it in the editor, then apply again",
                    drift.join("; ")
                ),
            ));
        }
        let deployment = Deployment::from_manifest(bundle, manifest);
        let merged = self.merged(&runtime, &owned, rendered, &deployment)?;
        let unchanged = merge::same(&merged, &runtime.flows);
        Ok(Staged {
            bundle: bundle.to_owned(),
            location: String::new(),
            state: json!({ "rev": runtime.rev, "flows": merged, "unchanged": unchanged }),
        })
    }

    fn carries(&self, path: &str) -> bool {
        path.starts_with("platform/node-red/")
    }

    fn activate(&self, staged: &Staged) -> Result<(), TargetError> {
        let rev = staged.state["rev"].as_str().unwrap_or_default();
        if staged.state["unchanged"] == true {
            // Nothing to send; the runtime must still be what was read.
            let now = self.api.flows()?;
            if now.rev != rev {
                return Err(TargetError::of(
                    TargetFailure::Conflict,
                    self.api.place(),
                    "the flows were deployed again since they were read; nothing was \
                     overwritten. Plan and apply again",
                ));
            }
            return Ok(());
        }
        let flows = staged.state["flows"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let flows = credentials::resolve(&flows, &self.spec)?;
        self.api.deploy(rev, &flows, self.full).map(|_| ())
    }

    fn discard(&self, _staged: &Staged) {}

    fn inspect(&self, bundle: &str) -> Result<Option<Deployed>, TargetError> {
        let runtime = self.api.flows()?;
        let (owned, drift) = Self::owned(&runtime, bundle);
        Ok(owned.deployment().map(|d| Deployed {
            manifest: d.manifest(),
            drift,
        }))
    }

    fn pull(&self, bundle: &str) -> Result<Option<Pulled>, TargetError> {
        let runtime = self.api.flows()?;
        let owned = Owned::find(&runtime.flows, bundle);
        let Some(deployment) = owned.deployment() else {
            return Ok(None);
        };
        Ok(Some(Pulled {
            manifest: deployment.manifest(),
            files: pull::files(&runtime.flows, &owned),
        }))
    }
}

/// Whether every Node-RED file of `rendered` is, as JSON, what the runtime runs of it.
fn holds_rendering(
    live: &std::collections::BTreeMap<String, Vec<u8>>,
    rendered: &Rendered,
) -> bool {
    let parse = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).ok();
    rendered
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("platform/node-red/"))
        .all(|(path, bytes)| {
            live.get(path)
                .is_some_and(|have| parse(have).is_some() && parse(have) == parse(bytes))
        })
}
