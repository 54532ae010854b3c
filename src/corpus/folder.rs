//! Walking an input folder: every `.txt` and `.md` file is a document whose id is its path
//! relative to the folder (with `/` separators on every platform); `.jsonl`/`.ndjson` files
//! are read as JSON Lines. Other files, and anything that is not a regular file (FIFOs,
//! devices, sockets), are listed as ignored. Entries are visited in sorted
//! order, and symbolic links to folders are not followed, so a link loop cannot hang a run.

use std::path::Path;

use super::{CorpusBuilder, Origin, SkipReason, jsonl};
use crate::error::{Error, Result};

pub(super) fn read(root: &Path, builder: &mut CorpusBuilder<'_, '_>) -> Result<()> {
    let entries = list(root).map_err(|source| Error::Input {
        path: root.to_path_buf(),
        source,
    })?;
    walk(root, entries, builder)
}

fn list(dir: &Path) -> std::io::Result<Vec<std::fs::DirEntry>> {
    let mut entries = std::fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

fn walk(
    root: &Path,
    entries: Vec<std::fs::DirEntry>,
    builder: &mut CorpusBuilder<'_, '_>,
) -> Result<()> {
    for entry in entries {
        let path = entry.path();
        let shown = path.display().to_string();
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                builder.skip(
                    Origin::file(shown),
                    None,
                    SkipReason::Unreadable(e.to_string()),
                );
                continue;
            }
        };
        if file_type.is_dir() {
            match list(&path) {
                Ok(children) => walk(root, children, builder)?,
                Err(e) => builder.skip(
                    Origin::file(shown),
                    None,
                    SkipReason::Unreadable(e.to_string()),
                ),
            }
            continue;
        }
        // Only regular files (or links to them) are read: a FIFO would block the walk, a
        // device could be endless; links to folders are not followed (no loops).
        // A broken link is left to the reader below, which reports it as unreadable.
        let regular = if file_type.is_symlink() {
            std::fs::metadata(&path).map_or(true, |m| m.is_file())
        } else {
            file_type.is_file()
        };
        if !regular {
            builder.ignore_file(shown);
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("txt" | "md") => read_text(root, &path, shown, builder),
            Some("jsonl" | "ndjson") => match std::fs::File::open(&path) {
                Ok(file) => jsonl::read(file, &shown, builder)?,
                Err(e) => builder.skip(
                    Origin::file(shown),
                    None,
                    SkipReason::Unreadable(e.to_string()),
                ),
            },
            _ => builder.ignore_file(shown),
        }
    }
    Ok(())
}

fn read_text(root: &Path, path: &Path, shown: String, builder: &mut CorpusBuilder<'_, '_>) {
    let id = relative_id(root, path);
    if let Err(e) = builder.text_file_at(&id, Origin::file(shown.clone()), path) {
        builder.skip(
            Origin::file(shown),
            Some(id),
            SkipReason::Unreadable(e.to_string()),
        );
    }
}

fn relative_id(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
