//! Arbitrary text never makes the analysers panic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use flowgate_lang::{analyse_condition, analyse_template, template_links};
use proptest::prelude::*;

fn check_spans<T>(
    source: &str,
    result: &Result<Vec<(T, flowgate_diagnostics::Span)>, Vec<flowgate_lang::LangError>>,
) {
    let len = source.len() as u32;
    match result {
        Ok(items) => assert!(items.iter().all(|(_, s)| s.start <= s.end && s.end <= len)),
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors
                .iter()
                .all(|e| e.span.start <= e.span.end && e.span.end <= len));
        }
    }
}

/// Text made of the pieces both languages are built from, so that the parsers get past the
/// first character more often than with uniformly random strings.
fn code_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("contact".to_owned()),
        Just("order".to_owned()),
        Just(".".to_owned()),
        Just("first_name".to_owned()),
        Just("has(".to_owned()),
        Just(".exists(i, ".to_owned()),
        Just("i".to_owned()),
        Just(")".to_owned()),
        Just("(".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just(" == ".to_owned()),
        Just(" && ".to_owned()),
        Just(" ? ".to_owned()),
        Just(" : ".to_owned()),
        Just("!".to_owned()),
        Just("{{ ".to_owned()),
        Just(" }}".to_owned()),
        Just("{% if ".to_owned()),
        Just("{% endif %}".to_owned()),
        Just("{% for x in ".to_owned()),
        Just(" %}".to_owned()),
        Just(" | default(".to_owned()),
        Just(" is defined".to_owned()),
        Just(" if ".to_owned()),
        Just(" else ".to_owned()),
        Just("href=\"".to_owned()),
        Just("https://".to_owned()),
        Just("1.5e3".to_owned()),
        Just("é".to_owned()),
        Just("\n".to_owned()),
        "\\PC{0,3}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_strings_never_panic(source in "\\PC{0,200}") {
        check_spans(&source, &analyse_condition(&source));
        check_spans(&source, &analyse_template(&source));
        let len = source.len() as u32;
        prop_assert!(template_links(&source).iter().all(|(_, s)| s.end <= len));
    }

    #[test]
    fn code_like_strings_never_panic(source in code_like()) {
        check_spans(&source, &analyse_condition(&source));
        check_spans(&source, &analyse_template(&source));
        let len = source.len() as u32;
        prop_assert!(template_links(&source).iter().all(|(_, s)| s.end <= len));
    }
}
