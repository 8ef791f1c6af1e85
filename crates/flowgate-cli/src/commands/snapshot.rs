//! `flowgate snapshot`: freeze bundles as versions, and inspect, verify, export and import
//! them.

use super::store::{person_id, pinned_clock, policy_of, snapshot_named, with_store};
use crate::cli::{
    Format, GlobalArgs, SnapshotCommand, SnapshotCreateArgs, SnapshotExportArgs, SnapshotImportArgs,
};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output;
use flowgate_check::parse_check_config;
use flowgate_release::{
    changes_since_latest, check_version, freeze, FreezeOptions, ReleaseError, ReleaseVersion,
    VersionVerdict,
};
use flowgate_store::{AnyStore, Clock, FixedClock, SnapshotKey, Store, SystemClock, Timestamp};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use crate::write::{finish_partial, partial_beside};

/// Run a `snapshot` subcommand.
pub fn run(command: &SnapshotCommand, global: &GlobalArgs) -> CommandResult {
    match command {
        SnapshotCommand::Create(args) => create(args, global),
        SnapshotCommand::List(args) => with_store(global, |store| async move {
            let result = match store.list_snapshots(args.bundle.as_deref()).await {
                Ok(list) => {
                    output::out(&list_text(&list, global));
                    Ok(Exit::Success)
                }
                Err(e) => Err(e.into()),
            };
            (store, result)
        }),
        SnapshotCommand::Show(args) => show(&args.snapshot, global),
        SnapshotCommand::Verify => verify(global),
        SnapshotCommand::Export(args) => with_store(global, |store| async move {
            let result = export(&store, args, global).await;
            (store, result)
        }),
        SnapshotCommand::Import(args) => {
            let importer = importer(args, global)?;
            let bytes = read_export_file(&args.file)?;
            with_store(global, |store| async move {
                let result = import(&store, args, &bytes, &importer, global).await;
                (store, result)
            })
        }
    }
}

/// The stored snapshots, as JSON or a table.
fn list_text(list: &[flowgate_store::SnapshotSummary], global: &GlobalArgs) -> String {
    if global.format == Format::Json {
        return format!("{}\n", json!({ "version": 1, "snapshots": list }));
    }
    if list.is_empty() {
        return "No snapshots.\n".to_owned();
    }
    let mut text = String::new();
    for s in list {
        let _ = writeln!(
            text,
            "{:<24} {:<10} {}  {:<16} {:>4} assets  {}",
            s.bundle,
            s.version,
            s.created_at,
            s.author,
            s.entries,
            s.id.short()
        );
    }
    text
}

/// `flowgate snapshot export REF FILE`: the file is written as the store is read (never whole
/// in memory), beside its final name, and renamed into place only when complete.
async fn export(store: &AnyStore, args: &SnapshotExportArgs, global: &GlobalArgs) -> CommandResult {
    let snapshot = snapshot_named(store, &args.snapshot).await?;
    let cannot_write = |e: std::io::Error| {
        CommandError::usage(
            format!("cannot write {}: {e}", args.file.display()),
            "check the path and permissions",
        )
    };
    let mut file = partial_beside(&args.file).map_err(cannot_write)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file.as_file_mut());
    let bytes = match store.export_snapshot_to(&snapshot.id, &mut out).await {
        Ok(bytes) => bytes,
        Err(flowgate_store::Error::ExportUnwritable { source }) => {
            return Err(cannot_write(source))
        }
        Err(error) => return Err(error.into()),
    };
    drop(out);
    finish_partial(file, &args.file).map_err(cannot_write)?;
    crate::output::emit(
        global,
        &format!(
            "wrote {} {} ({} bytes) to {}\n",
            snapshot.bundle,
            snapshot.version,
            bytes,
            args.file.display()
        ),
        json!({ "id": snapshot.id, "bundle": snapshot.bundle, "snapshot_version": snapshot.version, "bytes": bytes, "file": args.file.display().to_string() }),
    );
    Ok(Exit::Success)
}

/// The person importing: `--as`, `FLOWGATE_USER` or git's user, a person of the workspace.
fn importer(args: &SnapshotImportArgs, global: &GlobalArgs) -> Result<String, CommandError> {
    let workspace = super::discover(global)?;
    let policy = policy_of(&workspace)?;
    let given = args
        .person
        .clone()
        .or_else(|| std::env::var("FLOWGATE_USER").ok());
    person_id(&policy, given.as_deref(), &workspace.root)
}

