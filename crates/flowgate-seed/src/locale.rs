//! What a locale contributes: names, places, time zones, languages and the telephone ranges
//! its regulator reserves for fiction.

/// A city: its name, its postal-code pattern (`#` a digit) and its IANA time zone.
#[derive(Debug, Clone, Copy)]
pub struct City {
    /// The city's name.
    pub name: &'static str,
    /// The postal code's pattern: `#` is a digit, anything else is kept.
    pub postal: &'static str,
    /// Its IANA time zone.
    pub zone: &'static str,
}

/// A telephone range reserved for fiction: the E.164 prefix, and how many digits follow.
#[derive(Debug, Clone, Copy)]
pub struct FictionRange {
    /// The E.164 number without its last digits (`+15555550` …).
    pub prefix: &'static str,
    /// How many digits complete it.
    pub digits: u32,
    /// The lowest completing number (`100` for 555-0100).
    pub low: u32,
    /// The highest completing number.
    pub high: u32,
}

/// The data of one locale.
#[derive(Debug)]
pub struct Locale {
    /// Its tag (`de-DE`).
    pub tag: &'static str,
    /// ISO 3166-1 alpha-2 country.
    pub country: &'static str,
    /// ISO 639-1 language.
    pub language: &'static str,
    /// ISO 4217 currency.
    pub currency: &'static str,
    /// Given names.
    pub first_names: &'static [&'static str],
    /// Family names.
    pub last_names: &'static [&'static str],
    /// Street names (the number is added).
    pub streets: &'static [&'static str],
    /// Cities.
    pub cities: &'static [City],
    /// Mobile and landline ranges reserved for fiction.
    pub phones: &'static [FictionRange],
}

/// The locales flowgate knows, by tag.
pub const LOCALES: &[Locale] = &[EN_US, EN_GB, DE_DE, FR_FR];

/// The locale of `tag` (case-insensitive; `de` finds `de-DE`).
pub fn find(tag: &str) -> Option<&'static Locale> {
    LOCALES.iter().find(|l| {
        l.tag.eq_ignore_ascii_case(tag)
            || l.tag.split('-').next() == Some(tag.to_ascii_lowercase().as_str())
    })
}

/// North American numbers 555-0100 to 555-0199, which the NANP reserves for fiction in every
/// area code.
const EN_US: Locale = Locale {
    tag: "en-US",
    country: "US",
    language: "en",
    currency: "USD",
    first_names: &[
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "John",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Elizabeth",
        "William",
        "Barbara",
        "Richard",
        "Susan",
        "Joseph",
        "Jessica",
        "Thomas",
        "Sarah",
        "Carlos",
        "Aaliyah",
        "DeShawn",
        "Mei",
        "Priya",
        "Diego",
    ],
    last_names: &[
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Gonzalez",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Jackson",
        "Martin",
        "Nguyen",
        "O'Brien",
        "Kim",
        "Patel",
    ],
    streets: &[
        "Main Street",
        "Oak Avenue",
        "Maple Drive",
        "Cedar Lane",
        "Park Road",
        "Washington Street",
        "Lakeview Drive",
        "Elm Street",
    ],
    cities: &[
        City {
            name: "New York",
            postal: "100##",
            zone: "America/New_York",
        },
        City {
            name: "Chicago",
            postal: "606##",
            zone: "America/Chicago",
        },
        City {
            name: "Denver",
            postal: "802##",
            zone: "America/Denver",
        },
        City {
            name: "Phoenix",
            postal: "850##",
            zone: "America/Phoenix",
        },
        City {
            name: "Seattle",
            postal: "981##",
            zone: "America/Los_Angeles",
        },
        City {
            name: "Anchorage",
            postal: "995##",
            zone: "America/Anchorage",
        },
        City {
            name: "Honolulu",
            postal: "968##",
            zone: "Pacific/Honolulu",
        },
    ],
    phones: &[
        FictionRange {
            prefix: "+1212555",
            digits: 4,
            low: 100,
            high: 199,
        },
        FictionRange {
            prefix: "+1312555",
            digits: 4,
            low: 100,
            high: 199,
        },
        FictionRange {
            prefix: "+1720555",
            digits: 4,
            low: 100,
            high: 199,
        },
        FictionRange {
            prefix: "+1206555",
            digits: 4,
            low: 100,
            high: 199,
        },
    ],
};

/// Ofcom's drama ranges: mobile 07700 900000 to 900999, London 020 7946 0000 to 0999.
const EN_GB: Locale = Locale {
    tag: "en-GB",
    country: "GB",
    language: "en",
    currency: "GBP",
    first_names: &[
        "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy", "Leo",
        "Freya", "Arthur", "Lily", "Muhammad", "Florence", "Siobhan", "Rhys", "Aoife", "Callum",
    ],
    last_names: &[
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Patel",
        "Robinson",
        "Wright",
        "Thompson",
        "Evans",
        "Walker",
        "White",
        "Roberts",
        "Green",
        "Hall",
        "MacDonald",
        "Ó Súilleabháin",
    ],
    streets: &[
        "High Street",
        "Station Road",
        "Church Lane",
        "Victoria Road",
        "Green Lane",
        "Manor Road",
        "Park Avenue",
    ],
    cities: &[
        City {
            name: "London",
            postal: "EC1A #BB",
            zone: "Europe/London",
        },
        City {
            name: "Manchester",
            postal: "M# #AA",
            zone: "Europe/London",
        },
        City {
            name: "Edinburgh",
            postal: "EH# #AB",
            zone: "Europe/London",
        },
        City {
            name: "Cardiff",
            postal: "CF## #AD",
            zone: "Europe/London",
        },
    ],
    phones: &[
        FictionRange {
            prefix: "+447700900",
            digits: 3,
            low: 0,
            high: 999,
        },
        FictionRange {
            prefix: "+4420794600",
            digits: 2,
            low: 0,
            high: 99,
        },
    ],
};

