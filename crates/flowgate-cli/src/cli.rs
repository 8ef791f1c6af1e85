//! Command-line definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes:
  0    success
  1    findings (error diagnostics), a failed gate or a refusal by the promotion policy
  2    bad input or usage (no workspace, invalid flowgate.toml, bad arguments)
  3    conflict (another operation won a race; this one changed nothing)
  4    unavailable (the store, a database or a deploy target cannot be reached or used)
  101  internal error (a bug in flowgate)

Environment:
  NO_COLOR        disable colours (colours are used only on a terminal)
  FLOWGATE_STORE  the store (same as --store)
  FLOWGATE_USER   who acts (same as --as)
  FLOWGATE_NOW    pin the clock (RFC 3339); only on a rehearsal store (store init --rehearsal)

Examples:
  flowgate init my-stack           create a starter workspace
  flowgate validate -C my-stack    load and resolve every asset, report problems
  flowgate check --env prod        the release checklist, with production's severities
  flowgate check --format sarif    findings for code-scanning dashboards
  flowgate rule FG101              what a rule flags and how to fix it
  flowgate graph dot --steps       the step graph of every workflow, as Graphviz DOT
  flowgate promote lead-intake@1.2.0 --to stage --as mara
                                   plan, check every gate and apply when they pass
  flowgate rollback prod --as mara --reason \"broken code\"
                                   re-deploy the previous version whole and pin prod
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
    /// The versioned store: a PostgreSQL URL (`postgres://…`) or a SQLite file
    /// (default: the workspace's `[store] url`, else `.flowgate/store.db` in the workspace).
    #[arg(
        long,
        global = true,
        env = "FLOWGATE_STORE",
        hide_env_values = true,
        value_name = "URL|PATH"
    )]
    pub store: Option<String>,
    /// A flowgate server (`https://flowgate.example`; default: `[server] url` of
    /// flowgate.toml; `""` for the local store): plan, approve, apply, promote, rollback, pin
    /// and unpin go through it, as the person its token belongs to, at its clock.
    #[arg(long, global = true, env = "FLOWGATE_SERVER", value_name = "URL")]
    pub server: Option<String>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people, with source snippets.
    Human,
    /// Stable JSON for machines (documented in docs/json.md).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards (`check` only).
    Sarif,
    /// GitHub Actions annotations (`check` only).
    Github,
    /// JUnit XML for CI test reports (`check` only).
    Junit,
    /// Markdown for a pull request or a changelog (`diff` only).
    Markdown,
    /// Comma-separated values for a spreadsheet (`integrations list` and `integrations risk`).
    Csv,
    /// Prometheus' text exposition format (`metrics` only).
    Prometheus,
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
    /// Create a workspace for the folder's platform files, with gates that guard prod.
    ///
    /// The example assets are added when the folder holds nothing else, or with --example.
    Init(InitArgs),
    /// Load every asset, resolve references and report problems.
    Validate,
    /// Run the pre-flight checklist: every rule over every asset (or only what changed).
    Check(CheckArgs),
    /// Explain one rule: what it flags, why, an example and how to fix it.
    Rule(RuleArgs),
    /// List every rule with its code, category and default severity.
    Rules,
    /// Print the asset graph or the workflow step graphs as Mermaid or Graphviz DOT.
    Graph(GraphArgs),
    /// Write every imported platform flow (Salesforce, n8n, Node-RED) back out, byte for byte.
    Export(ExportArgs),
    /// Print the JSON Schema of asset files (for editor autocompletion); `schema diff`
    /// compares two Magento declarative-schema trees.
    Schema(crate::payload_args::SchemaArgs),
    /// Run the main job on the bundled example workspace and explain each stage.
    Demo(DemoArgs),
    /// Freeze, list, show, verify, export and import versioned bundle snapshots.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
    /// What changed between snapshots or the working tree, and the version bump it needs.
    Diff(DiffArgs),
    /// A Keep-a-Changelog page for a bundle, from the diffs between its snapshots.
    Changelog(ChangelogArgs),
    /// Prove that two databases agree (shop and ERP), record each run, track drift.
    #[command(subcommand)]
    Reconcile(ReconcileCommand),
    /// API contracts: breaking changes between two versions of an OpenAPI/Swagger file.
    #[command(subcommand)]
    Contract(crate::contract_args::ContractCommand),
    /// Incidents after a release: open, update, link releases, actions, resolve, list.
    #[command(subcommand)]
    Incident(Box<crate::incident_args::IncidentCommand>),
    /// Write the blameless post-mortem of an incident as Markdown.
    Postmortem(crate::incident_args::PostmortemArgs),
    /// Delivery metrics: deployment frequency, lead time, change failure rate, time to
    /// restore and detect, escaped defects, monthly trend.
    Metrics(crate::incident_args::MetricsArgs),
    /// Watch releases: evaluate the checkpoints due in an environment against a control,
    /// record each result, and pin or roll back when a KPI fails.
    Watch(Box<crate::watch_args::WatchArgs>),
    /// Upgrade impact: the plan for upgrading a system, per integration and in phases.
    #[command(subcommand)]
    Upgrade(crate::payload_args::UpgradeCommand),
    /// Payload drift: infer a JSON Schema from captured payloads, or compare two captures.
    #[command(subcommand)]
    Payload(crate::payload_args::PayloadCommand),
    /// Seed data: synthetic contacts, companies, orders and carts to rehearse on.
    #[command(subcommand)]
    Seed(crate::seed_args::SeedCommand),
    /// The integration inventory: list, risk classes, impact of a change, map and docs.
    #[command(subcommand)]
    Integrations(IntegrationsCommand),
    /// Show the plan for promoting a snapshot into an environment: rendering, diff, gates.
    Plan(PlanArgs),
    /// Plan a promotion and apply it at once when every gate passes.
    Promote(PromoteArgs),
    /// Sign a plan as a person in an approving role of its environment.
    Approve(ApproveArgs),
    /// Apply a plan: every gate must pass; the environment moves by compare-and-swap.
    Apply(ApplyArgs),
    /// Re-deploy the previous (or a named) version of a bundle as a whole, and pin the
    /// environment.
    Rollback(RollbackArgs),
    /// Pin an environment: nothing is promoted into it until it is unpinned.
    Pin(PinArgs),
    /// Unpin an environment, with the reason it may move again.
    Unpin(PinArgs),
    /// What each environment holds: version, release id, when, by whom, pin and drift.
    Status,
    /// The operation log (of one environment): snapshots, plans, approvals, applies,
    /// rollbacks and pins.
    Log(LogArgs),
    /// Audit the operation log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Re-deploy what an environment holds to its target, repairing drift (and undoing
    /// changes made on its platform).
    Sync(SyncArgs),
    /// What an environment's platform runs now, against what the environment holds: edits
    /// made in the platform's own editor, as a semantic diff (exit 1 when they differ).
    Pull(PullArgs),
    /// Keep the changes made on an environment's platform: write them into the workspace
    /// files and freeze them as a new version, through the checks of `snapshot create`.
    #[command(disable_version_flag = true)]
    Adopt(AdoptArgs),
    /// Create the store (`--rehearsal` makes a new one a rehearsal store); collect what
    /// nothing reaches.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Serve the team's system of record: pages for approvers and the API the CLI uses
    /// (plan, approve, apply, rollback, pin and unpin through it with `--server`).
    Serve(ServeArgs),
    /// People's accounts on the server: invitations to set a password.
    #[command(subcommand)]
    People(PeopleCommand),
    /// Log in to a flowgate server and keep a personal API token for it on this machine.
    Login(LoginArgs),
    /// Revoke this machine's token for the server and forget it.
    Logout,
}

