//! The Rust normaliser (`normalise.rs`) against the real thing: for tricky values, the
//! normalised text, the 60-bit row hash and the 32-bit key hash must equal what MariaDB and
//! PostgreSQL compute with the expressions of `sql.rs`.

use crate::common::{self, mysql_base, postgres_url};
use flowgate_model::{Case, SideColumn, ValueType};
use flowgate_reconcile::db::Db;
use flowgate_reconcile::normalise;
use flowgate_reconcile::sql::Dialect;

struct Case1 {
    value_type: ValueType,
    side: SideColumn,
    scale: u32,
    timezone: Option<&'static str>,
    raw: Option<&'static str>,
    factor: Option<&'static str>,
}

fn col() -> SideColumn {
    SideColumn {
        column: "v".to_owned(),
        ..SideColumn::default()
    }
}

fn cases() -> Vec<Case1> {
    let mut out = Vec::new();
    let mut add = |value_type, side: SideColumn, scale, timezone, raw, factor| {
        out.push(Case1 {
            value_type,
            side,
            scale,
            timezone,
            raw,
            factor,
        });
    };
    for raw in [
        "12.345",
        "-12.345",
        "2.5",
        "-2.5",
        "0.005",
        "-0.005",
        "-0.004",
        "0",
        "100",
        "-7.1",
        "123456789.999999",
    ] {
        add(ValueType::Decimal, col(), 2, None, Some(raw), None);
        add(ValueType::Decimal, col(), 0, None, Some(raw), None);
        add(ValueType::Integer, col(), 0, None, Some(raw), None);
    }
    add(ValueType::Decimal, col(), 2, None, None, None);
    let divide = SideColumn {
        divide: Some(100),
        ..col()
    };
    for raw in ["12345", "-12345", "5", "-5", "0", "99999"] {
        add(ValueType::Decimal, divide.clone(), 2, None, Some(raw), None);
        add(ValueType::Decimal, divide.clone(), 1, None, Some(raw), None);
    }
    let rate = SideColumn {
        multiply_by: Some("r".to_owned()),
        ..col()
    };
    for (raw, factor) in [
        ("19.99", Some("1.0825")),
        ("-19.99", Some("1.0825")),
        ("100.00", Some("0.333333")),
        ("0.10", Some("0.5")),
        ("10.00", None),
    ] {
        add(ValueType::Decimal, rate.clone(), 2, None, Some(raw), factor);
    }
    let mut map = std::collections::BTreeMap::new();
    map.insert("processing".to_owned(), "open".to_owned());
    map.insert("Ünïcode".to_owned(), "u".to_owned());
    let transformed = SideColumn {
        trim: true,
        case: Some(Case::Lower),
        map,
        ..col()
    };
    for raw in [
        "",
        " ",
        "~",
        "~n",
        "a~b~~",
        "  Processing ",
        "PROCESSING",
        "Grüße",
        "日本語",
        "x\ty",
        "Ünïcode",
        "o'k",
        "back\\slash",
    ] {
        add(ValueType::Text, col(), 0, None, Some(raw), None);
        add(
            ValueType::Text,
            transformed.clone(),
            0,
            None,
            Some(raw),
            None,
        );
    }
    let upper = SideColumn {
        case: Some(Case::Upper),
        ..col()
    };
    add(ValueType::Text, upper, 0, None, Some("straße ok"), None);
    add(ValueType::Text, col(), 0, None, None, None);
    for raw in [
        "2026-03-29 00:59:59",
        "2026-03-29 01:00:00",
        "2026-03-29 03:00:00",
        "2026-10-25 00:30:00",
        "2026-10-25 03:30:00",
        "2026-10-25 02:30:00",
        "2026-03-29 02:30:00",
        "2026-12-31 23:59:59",
        "2026-07-01 12:00:00",
    ] {
        add(
            ValueType::Timestamp,
            col(),
            0,
            Some("Europe/Berlin"),
            Some(raw),
            None,
        );
        add(ValueType::Timestamp, col(), 0, None, Some(raw), None);
    }
    for zone in ["+02:00", "-05:30"] {
        add(
            ValueType::Timestamp,
            col(),
            0,
            Some(zone),
            Some("2026-07-01 12:00:00"),
            None,
        );
    }
    let eighths = SideColumn {
        divide: Some(8),
        ..col()
    };
    for raw in ["-1", "1", "13"] {
        add(
            ValueType::Decimal,
            eighths.clone(),
            3,
            None,
            Some(raw),
            None,
        );
    }
    add(ValueType::Timestamp, col(), 0, None, None, None);
    for raw in ["2026-02-28", "2024-02-29", "1999-12-31"] {
        add(ValueType::Date, col(), 0, None, Some(raw), None);
    }
    add(ValueType::Date, col(), 0, None, None, None);
    out
}