/// An export file's bytes, read no further than the largest file an import accepts.
fn read_export_file(path: &Path) -> Result<Vec<u8>, CommandError> {
    let file = std::fs::File::open(path).map_err(|e| {
        CommandError::usage(
            format!("cannot read {}: {e}", path.display()),
            "check the path",
        )
    })?;
    flowgate_store::read_export(file).map_err(|e| {
        CommandError::usage(
            format!("{}: {e}", path.display()),
            "this is not a flowgate snapshot file, or it is larger than an import accepts; nothing was imported",
        )
    })
}

/// `flowgate snapshot import FILE`.
async fn import(
    store: &AnyStore,
    args: &SnapshotImportArgs,
    bytes: &[u8],
    importer: &str,
    global: &GlobalArgs,
) -> CommandResult {
    let created = store.import_snapshot_as(bytes, importer).await.map_err(|e| {
        match CommandError::from(e) {
            unavailable if unavailable.kind() == ErrorKind::Unavailable => unavailable,
            other => CommandError::usage(
                format!("{}: {}", args.file.display(), other.message()),
                "the file was changed after export or is not a flowgate snapshot file; nothing was imported",
            ),
        }
    })?;
    crate::output::emit(
        global,
        &format!(
            "{} snapshot {} ({} new objects)\n",
            if created.created {
                "imported"
            } else {
                "already had"
            },
            created.id.short(),
            created.new_objects
        ),
        json!({ "id": created.id, "created": created.created, "new_objects": created.new_objects }),
    );
    Ok(Exit::Success)
}

pub(crate) fn create(args: &SnapshotCreateArgs, global: &GlobalArgs) -> CommandResult {
    let (workspace, loaded) = super::load(global)?;
    if loaded.has_errors() {
        return Err(super::unclean(
            &loaded,
            global,
            "no release can be frozen from it",
        ));
    }
    let config = parse_check_config(&workspace.config_text, "flowgate.toml")
        .map_err(|diagnostics| CommandError::from_diagnostics(ErrorKind::Config, diagnostics))?;
    let policy = policy_of(&workspace)?;
    let given = args
        .author
        .clone()
        .or_else(|| std::env::var("FLOWGATE_USER").ok());
    let author = person_id(&policy, given.as_deref(), &workspace.root)?;
    let (commit, dirty) = git_state(&workspace.root);
    let options = FreezeOptions {
        author,
        commit,
        dirty,
        environments: workspace.config.environments.keys().cloned().collect(),
    };
    let frozen =
        freeze(&workspace.root, &loaded, &config, &args.bundle, &options).map_err(|e| {
            CommandError::usage(
                e.to_string(),
                "`flowgate validate` and `flowgate check` show what is wrong",
            )
        })?;
    // The model of a large workspace is hundreds of thousands of small allocations, and the
    // process ends soon: freeing them one by one would only delay the exit.
    std::mem::forget(loaded);
    if frozen.check_errors > 0 {
        return Err(CommandError::new(
            ErrorKind::Refused,
            format!("{} check error(s) on the bundle's assets", frozen.check_errors),
            "run `flowgate check` and fix them (or record an exception with its reason in [check]) before freezing a release",
        ));
    }
    with_store(global, |store| async move {
        let (store, now) = match pinned_clock(&store).await {
            Ok(Some(now)) => {
                let at = Timestamp::from_datetime(now);
                (store.with_clock(Arc::new(FixedClock(at))), at)
            }
            Ok(None) => (store, SystemClock.now()),
            Err(error) => return (store, Err(error)),
        };
        let result = create_in(&store, args, global, frozen, options.author, now).await;
        (store, result)
    })
}

