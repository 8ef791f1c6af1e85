//! Accounts of the people a server authenticates: password hashes, one-time invitations,
//! personal API tokens, browser sessions, recent login failures and OpenID Connect logins in
//! progress.
//!
//! The store never sees a secret. Callers pass what they derived from it: an argon2id PHC
//! string for a password, a hash of the random bytes of an invitation, token or session id.
//! Every row lives in the database, so several servers on one PostgreSQL share sessions,
//! token revocations and login rate limits. Times come from the store's clock.

use crate::db::{Arg, Row};
use crate::engine::Engine;
use crate::error::Result;
use crate::model::Timestamp;
use std::str::FromStr;

/// A personal API token as listed to its owner (never its secret or hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenRecord {
    /// The public id (`tok_…`), used to revoke it.
    pub id: String,
    /// Whose token it is.
    pub person: String,
    /// The owner's name for it (`ci`, `laptop`).
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// When it was last used.
    pub last_used_at: Option<Timestamp>,
}

impl TokenRecord {
    /// Whether the token authenticates at `now`: not revoked, not expired.
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|end| now < end)
    }
}

/// A browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Who is logged in.
    pub person: String,
    /// The session's CSRF token, which every form it posts must carry.
    pub csrf: String,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// A new personal API token to store.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// Its public id.
    pub id: &'a str,
    /// The hash of its secret.
    pub hash: &'a str,
    /// Whose it is.
    pub person: &'a str,
    /// Its name.
    pub name: &'a str,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
}

/// The accounts kept in one store (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'a> {
    pub(crate) engine: &'a Engine,
}

