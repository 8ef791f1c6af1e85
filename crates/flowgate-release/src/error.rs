//! What can go wrong in a release, with what to do about it.

use flowgate_diff::Bump;

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
    /// The workspace has loader errors.
    #[error(
        "the workspace does not load cleanly; run `flowgate validate` and fix the errors \
         before freezing a release"
    )]
    NotReleasable,
    /// The version does not match what changed.
    #[error(transparent)]
    VersionTooSmall(Box<VersionTooSmall>),
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
    #[error(transparent)]
    Conflict(Box<Conflict>),
    /// One or more gates block the promotion.
    #[error("{} gate(s) block the promotion", .0.iter().filter(|g| !g.passed).count())]
    Blocked(Vec<crate::GateResult>),
    /// The saved plan no longer matches what a plan made now would be.
    #[error(transparent)]
    Stale(StalePlan),
    /// A request that the policy refuses, or that names nothing known.
    #[error(transparent)]
    Refused(crate::Refusal),
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
    #[error(transparent)]
    TooLarge(TooLarge),
}

/// A version that moves less than the changes since the previous version require.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{}; use {suggestion} or pass --allow-version \"<reason>\"{}",
    problem(.version, .previous, .given, .required),
    because(.reasons)
)]
pub struct VersionTooSmall {
    /// The version asked for.
    pub version: semver::Version,
    /// The previous version of the bundle.
    pub previous: semver::Version,
    /// How far the version moves from the previous; `None` when it is not greater.
    pub given: Option<Bump>,
    /// How far the changes require it to move.
    pub required: Bump,
    /// The smallest version that fits.
    pub suggestion: semver::Version,
    /// The changes that require the bump (the first few).
    pub reasons: Vec<ChangeReason>,
}

/// One change that requires a bump: an asset and what changed in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeReason {
    /// The asset's kind (`Workflow`).
    pub kind: String,
    /// The asset's id.
    pub id: String,
    /// What changed.
    pub detail: String,
}

fn problem(
    version: &semver::Version,
    previous: &semver::Version,
    given: &Option<Bump>,
    required: &Bump,
) -> String {
    match given {
        None => format!("version {version} is not greater than the previous version {previous}"),
        Some(given) => format!(
            "version {version} is a {given} release, but the changes since {previous} require a \
             {required} release"
        ),
    }
}

fn because(reasons: &[ChangeReason]) -> String {
    let lines: Vec<String> = reasons
        .iter()
        .map(|r| format!("  - {} `{}`: {}", r.kind, r.id, r.detail))
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!("\nbecause:\n{}", lines.join("\n"))
    }
}

/// Another operation moved an environment before this one could.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// The environment holds something else than when the plan was made.
    #[error(
        "{env} moved since the plan was made (it held {}, now {}); make a new plan",
        describe(.held),
        describe(.now)
    )]
    MovedSincePlan {
        /// The environment.
        env: String,
        /// What it held when the plan was made.
        held: Option<crate::Base>,
        /// What it holds now.
        now: Option<crate::Base>,
    },
    /// Another operation moved the environment's pointer between reading and writing it.
    #[error(
        "another operation moved {env} first; nothing was changed. Look at `flowgate status` \
         and make a new plan"
    )]
    MovedFirst {
        /// The environment.
        env: String,
    },
    /// The platform took the deployment, but another operation moved the pointer first.
    #[error(
        "the platform of {env} now runs {version}, but another operation moved {env} first;          run `flowgate sync {env}` to put back what {env} holds, then make a new plan"
    )]
    MovedAfterDeploy {
        /// The environment.
        env: String,
        /// The version the platform runs now.
        version: String,
    },
}

/// `1.2.0 (abc123)`, or `nothing`.
fn describe(base: &Option<crate::Base>) -> String {
    base.as_ref().map_or_else(
        || "nothing".to_owned(),
        |b| format!("{} ({})", b.version, b.snapshot.short()),
    )
}

/// A saved plan that differs from a plan made now (rendered files or gates changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the plan is stale: a plan made now differs (rendered files or {env}'s gates changed); \
     make a new plan with `flowgate plan {bundle}@{version} --to {env}`"
)]
pub struct StalePlan {
    /// The environment of the plan.
    pub env: String,
    /// The bundle.
    pub bundle: String,
    /// The version.
    pub version: String,
}

/// A rendering that would exceed a cap of one release ([`crate::MAX_RENDERED_FILES`],
/// [`crate::MAX_RENDERED_BYTES`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{bundle} {version} would render {cap}; nothing was rendered or written. Split the bundle \
     into smaller bundles (a snapshot file from elsewhere {} is not one flowgate froze)",
    .cap.origin()
)]
pub struct TooLarge {
    /// The bundle.
    pub bundle: String,
    /// Its version.
    pub version: String,
    /// The cap it would exceed.
    pub cap: Cap,
}

/// A cap of one release, and how far a rendering would go past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// Files.
    Files {
        /// How many files it would render (at least).
        files: usize,
        /// How many one release may hold.
        limit: usize,
    },
    /// Bytes.
    Bytes {
        /// How many bytes it would render (at least).
        bytes: u64,
        /// How many one release may hold.
        limit: u64,
    },
}

impl Cap {
    /// What a snapshot file that goes past this cap holds.
    fn origin(&self) -> &'static str {
        match self {
            Self::Files { .. } => "that holds this many entries",
            Self::Bytes { .. } => "whose entries repeat one large object",
        }
    }
}

