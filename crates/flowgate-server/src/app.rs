//! The server's state, its router with the headers every response carries, and the listener
//! with graceful shutdown (in-flight requests, applies included, finish before it exits).

use axum::extract::Request;
use axum::http::header::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use flowgate_release::Policy;
use flowgate_store::AnyStore;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// What the server needs to start.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The store (SQLite for one machine, PostgreSQL for a team).
    pub store: AnyStore,
    /// The workspace's people and environments.
    pub policy: Policy,
    /// The workspace's name, shown on every page.
    pub workspace: String,
    /// The address people reach the server at (`https://flowgate.example`), for links in
    /// invitations; cookies are marked Secure when it is HTTPS.
    pub public_url: String,
    /// Where events are sent (`[[server.notify]]`).
    pub notify: Vec<crate::notify::Target>,
    /// How failed deliveries are retried.
    pub retry: crate::notify::Retry,
    /// How often deploy targets are checked for drift (`[server] drift_check`); also how old
    /// the board may be, since drift is the one thing on it the log does not record.
    pub drift_check: std::time::Duration,
    /// The workspace's root directory, whose assets the integration and reconciliation
    /// pages read.
    pub root: std::path::PathBuf,
    /// OpenID Connect login (`[server.oidc]`), when configured.
    pub oidc: Option<crate::oidc::Settings>,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}; choose another address with --listen")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] flowgate_store::Error),
    /// The operating system gave no random bytes.
    #[error("the operating system gave no random bytes: {0}")]
    Random(String),
}

/// Shared by every request.
#[derive(Debug, Clone)]
pub struct AppState {
    options: Arc<ServeOptions>,
    notifier: crate::notify::Notifier,
    views: Arc<crate::views::Kept>,
    oidc: Option<crate::oidc::Provider>,
}

impl AppState {
    /// State over `options`.
    pub fn new(options: ServeOptions) -> Self {
        let notifier = crate::notify::Notifier::new(
            options.notify.clone(),
            options.retry,
            options.store.clone(),
        );
        notifier.start();
        let views = Arc::new(crate::views::Kept::new(options.drift_check));
        let oidc = options.oidc.clone().map(crate::oidc::Provider::new);
        Self {
            options: Arc::new(options),
            notifier,
            views,
            oidc,
        }
    }

    /// The OpenID Connect provider, when one is configured.
    pub fn oidc(&self) -> Option<&crate::oidc::Provider> {
        self.oidc.as_ref()
    }

    /// Sends events to the notification targets.
    pub fn notifier(&self) -> &crate::notify::Notifier {
        &self.notifier
    }

    /// The views kept between requests.
    pub fn views(&self) -> &crate::views::Kept {
        &self.views
    }

    /// How often drift is checked.
    pub fn drift_check(&self) -> std::time::Duration {
        self.options.drift_check
    }

    /// The workspace's root directory.
    pub fn root(&self) -> &std::path::Path {
        &self.options.root
    }

    /// The store.
    pub fn store(&self) -> &AnyStore {
        &self.options.store
    }

    /// People and environments.
    pub fn policy(&self) -> &Policy {
        &self.options.policy
    }

    /// The workspace's name.
    pub fn workspace(&self) -> &str {
        &self.options.workspace
    }

    /// The public address.
    pub fn public_url(&self) -> &str {
        &self.options.public_url
    }

    /// Whether cookies must only travel over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.options.public_url.starts_with("https://")
    }
}

/// Every route, with security headers and a log line per request.
pub fn router(state: AppState) -> Router {
    crate::routes::routes()
        .layer(axum::middleware::from_fn(log_and_harden))
        .with_state(state)
}

const SECURITY_HEADERS: [(&str, &str); 5] = [
    (
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
];

async fn log_and_harden(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        if !headers.contains_key(name) {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
    }
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

/// Serves until SIGINT or SIGTERM; requests in flight finish first. `ready` is told the bound
/// address once the server accepts connections (`--listen 127.0.0.1:0` picks a free port).
pub async fn serve(
    options: ServeOptions,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: listen,
            source,
        })?;
    let bound = listener.local_addr()?;
    let state = AppState::new(options);
    let app = router(state.clone());
    let watcher = tokio::spawn(crate::drift::watch(state.clone()));
    ready(bound);
    tracing::info!(%bound, "listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    watcher.abort();
    state
        .notifier()
        .drain(std::time::Duration::from_secs(20))
        .await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
