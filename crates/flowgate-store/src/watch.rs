//! What a long-running reader of the store (the server) watches: the head of the operation
//! log, which moves with every change to refs and the log, and notices already sent, so that
//! several servers on one database send each notice once.

use crate::db::Arg;
use crate::engine::Engine;
use crate::error::Result;

/// The key prefix of notices in the store's metadata.
const NOTICE_PREFIX: &str = "notice/";

/// The newest operation of the log: every ref move and every operation changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHead {
    /// How many operations the log holds.
    pub seq: u64,
    /// The hash of the newest one (all zeros for an empty log).
    pub hash: String,
}

/// Notices sent about a condition that lasts (such as drift), shared by every server on the
/// store.
#[derive(Debug, Clone, Copy)]
pub struct Notices<'a> {
    pub(crate) engine: &'a Engine,
}

impl Engine {
    /// The log head, read in one statement.
    pub(crate) async fn log_head(&self) -> Result<LogHead> {
        let action = "read the operation log head";
        let mut tx = self.read().await?;
        let row = tx
            .fetch_optional("SELECT seq, hash FROM flowgate_log_head WHERE id = 1", &[])
            .await
            .map_err(self.db(action))?;
        self.commit(tx).await?;
        let Some(row) = row else {
            return Err(self.corrupt("the operation log head row is missing".to_owned()));
        };
        let (seq, hash) = (row.int(0).map_err(self.db(action))?, row.text(1));
        Ok(LogHead {
            seq: u64::try_from(seq)
                .map_err(|_| self.corrupt(format!("the log head's seq {seq} is negative")))?,
            hash: hash.map_err(self.db(action))?,
        })
    }
}

impl Notices<'_> {
    /// Records that `state` holds for `subject` and says whether the caller must send the
    /// notice: true exactly once per change of state, whichever server asks first.
    pub async fn claim(&self, subject: &str, state: &str) -> Result<bool> {
        let key = format!("{NOTICE_PREFIX}{subject}");
        let mut tx = self.engine.write().await?;
        let changed = tx
            .execute(
                "INSERT INTO flowgate_meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value \
                 WHERE flowgate_meta.value <> excluded.value",
                &[Arg::Text(&key), Arg::Text(state)],
            )
            .await
            .map_err(self.engine.db("record a notice"))?;
        self.engine.commit(tx).await?;
        Ok(changed > 0)
    }

    /// Forgets the state of `subject`, so that its next [`Notices::claim`] sends again; true
    /// when a state was recorded (the caller then tells that the condition ended).
    pub async fn clear(&self, subject: &str) -> Result<bool> {
        let key = format!("{NOTICE_PREFIX}{subject}");
        let mut tx = self.engine.write().await?;
        let removed = tx
            .execute(
                "DELETE FROM flowgate_meta WHERE key = $1",
                &[Arg::Text(&key)],
            )
            .await
            .map_err(self.engine.db("clear a notice"))?;
        self.engine.commit(tx).await?;
        Ok(removed > 0)
    }
}