/// `flowgate serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (`127.0.0.1:0` picks a free port and prints it).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// The address people reach the server at, for invitation links; cookies are marked
    /// Secure when it is HTTPS (default: http:// and the listening address).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// The log lines' format on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How `flowgate serve` writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event, for log collectors.
    Json,
}

/// `flowgate people …`.
#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// Print a one-time link with which PERSON sets a password on the server.
    Invite(InviteArgs),
    /// List the people of flowgate.toml, their roles, and whether they can log in.
    List,
}

/// `flowgate people invite`.
#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The person, as listed under [people] in flowgate.toml.
    pub person: String,
    /// How long the link works.
    #[arg(long, default_value_t = 72, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..=720))]
    pub hours: u32,
    /// The server's public address, for the link (default: --server, else
    /// http://127.0.0.1:8080).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

/// `flowgate login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your person id (asked for on a terminal when not given).
    #[arg(long, value_name = "PERSON")]
    pub person: Option<String>,
    /// Read the password from standard input instead of asking for it.
    #[arg(long, conflicts_with = "with_token")]
    pub password_stdin: bool,
    /// Read an API token made in the browser from standard input instead.
    #[arg(long)]
    pub with_token: bool,
    /// The token's name, shown in your token list (default: cli@HOST).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// `flowgate pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// The environment.
    pub env: String,
    /// The bundle (needed when the environment holds several).
    #[arg(long)]
    pub bundle: Option<String>,
}

