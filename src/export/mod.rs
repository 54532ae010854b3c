//! Writing results: one module per output format, and atomic file output.
//!
//! Formats render a [`DupsView`] — the corpus account plus the pipeline's report — so that
//! every format shows the same numbers. Files are written to a temporary name beside the
//! target and renamed into place, so an interrupted run never leaves half a result.

pub mod dot;
pub mod graphml;
pub mod html;
pub mod index;
pub mod json;
pub mod table;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use crate::corpus::{Corpus, Skip};
use crate::dups::{DupsConfig, DupsReport};
use crate::error::{Error, Result};
use crate::lineage::Lineage;
use crate::trace::{Trace, TraceConfig};

/// Everything an output format needs about one `dups` run.
#[derive(Debug, Clone, Copy)]
pub struct DupsView<'a> {
    /// The corpus that was read.
    pub corpus: &'a Corpus,
    /// The parameters used.
    pub config: &'a DupsConfig,
    /// What the pipeline found.
    pub report: &'a DupsReport,
}

impl DupsView<'_> {
    /// Every skipped record: at reading, then at shingling.
    pub fn skipped(&self) -> impl Iterator<Item = &Skip> {
        self.corpus.skipped.iter().chain(&self.report.skipped)
    }

    /// Skip counts by reason kind, in name order.
    pub fn skipped_by_kind(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for s in self.skipped() {
            *counts.entry(s.reason.kind()).or_insert(0) += 1;
        }
        counts
    }

    /// Number of records skipped at any stage.
    pub fn skipped_count(&self) -> usize {
        self.corpus.skipped.len() + self.report.skipped.len()
    }

    /// Id of document `i`.
    pub fn id(&self, i: u32) -> &str {
        &self.corpus.documents[i as usize].id
    }

    /// Documents that a dedup would drop: family members other than the representative.
    pub fn redundant_documents(&self) -> usize {
        self.report
            .families
            .iter()
            .map(|f| f.members.len() - 1)
            .sum()
    }
}

/// Everything an output format needs about a `passages` or `lineage` run.
#[derive(Debug, Clone, Copy)]
pub struct LineageView<'a> {
    /// The corpus that was read.
    pub corpus: &'a Corpus,
    /// The parameters used.
    pub config: &'a TraceConfig,
    /// Passages and boilerplate.
    pub trace: &'a Trace,
    /// The lineage graph built from them.
    pub lineage: &'a Lineage,
}

impl<'a> LineageView<'a> {
    /// The whole-document view of the same run (for the account of skipped records).
    pub fn dups(&self) -> DupsView<'a> {
        DupsView {
            corpus: self.corpus,
            config: &self.config.dups,
            report: &self.trace.dups,
        }
    }

    /// Id of document `i`.
    pub fn id(&self, i: u32) -> &'a str {
        &self.corpus.documents[i as usize].id
    }
}

/// At most `max` characters of `text[start..end]` (character offsets), with `…` when cut.
pub fn snippet(text: &str, (start, end): (usize, usize), max: usize) -> String {
    let mut out: String = text
        .chars()
        .skip(start)
        .take((end - start).min(max))
        .collect();
    if end - start > max {
        out.push('…');
    }
    out
}

/// Writes to `path` atomically, or to stdout when `path` is `None`.
pub fn write_output(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            match render(&mut out).and_then(|()| out.flush()) {
                // A closed pipe (`| head`) is the reader's choice, not a failure.
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Output {
                    path: "<stdout>".into(),
                    source: e,
                }),
                _ => Ok(()),
            }
        }
        Some(path) => write_atomically(path, render),
    }
}

/// Writes a file through a temporary sibling and a rename.
pub fn write_atomically(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let err = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| {
        err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file name",
        ))
    })?;
    let tmp = dir.join(format!(
        ".{}.wiretrace-tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut out = io::BufWriter::new(file);
        render(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Rounds a similarity for output: six decimals are plenty and keep files diffable.
pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
