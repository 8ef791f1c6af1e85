//! How a command fails: one error type whose kind decides the exit code, reported in one
//! place ([`report`]).

use crate::cli::{Format, GlobalArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_diagnostics::{Diagnostic, SourceText};
use flowgate_load::codes;
use flowgate_release::ReleaseError;
use serde_json::Value;

/// What a command returns: how it ended when it ran to the end (success, or findings and
/// blocking gates already reported), or why it could not.
pub type CommandResult = Result<Exit, CommandError>;

/// The class of a failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An argument, a file or a reference given on the command line is unusable (exit 2).
    Usage,
    /// `flowgate.toml` cannot be used (exit 2).
    Config,
    /// A gate, a role or the promotion policy refuses, or a plan is stale (exit 1).
    Refused,
    /// Another operation moved first; nothing was changed by this one (exit 3).
    Conflict,
    /// The store, a database or a deploy target cannot be reached or used (exit 4).
    Unavailable,
    /// A bug in flowgate (exit 101).
    Internal,
}

impl ErrorKind {
    /// The documented exit code of this class.
    pub fn exit(self) -> Exit {
        match self {
            Self::Usage | Self::Config => Exit::BadInput,
            Self::Refused => Exit::Findings,
            Self::Conflict => Exit::Conflict,
            Self::Unavailable => Exit::Unavailable,
            Self::Internal => Exit::Internal,
        }
    }

    /// The diagnostic code of an error of this class that has no more specific code.
    fn code(self) -> &'static str {
        match self {
            Self::Usage => codes::USAGE,
            Self::Config => codes::CONFIG,
            Self::Refused => codes::REFUSED,
            Self::Conflict => codes::CONFLICT,
            Self::Unavailable => codes::UNAVAILABLE,
            Self::Internal => codes::INTERNAL,
        }
    }
}

/// Why a command could not do what was asked (boxed: it travels in every `Result`).
#[derive(Debug)]
pub struct CommandError(Box<Failure>);

/// What a [`CommandError`] holds.
#[derive(Debug)]
struct Failure {
    kind: ErrorKind,
    diagnostics: Vec<Diagnostic>,
    /// Printed under the diagnostics for people (the gates of a blocked plan).
    detail: Option<String>,
    /// Printed instead of the diagnostics under `--format json`.
    json: Option<Value>,
    /// Texts the diagnostics point into, when the reporter could not read them again.
    sources: Vec<SourceText>,
}

impl CommandError {
    /// An error of `kind` with the class's code, a message and what to do.
    pub fn new(kind: ErrorKind, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self::from_diagnostic(
            kind,
            Diagnostic::error(kind.code(), message).with_help(help),
        )
    }

    /// An unusable argument, file or reference (exit 2).
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message, help)
    }

    /// The store or a service cannot be reached or used (exit 4).
    pub fn unavailable(message: impl Into<String>, help: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message, help)
    }

    /// A bug in flowgate (exit 101).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Internal,
            message,
            "this is a bug in flowgate: please report it with the command you ran",
        )
    }

    /// An error reported by a diagnostic that already carries its code and place.
    pub fn from_diagnostic(kind: ErrorKind, diagnostic: Diagnostic) -> Self {
        Self::from_diagnostics(kind, vec![diagnostic])
    }

    /// An error with several diagnostics (every problem of `flowgate.toml` at once).
    pub fn from_diagnostics(kind: ErrorKind, diagnostics: Vec<Diagnostic>) -> Self {
        Self(Box::new(Failure {
            kind,
            diagnostics,
            detail: None,
            json: None,
            sources: Vec::new(),
        }))
    }

    /// Text for people printed under the message.
    pub fn with_detail(mut self, detail: String) -> Self {
        self.0.detail = Some(detail);
        self
    }

    /// The text of a file the diagnostics point into (`flowgate.toml`).
    pub fn with_source(mut self, source: SourceText) -> Self {
        self.0.sources.push(source);
        self
    }

    /// The JSON document printed instead of the diagnostics under `--format json`.
    pub fn with_json(mut self, json: Value) -> Self {
        self.0.json = Some(json);
        self
    }

    /// The class of the failure.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// What is wrong, in one sentence.
    pub fn message(&self) -> &str {
        self.0
            .diagnostics
            .first()
            .map(|d| d.message.as_str())
            .unwrap_or_default()
    }

    /// The exit code of the failure.
    pub fn exit(&self) -> Exit {
        self.0.kind.exit()
    }
}