/// `flowgate adopt`.
#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// The environment whose platform was changed.
    pub env: String,
    /// The bundle (needed when the environment holds several).
    #[arg(long)]
    pub bundle: Option<String>,
    /// The new version (MAJOR.MINOR.PATCH); it must move at least as far as the changes
    /// require.
    #[arg(long)]
    pub version: String,
    /// Who adopts (the new version's author).
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The environment.
    pub env: String,
    /// The bundle (needed when the environment holds several).
    #[arg(long)]
    pub bundle: Option<String>,
    /// Why (recorded in the log; required with --force).
    #[arg(long)]
    pub reason: Option<String>,
    /// Sync even though the environment is pinned.
    #[arg(long)]
    pub force: bool,
    /// Who syncs.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate store …`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create the store (or bring its schema up to date) and say what kind it is.
    Init(StoreInitArgs),
    /// Remove the objects and snapshot-tree nodes that no snapshot, ref, plan or checkpoint
    /// reaches (snapshots themselves are never removed).
    Gc(StoreGcArgs),
}

/// `flowgate store gc`.
#[derive(Debug, Args)]
pub struct StoreGcArgs {
    /// Only say what would be removed.
    #[arg(long)]
    pub dry_run: bool,
    /// Keep what nothing reaches yet if it was added less than this many minutes ago: a
    /// writer may be about to refer to it.
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub grace_minutes: u64,
}

/// `flowgate store init`.
#[derive(Debug, Args)]
pub struct StoreInitArgs {
    /// Make the new, empty store a rehearsal store, for good: the only kind whose clock
    /// `FLOWGATE_NOW` may set. A store with operations is refused.
    #[arg(long)]
    pub rehearsal: bool,
}

pub use crate::actor_args::ActorArgs;

/// `flowgate plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The snapshot: `BUNDLE@VERSION`, a snapshot id, or a bundle (its latest snapshot).
    pub snapshot: String,
    /// The environment to promote into.
    #[arg(long = "to", value_name = "ENV")]
    pub env: String,
    /// Write the plan to FILE, for `flowgate approve FILE` and `flowgate apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 0 when nothing would change and no gate blocks, 2 when there are changes and
    /// every gate passes, 1 when a gate blocks or on error (as `terraform plan`). Without it,
    /// `plan` exits 0 whenever a plan was made.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Print the plan's release checklist as Markdown (to paste into a PM tool) instead of
    /// the plan: items verified from evidence ticked, the rest left to confirm.
    #[arg(long)]
    pub checklist: bool,
    /// Who is asking (to check the promoter gate).
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate promote`.
#[derive(Debug, Args)]
pub struct PromoteArgs {
    /// The snapshot: `BUNDLE@VERSION`, a snapshot id, or a bundle (its latest snapshot).
    pub snapshot: String,
    /// The environment to promote into.
    #[arg(long = "to", value_name = "ENV")]
    pub env: String,
    /// Who promotes.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The plan: a file written by `flowgate plan --out`, or a plan id (6+ characters).
    pub plan: String,
    /// The approving role, when the person holds more than one.
    #[arg(long)]
    pub role: Option<String>,
    /// A comment recorded with the approval.
    #[arg(long)]
    pub comment: Option<String>,
    /// Who approves.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The plan: a file written by `flowgate plan --out`, or a plan id (6+ characters).
    pub plan: String,
    /// Who applies.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The environment.
    pub env: String,
    /// The bundle (needed when the environment holds several).
    #[arg(long)]
    pub bundle: Option<String>,
    /// The version to go back to (default: the one before the current).
    #[arg(long = "to", id = "to_version", value_name = "VERSION")]
    pub to_version: Option<String>,
    /// Why (recorded, and shown as the pin's reason).
    #[arg(long, default_value = "rolled back")]
    pub reason: String,
    /// Roll back even if another bundle in the environment uses an asset the older version
    /// lacks.
    #[arg(long)]
    pub force: bool,
    /// Show what the rollback would do (both versions), and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Who rolls back.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate pin` / `flowgate unpin`.
