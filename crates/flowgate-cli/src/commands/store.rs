//! Opening the versioned store and resolving snapshot references, shared by `snapshot`,
//! `diff` and `changelog`.

use crate::cli::{GlobalArgs, StoreGcArgs, StoreInitArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use chrono::{DateTime, Utc};
use flowgate_load::Workspace;
use flowgate_release::{Policy, Promotions};
use flowgate_store::{
    compare_versions, open_store, AnyStore, Snapshot, SnapshotKey, Store, DEFAULT_STORE_PATH,
};
use flowgate_store::{FixedClock, GcCount, GcOptions, GcReport, Timestamp};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;

/// Run `body` with the store on a single-threaded runtime; the store is closed afterwards.
pub fn with_store<F, Fut>(global: &GlobalArgs, body: F) -> CommandResult
where
    F: FnOnce(AnyStore) -> Fut,
    Fut: Future<Output = (AnyStore, CommandResult)>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let spec = store_spec(global)?;
        let store = open_store(&spec).await?;
        let (store, result) = body(store).await;
        store.close().await;
        result
    })
}

/// `--store` (or `FLOWGATE_STORE`), the workspace's `[store] url`, or its
/// `.flowgate/store.db`.
pub fn store_spec(global: &GlobalArgs) -> Result<String, CommandError> {
    if let Some(spec) = &global.store {
        return Ok(spec.clone());
    }
    let workspace = super::discover(global)?;
    let Some(section) = &workspace.config.store else {
        return Ok(workspace
            .root
            .join(DEFAULT_STORE_PATH)
            .to_string_lossy()
            .into_owned());
    };
    let url = section.url.get_ref();
    let spec = match url.strip_prefix("env:") {
        Some(name) => std::env::var(name).map_err(|_| {
            CommandError::new(
                ErrorKind::Config,
                format!("`[store] url` names the variable {name}, which is not set"),
                format!("set {name} to the store's URL or path, or pass --store"),
            )
        })?,
        None => url.clone(),
    };
    Ok(relative_to_root(&workspace.root, spec))
}

/// A SQLite path relative to the workspace root; URLs and absolute paths as they are.
fn relative_to_root(root: &std::path::Path, spec: String) -> String {
    if spec.contains("://") || std::path::Path::new(&spec).is_absolute() {
        spec
    } else {
        root.join(spec).to_string_lossy().into_owned()
    }
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

/// The error for a reference that matches no snapshot.
pub fn not_found(reference: &str) -> CommandError {
    CommandError::usage(
        format!("no snapshot `{reference}` in the store"),
        "`flowgate snapshot list` shows what is stored; refer to one as BUNDLE@VERSION or by id",
    )
}

/// The snapshot `reference` names, or an error saying none does.
pub async fn snapshot_named(store: &AnyStore, reference: &str) -> Result<Snapshot, CommandError> {
    find_snapshot(store, reference)
        .await?
        .ok_or_else(|| not_found(reference))
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
    /// Promotion against this session's store and policy, on this host.
    pub fn promotions(&self) -> Promotions<'_, AnyStore> {
        let promotions = Promotions::new(&self.store, &self.policy, self.now)
            .with_targets(&flowgate_targets::Platforms);
        match hostname() {
            Some(host) => promotions.on_host(host),
            None => promotions,
        }
    }

    /// `name` when `flowgate.toml` declares it; else the error (FG019, exit 2) listing those
    /// it does.
    pub fn environment<'n>(&self, name: &'n str) -> Result<&'n str, CommandError> {
        match super::undeclared_environment(&self.workspace, name) {
            None => Ok(name),
            Some(d) => Err(CommandError::from_diagnostic(ErrorKind::Usage, d)),
        }
    }

    /// The person acting: `--as` or `FLOWGATE_USER`; an error when missing.
    pub fn actor(&self, given: Option<&str>) -> Result<String, CommandError> {
        match given.map(str::trim).filter(|p| !p.is_empty()) {
            Some(person) => Ok(person.to_owned()),
            None => {
                let people: Vec<&str> = self.policy.people.keys().map(String::as_str).collect();
                let listed = if people.is_empty() {
                    String::new()
                } else {
                    format!(" (people: {})", people.join(", "))
                };
                Err(CommandError::usage(
                    "this command needs to know who you are",
                    format!("pass --as PERSON or set FLOWGATE_USER{listed}"),
                ))
            }
        }
    }

    /// The person acting: `--as` (or `FLOWGATE_USER`) naming a person id, or the person git's
    /// `user.name` / `user.email` belong to; an error (exit 2) when it is no one.
    pub fn person(&self, given: Option<&str>) -> Result<String, CommandError> {
        person_id(&self.policy, given, &self.workspace.root)
    }
}

