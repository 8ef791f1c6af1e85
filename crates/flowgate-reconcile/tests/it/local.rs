//! SQLite databases, CSV and Parquet files as sources reconcile against a database side (the
//! Rust normalisation itself is checked against both servers in `normalise.rs`).

use crate::common::*;
use flowgate_reconcile::db::Db;

/// The shop's `sales_order`, every column as text, with its header.
async fn shop_orders(l: &Landscape) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let shop = Db::connect("shop", &l.shop_url).await.unwrap();
    let names: Vec<String> = shop
        .rows("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sales_order' ORDER BY ORDINAL_POSITION")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    let select: Vec<String> = names
        .iter()
        .map(|n| format!("CAST(`{n}` AS CHAR)"))
        .collect();
    let rows = shop
        .rows(&format!("SELECT {} FROM sales_order", select.join(", ")))
        .await
        .unwrap();
    shop.close().await;
    (names, rows)
}

fn write_csv(path: &std::path::Path, names: &[String], rows: &[Vec<Option<String>>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(names).unwrap();
    for row in rows {
        w.write_record(row.iter().map(|v| v.as_deref().unwrap_or("")))
            .unwrap();
    }
    w.flush().unwrap();
}

async fn write_sqlite(path: &std::path::Path, names: &[String], rows: &[Vec<Option<String>>]) {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true),
        )
        .await
        .unwrap();
    // Typed as an application would: numbers as NUMERIC, the rest as TEXT.
    let columns: Vec<String> = names
        .iter()
        .map(|n| {
            let numeric = [
                "entity_id",
                "store_id",
                "base_grand_total",
                "grand_total",
                "base_to_order_rate",
            ];
            let ty = if numeric.contains(&n.as_str()) {
                "NUMERIC"
            } else {
                "TEXT"
            };
            format!("\"{n}\" {ty}")
        })
        .collect();
    sqlx::raw_sql(&format!(
        "CREATE TABLE sales_order ({})",
        columns.join(", ")
    ))
    .execute(&pool)
    .await
    .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let marks = vec!["?"; names.len()].join(", ");
    for row in rows {
        let sql = format!("INSERT INTO sales_order VALUES ({marks})");
        let mut q = sqlx::query(&sql);
        for v in row {
            q = q.bind(v.clone());
        }
        q.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    pool.close().await;
}

/// The shop's orders as a typed Parquet file, as an export tool writes it: ids as integers,
/// amounts as `DECIMAL(18,4)`, times as UTC microseconds, the rest as UTF-8 text.
fn write_parquet(path: &std::path::Path, names: &[String], rows: &[Vec<Option<String>>]) {
    use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
    use parquet::file::writer::SerializedFileWriter;
    enum Kind {
        Int64,
        Int32,
        Decimal,
        Micros,
        Text,
    }
    let kind = |name: &str| match name {
        "entity_id" => Kind::Int64,
        "store_id" => Kind::Int32,
        "base_grand_total" | "grand_total" | "base_to_order_rate" => Kind::Decimal,
        "created_at" | "updated_at" => Kind::Micros,
        _ => Kind::Text,
    };
    let fields: Vec<String> = names
        .iter()
        .map(|n| match kind(n) {
            Kind::Int64 => format!("OPTIONAL INT64 {n};"),
            Kind::Int32 => format!("OPTIONAL INT32 {n};"),
            Kind::Decimal => format!("OPTIONAL INT64 {n} (DECIMAL(18,4));"),
            Kind::Micros => format!("OPTIONAL INT64 {n} (TIMESTAMP(MICROS,true));"),
            Kind::Text => format!("OPTIONAL BYTE_ARRAY {n} (UTF8);"),
        })
        .collect();
    let schema = parquet::schema::parser::parse_message_type(&format!(
        "message sales_order {{ {} }}",
        fields.join(" ")
    ))
    .unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut writer =
        SerializedFileWriter::new(file, std::sync::Arc::new(schema), Default::default()).unwrap();
    let mut group = writer.next_row_group().unwrap();
    let mut i = 0;
    while let Some(mut column) = group.next_column().unwrap() {
        let values: Vec<&str> = rows.iter().filter_map(|r| r[i].as_deref()).collect();
        let levels: Vec<i16> = rows.iter().map(|r| i16::from(r[i].is_some())).collect();
        match kind(&names[i]) {
            Kind::Int64 => {
                let v: Vec<i64> = values.iter().map(|v| v.parse().unwrap()).collect();
                column
                    .typed::<Int64Type>()
                    .write_batch(&v, Some(&levels), None)
                    .unwrap();
            }
            Kind::Int32 => {
                let v: Vec<i32> = values.iter().map(|v| v.parse().unwrap()).collect();
                column
                    .typed::<Int32Type>()
                    .write_batch(&v, Some(&levels), None)
                    .unwrap();
            }
            Kind::Decimal => {
                let v: Vec<i64> = values
                    .iter()
                    .map(|v| v.replace('.', "").parse::<i64>().unwrap())
                    .collect();
                column
                    .typed::<Int64Type>()
                    .write_batch(&v, Some(&levels), None)
                    .unwrap();
            }
            Kind::Micros => {
                let v: Vec<i64> = values
                    .iter()
                    .map(|v| {
                        chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S")
                            .unwrap()
                            .and_utc()
                            .timestamp_micros()
                    })
                    .collect();
                column
                    .typed::<Int64Type>()
                    .write_batch(&v, Some(&levels), None)
                    .unwrap();
            }
            Kind::Text => {
                let v: Vec<ByteArray> = values.iter().map(|v| ByteArray::from(*v)).collect();
                column
                    .typed::<ByteArrayType>()
                    .write_batch(&v, Some(&levels), None)
                    .unwrap();
            }
        }
        column.close().unwrap();
        i += 1;
    }
    group.close().unwrap();
    writer.close().unwrap();
}

