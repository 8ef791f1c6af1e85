//! The semver impact of a change, by asset kind and where in the asset it is.

use super::common::{last_key, removes_items, Context, PROSE};
use super::flow;
use crate::semver::Bump;
use crate::tree::Path;
use serde_json::Value;

/// The impact of the change at `path` (of `shape`) from `old` to `new`.
pub(super) fn bump_of(
    context: &Context,
    shape: &str,
    path: &Path,
    (old, new): (Option<&Value>, Option<&Value>),
) -> Bump {
    let kind = context.kind;
    let added = old.is_none();
    let removed = new.is_none();
    let item = path.ends_on_item();
    let shrinks = || removes_items(old, new);
    if matches!(shape, "name" | "description" | "owner") || shape.starts_with("labels") {
        return Bump::Patch;
    }
    match kind {
        "Workflow" => match shape {
            "triggers" | "start" | "enrollment" | "enrollment.filter" => Bump::Major,
            "enrollment.reenroll" => Bump::Minor,
            "settings.suppression" if removed || shrinks() => Bump::Major,
            s if s.starts_with("settings.consent") && !added => Bump::Major,
            s if (s == "settings.quiet_hours" || s == "settings.frequency_cap") && removed => {
                Bump::Major
            }
            "steps[]" if item && removed => Bump::Major,
            "steps[]" if item => Bump::Minor,
            "steps[].type" | "steps[].next" | "steps[].default" | "steps[].on_error"
            | "steps[].condition" => Bump::Major,
            s if s.starts_with("steps[].branches") || s.starts_with("steps[].paths") => {
                if removed || shrinks() || !added {
                    Bump::Major
                } else {
                    Bump::Minor
                }
            }
            _ => Bump::Minor,
        },
        "Template" => match shape {
            "channel" | "category" => Bump::Major,
            s if s.starts_with("locales.") && s.matches('.').count() == 1 => {
                if removed {
                    Bump::Major
                } else {
                    Bump::Minor
                }
            }
            s if PROSE.contains(&last_key(s)) => Bump::Patch,
            _ => Bump::Minor,
        },
        "Field" => match shape {
            "type" | "object" => Bump::Major,
            "options[]" if item && removed => Bump::Major,
            "options[]" if item => Bump::Minor,
            "options" if shrinks() || removed => Bump::Major,
            s if s.starts_with("options[].") && PROSE.contains(&last_key(s)) => Bump::Patch,
            _ => Bump::Minor,
        },
        "List" => match shape {
            "filter" | "type" => Bump::Major,
            _ => Bump::Minor,
        },
        "Consent" => match shape {
            "purpose" => Bump::Patch,
            _ => Bump::Major,
        },
        "Webhook" => match shape {
            "endpoint" | "method" => Bump::Major,
            // Per-environment endpoints: repointing one environment's traffic is as breaking
            // as repointing the single endpoint.
            s if s == "endpoints" || s.starts_with("endpoints.") => Bump::Major,
            s if s.starts_with("auth") => Bump::Major,
            s if s.starts_with("retries") && removed => Bump::Major,
            _ => Bump::Minor,
        },
        // A flow's contract is where it reads and writes, how, and the data it carries;
        // its paperwork (volumes, observability, validation steps) changes nothing it does.
        "Integration" => match shape {
            "source" | "target" | "direction" | "hook" => Bump::Major,
            s if s.starts_with("trigger") => Bump::Major,
            "entities[]" if item && removed => Bump::Major,
            "entities" if shrinks() || removed => Bump::Major,
            "entities[].entity" | "entities[].source_of_truth" | "entities[].conflict_rule" => {
                Bump::Major
            }
            "entities[].fields[]" if item && removed => Bump::Major,
            "entities[].fields" if shrinks() || removed => Bump::Major,
            s if s.starts_with("entities[].fields[].") => Bump::Major,
            "safe_zone" | "lifecycle" | "criticality" | "customization" => Bump::Minor,
            s if s.starts_with("volume")
                || s.starts_with("observability")
                || s.starts_with("validation")
                || s.starts_with("platform")
                || s == "escalation" =>
            {
                Bump::Patch
            }
            _ => Bump::Minor,
        },
        "System" => match shape {
            "category" => Bump::Major,
            "version" | "product" => Bump::Minor,
            _ => Bump::Patch,
        },
        "Form" => match shape {
            "dedupe_key" => Bump::Major,
            "fields" | "hidden" if shrinks() || removed => Bump::Major,
            s if s.starts_with("consent") && removed => Bump::Major,
            _ => Bump::Minor,
        },
        "Reconciliation" => match shape {
            // What is compared with what: a different proof.
            s if s.starts_with("left") || s.starts_with("right") || s.starts_with("key") => {
                Bump::Major
            }
            // Dropping a column or aggregate, or loosening a tolerance, proves less.
            "columns[]" | "aggregates[]" if item && removed => Bump::Major,
            "columns" | "aggregates" if shrinks() || removed => Bump::Major,
            s if s.ends_with(".tolerance") || s.ends_with(".scale") => Bump::Major,
            s if s.starts_with("columns[].") || s.starts_with("aggregates[].") => Bump::Major,
            _ => Bump::Minor,
        },
        "Bundle" => match shape {
            "members" if shrinks() || removed => Bump::Major,
            "release_prefix" => Bump::Patch,
            _ => Bump::Minor,
        },
        "Flow" => flow::bump(context, shape, path, (old, new)),
        "Tag" => Bump::Patch,
        _ => Bump::Minor,
    }
}
