//! `flowgate schema`: print the asset-file JSON Schema.

use crate::exit::Exit;
use crate::output;

/// Run the command.
pub fn run() -> crate::error::CommandResult {
    output::out(&flowgate_load::schema::asset_schema_text());
    Ok(Exit::Success)
}
