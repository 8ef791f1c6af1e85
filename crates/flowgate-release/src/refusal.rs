//! Why a promotion request is refused: the policy forbids it, or it names nothing known.

/// A request that the promotion policy refuses, or that names nothing known, with what to do
/// about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No environment of that name in `flowgate.toml`.
    #[error(
        "no environment `{name}` in {}; environments: {}",
        flowgate_load::CONFIG_FILE,
        .known.join(", ")
    )]
    UnknownEnvironment {
        /// The name asked for.
        name: String,
        /// The environments there are, in promotion order.
        known: Vec<String>,
    },
    /// An environment whose name cannot name a ref (`env/<name>/<bundle>`).
    #[error(
        "environment `{}` cannot hold bundles: the ref `{}` {why}; rename the environment in {} \
         to letters, digits, `.`, `_` and `-`",
        .env.escape_debug(),
        .reference.escape_debug(),
        flowgate_load::CONFIG_FILE
    )]
    BadEnvironmentName {
        /// The environment.
        env: String,
        /// The ref it would need.
        reference: String,
        /// What is wrong with that ref.
        why: String,
    },
    /// No stored snapshot with that id.
    #[error("no snapshot {id} in the store")]
    UnknownSnapshot {
        /// The snapshot id, shortened.
        id: String,
    },
    /// No stored snapshot of that bundle and version.
    #[error("no snapshot {bundle}@{version} in the store")]
    UnknownVersion {
        /// The bundle.
        bundle: String,
        /// The version asked for.
        version: String,
    },
    /// A plan id prefix too short to look plans up by.
    #[error("`{prefix}` is too short for a plan id; give at least {min} characters")]
    PlanIdTooShort {
        /// The prefix given.
        prefix: String,
        /// The shortest prefix accepted.
        min: usize,
    },
    /// A plan id prefix that several plans start with.
    #[error("`{prefix}` matches {matches} plans; give more of the id")]
    AmbiguousPlan {
        /// The prefix given.
        prefix: String,
        /// How many plans it matches.
        matches: usize,
    },
    /// An approval by someone not listed under `[people]`.
    #[error(
        "`{person}` is not listed under [people] in flowgate.toml; approvals are signed by people \
         listed there"
    )]
    UnknownApprover {
        /// Who tried to approve.
        person: String,
    },
    /// An approval in a role the person does not hold, or that does not approve there.
    #[error(
        "{person} cannot approve as `{role}` into {env}: {person} holds {}, and approvals there \
         come from {}",
        .holds.join(", "),
        approvers_text(.approvers)
    )]
    CannotApproveAs {
        /// Who tried to approve.
        person: String,
        /// The role they named.
        role: String,
        /// The environment.
        env: String,
        /// The roles they hold.
        holds: Vec<String>,
        /// The roles that approve into the environment.
        approvers: Vec<String>,
    },
    /// An approval by someone who holds no approving role of the environment.
    #[error(
        "{person} ({}) is not an approver for {env}; approvals there come from {}",
        .holds.join(", "),
        approvers_text(.approvers)
    )]
    NotAnApprover {
        /// Who tried to approve.
        person: String,
        /// The environment.
        env: String,
        /// The roles they hold.
        holds: Vec<String>,
        /// The roles that approve into the environment.
        approvers: Vec<String>,
    },
    /// An approval by someone who holds several approving roles, without saying which.
    #[error(
        "{person} holds several approving roles ({}); say which with --role",
        .roles.join(", ")
    )]
    WhichRole {
        /// Who tried to approve.
        person: String,
        /// The approving roles they hold.
        roles: Vec<String>,
    },
    /// A change by someone not listed under `[people]`.
    #[error("`{actor}` is not listed under [people] in flowgate.toml")]
    UnknownActor {
        /// Who tried.
        actor: String,
    },
    /// A change by someone whose roles may not change the environment.
    #[error(
        "{actor} ({}) may not change {env}; that takes {}",
        .holds.join(", "),
        .allowed.join(" or ")
    )]
    NotAPromoter {
        /// Who tried.
        actor: String,
        /// The environment.
        env: String,
        /// The roles they hold.
        holds: Vec<String>,
        /// The roles that may change the environment.
        allowed: Vec<String>,
    },
    /// A change to a pinned environment without `--force` and a reason.
    #[error(
        "{env} is pinned by {} since {}: {}; {}",
        .pin.by,
        .pin.at,
        .pin.reason,
        unpin_or_force(.forced)
    )]
    Pinned {
        /// The environment.
        env: String,
        /// Who pinned it, when and why.
        pin: crate::Pin,
        /// Whether `--force` was given (without a reason).
        forced: bool,
    },
    /// A rollback of a bundle the environment does not hold.
    #[error("{env} holds no version of {bundle}; nothing to roll back")]
    NothingToRollBack {
        /// The environment.
        env: String,
        /// The bundle.
        bundle: String,
    },
    /// A rollback without `--to` when the environment has held only one version.
    #[error("{env} has held only {bundle} {version}; there is no earlier version to go back to")]
    NoEarlierVersion {
        /// The environment.
        env: String,
        /// The bundle.
        bundle: String,
        /// The only version it has held.
        version: String,
    },
    /// A rollback that would remove what other bundles in the environment use.
    #[error(
        "rolling {bundle} back to {version} would strand what other bundles in {env} use: {}; \
         roll those back first, or pass --force",
        stranded_text(.stranded)
    )]
    WouldStrand {
        /// The bundle rolled back.
        bundle: String,
        /// The version it would go back to.
        version: String,
        /// The environment.
        env: String,
        /// The other bundles and what they use that the rollback removes.
        stranded: Vec<Stranded>,
    },
    /// A sync of an environment without a deploy target.
    #[error("{env} has no deploy target, so there are no files to sync")]
    NoTarget {
        /// The environment.
        env: String,
    },
    /// A sync of a bundle the environment does not hold.
    #[error("{env} holds no version of {bundle}; nothing to sync")]
    NothingToSync {
        /// The environment.
        env: String,
        /// The bundle.
        bundle: String,
    },
    /// A snapshot that does not render for the environment.
    #[error("{bundle} {version} does not render for {env}: {problem}")]
    DoesNotRender {
        /// The bundle.
        bundle: String,
        /// Its version.
        version: String,
        /// The environment.
        env: String,
        /// The first rendering problem.
        problem: String,
    },
}

/// Another bundle in an environment that uses assets a rollback would remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stranded {
    /// The other bundle.
    pub bundle: String,
    /// Its version in the environment.
    pub version: String,
    /// The asset ids it uses that the rollback removes.
    pub uses: Vec<String>,
}

/// The approving roles, or `nobody (none are required)`.
fn approvers_text(roles: &[String]) -> String {
    if roles.is_empty() {
        "nobody (none are required)".to_owned()
    } else {
        roles.join(", ")
    }
}

/// What to do about a pin, depending on whether `--force` was already given.
fn unpin_or_force(forced: &bool) -> &'static str {
    if *forced {
        "--force needs --reason saying why the pinned environment is re-deployed"
    } else {
        "pass --force with --reason to re-deploy it anyway, or unpin it first"
    }
}

/// `b 1.0.0 uses x, y; c 2.0.0 uses z`.
fn stranded_text(bundles: &[Stranded]) -> String {
    let each: Vec<String> = bundles
        .iter()
        .map(|s| format!("{} {} uses {}", s.bundle, s.version, s.uses.join(", ")))
        .collect();
    each.join("; ")
}
