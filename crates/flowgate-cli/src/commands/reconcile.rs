//! `flowgate reconcile run | history | generate`: prove that two databases agree, record
//! each run in the store's operation log, and watch the mismatch rate for drift.

use super::store::with_store;
use crate::cli::{
    Format, GlobalArgs, ReconcileCommand, ReconcileGenerateArgs, ReconcileHistoryArgs,
    ReconcileRunArgs,
};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output;
use flowgate_model::{AssetSpec, Reconciliation};
use flowgate_reconcile::checkpoint::Checkpoint;
use flowgate_reconcile::drift::{self, DriftPoint};
use flowgate_reconcile::{Progress, Report, RunOptions, Tuning};
use flowgate_store::{
    canonical_json_string, NewOperation, Object, ObjectId, OperationFilter, OperationKind, Store,
};
use serde_json::{json, Value};
use std::time::Instant;

/// The operation kind of a recorded run.
const RECONCILE_RUN: OperationKind = OperationKind::ReconcileRun;

/// Run a `flowgate reconcile` subcommand.
pub fn run(command: &ReconcileCommand, global: &GlobalArgs) -> CommandResult {
    match command {
        ReconcileCommand::Run(args) => run_one(args, global),
        ReconcileCommand::History(args) => history(args, global),
        ReconcileCommand::Generate(args) => generate(args, global),
    }
}

/// A spinner with the elapsed time and the current step, on stderr, only on a terminal; it
/// keeps turning while a long query runs.
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self(bar)
    }

    fn clear(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn step(&self, message: &str) {
        let shown: String = message.chars().take(90).collect();
        self.0.set_message(output::inert(&shown).into_owned());
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))
}

/// A failed run: a database that cannot be reached or fails is unavailable (exit 4), an
/// unusable asset or local file is input (exit 2).
fn reconcile_error(error: flowgate_reconcile::Error, what: &str) -> CommandError {
    use flowgate_reconcile::Error as E;
    let kind = match &error {
        E::Invalid(_) | E::Io { .. } => ErrorKind::Usage,
        _ => ErrorKind::Unavailable,
    };
    CommandError::new(
        kind,
        format!("{what}: {error}"),
        "no result is recorded for a failed run; fix the cause (docs/reconcile.md) and run it again",
    )
}

/// What a run needs from the workspace: the asset's spec, its document hash, and the
/// workspace root local files must stay inside.
struct Found {
    spec: Reconciliation,
    hash: String,
    root: std::path::PathBuf,
}

/// The asset, its document hash and its spec.
fn find(global: &GlobalArgs, name: &str) -> Result<Found, CommandError> {
    let (workspace, loaded) = super::load(global)?;
    if loaded.has_errors() {
        return Err(super::unclean(&loaded, global, "nothing can be reconciled"));
    }
    let asset = loaded
        .model
        .get_str(name)
        .ok_or_else(|| no_reconciliation(&loaded.model, name))?;
    let AssetSpec::Reconciliation(spec) = &asset.spec else {
        return Err(CommandError::usage(
            format!(
                "`{name}` is a {}, not a reconciliation",
                asset.kind().noun()
            ),
            "give the id of a `kind: Reconciliation` asset",
        ));
    };
    let hash = ObjectId::of(canonical_json_string(&asset.document()).as_bytes()).to_string();
    refuse_store_variable(&workspace, spec)?;
    Ok(Found {
        spec: spec.clone(),
        hash,
        root: workspace.root.clone(),
    })
}

/// The error for a name no asset has, listing the reconciliations there are.
fn no_reconciliation(model: &flowgate_model::Model, name: &str) -> CommandError {
    let ids: Vec<&str> = model
        .of_kind(flowgate_model::AssetKind::Reconciliation)
        .map(|a| a.id.as_str())
        .collect();
    let help = if ids.is_empty() {
        "the workspace has no `kind: Reconciliation` asset yet (docs/reconcile.md)".to_owned()
    } else {
        format!("reconciliations: {}", ids.join(", "))
    };
    CommandError::usage(format!("no asset `{name}` in the workspace"), help)
}

/// A reconciliation may not read the variable holding the store's own URL: its credentials
/// are the team's, not the asset author's.
fn refuse_store_variable(
    workspace: &flowgate_load::Workspace,
    spec: &Reconciliation,
) -> Result<(), CommandError> {
    let Some(section) = &workspace.config.store else {
        return Ok(());
    };
    let store = section.url.get_ref();
    for (side, url) in [
        ("left", &spec.left.url.value),
        ("right", &spec.right.url.value),
    ] {
        let url = format!("{}:{}", url.provider, url.name);
        if url.starts_with("env:") && &url == store {
            return Err(CommandError::usage(
                format!("the {side} side's url `{url}` is the store's own variable ([store] url)"),
                "give the reconciliation a variable of its own, with a read-only database user",
            ));
        }
    }
    Ok(())
}

