//! Command-line definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  findings (error diagnostics) or a failed gate
  2  bad input or usage (no workspace, invalid flowgate.toml, bad arguments)
  3  conflict (another operation won a race)

Environment:
  NO_COLOR   disable colours (colours are used only on a terminal)

Examples:
  flowgate init my-stack           create a starter workspace
  flowgate validate -C my-stack    load and resolve every asset, report problems
  flowgate graph dot --steps       the step graph of every workflow, as Graphviz DOT
  flowgate demo                    the whole pipeline on the bundled example";

/// Release discipline for marketing automations and commerce integrations: assets as
/// files, pre-flight checks, versioned snapshots, semantic diffs and gated promotion.
#[derive(Debug, Parser)]
#[command(
    name = "flowgate",
    version,
    about = "Release discipline for marketing automations and commerce integrations: assets as files, \
             checked, versioned and promoted like software.",
    long_about = None,
    after_help = AFTER_HELP
)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Run as if started in DIR (the workspace is DIR or its nearest parent with flowgate.toml).
    #[arg(
        short = 'C',
        long = "workspace",
        global = true,
        value_name = "DIR",
        default_value = "."
    )]
    pub workspace: PathBuf,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colours.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people, with source snippets.
    Human,
    /// Stable JSON for machines (documented in docs/json.md).
    Json,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colours on a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a starter workspace (flowgate.toml and a small set of assets).
    Init(InitArgs),
    /// Load every asset, resolve references and report problems.
    Validate,
    /// Print the asset graph or the workflow step graphs as Mermaid or Graphviz DOT.
    Graph(GraphArgs),
    /// Print the JSON Schema of asset files (for editor autocompletion).
    Schema,
    /// Run the main job on the bundled example workspace and explain each stage.
    Demo(DemoArgs),
}

/// `flowgate init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to create the workspace in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Workspace name (default: the directory name).
    #[arg(long)]
    pub name: Option<String>,
}

/// Graph syntaxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphSyntax {
    /// Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
}

/// `flowgate graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Graph syntax.
    #[arg(value_enum, default_value_t = GraphSyntax::Mermaid)]
    pub syntax: GraphSyntax,
    /// Show the steps of each workflow instead of the asset graph.
    #[arg(long)]
    pub steps: bool,
    /// Include bundle membership edges in the asset graph.
    #[arg(long)]
    pub bundles: bool,
}

/// `flowgate demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The example workspace.
    #[arg(default_value = "examples/acme")]
    pub dir: PathBuf,
}
