//! Inference and diffs on generated order payloads (Magento-like): every kind of change is
//! planted on its own by a mutation harness and must be reported at its path, with counts and
//! a record number; an unchanged capture reports nothing; hostile lines are located errors.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use flowgate_payload::schema::to_json_schema;
use flowgate_payload::{diff, infer_reader, ChangeKind, Shape};
use serde_json::{json, Value};

/// SplitMix64, enough for payloads.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One order as a shop's webhook sends it.
fn order(rng: &mut Rng, n: u64) -> Value {
    let statuses = ["pending", "processing", "complete", "canceled"];
    let items: Vec<Value> = (0..1 + rng.below(3))
        .map(|i| json!({ "sku": format!("SKU-{}", rng.below(500)), "qty": 1 + rng.below(4), "price": 9.5 + i as f64 }))
        .collect();
    json!({
        "entity_id": n,
        "increment_id": format!("1000{n:05}"),
        "status": statuses[rng.below(4) as usize],
        "created_at": format!("2026-03-0{}T1{}:00:00Z", 1 + rng.below(8), rng.below(10)),
        "customer": { "email": format!("c{}@example.com", rng.below(1000)), "group_id": rng.below(3) },
        "grand_total": 10.0 + rng.below(5000) as f64 / 100.0,
        "items": items,
        "coupon_code": if rng.below(4) == 0 { json!("SPRING") } else { Value::Null },
    })
}

fn capture(records: u64, seed: u64, edit: impl Fn(&mut Value, u64)) -> String {
    let mut rng = Rng(seed);
    let mut out = String::new();
    for n in 1..=records {
        let mut record = order(&mut rng, n);
        edit(&mut record, n);
        out.push_str(&record.to_string());
        out.push('\n');
    }
    out
}

fn shape(text: &str) -> Shape {
    infer_reader(text.as_bytes(), "capture.jsonl").unwrap().0
}

#[test]
fn the_inferred_schema_names_types_requirements_enums_formats_and_nulls() {
    let text = capture(400, 1, |_, _| {});
    let (shape, records) = infer_reader(text.as_bytes(), "orders.jsonl").unwrap();
    assert_eq!(records, 400);
    let schema = to_json_schema(&shape, records);
    let p = &schema["properties"];
    assert_eq!(schema["type"], "object");
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        required.contains(&"entity_id") && required.contains(&"items"),
        "{schema:#}"
    );
    assert_eq!(p["entity_id"]["type"], "integer");
    assert_eq!(p["grand_total"]["type"], "number");
    assert_eq!(p["created_at"]["format"], "date-time");
    assert_eq!(p["customer"]["properties"]["email"]["format"], "email");
    assert_eq!(
        p["status"]["enum"],
        json!(["canceled", "complete", "pending", "processing"])
    );
    assert_eq!(p["coupon_code"]["type"], json!(["null", "string"]));
    assert_eq!(p["items"]["items"]["properties"]["sku"]["type"], "string");
    assert!(
        p["increment_id"].get("enum").is_none(),
        "400 distinct ids are no enum"
    );
    assert_eq!(p["entity_id"]["x-flowgate-seen"], 400);
}

/// Each planted change, the path it must be reported at, and its kind.
/// An edit of record `n`.
type Edit = Box<dyn Fn(&mut Value, u64)>;

