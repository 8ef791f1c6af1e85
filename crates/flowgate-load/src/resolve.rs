//! Reference resolution: every reference must name an existing asset of the right kind,
//! every data path an existing field, every bundle member an asset.

use crate::codes;
use crate::lower::closest;
use flowgate_diagnostics::{Diagnostic, SourceMap};
use flowgate_model::{AssetId, AssetKind, AssetSpec, Member, Model, Relation, Target};
use std::collections::BTreeSet;

/// Check every reference in `model`. `invalid` holds ids of assets that failed to load:
/// references to them are not reported again.
pub(crate) fn resolve(
    model: &Model,
    invalid: &BTreeSet<AssetId>,
    sources: &SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let ids_of = |kinds: &[AssetKind]| -> Vec<&str> {
        model
            .assets()
            .iter()
            .filter(|a| kinds.contains(&a.kind()))
            .map(|a| a.id.as_str())
            .collect()
    };
    for asset in model.assets() {
        let Some(source) = model
            .file(asset.origin.file)
            .and_then(|f| sources.get(&f.path.to_string_lossy()))
        else {
            continue;
        };
        for reference in asset.references() {
            let membership = matches!(
                reference.relation,
                Relation::Contains | Relation::DeclaresExternal
            );
            let expected = if membership {
                "asset".to_owned()
            } else {
                reference
                    .expected
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            };
            match reference.target {
                Target::Asset(target) => {
                    if invalid.contains(&target.value) {
                        continue;
                    }
                    match model.get(&target.value) {
                        None => {
                            let candidates = ids_of(reference.expected);
                            let hint = closest(target.as_str(), candidates.iter().copied())
                                .map(|c| format!("did you mean `{c}`? "))
                                .unwrap_or_default();
                            diagnostics.push(
                                Diagnostic::error(
                                    if membership {
                                        codes::BUNDLE_MEMBER
                                    } else {
                                        codes::DANGLING_REFERENCE
                                    },
                                    format!("no {expected} with id `{}`", target.value),
                                )
                                .at(source, target.span)
                                .with_help(format!(
                                    "{hint}create the asset, or fix the id{}",
                                    context(reference.step)
                                )),
                            );
                        }
                        Some(found) if !reference.expected.contains(&found.kind()) => {
                            diagnostics.push(
                                Diagnostic::error(
                                    codes::WRONG_KIND,
                                    format!(
                                        "`{}` is a {}, but {} {expected} is expected here",
                                        target.value,
                                        found.kind(),
                                        if expected.starts_with([
                                            'A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u'
                                        ]) {
                                            "an"
                                        } else {
                                            "a"
                                        }
                                    ),
                                )
                                .at(source, target.span)
                                .with_help(format!(
                                    "point this at a {expected}{}",
                                    context(reference.step)
                                )),
                            );
                        }
                        Some(_) => {}
                    }
                }
                Target::Field(field_use) => {
                    if model.field_for(&field_use.value).is_some()
                        || AssetId::new(field_use.field.clone())
                            .is_ok_and(|id| invalid.contains(&id))
                    {
                        continue;
                    }
                    let path = format!("{}.{}", field_use.object, field_use.field);
                    let same_object: Vec<&str> = model
                        .of_kind(AssetKind::Field)
                        .filter(|a| match &a.spec {
                            AssetSpec::Field(f) => f.object.as_str() == field_use.object,
                            _ => false,
                        })
                        .map(|a| a.id.as_str())
                        .collect();
                    let help = match model.get_str(&field_use.field) {
                        Some(other) => match &other.spec {
                            AssetSpec::Field(f) => format!(
                                "`{}` is a field of `{}`: write `{}.{}`",
                                field_use.field,
                                f.object.as_str(),
                                f.object.as_str(),
                                field_use.field
                            ),
                            _ => {
                                format!("`{}` is a {}, not a Field", field_use.field, other.kind())
                            }
                        },
                        None => match closest(&field_use.field, same_object.iter().copied()) {
                            Some(c) => format!("did you mean `{}.{c}`?", field_use.object),
                            None => format!(
                                "declare it as a Field with `id: {}` and `object: {}`",
                                field_use.field, field_use.object
                            ),
                        },
                    };
                    diagnostics.push(
                        Diagnostic::error(
                            codes::DANGLING_REFERENCE,
                            format!("unknown field `{path}`"),
                        )
                        .at(source, field_use.span)
                        .with_help(help),
                    );
                }
            }
        }
        if let AssetSpec::Bundle(bundle) = &asset.spec {
            for member in &bundle.members {
                if let Member::Selector(selector) = member {
                    let single = flowgate_model::Bundle {
                        members: vec![member.clone()],
                        externals: Vec::new(),
                        alert: None,
                        release_prefix: None,
                    };
                    if model.bundle_members(&single).is_empty() {
                        diagnostics.push(
                            Diagnostic::warning(codes::BUNDLE_MEMBER, "this selector matches no asset")
                                .at(source, selector.span)
                                .with_help("check the kind, labels and id prefix; an empty selector usually means a typo"),
                        );
                    }
                }
            }
        }
    }
}

fn context(step: Option<&flowgate_model::StepId>) -> String {
    step.map(|s| format!(" (in step `{s}`)"))
        .unwrap_or_default()
}
