//! `flowgate upgrade plan magento --to 2.4.8` on the example, with the declarative schemas of
//! Magento 2.4.6 and 2.4.8 from the corpus placed under `contracts/`: the plan is pinned, a
//! misspelt column is a located error, and a missing version is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{copy_dir, Workspace};
use serde_json::Value;
use std::path::Path;

fn with_contracts() -> Workspace {
    let ws = Workspace::new();
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/magento/db_schema"
    ));
    for version in ["2.4.6", "2.4.8"] {
        copy_dir(
            &corpus.join(format!("magento-{version}")),
            &ws.root
                .join(format!("contracts/magento/{version}/db_schema")),
        );
    }
    ws
}

#[test]
fn the_examples_upgrade_plan_to_2_4_8_is_pinned() {
    let ws = with_contracts();
    let (code, out, err) = ws.run(&[
        "--format", "json", "upgrade", "plan", "magento", "--to", "2.4.8",
    ]);
    assert_eq!(code, 0, "warnings only: {out}{err}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["version"], 1);
    let plan = &plan["plan"];
    assert_eq!(
        (plan["from"].as_str(), plan["to"].as_str()),
        (Some("2.4.6-p4"), Some("2.4.8"))
    );
    assert_eq!(plan["schema_changes"], 67);
    let phases: Vec<(u64, Vec<&str>)> = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["number"].as_u64().unwrap(),
                p["integrations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        phases,
        vec![
            (
                1,
                vec!["marketing-events", "onsite-tracking", "bi-nightly-export"]
            ),
            (2, vec!["dropship-csv-exchange", "shipping-labels-carrier"]),
            (
                3,
                vec![
                    "invoice-sync-erp",
                    "tracking-import-carrier",
                    "legacy-price-db-job"
                ]
            ),
            (
                4,
                vec![
                    "customer-sync-crm",
                    "payment-capture-psp",
                    "shipment-export-wms",
                    "order-export-erp",
                    "refund-reconciliation-psp",
                    "stock-import-wms",
                    "stock-import-erp"
                ]
            ),
        ]
    );
    let dropship = plan["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["integration"] == "dropship-csv-exchange")
        .unwrap();
    let changes: Vec<String> = dropship["schema_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}.{}",
                c["check"].as_str().unwrap(),
                c["table"].as_str().unwrap(),
                c["item"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            "column-signedness-changed sales_order.email_sent",
            "column-widened sales_order_item.price"
        ]
    );

    let (code, out, _) = ws.run(&["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("# Upgrade plan: magento 2.4.6-p4 → 2.4.8"),
        "{out}"
    );
    assert!(out.contains("4. **safe zone"), "{out}");
}

#[test]
fn a_misspelt_column_is_located_and_a_missing_version_refused() {
    let ws = with_contracts();
    ws.edit(
        "assets/integrations/dropship-csv-exchange.yaml",
        "qty_ordered, price",
        "qty_orderd, price",
    );
    let (code, out, _) = ws.run(&["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[FG026]: column `sales_order_item.qty_orderd` does not exist"),
        "{out}"
    );
    assert!(out.contains("dropship-csv-exchange.yaml:30:"), "{out}");
    assert!(out.contains("the nearest names: qty_ordered"), "{out}");
    let (code, _, err) = ws.run(&["upgrade", "plan", "magento", "--to", "2.5.0"]);
    assert_eq!(code, 2);
    assert!(err.contains("no database schema of magento 2.5.0"), "{err}");
    let (code, _, err) = ws.run(&["upgrade", "plan", "nosuch", "--to", "2.4.8"]);
    assert_eq!(code, 2, "{err}");
}
