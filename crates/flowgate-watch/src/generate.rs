//! Realistic event data for the acme example's lead-intake bundle: email sends, bounces and
//! spam complaints, SMS sends, carrier rejections and STOP replies, leads with their routing
//! latency and lead → MQL time; with weekday and hour-of-day seasonality, deterministic by
//! seed, and optionally a regression planted after a release.
//!
//! Events are generated only inside the windows asked for (the current window and the
//! control weeks), one row per event, into one table `(at, kind, value)`:
//! `at` is a UTC timestamp, `kind` one of [`KINDS`], `value` the seconds of a duration
//! (routing latency for `lead_routed`, lead → MQL for `mql`) and NULL otherwise.

use crate::window::Window;
use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use sqlx::Executor;

/// The event kinds written.
pub const KINDS: [&str; 8] = [
    "email_send",
    "email_bounce",
    "spam_complaint",
    "sms_send",
    "sms_rejected",
    "sms_stop",
    "lead_routed",
    "mql",
];

/// A regression planted after the release.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Regression {
    /// Factor on the bounce probability (3 triples bounces).
    pub bounce: f64,
    /// Factor on routing latency (2 doubles it).
    pub latency: f64,
    /// Factor on the SMS carrier rejection probability.
    pub sms_rejections: f64,
}

impl Regression {
    /// Bounce rate ×3 and routing latency ×2.
    pub const TYPICAL: Regression = Regression {
        bounce: 3.0,
        latency: 2.0,
        sms_rejections: 1.0,
    };
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The seed: the same plan gives the same events.
    pub seed: u64,
    /// The windows to fill.
    pub windows: Vec<Window>,
    /// The release: events at or after it carry the regression.
    pub release_at: DateTime<Utc>,
    /// The planted regression, or none for a normal week.
    pub regression: Option<Regression>,
    /// Volume factor (1.0: about 120 email sends, 40 SMS and 12 leads per business hour).
    pub scale: f64,
}

impl Plan {
    /// The current window `[release_at, checkpoint_at)` and the same hours of the previous
    /// `weeks` weeks.
    pub fn around_release(
        seed: u64,
        release_at: DateTime<Utc>,
        checkpoint_at: DateTime<Utc>,
        weeks: u32,
    ) -> Self {
        let current = Window::new(release_at, checkpoint_at).unwrap_or(Window {
            from: release_at,
            to: release_at + Duration::hours(1),
        });
        let mut windows = vec![current];
        windows.extend(crate::window::baseline_windows(current, weeks));
        Self {
            seed,
            windows,
            release_at,
            regression: None,
            scale: 1.0,
        }
    }
}

/// One generated event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When (UTC, whole seconds).
    pub at: DateTime<Utc>,
    /// One of [`KINDS`].
    pub kind: &'static str,
    /// Seconds, for durations.
    pub value: Option<f64>,
}

/// SplitMix64 with the few distributions the generator needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda > 30.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u64;
        }
        let (limit, mut k, mut p) = ((-lambda).exp(), 0u64, 1.0);
        loop {
            p *= self.uniform();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
}

/// Activity relative to a weekday business hour: quiet nights, a lunch dip, slow weekends.
fn seasonality(at: DateTime<Utc>) -> f64 {
    let hour = [
        0.05, 0.03, 0.02, 0.02, 0.03, 0.08, 0.2, 0.45, 0.8, 1.0, 1.0, 0.95, 0.7, 0.85, 1.0, 0.95,
        0.85, 0.7, 0.5, 0.4, 0.3, 0.2, 0.12, 0.08,
    ][at.hour() as usize % 24];
    let day = match at.weekday().num_days_from_monday() {
        0 => 1.1,
        1..=3 => 1.0,
        4 => 0.85,
        5 => 0.3,
        _ => 0.25,
    };
    hour * day
}

/// Generate the plan's events, in time order within each window.
pub fn events(plan: &Plan) -> Vec<Event> {
    let mut rng = Rng(plan.seed ^ 0x5eed_f10a_u64);
    let mut out = Vec::new();
    for window in &plan.windows {
        let mut hour = window.from;
        while hour < window.to {
            let end = (hour + Duration::hours(1)).min(window.to);
            let fraction = (end - hour).num_seconds() as f64 / 3600.0;
            let regression = plan.regression.filter(|_| hour >= plan.release_at);
            hour_events(&mut rng, hour, fraction, plan.scale, regression, &mut out);
            hour = end;
        }
    }
    out
}

