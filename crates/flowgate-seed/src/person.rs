//! A synthetic person: name, email on a reserved domain, a phone number in a range reserved
//! for fiction, an address and a time zone, consistent with one locale.

use crate::edge::{long_family_name, EdgeCase, INVALID_PHONES, NON_ASCII_NAMES};
use crate::locale::{City, Locale};
use crate::rng::Rng;

/// Domains reserved for documentation and testing (RFC 2606, RFC 6761): mail sent there
/// reaches no one.
pub const RESERVED_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.test",
    "customers.example",
];

/// One synthetic person.
#[derive(Debug, Clone)]
pub struct Person {
    /// Given name.
    pub first: String,
    /// Family name.
    pub last: String,
    /// Email address on a reserved domain.
    pub email: String,
    /// Phone number (E.164 unless the person is an invalid-phone edge case).
    pub phone: String,
    /// The locale the person was drawn from.
    pub locale: &'static Locale,
    /// City.
    pub city: City,
    /// Street and number.
    pub street: String,
    /// Postal code.
    pub postal: String,
}

impl Person {
    /// The person numbered `number` (unique emails follow from it), drawn from `locale`.
    pub fn draw(
        rng: &mut Rng,
        locale: &'static Locale,
        number: u64,
        edge: Option<EdgeCase>,
    ) -> Self {
        let (first, last) = match edge {
            Some(EdgeCase::NonAsciiName) => {
                let (f, l) = rng.pick(NON_ASCII_NAMES);
                ((*f).to_owned(), (*l).to_owned())
            }
            Some(EdgeCase::LongName) => (
                (*rng.pick(locale.first_names)).to_owned(),
                long_family_name(),
            ),
            _ => (
                (*rng.pick(locale.first_names)).to_owned(),
                (*rng.pick(locale.last_names)).to_owned(),
            ),
        };
        let domain = RESERVED_DOMAINS[rng.below(RESERVED_DOMAINS.len() as u64) as usize];
        let email = email(&first, &last, number, domain);
        let phone = match edge {
            Some(EdgeCase::InvalidPhone) => (*rng.pick(INVALID_PHONES)).to_owned(),
            _ => fiction_phone(rng, locale),
        };
        let city = *rng.pick(locale.cities);
        let street = format!("{} {}", rng.pick(locale.streets), rng.between(1, 180));
        let postal = digits_for(rng, city.postal);
        Self {
            first,
            last,
            email,
            phone,
            locale,
            city,
            street,
            postal,
        }
    }
}

/// A number from one of the locale's ranges reserved for fiction.
pub fn fiction_phone(rng: &mut Rng, locale: &Locale) -> String {
    let range = rng.pick(locale.phones);
    let n = rng.between(i64::from(range.low), i64::from(range.high));
    format!(
        "{}{:0width$}",
        range.prefix,
        n,
        width = range.digits as usize
    )
}

/// `pattern` with every `#` replaced by a digit.
fn digits_for(rng: &mut Rng, pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c {
            '#' => char::from(b'0' + rng.below(10) as u8),
            other => other,
        })
        .collect()
}

/// `first.last.number@domain` in lower-case ASCII (letters folded: `Müller` → `mueller`);
/// names with nothing foldable give `contact.number@domain`. The number makes it unique.
pub fn email(first: &str, last: &str, number: u64, domain: &str) -> String {
    let part = |name: &str| {
        let folded = fold(name);
        let cleaned: String = folded
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(24)
            .collect();
        cleaned.trim_matches('-').to_owned()
    };
    let (f, l) = (part(first), part(last));
    let local = if f.is_empty() || l.is_empty() {
        "contact".to_owned()
    } else {
        format!("{f}.{l}")
    };
    format!("{local}.{number}@{domain}")
}

/// Lower-case ASCII of a Latin name, as people write it in addresses.
fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'ä' | 'æ' => "ae",
            'ö' | 'ø' | 'œ' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' => "a",
            'ç' | 'ć' | 'č' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ı' => "i",
            'ñ' | 'ń' => "n",
            'ò' | 'ó' | 'ô' | 'õ' => "o",
            'ù' | 'ú' | 'û' => "u",
            'ý' | 'ÿ' => "y",
            'ł' => "l",
            'ś' | 'š' | 'ş' => "s",
            'ź' | 'ż' | 'ž' => "z",
            'ğ' => "g",
            'ð' => "d",
            'þ' => "th",
            '\'' | ' ' => "",
            c if c.is_ascii() => {
                out.push(c);
                continue;
            }
            _ => "",
        };
        out.push_str(mapped);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn emails_fold_latin_names_and_fall_back_for_other_scripts() {
        assert_eq!(
            email("Jürgen", "Groß", 7, "example.com"),
            "juergen.gross.7@example.com"
        );
        assert_eq!(
            email("Hélène", "O'Brien", 8, "mail.test"),
            "helene.obrien.8@mail.test"
        );
        assert_eq!(
            email("太郎", "山田", 9, "example.org"),
            "contact.9@example.org"
        );
    }
}