/// Refuses a version that is already taken by other content (exit 2); the same content again
/// goes on, and the store says it exists.
async fn refuse_taken_version(
    store: &AnyStore,
    args: &SnapshotCreateArgs,
    frozen: &flowgate_release::Frozen,
    now: Timestamp,
) -> Result<(), CommandError> {
    let key = SnapshotKey::Version {
        bundle: &args.bundle,
        version: &args.version,
    };
    let Some(existing) = store.get_snapshot(key).await? else {
        return Ok(());
    };
    let id = frozen
        .to_snapshot(
            &ReleaseVersion {
                version: &args.version,
                author: existing.author.clone(),
                previous: None,
                required: None,
                override_reason: None,
            },
            now,
        )
        .id();
    if id == existing.id {
        return Ok(());
    }
    Err(CommandError::usage(
        format!(
            "{} {} already exists (snapshot {}, frozen by {} at {}) with other content",
            args.bundle,
            args.version,
            existing.id.short(),
            existing.author,
            existing.created_at.to_human()
        ),
        "versions are immutable: choose a new version (`flowgate diff` suggests one with --suggest-version)",
    ))
}

async fn create_in(
    store: &AnyStore,
    args: &SnapshotCreateArgs,
    global: &GlobalArgs,
    frozen: flowgate_release::Frozen,
    author: String,
    now: Timestamp,
) -> CommandResult {
    refuse_taken_version(store, args, &frozen, now).await?;
    let changes = changes_since_latest(store, &frozen)
        .await
        .map_err(CommandError::from)?;
    // Freezing the latest version again is the store's business: same content is a no-op,
    // other content a conflict.
    let (previous, diff) = match changes {
        Some((previous, diff)) if previous.version != args.version => (Some(previous), Some(diff)),
        _ => (None, None),
    };
    let verdict = check_version(
        &args.version,
        previous
            .as_ref()
            .filter(|p| p.version != args.version)
            .map(|p| p.version.as_str()),
        diff.as_ref(),
        args.allow_version.as_deref(),
    );
    let required = match verdict {
        Ok(VersionVerdict::First) => None,
        Ok(VersionVerdict::Fits { required }) => Some(required),
        Err(e @ ReleaseError::VersionTooSmall(_)) => {
            return Err(CommandError::new(
                ErrorKind::Refused,
                e.to_string(),
                "choose a version that fits the change (`flowgate diff --suggest-version`), or pass --allow-version with the reason",
            ))
        }
        Err(e) => return Err(CommandError::from(e)),
    };
    let snapshot = frozen.to_snapshot(
        &ReleaseVersion {
            version: &args.version,
            author,
            previous: previous.as_ref().map(|p| p.version.as_str()),
            required,
            override_reason: args.allow_version.as_deref(),
        },
        now,
    );
    let created = store.create_snapshot(&snapshot, &frozen.objects).await?;
    let assets = snapshot.entries.len();
    {
        {
            let release = frozen.release_id(&args.version);
            // Freed by the exit, not one allocation at a time (see `create`).
            std::mem::forget((frozen, snapshot));
            if global.format == Format::Json {
                output::out(&format!(
                    "{}\n",
                    json!({"version": 1, "id": created.id, "created": created.created, "release_id": release, "assets": assets, "new_objects": created.new_objects, "required_bump": required.map(|b| b.as_str())})
                ));
            } else if created.created {
                output::out(&format!(
                    "snapshot {release} ({} {}) {}: {} assets, {} new objects{}\n",
                    args.bundle,
                    args.version,
                    created.id.short(),
                    assets,
                    created.new_objects,
                    required
                        .map(|b| format!(
                            ", changes since {} require a {b} release",
                            previous.as_ref().map(|p| p.version.as_str()).unwrap_or("-")
                        ))
                        .unwrap_or_default()
                ));
            } else {
                output::out(&format!(
                    "snapshot {release} already exists with this content ({}); nothing written\n",
                    created.id.short()
                ));
            }
        }
    }
    Ok(Exit::Success)
}

/// `flowgate snapshot show`: the manifest and the assets of one snapshot.
fn show(reference: &str, global: &GlobalArgs) -> CommandResult {
    with_store(global, |store| async move {
        let result = snapshot_named(&store, reference).await.map(|snapshot| {
            if global.format == Format::Json {
                let shown = json!({ "version": 1, "snapshot": snapshot });
                output::out(&format!("{shown}\n"));
            } else {
                output::out(&show_text(&snapshot));
            }
            Exit::Success
        });
        (store, result)
    })
}

