//! `flowgate login` and `flowgate logout`: a personal API token for a server, kept on this
//! machine for the promotion commands.

use crate::cli::{Format, GlobalArgs, LoginArgs};
use crate::credentials::{self, Login};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output;
use crate::remote::Remote;
use serde_json::{json, Value};
use std::io::{BufRead as _, IsTerminal as _};

fn server(global: &GlobalArgs) -> Result<String, CommandError> {
    crate::remote::server_url(global)
        .map(|url| credentials::key(&url))
        .ok_or_else(|| {
            CommandError::usage(
                "which server? none is named",
                "pass --server https://HOST, set FLOWGATE_SERVER, or set [server] url in flowgate.toml",
            )
        })
}

/// One line of standard input, without its line ending.
fn read_line(what: &str) -> Result<String, CommandError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CommandError::usage(format!("cannot read the {what}: {e}"), "pipe it in"))?;
    let line = line.trim_end_matches(['\n', '\r']).to_owned();
    if line.is_empty() {
        return Err(CommandError::usage(
            format!("no {what} on standard input"),
            format!("pipe the {what} in"),
        ));
    }
    Ok(line)
}

fn person(args: &LoginArgs) -> Result<String, CommandError> {
    if let Some(person) = &args.person {
        return Ok(person.trim().to_owned());
    }
    if !std::io::stdin().is_terminal() || args.password_stdin {
        return Err(CommandError::usage("who are you?", "pass --person YOUR-ID"));
    }
    eprint!("Person id: ");
    read_line("person id")
}

fn password(args: &LoginArgs) -> Result<String, CommandError> {
    if args.password_stdin {
        return read_line("password");
    }
    if !std::io::stdin().is_terminal() {
        return Err(CommandError::usage(
            "there is no terminal to ask for the password",
            "pass --password-stdin and pipe it in, or use --with-token",
        ));
    }
    rpassword::prompt_password("Password: ").map_err(|e| {
        CommandError::usage(
            format!("cannot read the password: {e}"),
            "pass --password-stdin",
        )
    })
}

/// `flowgate login`.
pub fn login(args: &LoginArgs, global: &GlobalArgs) -> CommandResult {
    let url = server(global)?;
    let saved = if args.with_token {
        let token = read_line("token")?;
        let me = Remote::new(&url, Some(token.clone()))?.get("/api/me")?;
        let id = me["credential"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("token ")
            .to_owned();
        Login {
            person: me["person"].as_str().unwrap_or_default().to_owned(),
            id,
            token,
        }
    } else {
        let person = person(args)?;
        let password = password(args)?;
        let name = args.name.clone().unwrap_or_else(|| {
            format!(
                "cli@{}",
                super::store::hostname().unwrap_or_else(|| "unknown".to_owned())
            )
        });
        let body = json!({ "name": name, "person": person, "password": password, "days": 90 });
        let issued = Remote::new(&url, None)?.post("/api/tokens", &body)?;
        Login {
            person: issued["record"]["person"]
                .as_str()
                .unwrap_or(&person)
                .to_owned(),
            id: issued["record"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            token: issued["token"].as_str().unwrap_or_default().to_owned(),
        }
    };
    let path = credentials::save(&url, saved.clone())?;
    if global.format == Format::Json {
        output::out(&format!(
            "{}\n",
            json!({ "flowgate_login": 1, "server": url, "person": saved.person, "token_id": saved.id })
        ));
    } else {
        output::out(&format!(
            "Logged in to {url} as {} (token {}, kept in {}).\n",
            saved.person,
            saved.id,
            path.display()
        ));
    }
    Ok(Exit::Success)
}

/// `flowgate logout`: revokes the saved token on the server, then forgets it.
pub fn logout(global: &GlobalArgs) -> CommandResult {
    let url = server(global)?;
    let Some(saved) = credentials::saved(&url)? else {
        output::out(&format!("Not logged in to {url}.\n"));
        return Ok(Exit::Success);
    };
    let remote = Remote::new(&url, Some(saved.token.clone()))?;
    let revoked: Result<Value, CommandError> = remote.post(
        &format!("/api/tokens/{}/revoke", crate::remote::segment(&saved.id)),
        &json!({}),
    );
    credentials::forget(&url)?;
    match revoked {
        Ok(_) => output::out(&format!("Logged out of {url}: token {} revoked and forgotten.\n", saved.id)),
        Err(e) => output::out(&format!(
            "Forgot the token {} for {url}; the server did not revoke it ({}): revoke it on the tokens page.\n",
            saved.id,
            e.message()
        )),
    }
    Ok(Exit::Success)
}
