//! `flowgate upgrade plan magento --to 2.4.8` on the example, with the declarative schemas and
//! the admin REST schemas of Magento 2.4.6 and 2.4.8 from the corpus placed under
//! `contracts/`: the plan is pinned, a misspelt column is a located error, and a missing
//! version is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{copy_dir, Workspace};
use serde_json::Value;
use std::path::Path;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/magento"
);

/// The example with Magento 2.4.6 and 2.4.8 under `contracts/`: their schema trees and admin
/// REST schemas.
pub(crate) fn with_contracts() -> Workspace {
    let ws = Workspace::new();
    let corpus = Path::new(CORPUS);
    for version in ["2.4.6", "2.4.8"] {
        let dir = ws.root.join(format!("contracts/magento/{version}"));
        copy_dir(
            &corpus.join(format!("db_schema/magento-{version}")),
            &dir.join("db_schema"),
        );
        let api = format!("admin-schema-{version}.yaml");
        std::fs::copy(corpus.join("openapi").join(&api), dir.join(api)).unwrap();
    }
    ws
}

#[test]
fn the_examples_upgrade_plan_to_2_4_8_is_pinned() {
    let ws = with_contracts();
    let (code, out, err) = ws.run(&[
        "--format", "json", "upgrade", "plan", "magento", "--to", "2.4.8",
    ]);
    assert_eq!(
        code, 1,
        "a breaking API change touches an integration: {out}{err}"
    );
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["version"], 1);
    let plan = &plan["plan"];
    assert_eq!(
        (plan["from"].as_str(), plan["to"].as_str()),
        (Some("2.4.6-p4"), Some("2.4.8"))
    );
    assert_eq!(plan["schema_changes"], 67);
    assert_eq!(plan["api_changes"], 459);
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
            (2, vec!["shipping-labels-carrier"]),
            (
                3,
                vec![
                    "dropship-csv-exchange",
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

    pinned_api_changes(plan);

    let (code, out, _) = ws.run(&["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("# Upgrade plan: magento 2.4.6-p4 → 2.4.8"),
        "{out}"
    );
    assert!(out.contains("4. **safe zone"), "{out}");
    assert!(
        out.contains("- **Breaking** `response-required-property-removed` `GET /V1/carts/{cartId}` field `billing_address.extension_attributes.discounts[].rule_id`: "),
        "{out}"
    );
}

/// Magento 2.4.8 renamed the `rule_id` of an address's discounts (`rule_i_d`): the
/// cart-recovery flow, which reads it, is the one integration an API change touches.
fn pinned_api_changes(plan: &Value) {
    let mut touched = Vec::new();
    for i in plan["integrations"].as_array().unwrap() {
        assert_eq!(i["problems"], serde_json::json!([]), "{i:#}");
        for c in i["api_changes"].as_array().unwrap() {
            touched.push(format!(
                "{} {} {} {} {}:{}",
                i["integration"].as_str().unwrap(),
                c["check"].as_str().unwrap(),
                c["operation"].as_str().unwrap(),
                c["field"].as_str().unwrap_or("-"),
                c["old"]["path"].as_str().unwrap(),
                c["old"]["start"]["line"]
            ));
        }
    }
    assert_eq!(
        touched,
        ["marketing-events response-required-property-removed GET /V1/carts/{cartId} billing_address.extension_attributes.discounts[].rule_id contracts/magento/2.4.6/admin-schema-2.4.6.yaml:23366"]
    );
    let marketing = plan["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["integration"] == "marketing-events")
        .unwrap();
    assert_eq!(marketing["breaking"], 1);
    assert_eq!(marketing["api_calls"].as_array().unwrap().len(), 3);
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
    assert!(
        err.contains("no database schema or API contract of magento 2.5.0"),
        "{err}"
    );
    let (code, _, err) = ws.run(&["upgrade", "plan", "nosuch", "--to", "2.4.8"]);
    assert_eq!(code, 2, "{err}");
}
