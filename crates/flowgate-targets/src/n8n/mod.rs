//! The n8n target: a bundle's rendered n8n workflows (`platform/n8n/*.json`) created and
//! updated through n8n's public REST API, found again by the markers flowgate keeps in their
//! `staticData` ([`marker`]), activated as the bundle says, tagged with the environment and
//! the release, credentials referred to by name. Other rendered files are not deployed (n8n
//! has nowhere to run them). The design and its limits are in docs/targets/n8n.md.

mod activate;
mod client;
mod drift;
mod marker;
mod normalise;
mod pull;
mod reset;
mod stage;
mod view;

use client::Api;
use flowgate_release::{DeployTarget, Deployed, Pulled, Rendered, Staged, TargetError};
use marker::Held;
use serde_json::Value;
use view::BundleView;

/// A running n8n, for one environment.
#[derive(Debug, Clone)]
pub struct N8nTarget {
    api: Api,
    url: String,
    environment: String,
}

impl N8nTarget {
    /// The n8n at `url` (its base URL), with the API key `api_key`, deploying the
    /// environment `environment`.
    pub fn new(url: &str, api_key: &str, environment: &str) -> Self {
        Self {
            api: Api::new(url, api_key),
            url: url.trim_end_matches('/').to_owned(),
            environment: environment.to_owned(),
        }
    }

    /// What the instance holds of `bundle` in this target's environment.
    fn view(&self, bundle: &str) -> Result<BundleView, TargetError> {
        let all = self
            .api
            .workflows()?
            .into_iter()
            .filter_map(Held::from_api)
            .collect();
        Ok(BundleView::of(all, &self.environment, bundle))
    }
}

impl DeployTarget for N8nTarget {
    fn describe(&self) -> String {
        format!("n8n {}", self.url)
    }

    fn shared(&self) -> bool {
        true
    }

    fn carries(&self, path: &str) -> bool {
        path.starts_with(stage::PREFIX)
    }

    fn stage(
        &self,
        bundle: &str,
        rendered: &Rendered,
        manifest: &Value,
    ) -> Result<Staged, TargetError> {
        let wanted = stage::desired_workflows(&self.url, rendered)?;
        let mut manifest = manifest.clone();
        manifest["environment"] = Value::from(self.environment.clone());
        manifest["bundle"] = Value::from(bundle);
        let view = self.view(bundle)?;
        // A repair (`sync`) puts the held version back over edits made in n8n.
        if manifest.get("repair") != Some(&Value::Bool(true)) {
            stage::check_conflicts(&self.url, &view, &wanted)?;
        }
        Ok(Staged {
            bundle: bundle.to_owned(),
            location: String::new(),
            state: stage::plan(&view, &wanted, &manifest),
        })
    }

    fn activate(&self, staged: &Staged) -> Result<(), TargetError> {
        activate::run(&self.api, &staged.state)
    }

    fn discard(&self, _staged: &Staged) {}

    fn inspect(&self, bundle: &str) -> Result<Option<Deployed>, TargetError> {
        Ok(drift::deployed(&self.view(bundle)?))
    }

    fn pull(&self, bundle: &str) -> Result<Option<Pulled>, TargetError> {
        Ok(pull::pulled(&self.view(bundle)?))
    }
}
