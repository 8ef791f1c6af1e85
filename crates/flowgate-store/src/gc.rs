//! Garbage collection: removing the objects and tree nodes nothing reaches.
//!
//! What reaches content: every snapshot (none is ever removed: each is named by the operation
//! that recorded it, and refs, plans and approvals name snapshots), through its tree, and any
//! id that an operation's payload or a snapshot's manifest names (a reconciliation checkpoint,
//! say). Collection runs in one write transaction that holds the collection lock exclusively,
//! and every snapshot write holds it shared (see `db::Tx::lock_shared`): a writer that found an
//! object or node stored, and so did not store it again, commits before collection starts or
//! starts after it ended. What was added within the grace period is kept even when nothing
//! reaches it yet, for writers that store content in one transaction and refer to it in the
//! next.

use std::collections::BTreeSet;

use chrono::Duration;

use crate::db::{batches, placeholders, Arg, Tx};
use crate::engine::{Content, Engine};
use crate::error::Result;
use crate::id::TreeId;
use crate::model::{GcCount, GcOptions, GcReport, Timestamp};
use crate::tree::{self, WalkError};

/// Rows read per page while sweeping.
const SWEEP_PAGE: i64 = 5000;

/// Every run of exactly 64 lowercase hex digits in `text`: the ids it may name.
fn hex_ids(text: &str, out: &mut BTreeSet<String>) {
    let bytes = text.as_bytes();
    let mut start = None;
    for i in 0..=bytes.len() {
        let hex = bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
        match (hex, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s == 64 {
                    out.insert(text[s..i].to_owned());
                }
                start = None;
            }
            _ => {}
        }
    }
}

impl Engine {
    /// Removes (or, in a dry run, counts) the objects and tree nodes nothing reaches and that
    /// are older than the grace period. A snapshot whose tree cannot be read stops collection
    /// with [`crate::Error::Corrupt`] before anything is removed: what it reaches is unknown.
    pub(crate) async fn collect_garbage(&self, options: &GcOptions) -> Result<GcReport> {
        let grace = Duration::from_std(options.grace).unwrap_or(Duration::MAX);
        let now = self.now().datetime();
        let cutoff = now
            .checked_sub_signed(grace)
            .map_or_else(String::new, |at| Timestamp::from_datetime(at).to_rfc3339());
        let mut tx = self.write().await?;
        tx.lock_exclusive()
            .await
            .map_err(self.db("lock the store for collection"))?;
        let (roots, mut objects) = self.roots(&mut tx).await?;
        let mut trees = BTreeSet::new();
        let walked = tree::walk(&mut tx, &roots, &mut trees, |leaf| {
            objects.extend(leaf.into_iter().map(|e| e.object));
        })
        .await;
        match walked {
            Ok(()) => {}
            Err(WalkError::Db(e)) => return Err(self.db("read snapshot trees")(e)),
            Err(WalkError::Bad(problem)) => {
                return Err(self.corrupt(format!(
                    "{problem}; nothing was collected, since what that snapshot reaches is \
                     unknown"
                )))
            }
        }
        let trees: BTreeSet<String> = trees.iter().map(TreeId::to_string).collect();
        let sweep = Sweep {
            cutoff: &cutoff,
            dry_run: options.dry_run,
        };
        let report = GcReport {
            dry_run: options.dry_run,
            snapshots: roots.len() as u64,
            objects: self
                .sweep(&mut tx, Content::Objects, &objects, &sweep)
                .await?,
            trees: self.sweep(&mut tx, Content::Trees, &trees, &sweep).await?,
        };
        if options.dry_run {
            self.rollback(tx).await?;
        } else {
            self.commit(tx).await?;
        }
        Ok(report)
    }

