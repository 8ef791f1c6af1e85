//! Previews of message templates for approvers: a template rendered with sample values for
//! every variable it uses, and again with none, so that the fallbacks show.

use crate::template::analyse_template;
use serde_json::{Map, Value};

/// A plausible sample for the variable named `name` (its last path segment).
fn sample_value(name: &str) -> Value {
    let lower = name.to_ascii_lowercase();
    let text = |s: &str| Value::String(s.to_owned());
    if lower.contains("first_name") || lower == "name" || lower.contains("firstname") {
        text("Alex")
    } else if lower.contains("last_name") || lower.contains("lastname") {
        text("Sample")
    } else if lower.contains("count") || lower.contains("quantity") || lower.contains("number") {
        Value::from(2)
    } else if lower.contains("url") || lower.contains("link") {
        text("https://example.invalid/preview")
    } else if lower.contains("email") {
        text("alex.sample@example.invalid")
    } else if lower.contains("phone") || lower.contains("mobile") {
        text("+49 30 0000000")
    } else if lower.contains("date") || lower.ends_with("_at") {
        text("2026-12-24")
    } else {
        text(&format!("‹{name}›"))
    }
}

/// Sample values for every variable `source` uses (`contact.first_name` → `{"contact":
/// {"first_name": "Alex"}}`); empty when the template does not parse.
pub fn sample_context(source: &str) -> Value {
    let mut root = Map::new();
    let Ok(variables) = analyse_template(source) else {
        return Value::Object(root);
    };
    for (variable, _) in variables {
        insert(&mut root, &variable.path);
    }
    Value::Object(root)
}

fn insert(map: &mut Map<String, Value>, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        map.entry(first.clone())
            .or_insert_with(|| sample_value(first));
        return;
    }
    let child = map
        .entry(first.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if !child.is_object() {
        *child = Value::Object(Map::new());
    }
    if let Value::Object(inner) = child {
        insert(inner, rest);
    }
}

/// `source` rendered with `context`; variables missing from it render empty, as most
/// sending platforms do. The error says why the template does not render.
pub fn render_preview(source: &str, context: &Value) -> Result<String, String> {
    if source.len() > crate::MAX_TEMPLATE_LEN {
        return Err("the template is too long to preview".to_owned());
    }
    let mut env = minijinja::Environment::new();
    env.set_fuel(Some(100_000));
    env.set_recursion_limit(64);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.render_str(source, context).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SOURCE: &str = "Hi {{ contact.first_name | default('there') }}, {{ contact.cart_item_count }} items: {{ unsubscribe_url }}";

    #[test]
    fn samples_fill_every_variable_and_the_empty_context_shows_fallbacks() {
        let context = sample_context(SOURCE);
        assert_eq!(
            render_preview(SOURCE, &context).unwrap(),
            "Hi Alex, 2 items: https://example.invalid/preview"
        );
        assert_eq!(
            render_preview(SOURCE, &Value::Object(Map::new())).unwrap(),
            "Hi there,  items: "
        );
    }

    #[test]
    fn a_template_that_does_not_render_says_why_and_loops_are_bounded() {
        assert!(render_preview("{% if %}", &Value::Null).is_err());
        let endless =
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
        assert!(render_preview(endless, &Value::Null).is_err());
    }
}
