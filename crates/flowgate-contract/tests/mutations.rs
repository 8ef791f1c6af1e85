#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Mutation harness: each kind of change is applied to a spec programmatically, and the
//! matching check must fire, located at the changed place in the older and newer documents.

mod common;

use common::{diff_texts, fixture, listing, located, yaml_to_json};
use serde_json::{json, Value};

/// One mutation: a name, what it does, the id that must fire, and text that the newer
/// (`Side::New`) or older (`Side::Old`) location must contain.
struct Mutation {
    name: &'static str,
    apply: fn(&mut Value),
    id: &'static str,
    side: Side,
    needle: &'static str,
}

#[derive(Clone, Copy)]
enum Side {
    Old,
    New,
}

fn ptr<'v>(value: &'v mut Value, pointer: &str) -> &'v mut Value {
    value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}"))
}

fn push(value: &mut Value, pointer: &str, item: Value) {
    ptr(value, pointer).as_array_mut().unwrap().push(item);
}

fn remove(value: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    match ptr(value, parent) {
        Value::Object(map) => {
            map.shift_remove(&key).unwrap();
        }
        Value::Array(items) => {
            items.remove(key.parse::<usize>().unwrap());
        }
        _ => panic!("{pointer} is not in a container"),
    }
}

/// The same mutation for both dialects' petstores.
fn remove_operation() -> Mutation {
    Mutation {
        name: "remove an operation",
        apply: |v| remove(v, "/paths/~1pets~1{petId}/delete"),
        id: "api-removed-without-deprecation",
        side: Side::Old,
        needle: "delete",
    }
}

