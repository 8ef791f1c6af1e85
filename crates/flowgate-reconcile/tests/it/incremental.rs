//! An incremental run continues from the previous run's checkpoint and reports exactly what a
//! full run reports on the same data, after changes on both sides, while checksumming again
//! only the segments that changed.

use crate::common::*;
use flowgate_reconcile::db::Db;
use flowgate_reconcile::{Report, RunOptions};

fn classes(report: &Report) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        (&report.missing_left, &report.missing_right),
        (&report.mismatches, &report.duplicates),
        (report.in_flight, report.rows_left, report.rows_right),
    )
}

async fn run_with(spec: &flowgate_model::Reconciliation, options: &RunOptions) -> Report {
    flowgate_reconcile::run(spec, options, &flowgate_reconcile::NoProgress)
        .await
        .unwrap()
}

#[test]
fn incremental_runs_report_what_full_runs_report() {
    runtime().block_on(async {
        let Some(l) = landscape("incremental", 20_000, 5_000, false).await else {
            return;
        };
        let spec = orders_spec(&l, true);
        let mut options = run_options(&l);
        // Everything older than the grace window: every change below is a difference.
        options.now = Some(chrono::Utc::now() + chrono::Duration::days(1));
        let first = run_with(&spec, &options).await;
        let checkpoint = first.checkpoint.clone().expect("a run over databases checkpoints");
        assert!(first.work.incremental.is_none());

        // Nothing changed: nothing is checksummed again, the same differences are found.
        options.resume_from = Some(checkpoint.clone());
        let unchanged = run_with(&spec, &options).await;
        let info = unchanged.work.incremental.clone().expect("continued");
        assert_eq!(info.rechecked_segments, 0, "{info:?}");
        assert_eq!(classes(&unchanged), classes(&first));

        // Changes: a shop total and an ERP status (their watermarks move), an ERP order
        // inserted (a new watermark) and one deleted (no watermark: the row counts show it).
        let shop = Db::connect("shop", &l.shop_url).await.unwrap();
        let erp = Db::connect("erp", &l.erp_url).await.unwrap();
        let schema = &l.options.erp_schema;
        let (total, status, deleted, inserted) = (1_234u64, 7_777u64, 12_345u64, 3_333u64);
        shop.execute(&format!(
            "UPDATE sales_order SET base_grand_total = base_grand_total + 1, updated_at = UTC_TIMESTAMP() WHERE entity_id = {total}"
        ))
        .await
        .unwrap();
        erp.execute(&format!(
            "UPDATE {schema}.orders SET status = 'on-hold', modified_at = now() WHERE magento_entity_id = {status};
             DELETE FROM {schema}.orders WHERE magento_entity_id = {deleted};
             INSERT INTO {schema}.orders SELECT 'X-{inserted}', store, magento_entity_id, status, amount_cents, currency, order_amount, email, created_at, now() FROM {schema}.orders WHERE magento_entity_id = {inserted}"
        ))
        .await
        .unwrap();

        let incremental = run_with(&spec, &options).await;
        options.resume_from = None;
        let full = run_with(&spec, &options).await;
        assert_eq!(classes(&incremental), classes(&full));
        let info = incremental.work.incremental.clone().expect("continued");
        assert!(
            (3..=8).contains(&info.rechecked_segments),
            "only the changed segments are checksummed again: {info:?}"
        );
        assert!(info.recounted_segments >= 1, "{info:?}");
        assert!(incremental.work.segments_compared <= full.work.segments_compared);
        let mismatched = |r: &Report, column: &str| mismatched(r, column);
        assert!(mismatched(&incremental, "grand_total").contains(&order_key(total)));
        assert!(mismatched(&incremental, "status").contains(&order_key(status)));
        assert!(incremental.missing_right.contains(&order_key(deleted)));
        assert_eq!(
            incremental.missing_left.len(),
            first.missing_left.len() + 1,
            "the inserted ERP order is only on the right"
        );

        // Another asset (a different fingerprint) is never continued from.
        options.resume_from = Some(incremental.checkpoint.clone().unwrap());
        options.fingerprint = "another asset".to_owned();
        let other = run_with(&spec, &options).await;
        assert!(other.work.incremental.is_none());
        assert_eq!(classes(&other), classes(&full));

        // The limit, stated in the docs: a change that does not move the watermark is only
        // found by a full run.
        options.fingerprint = run_options(&l).fingerprint;
        options.resume_from = Some(full.checkpoint.clone().unwrap());
        shop.execute("UPDATE sales_order SET customer_email = 'moved@example.com', updated_at = updated_at WHERE entity_id = 4321")
            .await
            .unwrap();
        let blind = run_with(&spec, &options).await;
        options.resume_from = None;
        let proof = run_with(&spec, &options).await;
        assert!(!mismatched(&blind, "email").contains(&order_key(4321)), "{:?}", blind.work);
        assert!(mismatched(&proof, "email").contains(&order_key(4321)));

        shop.close().await;
        erp.close().await;
        drop_landscape(&l).await;
    });
}
