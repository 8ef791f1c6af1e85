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
//! Objects are listed once each, sorted by id. Import checks, in order: the size limits (the
//! `MAX_…` constants below), the framing, the header, every object's hash, the snapshot id, that
//! every entry's object is present, and the digest; the first mismatch is named in the error.
//!
//! The digest is unkeyed: it detects accidents, not tampering. Anyone can re-seal an edited
//! file, so everything a file says about itself is a claim (see `SnapshotOrigin::Imported`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::canonical::{canonical_json, domain_hash, EXPORT_DOMAIN};
use crate::error::{Error, Result};
use crate::grammar::shown;
use crate::id::ObjectId;
use crate::model::{NewSnapshot, Object, Snapshot, SnapshotOrigin};

/// The first bytes of every export file.
pub const EXPORT_MAGIC: &[u8] = b"flowgate snapshot export v1\n";

/// Largest export file an import reads: 1 GiB. A 10,000-asset bundle exports to about 10 MB.
pub const MAX_EXPORT_BYTES: u64 = 1 << 30;
/// Largest header (the snapshot record and the object list) of an export file: 64 MiB, about
/// twice what 100,000 entries take.
pub const MAX_EXPORT_HEADER_BYTES: u64 = 64 << 20;
/// Most entries (and objects) an imported snapshot may have: 100,000.
pub const MAX_IMPORT_ENTRIES: u64 = 100_000;
/// Largest single object of an imported snapshot: 64 MiB.
pub const MAX_IMPORT_OBJECT_BYTES: u64 = 64 << 20;
/// Most bytes an imported snapshot may hold with each entry's object counted once per entry,
/// which is what rendering and deploying it write: 1 GiB. This refuses a small file whose many
/// entries share one large object (a "zip bomb" for `plan` and `promote`).
pub const MAX_IMPORT_CONTENT_BYTES: u64 = 1 << 30;

fn too_large(what: &str, found: u64, limit: u64) -> Result<()> {
    if found > limit {
        return Err(Error::ExportTooLarge {
            what: what.to_owned(),
            found,
            limit,
        });
    }
    Ok(())
}

/// Reads an export file from `reader`, refusing it with [`Error::ExportTooLarge`] as soon as
/// it passes [`MAX_EXPORT_BYTES`], so that a huge file is never held in memory whole.
pub fn read_export(reader: impl Read) -> Result<Vec<u8>> {
    read_limited(reader, MAX_EXPORT_BYTES)
}

fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| Error::ExportUnreadable { source })?;
    too_large("the file (bytes, at least)", bytes.len() as u64, limit)?;
    Ok(bytes)
}
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

/// Writes an export file to `out` part by part, so that a snapshot's objects never need to be
/// in memory together: [`ExportWriter::start`] writes the magic and the header,
/// [`ExportWriter::object`] each listed object in turn, [`ExportWriter::finish`] the digest.
/// On an error the output is incomplete and must be discarded.
pub(crate) struct ExportWriter<W: Write> {
    out: W,
    hasher: blake3::Hasher,
    written: u64,
    listed: std::vec::IntoIter<ObjectRef>,
}

impl<W: Write> ExportWriter<W> {
    /// Writes the magic and the header of `snapshot`, whose entries' objects are `objects`
    /// (id and size; each once, sorted by id).
    pub(crate) fn start(out: W, snapshot: &Snapshot, objects: &[(ObjectId, u64)]) -> Result<Self> {
        let listed: Vec<ObjectRef> = objects
            .iter()
            .map(|&(id, size)| ObjectRef { id, size })
            .collect();
        let header = Header {
            objects: listed,
            // How the snapshot came into this store is not part of it: the importer decides.
            snapshot: Snapshot {
                origin: SnapshotOrigin::Local,
                ..snapshot.clone()
            },
        };
        let value = serde_json::to_value(&header).map_err(|e| {
            Error::InvalidOperation(format!("cannot encode the export header: {e}"))
        })?;
        let bytes = canonical_json(&value);
        let mut hasher = blake3::Hasher::new();
        hasher.update(EXPORT_DOMAIN);
        let mut writer = Self {
            out,
            hasher,
            written: 0,
            listed: header.objects.into_iter(),
        };
        writer.put(EXPORT_MAGIC)?;
        writer.put(&(bytes.len() as u64).to_be_bytes())?;
        writer.put(&bytes)?;
        Ok(writer)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|source| Error::ExportUnwritable { source })?;
        self.hasher.update(bytes);
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Writes the next listed object; it must be that object, with the listed size.
    pub(crate) fn object(&mut self, object: &Object) -> Result<()> {
        match self.listed.next() {
            Some(next) if next.id == object.id() && next.size == object.bytes().len() as u64 => {
                self.put(object.bytes())
            }
            _ => Err(Error::InvalidOperation(format!(
                "object {} is not the next one the export header lists",
                object.id()
            ))),
        }
    }

