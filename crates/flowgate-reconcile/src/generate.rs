//! The test landscape: a Magento-shaped MariaDB/MySQL database (`sales_order`,
//! `sales_order_item`, `catalog_product_entity`, `cataloginventory_stock_item`,
//! `inventory_reservation`, with Magento's column names and types) and an ERP-shaped
//! PostgreSQL schema (`orders`, `order_lines`, `stock`), with planted differences of every
//! class. Rows are generated inside the databases (MariaDB's `seq_1_to_N` sequence engine,
//! PostgreSQL's `generate_series`), so ten million orders take minutes.
//!
//! Every value is a function of the order number `s`, computed the same way on both sides;
//! the planted differences are the orders with `s % every` equal to a class's residue, which
//! [`Planted`] lists so tests can check every one is found and nothing else is.

use crate::db::Db;
use crate::error::{Error, Invalid, Result};
use std::path::Path;

/// Residues of `s % every` per planted class.
pub mod residue {
    /// Order missing in the ERP (older than the grace window): missing on the right.
    pub const MISSING_RIGHT: u64 = 1;
    /// Order missing in the ERP but changed minutes ago: in flight, not a difference.
    pub const LATE: u64 = 2;
    /// ERP total one cent off: value mismatch on `grand_total`.
    pub const ROUNDING: u64 = 3;
    /// Shop total 0.004 off, within the 0.005 tolerance: not a difference.
    pub const WITHIN_TOLERANCE: u64 = 4;
    /// ERP status outside the mapped vocabulary: value mismatch on `status`.
    pub const STATUS: u64 = 5;
    /// ERP booked the order-currency total as base amount: value mismatch on `grand_total`.
    pub const CURRENCY: u64 = 6;
    /// Order header twice in the ERP: duplicate key on the right.
    pub const DUPLICATE: u64 = 7;
    /// A child line duplicated in the ERP: the items aggregate differs for that order.
    pub const DUPLICATED_LINE: u64 = 8;
    /// ERP stock one unit off (products): the stock aggregate differs for that SKU.
    pub const STOCK: u64 = 9;
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Orders in the shop.
    pub orders: u64,
    /// One order in `every` per class carries a planted difference (at least 10).
    pub every: u64,
    /// PostgreSQL schema of the ERP tables.
    pub erp_schema: String,
    /// Also generate order items, products, stock and reservations.
    pub with_items: bool,
    /// Magento's `db_schema.xml` of the Sales module: when given, `sales_order` gets all of its
    /// columns (136 in Magento 2.4.8), not only the ones reconciliation reads.
    pub full_schema: Option<std::path::PathBuf>,
    /// "Now" (UTC `YYYY-MM-DD HH:MM:SS`): late orders are changed five minutes before it.
    pub now: String,
}

/// The planted differences, as the keys a correct run reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Planted {
    /// Orders only in the ERP (`s` beyond the shop's orders).
    pub missing_left: Vec<u64>,
    /// Orders only in the shop, older than the grace window.
    pub missing_right: Vec<u64>,
    /// Orders only in the shop, changed within the grace window.
    pub late: Vec<u64>,
    /// Orders whose `grand_total` differs (rounding and currency).
    pub grand_total: Vec<u64>,
    /// Orders whose status differs.
    pub status: Vec<u64>,
    /// Orders duplicated in the ERP.
    pub duplicate: Vec<u64>,
    /// Orders with a duplicated ERP line.
    pub duplicated_line: Vec<u64>,
    /// Products whose ERP stock differs.
    pub stock: Vec<u64>,
}

impl GenerateOptions {
    /// Products in the catalogue.
    pub fn products(&self) -> u64 {
        (self.orders / 100).max(10)
    }

    /// Orders only the ERP has.
    pub fn extra_erp_orders(&self) -> u64 {
        (self.orders / self.every).max(1)
    }

    /// The differences planted by these options.
    pub fn planted(&self) -> Planted {
        let mut p = Planted::default();
        let k = self.every;
        for s in 1..=self.orders {
            match s % k {
                residue::MISSING_RIGHT => p.missing_right.push(s),
                residue::LATE => p.late.push(s),
                residue::ROUNDING | residue::CURRENCY => p.grand_total.push(s),
                residue::STATUS => p.status.push(s),
                residue::DUPLICATE => p.duplicate.push(s),
                residue::DUPLICATED_LINE => p.duplicated_line.push(s),
                _ => {}
            }
        }
        p.missing_left = (self.orders + 1..=self.orders + self.extra_erp_orders()).collect();
        p.stock = (1..=self.products())
            .filter(|p| p % k == residue::STOCK)
            .collect();
        p
    }
}

