//! Opening the versioned store and resolving snapshot references, shared by `snapshot`,
//! `diff` and `changelog`.

use crate::cli::GlobalArgs;
use crate::exit::Exit;
use crate::output;
use chrono::{DateTime, Utc};
use flowgate_diagnostics::Diagnostic;
use flowgate_load::Workspace;
use flowgate_release::{Policy, Promotions};
use flowgate_store::{
    compare_versions, open_store, AnyStore, Snapshot, SnapshotKey, Store, DEFAULT_STORE_PATH,
};
use flowgate_store::{FixedClock, Timestamp};
use std::future::Future;
use std::sync::Arc;

/// Run `body` with the store on a single-threaded runtime; the store is closed afterwards.
pub fn with_store<F, Fut>(global: &GlobalArgs, body: F) -> Exit
where
    F: FnOnce(AnyStore) -> Fut,
    Fut: Future<Output = (AnyStore, Exit)>,
{
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            output::err(&format!("error: cannot start the async runtime: {e}\n"));
            return Exit::BadInput;
        }
    };
    runtime.block_on(async {
        let spec = match store_spec(global) {
            Ok(spec) => spec,
            Err(exit) => return exit,
        };
        let store = match open_store(&spec).await {
            Ok(store) => store,
            Err(e) => {
                fail(
                    global,
                    &format!("cannot open the store: {e}"),
                    "pass --store or set FLOWGATE_STORE to a PostgreSQL URL or a SQLite path",
                );
                return Exit::BadInput;
            }
        };
        let (store, exit) = body(store).await;
        store.close().await;
        exit
    })
}

/// `--store`, `FLOWGATE_STORE`, or the workspace's `.flowgate/store.db`.
fn store_spec(global: &GlobalArgs) -> Result<String, Exit> {
    if let Some(spec) = &global.store {
        return Ok(spec.clone());
    }
    let workspace = Workspace::discover(&global.workspace).map_err(|d| {
        output::fatal(&d, global);
        Exit::BadInput
    })?;
    Ok(workspace
        .root
        .join(DEFAULT_STORE_PATH)
        .to_string_lossy()
        .into_owned())
}

/// Report a fatal problem with a hint.
pub fn fail(global: &GlobalArgs, message: &str, help: &str) {
    output::fatal(&Diagnostic::error("FG015", message).with_help(help), global);
}

/// A snapshot by `BUNDLE@VERSION`, by id or id prefix (8+ hex characters), or by bundle
/// (its latest version). `Ok(None)` when nothing matches.
pub async fn find_snapshot(
    store: &AnyStore,
    reference: &str,
) -> Result<Option<Snapshot>, flowgate_store::Error> {
    if let Some((bundle, version)) = reference.split_once('@') {
        return store
            .get_snapshot(SnapshotKey::Version { bundle, version })
            .await;
    }
    let mut all = store.list_snapshots(None).await?;
    let is_hex = reference.len() >= 8 && reference.chars().all(|c| c.is_ascii_hexdigit());
    if is_hex {
        let wanted = reference.to_ascii_lowercase();
        let matches: Vec<_> = all
            .iter()
            .filter(|s| s.id.to_string().starts_with(&wanted))
            .collect();
        if let [one] = matches[..] {
            return store.get_snapshot(SnapshotKey::Id(&one.id)).await;
        }
    }
    all.retain(|s| s.bundle == reference);
    all.sort_by(|a, b| compare_versions(&a.version, &b.version));
    match all.pop() {
        Some(latest) => store.get_snapshot(SnapshotKey::Id(&latest.id)).await,
        None => Ok(None),
    }
}

/// The message for a reference that matches no snapshot.
pub fn not_found(global: &GlobalArgs, reference: &str) {
    fail(
        global,
        &format!("no snapshot `{reference}` in the store"),
        "`flowgate snapshot list` shows what is stored; refer to one as BUNDLE@VERSION or by id",
    );
}

/// What the promotion commands work with: the store (its clock pinned by `FLOWGATE_NOW` when
/// set), the workspace and its promotion policy.
pub struct PromotionSession {
    /// The store.
    pub store: AnyStore,
    /// The workspace.
    pub workspace: Workspace,
    /// Its people and environments.
    pub policy: Policy,
    /// Now (the system clock, or `FLOWGATE_NOW`).
    pub now: DateTime<Utc>,
}

impl PromotionSession {
    /// Promotion against this session's store and policy.
    pub fn promotions(&self) -> Promotions<'_, AnyStore> {
        Promotions::new(&self.store, &self.policy, self.now)
    }

    /// The person acting: `--as` or `FLOWGATE_USER`; reported as missing otherwise.
    pub fn actor(&self, given: Option<&str>, global: &GlobalArgs) -> Option<String> {
        match given.map(str::trim).filter(|p| !p.is_empty()) {
            Some(person) => Some(person.to_owned()),
            None => {
                let people: Vec<&str> = self.policy.people.keys().map(String::as_str).collect();
                fail(
                    global,
                    "this command needs to know who you are",
                    &format!(
                        "pass --as PERSON or set FLOWGATE_USER{}",
                        if people.is_empty() {
                            String::new()
                        } else {
                            format!(" (people: {})", people.join(", "))
                        }
                    ),
                );
                None
            }
        }
    }

    /// Who to record when nobody was named (git's user.name, `USER`).
    pub fn default_actor(&self) -> String {
        super::snapshot::author(None, &self.workspace.root)
    }
}

/// The pinned time of `FLOWGATE_NOW` (RFC 3339), for rehearsals and tests, or the system
/// clock.
pub fn now() -> Result<DateTime<Utc>, String> {
    match std::env::var("FLOWGATE_NOW") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<flowgate_store::Timestamp>()
            .map(|t| t.datetime())
            .map_err(|e| format!("FLOWGATE_NOW: {e}")),
        _ => Ok(Utc::now()),
    }
}

/// Run `body` with a [`PromotionSession`]; `flowgate.toml` problems are reported at their
/// place and end the command with exit code 2.
pub fn with_promotions<F, Fut>(global: &GlobalArgs, body: F) -> Exit
where
    F: FnOnce(PromotionSession) -> Fut,
    Fut: Future<Output = (PromotionSession, Exit)>,
{
    let workspace = match Workspace::discover(&global.workspace) {
        Ok(workspace) => workspace,
        Err(d) => {
            output::fatal(&d, global);
            return Exit::BadInput;
        }
    };
    let policy = match Policy::from_workspace(&workspace) {
        Ok(policy) => policy,
        Err(problems) => {
            for problem in &problems {
                output::fatal(problem, global);
            }
            return Exit::BadInput;
        }
    };
    let now = match now() {
        Ok(now) => now,
        Err(e) => {
            fail(
                global,
                &e,
                "write FLOWGATE_NOW as RFC 3339, e.g. 2026-11-27T09:00:00Z, or unset it",
            );
            return Exit::BadInput;
        }
    };
    let pinned = std::env::var_os("FLOWGATE_NOW").is_some_and(|v| !v.is_empty());
    with_store(global, |store| async move {
        let store = if pinned {
            store.with_clock(Arc::new(FixedClock(Timestamp::from_datetime(now))))
        } else {
            store
        };
        let session = PromotionSession {
            store,
            workspace,
            policy,
            now,
        };
        let (session, exit) = body(session).await;
        (session.store, exit)
    })
}
