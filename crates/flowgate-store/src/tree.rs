//! Snapshot trees: a snapshot's entries kept as a Merkle tree of content-addressed nodes, so
//! that a snapshot differing from a stored one in a few assets writes only the nodes that
//! changed (a leaf and the inner nodes above it) instead of every entry again.
//!
//! Each entry has a key, BLAKE3(`flowgate/tree-key/v1\0` ‖ the length of its kind as a
//! big-endian u64 ‖ kind ‖ id), read as 64 hex digits (nibbles). A node at depth `d` (the root
//! is at depth 0) that holds `n` entries, all of whose keys start with the node's `d` nibbles,
//! is:
//!
//! - a **leaf** when `n ≤ LEAF_MAX` or `d = MAX_DEPTH`: the canonical JSON
//!   `{"entries":[[kind,id,object,path],…]}`, entries sorted by (kind, id, object, path) in
//!   byte order, `path` `null` when absent;
//! - otherwise an **inner node**: `{"children":[c0,…,c15]}`, where `ci` is the id of the node
//!   holding the entries whose key has nibble `i` at position `d`, or `null` when there are none.
//!
//! A node's id is BLAKE3(`flowgate/tree/v1\0` ‖ its bytes) ([`TreeId`]). The shape depends only
//! on the set of entries, so equal sets give equal trees whatever order they were given in.
//!
//! The tree is how entries are stored, not what identifies a snapshot: the snapshot id is still
//! computed from the sorted entries ([`crate::snapshot_id`]), so whatever a tree holds is
//! checked against the id when it is read.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::canonical::{domain_hash, write_string, TREE_KEY_DOMAIN};
use crate::db::{batches, multi_row_insert, Arg, Backend, Tx};
use crate::id::TreeId;
use crate::model::Entry;

/// Children of an inner node: one per hex digit of the key.
pub(crate) const FANOUT: usize = 16;
/// Most entries a leaf holds before it is split (unless at [`MAX_DEPTH`]).
pub(crate) const LEAF_MAX: usize = 256;
/// The deepest level: a key has 64 nibbles, so a node this deep is always a leaf.
pub(crate) const MAX_DEPTH: usize = 64;
/// Tree ids passed as one JSON array to a lookup.
const JSON_BATCH: usize = 5000;

/// One entry as the tree stores it: the text of each column, parsed only when read for use, so
/// that whatever a store holds can be carried into a tree and reported later.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RawEntry {
    pub(crate) kind: String,
    pub(crate) id: String,
    pub(crate) object: String,
    pub(crate) path: Option<String>,
}

impl RawEntry {
    pub(crate) fn from_entry(entry: &Entry) -> Self {
        Self {
            kind: entry.kind.clone(),
            id: entry.id.clone(),
            object: entry.object.to_string(),
            path: entry.path.clone(),
        }
    }

    /// The key that places this entry in the tree.
    pub(crate) fn key(&self) -> [u8; 32] {
        let mut bytes = Vec::with_capacity(8 + self.kind.len() + self.id.len());
        bytes.extend_from_slice(&(self.kind.len() as u64).to_be_bytes());
        bytes.extend_from_slice(self.kind.as_bytes());
        bytes.extend_from_slice(self.id.as_bytes());
        domain_hash(TREE_KEY_DOMAIN, &bytes)
    }
}

/// Nibble `depth` of `key` (0 is the high half of the first byte).
fn nibble(key: &[u8; 32], depth: usize) -> usize {
    let byte = key[depth / 2];
    usize::from(if depth % 2 == 0 {
        byte >> 4
    } else {
        byte & 0xf
    })
}

/// One node of a built tree.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) id: TreeId,
    pub(crate) bytes: Vec<u8>,
    /// For a leaf, the object ids of its entries (as text); empty for an inner node.
    pub(crate) objects: Vec<String>,
}

/// A tree built from a set of entries: its root and every node (children before parents).
#[derive(Debug, Clone)]
pub(crate) struct Built {
    pub(crate) root: TreeId,
    pub(crate) nodes: Vec<Node>,
}