impl Accounts<'_> {
    fn timestamp(&self, text: &str) -> Result<Timestamp> {
        Timestamp::from_str(text).map_err(|e| self.engine.corrupt(format!("an account row: {e}")))
    }

    fn opt_timestamp(&self, text: Option<String>) -> Result<Option<Timestamp>> {
        text.as_deref().map(|t| self.timestamp(t)).transpose()
    }

    /// The store clock's time now.
    pub fn now(&self) -> Timestamp {
        self.engine.now()
    }

    async fn run(&self, action: &'static str, sql: &str, args: &[Arg<'_>]) -> Result<u64> {
        self.engine.run_one(action, sql, args).await
    }

    async fn row(&self, action: &'static str, sql: &str, args: &[Arg<'_>]) -> Result<Option<Row>> {
        let mut tx = self.engine.read().await?;
        let row = tx
            .fetch_optional(sql, args)
            .await
            .map_err(self.engine.db(action))?;
        self.engine.commit(tx).await?;
        Ok(row)
    }

    /// Sets (or replaces) `person`'s password hash.
    pub async fn set_password(&self, person: &str, phc: &str) -> Result<()> {
        let now = self.now().to_rfc3339();
        self.run(
            "store a password",
            "INSERT INTO flowgate_passwords (person, hash, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (person) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
            &[Arg::Text(person), Arg::Text(phc), Arg::Text(&now)],
        )
        .await
        .map(drop)
    }

    /// `person`'s password hash, if they set one.
    pub async fn password(&self, person: &str) -> Result<Option<String>> {
        let row = self
            .row(
                "read a password",
                "SELECT hash FROM flowgate_passwords WHERE person = $1",
                &[Arg::Text(person)],
            )
            .await?;
        row.map(|r| r.text(0))
            .transpose()
            .map_err(self.engine.db("read a password"))
    }

    /// Records an invitation for `person`, valid until `expires_at`.
    pub async fn create_invite(
        &self,
        hash: &str,
        person: &str,
        by: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        let (now, end) = (self.now().to_rfc3339(), expires_at.to_rfc3339());
        self.run(
            "record an invitation",
            "INSERT INTO flowgate_invites (token_hash, person, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                Arg::Text(hash),
                Arg::Text(person),
                Arg::Text(by),
                Arg::Text(&now),
                Arg::Text(&end),
            ],
        )
        .await
        .map(drop)
    }

    /// The person an unused, unexpired invitation is for, without using it.
    pub async fn invite(&self, hash: &str) -> Result<Option<String>> {
        let now = self.now().to_rfc3339();
        let row = self
            .row(
                "read an invitation",
                "SELECT person FROM flowgate_invites WHERE token_hash = $1 \
                 AND used_at IS NULL AND expires_at > $2",
                &[Arg::Text(hash), Arg::Text(&now)],
            )
            .await?;
        row.map(|r| r.text(0))
            .transpose()
            .map_err(self.engine.db("read an invitation"))
    }

    /// Uses an invitation and sets the password it was for, in one transaction: of two
    /// concurrent uses exactly one succeeds. The person, or `None` when the invitation is
    /// unknown, used or expired.
    pub async fn redeem_invite(&self, hash: &str, phc: &str) -> Result<Option<String>> {
        let now = self.now().to_rfc3339();
        let mut tx = self.engine.write().await?;
        let db = self.engine.db("use an invitation");
        let row = tx
            .fetch_optional(
                "UPDATE flowgate_invites SET used_at = $2 WHERE token_hash = $1 \
                 AND used_at IS NULL AND expires_at > $2 RETURNING person",
                &[Arg::Text(hash), Arg::Text(&now)],
            )
            .await
            .map_err(&db)?;
        let Some(person) = row.map(|r| r.text(0)).transpose().map_err(&db)? else {
            return Ok(None);
        };
        tx.execute(
            "INSERT INTO flowgate_passwords (person, hash, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (person) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
            &[Arg::Text(&person), Arg::Text(phc), Arg::Text(&now)],
        )
        .await
        .map_err(&db)?;
        self.engine.commit(tx).await?;
        Ok(Some(person))
    }

    /// Stores a new personal API token.
    pub async fn create_token(&self, token: &NewToken<'_>) -> Result<()> {
        let now = self.now().to_rfc3339();
        let end = token.expires_at.map(|t| t.to_rfc3339());
        self.run(
            "store an API token",
            "INSERT INTO flowgate_tokens (id, token_hash, person, name, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Arg::Text(token.id),
                Arg::Text(token.hash),
                Arg::Text(token.person),
                Arg::Text(token.name),
                Arg::Text(&now),
                Arg::OptText(end.as_deref()),
            ],
        )
        .await
        .map(drop)
    }

    const TOKEN_COLUMNS: &'static str =
        "id, person, name, created_at, expires_at, revoked_at, last_used_at";

    fn token_from_row(&self, row: &Row) -> Result<TokenRecord> {
        let read = self.engine.db("read an API token");
        Ok(TokenRecord {
            id: row.text(0).map_err(&read)?,
            person: row.text(1).map_err(&read)?,
            name: row.text(2).map_err(&read)?,
            created_at: self.timestamp(&row.text(3).map_err(&read)?)?,
            expires_at: self.opt_timestamp(row.opt_text(4).map_err(&read)?)?,
            revoked_at: self.opt_timestamp(row.opt_text(5).map_err(&read)?)?,
            last_used_at: self.opt_timestamp(row.opt_text(6).map_err(&read)?)?,
        })
    }

    /// The token whose secret hashes to `hash`, valid or not, and marks it used now. The mark
    /// is written at most once a minute per token, so that requests with a token are reads:
    /// `last_used_at` is to the minute.
    pub async fn use_token(&self, hash: &str) -> Result<Option<TokenRecord>> {
        let now = self.now();
        let db = self.engine.db("read an API token");
        let sql = format!(
            "SELECT {} FROM flowgate_tokens WHERE token_hash = $1",
            Self::TOKEN_COLUMNS
        );
        let mut tx = self.engine.read().await?;
        let row = tx
            .fetch_optional(&sql, &[Arg::Text(hash)])
            .await
            .map_err(&db)?;
        self.engine.commit(tx).await?;
        let Some(mut record) = row.as_ref().map(|r| self.token_from_row(r)).transpose()? else {
            return Ok(None);
        };
        let fresh = record.last_used_at.is_some_and(|at| {
            now.datetime().signed_duration_since(at.datetime()) < chrono::Duration::minutes(1)
        });
        if !fresh {
            let at = now.to_rfc3339();
            self.run(
                "mark an API token used",
                "UPDATE flowgate_tokens SET last_used_at = $2 WHERE token_hash = $1",
                &[Arg::Text(hash), Arg::Text(&at)],
            )
            .await?;
            record.last_used_at = Some(now);
        }
        Ok(Some(record))
    }

    /// `person`'s tokens, newest first.
    pub async fn tokens(&self, person: &str) -> Result<Vec<TokenRecord>> {
        let mut tx = self.engine.read().await?;
        let sql = format!(
            "SELECT {} FROM flowgate_tokens WHERE person = $1 ORDER BY created_at DESC, id",
            Self::TOKEN_COLUMNS
        );
        let rows = tx
            .fetch_all(&sql, &[Arg::Text(person)])
            .await
            .map_err(self.engine.db("list API tokens"))?;
        self.engine.commit(tx).await?;
        rows.iter().map(|r| self.token_from_row(r)).collect()
    }

    /// Revokes `person`'s token `id`; false when they have no such unrevoked token.
    pub async fn revoke_token(&self, person: &str, id: &str) -> Result<bool> {
        let now = self.now().to_rfc3339();
        let changed = self
            .run(
                "revoke an API token",
                "UPDATE flowgate_tokens SET revoked_at = $3 \
                 WHERE person = $1 AND id = $2 AND revoked_at IS NULL",
                &[Arg::Text(person), Arg::Text(id), Arg::Text(&now)],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Starts a session for `person` until `expires_at`.
    pub async fn create_session(
        &self,
        hash: &str,
        person: &str,
        csrf: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        let (now, end) = (self.now().to_rfc3339(), expires_at.to_rfc3339());
        self.run(
            "start a session",
            "INSERT INTO flowgate_sessions (id_hash, person, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                Arg::Text(hash),
                Arg::Text(person),
                Arg::Text(csrf),
                Arg::Text(&now),
                Arg::Text(&end),
            ],
        )
        .await
        .map(drop)
    }

    /// The unexpired session whose id hashes to `hash`.
    pub async fn session(&self, hash: &str) -> Result<Option<SessionRecord>> {
        let now = self.now().to_rfc3339();
        let db = self.engine.db("read a session");
        let row = self
            .row(
                "read a session",
                "SELECT person, csrf, expires_at FROM flowgate_sessions \
                 WHERE id_hash = $1 AND expires_at > $2",
                &[Arg::Text(hash), Arg::Text(&now)],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionRecord {
            person: row.text(0).map_err(&db)?,
            csrf: row.text(1).map_err(&db)?,
            expires_at: self.timestamp(&row.text(2).map_err(&db)?)?,
        }))
    }

    /// Ends a session (logout).
    pub async fn end_session(&self, hash: &str) -> Result<()> {
        self.run(
            "end a session",
            "DELETE FROM flowgate_sessions WHERE id_hash = $1",
            &[Arg::Text(hash)],
        )
        .await
        .map(drop)
    }

    /// Records a failed login for `subject` (a person id, or a client address).
    pub async fn record_login_failure(&self, subject: &str) -> Result<()> {
        let now = self.now().to_rfc3339();
        self.run(
            "record a login failure",
            "INSERT INTO flowgate_login_failures (subject, at) VALUES ($1, $2)",
            &[Arg::Text(subject), Arg::Text(&now)],
        )
        .await
        .map(drop)
    }

    /// How many logins for `subject` failed since `since`.
    pub async fn login_failures_since(&self, subject: &str, since: Timestamp) -> Result<u64> {
        let since = since.to_rfc3339();
        let db = self.engine.db("count login failures");
        let row = self
            .row(
                "count login failures",
                "SELECT COUNT(*) FROM flowgate_login_failures WHERE subject = $1 AND at > $2",
                &[Arg::Text(subject), Arg::Text(&since)],
            )
            .await?;
        let count = row.map(|r| r.int(0)).transpose().map_err(&db)?;
        Ok(count.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }

    /// Forgets `subject`'s failures (after a successful login) and everyone's older than
    /// `before`, so the table stays small.
    pub async fn clear_login_failures(&self, subject: &str, before: Timestamp) -> Result<()> {
        let before = before.to_rfc3339();
        self.run(
            "clear login failures",
            "DELETE FROM flowgate_login_failures WHERE subject = $1 OR at < $2",
            &[Arg::Text(subject), Arg::Text(&before)],
        )
        .await
        .map(drop)
    }

    /// Records an OpenID Connect login sent to the provider: the hashes of its `state` and
    /// of the browser's binding secret, where to go once logged in, and when it lapses.
    /// Lapsed logins are forgotten on the way.
    pub async fn begin_oidc_login(
        &self,
        state_hash: &str,
        browser_hash: &str,
        next: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        let (now, end) = (self.now().to_rfc3339(), expires_at.to_rfc3339());
        let mut tx = self.engine.write().await?;
        let db = self.engine.db("record an OpenID Connect login");
        tx.execute(
            "DELETE FROM flowgate_oidc_logins WHERE expires_at <= $1",
            &[Arg::Text(&now)],
        )
        .await
        .map_err(&db)?;
        tx.execute(
            "INSERT INTO flowgate_oidc_logins (state_hash, browser_hash, next, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                Arg::Text(state_hash),
                Arg::Text(browser_hash),
                Arg::Text(next),
                Arg::Text(&now),
                Arg::Text(&end),
            ],
        )
        .await
        .map_err(&db)?;
        self.engine.commit(tx).await
    }

    /// Uses the unexpired OpenID Connect login whose `state` and browser binding hash to
    /// these values: its `next`, once (of two concurrent uses exactly one gets it), or `None`.
    pub async fn take_oidc_login(
        &self,
        state_hash: &str,
        browser_hash: &str,
    ) -> Result<Option<String>> {
        let now = self.now().to_rfc3339();
        let mut tx = self.engine.write().await?;
        let db = self.engine.db("use an OpenID Connect login");
        let row = tx
            .fetch_optional(
                "DELETE FROM flowgate_oidc_logins WHERE state_hash = $1 AND browser_hash = $2 \
                 AND expires_at > $3 RETURNING next",
                &[
                    Arg::Text(state_hash),
                    Arg::Text(browser_hash),
                    Arg::Text(&now),
                ],
            )
            .await
            .map_err(&db)?;
        let next = row.map(|r| r.text(0)).transpose().map_err(&db)?;
        self.engine.commit(tx).await?;
        Ok(next)
    }
}