/// A sending channel: its send event, then per send either a failure (bounce, carrier
/// rejection) or, failing that, an opt-out (spam complaint, STOP), each with its probability.
struct Channel {
    send: &'static str,
    failure: (&'static str, f64),
    opt_out: (&'static str, f64),
}

/// A Poisson(`mean`) number of sends of `channel`, each at a time `at` draws, with their
/// outcomes.
fn sends(
    rng: &mut Rng,
    mean: f64,
    channel: &Channel,
    at: &dyn Fn(&mut Rng) -> DateTime<Utc>,
    out: &mut Vec<Event>,
) {
    let event = |at, kind| Event {
        at,
        kind,
        value: None,
    };
    for _ in 0..rng.poisson(mean) {
        let t = at(rng);
        out.push(event(t, channel.send));
        if rng.uniform() < channel.failure.1 {
            out.push(event(t, channel.failure.0));
        } else if rng.uniform() < channel.opt_out.1 {
            out.push(event(t, channel.opt_out.0));
        }
    }
}

fn hour_events(
    rng: &mut Rng,
    hour: DateTime<Utc>,
    fraction: f64,
    scale: f64,
    regression: Option<Regression>,
    out: &mut Vec<Event>,
) {
    let s = seasonality(hour) * scale * fraction;
    let span = (fraction * 3600.0).max(1.0) as u64;
    let at = |rng: &mut Rng| hour + Duration::seconds((rng.next() % span) as i64);
    let r = regression.unwrap_or(Regression {
        bounce: 1.0,
        latency: 1.0,
        sms_rejections: 1.0,
    });
    let email = Channel {
        send: "email_send",
        failure: ("email_bounce", 0.02 * r.bounce),
        opt_out: ("spam_complaint", 0.001),
    };
    sends(rng, 120.0 * s, &email, &at, out);
    let sms = Channel {
        send: "sms_send",
        failure: ("sms_rejected", 0.01 * r.sms_rejections),
        opt_out: ("sms_stop", 0.005),
    };
    sends(rng, 40.0 * s, &sms, &at, out);
    for _ in 0..rng.poisson(12.0 * s) {
        let t = at(rng);
        let latency = (rng.lognormal(2.0, 0.6) * r.latency * 1000.0).round() / 1000.0;
        out.push(Event {
            at: t,
            kind: "lead_routed",
            value: Some(latency),
        });
        if rng.uniform() < 0.3 {
            let mql = rng.lognormal(6.0 * 3600.0, 0.8).round();
            out.push(Event {
                at: t,
                kind: "mql",
                value: Some(mql),
            });
        }
    }
}

/// Why generated data could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The table name is not a plain identifier.
    #[error("`{0}` is not a table name (lower-case letters, digits, `_`)")]
    TableName(String),
    /// The URL's scheme is not postgres, mysql or sqlite.
    #[error("unsupported database URL scheme: use postgres://, mysql:// or sqlite://")]
    Scheme,
    /// The database refused.
    #[error("the database refused: {0}")]
    Database(#[from] sqlx::Error),
}

/// Create (or replace) `table` in the database at `url` and write `events` into it.
pub async fn write(url: &str, table: &str, events: &[Event]) -> Result<(), GenerateError> {
    let plain = !table.is_empty()
        && table
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !plain {
        return Err(GenerateError::TableName(table.to_owned()));
    }
    let (ts, text, real) = if url.starts_with("postgres") {
        ("TIMESTAMP", "VARCHAR(16)", "DOUBLE PRECISION")
    } else if url.starts_with("mysql") || url.starts_with("mariadb") {
        ("DATETIME", "VARCHAR(16)", "DOUBLE")
    } else if url.starts_with("sqlite") {
        ("TEXT", "TEXT", "REAL")
    } else {
        return Err(GenerateError::Scheme);
    };
    let mut statements = vec![
        format!("DROP TABLE IF EXISTS {table}"),
        format!("CREATE TABLE {table} (at {ts} NOT NULL, kind {text} NOT NULL, value {real})"),
        format!("CREATE INDEX {table}_kind_at ON {table} (kind, at)"),
    ];
    for chunk in events.chunks(2000) {
        let rows: Vec<String> = chunk
            .iter()
            .map(|e| {
                let value = e
                    .value
                    .map_or_else(|| "NULL".to_owned(), |v| format!("{v}"));
                format!(
                    "('{}', '{}', {value})",
                    e.at.format("%Y-%m-%d %H:%M:%S"),
                    e.kind
                )
            })
            .collect();
        statements.push(format!(
            "INSERT INTO {table} (at, kind, value) VALUES {}",
            rows.join(", ")
        ));
    }
    run(url, &statements).await
}

async fn run(url: &str, statements: &[String]) -> Result<(), GenerateError> {
    macro_rules! each {
        ($pool:expr) => {{
            let pool = $pool;
            for s in statements {
                pool.execute(s.as_str()).await?;
            }
            pool.close().await;
        }};
    }
    if url.starts_with("postgres") {
        each!(sqlx::PgPool::connect(url).await?);
    } else if url.starts_with("sqlite") {
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
        each!(sqlx::SqlitePool::connect_with(options.create_if_missing(true)).await?);
    } else {
        each!(sqlx::MySqlPool::connect(url).await?);
    }
    Ok(())
}