/// The tree of `entries` (in any order).
pub(crate) fn build(entries: &[RawEntry]) -> Built {
    let mut keyed: Vec<([u8; 32], &RawEntry)> = entries.iter().map(|e| (e.key(), e)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let mut nodes = Vec::new();
    let root = build_node(&keyed, 0, &mut nodes);
    Built { root, nodes }
}

fn build_node(keyed: &[([u8; 32], &RawEntry)], depth: usize, nodes: &mut Vec<Node>) -> TreeId {
    if keyed.len() <= LEAF_MAX || depth >= MAX_DEPTH {
        let mut entries: Vec<&RawEntry> = keyed.iter().map(|(_, e)| *e).collect();
        entries.sort_unstable();
        let bytes = leaf_bytes(&entries);
        let id = TreeId::of(&bytes);
        let objects = entries.iter().map(|e| e.object.clone()).collect();
        nodes.push(Node { id, bytes, objects });
        return id;
    }
    let mut children = [None; FANOUT];
    let mut start = 0;
    while start < keyed.len() {
        let n = nibble(&keyed[start].0, depth);
        let len = keyed[start..].partition_point(|(k, _)| nibble(k, depth) == n);
        children[n] = Some(build_node(&keyed[start..start + len], depth + 1, nodes));
        start += len;
    }
    let bytes = inner_bytes(&children);
    let id = TreeId::of(&bytes);
    nodes.push(Node {
        id,
        bytes,
        objects: Vec::new(),
    });
    id
}

fn leaf_bytes(entries: &[&RawEntry]) -> Vec<u8> {
    let mut out = String::with_capacity(16 + entries.len() * 160);
    out.push_str("{\"entries\":[");
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        write_string(&mut out, &entry.kind);
        out.push(',');
        write_string(&mut out, &entry.id);
        out.push(',');
        write_string(&mut out, &entry.object);
        out.push(',');
        match &entry.path {
            Some(path) => write_string(&mut out, path),
            None => out.push_str("null"),
        }
        out.push(']');
    }
    out.push_str("]}");
    out.into_bytes()
}

fn inner_bytes(children: &[Option<TreeId>; FANOUT]) -> Vec<u8> {
    let mut out = String::with_capacity(16 + FANOUT * 67);
    out.push_str("{\"children\":");
    write_ids(&mut out, children.iter().copied());
    out.push('}');
    out.into_bytes()
}

/// Writes `ids` as a JSON array of id strings, `null` for `None`.
fn write_ids(out: &mut String, ids: impl Iterator<Item = Option<TreeId>>) {
    out.push('[');
    for (i, id) in ids.enumerate() {
        if i > 0 {
            out.push(',');
        }
        match id {
            Some(id) => {
                out.push('"');
                out.push_str(&id.to_string());
                out.push('"');
            }
            None => out.push_str("null"),
        }
    }
    out.push(']');
}

/// A node read back: a leaf's entries or an inner node's children.
#[derive(Debug)]
enum Decoded {
    Leaf(Vec<RawEntry>),
    Inner(Box<[Option<TreeId>; FANOUT]>),
}

/// A leaf entry as its node holds it: `[kind, id, object, path]`.
type WireEntry = (String, String, String, Option<String>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    entries: Option<Vec<WireEntry>>,
    children: Option<Vec<Option<String>>>,
}

/// Parses a node's bytes, or says what is wrong with them.
fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let wire: Wire =
        serde_json::from_slice(bytes).map_err(|e| format!("it is not a tree node: {e}"))?;
    match (wire.entries, wire.children) {
        (Some(entries), None) => Ok(Decoded::Leaf(
            entries
                .into_iter()
                .map(|(kind, id, object, path)| RawEntry {
                    kind,
                    id,
                    object,
                    path,
                })
                .collect(),
        )),
        (None, Some(children)) => {
            if children.len() != FANOUT {
                return Err(format!(
                    "an inner node has {} children instead of {FANOUT}",
                    children.len()
                ));
            }
            let mut out = [None; FANOUT];
            for (slot, child) in out.iter_mut().zip(children) {
                *slot = child
                    .map(|text| text.parse::<TreeId>().map_err(|e| e.to_string()))
                    .transpose()?;
            }
            Ok(Decoded::Inner(Box::new(out)))
        }
        _ => Err("it is neither a leaf (`entries`) nor an inner node (`children`)".to_owned()),
    }
}

