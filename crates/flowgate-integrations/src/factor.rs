//! The eight factors of an integration's risk and the classes a score falls into: the
//! vocabulary the risk model and its settings share.

use serde::Serialize;
use std::fmt;

/// One factor of the risk score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// Safe zone and criticality: what breaks for the business when the flow breaks.
    BusinessCriticality,
    /// How many teams own the flow and its two systems, and whether there is an escalation.
    OwnershipComplexity,
    /// Whether the flow runs on events whose timing it assumes, and whether the assumption
    /// is written down.
    TimingSensitivity,
    /// How far the flow is from a vendor's connector.
    Customization,
    /// Rate limits, payload limits, required fields and short timeouts of the other side.
    ExternalRigidity,
    /// Missing retries, dead letter and alerting; silent-failure patterns.
    ErrorHandling,
    /// Missing logs, metrics, alerts and dashboards.
    Observability,
    /// How easily the hook breaks on a platform upgrade (direct database access highest),
    /// plus deprecated APIs in use.
    HookFragility,
}

impl Factor {
    /// Every factor, in report order.
    pub const ALL: [Factor; 8] = [
        Self::BusinessCriticality,
        Self::OwnershipComplexity,
        Self::TimingSensitivity,
        Self::Customization,
        Self::ExternalRigidity,
        Self::ErrorHandling,
        Self::Observability,
        Self::HookFragility,
    ];

    /// The key used in `flowgate.toml` and JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Self::BusinessCriticality => "business_criticality",
            Self::OwnershipComplexity => "ownership_complexity",
            Self::TimingSensitivity => "timing_sensitivity",
            Self::Customization => "customization",
            Self::ExternalRigidity => "external_rigidity",
            Self::ErrorHandling => "error_handling",
            Self::Observability => "observability",
            Self::HookFragility => "hook_fragility",
        }
    }

    /// A title for reports.
    pub fn title(self) -> &'static str {
        match self {
            Self::BusinessCriticality => "business criticality",
            Self::OwnershipComplexity => "ownership complexity",
            Self::TimingSensitivity => "timing sensitivity",
            Self::Customization => "degree of customization",
            Self::ExternalRigidity => "external rigidity",
            Self::ErrorHandling => "error-handling gaps",
            Self::Observability => "observability gaps",
            Self::HookFragility => "hook-type fragility",
        }
    }

    /// The default weight.
    pub fn default_weight(self) -> u32 {
        match self {
            Self::BusinessCriticality => 3,
            Self::HookFragility => 3,
            Self::TimingSensitivity | Self::Customization | Self::ErrorHandling => 2,
            Self::OwnershipComplexity | Self::ExternalRigidity | Self::Observability => 1,
        }
    }

    /// Parse a key.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// Risk class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskClass {
    /// Below the medium threshold.
    Low,
    /// From the medium threshold.
    Medium,
    /// From the high threshold.
    High,
}

impl RiskClass {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl fmt::Display for RiskClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
