//! Every rule, in code order.

use crate::rules;
use crate::Rule;
use flowgate_diagnostics::suggest;
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

/// How many rules [`suggest`] names at most.
const SUGGESTIONS: usize = 3;

/// The rule with this code (`FG704`), name (`dml-in-loop`) or Lightning Flow Scanner name
/// (`DMLStatementInLoop`), ignoring case.
pub fn find(key: &str) -> Option<&'static dyn Rule> {
    let wanted = key.trim();
    all()
        .iter()
        .copied()
        .find(|&r| keys(r).any(|k| k.eq_ignore_ascii_case(wanted)))
}

/// The rules whose code, name or Lightning Flow Scanner name is closest to `key`, a likely
/// misspelling of one of them; closest first, at most three, none when nothing is close.
pub fn suggest(key: &str) -> Vec<&'static dyn Rule> {
    let keyed: Vec<(&'static str, &'static dyn Rule)> = all()
        .iter()
        .flat_map(|&rule| keys(rule).map(move |k| (k, rule)))
        .collect();
    let mut found: Vec<&'static dyn Rule> = Vec::new();
    for close in suggest::close_matches(key.trim(), keyed.iter().map(|&(k, _)| k)) {
        let rule = keyed.iter().find(|&&(k, _)| k == close).map(|&(_, r)| r);
        if let Some(rule) = rule.filter(|r| !found.iter().any(|f| f.meta().code == r.meta().code)) {
            found.push(rule);
            if found.len() == SUGGESTIONS {
                break;
            }
        }
    }
    found
}

/// Whether `key` selects at least one rule: a code prefix (`FG7`), a code, a rule name or a
/// Lightning Flow Scanner name, in any case.
pub fn selects_any(key: &str) -> bool {
    all().iter().any(|r| r.meta().selected_by(key))
}

/// "did you mean …?" naming the rules closest to a key no rule answers to, if any is close.
pub fn closest(key: &str) -> Option<String> {
    let close: Vec<String> = suggest(key)
        .into_iter()
        .map(|rule| {
            let meta = rule.meta();
            let peer = meta.peer.map(|p| format!(", {p}")).unwrap_or_default();
            format!("`{}` ({}{peer})", meta.code, meta.name)
        })
        .collect();
    (!close.is_empty()).then(|| format!("did you mean {}?", close.join(" or ")))
}

/// Help for a rule selector that selects no rule: the closest rules, then what selects.
pub fn unknown_selector_help(key: &str) -> String {
    let accepted = "codes, code prefixes (`FG7`), rule names and Lightning Flow Scanner names \
                    select rules, in any case; `flowgate rules` lists them";
    match closest(key) {
        Some(close) => format!("{close} {accepted}"),
        None => accepted.to_owned(),
    }
}

/// What a rule answers to: its code, its name, its Lightning Flow Scanner name.
fn keys(rule: &dyn Rule) -> impl Iterator<Item = &'static str> {
    let meta = rule.meta();
    [meta.code, meta.name].into_iter().chain(meta.peer)
}

#[cfg(test)]
mod tests {
    use super::{find, suggest};

    fn codes(rules: Vec<&dyn crate::Rule>) -> Vec<&'static str> {
        rules.into_iter().map(|r| r.meta().code).collect()
    }

    #[test]
    fn rules_are_found_by_code_name_or_scanner_name_in_any_case() {
        for key in [
            "FG704",
            "fg704",
            "dml-in-loop",
            "DML-In-Loop",
            "DMLStatementInLoop",
            " dmlstatementinloop ",
        ] {
            assert_eq!(find(key).map(|r| r.meta().code), Some("FG704"), "{key}");
        }
        assert!(find("FG7").is_none());
        assert!(find("").is_none());
    }

    #[test]
    fn selectors_match_prefixes_codes_and_names_in_any_case() {
        for key in [
            "FG7",
            "fg7",
            "FG704",
            "Dml-In-Loop",
            "dmlstatementinloop",
            "FG",
        ] {
            assert!(super::selects_any(key), "{key}");
        }
        for key in ["FG9", "", "unused-assets", "FG7044"] {
            assert!(!super::selects_any(key), "{key}");
        }
        assert!(super::unknown_selector_help("unused-assets")
            .starts_with("did you mean `FG308` (unused-asset)?"));
    }

    #[test]
    fn typos_get_the_closest_rules() {
        assert_eq!(codes(suggest("DMLStatmentInLoop")), ["FG704"]);
        assert_eq!(codes(suggest("dml-in-lop")), ["FG704"]);
        assert_eq!(codes(suggest("FG7044")).first(), Some(&"FG704"));
        assert!(suggest("FG7044").len() <= 3);
        let close = codes(suggest("query-in-lop"));
        assert_eq!(close.first(), Some(&"FG705"));
        assert!(suggest("completely-unrelated").is_empty());
    }
}