/// The key prefix of a node, as hex digits, for messages (`root` for the root).
fn shown_prefix(prefix: &[u8]) -> String {
    if prefix.is_empty() {
        return "the root".to_owned();
    }
    let digits: String = prefix
        .iter()
        .map(|&n| char::from_digit(u32::from(n), 16).unwrap_or('?'))
        .collect();
    format!("bucket {digits}")
}

/// Checks that a leaf at `prefix` holds entries that belong there, in order, each once.
fn check_leaf(entries: &[RawEntry], prefix: &[u8]) -> Result<(), String> {
    if let Some(pair) = entries.windows(2).find(|w| w[0] >= w[1]) {
        return Err(format!(
            "its entries are not in order or repeat ({} `{}` then {} `{}`)",
            pair[0].kind, pair[0].id, pair[1].kind, pair[1].id
        ));
    }
    for entry in entries {
        let key = entry.key();
        if prefix
            .iter()
            .enumerate()
            .any(|(depth, &n)| nibble(&key, depth) != usize::from(n))
        {
            return Err(format!(
                "entry {} `{}` does not belong in this bucket",
                entry.kind, entry.id
            ));
        }
    }
    Ok(())
}

/// Why a tree could not be read.
#[derive(Debug)]
pub(crate) enum WalkError {
    /// The database failed.
    Db(sqlx::Error),
    /// A node is missing or malformed: where, and what is wrong.
    Bad(String),
}

impl From<sqlx::Error> for WalkError {
    fn from(error: sqlx::Error) -> Self {
        WalkError::Db(error)
    }
}

/// `SELECT id, bytes` of the stored nodes among the ids in `$1`, a JSON array.
fn sql_fetch_nodes(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT t.id, t.bytes FROM json_each($1) AS e JOIN flowgate_trees t ON t.id = e.value"
        }
        Backend::Postgres => {
            "SELECT t.id, t.bytes FROM jsonb_array_elements_text($1::jsonb) AS e \
             JOIN flowgate_trees t ON t.id = e"
        }
    }
}

/// The ids in `$1`, a JSON array of tree ids, that are stored.
fn sql_stored_nodes(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT t.id FROM json_each($1) AS e JOIN flowgate_trees t ON t.id = e.value"
        }
        Backend::Postgres => {
            "SELECT t.id FROM jsonb_array_elements_text($1::jsonb) AS e \
             JOIN flowgate_trees t ON t.id = e"
        }
    }
}

fn id_list(ids: &[TreeId]) -> String {
    let mut out = String::with_capacity(2 + ids.len() * 67);
    write_ids(&mut out, ids.iter().copied().map(Some));
    out
}

/// The stored bytes of the nodes among `ids`, by id (unchecked).
async fn fetch_nodes(tx: &mut Tx, ids: &[TreeId]) -> sqlx::Result<BTreeMap<String, Vec<u8>>> {
    let mut found = BTreeMap::new();
    for batch in ids.chunks(JSON_BATCH) {
        let list = id_list(batch);
        let sql = sql_fetch_nodes(tx.backend());
        for row in tx.fetch_all(sql, &[Arg::Text(&list)]).await? {
            found.insert(row.text(0)?, row.bytes(1)?);
        }
    }
    Ok(found)
}

/// The nodes of `built` that are not stored yet.
pub(crate) async fn unstored<'b>(tx: &mut Tx, built: &'b Built) -> sqlx::Result<Vec<&'b Node>> {
    let ids: Vec<TreeId> = built.nodes.iter().map(|n| n.id).collect();
    let mut stored = BTreeSet::new();
    for batch in ids.chunks(JSON_BATCH) {
        let list = id_list(batch);
        let sql = sql_stored_nodes(tx.backend());
        for row in tx.fetch_all(sql, &[Arg::Text(&list)]).await? {
            stored.insert(row.text(0)?);
        }
    }
    Ok(built
        .nodes
        .iter()
        .filter(|n| !stored.contains(&n.id.to_string()))
        .collect())
}

