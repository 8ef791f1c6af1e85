//! `[integrations.risk]` in `flowgate.toml`: factor weights and class thresholds.
//!
//! ```toml
//! [integrations.risk]
//! high = 60      # score from which an integration is high risk
//! medium = 35    # score from which it is medium risk
//! safe_zone = "high"   # the lowest class of a safe-zone flow ("low" turns the floor off)
//! [integrations.risk.weights]
//! hook_fragility = 4
//! observability = 0   # leave a factor out
//! ```

use crate::factor::{Factor, RiskClass};
use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Code of configuration errors (shared with the loader's `flowgate.toml` errors).
const CONFIG_CODE: &str = "FG015";

/// Default score from which an integration is high risk.
pub const DEFAULT_HIGH: u32 = 60;
/// Default score from which an integration is medium risk.
pub const DEFAULT_MEDIUM: u32 = 35;

/// Weights and thresholds of the risk model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskConfig {
    weights: BTreeMap<Factor, u32>,
    /// Score from which an integration is high risk.
    pub high: u32,
    /// Score from which an integration is medium risk.
    pub medium: u32,
    /// The lowest class of an integration in the safe zone (orders, payments, inventory):
    /// what must never break is never rated below it, whatever its score.
    pub safe_zone: RiskClass,
}

impl Default for RiskConfig {
    fn default() -> Self {
        Self {
            weights: Factor::ALL
                .into_iter()
                .map(|f| (f, f.default_weight()))
                .collect(),
            high: DEFAULT_HIGH,
            medium: DEFAULT_MEDIUM,
            safe_zone: RiskClass::High,
        }
    }
}

impl RiskConfig {
    /// The weight of a factor.
    pub fn weight(&self, factor: Factor) -> u32 {
        self.weights
            .get(&factor)
            .copied()
            .unwrap_or(factor.default_weight())
    }

    /// The class of a score.
    pub fn class(&self, score: u32) -> RiskClass {
        if score >= self.high {
            RiskClass::High
        } else if score >= self.medium {
            RiskClass::Medium
        } else {
            RiskClass::Low
        }
    }
}

#[derive(Deserialize)]
struct Root {
    #[serde(default)]
    integrations: Option<Section>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default)]
    risk: Option<RiskSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RiskSection {
    #[serde(default)]
    high: Option<toml::Spanned<u32>>,
    #[serde(default)]
    medium: Option<toml::Spanned<u32>>,
    #[serde(default)]
    safe_zone: Option<toml::Spanned<String>>,
    #[serde(default)]
    weights: BTreeMap<toml::Spanned<String>, u32>,
}

/// Read `[integrations.risk]` from the text of `flowgate.toml`; errors name the line and
/// column. Other sections are left to their readers.
pub fn parse_risk_config(config_text: &str) -> Result<RiskConfig, Box<Diagnostic>> {
    let source = SourceText::new("flowgate.toml", config_text);
    let located = |message: String, span: Span, help: &str| {
        Box::new(
            Diagnostic::error(CONFIG_CODE, message)
                .at(&source, span)
                .with_help(help.to_owned()),
        )
    };
    let root: Root = toml::from_str(config_text).map_err(|e| {
        let span = e
            .span()
            .map(|r| Span::new(r.start, r.end))
            .unwrap_or_default();
        located(
            format!("invalid flowgate.toml: {}", e.message()),
            span,
            "`[integrations.risk]` accepts `high`, `medium`, `safe_zone` and `[integrations.risk.weights]`; see docs/integrations.md",
        )
    })?;
    let mut config = RiskConfig::default();
    let Some(risk) = root.integrations.and_then(|s| s.risk) else {
        return Ok(config);
    };
    for (key, weight) in risk.weights {
        let span = Span::new(key.span().start, key.span().end);
        let Some(factor) = Factor::parse(key.get_ref()) else {
            let names: Vec<&str> = Factor::ALL.iter().map(|f| f.key()).collect();
            return Err(located(
                format!("unknown risk factor `{}`", key.get_ref()),
                span,
                &format!("the factors are: {}", names.join(", ")),
            ));
        };
        config.weights.insert(factor, weight);
    }
    if config.weights.values().all(|w| *w == 0) {
        return Err(located(
            "every risk weight is 0: no score can be computed".to_owned(),
            Span::default(),
            "give at least one factor a positive weight",
        ));
    }
    if let Some(high) = &risk.high {
        config.high = *high.get_ref();
    }
    if let Some(medium) = &risk.medium {
        config.medium = *medium.get_ref();
    }
    if let Some(floor) = &risk.safe_zone {
        config.safe_zone = match floor.get_ref().as_str() {
            "high" => RiskClass::High,
            "medium" => RiskClass::Medium,
            "low" => RiskClass::Low,
            other => {
                return Err(located(
                    format!("unknown risk class `{other}` for `safe_zone`"),
                    Span::new(floor.span().start, floor.span().end),
                    "write \"high\" (the default), \"medium\" or \"low\" (no floor)",
                ))
            }
        };
    }
    let bad = risk
        .high
        .as_ref()
        .or(risk.medium.as_ref())
        .map(|s| Span::new(s.span().start, s.span().end))
        .unwrap_or_default();
    if config.high > 100 || config.medium > config.high {
        return Err(located(
            format!(
                "risk thresholds must satisfy medium <= high <= 100 (medium = {}, high = {})",
                config.medium, config.high
            ),
            bad,
            "scores run from 0 to 100; the defaults are medium = 35, high = 60",
        ));
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn safe_zone_floor_is_read_and_checked() {
        let config = parse_risk_config("[integrations.risk]\nsafe_zone = \"medium\"\n").unwrap();
        assert_eq!(config.safe_zone, RiskClass::Medium);
        let err = parse_risk_config("[integrations.risk]\nsafe_zone = \"severe\"\n").unwrap_err();
        assert!(err.message.contains("severe"), "{err:?}");
        assert_eq!(RiskConfig::default().safe_zone, RiskClass::High);
    }

    #[test]
    fn absent_section_gives_defaults() {
        let config = parse_risk_config("[workspace]\nname = \"x\"\n").unwrap();
        assert_eq!(config, RiskConfig::default());
        assert_eq!(config.weight(Factor::HookFragility), 3);
    }

    #[test]
    fn weights_and_thresholds_are_read() {
        let config = parse_risk_config(
            "[workspace]\nname = \"x\"\n[integrations.risk]\nhigh = 70\n[integrations.risk.weights]\nobservability = 0\n",
        )
        .unwrap();
        assert_eq!(config.high, 70);
        assert_eq!(config.weight(Factor::Observability), 0);
        assert_eq!(config.class(69), RiskClass::Medium);
        assert_eq!(config.class(70), RiskClass::High);
    }

    #[test]
    fn unknown_factor_is_located() {
        let err = parse_risk_config(
            "[workspace]\nname = \"x\"\n[integrations.risk.weights]\nhook_fragilty = 2\n",
        )
        .unwrap_err();
        assert!(err.message.contains("hook_fragilty"), "{}", err.message);
        assert_eq!(err.location.as_ref().unwrap().start.line, 4);
        assert!(err.help.as_deref().unwrap().contains("hook_fragility"));
    }

    #[test]
    fn inverted_thresholds_are_rejected() {
        let err = parse_risk_config("[integrations.risk]\nhigh = 30\nmedium = 50\n").unwrap_err();
        assert!(err.message.contains("medium <= high"), "{}", err.message);
    }
}
