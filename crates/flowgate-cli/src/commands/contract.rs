//! `flowgate contract diff OLD NEW`, `flowgate contract rule ID` and `flowgate contract rules`.

use crate::cli::{Format, GlobalArgs};
use crate::contract_args::{ContractCommand, ContractDiffArgs, FailOn};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output;
use flowgate_contract::{checks, Check, Failure, Level, Report};
use flowgate_diagnostics::{
    render_github, render_human, render_junit, render_sarif, Diagnostic, HumanOptions, RuleInfo,
    SourceMap, ToolInfo,
};

/// Run a `contract` subcommand.
pub fn run(command: &ContractCommand, global: &GlobalArgs) -> CommandResult {
    match command {
        ContractCommand::Diff(args) => diff(args, global),
        ContractCommand::Rule(args) => rule(&args.id, global),
        ContractCommand::Rules => rules(global),
    }
}

/// Whether `command` writes `format` (the global check lets every format through to here).
fn supports(command: &ContractCommand, format: Format) -> bool {
    match command {
        ContractCommand::Diff(_) => !matches!(format, Format::Csv | Format::Prometheus),
        _ => matches!(format, Format::Human | Format::Json),
    }
}

/// Refuse formats a contract subcommand does not write.
pub fn check_format(command: &ContractCommand, format: Format) -> Result<(), CommandError> {
    if supports(command, format) {
        return Ok(());
    }
    Err(CommandError::usage(
        "this format is not written by this `flowgate contract` command",
        "`contract diff` writes human, json, markdown, sarif, github and junit; `contract rule` and `contract rules` write human and json",
    ))
}

/// Contracts that cannot be read or compared, as a usage error with their located problems.
pub(crate) fn failure(failure: Failure) -> CommandError {
    let mut error = CommandError::from_diagnostics(ErrorKind::Usage, failure.diagnostics);
    for source in failure.sources {
        error = error.with_source(source);
    }
    error
}

fn diff(args: &ContractDiffArgs, global: &GlobalArgs) -> CommandResult {
    let (old_name, new_name) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let (old, new) = flowgate_contract::read_pair((&args.old, &old_name), (&args.new, &new_name))
        .map_err(failure)?;
    let report = flowgate_contract::diff(&old, &new).map_err(failure)?;
    let mut sources = SourceMap::new();
    sources.insert(old.source.clone());
    sources.insert(new.source.clone());
    write_report(&report, &sources, global);
    let threshold = match args.fail_on {
        FailOn::Breaking => Some(Level::Breaking),
        FailOn::Warning => Some(Level::Warning),
        FailOn::Info => Some(Level::Info),
        FailOn::Never => None,
    };
    let failed = matches!((threshold, report.worst()), (Some(t), Some(w)) if w >= t);
    // The documents are large and the process ends here: let the OS reclaim them.
    std::mem::forget((old, new, sources));
    Ok(if failed {
        Exit::Findings
    } else {
        Exit::Success
    })
}

fn write_report(report: &Report, sources: &SourceMap, global: &GlobalArgs) {
    match global.format {
        Format::Json => output::out(&format!("{:#}\n", report.to_json())),
        Format::Markdown => output::out(&report.to_markdown()),
        Format::Sarif => {
            let tool = ToolInfo {
                name: "flowgate".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                information_uri: "https://github.com/flowgate/flowgate".into(),
            };
            let sarif = render_sarif(&report.to_diagnostics(), &rule_infos(), &tool);
            output::out(&format!("{sarif:#}\n"));
        }
        Format::Github => output::out(&render_github(&report.to_diagnostics())),
        Format::Junit => {
            let checked = [report.old.path.clone(), report.new.path.clone()];
            output::out(&render_junit(
                &report.to_diagnostics(),
                &checked,
                "flowgate contract diff",
            ));
        }
        _ => {
            let options = HumanOptions {
                color: output::use_color(global),
            };
            let mut text = render_human(&report.to_diagnostics(), sources, options);
            text.push_str(&summary(report));
            output::out(&text);
        }
    }
}

fn summary(report: &Report) -> String {
    format!(
        "{} breaking, {} warning, {} info: `{}` ({}) → `{}` ({})\n",
        report.count(Level::Breaking),
        report.count(Level::Warning),
        report.count(Level::Info),
        report.old.path,
        report.old.dialect.as_str(),
        report.new.path,
        report.new.dialect.as_str()
    )
}

fn rule_infos() -> Vec<RuleInfo> {
    checks::all()
        .iter()
        .map(|c| RuleInfo {
            code: c.id.clone(),
            name: c.id.clone(),
            summary: c.summary.clone(),
            doc: c.doc(),
            default_severity: flowgate_contract::severity(c.level),
        })
        .collect()
}

fn check_json(check: &Check) -> serde_json::Value {
    serde_json::json!({
        "id": check.id,
        "level": check.level.as_str(),
        "summary": check.summary,
    })
}

/// `flowgate contract rule ID` (and `flowgate rule ID` for a contract check).
pub fn rule(id: &str, global: &GlobalArgs) -> CommandResult {
    let Some(check) = checks::find(id) else {
        let help = match checks::closest(id) {
            Some(close) => {
                format!("did you mean `{close}`? `flowgate contract rules` lists every check")
            }
            None => "`flowgate contract rules` lists every check".to_owned(),
        };
        return Err(CommandError::from_diagnostic(
            ErrorKind::Usage,
            Diagnostic::error(
                flowgate_contract::codes::UNKNOWN_CHECK,
                format!("no contract check `{id}`"),
            )
            .with_help(help),
        ));
    };
    explain(check, global);
    Ok(Exit::Success)
}

/// Print a check's page.
pub fn explain(check: &Check, global: &GlobalArgs) {
    if global.format == Format::Json {
        let mut value = check_json(check);
        value["version"] = serde_json::json!(flowgate_contract::JSON_VERSION);
        value["doc"] = serde_json::json!(check.doc());
        output::out(&format!("{value:#}\n"));
        return;
    }
    output::out(&format!(
        "{} (contract check, level: {})\n\n{}",
        check.id,
        check.level,
        check.doc()
    ));
}

fn rules(global: &GlobalArgs) -> CommandResult {
    let all = checks::all();
    if global.format == Format::Json {
        let list: Vec<_> = all.iter().map(check_json).collect();
        let document =
            serde_json::json!({"version": flowgate_contract::JSON_VERSION, "checks": list});
        output::out(&format!("{document:#}\n"));
        return Ok(Exit::Success);
    }
    let width = all.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for check in all {
        text.push_str(&format!(
            "{:width$}  {:8}  {}\n",
            check.id,
            check.level.as_str(),
            check.summary
        ));
    }
    text.push_str(&format!(
        "\n{} checks. `flowgate contract rule ID` explains one.\n",
        all.len()
    ));
    output::out(&text);
    Ok(Exit::Success)
}