/// Stores `nodes` (those already stored are left alone), in id order so that concurrent
/// PostgreSQL writers take row locks in one order; `now` is their insertion time.
pub(crate) async fn insert(tx: &mut Tx, nodes: &[&Node], now: &str) -> sqlx::Result<u64> {
    let mut sorted: Vec<&Node> = nodes.to_vec();
    sorted.sort_unstable_by_key(|n| n.id);
    sorted.dedup_by_key(|n| n.id);
    let mut inserted = 0;
    for batch in batches(&sorted, |n| n.bytes.len()) {
        let ids: Vec<String> = batch.iter().map(|n| n.id.to_string()).collect();
        let sizes: Vec<i64> = batch
            .iter()
            .map(|n| i64::try_from(n.bytes.len()).unwrap_or(i64::MAX))
            .collect();
        let mut args = Vec::with_capacity(batch.len() * 4);
        for ((node, id), size) in batch.iter().zip(&ids).zip(&sizes) {
            args.push(Arg::Text(id));
            args.push(Arg::Int(*size));
            args.push(Arg::Bytes(&node.bytes));
            args.push(Arg::Text(now));
        }
        let sql = multi_row_insert(
            "INSERT INTO flowgate_trees (id, size, bytes, added_at)",
            4,
            batch.len(),
            "ON CONFLICT (id) DO NOTHING",
        );
        inserted += tx.execute(&sql, &args).await?;
    }
    Ok(inserted)
}

/// Reads the trees under `roots`, level by level, checking every node: it must be stored, hash
/// to its id, parse, and (for a leaf) hold only entries that belong at its place, in order.
/// Nodes in `seen` are skipped (and every node read is added to it), so that subtrees shared
/// by several roots are read once. `on_leaf` gets each leaf's entries.
pub(crate) async fn walk(
    tx: &mut Tx,
    roots: &[TreeId],
    seen: &mut BTreeSet<TreeId>,
    mut on_leaf: impl FnMut(Vec<RawEntry>),
) -> Result<(), WalkError> {
    let mut level: Vec<(TreeId, Vec<u8>)> = Vec::new();
    for root in roots {
        if seen.insert(*root) {
            level.push((*root, Vec::new()));
        }
    }
    while !level.is_empty() {
        let ids: Vec<TreeId> = level.iter().map(|(id, _)| *id).collect();
        let mut found = fetch_nodes(tx, &ids).await?;
        let mut next = Vec::new();
        for (id, prefix) in level {
            match read_node(&mut found, id, &prefix)? {
                Decoded::Leaf(entries) => on_leaf(entries),
                Decoded::Inner(children) => {
                    for (n, child) in children.iter().enumerate() {
                        let Some(child) = child else { continue };
                        if seen.insert(*child) {
                            let mut path = prefix.clone();
                            path.push(u8::try_from(n).unwrap_or(u8::MAX));
                            next.push((*child, path));
                        }
                    }
                }
            }
        }
        level = next;
    }
    Ok(())
}

/// Every entry of the tree at `root`, sorted.
pub(crate) async fn entries(tx: &mut Tx, root: TreeId) -> Result<Vec<RawEntry>, WalkError> {
    let mut out = Vec::new();
    walk(tx, &[root], &mut BTreeSet::new(), |leaf| out.extend(leaf)).await?;
    out.sort_unstable();
    Ok(out)
}

/// An entry with its key.
type Keyed<'e> = ([u8; 32], &'e RawEntry);
/// Node ids by the key prefix (nibbles) of their place, and whether each is a leaf.
type Places = BTreeMap<Vec<u8>, (TreeId, bool)>;

/// The entries of a tree sorted by key, and the ids of its nodes by the key prefix (nibbles)
/// of their place.
fn places(entries: &[RawEntry]) -> (Vec<Keyed<'_>>, Places) {
    let mut keyed: Vec<Keyed<'_>> = entries.iter().map(|e| (e.key(), e)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let mut nodes = Vec::new();
    let mut at = BTreeMap::new();
    place_node(&keyed, Vec::new(), &mut nodes, &mut at);
    (keyed, at)
}

fn place_node(
    keyed: &[([u8; 32], &RawEntry)],
    prefix: Vec<u8>,
    nodes: &mut Vec<Node>,
    at: &mut Places,
) {
    let depth = prefix.len();
    if keyed.len() <= LEAF_MAX || depth >= MAX_DEPTH {
        let id = build_node(keyed, depth, nodes);
        at.insert(prefix, (id, true));
        return;
    }
    let mut children = [None; FANOUT];
    let mut start = 0;
    while start < keyed.len() {
        let n = nibble(&keyed[start].0, depth);
        let len = keyed[start..].partition_point(|(k, _)| nibble(k, depth) == n);
        let mut child = prefix.clone();
        child.push(u8::try_from(n).unwrap_or(u8::MAX));
        place_node(&keyed[start..start + len], child.clone(), nodes, at);
        children[n] = at.get(&child).map(|(id, _)| *id);
        start += len;
    }
    let id = TreeId::of(&inner_bytes(&children));
    at.insert(prefix, (id, false));
}

