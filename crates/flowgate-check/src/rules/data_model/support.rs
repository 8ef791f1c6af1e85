//! Helpers shared by the data-model rules.

use crate::CheckContext;
use flowgate_model::{Asset, AssetSpec, Field};

/// Every field asset with its spec, in id order.
pub(crate) fn fields<'a>(
    ctx: &CheckContext<'a>,
) -> impl Iterator<Item = (&'a Asset, &'a Field)> + 'a {
    ctx.model.assets().iter().filter_map(|a| match &a.spec {
        AssetSpec::Field(f) => Some((a, f)),
        _ => None,
    })
}

/// The lower-case tokens of an id, split on `_`, `-` and `.`.
pub(crate) fn id_tokens(id: &str) -> Vec<String> {
    id.split(['_', '-', '.'])
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}
