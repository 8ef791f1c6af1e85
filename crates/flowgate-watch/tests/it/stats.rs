//! The tests against SciPy's values (generated once by `tests/reference/generate.py`, pinned
//! in `reference_values.rs`) and properties every test must have.

use super::reference_values::*;
use flowgate_watch::stats::{
    fisher_exact, hodges_lehmann, mann_whitney, poisson_rate_test, Alternative, MwMethod,
};
use proptest::prelude::*;

#[track_caller]
fn close(what: &str, ours: f64, reference: f64, rel: f64) {
    let ok = if reference == 0.0 {
        ours < 1e-250
    } else if reference.is_infinite() {
        ours.is_infinite()
    } else {
        (ours - reference).abs() <= rel * reference.abs()
    };
    assert!(ok, "{what}: ours {ours:e}, SciPy {reference:e}");
}

#[test]
fn poisson_rate_test_matches_scipy_binomtest() {
    for &(c1, t1, c0, t0, greater, less, low, high) in POISSON {
        let g = poisson_rate_test(c1, t1, c0, t0, Alternative::Greater);
        let l = poisson_rate_test(c1, t1, c0, t0, Alternative::Less);
        let case = format!("{c1}/{t1} vs {c0}/{t0}");
        close(&format!("{case} greater"), g.p_value, greater, 1e-9);
        close(&format!("{case} less"), l.p_value, less, 1e-9);
        close(&format!("{case} ci low"), g.ci.low, low, 1e-7);
        close(&format!("{case} ci high"), g.ci.high, high, 1e-7);
    }
}

#[test]
fn fisher_exact_matches_scipy() {
    for &(e1, n1, e0, n0, greater, less) in FISHER {
        let case = format!("{e1}/{n1} vs {e0}/{n0}");
        close(
            &format!("{case} greater"),
            fisher_exact(e1, n1, e0, n0, Alternative::Greater).p_value,
            greater,
            1e-9,
        );
        close(
            &format!("{case} less"),
            fisher_exact(e1, n1, e0, n0, Alternative::Less).p_value,
            less,
            1e-9,
        );
    }
}

/// One Mann–Whitney reference case: x, y, p greater, p less, U.
type MwCase = (&'static [f64], &'static [f64], f64, f64, f64);

/// Each case's U and both one-sided p-values against SciPy, by `method`.
fn mann_whitney_matches(cases: &[MwCase], method: MwMethod) {
    for (i, &(x, y, greater, less, u)) in cases.iter().enumerate() {
        let g = mann_whitney(x, y, Alternative::Greater);
        assert_eq!(g.method, method, "case {i}");
        close(&format!("case {i} U"), g.u, u, 1e-12);
        close(&format!("case {i} greater"), g.p_value, greater, 1e-9);
        close(
            &format!("case {i} less"),
            mann_whitney(x, y, Alternative::Less).p_value,
            less,
            1e-9,
        );
    }
}

#[test]
fn mann_whitney_exact_matches_scipy() {
    mann_whitney_matches(MW_EXACT, MwMethod::Exact);
}

#[test]
fn mann_whitney_normal_approximation_matches_scipy() {
    mann_whitney_matches(MW_NORMAL, MwMethod::Normal);
}

#[test]
fn hodges_lehmann_matches_the_median_of_all_differences() {
    for &(x, y, shift) in HODGES_LEHMANN {
        close("shift", hodges_lehmann(x, y), shift, 1e-9);
    }
}

