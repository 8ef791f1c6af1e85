//! Random secrets (invitation links, API tokens, session ids, CSRF tokens) and the hashes the
//! store keeps of them. A secret is 32 random bytes from the operating system, written in
//! lower-case hex behind a prefix that says what it is (`fgt_` for an API token), so that a
//! leaked one is recognisable in logs and by secret scanners.

use subtle::ConstantTimeEq;

/// A fresh secret: `prefix` followed by 64 hex digits of OS randomness.
pub fn generate(prefix: &str) -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let mut out = String::with_capacity(prefix.len() + 64);
    out.push_str(prefix);
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    Ok(out)
}

/// What the store keeps of a secret: its BLAKE3 hash under a domain prefix. The secrets are
/// 256-bit random values, so a fast hash is enough (no password stretching is needed).
pub fn hash(secret: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"flowgate-secret-v1\0");
    hasher.update(secret.as_bytes());
    hasher.finalize().to_hex().to_string()
}

/// Compares two secrets in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Whether `text` could be a secret made by [`generate`] with `prefix` (cheap shape check
/// before any store lookup).
pub fn looks_like(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_are_distinct_prefixed_and_recognisable() {
        let a = generate("fgt_").unwrap();
        let b = generate("fgt_").unwrap();
        assert_ne!(a, b);
        assert!(looks_like(&a, "fgt_"));
        assert!(!looks_like(&a, "fgs_"));
        assert!(!looks_like("fgt_xyz", "fgt_"));
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a), hash(&a));
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &b));
        assert!(!same(&a, "fgt_"));
    }
}