/// Report `error` (stdout under `--format json`, stderr otherwise) and give its exit code.
pub fn report(error: &CommandError, global: &GlobalArgs) -> Exit {
    let failure = &error.0;
    match (&failure.json, global.format) {
        (Some(json), Format::Json) => output::out(&format!(
            "{}\n",
            serde_json::to_string_pretty(json).unwrap_or_default()
        )),
        _ => {
            output::fatal_all(&failure.diagnostics, &failure.sources, global);
            if let (Some(detail), false) = (&failure.detail, global.format == Format::Json) {
                output::err(detail);
            }
        }
    }
    error.exit()
}

impl From<flowgate_store::Error> for CommandError {
    fn from(error: flowgate_store::Error) -> Self {
        use flowgate_store::Error as E;
        let kind = match &error {
            E::Open { .. }
            | E::Connect { .. }
            | E::StoreTooNew { .. }
            | E::Migration { .. }
            | E::Database { .. }
            | E::Corrupt { .. } => ErrorKind::Unavailable,
            E::Conflict { .. } => ErrorKind::Conflict,
            _ => ErrorKind::Usage,
        };
        let help = match kind {
            ErrorKind::Unavailable => {
                "nothing was changed; check that the store is reachable (`flowgate snapshot verify` checks a damaged one) and retry"
            }
            ErrorKind::Conflict => {
                "nothing was changed; look at `flowgate status` and try again"
            }
            _ => "`flowgate snapshot list` shows what the store holds",
        };
        Self::new(kind, error.to_string(), help)
    }
}

/// How a deploy target's failure maps to an exit code, and what to do about it.
fn target_kind(error: &flowgate_release::TargetError) -> (ErrorKind, &'static str) {
    use flowgate_release::TargetFailure;
    match error.failure {
        TargetFailure::Conflict => (
            ErrorKind::Conflict,
            "nothing was overwritten: `flowgate pull ENV` shows what changed on the platform; \
             `flowgate adopt ENV` keeps it as a new version, `flowgate sync ENV` puts back the held one",
        ),
        TargetFailure::Denied => (
            ErrorKind::Unavailable,
            "nothing was changed; check the credential the target's secret reference names",
        ),
        TargetFailure::Unreachable => (
            ErrorKind::Unavailable,
            "nothing was changed; start the platform or check the target's url, then retry",
        ),
        TargetFailure::Failed => (
            ErrorKind::Unavailable,
            "nothing was changed; check the store (`flowgate snapshot verify`) and the target, then retry",
        ),
    }
}

impl From<ReleaseError> for CommandError {
    fn from(error: ReleaseError) -> Self {
        let (kind, help) = match error {
            ReleaseError::Store(inner) => return inner.into(),
            ReleaseError::Conflict(_) => (
                ErrorKind::Conflict,
                "`flowgate log` shows the operation that moved it first",
            ),
            ReleaseError::Blocked(_) => (
                ErrorKind::Refused,
                "satisfy the gates marked ✗, then apply again",
            ),
            ReleaseError::Stale(_) => (
                ErrorKind::Refused,
                "approvals of the old plan do not carry over: plan again and collect approvals",
            ),
            ReleaseError::Refused(_) => (
                ErrorKind::Refused,
                "see docs/promotion.md for people, roles and gates",
            ),
            ReleaseError::Target(ref target) => target_kind(target),
            ReleaseError::Unreadable { .. } => (
                ErrorKind::Unavailable,
                "nothing was changed; check the store (`flowgate snapshot verify`) and the target directory, then retry",
            ),
            ReleaseError::NoBundle { .. }
            | ReleaseError::BadVersion(_)
            | ReleaseError::NotReleasable
            | ReleaseError::VersionTooSmall(_)
            | ReleaseError::UnsafePath { .. }
            | ReleaseError::TooLarge(_) => (
                ErrorKind::Usage,
                "`flowgate snapshot list` shows the stored versions",
            ),
        };
        Self::new(kind, error.to_string(), help)
    }
}