/// The machine's host name, recorded with each deploy to a directory target.
pub fn hostname() -> Option<String> {
    let read = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| {
            std::process::Command::new("hostname")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        });
    read.map(|h| h.trim().to_owned()).filter(|h| !h.is_empty())
}

/// What git says about who is working in `root`: `user.name` and `user.email`.
fn git_identity(root: &Path) -> (Option<String>, Option<String>) {
    let read = |key: &str| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["config", "--get", key])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    (read("user.name"), read("user.email"))
}

/// Why nobody could be named, with what to do.
pub struct NoPerson {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// The person id acting: `given` (`--as` / `FLOWGATE_USER`) must be one of `[people]`;
/// without it, git's `user.name` or `user.email` must belong to one of them.
pub fn resolve_person(
    policy: &Policy,
    given: Option<&str>,
    root: &Path,
) -> Result<String, NoPerson> {
    let people: Vec<&str> = policy.people.keys().map(String::as_str).collect();
    let listed = if people.is_empty() {
        "flowgate.toml lists nobody under [people] yet".to_owned()
    } else {
        format!("people: {}", people.join(", "))
    };
    if let Some(id) = given.map(str::trim).filter(|p| !p.is_empty()) {
        return if policy.people.contains_key(id) {
            Ok(id.to_owned())
        } else {
            Err(NoPerson {
                message: format!("`{id}` is not a person id under [people] in flowgate.toml"),
                help: format!("pass --as with a person id ({listed}), or add `[people.{id}]` with `name`, `email` and `roles` to flowgate.toml"),
            })
        };
    }
    let (name, email) = git_identity(root);
    if let Some(person) = policy.identify(name.as_deref(), email.as_deref()) {
        return Ok(person.id.clone());
    }
    let who = match (&name, &email) {
        (Some(n), Some(e)) => format!("git's user `{n} <{e}>`"),
        (Some(n), None) => format!("git's user `{n}`"),
        (None, Some(e)) => format!("git's user `<{e}>`"),
        (None, None) => "nobody (no --as, FLOWGATE_USER or git user.name/user.email)".to_owned(),
    };
    Err(NoPerson {
        message: format!("{who} is no one under [people] in flowgate.toml, so this cannot be recorded as theirs"),
        help: format!(
            "pass --as PERSON ({listed}), or add yourself: [people.<id>] with name = \"{}\" and email = \"{}\" (and your roles) in flowgate.toml",
            name.as_deref().unwrap_or("Your Name"),
            email.as_deref().unwrap_or("you@example.com")
        ),
    })
}

/// [`resolve_person`], as a command error when it is no one.
pub fn person_id(
    policy: &Policy,
    given: Option<&str>,
    root: &Path,
) -> Result<String, CommandError> {
    resolve_person(policy, given, root).map_err(|no| CommandError::usage(no.message, no.help))
}

/// The clock for a command on `store`: `FLOWGATE_NOW` when set (refused, exit 2, unless the
/// store is a rehearsal store), else `None` (the system clock).
pub async fn pinned_clock(store: &AnyStore) -> Result<Option<DateTime<Utc>>, CommandError> {
    let pinned = std::env::var_os("FLOWGATE_NOW").is_some_and(|v| !v.is_empty());
    if !pinned {
        return Ok(None);
    }
    let now = now().map_err(|e| {
        CommandError::usage(
            e,
            "write FLOWGATE_NOW as RFC 3339, e.g. 2026-11-27T09:00:00Z, or unset it",
        )
    })?;
    if store.is_rehearsal().await? {
        return Ok(Some(now));
    }
    Err(CommandError::usage(
        format!(
            "FLOWGATE_NOW is set, but the store at {} is a real store: its operations take the system clock",
            store.location()
        ),
        "unset FLOWGATE_NOW; only a rehearsal store (the demo's, or one made with `flowgate store init --rehearsal`) takes a pinned clock",
    ))
}

/// `flowgate store init [--rehearsal]`: creates the store (schema up to date) and, with
/// `--rehearsal`, marks it as a rehearsal store for good.
pub fn init(args: &StoreInitArgs, global: &GlobalArgs) -> CommandResult {
    with_store(global, |store| async move {
        let result = init_in(&store, args, global).await;
        (store, result)
    })
}

async fn init_in(store: &AnyStore, args: &StoreInitArgs, global: &GlobalArgs) -> CommandResult {
    if args.rehearsal {
        store.mark_rehearsal().await.map_err(|e| {
            CommandError::usage(
                e.to_string(),
                "a rehearsal store starts empty: give another --store, or remove this one",
            )
        })?;
    }
    let rehearsal = store.is_rehearsal().await?;
    let kind = if rehearsal {
        "a rehearsal store (FLOWGATE_NOW may set its clock)"
    } else {
        "a real store (system clock)"
    };
    crate::output::emit(
        global,
        &format!("store {}: {kind}\n", store.location()),
        serde_json::json!({ "version": 1, "store": store.location(), "rehearsal": rehearsal }),
    );
    Ok(Exit::Success)
}

/// `flowgate store gc [--dry-run] [--grace-minutes N]`: removes (or counts) the objects and
/// tree nodes nothing reaches.
pub fn gc(args: &StoreGcArgs, global: &GlobalArgs) -> CommandResult {
    let options = GcOptions {
        dry_run: args.dry_run,
        grace: std::time::Duration::from_secs(args.grace_minutes.saturating_mul(60)),
    };
    with_store(global, |store| async move {
        let result = match store.collect_garbage(&options).await {
            Ok(report) => {
                crate::output::emit(
                    global,
                    &gc_text(&report, store.location(), args.grace_minutes),
                    gc_json(&report, store.location(), args.grace_minutes),
                );
                Ok(Exit::Success)
            }
            Err(error) => Err(error.into()),
        };
        (store, result)
    })
}

fn gc_json(report: &GcReport, location: &str, grace_minutes: u64) -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "store": location,
        "dry_run": report.dry_run,
        "grace_minutes": grace_minutes,
        "snapshots": report.snapshots,
        "objects": report.objects,
        "trees": report.trees,
    })
}

