//! `flowgate rollback`, `pin` and `unpin`.

use super::promote::{emit, outcome_json, report_error};
use super::store::with_promotions;
use crate::cli::{GlobalArgs, PinArgs, RollbackArgs};
use crate::exit::Exit;
use flowgate_release::Outcome;
use flowgate_store::Store;
use serde_json::json;

/// `flowgate rollback`.
pub fn rollback(args: &RollbackArgs, global: &GlobalArgs) -> Exit {
    with_promotions(global, |session| async move {
        let Some(actor) = session.actor(args.actor.person.as_deref(), global) else {
            return (session, Exit::BadInput);
        };
        let bundle = match &args.bundle {
            Some(bundle) => bundle.clone(),
            None => match session
                .store
                .list_refs(Some(&format!("env/{}/", args.env)))
                .await
            {
                Ok(refs) => match refs.as_slice() {
                    [one] => one.name.rsplit('/').next().unwrap_or_default().to_owned(),
                    [] => {
                        super::store::fail(
                            global,
                            &format!("{} holds nothing; there is nothing to roll back", args.env),
                            "`flowgate status` shows what each environment holds",
                        );
                        return (session, Exit::Findings);
                    }
                    many => {
                        let names: Vec<&str> = many
                            .iter()
                            .filter_map(|r| r.name.rsplit('/').next())
                            .collect();
                        super::store::fail(
                            global,
                            &format!("{} holds several bundles ({})", args.env, names.join(", ")),
                            "say which with --bundle",
                        );
                        return (session, Exit::BadInput);
                    }
                },
                Err(e) => {
                    super::store::fail(global, &e.to_string(), "run `flowgate snapshot verify`");
                    return (session, Exit::BadInput);
                }
            },
        };
        let result = session
            .promotions()
            .rollback(
                &args.env,
                &bundle,
                args.to_version.as_deref(),
                &actor,
                &args.reason,
                args.force,
            )
            .await;
        let exit = match result {
            Ok(outcome) => {
                let message = match &outcome {
                    Outcome::Done(seq) => format!(
                        "Rolled back: {} now holds {bundle} as before; operation #{seq}. {} is pinned: \
                         nothing is promoted into it until `flowgate unpin {} --reason …`.\n",
                        args.env, args.env, args.env
                    ),
                    Outcome::Unchanged(why) => format!("Nothing to do: {why}\n"),
                };
                emit(
                    global,
                    &message,
                    json!({ "env": args.env, "bundle": bundle, "outcome": outcome_json(&outcome) }),
                );
                Exit::Success
            }
            Err(e) => report_error(&e, global),
        };
        (session, exit)
    })
}

/// `flowgate pin` and `flowgate unpin`.
pub fn pin(args: &PinArgs, pinned: bool, global: &GlobalArgs) -> Exit {
    with_promotions(global, |session| async move {
        let Some(actor) = session.actor(args.actor.person.as_deref(), global) else {
            return (session, Exit::BadInput);
        };
        let exit = match session
            .promotions()
            .set_pin(&args.env, pinned, &actor, &args.reason)
            .await
        {
            Ok(outcome) => {
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
                Exit::Success
            }
            Err(e) => report_error(&e, global),
        };
        (session, exit)
    })
}
