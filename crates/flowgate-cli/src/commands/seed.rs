//! `flowgate seed generate`: synthetic data whose columns are the workspace's fields.

use crate::cli::GlobalArgs;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output::emit;
use crate::seed_args::{SeedCommand, SeedFileFormat, SeedGenerateArgs};
use chrono::{NaiveDate, TimeZone, Utc};
use flowgate_seed::locale::{self, Locale};
use flowgate_seed::output::{write_database, write_files, FileFormat};
use flowgate_seed::schema::Schema;
use flowgate_seed::{generate, Dataset, Options};
use serde_json::json;

/// The most contacts one run generates: the population is built in memory (about 5.5 KB per
/// contact with the example's fields), so this keeps a run within a few GB.
const MAX_CONTACTS: usize = 1_000_000;

/// `flowgate seed …`.
pub fn run(command: &SeedCommand, global: &GlobalArgs) -> CommandResult {
    match command {
        SeedCommand::Generate(args) => seed_generate(args, global),
    }
}

fn options(args: &SeedGenerateArgs) -> Result<Options, CommandError> {
    let locales = args
        .locale
        .iter()
        .map(|tag| {
            locale::find(tag.trim()).ok_or_else(|| {
                let known: Vec<&str> = locale::LOCALES.iter().map(|l| l.tag).collect();
                CommandError::usage(
                    format!("--locale: `{tag}` is not a locale flowgate generates"),
                    format!("use one or more of {}", known.join(", ")),
                )
            })
        })
        .collect::<Result<Vec<&'static Locale>, _>>()?;
    if locales.is_empty() {
        return Err(CommandError::usage(
            "--locale names no locale",
            "give at least one, e.g. --locale de-DE",
        ));
    }
    let day = NaiveDate::parse_from_str(&args.as_of, "%Y-%m-%d").map_err(|e| {
        CommandError::usage(
            format!("--as-of `{}`: {e}", args.as_of),
            "give a date as YYYY-MM-DD",
        )
    })?;
    let as_of = Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN));
    if !(0.0..=1.0).contains(&args.edge_share) {
        return Err(CommandError::usage(
            format!("--edge-share {} is not a share", args.edge_share),
            "give a number from 0 to 1, e.g. 0.05",
        ));
    }
    if args.contacts > MAX_CONTACTS {
        return Err(CommandError::usage(
            format!(
                "--contacts {} is more than flowgate generates at once",
                args.contacts
            ),
            "generate at most 1,000,000 contacts per run (the population is built in memory, about 5.5 KB per contact); run again with another --seed for more",
        ));
    }
    Ok(Options {
        contacts: args.contacts,
        seed: args.seed,
        locales,
        as_of,
        edge_share: args.edge_share,
    })
}

fn seed_generate(args: &SeedGenerateArgs, global: &GlobalArgs) -> CommandResult {
    let options = options(args)?;
    if args.out.is_none() && args.url.is_none() {
        return Err(CommandError::usage(
            "say where the data goes",
            "pass --out DIR (CSV or --as jsonl) or --url sqlite://seed.db",
        ));
    }
    let (_, loaded) = super::load(global)?;
    if loaded.has_errors() {
        return Err(super::unclean(&loaded, global, "the fields cannot be read"));
    }
    let schema = Schema::of(&loaded.model);
    let dataset = generate(&schema, &options);
    let place = write(args, &dataset, global)?;
    report(&dataset, &place, args, global);
    Ok(Exit::Success)
}

/// Writes the dataset where the arguments say; where it went.
fn write(
    args: &SeedGenerateArgs,
    dataset: &Dataset,
    global: &GlobalArgs,
) -> Result<String, CommandError> {
    if let Some(dir) = &args.out {
        let format = match args.file_format {
            SeedFileFormat::Csv => FileFormat::Csv,
            SeedFileFormat::Jsonl => FileFormat::Jsonl,
        };
        write_files(dir, &dataset.tables, format).map_err(|e| {
            CommandError::new(
                ErrorKind::Usage,
                e.to_string(),
                "pass a directory you can write to",
            )
        })?;
        return Ok(dir.display().to_string());
    }
    let url = super::watch_generate::database_url(args.url.as_deref().unwrap_or_default(), global)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(write_database(
            &url,
            &args.table_prefix,
            &dataset.tables,
            args.replace,
        ))
        .map_err(|e| {
            let kind = match e {
                flowgate_seed::output::OutputError::Database(_) => ErrorKind::Unavailable,
                _ => ErrorKind::Usage,
            };
            CommandError::new(
                kind,
                e.to_string(),
                "check the URL, or pass --replace to write over tables that hold rows",
            )
        })?;
    Ok(flowgate_store::redact_url(&url))
}

fn report(dataset: &Dataset, place: &str, args: &SeedGenerateArgs, global: &GlobalArgs) {
    let summary = dataset.summary();
    let mut text = format!("seed {} → {place}\n", args.seed);
    for (table, rows) in &summary.rows {
        text.push_str(&format!("  {table:<13} {rows:>9} rows\n"));
    }
    text.push_str("edge cases (contacts):\n");
    for (case, count) in &summary.edge_cases {
        text.push_str(&format!("  {case:<18} {count:>7}\n"));
    }
    text.push_str(&format!("time zones covered: {}\n", summary.zones_covered));
    emit(
        global,
        &text,
        json!({ "seed": args.seed, "as_of": args.as_of, "written_to": place, "summary": summary }),
    );
}
