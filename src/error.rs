//! The library's one error type.
//!
//! Errors stop a run: an input named on the command line that cannot be opened, an option
//! that makes no sense, an output that cannot be written. Problems with *one document*
//! (bad UTF-8, a malformed JSON line, a duplicate id) are not errors: they become a
//! [`Skip`](crate::corpus::Skip) that is counted and reported, and the run goes on.
//!
//! Messages name parameters as the library and the Python package spell them
//! (`max_doc_bytes`, `memory_limit`, `` `replace` ``), never as command-line flags: the
//! command line writes them as its options (`--max-doc-bytes`) when it reports an error.

use std::io;
use std::path::PathBuf;

/// Everything that can stop a wiretrace run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input path given by the user cannot be opened or listed.
    #[error("cannot read input '{}': {source}", path.display())]
    Input {
        /// The path as given.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// Reading an input failed part-way (a disk or pipe error, not bad content).
    #[error("error while reading '{path}' at line {line}: {source}")]
    Read {
        /// The file, or `<stdin>`.
        path: String,
        /// 1-based line where the read failed.
        line: usize,
        /// What the operating system said.
        source: io::Error,
    },
    /// An output file cannot be written.
    #[error("cannot write '{}': {source}", path.display())]
    Output {
        /// The output path.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The run would need more memory than `memory_limit` allows.
    #[error(
        "memory limit of {limit} bytes would be exceeded: {what} needs about {needed} bytes; \
         raise memory_limit{hint}"
    )]
    MemoryLimit {
        /// The limit given.
        limit: u64,
        /// The estimate that exceeded it.
        needed: u64,
        /// What needs it.
        what: String,
        /// What else the user can do, starting with ", or".
        hint: String,
    },
    /// An index file fails its checks: a checksum mismatch, a truncated file, an unknown
    /// format version.
    #[error(
        "index file '{}' is damaged: {detail}; restore the index folder from a backup or \
         rebuild it with `wiretrace index build`",
        path.display()
    )]
    CorruptIndex {
        /// The damaged file.
        path: PathBuf,
        /// What failed, and where in the file.
        detail: String,
    },
    /// An index file cannot be read, written or locked.
    #[error("cannot access index file '{}': {source}", path.display())]
    IndexIo {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// Another run holds the index's writers' lock (exit status 4).
    #[error(
        "another wiretrace run is writing to the index '{}'; wait for it to finish and try \
         again",
        dir.display()
    )]
    IndexBusy {
        /// The index folder.
        dir: PathBuf,
    },
    /// The DataFusion or Ballista engine failed in a stage.
    #[error("the {engine} engine failed in stage '{stage}': {detail}")]
    Engine {
        /// `datafusion` or `ballista`.
        engine: &'static str,
        /// The stage (table) being computed.
        stage: String,
        /// What the engine said.
        detail: String,
    },
    /// A parameter is out of range or inconsistent with another.
    #[error("invalid parameter: {0}")]
    Config(String),
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