fn mutations() -> Vec<(&'static str, ChangeKind, Edit)> {
    vec![
        (
            "customer.group_id",
            ChangeKind::FieldRemoved,
            Box::new(|r: &mut Value, _| {
                r["customer"].as_object_mut().unwrap().remove("group_id");
            }),
        ),
        (
            "entity_id",
            ChangeKind::TypeChanged,
            Box::new(|r: &mut Value, n| r["entity_id"] = json!(n.to_string())),
        ),
        (
            "grand_total",
            ChangeKind::BecameNullable,
            Box::new(|r: &mut Value, n| {
                if n % 7 == 0 {
                    r["grand_total"] = Value::Null
                }
            }),
        ),
        (
            "status",
            ChangeKind::EnumValueAdded,
            Box::new(|r: &mut Value, n| {
                if n % 9 == 0 {
                    r["status"] = json!("on_hold")
                }
            }),
        ),
        (
            "items[].tax",
            ChangeKind::RequiredFieldAdded,
            Box::new(|r: &mut Value, _| {
                for i in r["items"].as_array_mut().unwrap() {
                    i["tax"] = json!(1.9)
                }
            }),
        ),
        (
            "gift_message",
            ChangeKind::FieldAdded,
            Box::new(|r: &mut Value, n| {
                if n % 5 == 0 {
                    r["gift_message"] = json!("hi")
                }
            }),
        ),
        (
            "increment_id",
            ChangeKind::BecameOptional,
            Box::new(|r: &mut Value, n| {
                if n % 11 == 0 {
                    r.as_object_mut().unwrap().remove("increment_id");
                }
            }),
        ),
    ]
}

#[test]
fn every_planted_change_is_reported_at_its_path_and_nothing_else() {
    let before = shape(&capture(300, 7, |_, _| {}));
    let same = shape(&capture(300, 8, |_, _| {}));
    assert_eq!(
        diff(&before, &same),
        vec![],
        "another sample of the same payloads"
    );
    for (path, kind, edit) in mutations() {
        let after = shape(&capture(300, 8, edit));
        let changes = diff(&before, &after);
        assert_eq!(changes.len(), 1, "{path}: {changes:#?}");
        let change = &changes[0];
        assert_eq!(
            (change.path.as_str(), change.kind),
            (path, kind),
            "{change:?}"
        );
        assert!(change.count > 0, "{change:?}");
        if kind != ChangeKind::BecameOptional {
            let line = change.example.unwrap();
            assert!((1..=300).contains(&line), "{change:?}");
        }
    }
}

#[test]
fn a_null_or_type_change_names_the_first_record_showing_it() {
    let before = shape(&capture(50, 3, |_, _| {}));
    let after = shape(&capture(50, 3, |r, n| {
        if n == 17 {
            r["customer"]["group_id"] = Value::Null
        }
    }));
    let changes = diff(&before, &after);
    assert_eq!(changes[0].kind, ChangeKind::BecameNullable);
    assert_eq!(changes[0].example, Some(17));
    assert_eq!(changes[0].count, 1);
}

#[test]
fn hostile_lines_are_located_errors() {
    let text = "{\"a\": 1}\n\n{\"a\": tru}\n";
    let error = infer_reader(text.as_bytes(), "bad.jsonl")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("bad.jsonl:3:"), "{error}");
    let deep = format!("{}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let error = infer_reader(deep.as_bytes(), "deep.jsonl")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("deep.jsonl:1:"), "{error}");
    let two = "{\"a\": 1} {\"a\": 2}\n";
    assert!(
        infer_reader(two.as_bytes(), "two.jsonl").is_err(),
        "one value per line"
    );
    let (shape, records) =
        infer_reader("\u{feff}".as_bytes(), "bom.jsonl").map_or((Shape::default(), 0), |s| s);
    assert!(records <= 1 && shape.properties.is_empty());
}

fn nodes(shape: &Shape) -> usize {
    1 + shape
        .properties
        .values()
        .map(|f| nodes(&f.shape))
        .sum::<usize>()
        + shape.items.as_ref().map_or(0, |i| nodes(i))
        + shape.values.as_ref().map_or(0, |v| v.len())
}

#[test]
fn the_shape_does_not_grow_with_the_number_of_records() {
    let small = shape(&capture(2_000, 5, |_, _| {}));
    let large = shape(&capture(40_000, 5, |_, _| {}));
    assert_eq!(nodes(&small), nodes(&large));
}