/// The increment id of order `s` (Magento pads to nine digits).
pub fn increment_id(s: u64) -> String {
    format!("{s:09}")
}

/// The store of order `s`.
pub fn store_id(s: u64) -> u64 {
    1 + s % 3
}

/// The SKU of product `p`.
pub fn sku(p: u64) -> String {
    format!("SKU-{p:06}")
}

/// One `sales_order` column from Magento's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MagentoColumn {
    /// Column name.
    pub name: String,
    /// MySQL type as written in DDL.
    pub sql_type: String,
    /// `xsi:type`.
    pub kind: String,
}

/// The columns of `sales_order` in a Magento Sales module `db_schema.xml`.
pub fn sales_order_columns(db_schema: &Path) -> Result<Vec<MagentoColumn>> {
    use quick_xml::events::Event;
    let text = std::fs::read_to_string(db_schema).map_err(|source| Error::Io {
        path: db_schema.display().to_string(),
        source,
    })?;
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut in_table = false;
    let mut columns = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            Error::from(Invalid::SchemaXml {
                path: db_schema.to_path_buf(),
                byte: reader.buffer_position(),
                source: e,
            })
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name.as_bytes())
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                };
                match e.name().as_ref() {
                    b"table" => in_table = attr("name").as_deref() == Some("sales_order"),
                    b"column" if in_table => {
                        let (Some(kind), Some(name)) = (attr("xsi:type"), attr("name")) else {
                            continue;
                        };
                        let unsigned = attr("unsigned").as_deref() == Some("true");
                        let sign = if unsigned { " UNSIGNED" } else { "" };
                        let sql_type = match kind.as_str() {
                            "int" => format!("INT{sign}"),
                            "smallint" => format!("SMALLINT{sign}"),
                            "decimal" => format!(
                                "DECIMAL({},{})",
                                attr("precision").unwrap_or_else(|| "20".into()),
                                attr("scale").unwrap_or_else(|| "4".into())
                            ),
                            "varchar" => {
                                format!(
                                    "VARCHAR({})",
                                    attr("length").unwrap_or_else(|| "255".into())
                                )
                            }
                            "text" => "TEXT".to_owned(),
                            "timestamp" => "TIMESTAMP NULL".to_owned(),
                            "datetime" => "DATETIME NULL".to_owned(),
                            other => {
                                return Err(Invalid::SchemaColumnType {
                                    path: db_schema.to_path_buf(),
                                    column: name,
                                    found: other.to_owned(),
                                }
                                .into())
                            }
                        };
                        columns.push(MagentoColumn {
                            name,
                            sql_type,
                            kind,
                        });
                    }
                    _ => {}
                }
            }
            Event::End(e) if e.name().as_ref() == b"table" => in_table = false,
            Event::Eof => break,
            _ => {}
        }
    }
    if columns.is_empty() {
        return Err(Invalid::NoSalesOrder {
            path: db_schema.to_path_buf(),
        }
        .into());
    }
    Ok(columns)
}

/// The columns reconciliation reads, with Magento's types.
fn lean_columns() -> Vec<MagentoColumn> {
    [
        ("entity_id", "INT UNSIGNED", "int"),
        ("state", "VARCHAR(32)", "varchar"),
        ("status", "VARCHAR(32)", "varchar"),
        ("store_id", "SMALLINT UNSIGNED", "smallint"),
        ("base_grand_total", "DECIMAL(20,4)", "decimal"),
        ("grand_total", "DECIMAL(20,4)", "decimal"),
        ("base_to_order_rate", "DECIMAL(20,4)", "decimal"),
        ("increment_id", "VARCHAR(50)", "varchar"),
        ("base_currency_code", "VARCHAR(3)", "varchar"),
        ("customer_email", "VARCHAR(128)", "varchar"),
        ("order_currency_code", "VARCHAR(3)", "varchar"),
        ("created_at", "TIMESTAMP NULL", "timestamp"),
        ("updated_at", "TIMESTAMP NULL", "timestamp"),
    ]
    .into_iter()
    .map(|(name, sql_type, kind)| MagentoColumn {
        name: name.to_owned(),
        sql_type: sql_type.to_owned(),
        kind: kind.to_owned(),
    })
    .collect()
}