fn oas3_mutations() -> Vec<Mutation> {
    vec![
        remove_operation(),
        Mutation {
            name: "remove a path",
            apply: |v| remove(v, "/paths/~1pets~1{petId}~1photos"),
            id: "api-path-removed-without-deprecation",
            side: Side::Old,
            needle: "get",
        },
        Mutation {
            name: "add an operation",
            apply: |v| {
                ptr(v, "/paths/~1pets~1{petId}")["put"] =
                    json!({"responses": {"200": {"description": "ok"}}});
            },
            id: "endpoint-added",
            side: Side::New,
            needle: "put",
        },
        Mutation {
            name: "add a webhook",
            apply: |v| {
                v["webhooks"] =
                    json!({"petAdopted": {"post": {"responses": {"200": {"description": "ok"}}}}});
            },
            id: "webhook-added",
            side: Side::New,
            needle: "petAdopted",
        },
        Mutation {
            name: "deprecate an operation",
            apply: |v| {
                ptr(v, "/paths/~1pets/get")["deprecated"] = json!(true);
            },
            id: "api-deprecated",
            side: Side::New,
            needle: "true",
        },
        Mutation {
            name: "make a parameter required",
            apply: |v| {
                *ptr(v, "/paths/~1pets/get/parameters/0/required") = json!(true);
            },
            id: "request-parameter-became-required",
            side: Side::New,
            needle: "limit",
        },
        Mutation {
            name: "add a required parameter",
            apply: |v| {
                push(
                    v,
                    "/paths/~1pets/get/parameters",
                    json!({"name": "storeId", "in": "query", "required": true, "schema": {"type": "integer"}}),
                );
            },
            id: "new-required-request-parameter",
            side: Side::New,
            needle: "storeId",
        },
        Mutation {
            name: "add an optional parameter",
            apply: |v| {
                push(
                    v,
                    "/paths/~1pets/get/parameters",
                    json!({"name": "page", "in": "query", "schema": {"type": "integer"}}),
                );
            },
            id: "new-optional-request-parameter",
            side: Side::New,
            needle: "page",
        },
        Mutation {
            name: "remove a parameter",
            apply: |v| remove(v, "/paths/~1pets/get/parameters/1"),
            id: "request-parameter-removed",
            side: Side::Old,
            needle: "status",
        },
        Mutation {
            name: "move a parameter",
            apply: |v| {
                *ptr(v, "/paths/~1pets/get/parameters/1/in") = json!("header");
            },
            id: "request-parameter-location-changed",
            side: Side::New,
            needle: "header",
        },
        Mutation {
            name: "change a parameter's type",
            apply: |v| {
                *ptr(v, "/paths/~1pets/get/parameters/0/schema/type") = json!("string");
            },
            id: "request-parameter-type-changed",
            side: Side::New,
            needle: "string",
        },
        Mutation {
            name: "change a parameter's format",
            apply: |v| {
                *ptr(v, "/paths/~1pets/get/parameters/0/schema/format") = json!("int64");
            },
            id: "request-parameter-type-changed",
            side: Side::New,
            needle: "int64",
        },
        Mutation {
            name: "narrow a parameter's enum",
            apply: |v| {
                *ptr(v, "/paths/~1pets/get/parameters/1/schema/enum") =
                    json!(["available", "pending"]);
            },
            id: "request-parameter-enum-value-removed",
            side: Side::Old,
            needle: "sold",
        },
        Mutation {
            name: "widen a parameter's enum",
            apply: |v| {
                push(
                    v,
                    "/paths/~1pets/get/parameters/1/schema/enum",
                    json!("archived"),
                );
            },
            id: "request-parameter-enum-value-added",
            side: Side::New,
            needle: "archived",
        },
        Mutation {
            name: "lower a parameter's maximum",
            apply: |v| {
                *ptr(v, "/paths/~1pets/get/parameters/0/schema/maximum") = json!(50);
            },
            id: "request-parameter-max-decreased",
            side: Side::New,
            needle: "50",
        },
        Mutation {
            name: "make a request body required",
            apply: |v| {
                *ptr(v, "/paths/~1pets/post/requestBody/required") = json!(true);
            },
            id: "request-body-became-required",
            side: Side::New,
            needle: "required",
        },
        Mutation {
            name: "drop a request media type",
            apply: |v| remove(v, "/paths/~1pets/post/requestBody/content/application~1xml"),
            id: "request-body-media-type-removed",
            side: Side::Old,
            needle: "application/xml",
        },
        Mutation {
            name: "add a required request property",
            apply: |v| {
                ptr(v, "/components/schemas/NewPet/properties")["birthday"] =
                    json!({"type": "string"});
                push(v, "/components/schemas/NewPet/required", json!("birthday"));
            },
            id: "new-required-request-property",
            side: Side::New,
            needle: "birthday",
        },
        Mutation {
            name: "make a request property required",
            apply: |v| {
                push(v, "/components/schemas/NewPet/required", json!("tag"));
            },
            id: "request-property-became-required",
            side: Side::New,
            needle: "tag",
        },
        Mutation {
            name: "change a request property's type",
            apply: |v| {
                *ptr(v, "/components/schemas/NewPet/properties/tag/type") = json!("integer");
            },
            id: "request-property-type-changed",
            side: Side::New,
            needle: "integer",
        },
        Mutation {
            name: "narrow a request property's enum",
            apply: |v| {
                *ptr(v, "/components/schemas/NewPet/properties/kind/enum") = json!(["dog", "cat"]);
            },
            id: "request-property-enum-value-removed",
            side: Side::Old,
            needle: "bird",
        },
        Mutation {
            name: "shorten a request property",
            apply: |v| {
                *ptr(v, "/components/schemas/NewPet/properties/name/maxLength") = json!(32);
            },
            id: "request-property-max-length-decreased",
            side: Side::New,
            needle: "32",
        },
        Mutation {
            name: "remove a success status",
            apply: |v| remove(v, "/paths/~1pets~1{petId}/get/responses/200"),
            id: "response-success-status-removed",
            side: Side::Old,
            needle: "200",
        },
        Mutation {
            name: "remove an error status",
            apply: |v| remove(v, "/paths/~1pets~1{petId}/get/responses/404"),
            id: "response-non-success-status-removed",
            side: Side::Old,
            needle: "404",
        },
        Mutation {
            name: "remove an optional response property",
            apply: |v| remove(v, "/components/schemas/Pet/allOf/1/properties/nickname"),
            id: "response-property-removed",
            side: Side::Old,
            needle: "nickname",
        },
        Mutation {
            name: "remove a required response property",
            apply: |v| {
                remove(v, "/components/schemas/Pet/allOf/1/properties/status");
                *ptr(v, "/components/schemas/Pet/allOf/1/required") = json!(["id"]);
            },
            id: "response-required-property-removed",
            side: Side::Old,
            needle: "status",
        },
        Mutation {
            name: "make a response property optional",
            apply: |v| {
                *ptr(v, "/components/schemas/Pet/allOf/1/required") = json!(["id"]);
            },
            id: "response-property-became-optional",
            side: Side::New,
            needle: "status",
        },
        Mutation {
            name: "change a response property's type",
            apply: |v| {
                *ptr(v, "/components/schemas/Pet/allOf/1/properties/id/type") = json!("string");
            },
            id: "response-property-type-changed",
            side: Side::New,
            needle: "string",
        },
        Mutation {
            name: "make a response property nullable",
            apply: |v| {
                ptr(v, "/components/schemas/Pet/allOf/1/properties/status")["nullable"] =
                    json!(true);
            },
            id: "response-property-became-nullable",
            side: Side::New,
            needle: "true",
        },
        Mutation {
            name: "change a nested response property through a cycle",
            apply: |v| {
                *ptr(v, "/components/schemas/Owner/properties/name/type") = json!("integer");
            },
            id: "response-property-type-changed",
            side: Side::New,
            needle: "integer",
        },
        Mutation {
            name: "add a response enum value",
            apply: |v| {
                ptr(v, "/components/schemas/Pet/allOf/1/properties/status")["enum"] = json!(["a"]);
            },
            id: "response-property-became-enum",
            side: Side::New,
            needle: "a",
        },
        Mutation {
            name: "require security on an operation",
            apply: |v| {
                ptr(v, "/paths/~1pets~1{petId}/get")["security"] =
                    json!([{"oauth": ["pets:admin"]}]);
            },
            id: "api-security-added",
            side: Side::New,
            needle: "oauth",
        },
        Mutation {
            name: "drop an operation's security",
            apply: |v| {
                *ptr(v, "/paths/~1pets/post/security") = json!([]);
            },
            id: "api-security-removed",
            side: Side::Old,
            needle: "oauth",
        },
        Mutation {
            name: "add a scope",
            apply: |v| {
                *ptr(v, "/paths/~1pets/post/security/0/oauth") =
                    json!(["pets:write", "pets:admin"]);
            },
            id: "api-security-scope-added",
            side: Side::New,
            needle: "pets:admin",
        },
        Mutation {
            name: "drop global security",
            apply: |v| remove(v, "/security"),
            id: "api-global-security-removed",
            side: Side::Old,
            needle: "api_key",
        },
    ]
}