/// Whether `key` starts with the nibbles of `prefix`.
fn under(key: &[u8; 32], prefix: &[u8]) -> bool {
    prefix
        .iter()
        .enumerate()
        .all(|(depth, &n)| nibble(key, depth) == usize::from(n))
}

/// How the stored tree and the new one differ: the stored entries the new set lacks, and the
/// new entries the stored tree lacks, each sorted.
#[derive(Debug, Default)]
pub(crate) struct Difference {
    pub(crate) removed: Vec<RawEntry>,
    pub(crate) added: Vec<RawEntry>,
}

/// Compares the stored tree at `root` with the tree of `new` without reading what they share:
/// both are walked together from the root, level by level, and a stored node is read only when
/// its id differs from the new tree's node at the same place (equal ids hold equal sets of
/// entries). Where the new tree has a leaf, or nothing, but the stored one an inner node, that
/// stored subtree is read whole. Every node read is checked as [`walk`] checks it. The cost
/// grows with the difference: one changed entry of 30,000 reads the root, one inner node and
/// one leaf.
pub(crate) async fn difference(
    tx: &mut Tx,
    root: TreeId,
    new: &[RawEntry],
) -> Result<Difference, WalkError> {
    let (keyed, at) = places(new);
    // Places where the two sides may differ: below them every stored entry is read and every
    // new entry taken; elsewhere both sides are equal.
    let mut differing: Vec<Vec<u8>> = Vec::new();
    let mut stored = Vec::new();
    // (stored node, its place, whether its whole subtree is read)
    let mut level: Vec<(TreeId, Vec<u8>, bool)> = Vec::new();
    if at.get(&Vec::new()).map(|(id, _)| *id) != Some(root) {
        level.push((root, Vec::new(), false));
    }
    while !level.is_empty() {
        let ids: Vec<TreeId> = level.iter().map(|(id, _, _)| *id).collect();
        let mut found = fetch_nodes(tx, &ids).await?;
        let mut next = Vec::new();
        for (id, prefix, whole) in level {
            match read_node(&mut found, id, &prefix)? {
                Decoded::Leaf(entries) => {
                    stored.extend(entries);
                    if !whole {
                        differing.push(prefix);
                    }
                }
                Decoded::Inner(children) => {
                    let new_inner = matches!(at.get(&prefix), Some((_, false)));
                    let whole = whole || !new_inner;
                    if whole && !differing.iter().any(|d| prefix.starts_with(d)) {
                        differing.push(prefix.clone());
                    }
                    for (n, child) in children.iter().enumerate() {
                        let mut place = prefix.clone();
                        place.push(u8::try_from(n).unwrap_or(u8::MAX));
                        let ours = at.get(&place).map(|(id, _)| *id);
                        match child {
                            Some(child) if whole => next.push((*child, place, true)),
                            Some(child) if ours != Some(*child) => {
                                next.push((*child, place, false))
                            }
                            Some(_) => {}
                            None if ours.is_some() => differing.push(place),
                            None => {}
                        }
                    }
                }
            }
        }
        level = next;
    }
    let ours: BTreeSet<&RawEntry> = keyed
        .iter()
        .filter(|(key, _)| differing.iter().any(|d| under(key, d)))
        .map(|(_, e)| *e)
        .collect();
    let theirs: BTreeSet<&RawEntry> = stored.iter().collect();
    let mut out = Difference {
        removed: theirs.difference(&ours).map(|e| (*e).clone()).collect(),
        added: ours.difference(&theirs).map(|e| (*e).clone()).collect(),
    };
    out.removed.sort_unstable();
    out.added.sort_unstable();
    Ok(out)
}

