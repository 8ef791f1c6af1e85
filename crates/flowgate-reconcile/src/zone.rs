//! Source time zones: an IANA name or a UTC offset, and the conversions between a source's
//! local times and UTC that the normalisation and incremental runs need.

use chrono::{NaiveDateTime, TimeZone};

/// A source's time zone: an IANA name (`Europe/Berlin`) or a UTC offset (`+02:00`, east
/// positive, as MySQL and ISO 8601 write it).
pub(crate) enum Zone {
    Named(chrono_tz::Tz),
    Fixed(chrono::FixedOffset),
}

impl Zone {
    /// The zone a text names, if any.
    pub(crate) fn parse(zone: &str) -> Option<Self> {
        if let Ok(tz) = zone.parse::<chrono_tz::Tz>() {
            return Some(Self::Named(tz));
        }
        chrono::DateTime::parse_from_str(
            &format!("2000-01-01 00:00:00 {zone}"),
            "%Y-%m-%d %H:%M:%S %:z",
        )
        .ok()
        .map(|t| Self::Fixed(*t.offset()))
    }

    /// The local time of a UTC instant.
    pub(crate) fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        match self {
            Self::Named(tz) => tz.from_utc_datetime(&utc).naive_local(),
            Self::Fixed(offset) => offset.from_utc_datetime(&utc).naive_local(),
        }
    }

    /// The UTC instant of a local time. An ambiguous local time (the hour repeated when clocks
    /// go back) is read as standard time, and a skipped one (when they go forward) with the
    /// offset from before the change, as PostgreSQL reads them.
    pub(crate) fn utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        let offset = match self {
            Self::Fixed(offset) => *offset,
            Self::Named(tz) => match tz.from_local_datetime(&local) {
                chrono::LocalResult::Single(x) => return x.naive_utc(),
                chrono::LocalResult::Ambiguous(_, standard) => return standard.naive_utc(),
                chrono::LocalResult::None => chrono::Offset::fix(
                    &tz.offset_from_utc_datetime(&(local - chrono::Duration::hours(3))),
                ),
            },
        };
        local - chrono::Duration::seconds(i64::from(offset.local_minus_utc()))
    }
}

/// A UTC instant as the naive local time of `zone` (an IANA name or an offset such as
/// `+01:00`); UTC without a zone. `None` for a zone neither knows.
pub(crate) fn in_zone(
    utc: chrono::NaiveDateTime,
    zone: Option<&str>,
) -> Option<chrono::NaiveDateTime> {
    match zone {
        None => Some(utc),
        Some(zone) => Zone::parse(zone).map(|z| z.local(utc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    #[test]
    fn instants_move_into_the_source_zone() {
        let utc = at("2026-07-01 10:00:00");
        assert_eq!(in_zone(utc, None), Some(utc));
        assert_eq!(
            in_zone(utc, Some("Europe/Berlin")),
            Some(at("2026-07-01 12:00:00"))
        );
        assert_eq!(
            in_zone(utc, Some("+01:00")),
            Some(at("2026-07-01 11:00:00"))
        );
        assert_eq!(
            in_zone(utc, Some("-05:30")),
            Some(at("2026-07-01 04:30:00"))
        );
        assert_eq!(in_zone(utc, Some("Mars/Olympus")), None);
    }
}
