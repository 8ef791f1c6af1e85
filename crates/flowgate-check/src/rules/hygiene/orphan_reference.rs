use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::{AssetId, AssetKind, AssetSpec, Bundle, Member, Relation};
use std::collections::{BTreeMap, BTreeSet};

declare_rule! {
    /// ## What it does
    /// Flags bundle members that use an asset which is neither a member of the same bundle
    /// nor listed in its `externals`: a workflow sending a template, reading a field or
    /// suppressing a list the bundle does not mention. The fields a consent stores its state
    /// in count as used by every member requiring that consent.
    ///
    /// ## Why is this bad?
    /// A bundle is what is released together. A release that depends on something it does
    /// not declare works where that asset happens to exist already and breaks where it does
    /// not: a new environment, a rollback of the other team's bundle, a renamed field. Listing
    /// the dependency as an external says "this comes from elsewhere, on purpose", so the
    /// promotion can check it exists in the target environment first.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Bundle
    /// id: lead-intake
    /// members:
    ///   - welcome-series       # reads contact.orders_count
    ///   - { kind: Template, labels: { program: lead-intake } }
    /// externals:
    ///   - first_name
    /// ```
    ///
    /// ## How to fix
    /// Add the asset to `members` when it is released with this bundle, or to `externals`
    /// when another bundle or team owns it:
    /// ```yaml
    /// externals:
    ///   - first_name
    ///   - orders_count
    /// ```
    pub struct OrphanReference {
        code: "FG602",
        name: "orphan-reference",
        category: Hygiene,
        severity: Error,
        summary: "a bundle member uses an asset that is neither a member nor an external",
    }
}

impl Rule for OrphanReference {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for bundle_asset in ctx.model.of_kind(AssetKind::Bundle) {
            let AssetSpec::Bundle(bundle) = &bundle_asset.spec else {
                continue;
            };
            let members = ctx.model.bundle_members(bundle);
            let externals: BTreeSet<&AssetId> = bundle.externals.iter().map(|e| &e.value).collect();
            let declared = |id: &AssetId| members.contains(id) || externals.contains(id);
            let entries = explicit_entries(bundle);
            for member_id in &members {
                let Some(member) = ctx.model.get(member_id) else {
                    continue;
                };
                if member.kind() == AssetKind::Bundle {
                    continue;
                }
                // Each missing target once per member, at its first use.
                let mut missing: BTreeMap<&AssetId, (Relation, Span, Option<&AssetId>)> =
                    BTreeMap::new();
                for reference in member.references() {
                    let Some(target) = ctx.resolve(&reference) else {
                        continue;
                    };
                    let target_id = &target.id.value;
                    if target_id == member_id {
                        continue;
                    }
                    if !declared(target_id) {
                        missing.entry(target_id).or_insert((
                            reference.relation,
                            reference.span(),
                            None,
                        ));
                        continue;
                    }
                    // A consent used by a member brings the fields it is stored in.
                    if reference.relation != Relation::RequiresConsent {
                        continue;
                    }
                    if members.contains(target_id) {
                        // A member consent's own references are checked as a member.
                        continue;
                    }
                    for stored in target.references() {
                        let Some(field) = ctx.resolve(&stored) else {
                            continue;
                        };
                        if !declared(&field.id.value) {
                            missing.entry(&field.id.value).or_insert((
                                stored.relation,
                                reference.span(),
                                Some(target_id),
                            ));
                        }
                    }
                }
                let at = entries
                    .get(member_id)
                    .copied()
                    .unwrap_or(bundle_asset.id.span);
                for (target, (relation, used_at, through)) in missing {
                    let target_kind = ctx.model.get(target).map_or("asset", |a| a.kind().as_str());
                    let how = match through {
                        Some(consent) => format!(
                            "requires consent `{consent}`, whose state is stored in {target_kind} `{target}`"
                        ),
                        None => {
                            let verb = match relation {
                                Relation::TriggeredBy => "is triggered by",
                                other => other.label(),
                            };
                            format!("{verb} {target_kind} `{target}`")
                        }
                    };
                    sink.report(
                        bundle_asset,
                        at,
                        format!(
                            "bundle `{}`: member `{member_id}` {how}, but `{target}` is neither a member nor an external of the bundle",
                            bundle_asset.id.value
                        ),
                    )
                    .related(
                        member,
                        used_at,
                        match through {
                            Some(consent) => format!("`{consent}` is required here"),
                            None => format!("`{target}` is used here"),
                        },
                    )
                    .help(format!(
                        "add `{target}` to `members` if it is released with this bundle, or to `externals` if another bundle owns it"
                    ));
                }
            }
        }
    }
}

/// The span of each member written by id.
fn explicit_entries(bundle: &Bundle) -> BTreeMap<&AssetId, Span> {
    let mut out = BTreeMap::new();
    for member in &bundle.members {
        if let Member::Id(id) = member {
            out.entry(&id.value).or_insert(id.span);
        }
    }
    out
}
