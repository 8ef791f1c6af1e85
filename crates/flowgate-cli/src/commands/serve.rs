//! `flowgate serve`: the server over this workspace's people and environments and its store.

use crate::cli::{GlobalArgs, LogFormat, ServeArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use flowgate_release::Policy;
use flowgate_server::{ServeError, ServeOptions};

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: &ServeArgs, global: &GlobalArgs) -> CommandResult {
    if std::env::var_os("FLOWGATE_NOW").is_some_and(|v| !v.is_empty()) {
        return Err(CommandError::usage(
            "FLOWGATE_NOW is set, but the server takes the time from its own clock",
            "unset FLOWGATE_NOW before `flowgate serve`",
        ));
    }
    if global.server.is_some() {
        return Err(CommandError::usage(
            "--server (or FLOWGATE_SERVER) names another server; `flowgate serve` is one",
            "unset FLOWGATE_SERVER, and give this server's store with --store",
        ));
    }
    let workspace = super::discover(global)?;
    let policy = Policy::from_workspace(&workspace)
        .map_err(|d| CommandError::from_diagnostics(ErrorKind::Config, d))?;
    let notify = flowgate_server::notify::targets(&workspace)
        .map_err(|d| CommandError::from_diagnostics(ErrorKind::Config, d))?;
    let drift_check = flowgate_server::drift::interval(&workspace)
        .map_err(|d| CommandError::from_diagnostics(ErrorKind::Config, d))?;
    let oidc = flowgate_server::oidc::settings(&workspace)
        .map_err(|d| CommandError::from_diagnostics(ErrorKind::Config, d))?;
    let configured_url = workspace
        .config
        .server
        .as_ref()
        .and_then(|s| s.url.as_ref())
        .map(|u| u.get_ref().clone());
    let spec = super::store::store_spec(global)?;
    init_logging(args.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let store = flowgate_store::open_store(&spec).await?;
        let options = ServeOptions {
            store: store.clone(),
            policy,
            workspace: workspace.config.workspace.name.clone(),
            public_url: args
                .public_url
                .clone()
                .or(configured_url)
                .unwrap_or_else(|| format!("http://{}", args.listen)),
            notify,
            retry: flowgate_server::notify::Retry::default(),
            drift_check,
            root: workspace.root.clone(),
            oidc,
        };
        let served = flowgate_server::serve(options, args.listen, |bound| {
            crate::output::out(&format!(
                "flowgate serves {} at http://{bound} (store {})\n",
                workspace.config.workspace.name,
                store.location()
            ));
        })
        .await;
        store.close().await;
        served.map_err(serve_error)
    })?;
    Ok(Exit::Success)
}

fn serve_error(error: ServeError) -> CommandError {
    match error {
        ServeError::Store(e) => e.into(),
        ServeError::Listen { .. } => CommandError::new(
            ErrorKind::Usage,
            error.to_string(),
            "pass --listen with a free address",
        ),
        other => CommandError::new(
            ErrorKind::Unavailable,
            other.to_string(),
            "see the log above",
        ),
    }
}

/// Log lines to standard error, as text or JSON; `RUST_LOG` narrows them (default `info`).
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.with_ansi(false).try_init(),
    };
}
