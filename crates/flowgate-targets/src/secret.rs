//! Secret references of targets, resolved when a target is opened.

use flowgate_model::SecretRef;
use flowgate_release::{TargetError, TargetFailure, TargetSpec};

/// The value a secret reference names: `env:NAME` is read from the environment. The error
/// names the reference and the target, never a value.
pub fn resolve_secret(reference: &str, target: &TargetSpec) -> Result<String, TargetError> {
    let denied =
        |message: String| TargetError::of(TargetFailure::Denied, target.describe(), message);
    let parsed = SecretRef::parse(reference)
        .map_err(|e| denied(format!("{e}; fix the target in flowgate.toml")))?;
    match parsed.provider.as_str() {
        "env" => std::env::var(&parsed.name)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                denied(format!(
                    "needs the credential `{reference}`, but {} is not set; export it where \
                     flowgate runs",
                    parsed.name
                ))
            }),
        _ => Err(denied(format!(
            "needs the credential `{reference}`, but flowgate reads deploy credentials from \
             environment variables only; write `env:NAME`"
        ))),
    }
}
