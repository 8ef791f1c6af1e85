//! Exit codes, as documented in `flowgate --help`.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success.
    Success = 0,
    /// Findings (error diagnostics) or a failed gate.
    Findings = 1,
    /// Bad input or usage: no workspace, invalid configuration, unusable arguments.
    BadInput = 2,
    /// A conflict: another operation won a race.
    Conflict = 3,
    /// The store, a database or a deploy target cannot be reached or used.
    Unavailable = 4,
    /// A bug in flowgate.
    Internal = 101,
}
