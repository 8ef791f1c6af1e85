//! Errors of a reconciliation run.

/// Why a run (or the generator) could not complete. A run that fails never reports
/// "no differences".
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A connection URL is missing or unusable.
    #[error("{side}: {message}")]
    Connection {
        /// `left` or `right`.
        side: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A database reported an error (including a dropped connection).
    #[error("{side}: the database failed while running the reconciliation ({source}); nothing is reported for this run — fix the cause and run it again")]
    Database {
        /// `left`, `right` or the generator target.
        side: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The asset asks for something the engine cannot do.
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;