fn run(base_yaml: &str, mutations: &[Mutation]) {
    let base = yaml_to_json(base_yaml);
    let old = serde_json::to_string_pretty(&base).unwrap();
    let unchanged = diff_texts(&old, &old);
    assert!(
        unchanged.findings.is_empty(),
        "{}",
        listing(&unchanged.findings)
    );
    let mut failures = Vec::new();
    for mutation in mutations {
        let mut value = base.clone();
        (mutation.apply)(&mut value);
        let new = serde_json::to_string_pretty(&value).unwrap();
        let report = diff_texts(&old, &new);
        let hit = report.of(mutation.id).find(|f| {
            let (text, location) = match mutation.side {
                Side::Old => (&old, f.old.as_ref()),
                Side::New => (&new, f.new.as_ref()),
            };
            location.is_some_and(|l| located(text, l).contains(mutation.needle))
        });
        if hit.is_none() {
            failures.push(format!(
                "{}: no `{}` located at `{}`; got:\n{}",
                mutation.name,
                mutation.id,
                mutation.needle,
                listing(&report.findings)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_oas3_mutation_fires_its_check_at_the_changed_place() {
    run(&fixture("petstore-oas3.yaml"), &oas3_mutations());
}

#[test]
fn swagger2_mutations_fire_their_checks() {
    let mutations = vec![
        remove_operation(),
        Mutation {
            name: "body becomes required",
            apply: |v| {
                *ptr(v, "/paths/~1pets/post/parameters/0/required") = json!(true);
            },
            id: "request-body-became-required",
            side: Side::New,
            needle: "body",
        },
        Mutation {
            name: "narrow an enum",
            apply: |v| {
                *ptr(v, "/paths/~1pets/get/parameters/1/enum") = json!(["sold"]);
            },
            id: "request-parameter-enum-value-removed",
            side: Side::Old,
            needle: "available",
        },
        Mutation {
            name: "parameter type",
            apply: |v| {
                *ptr(v, "/paths/~1pets/get/parameters/0/type") = json!("string");
            },
            id: "request-parameter-type-changed",
            side: Side::New,
            needle: "string",
        },
        Mutation {
            name: "response property removed",
            apply: |v| remove(v, "/definitions/Pet/allOf/1/properties/nickname"),
            id: "response-property-removed",
            side: Side::Old,
            needle: "nickname",
        },
        Mutation {
            name: "x-nullable",
            apply: |v| {
                *ptr(v, "/definitions/Pet/allOf/1/properties/nickname/x-nullable") = json!(true);
            },
            id: "response-property-became-nullable",
            side: Side::New,
            needle: "true",
        },
        Mutation {
            name: "produces narrowed",
            apply: |v| {
                v["produces"] = json!(["application/xml"]);
            },
            id: "response-media-type-removed",
            side: Side::Old,
            needle: "200",
        },
        Mutation {
            name: "new required property",
            apply: |v| {
                push(v, "/definitions/NewPet/required", json!("tag"));
            },
            id: "request-property-became-required",
            side: Side::New,
            needle: "tag",
        },
    ];
    run(&fixture("petstore-swagger2.yaml"), &mutations);
}

#[test]
fn the_same_contract_in_yaml_and_json_has_no_findings() {
    for name in ["petstore-oas3.yaml", "petstore-swagger2.yaml"] {
        let yaml = fixture(name);
        let json = serde_json::to_string_pretty(&yaml_to_json(&yaml)).unwrap();
        let report = diff_texts(&yaml, &json);
        assert!(
            report.findings.is_empty(),
            "{name}: {}",
            listing(&report.findings)
        );
    }
}

#[test]
fn renaming_a_path_parameter_is_not_a_change() {
    let base = yaml_to_json(&fixture("petstore-oas3.yaml"));
    let old = serde_json::to_string_pretty(&base).unwrap();
    let renamed = old.replace("petId", "id");
    let report = diff_texts(&old, &renamed);
    assert!(report.findings.is_empty(), "{}", listing(&report.findings));
}

#[test]
fn every_emitted_id_is_a_documented_check() {
    for mutation in oas3_mutations() {
        assert!(
            flowgate_contract::checks::find(mutation.id).is_some(),
            "{}",
            mutation.id
        );
    }
    for check in flowgate_contract::checks::all() {
        assert!(
            check.doc().contains("## Why it matters to clients"),
            "{}",
            check.id
        );
    }
}

#[test]
fn a_swagger_2_contract_and_its_openapi_3_twin_have_no_findings() {
    let swagger = "swagger: '2.0'\npaths:\n  /pets/{id}:\n    get:\n      parameters:\n        - {name: id, in: path, required: true, type: integer}\n        - {name: q, in: query, type: string, enum: [a, b]}\n      responses:\n        default: {description: error}\n        '200':\n          description: ok\n          schema: {$ref: '#/definitions/Pet'}\ndefinitions:\n  Base: {type: object, properties: {id: {type: integer}}}\n  Pet:\n    allOf:\n      - $ref: '#/definitions/Base'\n      - {type: object, required: [name], properties: {name: {type: string}}}\n";
    let openapi = "openapi: 3.0.3\npaths:\n  /pets/{petId}:\n    get:\n      parameters:\n        - {name: petId, in: path, required: true, schema: {type: integer}}\n        - {name: q, in: query, schema: {type: string, enum: [a, b]}}\n      responses:\n        default: {description: error}\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Pet'}\ncomponents:\n  schemas:\n    Base: {type: object, properties: {id: {type: integer}}}\n    Pet:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - {type: object, required: [name], properties: {name: {type: string}}}\n";
    let report = diff_texts(swagger, openapi);
    assert!(report.findings.is_empty(), "{}", listing(&report.findings));
}
