//! Passwords, hashed with argon2id (the OWASP recommendation) in PHC string form, so the
//! parameters travel with each hash and can be raised later without breaking old ones.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;

/// Why a password is not accepted.
pub fn weakness(password: &str, person: &str) -> Option<String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Some(format!(
            "the password has {length} characters; use at least {MIN_LENGTH}"
        ));
    }
    if length > 1024 {
        return Some("the password is longer than 1,024 characters".to_owned());
    }
    if password.to_lowercase().contains(&person.to_lowercase()) {
        return Some("the password contains your person id; choose another".to_owned());
    }
    None
}

/// The argon2id PHC string of `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, String> {
    PasswordHasher::<PasswordHash>::hash_password(&Argon2::default(), password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordVerifier::<str>::verify_password(&Argon2::default(), password.as_bytes(), phc).is_ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterY", &phc));
        assert!(!verify("correct horse battery", "not a hash"));
        assert_ne!(phc, hash("correct horse battery").unwrap());
    }

    #[test]
    fn weak_passwords_are_named() {
        assert!(weakness("short", "mara").is_some());
        assert!(weakness("mara-is-the-best-1", "mara").is_some());
        assert!(weakness("a long enough passphrase", "mara").is_none());
    }
}
