//! Helpers shared by the integration-inventory rules.

use crate::CheckContext;
use flowgate_model::{Asset, AssetSpec, Integration};

/// Every integration of the model with its asset.
pub(super) fn integrations<'a>(
    ctx: &'a CheckContext<'_>,
) -> impl Iterator<Item = (&'a Asset, &'a Integration)> {
    ctx.model
        .assets()
        .iter()
        .filter_map(|asset| match &asset.spec {
            AssetSpec::Integration(integration) => Some((asset, integration)),
            _ => None,
        })
}
