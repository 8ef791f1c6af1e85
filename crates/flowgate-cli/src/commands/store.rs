//! Opening the versioned store and resolving snapshot references, shared by `snapshot`,
//! `diff` and `changelog`.

use crate::cli::GlobalArgs;
use crate::exit::Exit;
use crate::output;
use flowgate_diagnostics::Diagnostic;
use flowgate_load::Workspace;
use flowgate_store::{
    compare_versions, open_store, AnyStore, Snapshot, SnapshotKey, Store, DEFAULT_STORE_PATH,
};
use std::future::Future;

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