#[derive(Debug, Args)]
pub struct PinArgs {
    /// The environment.
    pub env: String,
    /// Why (recorded in the log).
    #[arg(long)]
    pub reason: String,
    /// Who pins or unpins.
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// `flowgate log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only operations on this environment.
    pub env: Option<String>,
    /// Only the last N operations.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// `flowgate audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain of the operation log; an edited, removed or reordered row
    /// fails and is named.
    Verify(AuditVerifyArgs),
    /// Print the log's head (`SEQ:HASH`) to keep outside the store: a CI artifact, a ticket.
    /// `audit verify --expect SEQ:HASH` then proves nothing up to it was rewritten or cut off.
    Head,
    /// Record the log's head where the team keeps history: a tag `flowgate-audit/SEQ-HASH` on
    /// the workspace repository's HEAD, which `audit verify --git-anchors` checks.
    Anchor,
}

/// `flowgate audit verify`.
#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// A head printed earlier by `flowgate audit head` (`SEQ:HASH`); the log must still hold
    /// that record with that hash. Repeatable.
    #[arg(long = "expect", visible_alias = "anchor", value_name = "SEQ:HASH")]
    pub anchors: Vec<String>,
    /// Also check every head recorded by `flowgate audit anchor` in the workspace repository.
    #[arg(long)]
    pub git_anchors: bool,
}

/// `flowgate integrations …`.
#[derive(Debug, Subcommand)]
pub enum IntegrationsCommand {
    /// Every integration: systems, direction, hook, entities, owner, volume (human, JSON, CSV).
    List,
    /// A risk score and class per integration, explained factor by factor.
    Risk(IntegrationsRiskArgs),
    /// What else is affected, transitively, if an integration changes or stops.
    Impact(IntegrationsImpactArgs),
    /// The data-flow map: systems as nodes, integrations as edges coloured by risk.
    Map(IntegrationsMapArgs),
    /// One Markdown page per integration plus an index, ready to publish.
    Docs(IntegrationsDocsArgs),
}

/// `flowgate integrations risk`.
#[derive(Debug, Args)]
pub struct IntegrationsRiskArgs {
    /// Only this integration, with every factor explained.
    pub id: Option<String>,
    /// Only integrations of this class or higher.
    #[arg(long, value_parser = ["low", "medium", "high"])]
    pub min_class: Option<String>,
}

/// `flowgate integrations impact`.
#[derive(Debug, Args)]
pub struct IntegrationsImpactArgs {
    /// The integration that changes or stops.
    pub id: String,
}

/// Syntax of `flowgate integrations map`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MapSyntax {
    /// Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// A standalone SVG picture (laid out by flowgate, no Graphviz needed).
    Svg,
}

/// `flowgate integrations map`.
#[derive(Debug, Args)]
pub struct IntegrationsMapArgs {
    /// Output syntax.
    #[arg(value_enum, default_value_t = MapSyntax::Mermaid)]
    pub syntax: MapSyntax,
}

