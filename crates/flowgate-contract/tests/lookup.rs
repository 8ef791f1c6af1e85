//! Looking up operations and fields in a contract: path parameters match whatever their
//! names, paths written twice are one, fields go through `$ref`, `allOf` and array items, and
//! every property of a body is found while a misspelt one stops where it stops.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use flowgate_contract::{parse, Contract, OperationLookup};
use flowgate_diagnostics::SourceText;

const OPENAPI: &str = r##"
openapi: 3.0.3
info: {title: shop, version: '1'}
paths:
  /orders/{orderId}:
    get:
      parameters: [{name: orderId, in: path, required: true, schema: {type: integer}}]
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}}
  /orders/{parent_id}/:
    put:
      requestBody:
        content: {application/json: {schema: {type: object, properties: {entity: {$ref: '#/components/schemas/Order'}}}}}
      responses: {'200': {description: ok}}
components:
  schemas:
    Order:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            increment_id: {type: string}
            items: {type: array, items: {$ref: '#/components/schemas/Item'}}
            parent: {$ref: '#/components/schemas/Order'}
    Base:
      type: object
      properties:
        entity_id: {type: integer}
        extension_attributes:
          type: object
          properties:
            shipping_assignments:
              type: array
              items: {type: object, properties: {shipping: {type: object, properties: {method: {type: string}}}}}
    Item:
      type: object
      properties: {sku: {type: string}, qty_ordered: {type: number}}
"##;

fn contract_text() -> flowgate_contract::Document {
    parse(SourceText::new("shop.yaml", OPENAPI)).unwrap()
}

#[test]
fn operations_match_whatever_their_parameters_are_called() {
    let doc = contract_text();
    let contract = Contract::new(&doc);
    for text in [
        "GET /orders/{id}",
        "get /orders/{orderId}",
        "PUT /orders/{id}",
        "PUT /orders/{x}/",
    ] {
        assert!(contract.operation(text).is_ok(), "{text}");
    }
    assert_eq!(
        contract.operations(),
        ["GET /orders/{orderId}", "PUT /orders/{parent_id}/"]
    );
    match contract.operation("DELETE /orders/{id}") {
        Err(OperationLookup::Missing(near)) => assert_eq!(near[0], "GET /orders/{orderId}"),
        _ => panic!("DELETE is not in the contract"),
    }
    for malformed in ["/orders", "FETCH /orders", "GET orders", ""] {
        assert!(
            matches!(
                contract.operation(malformed),
                Err(OperationLookup::Malformed)
            ),
            "{malformed}"
        );
    }
}

/// Every property path of an order, as an integration would write it.
const ORDER_FIELDS: [&str; 9] = [
    "entity_id",
    "increment_id",
    "items",
    "items[].sku",
    "items[].qty_ordered",
    "extension_attributes.shipping_assignments[].shipping.method",
    "parent.parent.items[].sku",
    "parent.extension_attributes",
    "extension_attributes.shipping_assignments",
];

#[test]
fn every_field_is_found_and_each_misspelt_one_stops_where_it_stops() {
    let doc = contract_text();
    let contract = Contract::new(&doc);
    let get = contract.operation("GET /orders/{id}").unwrap();
    let put = contract.operation("PUT /orders/{id}").unwrap();
    assert!(get.field("orderId").is_ok(), "a parameter is a field too");
    for field in ORDER_FIELDS {
        assert!(get.field(field).is_ok(), "{field}");
        assert!(put.field(&format!("entity.{field}")).is_ok(), "{field}");
        // Misspell each segment in turn: the lookup stops right before it.
        let segments: Vec<&str> = field.split('.').collect();
        for n in 0..segments.len() {
            let mut wrong = segments.clone();
            let bad = format!("{}x", segments[n].trim_end_matches("[]"));
            wrong[n] = &bad;
            let missing = get.field(&wrong.join(".")).unwrap_err();
            assert_eq!(missing.found, segments[..n].join("."), "{wrong:?}");
            assert!(!missing.names.is_empty(), "{wrong:?}");
        }
    }
    let missing = get.field("items[].skux").unwrap_err();
    assert_eq!(missing.names, ["qty_ordered", "sku"]);
    assert!(
        get.field("increment_id[]").is_err(),
        "a string has no items"
    );
    for nonsense in ["", ".", "a..b", "a[0]", "a]"] {
        assert!(get.field(nonsense).is_err(), "{nonsense:?}");
    }
}

#[test]
fn paths_written_twice_are_compared_as_one_and_findings_name_their_field() {
    let old = SourceText::new("old.yaml", OPENAPI);
    // GET dropped from the first spelling of the path, `sku` from the items.
    let text = OPENAPI
        .replacen("    get:\n", "    x-get:\n", 1)
        .replace("{sku: {type: string}, qty_ordered", "{qty_ordered");
    let report = flowgate_contract::diff_sources(old, SourceText::new("new.yaml", text)).unwrap();
    let found: Vec<(String, String, Option<String>)> = report
        .findings
        .iter()
        .map(|f| {
            let op = f.operation.as_ref().unwrap();
            (
                f.id.clone(),
                format!("{} {}", op.method, op.path),
                f.field.clone(),
            )
        })
        .collect();
    assert!(
        found.contains(&(
            "api-removed-without-deprecation".to_owned(),
            "GET /orders/{orderId}".to_owned(),
            None
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "request-property-removed".to_owned(),
            "PUT /orders/{parent_id}/".to_owned(),
            Some("entity.items[].sku".to_owned())
        )),
        "{found:?}"
    );
}