impl std::fmt::Display for Cap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Files { files, limit } => {
                write!(
                    f,
                    "{files} files, more than the {limit} one release may hold"
                )
            }
            Self::Bytes { bytes, limit } => write!(
                f,
                "{} MiB or more, more than the {} MiB one release may hold",
                bytes >> 20,
                limit >> 20
            ),
        }
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Base, Pin, Refusal, Stranded};

    fn version(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn version_messages_list_the_reasons() {
        let mut small = VersionTooSmall {
            version: version("1.2.0"),
            previous: version("1.1.0"),
            given: Some(Bump::Minor),
            required: Bump::Major,
            suggestion: version("2.0.0"),
            reasons: vec![ChangeReason {
                kind: "Workflow".to_owned(),
                id: "welcome".to_owned(),
                detail: "step `send` removed".to_owned(),
            }],
        };
        assert_eq!(
            ReleaseError::VersionTooSmall(Box::new(small.clone())).to_string(),
            "version 1.2.0 is a minor release, but the changes since 1.1.0 require a major \
             release; use 2.0.0 or pass --allow-version \"<reason>\"\nbecause:\n  - Workflow \
             `welcome`: step `send` removed"
        );
        small.given = None;
        small.reasons.clear();
        assert_eq!(
            small.to_string(),
            "version 1.2.0 is not greater than the previous version 1.1.0; use 2.0.0 or pass \
             --allow-version \"<reason>\""
        );
    }

    #[test]
    fn conflicts_stale_plans_and_caps_read_as_sentences() {
        let held = Base {
            snapshot: "ab".repeat(32).parse().unwrap(),
            version: "1.0.0".to_owned(),
        };
        let moved = Conflict::MovedSincePlan {
            env: "prod".to_owned(),
            held: None,
            now: Some(held.clone()),
        };
        assert_eq!(
            moved.to_string(),
            format!(
                "prod moved since the plan was made (it held nothing, now 1.0.0 ({})); make a \
                 new plan",
                held.snapshot.short()
            )
        );
        let stale = StalePlan {
            env: "prod".to_owned(),
            bundle: "b".to_owned(),
            version: "1.0.0".to_owned(),
        };
        assert_eq!(
            stale.to_string(),
            "the plan is stale: a plan made now differs (rendered files or prod's gates \
             changed); make a new plan with `flowgate plan b@1.0.0 --to prod`"
        );
        let bytes = TooLarge {
            bundle: "b".to_owned(),
            version: "1.0.0".to_owned(),
            cap: Cap::Bytes {
                bytes: 3 << 30,
                limit: 1 << 30,
            },
        };
        assert_eq!(
            bytes.to_string(),
            "b 1.0.0 would render 3072 MiB or more, more than the 1024 MiB one release may hold; \
             nothing was rendered or written. Split the bundle into smaller bundles (a snapshot \
             file from elsewhere whose entries repeat one large object is not one flowgate froze)"
        );
        let files = TooLarge {
            cap: Cap::Files {
                files: 50_001,
                limit: 50_000,
            },
            ..bytes
        };
        assert_eq!(
            files.to_string(),
            "b 1.0.0 would render 50001 files, more than the 50000 one release may hold; nothing \
             was rendered or written. Split the bundle into smaller bundles (a snapshot file from \
             elsewhere that holds this many entries is not one flowgate froze)"
        );
    }

    #[test]
    fn refusals_say_what_to_do() {
        let pin = Pin {
            by: "ana".to_owned(),
            at: "2026-01-01T00:00:00Z".to_owned(),
            reason: "freeze".to_owned(),
        };
        let pinned = |forced| Refusal::Pinned {
            env: "prod".to_owned(),
            pin: pin.clone(),
            forced,
        };
        assert_eq!(
            pinned(false).to_string(),
            "prod is pinned by ana since 2026-01-01T00:00:00Z: freeze; pass --force with \
             --reason to re-deploy it anyway, or unpin it first"
        );
        assert!(pinned(true).to_string().ends_with(
            "freeze; --force needs --reason saying why the pinned environment is re-deployed"
        ));
        let not_approver = Refusal::NotAnApprover {
            person: "bo".to_owned(),
            env: "prod".to_owned(),
            holds: vec!["dev".to_owned(), "ops".to_owned()],
            approvers: Vec::new(),
        };
        assert_eq!(
            not_approver.to_string(),
            "bo (dev, ops) is not an approver for prod; approvals there come from nobody (none \
             are required)"
        );
        let strand = Refusal::WouldStrand {
            bundle: "a".to_owned(),
            version: "1.0.0".to_owned(),
            env: "prod".to_owned(),
            stranded: vec![
                Stranded {
                    bundle: "b".to_owned(),
                    version: "2.0.0".to_owned(),
                    uses: vec!["x".to_owned(), "y".to_owned()],
                },
                Stranded {
                    bundle: "c".to_owned(),
                    version: "3.0.0".to_owned(),
                    uses: vec!["z".to_owned()],
                },
            ],
        };
        assert_eq!(
            strand.to_string(),
            "rolling a back to 1.0.0 would strand what other bundles in prod use: b 2.0.0 uses \
             x, y; c 3.0.0 uses z; roll those back first, or pass --force"
        );
    }
}