/// `flowgate integrations docs`.
#[derive(Debug, Args)]
pub struct IntegrationsDocsArgs {
    /// Directory to write the pages into (created if missing; existing pages are replaced).
    #[arg(long, short, default_value = "integration-docs")]
    pub out: PathBuf,
}

/// `flowgate snapshot …`.
#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Freeze a bundle's resolved assets as a new version.
    #[command(disable_version_flag = true)]
    Create(SnapshotCreateArgs),
    /// List snapshots (of one bundle).
    List(SnapshotListArgs),
    /// Show a snapshot's manifest and assets.
    Show(SnapshotRefArgs),
    /// Recompute every hash in the store and the operation log.
    Verify,
    /// Write a snapshot to one portable, self-verifying file.
    Export(SnapshotExportArgs),
    /// Read a snapshot file written by `snapshot export`; a tampered file is refused.
    Import(SnapshotImportArgs),
}

/// `flowgate snapshot create`.
#[derive(Debug, Args)]
pub struct SnapshotCreateArgs {
    /// The bundle id.
    pub bundle: String,
    /// The version (MAJOR.MINOR.PATCH); it must move at least as far as the changes require.
    #[arg(long)]
    pub version: String,
    /// Accept a version smaller than the changes require; the reason is recorded.
    #[arg(long, value_name = "REASON")]
    pub allow_version: Option<String>,
    /// Who freezes it: a person id under [people] (default: $FLOWGATE_USER, else the person
    /// whose name or email git's user.name / user.email give).
    #[arg(long = "as", value_name = "PERSON")]
    pub author: Option<String>,
}

/// `flowgate snapshot list`.
#[derive(Debug, Args)]
pub struct SnapshotListArgs {
    /// Only this bundle.
    pub bundle: Option<String>,
}

/// A snapshot reference.
#[derive(Debug, Args)]
pub struct SnapshotRefArgs {
    /// `BUNDLE@VERSION`, a snapshot id (or its first 8+ characters), or a bundle (its
    /// latest snapshot).
    pub snapshot: String,
}

/// `flowgate snapshot export`.
#[derive(Debug, Args)]
pub struct SnapshotExportArgs {
    /// `BUNDLE@VERSION`, a snapshot id or a bundle.
    pub snapshot: String,
    /// The file to write.
    pub file: PathBuf,
}

/// `flowgate snapshot import`.
#[derive(Debug, Args)]
pub struct SnapshotImportArgs {
    /// The file to read.
    pub file: PathBuf,
    /// Who imports it: a person id under [people] (default: $FLOWGATE_USER, else the person
    /// whose name or email git's user.name / user.email give). The log records this person;
    /// the file's own author is kept as its claim.
    #[arg(long = "as", value_name = "PERSON")]
    pub person: Option<String>,
}

/// `flowgate diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old side: `BUNDLE@VERSION`, a snapshot id, a bundle (its latest snapshot), a
    /// workspace directory, or `working` (the working tree).
    pub from: String,
    /// The new side (default: the working tree).
    #[arg(default_value = "working")]
    pub to: String,
    /// Print only the version the changes require, with the reasons.
    #[arg(long)]
    pub suggest_version: bool,
}

/// `flowgate changelog`.
#[derive(Debug, Args)]
pub struct ChangelogArgs {
    /// The bundle id.
    pub bundle: String,
    /// Only releases after this version.
    #[arg(long, value_name = "VERSION")]
    pub since: Option<String>,
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
    /// Add the newsletter example assets even when the folder already holds platform files
    /// (a folder without any gets them anyway).
    #[arg(long)]
    pub example: bool,
}

/// When `check` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// On errors.
    Error,
    /// On warnings or errors.
    Warning,
    /// On any finding.
    Info,
    /// Never (report only).
    Never,
}

/// `flowgate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check for this environment: its severity overrides from `[check.environments.<ENV>]` apply.
    #[arg(long = "env", value_name = "ENV")]
    pub environment: Option<String>,
    /// Lowest severity that makes the run exit 1 (default: `[check] fail_on`, else error).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOnArg>,
    /// Report only assets changed since this git revision (and the assets that use them).
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// Run only these rules (code prefixes such as `FG2`, or names); adds to `[check] select`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules (code prefixes or names).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
}

