//! Data-model rules (FG3xx): field types, descriptions, defaults, enum options, dedupe keys,
//! UTM capture, PII flags, unused assets.

mod enum_without_options;
mod field_without_default;
mod field_without_description;
mod field_without_type;
mod form_without_dedupe_key;
mod inconsistent_utm_capture;
mod support;
mod unflagged_pii;
mod unused_asset;

pub use enum_without_options::EnumWithoutOptions;
pub use field_without_default::FieldWithoutDefault;
pub use field_without_description::FieldWithoutDescription;
pub use field_without_type::FieldWithoutType;
pub use form_without_dedupe_key::FormWithoutDedupeKey;
pub use inconsistent_utm_capture::InconsistentUtmCapture;
pub use unflagged_pii::UnflaggedPii;
pub use unused_asset::UnusedAsset;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[
    &FieldWithoutType,
    &FieldWithoutDescription,
    &FieldWithoutDefault,
    &EnumWithoutOptions,
    &FormWithoutDedupeKey,
    &InconsistentUtmCapture,
    &UnflaggedPii,
    &UnusedAsset,
];
