//! One test per transform: without it, exactly the rows it normalises show up as value
//! mismatches of that column; with it, none do.

use crate::common::*;
use flowgate_model::Reconciliation;

const ORDERS: u64 = 300;
const EVERY: u64 = 10;

fn column<'a>(spec: &'a mut Reconciliation, name: &str) -> &'a mut flowgate_model::ColumnMapping {
    spec.columns.iter_mut().find(|c| c.name == name).unwrap()
}

async fn without(
    test: &str,
    column_name: &str,
    change: impl FnOnce(&mut Reconciliation),
    expect: impl Fn(u64) -> bool,
) {
    let Some(l) = landscape(test, ORDERS, EVERY, false).await else {
        return;
    };
    let baseline = run(&l, &orders_spec(&l, false)).await;
    assert_exact(&l, &baseline);
    let mut spec = orders_spec(&l, false);
    change(&mut spec);
    let report = run(&l, &spec).await;
    let planted = l.planted.clone();
    let in_both = |s: u64| !planted.missing_right.contains(&s) && !planted.late.contains(&s);
    let expected: Vec<u64> = (1..=ORDERS).filter(|&s| in_both(s) && expect(s)).collect();
    assert!(!expected.is_empty());
    let found = mismatched(&report, column_name);
    let planted_here: Vec<_> = mismatched(&baseline, column_name);
    let mut want = keys(&expected);
    want.extend(planted_here);
    want.sort();
    want.dedup();
    assert_eq!(found, want, "{column_name}");
}

#[test]
fn trim_and_case_fold_emails() {
    runtime().block_on(without(
        "t_email",
        "email",
        |spec| {
            let c = column(spec, "email");
            c.left.trim = false;
            c.right.trim = false;
            c.left.case = None;
            c.right.case = None;
        },
        |s| s % 3 == 0,
    ));
}

#[test]
fn status_vocabulary_is_mapped() {
    runtime().block_on(without(
        "t_status",
        "status",
        |spec| column(spec, "status").left.map.clear(),
        // `pending`, `processing`, `complete`, `canceled` all differ from the ERP's words.
        |_| true,
    ));
}

#[test]
fn cents_are_divided() {
    runtime().block_on(without(
        "t_cents",
        "grand_total",
        |spec| column(spec, "grand_total").right.divide = None,
        |_| true,
    ));
}

#[test]
fn timestamps_are_normalised_to_utc() {
    runtime().block_on(without(
        "t_tz",
        "created_at",
        |spec| spec.right.timezone = None,
        |_| true,
    ));
}

#[test]
fn tolerance_absorbs_rounding() {
    runtime().block_on(without(
        "t_tolerance",
        "grand_total",
        |spec| column(spec, "grand_total").tolerance = None,
        |s| s % EVERY == flowgate_reconcile::generate::residue::WITHIN_TOLERANCE,
    ));
}

#[test]
fn base_and_order_currency_amounts_compare_through_the_rate() {
    // Base amount times the rate is the order-currency amount.
    runtime().block_on(async {
        let Some(l) = landscape("t_rate", ORDERS, EVERY, false).await else {
            return;
        };
        let mut spec = orders_spec(&l, false);
        let c = column(&mut spec, "order_total");
        c.left = flowgate_model::SideColumn {
            column: "base_grand_total".to_owned(),
            multiply_by: Some("base_to_order_rate".to_owned()),
            ..flowgate_model::SideColumn::default()
        };
        let report = run(&l, &spec).await;
        assert_exact(&l, &report);
        // Without the rate, every order in another currency differs.
        column(&mut spec, "order_total").left.multiply_by = None;
        let report = run(&l, &spec).await;
        let usd: Vec<u64> = (1..=ORDERS)
            .filter(|s| s % 5 == 0 || s % EVERY == flowgate_reconcile::generate::residue::CURRENCY)
            .filter(|s| !l.planted.missing_right.contains(s) && !l.planted.late.contains(s))
            .collect();
        assert_eq!(mismatched(&report, "order_total"), keys(&usd));
    });
}

#[test]
fn without_grace_window_late_orders_are_missing() {
    runtime().block_on(async {
        let Some(l) = landscape("t_grace", ORDERS, EVERY, false).await else {
            return;
        };
        let mut spec = orders_spec(&l, false);
        spec.grace = None;
        let report = run(&l, &spec).await;
        let mut missing = l.planted.missing_right.clone();
        missing.extend(&l.planted.late);
        assert_eq!(report.missing_right, keys(&missing));
        assert_eq!(report.in_flight, 0);
    });
}
