//! Bundles: the units released together.

use crate::kinds::AssetRef;
use crate::{AssetKind, Located};
use serde::Serialize;
use std::collections::BTreeMap;

/// Picks bundle members by kind, label or id prefix (all given parts must match).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Selector {
    /// Only assets of this kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<AssetKind>,
    /// Only assets carrying all of these labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Only assets whose id starts with this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_prefix: Option<String>,
}

/// One entry of a bundle's member list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Member {
    /// One asset by id.
    Id(AssetRef),
    /// Every asset a selector matches.
    Selector(Located<Selector>),
}

/// A named release unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bundle {
    /// The members.
    pub members: Vec<Member>,
    /// Assets outside the bundle that members may use (shared fields, global suppression lists).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub externals: Vec<AssetRef>,
    /// Where the bundle's failures are announced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    /// Prefix of release ids (`LI` gives `LI-2.4.1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_prefix: Option<String>,
}
