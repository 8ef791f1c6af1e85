//! Notifications waiting to be delivered. A server records each delivery here before trying
//! it, so a delivery outlives the process that queued it: any server on the store claims due
//! deliveries for a while (a lease), tries them, and marks each delivered, to retry later, or
//! given up. Bodies hold no secret: the receiver is named by a fingerprint of its address,
//! which the server matches against its configured receivers.

use crate::db::{Arg, Row};
use crate::engine::Engine;
use crate::error::Result;
use chrono::{DateTime, SecondsFormat, Utc};

/// A delivery to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Its id, the same on every attempt (for the receiver's idempotency).
    pub id: String,
    /// A fingerprint of the receiver's address.
    pub target: String,
    /// The event's name.
    pub event: String,
    /// The JSON body.
    pub body: Vec<u8>,
    /// Attempts made so far.
    pub attempts: u32,
}

/// The outbox of one store (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct Outbox<'a> {
    pub(crate) engine: &'a Engine,
}

const COLUMNS: &str = "id, target, event, body, attempts";

/// A time as the outbox stores it: RFC 3339 to the microsecond in UTC, like every time in
/// the store, so that text order is time order.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Outbox<'_> {
    async fn run(&self, action: &'static str, sql: &str, args: &[Arg<'_>]) -> Result<u64> {
        self.engine.run_one(action, sql, args).await
    }

    fn delivery(&self, row: &Row) -> Result<Delivery> {
        let db = self.engine.db("read a delivery");
        let attempts = row.int(4).map_err(&db)?;
        Ok(Delivery {
            id: row.text(0).map_err(&db)?,
            target: row.text(1).map_err(&db)?,
            event: row.text(2).map_err(&db)?,
            body: row.bytes(3).map_err(&db)?,
            attempts: u32::try_from(attempts).map_err(|_| {
                self.engine
                    .corrupt(format!("a delivery has {attempts} attempts"))
            })?,
        })
    }

    /// Queues a delivery, due now.
    pub async fn enqueue(&self, id: &str, target: &str, event: &str, body: &[u8]) -> Result<()> {
        let now = stamp(self.engine.now().datetime());
        self.run(
            "queue a notification",
            "INSERT INTO flowgate_outbox (id, target, event, body, attempts, due_at, claimed_until, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5, '', $5)",
            &[Arg::Text(id), Arg::Text(target), Arg::Text(event), Arg::Bytes(body), Arg::Text(&now)],
        )
        .await
        .map(drop)
    }

    /// Claims up to `limit` due deliveries for `lease_seconds`: no other server tries them
    /// until the lease ends.
    pub async fn claim_due(&self, limit: u32, lease_seconds: i64) -> Result<Vec<Delivery>> {
        let now = self.engine.now().datetime();
        let until = stamp(now + chrono::Duration::seconds(lease_seconds));
        let now = stamp(now);
        let sql = format!(
            "UPDATE flowgate_outbox SET claimed_until = $2 \
             WHERE id IN (SELECT id FROM flowgate_outbox WHERE due_at <= $1 AND claimed_until < $1 \
                          ORDER BY due_at LIMIT $3) \
             AND due_at <= $1 AND claimed_until < $1 RETURNING {COLUMNS}"
        );
        let mut tx = self.engine.write().await?;
        let rows = tx
            .fetch_all(
                &sql,
                &[
                    Arg::Text(&now),
                    Arg::Text(&until),
                    Arg::Int(i64::from(limit)),
                ],
            )
            .await
            .map_err(self.engine.db("claim notifications"))?;
        self.engine.commit(tx).await?;
        rows.iter().map(|r| self.delivery(r)).collect()
    }

    /// The delivery arrived: it leaves the outbox.
    pub async fn delivered(&self, id: &str) -> Result<()> {
        self.run(
            "remove a delivered notification",
            "DELETE FROM flowgate_outbox WHERE id = $1",
            &[Arg::Text(id)],
        )
        .await
        .map(drop)
    }

    /// The attempt failed: try again after `wait_seconds`.
    pub async fn retry_later(&self, id: &str, wait_seconds: f64) -> Result<()> {
        let millis = (wait_seconds * 1000.0).clamp(0.0, 86_400_000.0) as i64;
        let due = stamp(self.engine.now().datetime() + chrono::Duration::milliseconds(millis));
        self.run(
            "reschedule a notification",
            "UPDATE flowgate_outbox SET attempts = attempts + 1, due_at = $2, claimed_until = '' WHERE id = $1",
            &[Arg::Text(id), Arg::Text(&due)],
        )
        .await
        .map(drop)
    }

    /// How many deliveries wait (due or not).
    pub async fn pending(&self) -> Result<u64> {
        let mut tx = self.engine.read().await?;
        let row = tx
            .fetch_optional("SELECT COUNT(*) FROM flowgate_outbox", &[])
            .await
            .map_err(self.engine.db("count notifications"))?;
        self.engine.commit(tx).await?;
        let count = row
            .map(|r| r.int(0))
            .transpose()
            .map_err(self.engine.db("count notifications"))?;
        Ok(count.and_then(|c| u64::try_from(c).ok()).unwrap_or(0))
    }
}
