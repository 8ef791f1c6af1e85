//! `flowgate log` and `flowgate audit verify`: the operation log and its hash chain.

use super::store::with_store;
use crate::cli::{AuditCommand, GlobalArgs, LogArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output::emit;
use flowgate_store::{AnyStore, LogReport, Operation, OperationFilter, Store};
use serde_json::{json, Value};

/// `flowgate log [ENV]`.
pub fn log(args: &LogArgs, global: &GlobalArgs) -> CommandResult {
    if let (Some(env), Ok(workspace)) = (&args.env, super::discover(global)) {
        if let Some(d) = super::undeclared_environment(&workspace, env) {
            return Err(CommandError::from_diagnostic(ErrorKind::Usage, d));
        }
    }
    with_store(global, |store| async move {
        let ops = match store.operations(&OperationFilter::default()).await {
            Ok(ops) => ops,
            Err(e) => return (store, Err(e.into())),
        };
        let mut shown: Vec<&Operation> = ops
            .iter()
            .filter(|op| match &args.env {
                None => true,
                Some(env) => op.payload.get("env").and_then(Value::as_str) == Some(env.as_str()),
            })
            .collect();
        if let Some(limit) = args.limit {
            let skip = shown.len().saturating_sub(limit);
            shown.drain(..skip);
        }
        let widths = Widths::of(&shown);
        let text: String = shown
            .iter()
            .map(|op| format!("{}\n", line(op, &widths)))
            .collect();
        let text = if text.is_empty() {
            "(no operations)\n".to_owned()
        } else {
            text
        };
        emit(global, &text, json!({ "version": 1, "operations": shown }));
        (store, Ok(Exit::Success))
    })
}

/// Column widths that fit every shown operation, so long actor names keep the columns.
struct Widths {
    seq: usize,
    actor: usize,
    kind: usize,
}

impl Widths {
    fn of(ops: &[&Operation]) -> Self {
        let widest = |f: &dyn Fn(&Operation) -> usize| ops.iter().map(|op| f(op)).max();
        Self {
            seq: widest(&|op| op.seq.to_string().len()).unwrap_or(0),
            actor: widest(&|op| op.actor.chars().count()).unwrap_or(0),
            kind: widest(&|op| op.kind.chars().count()).unwrap_or(0),
        }
    }
}

/// One operation as a line: sequence, time, actor, kind and what it did.
fn line(op: &Operation, widths: &Widths) -> String {
    let p = &op.payload;
    let text = |key: &str| p.get(key).and_then(Value::as_str).unwrap_or_default();
    let short = |key: &str| {
        let t = text(key);
        t[..t.len().min(12)].to_owned()
    };
    use flowgate_store::OperationKind as K;
    let what = match op.kind_of() {
        Some(K::Plan) => format!(
            "plan {} for {} {} → {}",
            short("plan"),
            text("bundle"),
            text("version"),
            text("env")
        ),
        Some(K::Approve) => format!(
            "approved plan {} as {} ({} {} → {}){}",
            short("plan"),
            text("role"),
            text("bundle"),
            text("version"),
            text("env"),
            p.get("comment")
                .and_then(Value::as_str)
                .map(|c| format!(": {c}"))
                .unwrap_or_default()
        ),
        Some(K::Apply) => format!(
            "applied {} {} to {} (plan {})",
            text("bundle"),
            text("version"),
            text("env"),
            short("plan")
        ),
        Some(K::Rollback) => format!(
            "rolled {} in {} back from {} to {}: {}",
            text("bundle"),
            text("env"),
            text("from_version"),
            text("version"),
            text("reason")
        ),
        Some(K::Sync) => format!(
            "synced {} {} to {}'s target{}",
            text("bundle"),
            text("version"),
            text("env"),
            p.get("reason")
                .and_then(Value::as_str)
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        Some(K::IncidentOpen) => format!(
            "opened INC-{} in {}: {}",
            op.seq,
            text("env"),
            text("summary")
        ),
        Some(K::IncidentUpdate) => format!("updated {}", text("incident")),
        Some(K::IncidentLink) => match p.get("unlink").and_then(Value::as_str) {
            Some(release) => format!("unlinked {release} from {}", text("incident")),
            None => format!("linked {} to {}", text("release"), text("incident")),
        },
        Some(K::IncidentAction) => format!("action item of {}", text("incident")),
        Some(K::IncidentResolve) => format!("resolved {}", text("incident")),
        Some(K::WatchCheckpoint) => format!(
            "watch {} of {} {} in {} at {}: {}",
            text("watch"),
            text("bundle"),
            text("version"),
            text("env"),
            text("checkpoint"),
            text("verdict")
        ),
        Some(K::Pin) => format!("pinned {}: {}", text("env"), text("reason")),
        Some(K::Unpin) => format!("unpinned {}: {}", text("env"), text("reason")),
        _ => match (
            p.get("bundle").and_then(Value::as_str),
            p.get("version").and_then(Value::as_str),
        ) {
            (Some(bundle), Some(version)) => format!("{bundle} {version}"),
            _ => String::new(),
        },
    };
    format!(
        "#{:<seq$} {}  {:<actor$}  {:<kind$}  {what}",
        op.seq,
        op.at.to_human(),
        op.actor,
        op.kind,
        seq = widths.seq,
        actor = widths.actor,
        kind = widths.kind,
    )
}

/// `flowgate audit verify` and `flowgate audit anchor`.
pub fn run(command: &AuditCommand, global: &GlobalArgs) -> CommandResult {
    match command {
        AuditCommand::Verify(args) => {
            let mut anchors = args
                .anchors
                .iter()
                .map(|text| parse_anchor(text))
                .collect::<Result<Vec<_>, _>>()?;
            if args.git_anchors {
                anchors.extend(git_anchors(global)?);
            }
            with_store(global, |store| async move {
                let result = verify(&store, &anchors, global).await;
                (store, result)
            })
        }
        AuditCommand::Head => with_store(global, |store| async move {
            let result = head(&store, global).await;
            (store, result)
        }),
        AuditCommand::Anchor => with_store(global, |store| async move {
            let result = anchor_in_git(&store, global).await;
            (store, result)
        }),
    }
}

/// An anchor: the sequence number of a record and the hash it had.
struct Anchor {
    seq: u64,
    hash: String,
}

fn parse_anchor(text: &str) -> Result<Anchor, CommandError> {
    let parsed = text.split_once(':').and_then(|(seq, hash)| {
        let hash = hash.trim().to_ascii_lowercase();
        let hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        Some(Anchor {
            seq: seq.trim().parse().ok()?,
            hash: hex.then_some(hash)?,
        })
    });
    parsed.ok_or_else(|| {
        CommandError::usage(
            format!("`{text}` is not an anchor"),
            "write it as `flowgate audit head` prints it: SEQ:HASH, the hash in 64 hex digits",
        )
    })
}

/// The log's last record; an error when the log is empty.
async fn last_record(store: &AnyStore) -> Result<Operation, CommandError> {
    let mut ops = store.operations(&OperationFilter::default()).await?;
    ops.pop().ok_or_else(|| {
        CommandError::usage(
            "the log is empty: there is nothing to anchor yet",
            "anchor after the first snapshot or promotion",
        )
    })
}

async fn head(store: &AnyStore, global: &GlobalArgs) -> CommandResult {
    let head = last_record(store).await?;
    let anchor = format!("{}:{}", head.seq, head.hash);
    emit(
        global,
        &format!(
            "{anchor}\n  keep this outside the store (a CI artifact, a ticket) and check it with `flowgate audit verify --expect {anchor}`\n"
        ),
        json!({ "version": 1, "anchor": anchor, "seq": head.seq, "hash": head.hash.to_string(), "at": head.at }),
    );
    Ok(Exit::Success)
}

/// The tag prefix under which `audit anchor` records heads.
const TAG_PREFIX: &str = "flowgate-audit/";

/// Runs git in the workspace's directory: its output, or why it failed.
fn git(global: &GlobalArgs, args: &[&str]) -> Result<String, String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(&global.workspace)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

async fn anchor_in_git(store: &AnyStore, global: &GlobalArgs) -> CommandResult {
    let head = last_record(store).await?;
    let tag = format!("{TAG_PREFIX}{}-{}", head.seq, head.hash);
    let existing = git(global, &["tag", "--list", &tag]).map_err(not_a_repository)?;
    if existing.trim().is_empty() {
        git(global, &["tag", &tag, "HEAD"]).map_err(not_a_repository)?;
    }
    emit(
        global,
        &format!(
            "tagged {tag}\n  push it with your branch (`git push origin {tag}`); `flowgate audit verify --git-anchors` checks every such tag\n"
        ),
        json!({ "version": 1, "tag": tag, "seq": head.seq, "hash": head.hash.to_string() }),
    );
    Ok(Exit::Success)
}

fn not_a_repository(reason: String) -> CommandError {
    CommandError::usage(
        format!("cannot tag the workspace repository: {reason}"),
        "run it inside a git repository with at least one commit, or keep `flowgate audit head` where the store's writers cannot change it",
    )
}

/// The heads recorded as `flowgate-audit/SEQ-HASH` tags in the workspace repository.
fn git_anchors(global: &GlobalArgs) -> Result<Vec<Anchor>, CommandError> {
    let refs = git(
        global,
        &[
            "for-each-ref",
            "--format=%(refname:short)",
            "refs/tags/flowgate-audit/",
        ],
    )
    .map_err(not_a_repository)?;
    refs.lines()
        .filter_map(|name| name.strip_prefix(TAG_PREFIX))
        .map(|rest| parse_anchor(&rest.replacen('-', ":", 1)))
        .collect()
}

async fn verify(store: &AnyStore, anchors: &[Anchor], global: &GlobalArgs) -> CommandResult {
    let report = store.verify_log().await?;
    let ops = if anchors.is_empty() {
        Vec::new()
    } else {
        store.operations(&OperationFilter::default()).await?
    };
    let broken: Vec<String> = anchors
        .iter()
        .filter_map(|a| anchor_problem(a, &ops))
        .collect();
    Ok(verdict(&report, &broken, anchors.len(), global))
}

/// Why the log no longer holds an anchor, if it does not.
fn anchor_problem(anchor: &Anchor, ops: &[Operation]) -> Option<String> {
    match ops.iter().find(|op| op.seq == anchor.seq) {
        None => Some(format!(
            "anchor #{} is gone: the log was cut off or renumbered",
            anchor.seq
        )),
        Some(op) if op.hash.to_string() != anchor.hash => Some(format!(
            "anchor #{} does not hold: the record now hashes to {}, not {}; the log up to it was rewritten",
            anchor.seq,
            op.hash,
            anchor.hash
        )),
        Some(_) => None,
    }
}

/// Reports the log's verdict: intact, broken at a record, or with records dated before
/// their predecessor (a clock set back or forged). Exit 1 unless intact and in time order.
fn verdict(report: &LogReport, anchors: &[String], checked: usize, global: &GlobalArgs) -> Exit {
    let reversals: Vec<String> = report
        .time_reversals
        .iter()
        .map(|r| {
            format!(
                "operation #{} ({}) is dated before #{} ({})",
                r.seq,
                r.at.to_human(),
                r.previous_seq,
                r.previous_at.to_human()
            )
        })
        .collect();
    let mut text = match &report.broken {
        None => format!(
            "audit: {} operation(s), hash chain intact\n",
            report.records
        ),
        Some(broken) => format!(
            "audit: the log is broken at operation #{}: {}\n",
            broken.seq, broken.reason
        ),
    };
    if checked > 0 && anchors.is_empty() {
        text.push_str(&format!("audit: {checked} anchor(s) hold\n"));
    }
    for problem in anchors {
        text.push_str(&format!("audit: {problem}\n"));
    }
    if !reversals.is_empty() {
        text.push_str(&format!(
            "audit: time goes backwards in {} place(s); the clock was set back or forged:\n",
            reversals.len()
        ));
        for line in &reversals {
            text.push_str(&format!("  {line}\n"));
        }
    }
    emit(
        global,
        &text,
        json!({
            "version": 1,
            "operations": report.records,
            "intact": report.broken.is_none(),
            "broken": report.broken.as_ref().map(|b| json!({ "seq": b.seq, "reason": b.reason })),
            "anchors": { "checked": checked, "broken": anchors },
            "time_reversals": report.time_reversals.iter().map(|r| json!({
                "seq": r.seq, "at": r.at, "previous_seq": r.previous_seq, "previous_at": r.previous_at,
            })).collect::<Vec<_>>(),
        }),
    );
    if report.broken.is_none() && reversals.is_empty() && anchors.is_empty() {
        Exit::Success
    } else {
        Exit::Findings
    }
}
