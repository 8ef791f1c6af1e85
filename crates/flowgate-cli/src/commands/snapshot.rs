//! `flowgate snapshot`: freeze bundles as versions, and inspect, verify, export and import
//! them.

use super::store::{
    fail, find_snapshot, not_found, person_or_report, pinned_clock, policy_or_report, with_store,
};
use crate::cli::{Format, GlobalArgs, SnapshotCommand, SnapshotCreateArgs};
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

/// Run a `snapshot` subcommand.
pub fn run(command: &SnapshotCommand, global: &GlobalArgs) -> Exit {
    match command {
        SnapshotCommand::Create(args) => create(args, global),
        SnapshotCommand::List(args) => with_store(global, |store| async move {
            let exit = match store.list_snapshots(args.bundle.as_deref()).await {
                Ok(list) => {
                    if global.format == Format::Json {
                        output::out(&format!("{}\n", json!({ "version": 1, "snapshots": list })));
                    } else if list.is_empty() {
                        output::out("No snapshots.\n");
                    } else {
                        let mut text = String::new();
                        for s in &list {
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
                        output::out(&text);
                    }
                    Exit::Success
                }
                Err(e) => store_error(global, &e),
            };
            (store, exit)
        }),
        SnapshotCommand::Show(args) => show(&args.snapshot, global),
        SnapshotCommand::Verify => verify(global),
        SnapshotCommand::Export(args) => with_store(global, |store| async move {
            let exit = match find_snapshot(&store, &args.snapshot).await {
                Ok(Some(snapshot)) => match store.export_snapshot(&snapshot.id).await {
                    Ok(bytes) => match write_atomically(&args.file, &bytes) {
                        Ok(()) => {
                            output::out(&format!(
                                "wrote {} {} ({} bytes) to {}\n",
                                snapshot.bundle,
                                snapshot.version,
                                bytes.len(),
                                args.file.display()
                            ));
                            Exit::Success
                        }
                        Err(e) => {
                            fail(
                                global,
                                &format!("cannot write {}: {e}", args.file.display()),
                                "check the path and permissions",
                            );
                            Exit::BadInput
                        }
                    },
                    Err(e) => store_error(global, &e),
                },
                Ok(None) => {
                    not_found(global, &args.snapshot);
                    Exit::BadInput
                }
                Err(e) => store_error(global, &e),
            };
            (store, exit)
        }),
        SnapshotCommand::Import(args) => with_store(global, |store| async move {
            let bytes = match std::fs::read(&args.file) {
                Ok(bytes) => bytes,
                Err(e) => {
                    fail(
                        global,
                        &format!("cannot read {}: {e}", args.file.display()),
                        "check the path",
                    );
                    return (store, Exit::BadInput);
                }
            };
            let exit = match store.import_snapshot(&bytes).await {
                Ok(created) => {
                    output::out(&format!(
                        "{} snapshot {} ({} new objects)\n",
                        if created.created {
                            "imported"
                        } else {
                            "already had"
                        },
                        created.id.short(),
                        created.new_objects
                    ));
                    Exit::Success
                }
                Err(e) => {
                    fail(global, &format!("{}: {e}", args.file.display()), "the file was changed after export or is not a flowgate snapshot file; nothing was imported");
                    Exit::Findings
                }
            };
            (store, exit)
        }),
    }
}

fn create(args: &SnapshotCreateArgs, global: &GlobalArgs) -> Exit {
    let (workspace, loaded) = match super::load(global) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    if loaded.has_errors() {
        output::out(&output::human_diagnostics(
            &loaded.diagnostics,
            &loaded.sources,
            output::use_color(global),
        ));
        output::err("error: the workspace does not load cleanly; fix the problems above before freezing a release\n");
        return Exit::Findings;
    }
    let config = match parse_check_config(&workspace.config_text, "flowgate.toml") {
        Ok(config) => config,
        Err(diagnostics) => {
            for d in &diagnostics {
                output::fatal(d, global);
            }
            return Exit::BadInput;
        }
    };
    let Ok(policy) = policy_or_report(&workspace, global) else {
        return Exit::BadInput;
    };
    let given = args
        .author
        .clone()
        .or_else(|| std::env::var("FLOWGATE_USER").ok());
    let Some(author) = person_or_report(&policy, given.as_deref(), &workspace.root, global) else {
        return Exit::BadInput;
    };
    let (commit, dirty) = git_state(&workspace.root);
    let options = FreezeOptions {
        author,
        commit,
        dirty,
        environments: workspace.config.environments.keys().cloned().collect(),
    };
    let frozen = match freeze(&workspace.root, &loaded, &config, &args.bundle, &options) {
        Ok(frozen) => frozen,
        Err(e) => {
            fail(
                global,
                &e.to_string(),
                "`flowgate validate` and `flowgate check` show what is wrong",
            );
            return Exit::BadInput;
        }
    };
    if frozen.check_errors > 0 {
        output::err(&format!(
            "error: {} check error(s) on the bundle's assets; run `flowgate check` and fix them (or record an exception with its reason in [check]) before freezing a release\n",
            frozen.check_errors
        ));
        return Exit::Findings;
    }
    with_store(global, |store| async move {
        let (store, now) = match pinned_clock(&store, global).await {
            Ok(Some(now)) => {
                let at = Timestamp::from_datetime(now);
                (store.with_clock(Arc::new(FixedClock(at))), at)
            }
            Ok(None) => (store, SystemClock.now()),
            Err(exit) => return (store, exit),
        };
        let exit = create_in(&store, args, global, frozen, options.author, now).await;
        (store, exit)
    })
}

/// Refuses a version that is already taken by other content (exit 2); the same content again
/// goes on, and the store says it exists.
async fn refuse_taken_version(
    store: &AnyStore,
    args: &SnapshotCreateArgs,
    global: &GlobalArgs,
    frozen: &flowgate_release::Frozen,
    now: Timestamp,
) -> Result<(), Exit> {
    let key = SnapshotKey::Version {
        bundle: &args.bundle,
        version: &args.version,
    };
    let existing = match store.get_snapshot(key).await {
        Ok(existing) => existing,
        Err(e) => return Err(store_error(global, &e)),
    };
    let Some(existing) = existing else {
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
    fail(
        global,
        &format!(
            "{} {} already exists (snapshot {}, frozen by {} at {}) with other content",
            args.bundle,
            args.version,
            existing.id.short(),
            existing.author,
            existing.created_at.to_human()
        ),
        "versions are immutable: choose a new version (`flowgate diff` suggests one with --suggest-version)",
    );
    Err(Exit::BadInput)
}

async fn create_in(
    store: &AnyStore,
    args: &SnapshotCreateArgs,
    global: &GlobalArgs,
    frozen: flowgate_release::Frozen,
    author: String,
    now: Timestamp,
) -> Exit {
    if let Err(exit) = refuse_taken_version(store, args, global, &frozen, now).await {
        return exit;
    }
    let changes = match changes_since_latest(store, &frozen).await {
        Ok(changes) => changes,
        Err(e) => {
            fail(
                global,
                &e.to_string(),
                "`flowgate snapshot verify` checks the store",
            );
            return Exit::BadInput;
        }
    };
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
        Err(e @ ReleaseError::BadVersion(_)) => {
            output::err(&format!("error: {e}\n"));
            return Exit::BadInput;
        }
        Err(e) => {
            output::err(&format!("error: {e}\n"));
            return Exit::Findings;
        }
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
    match store.create_snapshot(&snapshot, &frozen.objects).await {
        Ok(created) => {
            let release = frozen.release_id(&args.version);
            if global.format == Format::Json {
                output::out(&format!(
                    "{}\n",
                    json!({"version": 1, "id": created.id, "created": created.created, "release_id": release, "assets": snapshot.entries.len(), "new_objects": created.new_objects, "required_bump": required.map(|b| b.as_str())})
                ));
            } else if created.created {
                output::out(&format!(
                    "snapshot {release} ({} {}) {}: {} assets, {} new objects{}\n",
                    snapshot.bundle,
                    snapshot.version,
                    created.id.short(),
                    snapshot.entries.len(),
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
            Exit::Success
        }
        Err(e) => store_error(global, &e),
    }
}

fn store_error(global: &GlobalArgs, e: &flowgate_store::Error) -> Exit {
    fail(
        global,
        &e.to_string(),
        "`flowgate snapshot verify` checks the store; nothing was changed",
    );
    if e.is_conflict() {
        Exit::Conflict
    } else {
        Exit::BadInput
    }
}

/// `LI-2.4.1` from a manifest.
pub fn release_id(manifest: &Value, version: &str) -> String {
    manifest
        .get("release_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| version.to_owned())
}

/// `flowgate snapshot show`: the manifest and the assets of one snapshot.
fn show(reference: &str, global: &GlobalArgs) -> Exit {
    with_store(global, |store| async move {
        let exit = match find_snapshot(&store, reference).await {
            Ok(Some(snapshot)) => {
                if global.format == Format::Json {
                    let shown = json!({ "version": 1, "snapshot": snapshot });
                    output::out(&format!("{shown}\n"));
                } else {
                    output::out(&show_text(&snapshot));
                }
                Exit::Success
            }
            Ok(None) => {
                not_found(global, reference);
                Exit::BadInput
            }
            Err(e) => store_error(global, &e),
        };
        (store, exit)
    })
}

/// A snapshot for people: its header, its manifest as indented fields, its assets.
fn show_text(snapshot: &flowgate_store::Snapshot) -> String {
    let mut text = format!(
        "{} {} ({})\nid:      {}\ncreated: {} by {}\nmanifest:\n",
        snapshot.bundle,
        snapshot.version,
        release_id(&snapshot.manifest, &snapshot.version),
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
fn verify(global: &GlobalArgs) -> Exit {
    with_store(global, |store| async move {
        let exit = match (store.verify().await, store.verify_log().await) {
            (Ok(report), Ok(log)) => {
                let intact = report.problems.is_empty() && log.broken.is_none();
                if global.format == Format::Json {
                    let shown =
                        json!({"version": 1, "intact": intact, "store": report, "log": log});
                    output::out(&format!("{shown}\n"));
                } else {
                    output::out(&verify_text(&report, &log));
                }
                if intact {
                    Exit::Success
                } else {
                    Exit::Findings
                }
            }
            (Err(e), _) | (_, Err(e)) => store_error(global, &e),
        };
        (store, exit)
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

/// Writes a file through a temporary name and a rename, so that it is whole or absent.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("flowgate-partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)
}