fn gc_text(report: &GcReport, location: &str, grace_minutes: u64) -> String {
    let verb = if report.dry_run {
        "would remove"
    } else {
        "removed"
    };
    let line = |what: &str, count: &GcCount| {
        format!(
            "  {what}: {verb} {} ({} bytes); kept {} reachable, {} added in the last \
             {grace_minutes} min\n",
            count.removed, count.removed_bytes, count.reachable, count.recent
        )
    };
    format!(
        "store {location}: {} snapshots walked{}\n{}{}",
        report.snapshots,
        if report.dry_run {
            " (dry run: nothing removed)"
        } else {
            ""
        },
        line("objects", &report.objects),
        line("tree nodes", &report.trees)
    )
}

/// The pinned time of `FLOWGATE_NOW` (RFC 3339), for rehearsal stores, or the system clock.
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

/// The workspace's promotion policy; its problems, at their place in `flowgate.toml`, are
/// the error.
pub fn policy_of(workspace: &Workspace) -> Result<Policy, CommandError> {
    Policy::from_workspace(workspace)
        .map_err(|problems| CommandError::from_diagnostics(ErrorKind::Config, problems))
}

/// Run `body` with a [`PromotionSession`]; `flowgate.toml` problems are reported at their
/// place and end the command with exit code 2.
pub fn with_promotions<F, Fut>(global: &GlobalArgs, body: F) -> CommandResult
where
    F: FnOnce(PromotionSession) -> Fut,
    Fut: Future<Output = (PromotionSession, CommandResult)>,
{
    let workspace = super::discover(global)?;
    let policy = policy_of(&workspace)?;
    with_store(global, |store| async move {
        let (store, now) = match pinned_clock(&store).await {
            Ok(Some(now)) => (
                store.with_clock(Arc::new(FixedClock(Timestamp::from_datetime(now)))),
                now,
            ),
            Ok(None) => (store, Utc::now()),
            Err(error) => return (store, Err(error)),
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
