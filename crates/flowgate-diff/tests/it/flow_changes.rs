//! What a diff of platform flows shows, one class of edit at a time, on flows written for
//! these tests: every semantic change reported once, with old and new values that differ on
//! screen, and the bump it needs.

use flowgate_diff::{diff_documents, render_human, Bump, Diff, Documents};
use flowgate_load::load_platform_texts;
use flowgate_model::flow::Dialect;
use std::path::Path;

fn documents(dialect: Dialect, file: &str, text: &str) -> Documents {
    let loaded = load_platform_texts(
        Path::new("."),
        dialect,
        &[(file.to_owned(), text.to_owned())],
    );
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    Documents::from_model(&loaded.model)
}

fn sf_diff(old: &str, new: &str) -> (Diff, String) {
    let file = "Lead_Flow.flow-meta.xml";
    let diff = diff_documents(
        &documents(Dialect::Salesforce, file, &salesforce(old)),
        &documents(Dialect::Salesforce, file, &salesforce(new)),
    );
    let shown = render_human(&diff);
    (diff, shown)
}

/// A record-triggered flow with one input variable, one formula and a decision; `edit`
/// (`slot=value|slot=value`) fills `{{…}}` slots with other values.
fn salesforce(edit: &str) -> String {
    let mut slots = std::collections::BTreeMap::from([
        ("api", "60.0"),
        ("status", "Active"),
        ("filter", "Hot"),
        ("input", "true"),
        (
            "formula",
            "IF({!score} > 50, \"warm\", \"cold\") &amp; \" lead for the regional sales team\"",
        ),
        ("rules", RULE_A),
        ("var", VARIABLE),
    ]);
    for pair in edit.split('|').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap();
        slots.insert(key, value);
    }
    let mut text = TEMPLATE.to_owned();
    while text.contains("{{") {
        for (key, value) in &slots {
            text = text.replace(&format!("{{{{{key}}}}}"), value);
        }
    }
    text
}

const RULE_A: &str = "<rules><name>Is_Hot</name><conditionLogic>and</conditionLogic>\
    <conditions><leftValueReference>$Record.Rating</leftValueReference><operator>EqualTo</operator>\
    <rightValue><stringValue>Hot</stringValue></rightValue></conditions>\
    <connector><targetReference>Notify</targetReference></connector><label>Is hot</label></rules>";
const RULE_B: &str = "<rules><name>Is_Warm</name><conditionLogic>and</conditionLogic>\
    <conditions><leftValueReference>$Record.Rating</leftValueReference><operator>EqualTo</operator>\
    <rightValue><stringValue>Warm</stringValue></rightValue></conditions>\
    <connector><targetReference>Notify</targetReference></connector><label>Is warm</label></rules>";
const VARIABLE: &str = "<variables><name>region</name><dataType>String</dataType>\
    <isCollection>false</isCollection><isInput>{{input}}</isInput><isOutput>false</isOutput></variables>";

const TEMPLATE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>{{api}}</apiVersion>
    <decisions>
        <name>Route</name>
        <label>Route</label>
        <locationX>176</locationX>
        <locationY>287</locationY>
        <defaultConnectorLabel>Default</defaultConnectorLabel>
        {{rules}}
    </decisions>
    <formulas>
        <name>score_text</name>
        <dataType>String</dataType>
        <expression>{{formula}}</expression>
    </formulas>
    <label>Lead flow</label>
    <processType>AutoLaunchedFlow</processType>
    <recordUpdates>
        <name>Notify</name>
        <label>Notify</label>
        <locationX>50</locationX>
        <locationY>400</locationY>
        <inputReference>$Record</inputReference>
    </recordUpdates>
    <start>
        <locationX>50</locationX>
        <locationY>0</locationY>
        <connector><targetReference>Route</targetReference></connector>
        <filterLogic>and</filterLogic>
        <filters><field>Rating</field><operator>EqualTo</operator><value><stringValue>{{filter}}</stringValue></value></filters>
        <object>Lead</object>
        <recordTriggerType>CreateAndUpdate</recordTriggerType>
        <triggerType>RecordAfterSave</triggerType>
    </start>
    <status>{{status}}</status>
    {{var}}
</Flow>
"#;

#[test]
fn an_unchanged_flow_has_no_changes() {
    let (diff, shown) = sf_diff("", "");
    assert!(diff.is_empty(), "{shown}");
}

#[test]
fn entry_criteria_of_a_record_triggered_flow_are_major() {
    let (diff, shown) = sf_diff("", "filter=Warm");
    assert_eq!(diff.bump, Bump::Major, "{shown}");
    assert!(
        shown.contains(
            "`elements[$start].settings.filters[Rating].value.stringValue`: `Hot` → `Warm`"
        ),
        "{shown}"
    );
}

