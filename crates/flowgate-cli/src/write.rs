//! Writing output files whole, without following links planted at their names.

use std::io::Write as _;
use std::path::Path;

/// Writes `bytes` to `path` through a new temporary file beside it and a rename.
///
/// Readers see the old file or the new one, never half of it. The temporary file is always
/// created new (never opened through an existing name), and the rename replaces a symbolic
/// link at `path` instead of writing through it, so a link planted in an output directory
/// cannot redirect the write elsewhere. A new file is readable by everyone (0644), as an
/// ordinary output file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with_mode(path, bytes, 0o644)
}

/// As [`write_atomically`], for a file only its owner may read (0600): credentials.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with_mode(path, bytes, 0o600)
}

fn write_with_mode(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut file = partial_beside(path)?;
    file.write_all(bytes)?;
    finish_with_mode(file, path, mode)
}

/// A new temporary file beside `path`, to be written and then put in place with
/// [`finish_partial`]; dropped instead, it is removed and `path` is left as it was.
pub fn partial_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".flowgate-")
        .suffix(".partial")
        .tempfile_in(dir)
}

/// Puts a file made by [`partial_beside`] in place at `path` by a rename, readable by
/// everyone (0644), as [`write_atomically`] does.
pub fn finish_partial(file: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    finish_with_mode(file, path, 0o644)
}

fn finish_with_mode(
    mut file: tempfile::NamedTempFile,
    path: &Path,
    mode: u32,
) -> std::io::Result<()> {
    file.flush()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// [`write_atomically`] for a file the user named: a failure is the command's error (exit 4),
/// naming the file.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), crate::error::CommandError> {
    write_atomically(path, bytes).map_err(|e| {
        crate::error::CommandError::new(
            crate::error::ErrorKind::Unavailable,
            format!("{} could not be written: {e}", path.display()),
            "check the folder exists and is writable",
        )
    })
}