fn payload(report: &Report, asset_hash: &str) -> Value {
    let aggregates: serde_json::Map<String, Value> = report
        .aggregates
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                json!({
                    "groups_left": a.groups_left,
                    "groups_right": a.groups_right,
                    "missing_left": a.missing_left.len(),
                    "missing_right": a.missing_right.len(),
                    "mismatch": a.mismatches.len(),
                }),
            )
        })
        .collect();
    json!({
        "reconciliation": report.reconciliation,
        "asset_hash": asset_hash,
        "started_at": report.started_at,
        "duration_ms": report.duration_ms,
        "rows_left": report.rows_left,
        "rows_right": report.rows_right,
        "counts": report.counts(),
        "per_column": report.per_column,
        "aggregates": aggregates,
        "mismatch_rate": report.mismatch_rate(),
        "work": report.work,
    })
}

fn run_one(args: &ReconcileRunArgs, global: &GlobalArgs) -> CommandResult {
    let Found {
        spec,
        hash: asset_hash,
        root,
    } = find(global, &args.name)?;
    // The url names a variable: a variable that is unset or not a connection variable is
    // input, whatever the error's class.
    let url_error = |e: flowgate_reconcile::Error| {
        CommandError::usage(
            e.to_string(),
            "set the variable to the database's URL; docs/reconcile.md lists the forms",
        )
    };
    let left_url =
        flowgate_reconcile::resolve_url("left", &spec.left.url.value).map_err(url_error)?;
    let right_url =
        flowgate_reconcile::resolve_url("right", &spec.right.url.value).map_err(url_error)?;
    let resume_from = if args.incremental {
        resume_point(args, &asset_hash, global)?
    } else {
        None
    };
    let options = RunOptions {
        name: args.name.clone(),
        left_url,
        right_url,
        tuning: Tuning {
            parallel: usize::from(args.parallel),
            ..Tuning::default()
        },
        now: None,
        fingerprint: asset_hash.clone(),
        resume_from,
    };
    let runtime = runtime()?;
    let bar = Bar::new();
    let result = runtime.block_on(flowgate_reconcile::run_in(&spec, &options, &root, &bar));
    bar.clear();
    drop(runtime);
    let report = result
        .map_err(|e| reconcile_error(e, &format!("reconciliation `{}` failed", args.name)))?;
    if let Some(path) = &args.keys_csv {
        crate::write::write_atomically(path, report.keys_csv().as_bytes()).map_err(|e| {
            CommandError::usage(
                format!("{}: cannot write the keys CSV: {e}", path.display()),
                "check that the directory exists and is writable",
            )
        })?;
    }
    let mut payload = payload(&report, &asset_hash);
    let rates = if args.no_record {
        vec![report.mismatch_rate()]
    } else {
        record(args, &report, &mut payload, global)?
    };
    let points = drift::evaluate(&rates, spec.drift.as_ref());
    let last = points.last().cloned();
    show_run(args, &report, &payload, last.as_ref(), global);
    let drifting = last.as_ref().is_some_and(|p| p.drift || p.over_limit);
    let differs = report.differences() + report.aggregate_differences() > 0;
    Ok(
        if (args.fail_on_differences && differs) || (args.fail_on_drift && drifting) {
            Exit::Findings
        } else {
            Exit::Success
        },
    )
}

/// The checkpoint an incremental run continues from: the last recorded run of the asset as
/// it is now, if any.
fn resume_point(
    args: &ReconcileRunArgs,
    asset_hash: &str,
    global: &GlobalArgs,
) -> Result<Option<Checkpoint>, CommandError> {
    let (name, hash) = (args.name.clone(), asset_hash.to_owned());
    let mut found = None;
    with_store(global, |store| async {
        found = last_checkpoint(&store, &name, &hash).await;
        (store, Ok(Exit::Success))
    })?;
    if found.is_none() {
        output::err(&format!(
            "note: no recorded run of `{}` as it is now to continue from: this run checks everything\n",
            args.name
        ));
    }
    Ok(found)
}

/// Records the run (and its checkpoint) in the store's log; the mismatch rates of every
/// recorded run of the asset, oldest first, this one last.
fn record(
    args: &ReconcileRunArgs,
    report: &Report,
    payload: &mut Value,
    global: &GlobalArgs,
) -> Result<Vec<f64>, CommandError> {
    let author = super::snapshot::author(args.author.as_deref(), &global.workspace);
    let checkpoint = report
        .checkpoint
        .as_ref()
        .map(|c| Object::new(c.to_bytes()));
    if let Some(object) = &checkpoint {
        payload["checkpoint"] = json!(object.id().to_string());
    }
    let op = NewOperation::new(author, RECONCILE_RUN, payload.clone());
    let name = args.name.clone();
    let mut rates = Vec::new();
    with_store(global, |store| async {
        let recorded = async {
            if let Some(object) = &checkpoint {
                store.put_objects(std::slice::from_ref(object)).await?;
            }
            store.append_operation(&op).await?;
            past_rates(&store, &name).await
        }
        .await;
        let result = recorded.map(|r| {
            rates = r.into_iter().map(|(_, _, rate)| rate).collect();
            Exit::Success
        });
        (store, result.map_err(CommandError::from))
    })?;
    Ok(rates)
}

