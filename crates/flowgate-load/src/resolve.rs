//! Reference resolution: every reference must name an existing asset of the right kind,
//! every data path an existing field, every bundle member an asset.

use crate::codes;
use flowgate_diagnostics::suggest::did_you_mean;
use flowgate_diagnostics::{Diagnostic, SourceMap, SourceText};
use flowgate_model::{
    AssetId, AssetKind, AssetSpec, Bundle, FieldUse, Located, Member, Model, Reference, Relation,
    Selector, StepId, Target,
};
use std::collections::BTreeSet;

/// Check every reference in `model`. `invalid` holds ids of assets that failed to load:
/// references to them are not reported again.
pub(crate) fn resolve(
    model: &Model,
    invalid: &BTreeSet<AssetId>,
    sources: &SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut resolver = Resolver {
        model,
        invalid,
        diagnostics,
    };
    for asset in model.assets() {
        let Some(source) = model
            .file(asset.origin.file)
            .and_then(|f| sources.get(&f.path.to_string_lossy()))
        else {
            continue;
        };
        for reference in asset.references() {
            match reference.target {
                Target::Asset(target) => resolver.asset(source, &reference, target),
                Target::Field(field_use) => resolver.field(source, field_use),
            }
        }
        if let AssetSpec::Bundle(bundle) = &asset.spec {
            resolver.selectors(source, bundle);
        }
    }
}

/// Checks the references of one model, collecting diagnostics.
struct Resolver<'m, 'd> {
    model: &'m Model,
    invalid: &'m BTreeSet<AssetId>,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Resolver<'_, '_> {
    /// A reference to an asset: it must exist and be of an expected kind.
    fn asset(&mut self, source: &SourceText, reference: &Reference<'_>, target: &Located<AssetId>) {
        if self.invalid.contains(&target.value) {
            return;
        }
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
        let diagnostic = match self.model.get(&target.value) {
            None => {
                let code = if membership {
                    codes::BUNDLE_MEMBER
                } else {
                    codes::DANGLING_REFERENCE
                };
                self.missing_asset(code, &expected, reference, target)
            }
            Some(found) if !reference.expected.contains(&found.kind()) => {
                wrong_kind(found.kind(), &expected, reference, target)
            }
            Some(_) => return,
        };
        self.diagnostics.push(diagnostic.at(source, target.span));
    }

    /// No asset has the id `target`.
    fn missing_asset(
        &self,
        code: &str,
        expected: &str,
        reference: &Reference<'_>,
        target: &Located<AssetId>,
    ) -> Diagnostic {
        let candidates = self.ids_of(reference.expected);
        let hint = did_you_mean(target.as_str(), candidates.iter().copied())
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default();
        Diagnostic::error(code, format!("no {expected} with id `{}`", target.value)).with_help(
            format!(
                "{hint}create the asset, or fix the id{}",
                context(reference.step)
            ),
        )
    }

    /// The ids of the assets of these kinds.
    fn ids_of(&self, kinds: &[AssetKind]) -> Vec<&str> {
        self.model
            .assets()
            .iter()
            .filter(|a| kinds.contains(&a.kind()))
            .map(|a| a.id.as_str())
            .collect()
    }

    /// A data path in an expression or template: it must name a declared field.
    fn field(&mut self, source: &SourceText, field_use: &Located<FieldUse>) {
        if self.model.field_for(&field_use.value).is_some()
            || AssetId::new(field_use.field.clone()).is_ok_and(|id| self.invalid.contains(&id))
        {
            return;
        }
        let path = format!("{}.{}", field_use.object, field_use.field);
        let help = self.unknown_field_help(field_use);
        self.diagnostics.push(
            Diagnostic::error(codes::DANGLING_REFERENCE, format!("unknown field `{path}`"))
                .at(source, field_use.span)
                .with_help(help),
        );
    }

    /// What to do about a data path that names no field: write the field's own object, use
    /// a field of the same object with a similar name, or declare the field.
    fn unknown_field_help(&self, field_use: &FieldUse) -> String {
        match self.model.get_str(&field_use.field) {
            Some(other) => match &other.spec {
                AssetSpec::Field(f) => format!(
                    "`{}` is a field of `{}`: write `{}.{}`",
                    field_use.field,
                    f.object.as_str(),
                    f.object.as_str(),
                    field_use.field
                ),
                _ => format!("`{}` is a {}, not a Field", field_use.field, other.kind()),
            },
            None => match did_you_mean(&field_use.field, self.fields_of(&field_use.object)) {
                Some(c) => format!("did you mean `{}.{c}`?", field_use.object),
                None => format!(
                    "declare it as a Field with `id: {}` and `object: {}`",
                    field_use.field, field_use.object
                ),
            },
        }
    }

    /// The ids of the fields declared for `object`.
    fn fields_of<'a>(&'a self, object: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.model
            .of_kind(AssetKind::Field)
            .filter(move |a| match &a.spec {
                AssetSpec::Field(f) => f.object.as_str() == object,
                _ => false,
            })
            .map(|a| a.id.as_str())
    }

    /// A bundle's selectors: each should match at least one asset.
    fn selectors(&mut self, source: &SourceText, bundle: &Bundle) {
        for member in &bundle.members {
            if let Member::Selector(selector) = member {
                if self.matches_nothing(member) {
                    self.diagnostics.push(empty_selector(source, selector));
                }
            }
        }
    }

    /// Whether a bundle with only this member would have no members.
    fn matches_nothing(&self, member: &Member) -> bool {
        let single = Bundle {
            members: vec![member.clone()],
            externals: Vec::new(),
            alert: None,
            release_prefix: None,
        };
        self.model.bundle_members(&single).is_empty()
    }
}

/// The asset `target` exists but is of kind `found`, not of one of the `expected` kinds.
fn wrong_kind(
    found: AssetKind,
    expected: &str,
    reference: &Reference<'_>,
    target: &Located<AssetId>,
) -> Diagnostic {
    Diagnostic::error(
        codes::WRONG_KIND,
        format!(
            "`{}` is a {found}, but {} {expected} is expected here",
            target.value,
            article(expected)
        ),
    )
    .with_help(format!(
        "point this at a {expected}{}",
        context(reference.step)
    ))
}

/// A selector of a bundle that matches no asset.
fn empty_selector(source: &SourceText, selector: &Located<Selector>) -> Diagnostic {
    Diagnostic::warning(codes::BUNDLE_MEMBER, "this selector matches no asset")
        .at(source, selector.span)
        .with_help("check the kind, labels and id prefix; an empty selector usually means a typo")
}

/// The indefinite article for `word`: "an" before a vowel, else "a".
fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn context(step: Option<&StepId>) -> String {
    step.map(|s| format!(" (in step `{s}`)"))
        .unwrap_or_default()
}
