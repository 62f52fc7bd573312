//! Writing output files so that a crash never leaves one half-written, and nothing that is not
//! a file of ours is replaced: a regular file, or a path that does not exist yet, is written to
//! a temporary file and renamed into place; a FIFO, a terminal or another character device
//! (`/dev/stdout`) and a symbolic link's target are written through, leaving the node or the
//! link as it was; anything else (a directory, a socket, a block device, a dangling link) is
//! refused as bad input (exit code 2).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use anyhow::Context;

use super::error::InputError;

/// How an output path is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A regular file or a new path: a temporary file beside it, renamed over it.
    Replace,
    /// A FIFO, a character device or a symbolic link: opened and written, never replaced.
    WriteThrough,
}

/// How `path` may be written, or why it may not.
pub fn target(path: &Path) -> Result<Target, InputError> {
    let refuse = |message: String| InputError::Output { path: path.to_path_buf(), message };
    let node = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Target::Replace),
        Err(e) => return Err(refuse(format!("cannot inspect it: {e}"))),
        Ok(node) if node.file_type().is_file() => return Ok(Target::Replace),
        Ok(node) => node,
    };
    // Follow a link (also /proc/self/fd/N, whose target may be a pipe) to what it points at.
    let kind = match std::fs::metadata(path) {
        Ok(m) => m.file_type(),
        Err(e) if node.file_type().is_symlink() => {
            return Err(refuse(format!("it is a symbolic link to something that cannot be written ({e})")));
        }
        Err(e) => return Err(refuse(format!("cannot inspect it: {e}"))),
    };
    if kind.is_fifo() || kind.is_char_device() || (kind.is_file() && node.file_type().is_symlink()) {
        Ok(Target::WriteThrough)
    } else if kind.is_dir() {
        Err(refuse("it is a directory; name a file".into()))
    } else {
        Err(refuse("it is not a regular file, a FIFO or a character device; refusing to replace it".into()))
    }
}

/// Opens a [`Target::WriteThrough`] path for writing (truncating a link's regular target).
pub fn open_through(path: &Path) -> anyhow::Result<File> {
    OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes `bytes` to `path` by the rule of this module: atomically (a temporary file in the
/// same directory, flushed and synced, then renamed over `path`, mode 0644; parent
/// directories created) for a regular file or a new path, through the node for a FIFO, a
/// character device or a link.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if target(path)? == Target::WriteThrough {
        let mut file = open_through(path)?;
        return file
            .write_all(bytes)
            .and_then(|_| file.flush())
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create directory {}", dir.display()))?;
    let mut builder = tempfile::Builder::new();
    // Readable by others like any file the user writes (temp files default to 0600), so a
    // report folder can be served or shared as is.
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path).with_context(|| format!("cannot rename into {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    #[test]
    fn regular_files_are_replaced_and_links_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.json");
        write_atomic(&file, b"one").unwrap();
        assert_eq!(target(&file).unwrap(), Target::Replace);
        write_atomic(&file, b"two").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"two");

        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        write_atomic(&link, b"through the link").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read(&file).unwrap(), b"through the link");
    }

    #[test]
    fn fifos_are_written_through_and_directories_and_dangling_links_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"streamed").unwrap();
        assert_eq!(reader.join().unwrap(), b"streamed");
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "still a FIFO");

        let err = write_atomic(dir.path(), b"x").unwrap_err();
        assert!(
            err.downcast_ref::<InputError>().is_some() && err.to_string().contains("is a directory"),
            "{err}"
        );
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere/at/all"), &dangling).unwrap();
        let err = write_atomic(&dangling, b"x").unwrap_err();
        assert!(err.downcast_ref::<InputError>().is_some(), "{err}");
        assert!(
            std::fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink(),
            "the link is left alone"
        );
    }
}