#[test]
fn flow_properties_are_reported_with_both_values() {
    let (diff, shown) = sf_diff("", "api=61.0|status=Draft");
    assert!(
        shown.contains("`properties.apiVersion`: `60.0` → `61.0`"),
        "{shown}"
    );
    assert!(
        shown.contains("major  `properties.status`: `Active` → `Draft`"),
        "{shown}"
    );
    assert_eq!(diff.bump, Bump::Major);
}

#[test]
fn an_input_variable_removed_or_made_internal_breaks_callers() {
    let (diff, shown) = sf_diff("", "var=");
    assert_eq!(diff.bump, Bump::Major, "{shown}");
    assert!(shown.contains("variable `region` removed"), "{shown}");
    let (diff, shown) = sf_diff("", "input=false");
    assert_eq!(diff.bump, Bump::Major, "{shown}");
    assert!(
        shown.contains("`variables[region].isInput`: `true` → `false`"),
        "{shown}"
    );
    let (diff, _) = sf_diff("input=false", "");
    assert_eq!(diff.bump, Bump::Minor, "a new input adds to the interface");
}

#[test]
fn a_long_formula_shows_the_words_that_changed() {
    let edited =
        "IF({!score} > 60, \"warm\", \"cold\") &amp; \" lead for the regional sales team\"";
    let (_, shown) = sf_diff("", &format!("formula={edited}"));
    let line = shown
        .lines()
        .find(|l| l.contains("variables[score_text].expression"))
        .unwrap();
    assert!(line.contains("[-50-]{+60+}"), "{shown}");
}

#[test]
fn a_second_rule_is_an_added_item_and_no_reorder() {
    let both = format!("rules={RULE_A}{RULE_B}");
    let (diff, shown) = sf_diff("", &both);
    assert_eq!(diff.assets[0].details.len(), 2, "{shown}");
    assert!(
        shown.contains("`elements[Route].settings.rules`: item `Is_Warm` added"),
        "{shown}"
    );
    assert!(
        shown.contains("connections"),
        "the new outcome is a new path: {shown}"
    );
    assert!(!shown.contains("reordered"), "{shown}");
}

#[test]
fn canvas_positions_are_no_change() {
    let moved = salesforce("").replace("<locationX>176</locationX>", "<locationX>300</locationX>");
    let file = "Lead_Flow.flow-meta.xml";
    let diff = diff_documents(
        &documents(Dialect::Salesforce, file, &salesforce("")),
        &documents(Dialect::Salesforce, file, &moved),
    );
    assert!(diff.is_empty(), "{}", render_human(&diff));
}

fn n8n(node_name: &str, url: &str) -> String {
    format!(
        r#"{{"id": "wf-1", "name": "Sync", "active": true, "nodes": [
        {{"id": "n-1", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {{}}}},
        {{"id": "n-2", "name": "{node_name}", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4, "position": [200, 0],
          "parameters": {{"url": "{url}"}}}}],
        "connections": {{"Start": {{"main": [[{{"node": "{node_name}", "type": "main", "index": 0}}]]}}}}}}"#
    )
}

#[test]
fn n8n_nodes_are_named_by_name_and_renames_keep_their_changes() {
    let before = documents(
        Dialect::N8n,
        "sync.json",
        &n8n("Call CRM", "https://crm.example/a"),
    );
    let after = documents(
        Dialect::N8n,
        "sync.json",
        &n8n("Call ERP", "https://crm.example/b"),
    );
    let shown = render_human(&diff_documents(&before, &after));
    assert!(
        shown.contains("element `Call CRM` renamed to `Call ERP`"),
        "{shown}"
    );
    assert!(
        shown.contains("`elements[Call ERP].settings.parameters.url`"),
        "{shown}"
    );
    assert!(
        !shown.contains("n-2"),
        "no internal node ids in paths: {shown}"
    );
}

#[test]
fn an_n8n_export_file_renamed_is_the_same_workflow() {
    let text = n8n("Call CRM", "https://crm.example/a");
    let before = documents(Dialect::N8n, "sync.json", &text);
    let after = documents(Dialect::N8n, "crm-sync.json", &text);
    let diff = diff_documents(&before, &after);
    let shown = render_human(&diff);
    assert_eq!(diff.counts(), [0, 0, 0, 1], "{shown}");
    assert_eq!(diff.bump, Bump::Patch, "{shown}");
    assert!(shown.contains("workflow id `wf-1` is unchanged"), "{shown}");
}
