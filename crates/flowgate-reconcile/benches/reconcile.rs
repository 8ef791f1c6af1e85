//! Hot paths of a run that do not wait on a database: classifying fetched rows, reading
//! decimals, and normalising and hashing the rows of a local (CSV/SQLite) side. (The end-to-end benchmark against MariaDB and PostgreSQL is
//! `bench/reconcile/run.sh`.)
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use flowgate_model::{
    ColumnMapping, KeyPart, Located, ReconcileSource, Reconciliation, SecretRef, SideColumn,
    ValueType,
};
use flowgate_reconcile::db::TextRow;
use flowgate_reconcile::engine::{classify_rows, parse_decimal};
use flowgate_reconcile::normalise;
use std::hint::black_box;

fn side(column: &str) -> SideColumn {
    SideColumn {
        column: column.to_owned(),
        ..SideColumn::default()
    }
}

fn spec() -> Reconciliation {
    let source = ReconcileSource {
        url: Located::new(SecretRef::parse("env:X").unwrap(), Default::default()),
        table: Some("t".to_owned()),
        query: None,
        filter: None,
        watermark: Some("updated_at".to_owned()),
        timezone: None,
    };
    Reconciliation {
        left: source.clone(),
        right: source,
        key: vec![KeyPart {
            value_type: ValueType::Text,
            left: side("k"),
            right: side("k"),
        }],
        segment_by: None,
        columns: ["status", "total", "email"]
            .iter()
            .map(|name| ColumnMapping {
                name: (*name).to_owned(),
                value_type: if *name == "total" {
                    ValueType::Decimal
                } else {
                    ValueType::Text
                },
                scale: None,
                tolerance: (*name == "total").then(|| "0.005".to_owned()),
                left: side(name),
                right: side(name),
            })
            .collect(),
        grace: None,
        aggregates: Vec::new(),
        drift: None,
    }
}

fn rows(n: usize, shift: usize) -> Vec<TextRow> {
    (0..n)
        .map(|i| {
            let total = if i % 97 == shift {
                "10.0100"
            } else {
                "10.0000"
            };
            vec![
                Some(format!("{:09}", i + shift * (i % 101 == 0) as usize)),
                Some("open".to_owned()),
                Some(total.to_owned()),
                Some(format!("customer{i}@example.com")),
                Some("2026-01-01 00:00:00".to_owned()),
            ]
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let spec = spec();
    let (left, right) = (rows(50_000, 0), rows(50_000, 1));
    c.bench_function("classify 50k fetched rows per side", |b| {
        b.iter(|| {
            classify_rows(
                black_box(&spec),
                left.clone(),
                right.clone(),
                Some("2026-11-01 00:00:00"),
            )
        })
    });
    let texts: Vec<String> = (0..100_000)
        .map(|i| format!("{}.{:04}", i, i % 10_000))
        .collect();
    c.bench_function("parse 100k decimals", |b| {
        b.iter(|| {
            texts
                .iter()
                .filter_map(|t| parse_decimal(black_box(t), 4))
                .sum::<i128>()
        })
    });
    // A local (CSV/SQLite) side's cost per row: normalise five values, encode, hash.
    let cents = SideColumn {
        divide: Some(100),
        ..side("amount_cents")
    };
    let email = SideColumn {
        trim: true,
        case: Some(flowgate_model::Case::Lower),
        ..side("email")
    };
    let raw: Vec<[String; 5]> = (0..100_000)
        .map(|i| {
            [
                format!("{i:09}"),
                (i % 3 + 1).to_string(),
                (i * 37 % 100_000).to_string(),
                format!("  Customer{i}@Example.com "),
                format!("2026-03-{:02} 10:{:02}:00", i % 28 + 1, i % 60),
            ]
        })
        .collect();
    c.bench_function("normalise and hash 100k local rows", |b| {
        b.iter(|| {
            let mut sum: u128 = 0;
            for r in &raw {
                let mut text = String::new();
                let parts = [
                    (side("increment_id"), ValueType::Text, &r[0], None),
                    (side("store"), ValueType::Integer, &r[1], None),
                    (cents.clone(), ValueType::Decimal, &r[2], None),
                    (email.clone(), ValueType::Text, &r[3], None),
                    (
                        side("created_at"),
                        ValueType::Timestamp,
                        &r[4],
                        Some("Europe/Berlin"),
                    ),
                ];
                for (side, value_type, value, zone) in &parts {
                    let v = normalise::normalise(side, *value_type, 4, *zone, Some(value), None)
                        .unwrap_or_default();
                    normalise::encode(&mut text, v.as_deref(), *value_type);
                }
                sum += u128::from(normalise::row_hash(black_box(&text)));
            }
            sum
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
