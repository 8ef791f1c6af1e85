//! Small validated value types shared by several asset kinds.

use serde::{Serialize, Serializer};
use std::fmt;

/// A length of time, written `90s`, `15m`, `2h`, `3d`, `1w` or combined (`1h30m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    seconds: u64,
}

/// Why a duration text does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a duration: write a number and a unit (s, m, h, d, w), e.g. `15m`, `3d` or `1h30m`")]
pub struct DurationError {
    /// The rejected text.
    pub text: String,
}

impl Duration {
    /// A duration of `seconds` seconds.
    pub const fn from_seconds(seconds: u64) -> Self {
        Self { seconds }
    }

    /// Total seconds.
    pub const fn as_seconds(self) -> u64 {
        self.seconds
    }

    /// Parse `15m`, `3d`, `1h30m`, `45s`, `2w`.
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        let err = || DurationError {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(err());
        }
        let mut seconds: u64 = 0;
        let mut digits = String::new();
        for ch in trimmed.chars() {
            if ch.is_ascii_digit() {
                digits.push(ch);
                continue;
            }
            let unit = match ch {
                's' => 1,
                'm' => 60,
                'h' => 3_600,
                'd' => 86_400,
                'w' => 604_800,
                _ => return Err(err()),
            };
            let amount: u64 = digits.parse().map_err(|_| err())?;
            digits.clear();
            seconds = amount
                .checked_mul(unit)
                .and_then(|s| seconds.checked_add(s))
                .ok_or_else(err)?;
        }
        if !digits.is_empty() {
            return Err(err());
        }
        Ok(Self { seconds })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.seconds == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.seconds;
        // Weeks are accepted on input but printed as days: `7d` reads as written.
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A wall-clock time of day, `HH:MM` (24-hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    minutes: u16,
}

/// Why a time-of-day text does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a time of day: write 24-hour `HH:MM`, e.g. `08:00` or `21:30`")]
pub struct TimeOfDayError {
    /// The rejected text.
    pub text: String,
}

impl TimeOfDay {
    /// Parse `HH:MM`.
    pub fn parse(text: &str) -> Result<Self, TimeOfDayError> {
        let err = || TimeOfDayError {
            text: text.to_owned(),
        };
        let (h, m) = text.trim().split_once(':').ok_or_else(err)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(err());
        }
        let h: u16 = h.parse().map_err(|_| err())?;
        let m: u16 = m.parse().map_err(|_| err())?;
        if h > 23 || m > 59 {
            return Err(err());
        }
        Ok(Self {
            minutes: h * 60 + m,
        })
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        self.minutes
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A reference to a secret held outside flowgate, written `env:NAME` (environment variable)
/// or `vault:path#key`. Assets never hold the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretRef {
    /// The provider: `env` or `vault`.
    pub provider: String,
    /// The name inside the provider.
    pub name: String,
}

/// Why a secret reference is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a secret reference: write `env:NAME` (an environment variable) or `vault:path#key`; never put the secret itself in an asset")]
pub struct SecretRefError {
    /// The rejected text.
    pub text: String,
}

impl SecretRef {
    /// Parse `env:NAME` or `vault:path#key`.
    pub fn parse(text: &str) -> Result<Self, SecretRefError> {
        let err = || SecretRefError {
            text: text.to_owned(),
        };
        let (provider, name) = text.split_once(':').ok_or_else(err)?;
        let valid_name = match provider {
            "env" => {
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            }
            "vault" => !name.is_empty() && !name.contains(char::is_whitespace),
            _ => false,
        };
        if !valid_name {
            return Err(err());
        }
        Ok(Self {
            provider: provider.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.provider, self.name)
    }
}

impl Serialize for SecretRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print_canonically() {
        assert_eq!(Duration::parse("1h30m").map(|d| d.as_seconds()), Ok(5400));
        assert_eq!(
            Duration::parse("3d").map(|d| d.to_string()),
            Ok("3d".into())
        );
        assert_eq!(
            Duration::parse("1w").map(|d| d.to_string()),
            Ok("7d".into())
        );
        assert_eq!(
            Duration::parse("90m").map(|d| d.to_string()),
            Ok("1h30m".into())
        );
        for bad in ["", "15", "m", "3 days", "-1h", "99999999999999999999w"] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_of_day_are_24_hour() {
        assert_eq!(TimeOfDay::parse("08:05").map(|t| t.minutes()), Ok(485));
        assert_eq!(
            TimeOfDay::parse("8:05").map(|t| t.to_string()),
            Ok("08:05".into())
        );
        for bad in ["24:00", "12:60", "noon", "12:5", ""] {
            assert!(TimeOfDay::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_are_references_only() {
        assert!(SecretRef::parse("env:CRM_TOKEN").is_ok());
        assert!(SecretRef::parse("vault:crm/prod#token").is_ok());
        assert!(SecretRef::parse("sk_live_abc123").is_err());
        assert!(SecretRef::parse("env:lower").is_err());
    }
}
