//! `flowgate schema diff OLD NEW`: what changed in the database between two Magento
//! versions, from their declarative schemas.

use crate::cli::GlobalArgs;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output::{emit, inert};
use crate::payload_args::SchemaDiffArgs;
use flowgate_dbschema::{diff, read_tree, Level, Schema, SchemaChange};
use serde_json::json;
use std::path::Path;

fn read(path: &Path) -> Result<Schema, CommandError> {
    read_tree(path).map_err(|e| {
        CommandError::new(
            ErrorKind::Usage,
            e.to_string(),
            "give two folders holding Magento modules' etc/db_schema.xml (a checkout or vendor/magento)",
        )
    })
}

/// `flowgate schema diff`.
pub fn run(args: &SchemaDiffArgs, global: &GlobalArgs) -> CommandResult {
    let (old, new) = (read(&args.old)?, read(&args.new)?);
    let mut changes = diff(&old, &new);
    if !args.tables.is_empty() {
        changes.retain(|c| args.tables.contains(&c.table));
    }
    let count = |level: Level| changes.iter().filter(|c| c.level == level).count();
    let (breaking, warnings) = (count(Level::Breaking), count(Level::Warning));
    let mut text = format!(
        "{} ({} files, {} tables) → {} ({} files, {} tables): {} change(s): {breaking} breaking, {warnings} warning(s)\n",
        args.old.display(),
        old.files.len(),
        old.tables.len(),
        args.new.display(),
        new.files.len(),
        new.tables.len(),
        changes.len()
    );
    for change in &changes {
        text.push_str(&line(change));
    }
    emit(
        global,
        &text,
        json!({
            "version": 1,
            "old": { "path": args.old.display().to_string(), "files": old.files.len(), "tables": old.tables.len() },
            "new": { "path": args.new.display().to_string(), "files": new.files.len(), "tables": new.tables.len() },
            "changes": changes,
        }),
    );
    Ok(if breaking > 0 {
        Exit::Findings
    } else {
        Exit::Success
    })
}

fn line(change: &SchemaChange) -> String {
    let mark = match change.level {
        Level::Breaking => "✗",
        Level::Warning => "!",
        Level::Info => "·",
    };
    let at = change
        .new
        .as_ref()
        .or(change.old.as_ref())
        .map(|p| format!("  ({p})"))
        .unwrap_or_default();
    format!(
        "  {mark} {:<26} {}: {}{at}\n",
        change.check,
        inert(&change.table),
        inert(&change.detail)
    )
}