    /// The root of every snapshot's tree, and every id that a snapshot's manifest or an
    /// operation's payload names.
    async fn roots(&self, tx: &mut Tx) -> Result<(Vec<TreeId>, BTreeSet<String>)> {
        let mut named = BTreeSet::new();
        let rows = tx
            .fetch_all("SELECT id, tree, manifest FROM flowgate_snapshots", &[])
            .await
            .map_err(self.db("list snapshots"))?;
        let mut roots = Vec::with_capacity(rows.len());
        for row in rows {
            let (id, tree, manifest) = (|| Ok((row.text(0)?, row.opt_text(1)?, row.text(2)?)))()
                .map_err(self.db("list snapshots"))?;
            let root = tree.as_deref().and_then(|t| t.parse::<TreeId>().ok());
            let Some(root) = root else {
                return Err(self.corrupt(format!(
                    "snapshot {id} has no readable tree root; nothing was collected, since what \
                     it reaches is unknown"
                )));
            };
            roots.push(root);
            hex_ids(&manifest, &mut named);
        }
        let mut after = 0i64;
        loop {
            let rows = tx
                .fetch_all(
                    "SELECT seq, payload FROM flowgate_operations WHERE seq > $1 ORDER BY seq \
                     LIMIT $2",
                    &[Arg::Int(after), Arg::Int(SWEEP_PAGE)],
                )
                .await
                .map_err(self.db("read the operation log"))?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let (seq, payload) = (|| Ok((row.int(0)?, row.text(1)?)))()
                    .map_err(self.db("read the operation log"))?;
                after = after.max(seq);
                hex_ids(&payload, &mut named);
            }
        }
        Ok((roots, named))
    }

    /// Counts the rows of `content` and removes those `reachable` does not hold and that were
    /// added before the cutoff.
    async fn sweep(
        &self,
        tx: &mut Tx,
        content: Content,
        reachable: &BTreeSet<String>,
        sweep: &Sweep<'_>,
    ) -> Result<GcCount> {
        let table = content.table();
        let sql =
            format!("SELECT id, size, added_at FROM {table} WHERE id > $1 ORDER BY id LIMIT $2");
        let mut count = GcCount::default();
        let mut doomed = Vec::new();
        let mut after = String::new();
        loop {
            let rows = tx
                .fetch_all(&sql, &[Arg::Text(&after), Arg::Int(SWEEP_PAGE)])
                .await
                .map_err(self.db("list stored content"))?;
            let Some(last) = rows.last() else { break };
            after = last.text(0).map_err(self.db("list stored content"))?;
            for row in &rows {
                let (id, size, added_at) = (|| Ok((row.text(0)?, row.int(1)?, row.text(2)?)))()
                    .map_err(self.db("list stored content"))?;
                if reachable.contains(&id) {
                    count.reachable += 1;
                } else if added_at.as_str() > sweep.cutoff {
                    count.recent += 1;
                } else {
                    count.removed += 1;
                    count.removed_bytes += u64::try_from(size).unwrap_or(0);
                    doomed.push(id);
                }
            }
        }
        if !sweep.dry_run {
            for batch in batches(&doomed, |_| 0) {
                let args: Vec<Arg<'_>> = batch.iter().map(|id| Arg::Text(id)).collect();
                let sql = format!(
                    "DELETE FROM {table} WHERE id IN ({})",
                    placeholders(1, batch.len())
                );
                tx.execute(&sql, &args)
                    .await
                    .map_err(self.db("remove unreachable content"))?;
            }
        }
        Ok(count)
    }
}

/// What a sweep removes: rows added at or before `cutoff` (RFC 3339 text, so text order is
/// time order; objects from before schema version 6 have an empty time), unless a dry run.
struct Sweep<'a> {
    cutoff: &'a str,
    dry_run: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_wherever_they_are_named() {
        let a = "a".repeat(64);
        let b = "0123456789abcdef".repeat(4);
        let text = format!(
            "{{\"checkpoint\":\"{a}\",\"x\":[\"{b}\"],\"long\":\"{a}0\",\"upper\":\"{}\"}}",
            b.to_uppercase()
        );
        let mut found = BTreeSet::new();
        hex_ids(&text, &mut found);
        assert_eq!(found, BTreeSet::from([a, b]));
    }
}
