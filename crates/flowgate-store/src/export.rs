//! The portable, self-verifying export file of one snapshot.
//!
//! ```text
//! magic        "flowgate snapshot export v1\n"                  (28 bytes)
//! header_len   u64, big-endian                                  (8 bytes)
//! header       canonical JSON {"objects":[{"id","size"}…],"snapshot":{…}}
//! objects      each object's bytes, concatenated in header order
//! digest       BLAKE3("flowgate/export/v1\0" ‖ every byte above)  (32 bytes)
//! ```
//!
//! Objects are listed once each, sorted by id. Import checks, in order: the framing, the header,
//! every object's hash, the snapshot id, that every entry's object is present, and the digest;
//! the first mismatch is named in the error.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::canonical::{canonical_json, domain_hash, EXPORT_DOMAIN};
use crate::error::{Error, Result};
use crate::id::ObjectId;
use crate::model::{NewSnapshot, Object, Snapshot};

/// The first bytes of every export file.
pub const EXPORT_MAGIC: &[u8] = b"flowgate snapshot export v1\n";
const LEN_BYTES: usize = 8;
const DIGEST_BYTES: usize = 32;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    objects: Vec<ObjectRef>,
    snapshot: Snapshot,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectRef {
    id: ObjectId,
    size: u64,
}

/// Writes the export file of `snapshot`. `objects` must hold every entry's object, each once,
/// sorted by id.
pub(crate) fn encode(snapshot: &Snapshot, objects: &[Object]) -> Result<Vec<u8>> {
    let header = Header {
        objects: objects
            .iter()
            .map(|o| ObjectRef {
                id: o.id(),
                size: o.bytes().len() as u64,
            })
            .collect(),
        snapshot: snapshot.clone(),
    };
    let value = serde_json::to_value(&header)
        .map_err(|e| Error::InvalidOperation(format!("cannot encode the export header: {e}")))?;
    let header = canonical_json(&value);
    let body: usize = objects.iter().map(|o| o.bytes().len()).sum();
    let mut out =
        Vec::with_capacity(EXPORT_MAGIC.len() + LEN_BYTES + header.len() + body + DIGEST_BYTES);
    out.extend_from_slice(EXPORT_MAGIC);
    out.extend_from_slice(&(header.len() as u64).to_be_bytes());
    out.extend_from_slice(&header);
    for object in objects {
        out.extend_from_slice(object.bytes());
    }
    let digest = domain_hash(EXPORT_DOMAIN, &out);
    out.extend_from_slice(&digest);
    Ok(out)
}

fn rejected(reason: impl Into<String>) -> Error {
    Error::TamperedExport(reason.into())
}

/// Reads and verifies an export file: the snapshot to create and its objects.
pub(crate) fn decode(bytes: &[u8]) -> Result<(Snapshot, NewSnapshot, Vec<Object>)> {
    if !bytes.starts_with(EXPORT_MAGIC) {
        return Err(rejected(
            "not a flowgate snapshot export (the file does not start with the export header)",
        ));
    }
    let min = EXPORT_MAGIC.len() + LEN_BYTES + DIGEST_BYTES;
    if bytes.len() < min {
        return Err(rejected(format!(
            "the file is {} bytes long, too short to be a flowgate snapshot export",
            bytes.len()
        )));
    }
    let (content, digest) = bytes.split_at(bytes.len() - DIGEST_BYTES);
    let rest = &content[EXPORT_MAGIC.len()..];
    let (len, rest) = rest.split_at(LEN_BYTES);
    let mut len_bytes = [0u8; LEN_BYTES];
    len_bytes.copy_from_slice(len);
    let header_len = usize::try_from(u64::from_be_bytes(len_bytes))
        .ok()
        .filter(|&n| n <= rest.len())
        .ok_or_else(|| rejected("the header length points past the end of the file"))?;
    let (header, mut body) = rest.split_at(header_len);
    let header: Header = serde_json::from_slice(header)
        .map_err(|e| rejected(format!("the header is not a valid snapshot record: {e}")))?;

    let mut objects = Vec::with_capacity(header.objects.len());
    let mut present = BTreeSet::new();
    for object in &header.objects {
        let size = usize::try_from(object.size)
            .ok()
            .filter(|&n| n <= body.len())
            .ok_or_else(|| {
                rejected(format!(
                    "object {} is listed as {} bytes, more than the file has left",
                    object.id, object.size
                ))
            })?;
        let (data, rest) = body.split_at(size);
        body = rest;
        let actual = ObjectId::of(data);
        if actual != object.id {
            return Err(rejected(format!(
                "object {} does not match its content (the bytes hash to {actual})",
                object.id
            )));
        }
        present.insert(actual);
        objects.push(Object::new(data));
    }
    if !body.is_empty() {
        return Err(rejected(format!(
            "{} bytes follow the last listed object",
            body.len()
        )));
    }

    let snapshot = header.snapshot;
    let new = snapshot.to_new();
    let computed = new.id();
    if computed != snapshot.id {
        return Err(rejected(format!(
            "snapshot {} (`{}` {}) does not match its content (bundle, version and entries hash \
             to {computed})",
            snapshot.id, snapshot.bundle, snapshot.version
        )));
    }
    if let Some(entry) = snapshot
        .entries
        .iter()
        .find(|e| !present.contains(&e.object))
    {
        return Err(rejected(format!(
            "entry {} `{}` refers to object {}, which the file does not contain",
            entry.kind, entry.id, entry.object
        )));
    }
    if domain_hash(EXPORT_DOMAIN, content).as_slice() != digest {
        return Err(rejected(
            "the file's digest does not match its content: it was truncated or edited",
        ));
    }
    Ok((snapshot, new, objects))
}
