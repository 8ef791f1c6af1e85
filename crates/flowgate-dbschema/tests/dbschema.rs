//! Declarative schema diffs on Magento's own trees (2.3.0 … 2.4.8-p1) and on generated
//! schemas with one planted change each; hostile files are located errors.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use flowgate_dbschema::{diff, read_tree, Level, SchemaChange};
use std::path::{Path, PathBuf};

fn corpus(version: &str) -> PathBuf {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/magento/db_schema"
    ))
    .join(format!("magento-{version}"));
    assert!(
        path.is_dir(),
        "the corpus is missing: {} (CI checks it out beside the project)",
        path.display()
    );
    path
}

fn between(old: &str, new: &str) -> Vec<SchemaChange> {
    diff(
        &read_tree(&corpus(old)).unwrap(),
        &read_tree(&corpus(new)).unwrap(),
    )
}

#[test]
fn magento_2_4_0_widens_the_money_columns_of_2_3_0() {
    let changes = between("2.3.0", "2.4.0");
    let widened: Vec<&SchemaChange> = changes
        .iter()
        .filter(|c| {
            c.check == "column-widened" && c.detail.contains("decimal(12,4) → decimal(20,4)")
        })
        .collect();
    assert!(
        widened.len() >= 60,
        "{} widened money columns",
        widened.len()
    );
    let grand = widened
        .iter()
        .find(|c| c.table == "sales_order" && c.item.as_deref() == Some("base_grand_total"))
        .unwrap();
    assert_eq!(grand.level, Level::Warning);
    let new = grand.new.as_ref().unwrap();
    assert!(
        new.file.ends_with("module-sales/etc/db_schema.xml") && new.line > 1,
        "{new}"
    );
    assert!(grand.old.as_ref().unwrap().line > 1);
}

#[test]
fn magento_2_4_6_widens_the_order_increment_id() {
    let changes = between("2.4.0", "2.4.6");
    let id = changes
        .iter()
        .find(|c| c.table == "sales_order" && c.item.as_deref() == Some("increment_id"))
        .unwrap();
    assert_eq!(id.check, "column-widened");
    assert!(id.detail.contains("varchar(32) → varchar(50)"), "{id:?}");
    assert!(
        between("2.4.8", "2.4.8").is_empty(),
        "a tree against itself"
    );
}

const BASE: &str = r#"<?xml version="1.0"?>
<schema xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <table name="erp_order" resource="default" engine="innodb">
        <column xsi:type="int" name="entity_id" unsigned="true" nullable="false" identity="true"/>
        <column xsi:type="varchar" name="increment_id" nullable="true" length="32"/>
        <column xsi:type="decimal" name="grand_total" scale="4" precision="12" nullable="false" default="0"/>
        <column xsi:type="varchar" name="status" nullable="false" length="32"/>
        <column xsi:type="int" name="customer_id" unsigned="true" nullable="true"/>
        <constraint xsi:type="primary" referenceId="PRIMARY"><column name="entity_id"/></constraint>
        <constraint xsi:type="foreign" referenceId="ERP_ORDER_CUSTOMER" table="erp_order" column="customer_id" referenceTable="customer_entity" referenceColumn="entity_id" onDelete="SET NULL"/>
        <index referenceId="ERP_ORDER_STATUS" indexType="btree"><column name="status"/></index>
    </table>
    <table name="erp_log" resource="default" engine="innodb">
        <column xsi:type="int" name="id" nullable="false" identity="true"/>
    </table>
</schema>
"#;

fn tree(dir: &Path, name: &str, text: &str) -> PathBuf {
    let root = dir.join(name);
    let module = root.join("vendor/acme/module-erp/etc");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(module.join("db_schema.xml"), text).unwrap();
    root
}

