use super::support::{fields, id_tokens};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{DataObject, FieldType};

/// Id endings that name personal data, as `_`/`-`-separated tokens, with what they hold.
/// An id matches when its tokens end with one of these, optionally followed by `number`,
/// `no`, `nr` or `num` (`phone_number`, `passport_no`). `name` alone matches only the id
/// `name` itself, so `company_name` and `product_name` are not personal.
const PERSONAL: &[(&[&str], &str)] = &[
    (&["first", "name"], "a name"),
    (&["last", "name"], "a name"),
    (&["full", "name"], "a name"),
    (&["given", "name"], "a name"),
    (&["family", "name"], "a name"),
    (&["middle", "name"], "a name"),
    (&["maiden", "name"], "a name"),
    (&["contact", "name"], "a name"),
    (&["firstname"], "a name"),
    (&["lastname"], "a name"),
    (&["fullname"], "a name"),
    (&["surname"], "a name"),
    (&["forename"], "a name"),
    (&["email"], "an email address"),
    (&["e", "mail"], "an email address"),
    (&["phone"], "a phone number"),
    (&["telephone"], "a phone number"),
    (&["mobile"], "a phone number"),
    (&["cell"], "a phone number"),
    (&["fax"], "a phone number"),
    (&["address"], "an address"),
    (&["street"], "an address"),
    (&["zip"], "a postal code"),
    (&["zip", "code"], "a postal code"),
    (&["zipcode"], "a postal code"),
    (&["postcode"], "a postal code"),
    (&["postal", "code"], "a postal code"),
    (&["birthday"], "a date of birth"),
    (&["birthdate"], "a date of birth"),
    (&["birth", "date"], "a date of birth"),
    (&["birth", "year"], "a date of birth"),
    (&["date", "of", "birth"], "a date of birth"),
    (&["dob"], "a date of birth"),
    (&["ssn"], "a national identifier"),
    (&["social", "security"], "a national identifier"),
    (&["national", "id"], "a national identifier"),
    (&["passport"], "a national identifier"),
    (&["tax", "id"], "a tax identifier"),
    (&["taxid"], "a tax identifier"),
    (&["iban"], "a bank account"),
    (&["ip"], "an IP address"),
];

/// Tokens that may follow a personal ending (`phone_number`).
const SUFFIXES: &[&str] = &["number", "no", "nr", "num"];

declare_rule! {
    /// ## What it does
    /// Flags a Field without `pii: true` that holds personal data:
    /// - its type is `email` or `phone` (on any object), or
    /// - its id ends with a personal term (split on `_` and `-`): a person's name
    ///   (`first_name`, `last_name`, `full_name`, `surname`, or the id `name` itself), an email,
    ///   phone, mobile or fax, an address, street or postal code (`zip`, `postcode`,
    ///   `postal_code`), a date of birth (`birthday`, `birth_date`, `date_of_birth`, `dob`), a
    ///   national or tax id (`ssn`, `passport`, `tax_id`), an `iban` or an `ip` address,
    ///   optionally followed by `number`/`no`/`nr`/`num`.
    ///
    /// Name-based matching is skipped for fields of companies, deals, orders and carts (a
    /// company's `address` is not a person's) and for `bool` fields (`has_phone`). Terms only
    /// count at the end of the id: `email_consent_status` is a status, not an address, and
    /// `company_name` is not a person's name.
    ///
    /// ## Why is this bad?
    /// `pii: true` is what exports, environment copies (masking for stage) and deletion
    /// requests act on. A personal field without the flag is copied unmasked into test
    /// environments, shipped to vendors in exports, and left behind when a person asks to be
    /// forgotten (GDPR Art. 17).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Field
    /// id: mobile_number
    /// type: string
    /// description: Mobile number for SMS.
    /// ```
    ///
    /// ## How to fix
    /// Mark it (and give it the precise type while you are at it):
    /// ```yaml
    /// type: phone
    /// pii: true
    /// ```
    pub struct UnflaggedPii {
        code: "FG307",
        name: "unflagged-pii",
        category: DataModel,
        severity: Warning,
        summary: "a field holding personal data is not marked pii",
    }
}

impl Rule for UnflaggedPii {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, field) in fields(ctx) {
            if field.pii {
                continue;
            }
            let holds = match field.field_type {
                Some(FieldType::Email) => Some("an email address"),
                Some(FieldType::Phone) => Some("a phone number"),
                Some(FieldType::Bool) => None,
                _ if matches!(field.object, DataObject::Contact | DataObject::Event) => {
                    personal_term(asset.id.as_str())
                }
                _ => None,
            };
            let Some(holds) = holds else {
                continue;
            };
            sink.report(
                asset,
                asset.id.span,
                format!(
                    "field `{}` holds {holds} but is not marked `pii: true`",
                    asset.id.value
                ),
            )
            .help("add `pii: true` so exports, masked environment copies and deletion requests treat it as personal data");
        }
    }
}

/// What personal data an id names, if its ending is a personal term.
fn personal_term(id: &str) -> Option<&'static str> {
    let tokens = id_tokens(id);
    if tokens == ["name"] {
        return Some("a name");
    }
    let core: &[String] = match tokens.split_last() {
        Some((last, rest)) if SUFFIXES.contains(&last.as_str()) && !rest.is_empty() => rest,
        _ => &tokens,
    };
    PERSONAL.iter().find_map(|(ending, holds)| {
        let ends = core.len() >= ending.len()
            && core
                .iter()
                .rev()
                .zip(ending.iter().rev())
                .all(|(t, e)| t == e);
        ends.then_some(*holds)
    })
}

#[cfg(test)]
mod tests {
    use super::personal_term;

    #[test]
    fn personal_endings() {
        for id in [
            "name",
            "first_name",
            "billing-address",
            "phone_number",
            "date_of_birth",
            "zip_code",
            "ip_address",
            "work_email",
            "tax_id",
        ] {
            assert!(personal_term(id).is_some(), "{id}");
        }
        for id in [
            "company_name",
            "email_consent_status",
            "email_clicks_30d",
            "product_name",
            "number",
            "utm_source",
            "zipper_color",
        ] {
            assert!(personal_term(id).is_none(), "{id}");
        }
    }
}
