//! The policy both server suites run under, shared by `#[path]` so that it is written once.

use flowgate_diagnostics::SourceText;
use flowgate_release::Policy;

/// People and environments: prod is approved by marketing-ops (accountable) and revops
/// (responsible); compliance is consulted; a builder may promote into stage only.
pub const POLICY: &str = r#"
[workspace]
name = "acme"

[people.mara]
email = "Mara@Acme.example"
roles = ["marketing-ops"]
[people.jonas]
email = "jonas@acme.example"
roles = ["revops"]
[people.priya]
roles = ["compliance"]
[people.tom]
roles = ["builder"]

[environments.stage]
name_prefix = "STG — "

[environments.stage.gates]
promoters = ["builder", "marketing-ops", "revops"]

[environments.prod]
name_prefix = "PRD — "

[environments.prod.gates]
promoters = ["marketing-ops", "revops"]

[environments.prod.raci]
accountable = ["marketing-ops"]
responsible = ["revops"]
consulted = ["compliance"]
"#;

pub fn policy() -> Policy {
    let config = flowgate_load::parse_config(POLICY).unwrap();
    Policy::from_config(
        &config,
        &SourceText::new("flowgate.toml", POLICY),
        std::path::Path::new("."),
    )
    .unwrap()
}
