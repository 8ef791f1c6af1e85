//! `flowgate rollback`, `pin` and `unpin`.

use super::promote::{outcome_json, release_error};
use super::store::{with_promotions, PromotionSession};
use crate::cli::{ActorArgs, GlobalArgs, PinArgs, RollbackArgs};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output::emit;
use flowgate_release::{Outcome, RollbackStep};
use flowgate_store::Store;
use serde_json::json;

/// The bundle a command on `env` is about: `given`, or the one bundle `env` holds.
pub async fn bundle_of(
    session: &PromotionSession,
    env: &str,
    given: Option<&str>,
) -> Result<String, CommandError> {
    if let Some(bundle) = given {
        return Ok(bundle.to_owned());
    }
    let refs = session
        .store
        .list_refs(Some(&format!("env/{env}/")))
        .await?;
    let names: Vec<&str> = refs
        .iter()
        .filter_map(|r| r.name.rsplit('/').next())
        .collect();
    match names.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(CommandError::usage(
            format!("{env} holds nothing; there is nothing to do"),
            "`flowgate status` shows what each environment holds",
        )),
        many => Err(CommandError::usage(
            format!("{env} holds several bundles ({})", many.join(", ")),
            "say which with --bundle",
        )),
    }
}

/// The person acting (`--as`) and the bundle a command on `env` is about.
pub async fn actor_and_bundle(
    session: &PromotionSession,
    actor: &ActorArgs,
    env: &str,
    bundle: Option<&str>,
) -> Result<(String, String), CommandError> {
    session.environment(env)?;
    let actor = session.actor(actor.person.as_deref())?;
    let bundle = bundle_of(session, env, bundle).await?;
    Ok((actor, bundle))
}

/// `flowgate rollback`.
pub fn rollback(args: &RollbackArgs, global: &GlobalArgs) -> CommandResult {
    with_promotions(global, |session| async move {
        let result = async {
            let (actor, bundle) =
                actor_and_bundle(&session, &args.actor, &args.env, args.bundle.as_deref()).await?;
            rollback_bundle(&session, args, &bundle, &actor, global).await
        }
        .await;
        (session, result)
    })
}

async fn rollback_bundle(
    session: &PromotionSession,
    args: &RollbackArgs,
    bundle: &str,
    actor: &str,
    global: &GlobalArgs,
) -> CommandResult {
    let promotions = session.promotions();
    let step = promotions
        .plan_rollback(&args.env, bundle, args.to_version.as_deref())
        .await
        .map_err(release_error)?;
    let env = &args.env;
    let (from, to) = match &step {
        RollbackStep::Move { current, target } => (current.version.clone(), target.version.clone()),
        RollbackStep::Unchanged(why) if args.dry_run => {
            emit(
                global,
                &format!("Nothing to do: {why}\n"),
                json!({ "version": 1, "env": env, "bundle": bundle, "dry_run": true, "outcome": outcome_json(&Outcome::Unchanged(why.clone())) }),
            );
            return Ok(Exit::Success);
        }
        RollbackStep::Unchanged(_) => (String::new(), String::new()),
    };
    let change = format!("{env}: {bundle} {from} → {to}");
    if args.dry_run {
        emit(
            global,
            &format!(
                "Would roll back {change}, re-deploying {bundle} {to} whole, and pin {env}. Nothing was changed (--dry-run).\n"
            ),
            json!({ "version": 1, "env": env, "bundle": bundle, "from": from, "to": to, "dry_run": true }),
        );
        return Ok(Exit::Success);
    }
    let outcome = promotions
        .rollback(
            env,
            bundle,
            args.to_version.as_deref(),
            actor,
            &args.reason,
            args.force,
        )
        .await
        .map_err(release_error)?;
    let message = match &outcome {
        Outcome::Done(seq) => format!(
            "Rolled back {change}; operation #{seq}. {env} is pinned: nothing is promoted \
             into it until `flowgate unpin {env} --reason …`.\n"
        ),
        Outcome::Unchanged(why) => format!("Nothing to do: {why}\n"),
    };
    emit(
        global,
        &message,
        json!({ "version": 1, "env": env, "bundle": bundle, "from": from, "to": to, "outcome": outcome_json(&outcome) }),
    );
    Ok(Exit::Success)
}

/// `flowgate pin` and `flowgate unpin`.
pub fn pin(args: &PinArgs, pinned: bool, global: &GlobalArgs) -> CommandResult {
    with_promotions(global, |session| async move {
        let result = async {
            session.environment(&args.env)?;
            let actor = session.actor(args.actor.person.as_deref())?;
            let outcome = session
                .promotions()
                .set_pin(&args.env, pinned, &actor, &args.reason)
                .await
                .map_err(release_error)?;
            let message = match &outcome {
                Outcome::Done(seq) => format!(
                    "{} is {}; operation #{seq}\n",
                    args.env,
                    if pinned { "pinned" } else { "unpinned" }
                ),
                Outcome::Unchanged(why) => format!("Nothing to do: {why}\n"),
            };
            emit(
                global,
                &message,
                json!({ "env": args.env, "pinned": pinned, "outcome": outcome_json(&outcome) }),
            );
            Ok(Exit::Success)
        }
        .await;
        (session, result)
    })
}
