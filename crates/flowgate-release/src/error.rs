//! What can go wrong in a release, with what to do about it.

/// A release operation that could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// No bundle with that id in the workspace.
    #[error("no bundle `{bundle}` in the workspace{hint}")]
    NoBundle {
        /// The id asked for.
        bundle: String,
        /// ` (bundles: a, b)` or a suggestion.
        hint: String,
    },
    /// The version is not semver (a leading `v` included: versions are stored as written).
    #[error("`{0}` is not a semantic version; write MAJOR.MINOR.PATCH, such as 1.4.0{hint}", hint = without_v(.0))]
    BadVersion(String),
    /// The workspace has loader errors or check errors.
    #[error("{0}")]
    NotReleasable(String),
    /// The version does not match what changed.
    #[error("{0}")]
    VersionTooSmall(String),
    /// A stored snapshot does not read back.
    #[error("snapshot {snapshot} cannot be read: {reason}")]
    Unreadable {
        /// Which snapshot.
        snapshot: String,
        /// Why.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] flowgate_store::Error),
    /// Another operation moved the environment first (exit code 3).
    #[error("{0}")]
    Conflict(String),
    /// One or more gates block the promotion.
    #[error("{} gate(s) block the promotion", .0.iter().filter(|g| !g.passed).count())]
    Blocked(Vec<crate::GateResult>),
    /// The saved plan no longer matches what a plan made now would be.
    #[error("{0}")]
    Stale(String),
    /// A request that the policy refuses, or that names nothing known.
    #[error("{0}")]
    Refused(String),
    /// The deploy target failed.
    #[error(transparent)]
    Target(#[from] crate::TargetError),
    /// A snapshot names a file or directory that would lie outside the deploy target (a kind,
    /// id, entry path, platform dialect or bundle name that is not a plain name).
    #[error(
        "{what} {path}; nothing was rendered or written. A snapshot frozen from a workspace \
         never holds such a name: create the version again with `flowgate snapshot create`, \
         and import snapshot files only from people you trust"
    )]
    UnsafePath {
        /// What holds the name (`entry Workflow `x` of lead-intake 1.0.0: the file name`).
        what: String,
        /// The name and the rule it breaks.
        path: crate::UnsafePath,
    },
    /// The rendering would exceed a cap on the number of files or bytes of one release.
    #[error("{0}")]
    TooLarge(String),
}

/// ` (without the v: 1.0.9)` for a version written `v1.0.9`.
fn without_v(version: &str) -> String {
    match version.strip_prefix(['v', 'V']) {
        Some(rest) if semver::Version::parse(rest).is_ok() => {
            format!(" (without the `v`: {rest})")
        }
        _ => String::new(),
    }
}