    /// Writes the digest after checking that every listed object was written; returns the
    /// file's length.
    pub(crate) fn finish(mut self) -> Result<u64> {
        if let Some(next) = self.listed.next() {
            return Err(Error::InvalidOperation(format!(
                "object {} is listed in the export header but was not written",
                next.id
            )));
        }
        let digest = *self.hasher.finalize().as_bytes();
        self.out
            .write_all(&digest)
            .and_then(|()| self.out.flush())
            .map_err(|source| Error::ExportUnwritable { source })?;
        Ok(self.written + digest.len() as u64)
    }
}

fn rejected(reason: impl Into<String>) -> Error {
    Error::TamperedExport(reason.into())
}

/// Reads and verifies an export file: the snapshot to create and its objects.
pub(crate) fn decode(bytes: &[u8]) -> Result<(Snapshot, NewSnapshot, Vec<Object>)> {
    let Frame {
        content,
        header,
        body,
        digest,
    } = split_frame(bytes)?;
    let header: Header = serde_json::from_slice(header)
        .map_err(|e| rejected(format!("the header is not a valid snapshot record: {e}")))?;
    check_limits(&header)?;
    let objects = read_objects(&header.objects, body)?;
    let snapshot = header.snapshot;
    let new = snapshot.to_new();
    let computed = new.id();
    if computed != snapshot.id {
        return Err(rejected(format!(
            "snapshot {} (`{}` {}) does not match its content (bundle, version and entries hash \
             to {computed})",
            snapshot.id,
            shown(&snapshot.bundle),
            shown(&snapshot.version)
        )));
    }
    let present: BTreeSet<ObjectId> = objects.iter().map(Object::id).collect();
    if let Some(entry) = snapshot
        .entries
        .iter()
        .find(|e| !present.contains(&e.object))
    {
        return Err(rejected(format!(
            "entry {} `{}` refers to object {}, which the file does not contain",
            shown(&entry.kind),
            shown(&entry.id),
            entry.object
        )));
    }
    if domain_hash(EXPORT_DOMAIN, content).as_slice() != digest {
        return Err(rejected(
            "the file's digest does not match its content: it was truncated or edited",
        ));
    }
    Ok((snapshot, new, objects))
}

/// The parts of an export file.
struct Frame<'a> {
    /// Everything before the digest.
    content: &'a [u8],
    header: &'a [u8],
    /// The objects' bytes.
    body: &'a [u8],
    digest: &'a [u8],
}

/// Splits a file into its parts, refusing files and headers over the size limits.
fn split_frame(bytes: &[u8]) -> Result<Frame<'_>> {
    too_large("the file (bytes)", bytes.len() as u64, MAX_EXPORT_BYTES)?;
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
    let header_len = u64::from_be_bytes(len_bytes);
    let header_len = usize::try_from(header_len)
        .ok()
        .filter(|&n| n <= rest.len())
        .ok_or_else(|| rejected("the header length points past the end of the file"))?;
    too_large(
        "the header (bytes)",
        header_len as u64,
        MAX_EXPORT_HEADER_BYTES,
    )?;
    let (header, body) = rest.split_at(header_len);
    Ok(Frame {
        content,
        header,
        body,
        digest,
    })
}

/// Refuses a header whose snapshot is over the import limits, or that lists an object no
/// entry uses, before any object is read.
fn check_limits(header: &Header) -> Result<()> {
    let entries = &header.snapshot.entries;
    too_large("the entry count", entries.len() as u64, MAX_IMPORT_ENTRIES)?;
    too_large(
        "the object count",
        header.objects.len() as u64,
        MAX_IMPORT_ENTRIES,
    )?;
    let mut sizes = BTreeMap::new();
    for object in &header.objects {
        too_large(
            &format!("object {} (bytes)", object.id),
            object.size,
            MAX_IMPORT_OBJECT_BYTES,
        )?;
        sizes.insert(object.id, object.size);
    }
    let content = entries
        .iter()
        .map(|e| sizes.get(&e.object).copied().unwrap_or(0))
        .fold(0u64, u64::saturating_add);
    too_large(
        "the content with each entry's object counted (bytes)",
        content,
        MAX_IMPORT_CONTENT_BYTES,
    )?;
    let used: BTreeSet<ObjectId> = entries.iter().map(|e| e.object).collect();
    if let Some(unused) = header.objects.iter().find(|o| !used.contains(&o.id)) {
        return Err(rejected(format!(
            "object {} is listed but no entry uses it",
            unused.id
        )));
    }
    Ok(())
}

/// The objects listed in the header, read from `body` and checked against their ids.
fn read_objects(listed: &[ObjectRef], mut body: &[u8]) -> Result<Vec<Object>> {
    let mut objects = Vec::with_capacity(listed.len());
    for object in listed {
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
        objects.push(Object::new(data));
    }
    if !body.is_empty() {
        return Err(rejected(format!(
            "{} bytes follow the last listed object",
            body.len()
        )));
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_just_past_the_limit() {
        let big = std::io::repeat(7).take(1 << 20);
        match read_limited(big, 1000) {
            Err(Error::ExportTooLarge { found, limit, .. }) => {
                assert_eq!((found, limit), (1001, 1000))
            }
            other => panic!("expected ExportTooLarge, got {other:?}"),
        }
        let small = std::io::repeat(7).take(1000);
        assert!(matches!(read_limited(small, 1000), Ok(bytes) if bytes.len() == 1000));
    }
}