/// `flowgate rule`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Rule code (`FG704`), name (`dml-in-loop`) or Lightning Flow Scanner name
    /// (`DMLStatementInLoop`), in any case.
    pub rule: String,
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

/// `flowgate export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory to write into, keeping each file's path relative to the workspace; it must
    /// not exist yet or be empty.
    pub out: PathBuf,
}

/// `flowgate demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The workspace to rehearse on, only read (default: `-C`, else `examples/acme` when at
    /// hand, else the example embedded in flowgate, written to a temporary directory).
    pub dir: Option<PathBuf>,
}

/// `flowgate reconcile …`.
#[derive(Debug, Subcommand)]
pub enum ReconcileCommand {
    /// Run a `kind: Reconciliation` asset against both databases and record the run.
    Run(ReconcileRunArgs),
    /// The recorded runs of a reconciliation, with the drift detector's view.
    History(ReconcileHistoryArgs),
    /// Create a Magento-shaped MySQL/MariaDB database and an ERP-shaped PostgreSQL schema
    /// with planted differences of every class, to try reconciliation on safe data.
    Generate(ReconcileGenerateArgs),
}

/// `flowgate reconcile run`.
#[derive(Debug, Args)]
pub struct ReconcileRunArgs {
    /// The reconciliation's asset id.
    pub name: String,
    /// Write every differing key to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub keys_csv: Option<PathBuf>,
    /// Keys shown per difference class in the summary.
    #[arg(long, default_value_t = 5)]
    pub samples: usize,
    /// Exit 1 when any row or aggregate differs.
    #[arg(long)]
    pub fail_on_differences: bool,
    /// Exit 1 when the drift detector flags a sustained rise or the rate exceeds `max_rate`.
    #[arg(long)]
    pub fail_on_drift: bool,
    /// Do not record the run in the store.
    #[arg(long)]
    pub no_record: bool,
    /// Continue from the last recorded run of the asset as it is now: checksum again only the
    /// segments where a row's watermark moved since, or whose row count changed (needs
    /// `segment_by` and a `watermark` on both sides). Trusts that every change moves the
    /// watermark; run without it regularly to prove everything.
    #[arg(long)]
    pub incremental: bool,
    /// Queries run at once on each database: the first pass is split into this many key
    /// ranges (with `segment_by`). Raise it when the database servers have idle cores.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// Who runs it (default: $FLOWGATE_USER, git's user.name, $USER).
    #[arg(long = "as", value_name = "PERSON")]
    pub author: Option<String>,
}

/// `flowgate reconcile history`.
#[derive(Debug, Args)]
pub struct ReconcileHistoryArgs {
    /// The reconciliation's asset id.
    pub name: String,
    /// Only the latest runs.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Exit 1 when the latest run is flagged as drift.
    #[arg(long)]
    pub fail_on_drift: bool,
}

/// `flowgate reconcile generate`.
#[derive(Debug, Args)]
pub struct ReconcileGenerateArgs {
    /// The shop database (MySQL/MariaDB URL; its tables are replaced).
    #[arg(
        long,
        env = "MAGENTO_DB_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub shop_url: String,
    /// The ERP database (PostgreSQL URL).
    #[arg(long, env = "ERP_DB_URL", hide_env_values = true, value_name = "URL")]
    pub erp_url: String,
    /// The ERP schema (replaced).
    #[arg(long, default_value = "erp")]
    pub erp_schema: String,
    /// Orders in the shop.
    #[arg(long, default_value_t = 10_000)]
    pub orders: u64,
    /// One order in this many per class carries a planted difference (at least 10).
    #[arg(long, default_value_t = 1000)]
    pub every: u64,
    /// Only orders: no items, products, stock or reservations.
    #[arg(long)]
    pub no_items: bool,
    /// Magento's module-sales `db_schema.xml`: give `sales_order` all its columns (136).
    #[arg(long, value_name = "FILE")]
    pub magento_schema: Option<PathBuf>,
}