/// A snapshot for people: its header, its manifest as indented fields, its assets.
fn show_text(snapshot: &flowgate_store::Snapshot) -> String {
    let mut text = format!(
        "{} {} ({})\nid:      {}\ncreated: {} by {}\nmanifest:\n",
        snapshot.bundle,
        snapshot.version,
        flowgate_release::release_id_of(&snapshot.manifest, &snapshot.version),
        snapshot.id,
        snapshot.created_at,
        snapshot.author
    );
    fields_text(&snapshot.manifest, 1, &mut text);
    let _ = writeln!(text, "assets ({}):", snapshot.entries.len());
    for entry in &snapshot.entries {
        let _ = writeln!(
            text,
            "  {:<12} {:<40} {}",
            entry.kind,
            entry.id,
            entry.object.short()
        );
    }
    text
}

/// The fields of a JSON object as `key: value` lines, nested objects indented; empty lists and
/// objects are left out, lists of plain values are written on one line.
fn fields_text(value: &Value, depth: usize, text: &mut String) {
    let Value::Object(fields) = value else {
        return;
    };
    let indent = "  ".repeat(depth);
    for (key, value) in fields {
        match value {
            Value::Object(inner) if inner.is_empty() => {}
            Value::Array(items) if items.is_empty() => {}
            Value::Object(_) => {
                let _ = writeln!(text, "{indent}{key}:");
                fields_text(value, depth + 1, text);
            }
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(plain).collect();
                let _ = writeln!(text, "{indent}{key}: {}", items.join(", "));
            }
            _ => {
                let _ = writeln!(text, "{indent}{key}: {}", plain(value));
            }
        }
    }
}

/// A JSON value as a person reads it: strings unquoted, `null` as `-`.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

/// `flowgate snapshot verify`: every hash in the store, and the log's chain.
fn verify(global: &GlobalArgs) -> CommandResult {
    with_store(global, |store| async move {
        let result = match (store.verify().await, store.verify_log().await) {
            (Ok(report), Ok(log)) => {
                let intact = report.problems.is_empty() && log.broken.is_none();
                if global.format == Format::Json {
                    let shown =
                        json!({"version": 1, "intact": intact, "store": report, "log": log});
                    output::out(&format!("{shown}\n"));
                } else {
                    output::out(&verify_text(&report, &log));
                }
                Ok(if intact {
                    Exit::Success
                } else {
                    Exit::Findings
                })
            }
            (Err(e), _) | (_, Err(e)) => Err(e.into()),
        };
        (store, result)
    })
}

/// What `snapshot verify` found, for people.
fn verify_text(report: &flowgate_store::VerifyReport, log: &flowgate_store::LogReport) -> String {
    let mut text = format!(
        "store: {} objects, {} snapshots, {} refs: {}\n",
        report.objects,
        report.snapshots,
        report.refs,
        if report.problems.is_empty() {
            "every hash checks out".to_owned()
        } else {
            format!("{} problem(s)", report.problems.len())
        }
    );
    for problem in &report.problems {
        let _ = writeln!(text, "  ✗ {problem}");
    }
    match &log.broken {
        None => {
            let _ = writeln!(
                text,
                "log:   {} operations, hash chain intact (head {})",
                log.records,
                log.head.short()
            );
        }
        Some(broken) => {
            let _ = writeln!(
                text,
                "log:   broken at operation #{}: {}",
                broken.seq, broken.reason
            );
        }
    }
    for r in &log.time_reversals {
        let _ = writeln!(
            text,
            "  ✗ operation #{} is dated {}, before #{} ({}); `flowgate audit verify` explains",
            r.seq, r.at, r.previous_seq, r.previous_at
        );
    }
    text
}

/// The source commit and whether the checkout has uncommitted changes (`None` outside git).
fn git_state(root: &Path) -> (Option<String>, Option<bool>) {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "HEAD"]).filter(|c| !c.is_empty());
    let dirty = commit
        .as_ref()
        .and_then(|_| git(&["status", "--porcelain", "--", "."]))
        .map(|s| !s.is_empty());
    (commit, dirty)
}

/// Who is acting: `--as`, `FLOWGATE_USER`, git's `user.name`, `USER`.
pub fn author(given: Option<&str>, root: &Path) -> String {
    if let Some(name) = given.filter(|n| !n.trim().is_empty()) {
        return name.to_owned();
    }
    if let Ok(name) = std::env::var("FLOWGATE_USER") {
        if !name.trim().is_empty() {
            return name;
        }
    }
    let git_name = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["config", "user.name"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|n| !n.is_empty());
    git_name
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".to_owned())
}
