//! Every rule, in code order.

use crate::rules;
use crate::Rule;
use std::sync::OnceLock;

/// Every rule, sorted by code.
pub fn all() -> &'static [&'static dyn Rule] {
    static RULES: OnceLock<Vec<&'static dyn Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: Vec<&'static dyn Rule> = [
            rules::logic::RULES,
            rules::compliance::RULES,
            rules::data_model::RULES,
            rules::messaging::RULES,
            rules::integrations::RULES,
            rules::hygiene::RULES,
            rules::flows::RULES,
            rules::salesforce::RULES,
        ]
        .concat();
        rules.sort_by_key(|r| r.meta().code);
        rules
    })
}

/// The rule with this code or name.
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    let wanted = code_or_name.trim();
    all().iter().copied().find(|r| {
        let meta = r.meta();
        meta.code.eq_ignore_ascii_case(wanted) || meta.name == wanted
    })
}
