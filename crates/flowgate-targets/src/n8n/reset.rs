//! Settings a new version leaves out.
//!
//! n8n merges a workflow's `settings` on update (`{...stored, ...sent}`), so a setting that a
//! new version no longer has would stay set on the instance, and the platform would run
//! something other than the release. An update therefore sends, for every setting the
//! instance holds that the rendering leaves out, the value that stands for "not set":
//! `"DEFAULT"` for `timezone` (n8n deletes the key), and n8n's stock default for the keys whose
//! schema refuses `"DEFAULT"`. The keys reset this way are listed in the workflow's marker, so
//! that `pull` leaves them out again while they still hold that value.

use serde_json::{json, Map, Value};

/// The marker key listing the settings a deployment reset.
pub(crate) const MARKER_KEY: &str = "reset";

/// The value that stands for "not set" for a settings key of n8n's public API.
fn unset_value(key: &str) -> Option<Value> {
    Some(match key {
        // n8n deletes these when they say "DEFAULT", after merging.
        "timezone" => json!("DEFAULT"),
        // The public API's schema refuses "DEFAULT" for these: n8n's stock defaults.
        "saveDataErrorExecution" | "saveDataSuccessExecution" => json!("all"),
        "saveManualExecutions" => json!(true),
        "saveExecutionProgress" => json!(false),
        // n8n deletes a timeout equal to the instance's (-1, no timeout, unless configured).
        "executionTimeout" => json!(-1),
        // n8n reads these only when non-empty.
        "errorWorkflow" | "callerIds" => json!(""),
        // A workflow without an execution order runs in the legacy order.
        "executionOrder" => json!("v0"),
        "callerPolicy" => json!("workflowsFromSameOwner"),
        "timeSavedPerExecution" => json!(0),
        "availableInMCP" => json!(false),
        _ => return None,
    })
}

/// Adds to `body`'s settings the "not set" value of every setting `held` has that the body
/// leaves out; the keys it reset, sorted.
pub(crate) fn reset_left_out(body: &mut Value, held: &Value) -> Vec<String> {
    let Some(Value::Object(stored)) = held.get("settings") else {
        return Vec::new();
    };
    let Some(sent) = body.get_mut("settings").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    let mut reset = Vec::new();
    for (key, value) in stored {
        let Some(unset) = unset_value(key) else {
            continue;
        };
        if sent.contains_key(key) || value.is_null() {
            continue;
        }
        sent.insert(key.clone(), unset);
        reset.push(key.clone());
    }
    reset.sort();
    reset
}

/// Removes from pulled `settings` the keys a deployment reset (as its `marker` lists them)
/// that still hold their "not set" value.
pub(crate) fn drop_reset(settings: &mut Map<String, Value>, marker: Option<&Value>) {
    let listed = marker
        .and_then(|m| m.get(MARKER_KEY))
        .and_then(Value::as_array);
    for key in listed.into_iter().flatten().filter_map(Value::as_str) {
        if settings
            .get(key)
            .is_some_and(|v| Some(v) == unset_value(key).as_ref())
        {
            settings.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn left_out_settings_are_sent_unset_and_kept_ones_untouched() {
        let mut body = json!({ "settings": { "executionOrder": "v1" } });
        let held = json!({ "settings": {
            "executionOrder": "v0", "timezone": "Europe/Berlin", "errorWorkflow": "abc",
            "saveManualExecutions": false, "saveExecutionProgress": false, "unknown": 1,
        }});
        let reset = reset_left_out(&mut body, &held);
        assert_eq!(
            reset,
            [
                "errorWorkflow",
                "saveExecutionProgress",
                "saveManualExecutions",
                "timezone"
            ]
        );
        assert_eq!(
            body["settings"],
            json!({ "executionOrder": "v1", "timezone": "DEFAULT", "errorWorkflow": "",
                    "saveManualExecutions": true, "saveExecutionProgress": false })
        );
    }

    #[test]
    fn pull_drops_only_listed_keys_that_still_hold_the_unset_value() {
        let marker = json!({ "reset": ["errorWorkflow", "saveManualExecutions"] });
        let mut settings = json!({ "errorWorkflow": "", "saveManualExecutions": false,
                                   "callerIds": "" })
        .as_object()
        .unwrap()
        .clone();
        drop_reset(&mut settings, Some(&marker));
        assert_eq!(
            Value::Object(settings),
            json!({ "saveManualExecutions": false, "callerIds": "" })
        );
    }
}