/// The run's report, for people or as JSON.
fn show_run(
    args: &ReconcileRunArgs,
    report: &Report,
    payload: &Value,
    last: Option<&DriftPoint>,
    global: &GlobalArgs,
) {
    if global.format == Format::Json {
        let document = json!({
            "version": 1,
            "report": report,
            "recorded": !args.no_record,
            "run": payload,
            "drift": last,
        });
        output::out(&format!("{document:#}\n"));
        return;
    }
    output::out(&report.summary(args.samples));
    if let Some(p) = last {
        output::out(&format!(
            "  mismatch rate {:.6} (level {:.6}, cusum {:.6}){}{}\n",
            p.rate,
            p.level,
            p.cusum,
            if p.drift {
                "  DRIFT: sustained rise"
            } else {
                ""
            },
            if p.over_limit { "  over max_rate" } else { "" }
        ));
    }
}

/// Recorded runs of a reconciliation: (seq, at, mismatch rate), oldest first.
async fn past_rates(
    store: &flowgate_store::AnyStore,
    name: &str,
) -> flowgate_store::Result<Vec<(u64, String, f64)>> {
    Ok(runs(store, name)
        .await?
        .into_iter()
        .map(|(seq, at, payload)| {
            let rate = payload["mismatch_rate"].as_f64().unwrap_or(0.0);
            (seq, at, rate)
        })
        .collect())
}

/// The checkpoint of the last recorded run of `name` with this asset hash, if readable.
async fn last_checkpoint(
    store: &flowgate_store::AnyStore,
    name: &str,
    asset_hash: &str,
) -> Option<Checkpoint> {
    let (_, _, payload) = runs(store, name)
        .await
        .ok()?
        .into_iter()
        .rev()
        .find(|(_, _, p)| p["asset_hash"].as_str() == Some(asset_hash))?;
    let id: ObjectId = payload["checkpoint"].as_str()?.parse().ok()?;
    let bytes = store.get_object(&id).await.ok()??;
    Checkpoint::from_bytes(&bytes)
}

async fn runs(
    store: &flowgate_store::AnyStore,
    name: &str,
) -> flowgate_store::Result<Vec<(u64, String, Value)>> {
    let filter = OperationFilter {
        kind: Some(RECONCILE_RUN),
        ..OperationFilter::default()
    };
    Ok(store
        .operations(&filter)
        .await?
        .into_iter()
        .filter(|op| op.payload["reconciliation"].as_str() == Some(name))
        .map(|op| (op.seq, op.at.to_string(), op.payload))
        .collect())
}