#[test]
fn csv_sqlite_and_parquet_shops_reconcile_exactly_against_postgresql() {
    runtime().block_on(async {
        let Some(l) = landscape("local_sources", 3_000, 100, false).await else {
            return;
        };
        let (names, rows) = shop_orders(&l).await;
        let dir = tempfile::tempdir().unwrap();
        let csv_path = dir.path().join("sales_order.csv");
        let db_path = dir.path().join("shop.db");
        let parquet_path = dir.path().join("sales_order.parquet");
        write_csv(&csv_path, &names, &rows);
        write_sqlite(&db_path, &names, &rows).await;
        write_parquet(&parquet_path, &names, &rows);
        for url in [
            format!("csv:{}", csv_path.display()),
            format!("sqlite://{}", db_path.display()),
            format!("parquet:{}", parquet_path.display()),
        ] {
            for segment in [true, false] {
                let spec = orders_spec(&l, segment);
                let mut options = run_options(&l);
                options.left_url = url.clone();
                let report = run_in(&spec, &options, dir.path())
                    .await
                    .unwrap_or_else(|e| panic!("{url}: {e}"));
                eprintln!("{url}, segment_by: {segment}");
                assert_exact(&l, &report);
            }
        }
        drop_landscape(&l).await;
    });
}

#[test]
fn a_bad_cell_is_reported_at_its_file_line_and_column() {
    runtime().block_on(async {
        let Some(l) = landscape("local_bad_cell", 20, 10, false).await else {
            return;
        };
        let (names, mut rows) = shop_orders(&l).await;
        let total = names.iter().position(|n| n == "base_grand_total").unwrap();
        rows[1][total] = Some("12,x".to_owned());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.csv");
        write_csv(&path, &names, &rows);
        let spec = orders_spec(&l, true);
        let mut options = run_options(&l);
        options.left_url = format!("csv:{}", path.display());
        let err = run_in(&spec, &options, dir.path())
            .await
            .expect_err("a bad cell fails the run");
        let message = err.to_string();
        assert!(message.contains("orders.csv:3"), "{message}");
        assert!(message.contains("base_grand_total"), "{message}");
        assert!(message.contains("12,x"), "{message}");

        options.left_url = format!("csv:{}", dir.path().join("absent.csv").display());
        let err = run_in(&spec, &options, dir.path())
            .await
            .expect_err("a missing file fails the run");
        assert!(err.to_string().contains("no such file"), "{err}");

        let garbage = dir.path().join("orders.parquet");
        std::fs::write(&garbage, "entity_id,status\n1,open\n").unwrap();
        options.left_url = format!("parquet:{}", garbage.display());
        let err = run_in(&spec, &options, dir.path())
            .await
            .expect_err("a file that is not Parquet fails the run");
        assert!(
            err.to_string().contains("not a readable Parquet file"),
            "{err}"
        );
        drop_landscape(&l).await;
    });
}
