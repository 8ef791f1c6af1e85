//! Deploy targets of environments. [`Platforms`] opens each environment's target from its
//! `[environments.<name>.target]`: a directory, a running Node-RED or n8n, or an HTTP
//! receiver of rendered bundles. Every target implements the release crate's
//! [`flowgate_release::DeployTarget`], so plan, apply, rollback, sync and status work the same
//! whatever the target; credentials are resolved from their secret references only when a
//! target is opened, and never appear in messages.
#![forbid(unsafe_code)]

mod http;
mod n8n;
mod node_red;
mod secret;
mod wire;

pub use http::{sign, HttpTarget, DOCUMENT_VERSION};
pub use n8n::N8nTarget;
pub use node_red::NodeRedTarget;
pub use secret::resolve_secret;

use flowgate_release::{
    DeployTarget, DirectoryTarget, Environment, TargetError, TargetSpec, Targets,
};

/// Opens every kind of deploy target.
#[derive(Debug, Clone, Copy, Default)]
pub struct Platforms;

impl Targets for Platforms {
    fn open(&self, env: &Environment) -> Result<Option<Box<dyn DeployTarget>>, TargetError> {
        let Some(spec) = &env.target else {
            return Ok(None);
        };
        let target: Box<dyn DeployTarget> = match spec {
            TargetSpec::Directory(path) => Box::new(DirectoryTarget::new(path)),
            TargetSpec::Http { url, secret } => {
                Box::new(HttpTarget::new(url, &resolve_secret(secret, spec)?))
            }
            TargetSpec::NodeRed { url, auth, full } => {
                let token = auth.as_ref().map(|a| resolve_secret(a, spec)).transpose()?;
                Box::new(NodeRedTarget::new(url, token, *full))
            }
            TargetSpec::N8n { url, api_key } => Box::new(N8nTarget::new(
                url,
                &resolve_secret(api_key, spec)?,
                &env.name,
            )),
        };
        Ok(Some(target))
    }
}
