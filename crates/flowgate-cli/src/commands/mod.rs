//! One module per command.

mod audit;
mod changelog;
mod check;
mod demo;
mod demo_example;
mod demo_release;
mod diff;
mod export;
mod graph;
mod init;
mod integrations;
mod promote;
mod reconcile;
mod rollback;
mod rules;
mod schema;
mod snapshot;
mod status;
mod store;
mod sync;
mod validate;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_load::{load_workspace, Loaded, Workspace};

/// Run the parsed command line.
pub fn run(cli: Cli) -> Exit {
    let global = &cli.global;
    let machine_only = matches!(
        global.format,
        crate::cli::Format::Sarif | crate::cli::Format::Github | crate::cli::Format::Junit
    );
    if global.format == crate::cli::Format::Markdown
        && !matches!(cli.command, Command::Diff(_) | Command::Changelog(_))
    {
        output::err("error: --format markdown is for `flowgate diff` and `flowgate changelog`\n");
        return Exit::BadInput;
    }
    if global.format == crate::cli::Format::Csv && !integrations::takes_csv(&cli.command) {
        output::err("error: --format csv is for `flowgate integrations list` and `flowgate integrations risk`\n");
        return Exit::BadInput;
    }
    if machine_only && !matches!(cli.command, Command::Check(_)) {
        output::err("error: --format sarif, github and junit are for `flowgate check`; use human or json here\n");
        return Exit::BadInput;
    }
    match &cli.command {
        Command::Init(args) => init::run(args, global),
        Command::Validate => validate::run(global),
        Command::Check(args) => check::run(args, global),
        Command::Rule(args) => rules::explain(args, global),
        Command::Rules => rules::list(global),
        Command::Graph(args) => graph::run(args, global),
        Command::Export(args) => export::run(args, global),
        Command::Schema => schema::run(),
        Command::Demo(args) => demo::run(args, global),
        Command::Snapshot(command) => snapshot::run(command, global),
        Command::Diff(args) => diff::run(args, global),
        Command::Changelog(args) => changelog::run(args, global),
        Command::Plan(args) => promote::plan(args, global),
        Command::Promote(args) => promote::promote(args, global),
        Command::Approve(args) => promote::approve(args, global),
        Command::Apply(args) => promote::apply(args, global),
        Command::Rollback(args) => rollback::rollback(args, global),
        Command::Pin(args) => rollback::pin(args, true, global),
        Command::Unpin(args) => rollback::pin(args, false, global),
        Command::Status => status::run(global),
        Command::Log(args) => audit::log(args, global),
        Command::Audit(command) => audit::run(command, global),
        Command::Sync(args) => sync::run(args, global),
        Command::Store(crate::cli::StoreCommand::Init(args)) => store::init(args, global),
        Command::Integrations(command) => integrations::run(command, global),
        Command::Reconcile(command) => reconcile::run(command, global),
    }
}

/// Discover the workspace and load it; `Err` when there is no usable workspace.
pub fn load(global: &GlobalArgs) -> Result<(Workspace, Loaded), Exit> {
    let workspace = Workspace::discover(&global.workspace).map_err(|d| {
        output::fatal(&d, global);
        Exit::BadInput
    })?;
    let loaded = load_workspace(&workspace);
    Ok((workspace, loaded))
}

/// Hand a loaded workspace back when the process is about to exit: the operating system
/// reclaims the memory at once, where freeing tens of thousands of assets one by one
/// would cost a noticeable share of a large `validate` run.
pub fn release(loaded: Loaded) {
    std::mem::forget(loaded);
}
