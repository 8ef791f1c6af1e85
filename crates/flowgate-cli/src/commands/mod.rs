//! One module per command.

mod adopt;
mod audit;
mod changelog;
mod check;
mod contract;
mod demo;
mod demo_example;
mod demo_release;
mod diff;
mod export;
mod graph;
mod incident;
mod incident_view;
mod init;
mod integrations;
mod login;
mod metrics;
mod payload;
mod people;
mod postmortem;
mod promote;
mod pull;
mod reconcile;
mod rollback;
mod rules;
mod schema;
mod schema_diff;
mod seed;
mod serve;
mod snapshot;
mod status;
mod store;
mod sync;
mod upgrade;
mod validate;
mod via_server;
mod watch;
mod watch_generate;
mod watch_view;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use flowgate_load::{load_workspace, Loaded, Workspace};

/// Run the parsed command line; every failure is reported here, once.
pub fn run(cli: Cli) -> Exit {
    match dispatch(&cli) {
        Ok(exit) => exit,
        Err(error) => crate::error::report(&error, &cli.global),
    }
}

/// Refuse a `--format` the command does not write.
fn check_format(cli: &Cli) -> Result<(), CommandError> {
    let global = &cli.global;
    if let Command::Contract(command) = &cli.command {
        return contract::check_format(command, global.format);
    }
    let machine_only = matches!(
        global.format,
        crate::cli::Format::Sarif | crate::cli::Format::Github | crate::cli::Format::Junit
    );
    if global.format == crate::cli::Format::Markdown
        && !matches!(cli.command, Command::Diff(_) | Command::Changelog(_))
    {
        return Err(CommandError::usage(
            "--format markdown is for `flowgate diff` and `flowgate changelog`",
            "use --format human or json with this command",
        ));
    }
    if global.format == crate::cli::Format::Csv && !integrations::takes_csv(&cli.command) {
        return Err(CommandError::usage(
            "--format csv is for `flowgate integrations list` and `flowgate integrations risk`",
            "use --format human or json with this command",
        ));
    }
    if global.format == crate::cli::Format::Json
        && matches!(
            cli.command,
            Command::Integrations(crate::cli::IntegrationsCommand::Map(_))
        )
    {
        return Err(CommandError::usage(
            "`flowgate integrations map` draws Mermaid, DOT or SVG, not JSON",
            "`flowgate integrations list --format json` gives the flows as data",
        ));
    }
    if global.format == crate::cli::Format::Prometheus
        && !matches!(cli.command, Command::Metrics(_))
    {
        return Err(CommandError::usage(
            "--format prometheus is for `flowgate metrics`",
            "use --format human or json with this command",
        ));
    }
    if machine_only && !matches!(cli.command, Command::Check(_)) {
        return Err(CommandError::usage(
            "--format sarif, github and junit are for `flowgate check`",
            "use --format human or json with this command",
        ));
    }
    Ok(())
}

fn dispatch(cli: &Cli) -> CommandResult {
    check_format(cli)?;
    let global = &cli.global;
    match &cli.command {
        Command::Init(args) => init::run(args, global),
        Command::Validate => validate::run(global),
        Command::Check(args) => check::run(args, global),
        Command::Rule(args) => rules::explain(args, global),
        Command::Rules => rules::list(global),
        Command::Graph(args) => graph::run(args, global),
        Command::Export(args) => export::run(args, global),
        Command::Schema(args) => match &args.command {
            None => schema::run(),
            Some(crate::payload_args::SchemaCommand::Diff(args)) => schema_diff::run(args, global),
        },
        Command::Demo(args) => demo::run(args, global),
        Command::Snapshot(command) => snapshot::run(command, global),
        Command::Diff(args) => diff::run(args, global),
        Command::Changelog(args) => changelog::run(args, global),
        Command::Plan(args) => match remote(global, &args.actor)? {
            Some(server) => via_server::plan(&server, args, global),
            None => promote::plan(args, global),
        },
        Command::Promote(args) => match remote(global, &args.actor)? {
            Some(server) => via_server::promote(&server, args, global),
            None => promote::promote(args, global),
        },
        Command::Approve(args) => match remote(global, &args.actor)? {
            Some(server) => via_server::approve(&server, args, global),
            None => promote::approve(args, global),
        },
        Command::Apply(args) => match remote(global, &args.actor)? {
            Some(server) => via_server::apply(&server, args, global),
            None => promote::apply(args, global),
        },
        Command::Rollback(args) => match remote(global, &args.actor)? {
            Some(server) => via_server::rollback(&server, args, global),
            None => rollback::rollback(args, global),
        },
        Command::Pin(args) | Command::Unpin(args) => {
            let pinned = matches!(cli.command, Command::Pin(_));
            match remote(global, &args.actor)? {
                Some(server) => via_server::pin(&server, args, pinned, global),
                None => rollback::pin(args, pinned, global),
            }
        }
        Command::Status => status::run(global),
        Command::Log(args) => audit::log(args, global),
        Command::Audit(command) => audit::run(command, global),
        Command::Sync(args) => sync::run(args, global),
        Command::Pull(args) => pull::run(args, global),
        Command::Adopt(args) => adopt::run(args, global),
        Command::Store(crate::cli::StoreCommand::Init(args)) => store::init(args, global),
        Command::Store(crate::cli::StoreCommand::Gc(args)) => store::gc(args, global),
        Command::Integrations(command) => integrations::run(command, global),
        Command::Reconcile(command) => reconcile::run(command, global),
        Command::Contract(command) => contract::run(command, global),
        Command::Incident(command) => incident::run(command, global),
        Command::Postmortem(args) => postmortem::run(args, global),
        Command::Metrics(args) => metrics::run(args, global),
        Command::Watch(args) => watch::run(args, global),
        Command::Payload(command) => payload::run(command, global),
        Command::Seed(command) => seed::run(command, global),
        Command::Upgrade(command) => upgrade::run(command, global),
        Command::Serve(args) => serve::run(args, global),
        Command::People(command) => people::run(command, global),
        Command::Login(args) => login::login(args, global),
        Command::Logout => login::logout(global),
    }
}