/// Takes node `id` (at `prefix`) out of `found` and checks it: stored, hashing to its id,
/// well-formed, a leaf's entries in their place and order, an inner node not too deep.
fn read_node(
    found: &mut BTreeMap<String, Vec<u8>>,
    id: TreeId,
    prefix: &[u8],
) -> Result<Decoded, WalkError> {
    let bad =
        |what: String| WalkError::Bad(format!("tree node {id} ({}): {what}", shown_prefix(prefix)));
    let bytes = found
        .remove(&id.to_string())
        .ok_or_else(|| bad("it is not stored".to_owned()))?;
    let actual = TreeId::of(&bytes);
    if actual != id {
        return Err(bad(format!(
            "its bytes hash to {actual}: the node was altered"
        )));
    }
    let decoded = decode(&bytes).map_err(&bad)?;
    match &decoded {
        Decoded::Leaf(entries) => check_leaf(entries, prefix).map_err(&bad)?,
        Decoded::Inner(_) if prefix.len() >= MAX_DEPTH => {
            return Err(bad(format!("an inner node deeper than {MAX_DEPTH} levels")));
        }
        Decoded::Inner(_) => {}
    }
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn entry(i: usize) -> RawEntry {
        RawEntry {
            kind: if i % 3 == 0 { "Template" } else { "Workflow" }.to_owned(),
            id: format!("asset-{i}"),
            object: crate::ObjectId::of(format!("{i}").as_bytes()).to_string(),
            path: (i % 5 != 0).then(|| format!("assets/{i}.yaml")),
        }
    }

    #[test]
    fn the_same_entries_in_any_order_give_the_same_tree() {
        let entries: Vec<RawEntry> = (0..2000).map(entry).collect();
        let mut shuffled = entries.clone();
        shuffled.reverse();
        shuffled.swap(3, 1500);
        assert_eq!(build(&entries).root, build(&shuffled).root);
        assert_ne!(build(&entries).root, build(&entries[1..]).root);
    }

    #[test]
    fn small_sets_are_one_leaf_and_large_ones_split() {
        let small: Vec<RawEntry> = (0..LEAF_MAX).map(entry).collect();
        assert_eq!(build(&small).nodes.len(), 1);
        assert_eq!(build(&[]).nodes.len(), 1);
        let large: Vec<RawEntry> = (0..10_000).map(entry).collect();
        let built = build(&large);
        assert!(built.nodes.len() > FANOUT, "{}", built.nodes.len());
        let leaves: Vec<Vec<RawEntry>> = built
            .nodes
            .iter()
            .filter_map(|n| match decode(&n.bytes).unwrap() {
                Decoded::Leaf(entries) => Some(entries),
                Decoded::Inner(_) => None,
            })
            .collect();
        assert_eq!(leaves.iter().map(Vec::len).sum::<usize>(), 10_000);
        assert!(leaves.iter().all(|l| l.len() <= LEAF_MAX));
    }

    #[test]
    fn one_changed_entry_changes_one_leaf_and_its_ancestors() {
        let entries: Vec<RawEntry> = (0..30_000).map(entry).collect();
        let mut changed = entries.clone();
        changed[12_345].object = crate::ObjectId::of(b"new").to_string();
        let (a, b) = (build(&entries), build(&changed));
        let old: BTreeSet<TreeId> = a.nodes.iter().map(|n| n.id).collect();
        let new = b.nodes.iter().filter(|n| !old.contains(&n.id)).count();
        assert!((2..=4).contains(&new), "{new} new nodes");
    }

    #[test]
    fn hostile_nodes_are_refused_with_a_reason() {
        for bytes in [
            &b"not json"[..],
            br#"{"entries":[],"children":[]}"#,
            br#"{"children":[null]}"#,
            br#"{"children":["zz",null,null,null,null,null,null,null,null,null,null,null,null,null,null,null]}"#,
            br#"{"entries":[["a"]]}"#,
            br#"{"other":1}"#,
        ] {
            assert!(decode(bytes).is_err(), "{}", String::from_utf8_lossy(bytes));
        }
        let mut twice = vec![entry(1), entry(1)];
        assert!(check_leaf(&twice, &[]).is_err());
        twice.pop();
        assert!(check_leaf(&twice, &[]).is_ok());
        let key = entry(1).key();
        let wrong = u8::try_from((nibble(&key, 0) + 1) % FANOUT).unwrap();
        assert!(check_leaf(&twice, &[wrong]).is_err());
    }
}
