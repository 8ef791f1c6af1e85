//! A copy of the bundled example workspace in a temporary directory, and a way to run the
//! `flowgate` binary in it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/acme");

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() != ".flowgate" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A private copy of `examples/acme` (without its store).
pub struct Workspace {
    dir: tempfile::TempDir,
    /// The workspace root.
    pub root: PathBuf,
}

impl Workspace {
    /// Copies the example.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("acme");
        copy_dir(Path::new(EXAMPLE), &root);
        Self { dir, root }
    }

    /// The command, ready to run in the workspace as `tom` (a person of the example), without
    /// colours.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_flowgate"));
        command
            .arg("-C")
            .arg(&self.root)
            .args(["--color", "never"])
            .args(args)
            .env_remove("FLOWGATE_STORE")
            .env_remove("FLOWGATE_NOW")
            .env("FLOWGATE_USER", "tom");
        command
    }

    /// Snapshot settings that write the temporary directory holding the workspace `[TMP]`
    /// (the root is `[TMP]/acme`).
    pub fn filters(&self) -> insta::Settings {
        tmp_filters(self.dir.path())
    }

    /// Runs a command: exit code, stdout, stderr.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        finish(self.command(args).output().unwrap())
    }

    /// The command, ready to run as `person` at the pinned time `now` (RFC 3339).
    pub fn command_as(&self, person: &str, now: &str, args: &[&str]) -> Command {
        let mut command = self.command(args);
        command
            .env("FLOWGATE_USER", person)
            .env("FLOWGATE_NOW", now);
        command
    }

    /// Runs a command as `person` at the pinned time `now` (RFC 3339).
    pub fn run_as(&self, person: &str, now: &str, args: &[&str]) -> (i32, String, String) {
        finish(self.command_as(person, now, args).output().unwrap())
    }

    /// Runs SQL statements on the workspace's SQLite store, as someone with write access to
    /// the file could; the rows they changed in all.
    pub fn execute_sql(&self, statements: &[&str]) -> u64 {
        let db = self.root.join(".flowgate/store.db");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use sqlx::{ConnectOptions as _, Connection as _};
            let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&db)
                .connect()
                .await
                .unwrap();
            let mut changed = 0;
            for statement in statements {
                changed += sqlx::query(statement)
                    .execute(&mut conn)
                    .await
                    .unwrap()
                    .rows_affected();
            }
            conn.close().await.unwrap();
            changed
        })
    }

    /// Replaces text in a workspace file.
    pub fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.root.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} lacks {from:?}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
}

/// The repository's root (canonical, so that snapshots can replace it).
pub fn repo() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .canonicalize()
        .unwrap()
}

/// The command `flowgate -C dir ARGS` without colours, to run or to snapshot with
/// `insta_cmd::assert_cmd_snapshot!`.
pub fn flowgate_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowgate"));
    command.arg("-C").arg(dir).args(args).env("NO_COLOR", "1");
    command
}

/// Runs `flowgate -C dir ARGS` without colours.
pub fn flowgate_in(dir: &Path, args: &[&str]) -> Output {
    flowgate_cmd(dir, args).output().unwrap()
}

/// Snapshot settings that write the temporary directory `tmp` (as given and canonical)
/// `[TMP]`: `let _filters = tmp_filters(dir.path()).bind_to_scope();` before the snapshots.
pub fn tmp_filters(tmp: &Path) -> insta::Settings {
    let mut paths = vec![tmp.display().to_string()];
    if let Ok(canonical) = tmp.canonicalize() {
        paths.push(canonical.display().to_string());
    }
    // Longest first, so that a path is never half replaced.
    paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
    paths.dedup();
    let mut settings = insta::Settings::clone_current();
    for path in paths {
        settings.add_filter(&regex::escape(&path), "[TMP]");
    }
    settings
}

/// Exit code, stdout and stderr of a finished process.
pub fn finish(output: Output) -> (i32, String, String) {
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
