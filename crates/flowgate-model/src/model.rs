//! The loaded workspace: source files, assets by id, and lookups over them.

use crate::bundle::{Member, Selector};
use crate::expr::FieldUse;
use crate::{Asset, AssetId, AssetKind, AssetSpec, FileId};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

/// A file assets were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the workspace root (absolute when outside it).
    pub path: PathBuf,
}

/// All assets of a workspace, sorted by id, with their source files.
#[derive(Debug, Clone, Default)]
pub struct Model {
    files: Vec<SourceFile>,
    assets: Vec<Asset>,
    index: HashMap<AssetId, usize>,
}

impl Model {
    /// Build a model. Assets are sorted by id; for duplicate ids the first one is indexed
    /// (the loader reports duplicates before building a model).
    pub fn new(files: Vec<SourceFile>, mut assets: Vec<Asset>) -> Self {
        assets.sort_by(|a, b| a.id.value.cmp(&b.id.value));
        let mut index = HashMap::with_capacity(assets.len());
        for (i, asset) in assets.iter().enumerate() {
            index.entry(asset.id.value.clone()).or_insert(i);
        }
        Self {
            files,
            assets,
            index,
        }
    }

    /// Every asset, sorted by id.
    pub fn assets(&self) -> &[Asset] {
        &self.assets
    }

    /// The source files, indexed by [`FileId`].
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The file an id points to.
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Look an asset up by id.
    pub fn get(&self, id: &AssetId) -> Option<&Asset> {
        self.index.get(id).and_then(|&i| self.assets.get(i))
    }

    /// Look an asset up by id text.
    pub fn get_str(&self, id: &str) -> Option<&Asset> {
        AssetId::new(id).ok().and_then(|id| self.get(&id))
    }

    /// Assets of one kind, sorted by id.
    pub fn of_kind(&self, kind: AssetKind) -> impl Iterator<Item = &Asset> {
        self.assets.iter().filter(move |a| a.kind() == kind)
    }

    /// The field a data path like `contact.email` names: a Field whose id is the key and
    /// whose object is the path root.
    pub fn field_for(&self, field_use: &FieldUse) -> Option<&Asset> {
        let asset = self.get_str(&field_use.field)?;
        match &asset.spec {
            AssetSpec::Field(field) if field.object.as_str() == field_use.object => Some(asset),
            _ => None,
        }
    }

    /// The asset a reference points at, if it exists (data paths resolve through
    /// [`Model::field_for`]).
    pub fn target(&self, reference: &crate::Reference<'_>) -> Option<&Asset> {
        match reference.target {
            crate::Target::Asset(id) => self.get(&id.value),
            crate::Target::Field(field_use) => self.field_for(&field_use.value),
        }
    }

    /// The ids a bundle's member list resolves to (ids that do not exist are left out).
    pub fn bundle_members(&self, bundle: &crate::Bundle) -> BTreeSet<AssetId> {
        let mut members = BTreeSet::new();
        for member in &bundle.members {
            match member {
                Member::Id(id) => {
                    if self.get(&id.value).is_some() {
                        members.insert(id.value.clone());
                    }
                }
                Member::Selector(selector) => members.extend(
                    self.assets
                        .iter()
                        .filter(|a| a.kind() != AssetKind::Bundle && selects(selector, a))
                        .map(|a| a.id.value.clone()),
                ),
            }
        }
        members
    }
}

fn selects(selector: &Selector, asset: &Asset) -> bool {
    selector.kind.is_none_or(|k| k == asset.kind())
        && selector
            .labels
            .iter()
            .all(|(k, v)| asset.labels.get(k) == Some(v))
        && selector
            .id_prefix
            .as_deref()
            .is_none_or(|p| asset.id.as_str().starts_with(p))
}
