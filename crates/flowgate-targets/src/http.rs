//! The HTTP target, for home-grown middleware: each deployment is the rendered bundle POSTed
//! as one JSON document, signed with HMAC-SHA256 and carrying an idempotency key, retried
//! with backoff when the receiver fails or does not answer. `GET <url>?bundle=<bundle>`
//! returns what the receiver holds (the document it accepted last), for status and pull.
//! The receiver's contract is in docs/targets.md.

use crate::wire::{Client, Reply};
use flowgate_release::{
    DeployTarget, Deployed, Pulled, Rendered, Staged, TargetError, TargetFailure,
};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::time::Duration;

/// The version of the deployment document.
pub const DOCUMENT_VERSION: u64 = 1;

/// Attempts per deployment, and the wait before the second (doubled before each further).
const ATTEMPTS: u32 = 4;
const FIRST_WAIT: Duration = Duration::from_millis(250);

/// A receiver of rendered bundles.
#[derive(Debug, Clone)]
pub struct HttpTarget {
    url: String,
    secret: String,
    client: Client,
}

impl HttpTarget {
    /// The receiver at `url`, signing with `secret`.
    pub fn new(url: &str, secret: &str) -> Self {
        Self {
            url: url.to_owned(),
            secret: secret.to_owned(),
            client: Client::new(url),
        }
    }

    fn post(&self, body: &[u8], key: &str) -> Result<Reply, TargetError> {
        let timestamp = unix_now().to_string();
        let signature = sign(&self.secret, &timestamp, body);
        let headers = [
            ("content-type", "application/json"),
            ("idempotency-key", key),
            ("x-flowgate-timestamp", timestamp.as_str()),
            ("x-flowgate-signature", signature.as_str()),
        ];
        self.client.send("POST", &self.url, &headers, Some(body))
    }

    fn held(&self, bundle: &str) -> Result<Option<Value>, TargetError> {
        let url = format!("{}?bundle={}", self.url, query_value(bundle));
        let reply = self.client.send("GET", &url, &[], None)?;
        if reply.status == 404 {
            return Ok(None);
        }
        let reply = self.client.expect(reply, "reading what it holds")?;
        reply.json(&self.url, "what it holds").map(Some)
    }
}

impl DeployTarget for HttpTarget {
    fn describe(&self) -> String {
        format!("HTTP {}", self.url)
    }

    fn shared(&self) -> bool {
        true
    }

    fn stage(
        &self,
        bundle: &str,
        rendered: &Rendered,
        manifest: &Value,
    ) -> Result<Staged, TargetError> {
        let document = document(bundle, rendered, manifest).map_err(|path| {
            TargetError::failed(
                &self.url,
                format!("cannot send `{path}`: it is not UTF-8 text"),
            )
        })?;
        let body = serde_json::to_vec(&document).unwrap_or_default();
        let key = blake3::hash(&body).to_hex()[..32].to_owned();
        Ok(Staged {
            bundle: bundle.to_owned(),
            location: String::new(),
            state: json!({ "key": key, "document": document }),
        })
    }

    fn activate(&self, staged: &Staged) -> Result<(), TargetError> {
        let key = staged.state["key"].as_str().unwrap_or_default();
        let body = serde_json::to_vec(&staged.state["document"]).unwrap_or_default();
        let mut wait = FIRST_WAIT;
        for attempt in 1..=ATTEMPTS {
            let last = attempt == ATTEMPTS;
            match self.post(&body, key) {
                Ok(reply) if (200..300).contains(&reply.status) => return Ok(()),
                Ok(reply) if !last && retryable_status(reply.status) => {}
                Ok(reply) => return self.client.expect(reply, "taking the deployment").map(drop),
                Err(e) if !last && e.failure == TargetFailure::Unreachable => {}
                Err(e) => return Err(e),
            }
            std::thread::sleep(wait);
            wait *= 2;
        }
        Err(TargetError::failed(&self.url, "was never tried"))
    }