/// The shop's value of a `sales_order` column for order `seq` (MySQL SQL).
fn magento_value(column: &MagentoColumn, k: u64, now: &str) -> String {
    let usd = format!("(seq % 5 = 0 OR seq % {k} = {})", residue::CURRENCY);
    let base = format!(
        "((1000 + (seq * 7919) % 200000) / 100 + IF(seq % {k} = {}, 0.004, 0))",
        residue::WITHIN_TOLERANCE
    );
    let created = "(TIMESTAMP'2026-01-01 00:00:00' + INTERVAL ((seq * 2) % 25920000) SECOND)";
    match column.name.as_str() {
        "entity_id" => "seq".into(),
        "state" => "ELT(seq % 4 + 1, 'new', 'processing', 'complete', 'canceled')".into(),
        "status" => "ELT(seq % 4 + 1, 'pending', 'processing', 'complete', 'canceled')".into(),
        "store_id" => "1 + seq % 3".into(),
        "base_grand_total" => base,
        "grand_total" => format!("ROUND({base} * IF({usd}, 1.1, 1), 4)"),
        "base_to_order_rate" => format!("IF({usd}, 1.1, 1)"),
        "increment_id" => "LPAD(seq, 9, '0')".into(),
        "base_currency_code" | "global_currency_code" | "store_currency_code" => "'EUR'".into(),
        "order_currency_code" => format!("IF({usd}, 'USD', 'EUR')"),
        "customer_email" => "CONCAT('customer', seq, '@example.com')".into(),
        "created_at" => created.into(),
        "updated_at" => format!(
            "IF(seq % {k} = {}, TIMESTAMP'{now}' - INTERVAL 5 MINUTE, {created} + INTERVAL 1 HOUR)",
            residue::LATE
        ),
        _ => match column.kind.as_str() {
            "decimal" => "(seq % 1000) / 10".into(),
            "int" | "smallint" => "seq % 100".into(),
            "varchar" => "LEFT(CONCAT('v', seq % 97), 3)".into(),
            _ => "NULL".into(),
        },
    }
}

fn chunks(n: u64, size: u64) -> impl Iterator<Item = (u64, u64)> {
    (0..n.div_ceil(size)).map(move |i| (i * size + 1, ((i + 1) * size).min(n)))
}

const CHUNK: u64 = 1_000_000;

