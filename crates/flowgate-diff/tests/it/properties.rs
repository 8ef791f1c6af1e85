//! Properties of the diff over arbitrary asset documents: a document set compared with itself
//! has no changes, and applying the classified change set of `diff(a, b)` to `a` gives `b`.

use flowgate_diff::{apply_diff, diff_documents, Bump, Documents, Status};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::from),
        "[a-c ]{0,6}".prop_map(Value::String),
    ]
}

/// Values with objects, plain arrays and arrays of identified items (steps).
fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-d]", inner.clone(), 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
            prop::collection::btree_map("[a-f]", inner, 0..5).prop_flat_map(|items| {
                let items: Vec<Value> = items
                    .into_iter()
                    .map(|(id, v)| json!({"id": id, "v": v}))
                    .collect();
                Just(items).prop_shuffle().prop_map(Value::Array)
            }),
        ]
    })
}

fn document() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just("Workflow"), Just("Tag"), Just("Field")],
        prop::collection::btree_map("[e-h]", value(), 0..4),
    )
        .prop_map(|(kind, fields)| {
            let mut map = Map::new();
            map.insert("kind".to_owned(), Value::from(kind));
            map.extend(fields);
            Value::Object(map)
        })
}

fn documents() -> impl Strategy<Value = Documents> {
    prop::collection::btree_map("[p-t]{1,2}", document(), 0..6).prop_map(|m| {
        Documents(
            m.into_iter()
                .map(|(id, mut doc)| {
                    doc["id"] = Value::from(id.clone());
                    (id, doc)
                })
                .collect(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_set_compared_with_itself_has_no_changes(a in documents()) {
        let diff = diff_documents(&a, &a);
        prop_assert!(diff.is_empty());
        prop_assert_eq!(diff.bump, Bump::None);
    }

    #[test]
    fn applying_the_diff_gives_the_other_side(a in documents(), b in documents()) {
        let diff = diff_documents(&a, &b);
        let patched = apply_diff(&a, &diff).unwrap();
        prop_assert_eq!(&patched, &b, "diff: {:#?}", diff);
        prop_assert_eq!(diff.is_empty(), a == b);
    }

    #[test]
    fn removals_are_major_and_additions_at_least_minor(a in documents(), b in documents()) {
        let diff = diff_documents(&a, &b);
        for asset in &diff.assets {
            match asset.status {
                Status::Removed | Status::Renamed { .. } => prop_assert_eq!(asset.bump, Bump::Major),
                Status::Added => prop_assert!(asset.bump >= Bump::Minor),
                Status::Changed => prop_assert!(asset.bump >= Bump::Patch),
            }
            prop_assert!(asset.bump <= diff.bump);
        }
    }
}