/// The Bundesnetzagentur's ranges for films and books: Berlin 030 23125 000 to 999, Frankfurt
/// 069 90009 000 to 999, Hamburg 040 66969 000 to 999, Munich 089 99998 000 to 999.
const DE_DE: Locale = Locale {
    tag: "de-DE",
    country: "DE",
    language: "de",
    currency: "EUR",
    first_names: &[
        "Lukas",
        "Anna",
        "Jonas",
        "Lea",
        "Maximilian",
        "Sophie",
        "Felix",
        "Marie",
        "Paul",
        "Hannah",
        "Jürgen",
        "Jörg",
        "Björn",
        "Sören",
        "Käthe",
        "Ümit",
        "Ayşe",
        "Mehmet",
        "Zoë",
        "Emma",
    ],
    last_names: &[
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Schulz",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Bauer",
        "Richter",
        "Klein",
        "Wolf",
        "Schröder",
        "Neumann",
        "Öztürk",
        "Groß",
    ],
    streets: &[
        "Hauptstraße",
        "Schulstraße",
        "Gartenstraße",
        "Bahnhofstraße",
        "Dorfstraße",
        "Bergstraße",
        "Lindenallee",
        "Am Markt",
    ],
    cities: &[
        City {
            name: "Berlin",
            postal: "10###",
            zone: "Europe/Berlin",
        },
        City {
            name: "Hamburg",
            postal: "20###",
            zone: "Europe/Berlin",
        },
        City {
            name: "München",
            postal: "80###",
            zone: "Europe/Berlin",
        },
        City {
            name: "Frankfurt am Main",
            postal: "60###",
            zone: "Europe/Berlin",
        },
        City {
            name: "Köln",
            postal: "50###",
            zone: "Europe/Berlin",
        },
    ],
    phones: &[
        FictionRange {
            prefix: "+493023125",
            digits: 3,
            low: 0,
            high: 999,
        },
        FictionRange {
            prefix: "+496990009",
            digits: 3,
            low: 0,
            high: 999,
        },
        FictionRange {
            prefix: "+494066969",
            digits: 3,
            low: 0,
            high: 999,
        },
        FictionRange {
            prefix: "+498999998",
            digits: 3,
            low: 0,
            high: 999,
        },
    ],
};

/// ARCEP's numbers for audiovisual works: 01 99 00 xx xx and mobile 06 39 98 xx xx.
const FR_FR: Locale = Locale {
    tag: "fr-FR",
    country: "FR",
    language: "fr",
    currency: "EUR",
    first_names: &[
        "Gabriel",
        "Jade",
        "Raphaël",
        "Louise",
        "Léo",
        "Emma",
        "Louis",
        "Alice",
        "Arthur",
        "Chloé",
        "Hélène",
        "François",
        "Anaïs",
        "Noé",
        "Inès",
        "Zoé",
        "Maël",
        "Léa",
        "Théo",
        "Océane",
    ],
    last_names: &[
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
        "Vincent", "Fournier",
    ],
    streets: &[
        "rue de la République",
        "avenue Victor Hugo",
        "rue Pasteur",
        "boulevard Voltaire",
        "rue des Écoles",
        "place de l'Église",
    ],
    cities: &[
        City {
            name: "Paris",
            postal: "750##",
            zone: "Europe/Paris",
        },
        City {
            name: "Lyon",
            postal: "6900#",
            zone: "Europe/Paris",
        },
        City {
            name: "Marseille",
            postal: "130##",
            zone: "Europe/Paris",
        },
        City {
            name: "Saint-Denis",
            postal: "974##",
            zone: "Indian/Reunion",
        },
    ],
    phones: &[
        FictionRange {
            prefix: "+3319900",
            digits: 4,
            low: 0,
            high: 9999,
        },
        FictionRange {
            prefix: "+3363998",
            digits: 4,
            low: 0,
            high: 9999,
        },
    ],
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_zone_is_an_iana_zone_and_every_range_makes_e164_numbers() {
        for locale in LOCALES {
            for city in locale.cities {
                assert!(city.zone.parse::<chrono_tz::Tz>().is_ok(), "{}", city.zone);
            }
            for range in locale.phones {
                let longest = range.prefix.len() - 1 + range.digits as usize;
                assert!((8..=15).contains(&longest), "{}", range.prefix);
                assert!(range.high < 10_u32.pow(range.digits));
            }
        }
        assert_eq!(find("de").map(|l| l.tag), Some("de-DE"));
        assert_eq!(find("EN-gb").map(|l| l.tag), Some("en-GB"));
        assert!(find("xx").is_none());
    }
}
