//! `flowgate sync`: re-deploy what an environment holds to its target, repairing drift.

use super::promote::{outcome_json, release_error};
use super::rollback::actor_and_bundle;
use super::store::with_promotions;
use crate::cli::{GlobalArgs, SyncArgs};
use crate::error::CommandResult;
use crate::exit::Exit;
use crate::output::emit;
use flowgate_release::Outcome;
use serde_json::json;

/// `flowgate sync ENV [--bundle B] --as PERSON [--reason …] [--force]`.
pub fn run(args: &SyncArgs, global: &GlobalArgs) -> CommandResult {
    with_promotions(global, |session| async move {
        let result = async {
            let (actor, bundle) =
                actor_and_bundle(&session, &args.actor, &args.env, args.bundle.as_deref())
                    .await?;
            let outcome = session
                .promotions()
                .sync(
                    &args.env,
                    &bundle,
                    &actor,
                    args.reason.as_deref(),
                    args.force,
                )
                .await
                .map_err(release_error)?;
            let message = match &outcome {
                Outcome::Done(seq) => format!(
                    "Synced: the target of {} holds {bundle} as deployed again; operation #{seq}\n",
                    args.env
                ),
                Outcome::Unchanged(why) => format!("Nothing to do: {why}\n"),
            };
            emit(
                global,
                &message,
                json!({ "version": 1, "env": args.env, "bundle": bundle, "outcome": outcome_json(&outcome) }),
            );
            Ok(Exit::Success)
        }
        .await;
        (session, result)
    })
}
