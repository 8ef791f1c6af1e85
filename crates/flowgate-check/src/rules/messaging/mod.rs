//! Messaging rules (FG4xx): template variables, fallbacks, links, UTM parameters, SMS
//! segments, subjects, locale variants.

mod bad_subject_length;
mod insecure_link;
mod link_without_utm;
mod locale_variables_differ;
mod malformed_link;
mod sms_too_long;
mod support;
mod undefined_template_variable;
mod variable_without_fallback;

pub use bad_subject_length::BadSubjectLength;
pub use insecure_link::InsecureLink;
pub use link_without_utm::LinkWithoutUtm;
pub use locale_variables_differ::LocaleVariablesDiffer;
pub use malformed_link::MalformedLink;
pub use sms_too_long::SmsTooLong;
pub use undefined_template_variable::UndefinedTemplateVariable;
pub use variable_without_fallback::VariableWithoutFallback;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[
    &UndefinedTemplateVariable,
    &VariableWithoutFallback,
    &MalformedLink,
    &InsecureLink,
    &LinkWithoutUtm,
    &SmsTooLong,
    &BadSubjectLength,
    &LocaleVariablesDiffer,
];
