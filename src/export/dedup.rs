//! The deduplicated corpus and its sidecar, written as one unit.
//!
//! Every record read lands in exactly one place: the output (kept), or the sidecar — as
//! dropped, with the id kept in its place, or as skipped, with its reason. Both files are
//! written to temporary files and renamed over their targets only once both are complete,
//! so a failure in either (an unwritable sidecar folder, a full disk) leaves both targets
//! as they were.
//!
//! The two renames are not one atomic step: a kill between them can leave a new output
//! beside an older sidecar. The sidecar's first line therefore describes the output it
//! belongs to — a run id, the output's size in bytes and its CRC-32 — so a sidecar that
//! does not match its output is detected (`wc -c` and any CRC-32 tool, or wiretrace's
//! tests). The output's records are left exactly as read, with no header: downstream
//! readers see only the corpus.

use std::io::{self, Write};

use serde::Serialize;

use super::DupsView;
use super::target::PendingFile;
use crate::corpus::{DocumentRecord, Skip};
use crate::dedup::DedupPlan;
use crate::error::{Error, Result};

/// What a dedup wrote, for the summary on stderr.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DedupSummary {
    /// This run's id, in the sidecar's header.
    pub run: String,
    /// Records read: `kept + dropped + skipped`.
    pub records_read: usize,
    /// Records written to the output.
    pub kept: usize,
    /// Near-duplicates dropped (listed in the sidecar).
    pub dropped: usize,
    /// Records skipped as unusable (listed in the sidecar with their reason).
    pub skipped: usize,
    /// Bytes written to the output.
    pub output_bytes: u64,
    /// CRC-32 of the output, as 8 hex digits.
    pub output_crc32: String,
}

/// Counts and checksums what passes through.
struct Tally<'w> {
    inner: &'w mut dyn Write,
    crc: crc32fast::Hasher,
    bytes: u64,
}

impl Write for Tally<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A run id: unique enough to tell runs apart (time, process, a counter-free hash).
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!("{nanos}:{}", std::process::id());
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(seed.as_bytes()))
}

/// Writes the kept records to `out` and the sidecar to `side`; both become visible, or
/// neither does.
pub fn write_dedup(
    view: &DupsView,
    plan: &DedupPlan,
    mut out: PendingFile,
    mut side: PendingFile,
) -> Result<DedupSummary> {
    let output = out.target().to_path_buf();
    let (kept, output_bytes, output_crc32) = write_kept(view, plan, &mut out)?;
    out.finish()?;
    let skipped: Vec<_> = view.skipped().collect();
    let summary = DedupSummary {
        run: run_id(),
        records_read: view.corpus.records_read(),
        kept,
        dropped: plan.dropped.len(),
        skipped: skipped.len(),
        output_bytes,
        output_crc32,
    };
    write_sidecar(view, plan, &summary, &output, &skipped, &mut side)?;
    side.finish()?;

    // Both complete: now make them visible.
    out.commit()?;
    crate::index::manifest::fault_point("dedup-between-renames");
    side.commit()?;
    Ok(summary)
}

/// Writes the kept records, each as read (or as a record when it was a text file); returns
/// how many, their bytes and their CRC-32.
fn write_kept(
    view: &DupsView,
    plan: &DedupPlan,
    out: &mut PendingFile,
) -> Result<(usize, u64, String)> {
    let output = out.target().to_path_buf();
    let out_err = |source| Error::Output {
        path: output.clone(),
        source,
    };
    let mut tally = Tally {
        inner: out.writer(),
        crc: crc32fast::Hasher::new(),
        bytes: 0,
    };
    let mut kept = 0;
    for (doc, &keep) in view.corpus.documents.iter().zip(&plan.keep) {
        if !keep {
            continue;
        }
        kept += 1;
        match &doc.raw {
            Some(raw) => tally.write_all(raw.as_bytes()).map_err(out_err)?,
            None => {
                serde_json::to_writer(&mut tally, &DocumentRecord::of(doc))
                    .map_err(io::Error::from)
                    .map_err(out_err)?;
            }
        }
        tally.write_all(b"\n").map_err(out_err)?;
    }
    Ok((kept, tally.bytes, format!("{:08x}", tally.crc.finalize())))
}

/// Writes the sidecar: a header line that names the output and the run, then one line per
/// dropped document (with the copy kept) and per skipped record.
fn write_sidecar(
    view: &DupsView,
    plan: &DedupPlan,
    summary: &DedupSummary,
    output: &std::path::Path,
    skipped: &[&Skip],
    side: &mut PendingFile,
) -> Result<()> {
    let docs = &view.corpus.documents;
    let sidecar = side.target().to_path_buf();
    let side_err = |source| Error::Output {
        path: sidecar.clone(),
        source,
    };
    let header = serde_json::json!({
        "wiretrace": "dedup",
        "version": env!("CARGO_PKG_VERSION"),
        "run": summary.run,
        "output": output.display().to_string(),
        "output_bytes": summary.output_bytes,
        "output_crc32": summary.output_crc32,
        "records_read": summary.records_read,
        "kept": summary.kept,
        "dropped": summary.dropped,
        "skipped": summary.skipped,
    });
    // One line at a time: the dropped list can be as long as the corpus.
    let lines = std::iter::once(header)
        .chain(plan.dropped.iter().map(|&(dropped, kept, family)| {
            serde_json::json!({
                "dropped": docs[dropped as usize].id,
                "kept": docs[kept as usize].id,
                "family": family,
            })
        }))
        .chain(skipped.iter().map(|s| {
            serde_json::json!({
                "skipped": s.id,
                "at": s.origin.to_string(),
                "kind": s.reason.kind(),
                "reason": s.reason.to_string(),
            })
        }));
    let w = side.writer();
    for line in lines {
        serde_json::to_writer(&mut *w, &line)
            .map_err(io::Error::from)
            .map_err(side_err)?;
        w.write_all(b"\n").map_err(side_err)?;
    }
    Ok(())
}