fn typed(dialect: Dialect, raw: Option<&str>, value_type: ValueType) -> String {
    let lit = raw.map_or_else(|| "NULL".to_owned(), |r| dialect.literal(r));
    match (dialect, value_type) {
        (Dialect::MySql, ValueType::Text) => format!("CAST({lit} AS CHAR)"),
        (Dialect::MySql, ValueType::Integer | ValueType::Decimal) => {
            format!("CAST({lit} AS DECIMAL(30, 6))")
        }
        (Dialect::MySql, ValueType::Timestamp) => format!("CAST({lit} AS DATETIME)"),
        (Dialect::MySql, ValueType::Date) => format!("CAST({lit} AS DATE)"),
        (Dialect::Postgres, ValueType::Text) => format!("CAST({lit} AS text)"),
        (Dialect::Postgres, ValueType::Integer | ValueType::Decimal) => {
            format!("CAST({lit} AS numeric)")
        }
        (Dialect::Postgres, ValueType::Timestamp) => format!("CAST({lit} AS timestamp)"),
        (Dialect::Postgres, ValueType::Date) => format!("CAST({lit} AS date)"),
    }
}

/// The normalised text, row hash and key hash of one value as a database computes them.
async fn in_db(db: &Db, c: &Case1) -> (Option<String>, String, String) {
    let d = db.dialect();
    let norm = d.normalise(&c.side, c.value_type, c.scale, c.timezone);
    let encoded = d.encode(&norm, c.value_type);
    let text = d.concat(&[encoded.clone(), "'~.'".to_owned()]);
    let sql = format!(
        "SELECT {norm}, {}, {} FROM (SELECT {} AS {}, {} AS {}) AS t",
        d.text(&d.row_hash(&text)),
        d.text(&d.key_hash(&encoded)),
        typed(d, c.raw, c.value_type),
        d.ident("v"),
        typed(d, c.factor, ValueType::Decimal),
        d.ident("r"),
    );
    let mut rows = db.rows(&sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut row = rows.remove(0);
    let key = row.pop().unwrap().unwrap();
    let hash = row.pop().unwrap().unwrap();
    (row.pop().unwrap(), hash, key)
}

fn in_rust(c: &Case1) -> (Option<String>, String, String) {
    let factor = c.side.multiply_by.as_ref().map(|_| c.factor);
    let norm =
        normalise::normalise(&c.side, c.value_type, c.scale, c.timezone, c.raw, factor).unwrap();
    let mut encoded = String::new();
    normalise::encode(&mut encoded, norm.as_deref(), c.value_type);
    let text = format!("{encoded}~.");
    (
        norm,
        normalise::row_hash(&text).to_string(),
        normalise::key_hash(&encoded).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn rust_normalisation_equals_mariadb_and_postgresql() {
    let Some(mysql) = common::connect_or_skip("shop", &mysql_base()).await else {
        return;
    };
    let Some(pg) = common::connect_or_skip("erp", &postgres_url()).await else {
        return;
    };
    // Named zones in MySQL/MariaDB need its time zone tables (mysql_tzinfo_to_sql).
    let zones = mysql
        .rows("SELECT CONVERT_TZ('2026-01-01 00:00:00', 'Europe/Berlin', '+00:00')")
        .await
        .unwrap()[0][0]
        .is_some();
    if !zones {
        eprintln!("MariaDB has no time zone tables: named zones compared with PostgreSQL only");
    }
    let mut failures = Vec::new();
    for c in cases() {
        let rust = in_rust(&c);
        for db in [&mysql, &pg] {
            // Offsets need no zone tables.
            let named = c.timezone.is_some_and(|z| z.contains('/'));
            if named && !zones && db.dialect() == Dialect::MySql {
                continue;
            }
            let got = in_db(db, &c).await;
            if got != rust {
                failures.push(format!(
                    "{:?} {:?} scale {} tz {:?} raw {:?} factor {:?}: {:?} gives {got:?}, Rust {rust:?}",
                    c.value_type,
                    c.side,
                    c.scale,
                    c.timezone,
                    c.raw,
                    c.factor,
                    db.dialect()
                ));
            }
        }
    }
    mysql.close().await;
    pg.close().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