/// Create the shop's tables in the MySQL/MariaDB database and fill them.
pub async fn generate_shop(db: &Db, options: &GenerateOptions) -> Result<()> {
    let k = options.every;
    if k < 10 {
        return Err(Invalid::Every { every: k }.into());
    }
    let columns = match &options.full_schema {
        Some(path) => sales_order_columns(path)?,
        None => lean_columns(),
    };
    let ddl: Vec<String> = columns
        .iter()
        .map(|c| {
            let not_null = if c.name == "entity_id" {
                " NOT NULL"
            } else {
                ""
            };
            format!("`{}` {}{not_null}", c.name, c.sql_type)
        })
        .collect();
    db.execute(&format!(
        "DROP TABLE IF EXISTS sales_order, sales_order_item, catalog_product_entity, cataloginventory_stock_item, inventory_reservation;
         CREATE TABLE sales_order ({}, PRIMARY KEY (entity_id), UNIQUE KEY SALES_ORDER_INCREMENT_ID_STORE_ID (increment_id, store_id), KEY SALES_ORDER_UPDATED_AT (updated_at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        ddl.join(", ")
    ))
    .await?;
    let names: Vec<String> = columns.iter().map(|c| format!("`{}`", c.name)).collect();
    let values: Vec<String> = columns
        .iter()
        .map(|c| magento_value(c, k, &options.now))
        .collect();
    for (a, b) in chunks(options.orders, CHUNK) {
        db.execute(&format!(
            "INSERT INTO sales_order ({}) SELECT {} FROM seq_1_to_{} WHERE seq BETWEEN {a} AND {b}",
            names.join(", "),
            values.join(", "),
            options.orders
        ))
        .await?;
    }
    if options.with_items {
        let p = options.products();
        db.execute(&format!(
            "CREATE TABLE catalog_product_entity (entity_id INT UNSIGNED NOT NULL, attribute_set_id SMALLINT UNSIGNED NOT NULL DEFAULT 4, type_id VARCHAR(32) NOT NULL DEFAULT 'simple', sku VARCHAR(64) NOT NULL, PRIMARY KEY (entity_id), KEY CATALOG_PRODUCT_ENTITY_SKU (sku)) DEFAULT CHARSET=utf8mb4;
             INSERT INTO catalog_product_entity (entity_id, sku) SELECT seq, CONCAT('SKU-', LPAD(seq, 6, '0')) FROM seq_1_to_{p};
             CREATE TABLE cataloginventory_stock_item (item_id INT UNSIGNED NOT NULL AUTO_INCREMENT, product_id INT UNSIGNED NOT NULL, stock_id SMALLINT UNSIGNED NOT NULL DEFAULT 1, qty DECIMAL(12,4), is_in_stock SMALLINT UNSIGNED NOT NULL DEFAULT 1, PRIMARY KEY (item_id)) DEFAULT CHARSET=utf8mb4;
             INSERT INTO cataloginventory_stock_item (product_id, qty) SELECT seq, 100 + seq % 50 FROM seq_1_to_{p};
             CREATE TABLE inventory_reservation (reservation_id INT UNSIGNED NOT NULL AUTO_INCREMENT, stock_id INT UNSIGNED NOT NULL DEFAULT 1, sku VARCHAR(64) NOT NULL, quantity DECIMAL(10,4) NOT NULL DEFAULT 0, metadata VARCHAR(255), PRIMARY KEY (reservation_id)) DEFAULT CHARSET=utf8mb4;
             INSERT INTO inventory_reservation (sku, quantity, metadata) SELECT CONCAT('SKU-', LPAD(seq, 6, '0')), -2, '{{\"event_type\":\"order_placed\"}}' FROM seq_1_to_{p} WHERE seq % 3 = 0;
             CREATE TABLE sales_order_item (item_id INT UNSIGNED NOT NULL AUTO_INCREMENT, order_id INT UNSIGNED NOT NULL, parent_item_id INT UNSIGNED NULL, store_id SMALLINT UNSIGNED, sku VARCHAR(255), product_type VARCHAR(255), qty_ordered DECIMAL(12,4), base_row_total DECIMAL(20,4), PRIMARY KEY (item_id), KEY SALES_ORDER_ITEM_ORDER_ID (order_id)) DEFAULT CHARSET=utf8mb4"
        ))
        .await?;
        // One simple line per order; every fourth order also a configurable parent with
        // its child (the child line points at the parent).
        for (a, b) in chunks(options.orders, CHUNK) {
            db.execute(&format!(
                "INSERT INTO sales_order_item (item_id, order_id, parent_item_id, store_id, sku, product_type, qty_ordered, base_row_total)
                   SELECT 3 * seq - 2, seq, NULL, 1 + seq % 3, CONCAT('SKU-', LPAD(1 + seq % {p}, 6, '0')), 'simple', 1, 10 FROM seq_1_to_{n} WHERE seq BETWEEN {a} AND {b};
                 INSERT INTO sales_order_item (item_id, order_id, parent_item_id, store_id, sku, product_type, qty_ordered, base_row_total)
                   SELECT 3 * seq - 1, seq, NULL, 1 + seq % 3, CONCAT('SKU-', LPAD(1 + (seq + 1) % {p}, 6, '0')), 'configurable', 1, 20 FROM seq_1_to_{n} WHERE seq BETWEEN {a} AND {b} AND seq % 4 = 0;
                 INSERT INTO sales_order_item (item_id, order_id, parent_item_id, store_id, sku, product_type, qty_ordered, base_row_total)
                   SELECT 3 * seq, seq, 3 * seq - 1, 1 + seq % 3, CONCAT('SKU-', LPAD(1 + (seq + 1) % {p}, 6, '0')), 'simple', 1, 0 FROM seq_1_to_{n} WHERE seq BETWEEN {a} AND {b} AND seq % 4 = 0",
                n = options.orders
            ))
            .await?;
        }
    }
    db.execute("ANALYZE TABLE sales_order").await?;
    Ok(())
}

/// Create the ERP's tables in a PostgreSQL schema and fill them.
pub async fn generate_erp(db: &Db, options: &GenerateOptions) -> Result<()> {
    let k = options.every;
    let schema = &options.erp_schema;
    if schema.is_empty()
        || !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(Invalid::SchemaName {
            schema: schema.clone(),
        }
        .into());
    }
    db.execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
         CREATE TABLE {schema}.orders (document_no varchar(50) NOT NULL, store smallint NOT NULL, magento_entity_id bigint NOT NULL, status varchar(20), amount_cents bigint, currency char(3), order_amount numeric(20,2), email varchar(128), created_at timestamp, modified_at timestamp)"
    ))
    .await?;
    let n = options.orders;
    let usd = format!("(s % 5 = 0 OR s % {k} = {})", residue::CURRENCY);
    let base_cents = "(1000 + (s * 7919) % 200000)";
    let created_utc =
        "(timestamp '2026-01-01 00:00:00' + ((s * 2) % 25920000) * interval '1 second')";
    let berlin = |t: &str| format!("(({t}) AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Berlin'");
    let select = format!(
        "SELECT lpad(s::text, 9, '0'), 1 + s % 3, s,
                CASE WHEN s % {k} = {status} THEN 'on_hold' ELSE (ARRAY['open','open','closed','cancelled'])[s % 4 + 1] END,
                CASE WHEN s % {k} = {currency} THEN round({base_cents} * 1.1)::bigint
                     WHEN s % {k} = {rounding} THEN {base_cents} + 1
                     ELSE {base_cents} END,
                CASE WHEN {usd} THEN 'USD' ELSE 'EUR' END,
                round(round({base_cents} / 100.0 * CASE WHEN {usd} THEN 1.1 ELSE 1 END, 4), 2),
                CASE WHEN s % 3 = 0 THEN '  CUSTOMER' || s || '@EXAMPLE.COM ' ELSE 'customer' || s || '@example.com' END,
                {created}, {modified}
         FROM generate_series",
        status = residue::STATUS,
        currency = residue::CURRENCY,
        rounding = residue::ROUNDING,
        created = berlin(created_utc),
        modified = berlin(&format!("{created_utc} + interval '1 hour'")),
    );
    let skip = format!(
        "s % {k} NOT IN ({}, {})",
        residue::MISSING_RIGHT,
        residue::LATE
    );
    for (a, b) in chunks(n, CHUNK) {
        db.execute(&format!(
            "INSERT INTO {schema}.orders {select}({a}::bigint, {b}) AS s WHERE {skip}"
        ))
        .await?;
    }
    let extra = options.extra_erp_orders();
    db.execute(&format!(
        "INSERT INTO {schema}.orders {select}({}::bigint, {}) AS s;
         INSERT INTO {schema}.orders SELECT * FROM {schema}.orders WHERE magento_entity_id <= {n} AND magento_entity_id % {k} = {dup};
         CREATE INDEX ON {schema}.orders (magento_entity_id);
         CREATE INDEX ON {schema}.orders (document_no, store);
         ANALYZE {schema}.orders",
        n + 1,
        n + extra,
        dup = residue::DUPLICATE
    ))
    .await?;
    if options.with_items {
        let p = options.products();
        db.execute(&format!(
            "CREATE TABLE {schema}.order_lines (document_no varchar(50) NOT NULL, store smallint NOT NULL, line_no int NOT NULL, sku varchar(64), quantity numeric(12,4));
             CREATE TABLE {schema}.stock (sku varchar(64) PRIMARY KEY, available numeric(12,4));
             INSERT INTO {schema}.stock SELECT 'SKU-' || lpad(s::text, 6, '0'), 100 + s % 50 - CASE WHEN s % 3 = 0 THEN 2 ELSE 0 END + CASE WHEN s % {k} = {stock} THEN 1 ELSE 0 END FROM generate_series(1::bigint, {p}) AS s",
            stock = residue::STOCK
        ))
        .await?;
        // Lines without child rows: one simple line, plus the configurable parent on every
        // fourth order; a planted order has its child line copied in as a line of its own.
        for (a, b) in chunks(n + extra, CHUNK) {
            db.execute(&format!(
                "INSERT INTO {schema}.order_lines SELECT lpad(s::text, 9, '0'), 1 + s % 3, 1, 'SKU-' || lpad((1 + s % {p})::text, 6, '0'), 1 FROM generate_series({a}::bigint, {b}) AS s WHERE s > {n} OR {skip};
                 INSERT INTO {schema}.order_lines SELECT lpad(s::text, 9, '0'), 1 + s % 3, 2, 'SKU-' || lpad((1 + (s + 1) % {p})::text, 6, '0'), 1 FROM generate_series({a}::bigint, {b}) AS s WHERE s <= {n} AND s % 4 = 0 AND {skip};
                 INSERT INTO {schema}.order_lines SELECT lpad(s::text, 9, '0'), 1 + s % 3, 3, 'SKU-' || lpad((1 + (s + 1) % {p})::text, 6, '0'), 1 FROM generate_series({a}::bigint, {b}) AS s WHERE s <= {n} AND s % {k} = {line}",
                line = residue::DUPLICATED_LINE
            ))
            .await?;
        }
    }
    Ok(())
}