/// One planted change: the edit of the base text, and the check, table and item expected.
const MUTATIONS: [(&str, &str, &str, &str, Option<&str>); 12] = [
    (
        r#"<column xsi:type="int" name="customer_id" unsigned="true" nullable="true"/>"#,
        "",
        "column-removed",
        "erp_order",
        Some("customer_id"),
    ),
    (
        r#"name="increment_id" nullable="true" length="32"/>"#,
        r#"name="order_number" nullable="true" length="32" onCreate="migrateDataFrom(increment_id)"/>"#,
        "column-renamed",
        "erp_order",
        Some("increment_id"),
    ),
    (
        r#"length="32"/>
        <column xsi:type="decimal""#,
        r#"length="20"/>
        <column xsi:type="decimal""#,
        "column-narrowed",
        "erp_order",
        Some("increment_id"),
    ),
    (
        r#"precision="12""#,
        r#"precision="20""#,
        "column-widened",
        "erp_order",
        Some("grand_total"),
    ),
    (
        r#"xsi:type="varchar" name="status""#,
        r#"xsi:type="int" name="status""#,
        "column-type-changed",
        "erp_order",
        Some("status"),
    ),
    (
        r#"name="status" nullable="false""#,
        r#"name="status" nullable="true""#,
        "column-became-nullable",
        "erp_order",
        Some("status"),
    ),
    (
        r#"name="customer_id" unsigned="true" nullable="true""#,
        r#"name="customer_id" unsigned="true" nullable="false""#,
        "column-became-not-null",
        "erp_order",
        Some("customer_id"),
    ),
    (
        r#"<table name="erp_log" resource="default" engine="innodb">"#,
        r#"<table name="erp_log" resource="default" engine="innodb" disabled="true">"#,
        "table-removed",
        "erp_log",
        None,
    ),
    (
        r#"<column xsi:type="int" name="id" nullable="false" identity="true"/>"#,
        r#"<column xsi:type="int" name="id" nullable="false" identity="true"/><column xsi:type="varchar" name="source" nullable="false" length="8"/>"#,
        "column-added",
        "erp_log",
        Some("source"),
    ),
    (
        r#"<index referenceId="ERP_ORDER_STATUS" indexType="btree"><column name="status"/></index>"#,
        "",
        "index-removed",
        "erp_order",
        Some("ERP_ORDER_STATUS"),
    ),
    (
        r#"onDelete="SET NULL""#,
        r#"onDelete="CASCADE""#,
        "constraint-changed",
        "erp_order",
        Some("ERP_ORDER_CUSTOMER"),
    ),
    (
        r#"default="0""#,
        r#"default="1""#,
        "column-default-changed",
        "erp_order",
        Some("grand_total"),
    ),
];

#[test]
fn every_planted_change_is_found_at_its_table_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let base = read_tree(&tree(dir.path(), "base", BASE)).unwrap();
    assert!(diff(&base, &base).is_empty());
    for (i, (from, to, check, table, item)) in MUTATIONS.iter().enumerate() {
        assert!(BASE.contains(from), "mutation {i} does not apply");
        let edited = read_tree(&tree(
            dir.path(),
            &format!("m{i}"),
            &BASE.replacen(from, to, 1),
        ))
        .unwrap();
        let changes = diff(&base, &edited);
        assert_eq!(changes.len(), 1, "{check}: {changes:#?}");
        let c = &changes[0];
        assert_eq!(
            (c.check, c.table.as_str(), c.item.as_deref()),
            (*check, *table, *item),
            "{c:?}"
        );
        let place = c.new.as_ref().or(c.old.as_ref()).unwrap();
        assert!(
            place.line >= 3 && place.file.ends_with("db_schema.xml"),
            "{place}"
        );
    }
}

#[test]
fn modules_merge_and_disabled_removes() {
    let dir = tempfile::tempdir().unwrap();
    let root = tree(dir.path(), "t", BASE);
    let other = root.join("vendor/acme/module-extra/etc");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("db_schema.xml"), r#"<schema><table name="erp_order"><column xsi:type="text" name="note"/><column name="customer_id" disabled="true"/></table></schema>"#).unwrap();
    let schema = read_tree(&root).unwrap();
    let order = &schema.tables["erp_order"];
    assert!(order.columns.contains_key("note") && !order.columns.contains_key("customer_id"));
    assert_eq!(schema.files.len(), 2);
}

#[test]
fn hostile_trees_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let error = read_tree(&tree(
        dir.path(),
        "a",
        "<schema><table name=\"x\"><column name=\"y\"/></table></schema>",
    ))
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("db_schema.xml:1:") && error.contains("xsi:type"),
        "{error}"
    );
    let error = read_tree(&tree(dir.path(), "b", "<schema><table name=\"x\">"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("db_schema.xml:1:"), "{error}");
    let error = read_tree(&tree(dir.path(), "c", "<config/>"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a declarative schema"), "{error}");
    let error = read_tree(&tree(dir.path(), "d", r#"<schema><table name="x"><column xsi:type="varchar" name="y" length="many"/></table></schema>"#)).unwrap_err().to_string();
    assert!(
        error.contains("`length=\"many\"` is not a whole number"),
        "{error}"
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(read_tree(&empty)
        .unwrap_err()
        .to_string()
        .contains("no db_schema.xml"));
}
