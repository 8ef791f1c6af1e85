//! Semver impact of a change, and the version a release must at least carry.

use serde::Serialize;
use std::fmt;

/// How much of the version a change requires to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed.
    #[default]
    None,
    /// Copy and cosmetic changes.
    Patch,
    /// New assets, steps, variants; behaviour that only adds.
    Minor,
    /// Breaking logic or data model: removed assets or steps, trigger and type changes,
    /// weakened consent or suppression.
    Major,
}

impl Bump {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Patch => "patch",
            Self::Minor => "minor",
            Self::Major => "major",
        }
    }

    /// `previous` moved by this bump (`1.4.2` + minor = `1.5.0`); pre-release and build
    /// metadata are dropped.
    pub fn apply(self, previous: &semver::Version) -> semver::Version {
        let (major, minor, patch) = (previous.major, previous.minor, previous.patch);
        match self {
            Self::None => semver::Version::new(major, minor, patch),
            Self::Patch => semver::Version::new(major, minor, patch + 1),
            Self::Minor => semver::Version::new(major, minor + 1, 0),
            Self::Major => semver::Version::new(major + 1, 0, 0),
        }
    }

    /// The bump that leads from `previous` to `next`, or `None` when `next` is not greater.
    pub fn between(previous: &semver::Version, next: &semver::Version) -> Option<Bump> {
        if next <= previous {
            return None;
        }
        Some(if next.major > previous.major {
            Self::Major
        } else if next.minor > previous.minor {
            Self::Minor
        } else {
            Self::Patch
        })
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bumps_move_the_right_part() {
        let v = semver::Version::parse("1.4.2").unwrap();
        assert_eq!(Bump::Patch.apply(&v).to_string(), "1.4.3");
        assert_eq!(Bump::Minor.apply(&v).to_string(), "1.5.0");
        assert_eq!(Bump::Major.apply(&v).to_string(), "2.0.0");
        let next = semver::Version::parse("1.5.0").unwrap();
        assert_eq!(Bump::between(&v, &next), Some(Bump::Minor));
        assert_eq!(Bump::between(&next, &v), None);
        assert!(Bump::Major > Bump::Minor && Bump::Minor > Bump::Patch);
    }
}
