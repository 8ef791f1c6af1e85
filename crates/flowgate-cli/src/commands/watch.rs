//! `flowgate watch ENV`: evaluate the watch checkpoints due for the releases an environment
//! holds, record each result in the operation log, and pin the environment or roll the bundle
//! back when a KPI fails; `--follow` keeps going until no checkpoint is left.

use super::promote::release_error;
use super::store::{with_promotions, PromotionSession};
use super::watch_view::{checkpoint_text, next_text, results_text, Evaluated};
use crate::cli::{Format, GlobalArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output::{emit, out};
use crate::watch_args::{ResultsArgs, WatchArgs, WatchCommand};
use chrono::Utc;
use flowgate_model::{AssetSpec, Watch};
use flowgate_release::{CheckpointResult, DueCheckpoint, WatchAction, WatchScope};
use flowgate_watch::{Action, SourceContext};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `flowgate watch …`.
pub fn run(args: &WatchArgs, global: &GlobalArgs) -> CommandResult {
    match &args.command {
        Some(WatchCommand::Results(results)) => show_results(results, global),
        Some(WatchCommand::Generate(generate)) => super::watch_generate::run(generate, global),
        None => watch_env(args, global),
    }
}

/// The watches of the workspace by id.
type Watches = BTreeMap<String, Watch>;

fn watch_env(args: &WatchArgs, global: &GlobalArgs) -> CommandResult {
    super::incident::refuse_remote(global, "watch")?;
    let env = args.env.clone().unwrap_or_default();
    let watches = workspace_watches(global)?;
    let scopes = scopes_for(&watches, &env, args.bundle.as_deref());
    if scopes.is_empty() {
        return Err(CommandError::usage(
            format!(
                "no watch covers {env}{}",
                bundle_note(args.bundle.as_deref())
            ),
            format!(
                "add a `kind: Watch` asset with `environment: {env}` or the bundle it watches \
                 (docs/watch.md)"
            ),
        ));
    }
    with_promotions(global, |mut session| async move {
        let result = watch_loop(&mut session, args, &env, &watches, &scopes, global).await;
        (session, result)
    })
}

fn bundle_note(bundle: Option<&str>) -> String {
    bundle.map(|b| format!(" for {b}")).unwrap_or_default()
}

/// The `kind: Watch` assets of the workspace, which must load cleanly.
fn workspace_watches(global: &GlobalArgs) -> Result<Watches, CommandError> {
    let (workspace, loaded) = super::load(global)?;
    if loaded.has_errors() {
        return Err(super::unclean(
            &loaded,
            global,
            "its watches cannot be read",
        ));
    }
    let mut watches = Watches::new();
    for asset in loaded.model.assets() {
        if let AssetSpec::Watch(watch) = &asset.spec {
            if let Some(env) = &watch.environment {
                if let Some(d) = super::undeclared_environment(&workspace, &env.value) {
                    return Err(CommandError::from_diagnostic(ErrorKind::Config, d));
                }
            }
            watches.insert(asset.id.to_string(), watch.clone());
        }
    }
    super::release(loaded);
    Ok(watches)
}

/// The watches that cover `env` (and `bundle`, when given).
fn scopes_for(watches: &Watches, env: &str, bundle: Option<&str>) -> Vec<WatchScope> {
    watches
        .iter()
        .filter(|(_, w)| w.environment.as_ref().is_none_or(|e| e.value == env))
        .map(|(id, w)| WatchScope {
            watch: id.clone(),
            bundle: w.bundle.as_ref().map(|b| b.value.to_string()),
        })
        .filter(|s| match (bundle, &s.bundle) {
            (Some(wanted), Some(of)) => wanted == of,
            _ => true,
        })
        .map(|mut s| {
            if s.bundle.is_none() {
                s.bundle = bundle.map(str::to_owned);
            }
            s
        })
        .collect()
}

async fn watch_loop(
    session: &mut PromotionSession,
    args: &WatchArgs,
    env: &str,
    watches: &Watches,
    scopes: &[WatchScope],
    global: &GlobalArgs,
) -> CommandResult {
    session.environment(env)?;
    let actor = match args.dry_run {
        true => None,
        false => Some(session.person(args.actor.person.as_deref())?),
    };
    if args.follow && std::env::var_os("FLOWGATE_NOW").is_some_and(|v| !v.is_empty()) {
        return Err(CommandError::usage(
            "--follow waits for checkpoints on the system clock, and FLOWGATE_NOW pins it",
            "unset FLOWGATE_NOW, or run `flowgate watch` without --follow at the times you want",
        ));
    }
    let mut evaluated = Vec::new();
    loop {
        let (due, next) = session
            .promotions()
            .checkpoints(env, scopes)
            .await
            .map_err(release_error)?;
        for checkpoint in due {
            let done = evaluate_one(session, &checkpoint, watches, actor.as_deref()).await?;
            if args.follow {
                print_one(&done, global);
            }
            evaluated.push(done);
        }
        if !args.follow || next.is_none() {
            return Ok(finish(env, &evaluated, next, args, global));
        }
        if let Some(next) = next {
            let wait = (next - Utc::now()).to_std().unwrap_or_default();
            tokio::time::sleep(wait.max(std::time::Duration::from_secs(1))).await;
        }
        session.now = Utc::now();
    }
}

async fn evaluate_one(
    session: &PromotionSession,
    due: &DueCheckpoint,
    watches: &Watches,
    actor: Option<&str>,
) -> Result<Evaluated, CommandError> {
    let Some(watch) = watches.get(&due.watch) else {
        return Err(CommandError::internal(format!(
            "watch {} vanished",
            due.watch
        )));
    };
    let context = SourceContext::new(&session.workspace.root);
    let report = flowgate_watch::evaluate(&due.watch, watch, due.release_at, due.at, &context)
        .await
        .map_err(|e| {
            CommandError::usage(e.to_string(), "check the release and checkpoint times")
        })?;
    let recorded = match actor {
        None => None,
        Some(actor) => {
            let result = CheckpointResult {
                due: due.clone(),
                verdict: report.verdict.as_str().to_owned(),
                action: action_of(report.action),
                summary: report.summary.clone(),
                report: serde_json::to_value(&report).unwrap_or(Value::Null),
            };
            Some(
                session
                    .promotions()
                    .record_checkpoint(&result, actor)
                    .await
                    .map_err(release_error)?,
            )
        }
    };
    Ok(Evaluated {
        due: due.clone(),
        report,
        recorded,
    })
}

fn action_of(action: Action) -> WatchAction {
    match action {
        Action::None => WatchAction::None,
        Action::Hold => WatchAction::Hold,
        Action::Pin => WatchAction::Pin,
        Action::Rollback => WatchAction::Rollback,
    }
}

/// With `--follow`, each checkpoint as it is evaluated: text, or one JSON object per line.
fn print_one(done: &Evaluated, global: &GlobalArgs) {
    match global.format {
        Format::Json => out(&format!(
            "{}\n",
            json!({ "version": 1, "evaluated": done.to_json() })
        )),
        _ => out(&checkpoint_text(done)),
    }
}

fn finish(
    env: &str,
    evaluated: &[Evaluated],
    next: Option<chrono::DateTime<Utc>>,
    args: &WatchArgs,
    global: &GlobalArgs,
) -> Exit {
    let mut text = String::new();
    if !args.follow {
        if evaluated.is_empty() {
            text.push_str(&format!("Nothing due in {env}.\n"));
        }
        for done in evaluated {
            text.push_str(&checkpoint_text(done));
        }
    }
    text.push_str(&next_text(env, next, args.dry_run));
    if !args.follow || global.format != Format::Json {
        emit(
            global,
            &text,
            json!({
                "version": 1,
                "env": env,
                "dry_run": args.dry_run,
                "evaluated": evaluated.iter().map(Evaluated::to_json).collect::<Vec<_>>(),
                "next": next,
            }),
        );
    }
    if evaluated.iter().any(Evaluated::alarming) {
        Exit::Findings
    } else {
        Exit::Success
    }
}

/// `flowgate watch results ENV`.
fn show_results(args: &ResultsArgs, global: &GlobalArgs) -> CommandResult {
    super::incident::refuse_remote(global, "watch")?;
    with_promotions(global, |session| async move {
        let result = async {
            session.environment(&args.env)?;
            let mut results = session
                .promotions()
                .checkpoint_results(None)
                .await
                .map_err(release_error)?;
            results.retain(|r| {
                r.env == args.env && args.bundle.as_ref().is_none_or(|b| *b == r.bundle)
            });
            results.reverse();
            emit(
                global,
                &results_text(&args.env, &results),
                json!({ "version": 1, "env": args.env, "results": results }),
            );
            Ok(Exit::Success)
        }
        .await;
        (session, result)
    })
}
