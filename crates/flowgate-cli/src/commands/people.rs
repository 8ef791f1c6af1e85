//! `flowgate people invite` and `flowgate people list`: accounts kept in the store the server
//! uses. Whoever can write that store administers the server, so these run beside it.

use super::store::with_store;
use crate::cli::{Format, GlobalArgs, InviteArgs, PeopleCommand};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output;
use flowgate_release::Policy;
use serde_json::json;

/// Runs a `people` subcommand.
pub fn run(command: &PeopleCommand, global: &GlobalArgs) -> CommandResult {
    match command {
        PeopleCommand::Invite(args) => invite(args, global),
        PeopleCommand::List => list(global),
    }
}

fn policy(global: &GlobalArgs) -> Result<Policy, CommandError> {
    let workspace = super::discover(global)?;
    Policy::from_workspace(&workspace)
        .map_err(|d| CommandError::from_diagnostics(ErrorKind::Config, d))
}

fn invite(args: &InviteArgs, global: &GlobalArgs) -> CommandResult {
    let policy = policy(global)?;
    if !policy.people.contains_key(&args.person) {
        let known: Vec<&str> = policy.people.keys().map(String::as_str).collect();
        return Err(CommandError::usage(
            format!(
                "`{}` is not listed under [people] in flowgate.toml",
                args.person
            ),
            format!(
                "add [people.{}] with their roles first (people: {})",
                args.person,
                known.join(", ")
            ),
        ));
    }
    let base = args
        .url
        .clone()
        .or_else(|| global.server.clone())
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let base = crate::credentials::key(&base);
    let by = format!(
        "flowgate people invite ({})",
        super::store::hostname().unwrap_or_default()
    );
    with_store(global, |store| async {
        let made = flowgate_server::invite(&store, &args.person, &by, args.hours).await;
        let result = made
            .map_err(|e| CommandError::new(ErrorKind::Unavailable, e.to_string(), "try again"))
            .map(|invitation| {
                let link = format!("{base}/setup/{}", invitation.secret);
                if global.format == Format::Json {
                    output::out(&format!(
                        "{}\n",
                        json!({ "flowgate_invitation": 1, "person": invitation.person, "link": link,
                                "expires_at": invitation.expires_at.to_human() })
                    ));
                } else {
                    output::out(&format!(
                        "Send this link to {} privately; it works once, until {}:\n\n  {link}\n",
                        invitation.person,
                        invitation.expires_at.to_human()
                    ));
                }
                Exit::Success
            });
        (store, result)
    })
}

fn list(global: &GlobalArgs) -> CommandResult {
    let policy = policy(global)?;
    with_store(global, |store| async {
        let mut rows = Vec::new();
        for (id, person) in &policy.people {
            let accounts = store.accounts();
            let password = match accounts.password(id).await {
                Ok(p) => p.is_some(),
                Err(e) => return (store, Err(e.into())),
            };
            let now = accounts.now();
            let tokens = match accounts.tokens(id).await {
                Ok(t) => t.iter().filter(|t| t.is_valid_at(now)).count(),
                Err(e) => return (store, Err(e.into())),
            };
            rows.push(
                json!({ "person": id, "name": person.name, "roles": person.roles,
                              "password": password, "active_tokens": tokens }),
            );
        }
        if global.format == Format::Json {
            output::out(&format!(
                "{}\n",
                json!({ "flowgate_people": 1, "people": rows })
            ));
        } else {
            let mut text = String::new();
            for row in &rows {
                text.push_str(&format!(
                    "{:<12} {:<40} {:<12} {} token(s)\n",
                    row["person"].as_str().unwrap_or_default(),
                    row["roles"]
                        .as_array()
                        .map(|r| r
                            .iter()
                            .filter_map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", "))
                        .unwrap_or_default(),
                    if row["password"].as_bool() == Some(true) {
                        "can log in"
                    } else {
                        "invite first"
                    },
                    row["active_tokens"]
                ));
            }
            output::out(&text);
        }
        (store, Ok(Exit::Success))
    })
}
