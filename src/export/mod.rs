//! Writing results: one module per output format, and atomic file output.
//!
//! Formats render a [`DupsView`] — the corpus account plus the pipeline's report — so that
//! every format shows the same numbers. Files are written to a temporary name beside the
//! target and renamed into place, so an interrupted run never leaves half a result
//! ([`target`] also checks, before a run reads anything, that no output is an input or
//! another output).

pub mod dedup;
pub mod dot;
pub mod graphml;
pub mod html;
pub mod index_report;
pub mod json;
pub mod table;
pub mod target;

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

    /// Id of lineage node `i`: a document, or an inferred source.
    pub fn id(&self, i: u32) -> &'a str {
        self.lineage.node(&self.corpus.documents, i).id
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

/// Where one result goes: standard output, or a file being written ([`target::PendingFile`]).
/// Opening a file output early — before the run reads anything — makes an unwritable path
/// fail at once rather than after hours of work.
pub enum Output {
    /// Standard output.
    Stdout,
    /// A file, visible once written in full.
    File(target::PendingFile),
}

impl Output {
    /// Opens `path`, or stdout when `path` is `None`.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        Ok(match path {
            None => Output::Stdout,
            Some(p) => Output::File(target::PendingFile::create(p)?),
        })
    }

    /// Renders the result and, for a file, renames it into place.
    pub fn write(self, render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
        match self {
            Output::Stdout => {
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
            Output::File(mut pending) => {
                let path = pending.target().to_path_buf();
                render(pending.writer()).map_err(|source| Error::Output { path, source })?;
                pending.commit()
            }
        }
    }
}

impl Output {
    /// Writes the output of a run that streams into it as it works (pairs written as they
    /// are found, then what the finished run knows). `run` answers with its own result: on
    /// success, what it made (none if it could not start) and the result of writing. The
    /// run's error comes first — a failed run leaves its output unfinished only as a
    /// consequence, and a file output is then not put in place; a reader of standard
    /// output that went away early (`| head`) is no failure, and the run's value is still
    /// given back.
    pub fn write_streamed<T>(
        self,
        run: impl FnOnce(&mut dyn Write) -> Result<(Option<T>, io::Result<()>)>,
    ) -> Result<Option<T>> {
        let mut done = None;
        let mut failure = None;
        let written = self.write(|out| match run(out) {
            Err(e) => {
                failure = Some(e);
                Err(io::Error::other("the run failed"))
            }
            Ok((value, written)) => {
                done = value;
                written
            }
        });
        match failure {
            Some(e) => Err(e),
            None => written.map(|()| done),
        }
    }
}

impl From<Option<target::PendingFile>> for Output {
    fn from(file: Option<target::PendingFile>) -> Self {
        file.map_or(Output::Stdout, Output::File)
    }
}

/// Writes to `path` atomically, or to stdout when `path` is `None`.
pub fn write_output(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    Output::open(path)?.write(render)
}

/// Writes a file through a temporary sibling and a rename (see [`target`]): all or
/// nothing, never through a planted link, devices and FIFOs written in place.
pub fn write_atomically(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    Output::open(Some(path))?.write(render)
}

/// Rounds a similarity for output: six decimals are plenty and keep files diffable.
pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
