//! Consent states of a generated contact: granted, withdrawn or unknown per declared consent,
//! with when and where, as the consent's fields record them.

use crate::edge::EdgeCase;
use crate::rng::Rng;
use crate::schema::FieldSpec;
use chrono::{DateTime, Duration, Utc};
use flowgate_model::FieldType;
use serde_json::Value;

/// One consent's state for one contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentState {
    /// `granted`, `withdrawn` or `unknown`.
    pub status: &'static str,
    /// When it was given or withdrawn (none when unknown).
    pub at: Option<DateTime<Utc>>,
    /// Where it was captured or withdrawn (none when unknown).
    pub source: Option<String>,
}

/// The state of `consent` for a contact created at `created`.
pub fn draw(
    rng: &mut Rng,
    edge: Option<EdgeCase>,
    forms: &[String],
    created: DateTime<Utc>,
    as_of: DateTime<Utc>,
) -> ConsentState {
    let status = match edge {
        Some(EdgeCase::ConsentMissing) => "unknown",
        Some(EdgeCase::ConsentWithdrawn) => "withdrawn",
        _ => match rng.below(100) {
            0..=64 => "granted",
            65..=72 => "withdrawn",
            _ => "unknown",
        },
    };
    if status == "unknown" {
        return ConsentState {
            status,
            at: None,
            source: None,
        };
    }
    let span = (as_of - created).num_seconds().max(1);
    let at = created + Duration::seconds(rng.between(0, span));
    let source = match (status, rng.below(4)) {
        ("withdrawn", 0) => "unsubscribe-link".to_owned(),
        ("withdrawn", 1) => "sms-stop-keyword".to_owned(),
        ("withdrawn", _) => "preference-center".to_owned(),
        (_, 0) if !forms.is_empty() => format!("form:{}", rng.pick(forms)),
        (_, 1) => "checkout".to_owned(),
        (_, 2) => "store-tablet".to_owned(),
        _ => "import:crm-migration".to_owned(),
    };
    ConsentState {
        status,
        at: Some(at),
        source: Some(source),
    }
}

/// The status as the status field stores it: the field's option that names it (any case), a
/// boolean for boolean fields, else the word itself.
pub fn status_value(field: &FieldSpec, state: &ConsentState) -> Value {
    match field.field_type {
        FieldType::Bool => Value::Bool(state.status == "granted"),
        FieldType::Enum => field
            .options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(state.status))
            .map_or(Value::Null, |o| Value::from(o.clone())),
        _ => state.status.into(),
    }
}
