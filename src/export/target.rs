//! Where results go: output paths checked against each other and against the inputs, and
//! files written so that nothing is clobbered by mistake or by a planted link.
//!
//! A run's outputs are all decided before anything is read, so [`check_outputs`] refuses,
//! up front, an output that is another output or an input — compared by device and inode
//! when the file exists (so links and `./a` vs `a` are seen through), by resolved path when
//! it does not — and an output that would land inside an input folder as a document.
//!
//! A regular file is written to a temporary sibling and renamed over the target only when
//! complete ([`PendingFile`]). The temporary file is created exclusively (`O_EXCL`: a link
//! planted at its name is never followed) under an unpredictable name, and it is removed
//! if the run fails or is stopped by SIGINT, SIGTERM or SIGHUP
//! ([`remove_temporaries_on_signal`]). A target that is not a regular file — a character
//! device such as `/dev/null`, a FIFO, `/dev/stdout` or a link into `/proc/self/fd` — is
//! never replaced: it is opened and written in place, and a failed write (`/dev/full`) is
//! an error like any other.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::corpus::Input;
use crate::error::{Error, Result};

/// Temporary files of this process not yet renamed into place, removed on a signal.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Extensions read as documents or JSON Lines inside an input folder.
const FOLDER_DOCUMENT_EXTENSIONS: [&str; 4] = ["txt", "md", "jsonl", "ndjson"];

/// How a path is known for comparison: its file identity when it exists, and its absolute
/// path with the folder resolved (links in the folder part followed).
#[derive(Debug)]
struct Identity {
    file: Option<(u64, u64)>,
    regular: bool,
    resolved: PathBuf,
}

fn identity(path: &Path) -> Identity {
    let meta = std::fs::metadata(path).ok();
    let file = meta.as_ref().map(file_id);
    let regular = meta.as_ref().is_none_or(|m| m.is_file() || m.is_dir());
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let parent = std::fs::canonicalize(&parent).unwrap_or(parent);
        match path.file_name() {
            Some(name) => parent.join(name),
            None => parent,
        }
    });
    Identity {
        file,
        regular,
        resolved,
    }
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn same(a: &Identity, b: &Identity) -> bool {
    match (a.file, b.file) {
        (Some(x), Some(y)) if cfg!(unix) => x == y,
        _ => a.resolved == b.resolved,
    }
}

/// Refuses (with [`Error::Config`], exit status 2) outputs that would overwrite an input or
/// each other. `outputs` are `(option, path)`, e.g. `("--dropped", path)`.
///
/// Outputs that are not regular files (`/dev/null`, a FIFO, `/dev/stdout`) may be shared
/// by several outputs, since nothing is replaced there; they may never be an input.
pub fn check_outputs(outputs: &[(&str, &Path)], inputs: &[Input]) -> Result<()> {
    let outs: Vec<(&str, &Path, Identity)> = outputs
        .iter()
        .map(|&(option, path)| (option, path, identity(path)))
        .collect();
    let ins: Vec<(&Path, Identity)> = inputs
        .iter()
        .filter_map(|input| match input {
            Input::Path(p) => Some((p.as_path(), identity(p))),
            Input::Stdin => None,
        })
        .collect();
    for (i, (option, path, id)) in outs.iter().enumerate() {
        for (other, other_path, other_id) in &outs[..i] {
            if id.regular && same(id, other_id) {
                return Err(Error::Config(format!(
                    "{option} '{}' is the same file as {other} '{}'; give each output its \
                     own path",
                    path.display(),
                    other_path.display()
                )));
            }
        }
        let is_document = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .is_some_and(|e| FOLDER_DOCUMENT_EXTENSIONS.contains(&e.as_str()));
        for (input, input_id) in &ins {
            if same(id, input_id) {
                return Err(Error::Config(format!(
                    "{option} '{}' is the input '{}'; refusing to overwrite an input",
                    path.display(),
                    input.display()
                )));
            }
            if input.is_dir() && is_document && id.resolved.starts_with(&input_id.resolved) {
                return Err(Error::Config(format!(
                    "{option} '{}' is inside the input folder '{}', where it would be read as \
                     a document; write it elsewhere",
                    path.display(),
                    input.display()
                )));
            }
        }
    }
    Ok(())
}

/// [`check_outputs`], then opens every output as a [`PendingFile`], in order: the one way
/// a run takes its outputs, before it reads anything.
pub fn open_outputs(outputs: &[(&str, &Path)], inputs: &[Input]) -> Result<Vec<PendingFile>> {
    check_outputs(outputs, inputs)?;
    outputs
        .iter()
        .map(|(_, path)| PendingFile::create(path))
        .collect()
}

/// Refuses an output path inside a folder that the run owns (an index folder).
pub fn check_outside(option: &str, path: &Path, folder: &Path) -> Result<()> {
    let out = identity(path);
    let dir = identity(folder);
    if out.resolved.starts_with(&dir.resolved) {
        return Err(Error::Config(format!(
            "{option} '{}' is inside '{}'; write it elsewhere",
            path.display(),
            folder.display()
        )));
    }
    Ok(())
}

