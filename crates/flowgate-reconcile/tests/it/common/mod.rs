//! A landscape per test: a MariaDB database and a PostgreSQL schema of its own, so tests run
//! in parallel. Services are found at `FLOWGATE_TEST_MYSQL_URL` and
//! `FLOWGATE_TEST_POSTGRES_URL` (defaults: the local services); when one is unreachable the
//! test fails under CI (`CI` set) and is skipped with a notice otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use flowgate_model::{
    AggregateCheck, AggregateColumn, Case, ColumnMapping, Duration, KeyPart, Located,
    ReconcileSource, Reconciliation, SecretRef, SegmentBy, SideColumn, ValueType,
};
use flowgate_reconcile::db::Db;
use flowgate_reconcile::generate::{self, GenerateOptions, Planted};
use flowgate_reconcile::report::Key;
use flowgate_reconcile::{NoProgress, Report, RunOptions, Tuning};
use std::collections::BTreeMap;

pub const NOW: &str = "2026-11-20 12:00:00";

pub fn mysql_base() -> String {
    std::env::var("FLOWGATE_TEST_MYSQL_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "mysql://root@127.0.0.1:3306/test".to_owned())
}

pub fn postgres_url() -> String {
    ["FLOWGATE_TEST_POSTGRES_URL", "FLOWGATE_TEST_POSTGRES"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The URL of another database on the same MySQL server.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let root = match base.rfind('/') {
        Some(i) if i > base.find("://").map_or(0, |j| j + 2) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{root}/{db}?{q}"),
        None => format!("{root}/{db}"),
    }
}

pub struct Landscape {
    pub name: String,
    pub shop_url: String,
    pub erp_url: String,
    pub options: GenerateOptions,
    pub planted: Planted,
}

/// Create and fill a landscape, or `None` (skipped) when a service is unreachable outside CI.
pub async fn landscape(test: &str, orders: u64, every: u64, with_items: bool) -> Option<Landscape> {
    let name = format!("fg_rc_{test}");
    let admin = match Db::connect("shop", &mysql_base()).await {
        Ok(db) => db,
        Err(e) => {
            assert!(!in_ci(), "MariaDB unreachable under CI: {e}");
            eprintln!("skipping {test}: MariaDB unreachable ({e})");
            return None;
        }
    };
    admin
        .execute(&format!(
            "DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name} CHARACTER SET utf8mb4"
        ))
        .await
        .unwrap();
    admin.close().await;
    let shop_url = with_database(&mysql_base(), &name);
    let erp_url = postgres_url();
    let erp = match Db::connect("erp", &erp_url).await {
        Ok(db) => db,
        Err(e) => {
            assert!(!in_ci(), "PostgreSQL unreachable under CI: {e}");
            eprintln!("skipping {test}: PostgreSQL unreachable ({e})");
            return None;
        }
    };
    let shop = Db::connect("shop", &shop_url).await.unwrap();
    let options = GenerateOptions {
        orders,
        every,
        erp_schema: name.clone(),
        with_items,
        full_schema: None,
        now: NOW.to_owned(),
    };
    let (a, b) = tokio::join!(
        generate::generate_shop(&shop, &options),
        generate::generate_erp(&erp, &options)
    );
    a.unwrap();
    b.unwrap();
    shop.close().await;
    erp.close().await;
    let planted = options.planted();
    Some(Landscape {
        name,
        shop_url,
        erp_url,
        options,
        planted,
    })
}

fn side(column: &str) -> SideColumn {
    SideColumn {
        column: column.to_owned(),
        ..SideColumn::default()
    }
}

fn source(table: String, watermark: &str, timezone: Option<&str>) -> ReconcileSource {
    ReconcileSource {
        url: Located::new(
            SecretRef::parse("env:UNUSED").unwrap(),
            flowgate_diagnostics::Span::default(),
        ),
        table: Some(table),
        query: None,
        filter: None,
        watermark: Some(watermark.to_owned()),
        timezone: timezone.map(str::to_owned),
    }
}

fn column(name: &str, value_type: ValueType, left: SideColumn, right: SideColumn) -> ColumnMapping {
    ColumnMapping {
        name: name.to_owned(),
        value_type,
        scale: None,
        tolerance: None,
        left,
        right,
    }
}

/// The order reconciliation of the generated landscape.
pub fn orders_spec(l: &Landscape, segment: bool) -> Reconciliation {
    let status_map: BTreeMap<String, String> = [
        ("pending", "open"),
        ("processing", "open"),
        ("complete", "closed"),
        ("canceled", "cancelled"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    let email = SideColumn {
        trim: true,
        case: Some(Case::Lower),
        ..side("")
    };
    let mut grand_total = column(
        "grand_total",
        ValueType::Decimal,
        side("base_grand_total"),
        SideColumn {
            divide: Some(100),
            ..side("amount_cents")
        },
    );
    grand_total.tolerance = Some("0.005".to_owned());
    let mut order_total = column(
        "order_total",
        ValueType::Decimal,
        side("grand_total"),
        side("order_amount"),
    );
    order_total.scale = Some(2);
    order_total.tolerance = Some("0.01".to_owned());
    Reconciliation {
        left: source("sales_order".to_owned(), "updated_at", None),
        right: source(
            format!("{}.orders", l.name),
            "modified_at",
            Some("Europe/Berlin"),
        ),
        key: vec![
            KeyPart {
                value_type: ValueType::Text,
                left: side("increment_id"),
                right: side("document_no"),
            },
            KeyPart {
                value_type: ValueType::Integer,
                left: side("store_id"),
                right: side("store"),
            },
        ],
        segment_by: segment.then(|| SegmentBy {
            left: "entity_id".to_owned(),
            right: "magento_entity_id".to_owned(),
        }),
        columns: vec![
            column(
                "status",
                ValueType::Text,
                SideColumn {
                    map: status_map,
                    ..side("status")
                },
                side("status"),
            ),
            grand_total,
            order_total,
            column(
                "currency",
                ValueType::Text,
                side("order_currency_code"),
                side("currency"),
            ),
            column(
                "email",
                ValueType::Text,
                SideColumn {
                    column: "customer_email".to_owned(),
                    ..email.clone()
                },
                SideColumn {
                    column: "email".to_owned(),
                    ..email
                },
            ),
            column(
                "created_at",
                ValueType::Timestamp,
                side("created_at"),
                side("created_at"),
            ),
        ],
        grace: Some(Duration::parse("15m").unwrap()),
        aggregates: Vec::new(),
        drift: None,
    }
}

fn agg_column(name: &str, value_type: ValueType) -> AggregateColumn {
    AggregateColumn {
        name: name.to_owned(),
        value_type,
        scale: None,
        tolerance: None,
    }
}

/// Items per order without child rows, and stock per SKU with reservations.
pub fn aggregates(l: &Landscape) -> Vec<AggregateCheck> {
    vec![
        AggregateCheck {
            name: "items-per-order".to_owned(),
            group_by: vec![
                agg_column("document_no", ValueType::Text),
                agg_column("store", ValueType::Integer),
            ],
            measures: vec![agg_column("line_count", ValueType::Integer)],
            left: "SELECT o.increment_id AS document_no, o.store_id AS store, COUNT(*) AS line_count FROM sales_order_item i JOIN sales_order o ON o.entity_id = i.order_id WHERE i.parent_item_id IS NULL AND o.updated_at < :cutoff GROUP BY o.increment_id, o.store_id".to_owned(),
            right: format!("SELECT document_no, store, COUNT(*) AS line_count FROM {}.order_lines GROUP BY document_no, store", l.name),
        },
        AggregateCheck {
            name: "stock-per-sku".to_owned(),
            group_by: vec![agg_column("sku", ValueType::Text)],
            measures: vec![agg_column("available", ValueType::Decimal)],
            left: "SELECT p.sku AS sku, s.qty + COALESCE(r.quantity, 0) AS available FROM catalog_product_entity p JOIN cataloginventory_stock_item s ON s.product_id = p.entity_id LEFT JOIN (SELECT sku, SUM(quantity) AS quantity FROM inventory_reservation GROUP BY sku) r ON r.sku = p.sku".to_owned(),
            right: format!("SELECT sku, available FROM {}.stock", l.name),
        },
    ]
}

pub fn run_options(l: &Landscape) -> RunOptions {
    RunOptions {
        name: "orders".to_owned(),
        left_url: l.shop_url.clone(),
        right_url: l.erp_url.clone(),
        tuning: Tuning::default(),
        now: Some(
            chrono::NaiveDateTime::parse_from_str(NOW, "%Y-%m-%d %H:%M:%S")
                .unwrap()
                .and_utc(),
        ),
        fingerprint: "orders".to_owned(),
        resume_from: None,
    }
}

pub async fn run(l: &Landscape, spec: &Reconciliation) -> Report {
    flowgate_reconcile::run(spec, &run_options(l), &NoProgress)
        .await
        .unwrap()
}

/// A run whose local files must lie inside `workspace`.
pub async fn run_in(
    spec: &Reconciliation,
    options: &RunOptions,
    workspace: &std::path::Path,
) -> flowgate_reconcile::Result<Report> {
    flowgate_reconcile::run_in(spec, options, workspace, &NoProgress).await
}

pub fn order_key(s: u64) -> Key {
    vec![
        Some(generate::increment_id(s)),
        Some(generate::store_id(s).to_string()),
    ]
}

pub fn keys(orders: &[u64]) -> Vec<Key> {
    let mut keys: Vec<Key> = orders.iter().map(|&s| order_key(s)).collect();
    keys.sort();
    keys
}

pub fn mismatched(report: &Report, column: &str) -> Vec<Key> {
    let mut keys: Vec<Key> = report
        .mismatches
        .iter()
        .filter(|m| m.columns.iter().any(|c| c.column == column))
        .map(|m| m.key.clone())
        .collect();
    keys.sort();
    keys
}

/// Every planted order difference is found and classified exactly, and nothing else.
pub fn assert_exact(l: &Landscape, report: &Report) {
    let p = &l.planted;
    assert_eq!(
        report.missing_left,
        keys(&p.missing_left),
        "missing on the left"
    );
    assert_eq!(
        report.missing_right,
        keys(&p.missing_right),
        "missing on the right"
    );
    assert_eq!(
        mismatched(report, "grand_total"),
        keys(&p.grand_total),
        "grand_total"
    );
    assert_eq!(mismatched(report, "status"), keys(&p.status), "status");
    let mut duplicates: Vec<Key> = report.duplicates.iter().map(|d| d.key.clone()).collect();
    duplicates.sort();
    assert_eq!(duplicates, keys(&p.duplicate), "duplicates");
    assert!(report
        .duplicates
        .iter()
        .all(|d| d.side == "right" && d.count == 2));
    assert_eq!(report.in_flight, p.late.len() as u64, "in flight");
    let columns: Vec<&String> = report.per_column.keys().collect();
    let expected: Vec<&str> = [
        (!p.grand_total.is_empty()).then_some("grand_total"),
        (!p.status.is_empty()).then_some("status"),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(columns, expected, "only planted columns differ");
    assert_eq!(report.rows_left, l.options.orders);
    assert_eq!(
        report.rows_right,
        l.options.orders - p.missing_right.len() as u64 - p.late.len() as u64
            + p.duplicate.len() as u64
            + p.missing_left.len() as u64
    );
}

/// The aggregate checks find exactly the planted aggregate differences.
pub fn assert_aggregates(l: &Landscape, report: &Report) {
    let p = &l.planted;
    let items = &report.aggregates[0];
    assert_eq!(
        items.missing_left,
        keys(&p.missing_left),
        "items: only in the ERP"
    );
    assert_eq!(
        items.missing_right,
        keys(&p.missing_right),
        "items: only in the shop"
    );
    let mut lines: Vec<Key> = items.mismatches.iter().map(|m| m.key.clone()).collect();
    lines.sort();
    assert_eq!(
        lines,
        keys(&p.duplicated_line),
        "items: duplicated child lines"
    );
    let stock = &report.aggregates[1];
    let skus: Vec<Key> = stock.mismatches.iter().map(|m| m.key.clone()).collect();
    let expected: Vec<Key> = p
        .stock
        .iter()
        .map(|&s| vec![Some(generate::sku(s))])
        .collect();
    assert_eq!(skus, expected, "stock");
    assert!(stock.missing_left.is_empty() && stock.missing_right.is_empty());
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Drop a landscape's database and schema (the large ones would fill the disk over runs).
pub async fn drop_landscape(l: &Landscape) {
    if let Ok(admin) = Db::connect("shop", &mysql_base()).await {
        let _ = admin
            .execute(&format!("DROP DATABASE IF EXISTS {}", l.name))
            .await;
        admin.close().await;
    }
    if let Ok(admin) = Db::connect("erp", &l.erp_url).await {
        let _ = admin
            .execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", l.name))
            .await;
        admin.close().await;
    }
}

/// A connection, or `None` (skipped) when the service is unreachable outside CI.
pub async fn connect_or_skip(side: &str, url: &str) -> Option<Db> {
    match Db::connect(side, url).await {
        Ok(db) => Some(db),
        Err(e) => {
            assert!(!in_ci(), "{side} database unreachable under CI: {e}");
            eprintln!("skipping: {side} database unreachable ({e})");
            None
        }
    }
}
