//! The `flowgate` command-line tool.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod exit;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = commands::run(cli);
    ExitCode::from(code as u8)
}
