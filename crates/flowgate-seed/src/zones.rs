//! Time zones: the full IANA list for the every-zone edge case, and the start of a
//! daylight-saving gap (a local hour that does not exist) for the DST edge case.

use chrono::{DateTime, Duration, Offset, TimeZone, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};
use std::collections::HashMap;

/// Every IANA zone chrono-tz knows, in its order.
pub fn all() -> &'static [Tz] {
    &TZ_VARIANTS
}

/// Finds the first daylight-saving gap (the UTC offset moving forward) of a zone in a year,
/// remembered per zone.
#[derive(Debug, Default)]
pub struct Gaps(HashMap<String, Option<DateTime<Utc>>>);

impl Gaps {
    /// The instant the first forward jump of `zone` in `year` happens, if the zone has one.
    pub fn first(&mut self, zone: &str, year: i32) -> Option<DateTime<Utc>> {
        let key = format!("{zone}/{year}");
        if let Some(found) = self.0.get(&key) {
            return *found;
        }
        let found = zone
            .parse::<Tz>()
            .ok()
            .and_then(|tz| forward_jump(tz, year));
        self.0.insert(key, found);
        found
    }
}

fn forward_jump(tz: Tz, year: i32) -> Option<DateTime<Utc>> {
    let start = Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single()?;
    let offset = |at: DateTime<Utc>| {
        tz.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
    };
    let mut before = offset(start);
    // Zones jump on the hour or half hour: walk in 30-minute steps.
    for step in 1..=(366 * 48) {
        let at = start + Duration::minutes(30 * step);
        let now = offset(at);
        if now > before {
            // Narrow to the minute.
            let mut at = at - Duration::minutes(30);
            while offset(at) == before {
                at += Duration::minutes(1);
            }
            return Some(at);
        }
        before = now;
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn berlin_springs_forward_on_the_last_sunday_of_march_at_one_utc() {
        let mut gaps = Gaps::default();
        let at = gaps.first("Europe/Berlin", 2026).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-03-29T01:00:00+00:00");
        assert!(gaps.first("Asia/Tokyo", 2026).is_none());
        assert!(gaps.first("Not/AZone", 2026).is_none());
        assert!(all().len() > 400);
    }
}