fn history(args: &ReconcileHistoryArgs, global: &GlobalArgs) -> CommandResult {
    // The drift policy comes from the asset when the workspace has it.
    let loaded = super::load(global).ok().map(|(_, loaded)| loaded);
    let asset = loaded
        .as_ref()
        .and_then(|l| l.model.get_str(&args.name).map(|a| &a.spec));
    let policy = match asset {
        Some(AssetSpec::Reconciliation(spec)) => spec.drift.clone(),
        _ => None,
    };
    let name = args.name.clone();
    let mut found = Vec::new();
    with_store(global, |store| async {
        let result = runs(&store, &name).await.map(|runs| {
            found = runs;
            Exit::Success
        });
        (store, result.map_err(CommandError::from))
    })?;
    let runs = found;
    // No run and no such asset: a typo, not an empty history.
    if let (true, None, Some(loaded)) = (runs.is_empty(), asset, &loaded) {
        return Err(no_reconciliation(&loaded.model, &args.name));
    }
    let rates: Vec<f64> = runs
        .iter()
        .map(|(_, _, p)| p["mismatch_rate"].as_f64().unwrap_or(0.0))
        .collect();
    let points = drift::evaluate(&rates, policy.as_ref());
    let skip = args.limit.map_or(0, |l| runs.len().saturating_sub(l));
    let rows: Vec<(&(u64, String, Value), &DriftPoint)> =
        runs.iter().zip(&points).skip(skip).collect();
    match global.format {
        Format::Json => {
            let list: Vec<Value> = rows
                .iter()
                .map(|((seq, at, payload), point)| {
                    json!({"seq": seq, "at": at, "run": payload, "drift": point})
                })
                .collect();
            output::out(&format!(
                "{:#}\n",
                json!({"version": 1, "reconciliation": args.name, "runs": list})
            ));
        }
        _ => {
            if rows.is_empty() {
                output::out(&format!("no recorded runs of `{}`\n", args.name));
            } else {
                let mut text = format!(
                    "{:>5}  {:<19}  {:<4}  {:>10}  {:>8}  {:>8}  {:>8}  {:>5}  {:>9}  {:>10}  {:>10}  {:>7}\n",
                    "seq", "at", "pass", "rows", "miss-L", "miss-R", "mismatch", "dup", "in-flight", "rate", "level", "drift"
                );
                for ((seq, at, p), point) in &rows {
                    let c = &p["counts"];
                    let rows_compared = p["rows_left"]
                        .as_u64()
                        .unwrap_or(0)
                        .max(p["rows_right"].as_u64().unwrap_or(0));
                    text.push_str(&format!(
                        "{seq:>5}  {:<19}  {:<4}  {rows_compared:>10}  {:>8}  {:>8}  {:>8}  {:>5}  {:>9}  {:>10.6}  {:>10.6}  {:>7}\n",
                        at.chars().take(19).collect::<String>(),
                        // Incremental runs re-checked only what changed since the run before.
                        if p["work"]["incremental"].is_object() {
                            "incr"
                        } else {
                            "full"
                        },
                        c["missing_left"].as_u64().unwrap_or(0),
                        c["missing_right"].as_u64().unwrap_or(0),
                        c["mismatch"].as_u64().unwrap_or(0),
                        c["duplicate"].as_u64().unwrap_or(0),
                        c["in_flight"].as_u64().unwrap_or(0),
                        point.rate,
                        point.level,
                        if point.drift {
                            "DRIFT"
                        } else if point.over_limit {
                            "LIMIT"
                        } else {
                            "-"
                        }
                    ));
                }
                output::out(&text);
            }
        }
    }
    let drifting = points.last().is_some_and(|p| p.drift || p.over_limit);
    Ok(if args.fail_on_drift && drifting {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// The planted differences for people: `100 missing left, 200 missing right, …`.
fn planted_text(planted: &Value) -> String {
    let Some(classes) = planted.as_object() else {
        return String::new();
    };
    classes
        .iter()
        .map(|(class, count)| format!("{count} {}", class.replace('_', " ")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn generate(args: &ReconcileGenerateArgs, global: &GlobalArgs) -> CommandResult {
    use flowgate_reconcile::db::Db;
    use flowgate_reconcile::generate::{generate_erp, generate_shop, GenerateOptions};
    let options = GenerateOptions {
        orders: args.orders,
        every: args.every,
        erp_schema: args.erp_schema.clone(),
        with_items: !args.no_items,
        full_schema: args.magento_schema.clone(),
        now: chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string(),
    };
    let runtime = runtime()?;
    let bar = Bar::new();
    bar.step("generating the shop and the ERP");
    let started = Instant::now();
    let result = runtime.block_on(async {
        let (shop, erp) = tokio::join!(
            Db::connect("shop", &args.shop_url),
            Db::connect("erp", &args.erp_url)
        );
        let (shop, erp) = (shop?, erp?);
        let (a, b) = tokio::join!(generate_shop(&shop, &options), generate_erp(&erp, &options));
        shop.close().await;
        erp.close().await;
        a.and(b)
    });
    bar.clear();
    if let Err(e) = result {
        return Err(CommandError::unavailable(
            format!("cannot generate the landscape: {e}"),
            "check both URLs (--shop-url mysql://…, --erp-url postgres://…) and that the databases run",
        ));
    }
    let planted = options.planted();
    let summary = json!({
        "version": 1,
        "orders": options.orders,
        "erp_orders": options.orders - planted.missing_right.len() as u64 - planted.late.len() as u64
            + planted.duplicate.len() as u64 + planted.missing_left.len() as u64,
        "seconds": started.elapsed().as_secs_f64(),
        "planted": {
            "missing_left": planted.missing_left.len(),
            "missing_right": planted.missing_right.len(),
            "late_in_flight": planted.late.len(),
            "grand_total_mismatch": planted.grand_total.len(),
            "status_mismatch": planted.status.len(),
            "duplicate": planted.duplicate.len(),
            "duplicated_line": if options.with_items { planted.duplicated_line.len() } else { 0 },
            "stock": if options.with_items { planted.stock.len() } else { 0 },
        },
    });
    match global.format {
        Format::Json => output::out(&format!("{summary:#}\n")),
        _ => output::out(&format!(
            "generated {} shop orders and schema `{}` in {:.1} s; planted: {}\n",
            options.orders,
            options.erp_schema,
            started.elapsed().as_secs_f64(),
            planted_text(&summary["planted"])
        )),
    }
    Ok(Exit::Success)
}