#[test]
fn edge_cases_are_finite_or_documented() {
    // No events anywhere: nothing speaks for a worsening.
    let none = poisson_rate_test(0, 1.0, 0, 4.0, Alternative::Greater);
    assert_eq!(none.p_value, 1.0);
    assert!(none.rate_ratio.is_nan());
    let all_tied = mann_whitney(&[1.0; 40], &[1.0; 40], Alternative::Greater);
    assert_eq!(all_tied.p_value, 1.0);
    assert_eq!(all_tied.rank_biserial, 0.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn poisson_p_values_are_probabilities_and_monotone(
        c1 in 0u64..500, c0 in 0u64..2000, t0 in 1u32..12,
    ) {
        let t0 = f64::from(t0);
        let g = poisson_rate_test(c1, 1.0, c0, t0, Alternative::Greater).p_value;
        let l = poisson_rate_test(c1, 1.0, c0, t0, Alternative::Less).p_value;
        prop_assert!((0.0..=1.0).contains(&g) && (0.0..=1.0).contains(&l));
        // The two one-sided tails overlap in P(X = c1): they sum to at least 1.
        prop_assert!(g + l >= 1.0 - 1e-9);
        // One more current event is never less evidence of an increase.
        let more = poisson_rate_test(c1 + 1, 1.0, c0, t0, Alternative::Greater).p_value;
        prop_assert!(more <= g + 1e-12);
    }

    #[test]
    fn fisher_is_symmetric_and_monotone(
        n1 in 1u64..400, n0 in 1u64..400, a in 0u64..400, b in 0u64..400,
    ) {
        let (e1, e0) = (a % (n1 + 1), b % (n0 + 1));
        let g = fisher_exact(e1, n1, e0, n0, Alternative::Greater).p_value;
        prop_assert!((0.0..=1.0).contains(&g));
        // Swapping the groups swaps the alternative.
        let swapped = fisher_exact(e0, n0, e1, n1, Alternative::Less).p_value;
        prop_assert!((g - swapped).abs() < 1e-9, "{} vs {}", g, swapped);
        if e1 < n1 {
            let more = fisher_exact(e1 + 1, n1, e0, n0, Alternative::Greater).p_value;
            prop_assert!(more <= g + 1e-12);
        }
    }

    #[test]
    fn mann_whitney_is_antisymmetric_and_bounded(
        x in prop::collection::vec(0.0f64..100.0, 1..60),
        y in prop::collection::vec(0.0f64..100.0, 1..60),
    ) {
        let g = mann_whitney(&x, &y, Alternative::Greater);
        let swapped = mann_whitney(&y, &x, Alternative::Less);
        prop_assert!((0.0..=1.0).contains(&g.p_value));
        prop_assert!((g.p_value - swapped.p_value).abs() < 1e-9);
        prop_assert!((g.u + swapped.u - (x.len() * y.len()) as f64).abs() < 1e-6);
        prop_assert!((-1.0..=1.0).contains(&g.rank_biserial));
        // Shifting the current sample up never weakens the evidence of an increase.
        let shifted: Vec<f64> = x.iter().map(|v| v + 10.0).collect();
        let up = mann_whitney(&shifted, &y, Alternative::Greater);
        prop_assert!(up.p_value <= g.p_value + 1e-12);
        prop_assert!((hodges_lehmann(&shifted, &y) - g.hodges_lehmann - 10.0).abs() < 1e-6);
    }
}

#[test]
fn holm_matches_r_p_adjust() {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") → 0.03 0.06 0.06 0.02
    let adjusted = flowgate_watch::judge::holm(&[0.01, 0.04, 0.03, 0.005]);
    for (ours, r) in adjusted.iter().zip([0.03, 0.06, 0.06, 0.02]) {
        close("holm", *ours, r, 1e-12);
    }
    assert_eq!(flowgate_watch::judge::holm(&[0.6, 0.9]), vec![1.0, 1.0]);
    assert!(flowgate_watch::judge::holm(&[]).is_empty());
}

proptest! {
    #[test]
    fn holm_never_lowers_a_p_value_and_keeps_the_order(p in proptest::collection::vec(0.0f64..=1.0, 1..12)) {
        let adjusted = flowgate_watch::judge::holm(&p);
        for (raw, adj) in p.iter().zip(&adjusted) {
            prop_assert!(*adj >= *raw && *adj <= 1.0);
        }
        for i in 0..p.len() {
            for j in 0..p.len() {
                if p[i] < p[j] {
                    prop_assert!(adjusted[i] <= adjusted[j]);
                }
            }
        }
    }
}