/// Whether `path` is to be written in place rather than replaced: it exists and is not a
/// regular file, or it is a link into `/proc` or `/dev` (`/dev/stdout`).
fn written_in_place(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => true,
        Ok(_) => {
            std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
                && std::fs::canonicalize(path)
                    .is_ok_and(|p| p.starts_with("/proc") || p.starts_with("/dev"))
        }
        Err(_) => false,
    }
}

/// An output being written; nothing is visible at the target until [`commit`](Self::commit).
/// Dropped without a commit, it removes its temporary file.
pub struct PendingFile {
    target: PathBuf,
    out: Option<BufWriter<File>>,
    /// The temporary file, for a regular target; `None` when written in place.
    temporary: Option<PathBuf>,
}

impl PendingFile {
    /// Opens the output: a new temporary file beside `target`, or `target` itself when it
    /// is a device, FIFO or `/dev/stdout`-like link.
    pub fn create(target: &Path) -> Result<PendingFile> {
        let err = |source| Error::Output {
            path: target.to_path_buf(),
            source,
        };
        if target.is_dir() {
            return Err(err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a folder",
            )));
        }
        if written_in_place(target) {
            let file = OpenOptions::new().append(true).open(target).map_err(err)?;
            return Ok(PendingFile {
                target: target.to_path_buf(),
                out: Some(BufWriter::new(file)),
                temporary: None,
            });
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target.file_name().ok_or_else(|| {
            err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a file name",
            ))
        })?;
        let prefix = format!(".{}.", name.to_string_lossy());
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(&prefix)
            .suffix(".wiretrace-tmp")
            .rand_bytes(12);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // As `File::create` would: 0666 less the umask.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        // Registered before it exists, so a signal in between finds at worst nothing.
        let (file, path) = {
            let mut list = TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner());
            let named = builder.tempfile_in(&dir).map_err(err)?;
            let (file, path) = named.keep().map_err(|e| err(e.error))?;
            list.push(path.clone());
            (file, path)
        };
        Ok(PendingFile {
            target: target.to_path_buf(),
            out: Some(BufWriter::new(file)),
            temporary: Some(path),
        })
    }

    /// The target path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut dyn Write {
        self.out.as_mut().expect("writer open until commit")
    }

    /// Writes everything out and syncs it, without making it visible yet.
    pub fn finish(&mut self) -> Result<()> {
        let err = |source| Error::Output {
            path: self.target.clone(),
            source,
        };
        let out = self.out.as_mut().expect("writer open until commit");
        out.flush().map_err(err)?;
        if self.temporary.is_some() {
            out.get_ref().sync_all().map_err(err)?;
        }
        Ok(())
    }

    /// Finishes the file and renames it over the target.
    pub fn commit(mut self) -> Result<()> {
        self.finish()?;
        self.out = None;
        if let Some(tmp) = self.temporary.take() {
            let renamed = std::fs::rename(&tmp, &self.target);
            unregister_temporary(&tmp);
            if let Err(source) = renamed {
                let _ = std::fs::remove_file(&tmp);
                return Err(Error::Output {
                    path: self.target.clone(),
                    source,
                });
            }
        }
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        self.out = None;
        if let Some(tmp) = self.temporary.take() {
            let _ = std::fs::remove_file(&tmp);
            unregister_temporary(&tmp);
        }
    }
}

/// Registers a temporary file made elsewhere (index segments) for removal on a signal.
pub fn register_temporary(path: &Path) {
    let mut list = TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner());
    list.push(path.to_path_buf());
}

/// Forgets a temporary file (renamed or removed): a [`PendingFile`]'s, or one registered
/// with [`register_temporary`].
pub fn unregister_temporary(path: &Path) {
    let mut list = TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner());
    list.retain(|p| p != path);
}

/// Removes every temporary file still pending. Called on a signal, and when the process
/// stops at the memory limit.
pub fn remove_temporaries() {
    // `try_lock`, a few times: the thread stopped (at the memory limit) may hold the lock
    // itself, and must not wait for itself.
    for _ in 0..50 {
        if let Ok(list) = TEMPORARIES.try_lock() {
            for path in list.iter() {
                let _ = std::fs::remove_file(path);
            }
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Starts a thread that, on SIGINT, SIGTERM or SIGHUP, removes the pending temporary files
/// and ends the process with status 128 + the signal number, as the shell reports a
/// signal. Call once, from the binary.
pub fn remove_temporaries_on_signal() -> Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            .map_err(|e| Error::Config(format!("cannot install signal handlers: {e}")))?;
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    remove_temporaries();
                    std::process::exit(128 + signal);
                }
            })
            .map_err(|e| Error::Config(format!("cannot start the signal thread: {e}")))?;
    }
    Ok(())
}
