//! A connection that drops in the middle of a run fails the run: never "no differences".

use crate::common::*;
use flowgate_reconcile::db::Db;
use std::time::Duration;

async fn kill_until_done(
    killer: impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = u64> + Send>>,
    run: tokio::task::JoinHandle<flowgate_reconcile::Result<flowgate_reconcile::Report>>,
) -> (u64, flowgate_reconcile::Result<flowgate_reconcile::Report>) {
    let mut killed = 0;
    while !run.is_finished() {
        killed += killer().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (killed, run.await.unwrap())
}

#[test]
fn killed_mysql_connection_fails_the_run() {
    runtime().block_on(async {
        let Some(l) = landscape("kill_mysql", 200_000, 1000, false).await else {
            return;
        };
        let spec = orders_spec(&l, false);
        let options = run_options(&l);
        let admin = Db::connect("admin", &mysql_base()).await.unwrap();
        let db = l.name.clone();
        let task = tokio::spawn(async move {
            flowgate_reconcile::run(&spec, &options, &flowgate_reconcile::NoProgress).await
        });
        let (killed, result) = kill_until_done(
            || {
                let admin = admin.clone();
                let db = db.clone();
                Box::pin(async move {
                    let ids = admin
                        .rows(&format!("SELECT CAST(ID AS CHAR) FROM information_schema.PROCESSLIST WHERE DB = '{db}' AND COMMAND IN ('Query', 'Execute')"))
                        .await
                        .unwrap_or_default();
                    for id in &ids {
                        if let Some(Some(id)) = id.first() {
                            let _ = admin.execute(&format!("KILL CONNECTION {id}")).await;
                        }
                    }
                    ids.len() as u64
                })
            },
            task,
        )
        .await;
        assert!(killed > 0, "the run finished before a connection could be killed");
        let err = result.expect_err("a run whose connection was killed must fail");
        assert!(err.to_string().contains("left"), "{err}");
        drop_landscape(&l).await;
    });
}

#[test]
fn terminated_postgres_backend_fails_the_run() {
    runtime().block_on(async {
        let Some(l) = landscape("kill_pg", 200_000, 1000, false).await else {
            return;
        };
        let spec = orders_spec(&l, false);
        let options = run_options(&l);
        let admin = Db::connect("admin", &postgres_url()).await.unwrap();
        let schema = l.name.clone();
        let task = tokio::spawn(async move {
            flowgate_reconcile::run(&spec, &options, &flowgate_reconcile::NoProgress).await
        });
        let (killed, result) = kill_until_done(
            || {
                let admin = admin.clone();
                let schema = schema.clone();
                Box::pin(async move {
                    let rows = admin
                        .rows(&format!("SELECT (pg_terminate_backend(pid))::text FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%{schema}%' AND pid <> pg_backend_pid()"))
                        .await
                        .unwrap_or_default();
                    rows.len() as u64
                })
            },
            task,
        )
        .await;
        assert!(killed > 0, "the run finished before a backend could be terminated");
        let err = result.expect_err("a run whose backend was terminated must fail");
        assert!(err.to_string().contains("right"), "{err}");
        drop_landscape(&l).await;
    });
}