/// The server the promotion commands go through, when `--server` names one.
fn remote(
    global: &GlobalArgs,
    actor: &crate::cli::ActorArgs,
) -> Result<Option<crate::remote::Remote>, CommandError> {
    crate::remote::connect(global, actor.person.as_deref())
}

/// Discover the workspace and load it; `Err` when there is no usable workspace.
pub fn load(global: &GlobalArgs) -> Result<(Workspace, Loaded), CommandError> {
    let workspace = discover(global)?;
    let loaded = load_workspace(&workspace);
    // A glob of `flowgate.toml` that does not compile is configuration, not a finding.
    let config: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == flowgate_load::codes::CONFIG)
        .cloned()
        .collect();
    if !config.is_empty() {
        return Err(CommandError::from_diagnostics(ErrorKind::Config, config));
    }
    Ok((workspace, loaded))
}

/// Find the workspace of `-C` (or the current directory) and read its `flowgate.toml`.
pub fn discover(global: &GlobalArgs) -> Result<Workspace, CommandError> {
    Workspace::discover(&global.workspace).map_err(|d| config_error(*d))
}

/// The error for a workspace whose assets do not load: its diagnostics are printed first, and
/// the command stops with exit code 1, as for any finding.
pub fn unclean(loaded: &Loaded, global: &GlobalArgs, what: &str) -> CommandError {
    crate::output::out(&crate::output::human_diagnostics(
        &loaded.diagnostics,
        &loaded.sources,
        crate::output::use_color(global),
    ));
    CommandError::new(
        ErrorKind::Refused,
        format!("the workspace does not load cleanly, so {what}"),
        "fix the problems above first",
    )
}

/// FG019 when `flowgate.toml` does not declare the environment `name`, listing the
/// environments it does declare.
pub fn undeclared_environment(
    workspace: &Workspace,
    name: &str,
) -> Option<flowgate_diagnostics::Diagnostic> {
    let declared: Vec<&str> = workspace
        .config
        .environments
        .keys()
        .map(String::as_str)
        .collect();
    if declared.contains(&name) {
        return None;
    }
    Some(
        flowgate_diagnostics::Diagnostic::error(
            flowgate_load::codes::UNKNOWN_ENVIRONMENT,
            format!("no environment `{name}` in flowgate.toml"),
        )
        .with_help(format!("environments are: {}", declared.join(", "))),
    )
}

/// A diagnostic about the workspace or its configuration, as a command error (exit 2).
pub fn config_error(diagnostic: flowgate_diagnostics::Diagnostic) -> CommandError {
    CommandError::from_diagnostic(ErrorKind::Config, diagnostic)
}

/// Hand a loaded workspace back when the process is about to exit: the operating system
/// reclaims the memory at once, where freeing tens of thousands of assets one by one
/// would cost a noticeable share of a large `validate` run.
pub fn release(loaded: Loaded) {
    std::mem::forget(loaded);
}
