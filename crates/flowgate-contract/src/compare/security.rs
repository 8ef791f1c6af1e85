//! Security requirements added, removed or given other scopes, per operation and for the
//! whole document.

use std::collections::{BTreeMap, BTreeSet};

use flowgate_diagnostics::Span;

use super::{Differ, Place};
use crate::model::{Operation, Security};

/// The ids of one level (operation or document).
struct Ids {
    added: &'static str,
    removed: &'static str,
    scope_added: &'static str,
    scope_removed: &'static str,
}

const OPERATION: Ids = Ids {
    added: "api-security-added",
    removed: "api-security-removed",
    scope_added: "api-security-scope-added",
    scope_removed: "api-security-scope-removed",
};

const GLOBAL: Ids = Ids {
    added: "api-global-security-added",
    removed: "api-global-security-removed",
    scope_added: "api-global-security-scope-added",
    scope_removed: "api-global-security-scope-removed",
};

type Alternatives = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// Alternatives keyed by their sorted scheme names (`api_key+oauth`).
fn alternatives(security: Option<&Security<'_>>) -> Alternatives {
    security
        .map(|s| {
            s.alternatives
                .iter()
                .filter(|alt| !alt.is_empty())
                .map(|alt| {
                    (
                        alt.keys().cloned().collect::<Vec<_>>().join("+"),
                        alt.clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Compare the operation-level requirements.
pub(super) fn operation<'a>(d: &mut Differ<'a>, old: &Operation<'a>, new: &Operation<'a>) {
    let spans = (
        old.security.as_ref().map_or(old.key_span, |s| s.node.span),
        new.security.as_ref().map_or(new.key_span, |s| s.node.span),
    );
    let pair = (
        alternatives(old.security.as_ref()),
        alternatives(new.security.as_ref()),
    );
    compare(d, Some(new), pair, spans, &OPERATION);
}

/// Compare the top-level requirements.
pub(super) fn global(d: &mut Differ<'_>) {
    let (old, new) = (d.old, d.new);
    let span = |s: Option<&Security<'_>>, root: Span| {
        s.map_or(Span::point(root.start as usize), |s| s.node.span)
    };
    let spans = (
        span(old.global_security.as_ref(), old.doc.root.span),
        span(new.global_security.as_ref(), new.doc.root.span),
    );
    let pair = (
        alternatives(old.global_security.as_ref()),
        alternatives(new.global_security.as_ref()),
    );
    compare(d, None, pair, spans, &GLOBAL);
}

fn compare<'a>(
    d: &mut Differ<'a>,
    op: Option<&Operation<'a>>,
    (old, new): (Alternatives, Alternatives),
    (old_span, new_span): (Span, Span),
    ids: &Ids,
) {
    let place = Place::both(old_span, new_span);
    for (key, old_alt) in &old {
        let Some(new_alt) = new.get(key) else {
            d.emit(
                ids.removed,
                op,
                format!("security requirement `{key}` was removed"),
                place,
            );
            continue;
        };
        for (scheme, old_scopes) in old_alt {
            let new_scopes = new_alt.get(scheme).cloned().unwrap_or_default();
            for scope in old_scopes.difference(&new_scopes) {
                let message = format!("`{scheme}` no longer requires scope `{scope}`");
                d.emit(ids.scope_removed, op, message, place);
            }
            for scope in new_scopes.difference(old_scopes) {
                let message = format!("`{scheme}` now requires scope `{scope}`");
                d.emit(ids.scope_added, op, message, place);
            }
        }
    }
    for key in new.keys() {
        if !old.contains_key(key) {
            d.emit(
                ids.added,
                op,
                format!("security requirement `{key}` was added"),
                place,
            );
        }
    }
}
