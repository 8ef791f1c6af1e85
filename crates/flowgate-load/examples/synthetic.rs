//! Write a synthetic workspace:
//! `cargo run --release -p flowgate-load --example synthetic -- DIR [WORKFLOWS] [SEED]`, or with
//! `--bundle` first, a workspace whose bundle `bench` holds about `WORKFLOWS` assets of mixed
//! kinds, one file per asset (`-- --bundle DIR 30000`).
#![allow(clippy::print_stdout)]

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).peekable();
    let bundle = args.next_if(|a| a == "--bundle").is_some();
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: synthetic [--bundle] DIR [WORKFLOWS] [SEED]")?,
    );
    let workflows: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let seed: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(42);
    std::fs::create_dir_all(&dir)?;
    let config = if bundle {
        flowgate_load::synthetic::BUNDLE_CONFIG
    } else {
        flowgate_load::synthetic::CONFIG
    };
    std::fs::write(dir.join("flowgate.toml"), config)?;
    let files = if bundle {
        flowgate_load::synthetic::bundle_workspace(workflows, seed)
    } else {
        flowgate_load::synthetic::workspace(workflows, seed)
    };
    for (path, text) in &files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    println!("wrote {} files to {}", files.len() + 1, dir.display());
    Ok(())
}
