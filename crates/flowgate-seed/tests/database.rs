//! Seed tables in real databases: SQLite in a temporary file, the local PostgreSQL and
//! MariaDB (`FLOWGATE_TEST_POSTGRES_URL`, `FLOWGATE_TEST_MYSQL_URL`; under CI an unreachable
//! service fails the test, elsewhere it is skipped with a notice). Every row arrives with its
//! types, non-ASCII names intact; a table holding rows is refused without --replace and
//! replaced with it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{TimeZone, Utc};
use flowgate_model::{DataObject, FieldType};
use flowgate_seed::locale::LOCALES;
use flowgate_seed::output::{write_database, OutputError};
use flowgate_seed::schema::{FieldSpec, Schema};
use flowgate_seed::{generate, Dataset, Options};
use sqlx::Row;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn url(variable: &str, default: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn dataset() -> Dataset {
    let field = |id: &str, object, field_type| FieldSpec {
        id: id.into(),
        object,
        field_type,
        options: Vec::new(),
        default: None,
        pii: true,
    };
    let schema = Schema {
        fields: vec![
            field("email", DataObject::Contact, FieldType::Email),
            field("first_name", DataObject::Contact, FieldType::String),
            field("last_name", DataObject::Contact, FieldType::String),
            field("catalog_downloaded", DataObject::Contact, FieldType::Bool),
            field("last_order_at", DataObject::Contact, FieldType::Datetime),
            field("birthday", DataObject::Contact, FieldType::Date),
            field("cart_value", DataObject::Contact, FieldType::Number),
        ],
        suppression_lists: vec!["global-suppression".into()],
        ..Schema::default()
    };
    generate(
        &schema,
        &Options {
            contacts: 400,
            seed: 12,
            locales: LOCALES.iter().collect(),
            as_of: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().unwrap(),
            edge_share: 0.1,
        },
    )
}

/// The longest last name and the count of contacts, as the database returns them.
macro_rules! read_back {
    ($pool:expr, $table:expr) => {{
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", $table))
            .fetch_one($pool)
            .await
            .unwrap();
        let row = sqlx::query(&format!(
            "SELECT last_name FROM {} ORDER BY LENGTH(last_name) DESC LIMIT 1",
            $table
        ))
        .fetch_one($pool)
        .await
        .unwrap();
        let longest: String = row.get(0);
        (count, longest)
    }};
}

async fn write_twice(url: &str, prefix: &str, data: &Dataset) {
    write_database(url, prefix, &data.tables, true)
        .await
        .unwrap();
    let again = write_database(url, prefix, &data.tables, false)
        .await
        .unwrap_err();
    assert!(
        matches!(again, OutputError::NotEmpty(ref t) if t == &format!("{prefix}contacts")),
        "{again}"
    );
    write_database(url, prefix, &data.tables, true)
        .await
        .unwrap();
}

fn expected(data: &Dataset) -> (i64, String) {
    let contacts = data.table("contacts").unwrap();
    let last = contacts.column("last_name").unwrap();
    let longest = contacts
        .rows
        .iter()
        .map(|r| r[last].as_str().unwrap().to_owned())
        .max_by_key(|s| s.chars().count())
        .unwrap();
    (contacts.rows.len() as i64, longest)
}

#[tokio::test]
async fn sqlite_tables_hold_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("seed.db").display());
    let data = dataset();
    write_twice(&url, "seed_", &data).await;
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    assert_eq!(read_back!(&pool, "seed_contacts"), expected(&data));
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM seed_orders")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(orders as usize, data.table("orders").unwrap().rows.len());
}

#[tokio::test]
async fn postgres_tables_hold_every_row_with_their_types() {
    let url = url(
        "FLOWGATE_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/test",
    );
    let pool = match sqlx::PgPool::connect(&url).await {
        Ok(pool) => pool,
        Err(e) => {
            assert!(!in_ci(), "PostgreSQL unreachable under CI: {e}");
            return eprintln!("skipped: PostgreSQL unreachable ({e})");
        }
    };
    let prefix = format!("seed_t{}_", std::process::id());
    let data = dataset();
    write_twice(&url, &prefix, &data).await;
    let table = format!("{prefix}contacts");
    assert_eq!(read_back!(&pool, &table), expected(&data));
    let kinds: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = $1",
    )
    .bind(&table)
    .fetch_all(&pool)
    .await
    .unwrap();
    let kind = |c: &str| {
        kinds
            .iter()
            .find(|(n, _)| n == c)
            .map(|(_, k)| k.as_str())
            .unwrap()
    };
    assert_eq!(kind("last_order_at"), "timestamp with time zone");
    assert_eq!(kind("birthday"), "date");
    assert_eq!(kind("catalog_downloaded"), "boolean");
    for name in ["contacts", "companies", "orders", "carts", "list_members"] {
        sqlx::query(&format!("DROP TABLE {prefix}{name}"))
            .execute(&pool)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn mariadb_tables_hold_every_row_and_non_ascii_names() {
    let url = url(
        "FLOWGATE_TEST_MYSQL_URL",
        "mysql://root@127.0.0.1:3306/test",
    );
    let pool = match sqlx::MySqlPool::connect(&url).await {
        Ok(pool) => pool,
        Err(e) => {
            assert!(!in_ci(), "MariaDB unreachable under CI: {e}");
            return eprintln!("skipped: MariaDB unreachable ({e})");
        }
    };
    let prefix = format!("seed_t{}_", std::process::id());
    let data = dataset();
    write_twice(&url, &prefix, &data).await;
    let table = format!("{prefix}contacts");
    assert_eq!(read_back!(&pool, &table), expected(&data));
    let contacts = data.table("contacts").unwrap();
    let last = contacts.column("last_name").unwrap();
    let names: Vec<String> =
        sqlx::query_scalar(&format!("SELECT last_name FROM {table} ORDER BY id"))
            .fetch_all(&pool)
            .await
            .unwrap();
    let wanted: Vec<String> = contacts
        .rows
        .iter()
        .map(|r| r[last].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, wanted, "names changed on the way");
    for name in ["contacts", "companies", "orders", "carts", "list_members"] {
        sqlx::query(&format!("DROP TABLE {prefix}{name}"))
            .execute(&pool)
            .await
            .unwrap();
    }
}
