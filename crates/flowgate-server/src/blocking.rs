//! Deploy targets inside the server's async handlers. A platform target (Node-RED, n8n,
//! HTTP) answers over blocking HTTP calls that may take seconds; run on a runtime worker
//! they would stall every other request that worker holds. [`BlockingPlatforms`] opens the
//! same targets as [`flowgate_targets::Platforms`] and runs each call through
//! [`tokio::task::block_in_place`], which hands the worker's other tasks to another thread
//! first. (`spawn_blocking` would need `'static` data; the promotion borrows its rendering.)

use flowgate_release::{
    DeployTarget, Deployed, Environment, Pulled, Rendered, Staged, TargetError, Targets,
};
use serde_json::Value;

/// [`flowgate_targets::Platforms`], with every call off the async workers.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlockingPlatforms;

impl Targets for BlockingPlatforms {
    fn open(&self, env: &Environment) -> Result<Option<Box<dyn DeployTarget>>, TargetError> {
        let target = flowgate_targets::Platforms.open(env)?;
        Ok(target.map(|inner| Box::new(Blocking { inner }) as Box<dyn DeployTarget>))
    }
}

/// One target whose calls may block.
struct Blocking {
    inner: Box<dyn DeployTarget>,
}

/// Runs `work` where blocking is allowed: in place on a multi-threaded runtime's worker
/// (after moving its other tasks away), or directly anywhere else.
fn off_worker<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

impl DeployTarget for Blocking {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn shared(&self) -> bool {
        self.inner.shared()
    }

    fn carries(&self, path: &str) -> bool {
        self.inner.carries(path)
    }

    fn stage(
        &self,
        bundle: &str,
        rendered: &Rendered,
        manifest: &Value,
    ) -> Result<Staged, TargetError> {
        off_worker(|| self.inner.stage(bundle, rendered, manifest))
    }

    fn activate(&self, staged: &Staged) -> Result<(), TargetError> {
        off_worker(|| self.inner.activate(staged))
    }

    fn discard(&self, staged: &Staged) {
        off_worker(|| self.inner.discard(staged));
    }

    fn inspect(&self, bundle: &str) -> Result<Option<Deployed>, TargetError> {
        off_worker(|| self.inner.inspect(bundle))
    }

    fn pull(&self, bundle: &str) -> Result<Option<Pulled>, TargetError> {
        off_worker(|| self.inner.pull(bundle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_work_runs_on_either_runtime() {
        let multi = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .map(|rt| rt.block_on(async { tokio::spawn(async { off_worker(|| 2) }).await }));
        assert!(matches!(multi, Ok(Ok(2))));
        let single = tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(async { off_worker(|| 3) }));
        assert!(matches!(single, Ok(3)));
        assert_eq!(off_worker(|| 4), 4);
    }
}
