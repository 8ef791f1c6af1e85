use super::support::resource_noun;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_syntax::XmlElement;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Flags Salesforce flow resources that nothing uses: variables, formulas, constants,
    /// choices and record choice sets whose name no element, resource or label of the flow
    /// refers to. A reference is a `{!Name}` or `{!Name.Field}` merge field in any text
    /// (formula expressions, text templates, screen texts, values, the interview label), or
    /// the name in a reference tag (`elementReference`, `leftValueReference`,
    /// `assignToReference`, `inputReference`, `outputReference`, `collectionReference`,
    /// `choiceReferences`, …). Names compare without regard to case, as in Flow Builder; a
    /// resource's own declaration does not count.
    ///
    /// n8n and Node-RED flows declare no such resources, so only Salesforce flows are
    /// checked.
    ///
    /// ## Why is this bad?
    /// An unused resource is noise in the Manager tab and in every review, and often a sign
    /// of unfinished work: the value the flow was meant to store, or the input a caller
    /// passes in, goes nowhere.
    ///
    /// ## Example
    /// ```xml
    /// <variables>
    ///     <name>DiscountRate</name>                <!-- nothing refers to it -->
    ///     <dataType>Number</dataType>
    ///     <isCollection>false</isCollection>
    ///     <isInput>false</isInput>
    ///     <isOutput>false</isOutput>
    ///     <scale>2</scale>
    /// </variables>
    /// ```
    ///
    /// ## How to fix
    /// Delete the resource, or use it where it was meant to be used (for example in the
    /// assignment or formula that should read it).
    pub struct UnusedVariable {
        code: "FG703",
        name: "unused-variable",
        category: Flows,
        severity: Warning,
        summary: "a Salesforce flow declares a variable, formula, constant or choice it never uses",
        peer: "UnusedVariable",
    }
}

/// The resources checked. Text templates are not among them (Lightning Flow Scanner leaves
/// them out too): they are often kept as documentation.
const RESOURCES: &[&str] = &[
    "variables",
    "formulas",
    "constants",
    "choices",
    "dynamicChoiceSets",
];

impl Rule for UnusedVariable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, _, root) in ctx.salesforce_flows() {
            let references = references(root);
            for (index, declaration) in root.children.iter().enumerate() {
                let tag = declaration.name.value.as_str();
                if !RESOURCES.contains(&tag) {
                    continue;
                }
                let noun = resource_noun(tag);
                let Some(name) = declaration.child("name").and_then(|n| n.text.as_ref()) else {
                    continue;
                };
                let key = name.value.trim().to_ascii_lowercase();
                let used = references
                    .iter()
                    .any(|(referenced, from)| *referenced == key && *from != index);
                if used {
                    continue;
                }
                sink.report(
                    asset,
                    name.span,
                    format!(
                        "{noun} `{}` of flow `{}` is never used: no element or resource refers to it",
                        name.value, asset.id.value
                    ),
                )
                .help(format!(
                    "delete the {noun}, or refer to it where it was meant to be used (`{{!{}}}` in a text or formula, or by name in an element)",
                    name.value
                ))
                .element(name.value.clone());
            }
        }
    }
}

/// Every resource or element name the document refers to, lower-cased, with the index of
/// the child of `<Flow>` the reference is written in.
fn references(root: &XmlElement) -> HashSet<(String, usize)> {
    let mut out = HashSet::new();
    for (index, child) in root.children.iter().enumerate() {
        for element in std::iter::once(child).chain(child.descendants()) {
            let Some(text) = element.text_str() else {
                continue;
            };
            let tag = element.name.value.as_str();
            if tag.ends_with("Reference") || tag.ends_with("References") {
                if let Some(name) = reference_name(text) {
                    out.insert((name, index));
                }
            }
            for name in merge_fields(text) {
                out.insert((name, index));
            }
        }
    }
    out
}

/// The resource a reference names: `Account` for `Account.Name`, none for globals such as
/// `$Record.Name`.
fn reference_name(text: &str) -> Option<String> {
    let first = text.trim().split('.').next()?.trim();
    (!first.is_empty() && !first.starts_with('$')).then(|| first.to_ascii_lowercase())
}

/// The resources named by the `{!Name}` and `{!Name.Field}` merge fields of a text.
fn merge_fields(text: &str) -> impl Iterator<Item = String> + '_ {
    text.match_indices("{!").filter_map(move |(at, _)| {
        let rest = text[at + 2..].trim_start();
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        starts_with_letter.then(|| name.to_ascii_lowercase())
    })
}
