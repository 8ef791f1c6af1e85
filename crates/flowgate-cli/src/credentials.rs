//! The personal API tokens `flowgate login` keeps, one per server, in
//! `$FLOWGATE_CONFIG_DIR/credentials.json` (default `$XDG_CONFIG_HOME/flowgate`, else
//! `~/.config/flowgate`), readable by its owner only. `FLOWGATE_TOKEN` overrides the file.

use crate::error::{CommandError, ErrorKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One server's token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Login {
    /// Whose token it is.
    pub person: String,
    /// The token's public id, for revoking it.
    pub id: String,
    /// The secret.
    pub token: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    flowgate_credentials: u32,
    servers: BTreeMap<String, Login>,
}

/// The directory holding the credentials file.
fn directory() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("FLOWGATE_CONFIG_DIR")
        .or_else(|| var("XDG_CONFIG_HOME").map(|d| d.join("flowgate")))
        .or_else(|| var("HOME").map(|d| d.join(".config").join("flowgate")))
}

fn path() -> Result<PathBuf, CommandError> {
    directory()
        .map(|d| d.join("credentials.json"))
        .ok_or_else(|| {
            CommandError::new(
                ErrorKind::Config,
                "there is no place for credentials: HOME is not set",
                "set FLOWGATE_CONFIG_DIR to a private directory, or FLOWGATE_TOKEN to a token",
            )
        })
}

fn read() -> Result<File, CommandError> {
    let path = path()?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(File::default()),
        Err(e) => {
            return Err(CommandError::new(
                ErrorKind::Config,
                format!("cannot read {}: {e}", path.display()),
                "fix its permissions, or remove it and run `flowgate login` again",
            ))
        }
    };
    serde_json::from_str(&text).map_err(|e| {
        CommandError::new(
            ErrorKind::Config,
            format!(
                "{}:{}:{}: not a credentials file: {e}",
                path.display(),
                e.line(),
                e.column()
            ),
            "remove it and run `flowgate login` again",
        )
    })
}

fn write(file: &File) -> Result<(), CommandError> {
    let path = path()?;
    let text = serde_json::to_string_pretty(file).unwrap_or_default();
    let failed = |e: std::io::Error| {
        CommandError::new(
            ErrorKind::Config,
            format!("cannot write {}: {e}", path.display()),
            "make its directory writable, or set FLOWGATE_CONFIG_DIR",
        )
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    crate::write::write_private(&path, text.as_bytes()).map_err(failed)
}

/// `url` without a trailing slash, the key of its entry.
pub fn key(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

/// The token to use for `server`: `FLOWGATE_TOKEN`, else the saved login.
pub fn token_for(server: &str) -> Result<Option<String>, CommandError> {
    if let Some(token) = std::env::var("FLOWGATE_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        return Ok(Some(token.trim().to_owned()));
    }
    Ok(read()?.servers.get(&key(server)).map(|l| l.token.clone()))
}

/// The saved login for `server`.
pub fn saved(server: &str) -> Result<Option<Login>, CommandError> {
    Ok(read()?.servers.get(&key(server)).cloned())
}

/// Saves `login` for `server`, replacing any earlier one.
pub fn save(server: &str, login: Login) -> Result<PathBuf, CommandError> {
    let mut file = read()?;
    file.flowgate_credentials = 1;
    file.servers.insert(key(server), login);
    write(&file)?;
    path()
}

/// Forgets the login for `server`.
pub fn forget(server: &str) -> Result<(), CommandError> {
    let mut file = read()?;
    if file.servers.remove(&key(server)).is_some() {
        file.flowgate_credentials = 1;
        write(&file)?;
    }
    Ok(())
}