    fn discard(&self, _staged: &Staged) {}

    fn inspect(&self, bundle: &str) -> Result<Option<Deployed>, TargetError> {
        let Some(held) = self.held(bundle)? else {
            return Ok(None);
        };
        let manifest = held.get("manifest").cloned().unwrap_or(Value::Null);
        let drift = drift(&held);
        Ok(Some(Deployed { manifest, drift }))
    }

    fn pull(&self, bundle: &str) -> Result<Option<Pulled>, TargetError> {
        let Some(held) = self.held(bundle)? else {
            return Ok(None);
        };
        let manifest = held.get("manifest").cloned().unwrap_or(Value::Null);
        let files = held
            .get("files")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(path, file)| {
                let text = file.get("text").and_then(Value::as_str)?;
                Some((path.clone(), text.as_bytes().to_vec()))
            })
            .collect();
        Ok(Some(Pulled { manifest, files }))
    }
}

/// The deployment document: version, bundle, manifest, and each file's text and BLAKE3
/// hash; `Err(path)` for a file that is not UTF-8.
fn document(bundle: &str, rendered: &Rendered, manifest: &Value) -> Result<Value, String> {
    let hashes = rendered.file_hashes();
    let mut files = Map::new();
    for (path, bytes) in &rendered.files {
        let text = std::str::from_utf8(bytes).map_err(|_| path.clone())?;
        files.insert(
            path.clone(),
            json!({ "blake3": hashes.get(path), "text": text }),
        );
    }
    Ok(json!({
        "version": DOCUMENT_VERSION,
        "bundle": bundle,
        "manifest": manifest,
        "files": files,
    }))
}

/// Files whose text the receiver holds differs from the hash it was sent with.
fn drift(held: &Value) -> Vec<String> {
    let files: BTreeMap<&String, &Value> = held
        .get("files")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .collect();
    files
        .into_iter()
        .filter_map(|(path, file)| {
            let text = file.get("text").and_then(Value::as_str)?;
            let sent = file.get("blake3").and_then(Value::as_str);
            let now = blake3::hash(text.as_bytes()).to_hex();
            (sent != Some(now.as_str())).then(|| format!("modified: {path}"))
        })
        .collect()
}

/// Whether another attempt may succeed after the receiver answered `status`: it failed
/// (5xx) or asked to be called later (429, 408).
fn retryable_status(status: u16) -> bool {
    status >= 500 || status == 429 || status == 408
}

/// `sha256=<hex>` of HMAC-SHA256 over `timestamp.body` with `secret`: the signature of
/// deployments and of the server's notifications.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let mut hex = String::from("sha256=");
    for byte in mac.finalize().into_bytes().iter() {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// `text` percent-encoded for a query value (bundle names are ids; this keeps any byte safe).
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_and_body() {
        // Python: hmac.new(b"Jefe", b"1.body", hashlib.sha256).hexdigest()
        let a = sign("Jefe", "1", b"body");
        assert_eq!(
            a,
            "sha256=25d254c27761adb1423727084ca395476858b2401387226230b6358cf07fad8b"
        );
        assert_ne!(a, sign("Jefe", "2", b"body"));
        assert_ne!(a, sign("jefe", "1", b"body"));
    }

    #[test]
    fn query_values_keep_every_byte_safe() {
        assert_eq!(query_value("lead-intake"), "lead-intake");
        assert_eq!(query_value("a&b=c d"), "a%26b%3Dc%20d");
    }

    #[test]
    fn held_files_whose_text_changed_are_drift() {
        let held = json!({ "files": {
            "a.json": { "text": "{}", "blake3": blake3::hash(b"{}").to_hex().to_string() },
            "b.json": { "text": "{\"x\":1}", "blake3": blake3::hash(b"{}").to_hex().to_string() },
        }});
        assert_eq!(drift(&held), vec!["modified: b.json".to_owned()]);
    }
}
