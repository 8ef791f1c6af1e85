//! Edge cases planted on purpose, so that checks and simulations meet them before customers
//! do. Each generated contact is at most one of them, and the report counts them.

use serde::Serialize;

/// An edge case a contact is generated as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeCase {
    /// A name in a script or with marks beyond Latin-1 (Greek, Cyrillic, CJK, Vietnamese,
    /// Yoruba with combining marks, Icelandic).
    NonAsciiName,
    /// A family name of 160 characters or more.
    LongName,
    /// No consent recorded for any channel (status unknown, no time, no source).
    ConsentMissing,
    /// Consent given and later withdrawn, with the time and source of the withdrawal.
    ConsentWithdrawn,
    /// The email of an earlier contact, differing only in letter case.
    CaseDuplicate,
    /// A phone number that is not valid E.164 (too short, too long, no country code, a letter).
    InvalidPhone,
    /// A contact placed in the next IANA time zone of the full list, so that every zone has
    /// contacts once there are enough of them.
    EveryTimeZone,
    /// A contact whose sign-up time falls at the start of a daylight-saving gap in its zone
    /// (a local time that does not exist).
    DstGap,
    /// A member of every suppression list the workflows use.
    Suppressed,
}

impl EdgeCase {
    /// Every edge case, in the order they are planted.
    pub const ALL: [Self; 9] = [
        Self::NonAsciiName,
        Self::LongName,
        Self::ConsentMissing,
        Self::ConsentWithdrawn,
        Self::CaseDuplicate,
        Self::InvalidPhone,
        Self::EveryTimeZone,
        Self::DstGap,
        Self::Suppressed,
    ];

    /// Its snake-case name, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NonAsciiName => "non_ascii_name",
            Self::LongName => "long_name",
            Self::ConsentMissing => "consent_missing",
            Self::ConsentWithdrawn => "consent_withdrawn",
            Self::CaseDuplicate => "case_duplicate",
            Self::InvalidPhone => "invalid_phone",
            Self::EveryTimeZone => "every_time_zone",
            Self::DstGap => "dst_gap",
            Self::Suppressed => "suppressed",
        }
    }
}

/// Names beyond Latin-1: (given, family).
pub const NON_ASCII_NAMES: &[(&str, &str)] = &[
    ("Ἀλέξανδρος", "Παπαδόπουλος"),
    ("Дмитрий", "Иванов"),
    ("太郎", "山田"),
    ("Nguyễn", "Thị Minh Khai"),
    ("Ṣàdé", "Adébáyọ̀"),
    ("Sigurður", "Þórsson"),
    ("Łucja", "Żółkiewska-Ærøe"),
    ("Ayşe", "Çağlar"),
];

/// Phone numbers that are not valid E.164.
pub const INVALID_PHONES: &[&str] = &[
    "+49 30 1234",
    "004930231250001234567",
    "555-0199",
    "+1 (212) 555-01O0",
    "+44770090",
    "0",
];

/// A family name of at least 160 characters.
pub fn long_family_name() -> String {
    let part = "Wolfeschlegelsteinhausenbergerdorff";
    let mut name = String::new();
    while name.chars().count() < 160 {
        if !name.is_empty() {
            name.push('-');
        }
        name.push_str(part);
    }
    name
}
