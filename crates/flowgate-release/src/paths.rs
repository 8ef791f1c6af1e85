//! Safe relative paths. Every file a release writes, and every directory it names after a
//! bundle, is built from parts checked here, so that nothing a snapshot holds (a kind, an id,
//! an entry path, a platform dialect, a bundle name) can make rendering or a deploy target
//! write outside the target: a path is relative, `/`-separated, and made of normal
//! components only (no `..`, `.`, empty part, root, drive prefix, NUL, control character or
//! backslash).

use std::path::{Component, Path, PathBuf};

/// Why a path was refused: the path (escaped and shortened for messages) and the rule it
/// breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{path}` {reason}")]
pub struct UnsafePath {
    /// The path as given, control characters escaped, at most 120 characters.
    pub path: String,
    /// The rule it breaks.
    pub reason: &'static str,
}

impl UnsafePath {
    fn new(path: &str, reason: &'static str) -> Self {
        let mut shown: String = path.chars().take(120).collect();
        if shown.len() < path.len() {
            shown.push('…');
        }
        Self {
            path: shown.escape_debug().to_string(),
            reason,
        }
    }
}

/// Turns a `/`-separated relative path into a path that cannot leave the directory it is
/// joined to: only [`Component::Normal`] parts, and none of them empty, `.` or `..`.
pub fn safe_relative(path: &str) -> Result<PathBuf, UnsafePath> {
    if path.starts_with('/') {
        return Err(UnsafePath::new(path, "is absolute"));
    }
    let mut safe = PathBuf::new();
    for part in path.split('/') {
        match name_problem(part) {
            None => safe.push(part),
            Some(reason) => return Err(UnsafePath::new(path, reason)),
        }
    }
    Ok(safe)
}

/// What keeps one `/`-free part from being a plain file or directory name, if anything.
fn name_problem(part: &str) -> Option<&'static str> {
    let mut components = Path::new(part).components();
    let single_normal = matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(name)), None) if name == part
    );
    if part.is_empty() {
        Some("is empty or has an empty part")
    } else if part == "." || part == ".." {
        Some("has a `.` or `..` part")
    } else if part.chars().any(|c| c == '\\' || c.is_control()) {
        Some("holds a NUL, a control character or a backslash")
    } else if !single_normal {
        Some("is not a plain relative path on this platform")
    } else {
        None
    }
}

/// Checks one part of a path (a directory or file name): a safe relative path without `/`.
pub fn safe_part(part: &str) -> Result<&str, UnsafePath> {
    safe_relative(part)?;
    if part.contains('/') {
        return Err(UnsafePath::new(part, "holds a `/` where one name belongs"));
    }
    Ok(part)
}

/// Joins checked parts with `/` into a relative file path.
pub fn join_parts(parts: &[&str]) -> Result<String, UnsafePath> {
    for part in parts {
        safe_part(part)?;
    }
    Ok(parts.join("/"))
}

/// Checks a bundle name where it becomes a directory and link name: an asset id
/// (`[A-Za-z0-9][A-Za-z0-9._-]*`), so it can be neither hidden (`.releases`) nor a path.
pub fn safe_bundle(bundle: &str) -> Result<&str, UnsafePath> {
    safe_part(bundle)?;
    flowgate_model::validate_id(bundle).map_err(|_| {
        UnsafePath::new(
            bundle,
            "is not a bundle id (a letter or digit, then letters, digits, `.`, `_` or `-`)",
        )
    })?;
    Ok(bundle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn only_plain_relative_paths_pass() {
        for good in ["a", "assets/workflow/x.json", "platform/n8n/a b.json"] {
            assert!(safe_relative(good).is_ok(), "{good}");
        }
        let bad_paths = [
            "..",
            ".",
            "/abs",
            "x/../../y",
            "dir//file",
            "ends/",
            "a\\..\\b",
            "nul\0",
            "line\nbreak",
        ];
        for bad in bad_paths {
            assert!(safe_relative(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parts_and_bundles_are_single_names() {
        assert!(safe_part("a/b").is_err());
        assert!(join_parts(&["assets", "..", "x.json"]).is_err());
        assert_eq!(join_parts(&["a", "b.json"]).unwrap(), "a/b.json");
        assert!(safe_bundle(".releases").is_err());
        assert!(safe_bundle("lead-intake").is_ok());
    }
}
