//! The manifest: which segments make up the index, and the parameters it was built with.
//!
//! `MANIFEST` is one line of JSON followed by a line `crc32 XXXXXXXX` (the CRC-32 of the
//! JSON line, in hex). It is replaced, never edited: a new version is written to
//! `MANIFEST.tmp`, synced, and renamed over the old one, then the folder is synced. A
//! rename is atomic on POSIX file systems, so a reader — or a run killed at any point —
//! sees either the old list of segments or the new one. Segment files not named in the
//! manifest are leftovers of an interrupted run and are removed by the next writer.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::boilerplate::BoilerplateConfig;
use crate::dups::DupsConfig;
use crate::error::{Error, Result};
use crate::lsh::LshParams;
use crate::passage::PassageConfig;
use crate::trace::TraceConfig;

/// The manifest's file name.
pub const MANIFEST: &str = "MANIFEST";
/// The writers' lock file.
pub const LOCK: &str = "LOCK";
/// Value of the manifest's `format` field.
pub const FORMAT: &str = "wiretrace-index";
/// Manifest version written and read by this release.
pub const VERSION: u32 = 1;

/// Everything that fixes how documents are matched; stored once, used by every later call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexParams {
    /// The signature scheme of the stored signatures ([`crate::minhash::SCHEME`]); indexes
    /// written before it was recorded carry none and read as
    /// [`crate::minhash::LEGACY_SCHEME`].
    #[serde(default = "legacy_scheme")]
    pub signature_scheme: String,
    /// Shingling, as on the command line (`words:5`, `chars:5`).
    pub shingle: String,
    /// MinHash signature length (values).
    pub num_perm: usize,
    /// MinHash seed.
    pub seed: u64,
    /// Least exact Jaccard of a pair.
    pub threshold: f64,
    /// LSH bands.
    pub bands: usize,
    /// LSH rows per band.
    pub rows: usize,
    /// LSH bands, at the front, of `rows + 1` values (none in indexes built before they
    /// existed).
    #[serde(default)]
    pub long_bands: usize,
    /// Buckets larger than this give star pairs.
    pub max_bucket: usize,
    /// Passage k-gram size.
    pub passage_k: usize,
    /// Winnowing window.
    pub window: usize,
    /// Fingerprint document-frequency cap.
    pub max_df: usize,
    /// Shared fingerprints that make a passage candidate.
    pub min_shared_fingerprints: usize,
    /// Least passage length in words.
    pub min_words: usize,
    /// Largest gap bridged in a passage.
    pub max_gap: usize,
    /// Boilerplate: least number of unrelated documents.
    pub boilerplate_min_docs: usize,
    /// Boilerplate: longest line of a template block.
    pub short_line_words: usize,
}

fn legacy_scheme() -> String {
    crate::minhash::LEGACY_SCHEME.into()
}

impl IndexParams {
    /// The parameters named in `names` (as the fields are named) whose values differ
    /// between these (stored) and `asked`: `(name, stored, asked)`, values as JSON. A name
    /// that is not a stored parameter is not compared.
    pub fn differences(
        &self,
        asked: &IndexParams,
        names: &[String],
    ) -> Vec<(String, serde_json::Value, serde_json::Value)> {
        let stored = serde_json::to_value(self).expect("parameters serialise");
        let asked = serde_json::to_value(asked).expect("parameters serialise");
        names
            .iter()
            .filter_map(|name| {
                let (have, want) = (stored.get(name)?, asked.get(name)?);
                (have != want).then(|| (name.clone(), have.clone(), want.clone()))
            })
            .collect()
    }

    /// The parameters of a configuration (its LSH bands resolved).
    pub fn from_config(c: &TraceConfig) -> Result<Self> {
        let lsh = c.dups.resolve_lsh()?;
        Ok(IndexParams {
            signature_scheme: crate::minhash::SCHEME.into(),
            shingle: c.dups.scheme.to_string(),
            num_perm: c.dups.num_perm,
            seed: c.dups.seed,
            threshold: c.dups.threshold,
            bands: lsh.bands,
            rows: lsh.rows,
            long_bands: lsh.long_bands,
            max_bucket: c.dups.max_bucket,
            passage_k: c.passage.k,
            window: c.passage.window,
            max_df: c.passage.max_df,
            min_shared_fingerprints: c.passage.min_shared_fingerprints,
            min_words: c.passage.min_words,
            max_gap: c.passage.max_gap,
            boilerplate_min_docs: c.boilerplate.min_docs,
            short_line_words: c.boilerplate.short_line_words,
        })
    }

    /// The configuration these parameters describe.
    pub fn config(&self) -> Result<TraceConfig> {
        let config = TraceConfig {
            dups: DupsConfig {
                scheme: self.shingle.parse().map_err(Error::Config)?,
                num_perm: self.num_perm,
                seed: self.seed,
                threshold: self.threshold,
                lsh: Some(LshParams {
                    bands: self.bands,
                    rows: self.rows,
                    long_bands: self.long_bands,
                }),
                max_bucket: self.max_bucket,
            },
            passage: PassageConfig {
                k: self.passage_k,
                window: self.window,
                max_df: self.max_df,
                min_shared_fingerprints: self.min_shared_fingerprints,
                min_words: self.min_words,
                max_gap: self.max_gap,
            },
            boilerplate: BoilerplateConfig {
                min_docs: self.boilerplate_min_docs,
                short_line_words: self.short_line_words,
            },
            // The index aligns each new article with its candidates verbatim; rewritten
            // copy (the paraphrase path) is found by `passages` and `lineage` runs.
            paraphrase: None,
        };
        config.dups.resolve_lsh()?;
        Ok(config)
    }
}

/// One segment as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRef {
    /// File name inside the index folder.
    pub file: String,
    /// Global ordinal of its first document.
    pub base: u32,
    /// Documents it holds.
    pub docs: u32,
    /// File length in bytes (a shorter file is truncated).
    pub bytes: u64,
}

/// The manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Manifest and segment format version.
    pub version: u32,
    /// The index's fixed parameters.
    pub params: IndexParams,
    /// Segments, oldest first.
    pub segments: Vec<SegmentRef>,
    /// Number used for the next segment's file name.
    pub next_segment: u64,
}

impl Manifest {
    /// An index with no segments.
    pub fn new(params: IndexParams) -> Self {
        Manifest {
            format: FORMAT.into(),
            version: VERSION,
            params,
            segments: Vec::new(),
            next_segment: 1,
        }
    }

    /// Total documents stored (retired ones included).
    pub fn stored(&self) -> u32 {
        self.segments.last().map_or(0, |s| s.base + s.docs)
    }

    /// Reads and checks `DIR/MANIFEST`.
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = match fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir.is_dir() => {
                return Err(Error::Config(format!(
                    "'{}' is not a wiretrace index (no MANIFEST); create one with \
                     `wiretrace index build INPUT... -o {}`",
                    dir.display(),
                    dir.display()
                )));
            }
            Err(e) => return Err(Error::IndexIo { path, source: e }),
        };
        let corrupt = |detail: &str| Error::CorruptIndex {
            path: path.clone(),
            detail: detail.into(),
        };
        let text = String::from_utf8(text).map_err(|_| corrupt("not UTF-8"))?;
        let mut lines = text.lines();
        let (Some(body), Some(check), None) = (lines.next(), lines.next(), lines.next()) else {
            return Err(corrupt("expected a JSON line and a checksum line"));
        };
        let stored = check
            .strip_prefix("crc32 ")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| corrupt("malformed checksum line"))?;
        if crc32fast::hash(body.as_bytes()) != stored {
            return Err(corrupt("checksum mismatch"));
        }
        let m: Manifest =
            serde_json::from_str(body).map_err(|e| corrupt(&format!("unreadable JSON: {e}")))?;
        if m.format != FORMAT {
            return Err(corrupt("not a wiretrace index manifest"));
        }
        if m.version != VERSION {
            return Err(corrupt(&format!(
                "format version {}; this wiretrace reads version {VERSION}",
                m.version
            )));
        }
        if let Some(bad) = m.segments.iter().find(|s| !is_segment_name(&s.file)) {
            return Err(corrupt(&format!(
                "segment name '{}' is not a segment file of this folder",
                bad.file
            )));
        }
        Ok(m)
    }

    /// Writes the manifest atomically: temporary file, sync, rename, folder sync.
    pub fn commit(&self, dir: &Path) -> Result<()> {
        let body = serde_json::to_string(self).expect("manifest serialises");
        let text = format!("{body}\ncrc32 {:08x}\n", crc32fast::hash(body.as_bytes()));
        let tmp = dir.join(format!("{MANIFEST}.tmp"));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::IndexIo { path, source }
        };
        let mut f = File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(text.as_bytes()).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        drop(f);
        fault_point("manifest-written");
        fs::rename(&tmp, dir.join(MANIFEST)).map_err(io(&tmp))?;
        sync_dir(dir)
    }
}

/// Whether `name` is a segment file name as the index writes them (`seg-NNNNNN.wts`): a
/// plain name, no folder part, so a manifest can never point outside its index.
pub fn is_segment_name(name: &str) -> bool {
    name.strip_prefix("seg-")
        .and_then(|n| n.strip_suffix(".wts"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Syncs a folder so that renames inside it survive a power cut.
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| Error::IndexIo {
                path: dir.to_path_buf(),
                source,
            })?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The writers' lock: held while a build or add runs, released when the process ends
/// (even when killed), so a stale lock never blocks the next run.
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

impl WriteLock {
    /// Takes the lock or fails at once if another writer holds it.
    pub fn take(dir: &Path) -> Result<WriteLock> {
        let path: PathBuf = dir.join(LOCK);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| Error::IndexIo {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(WriteLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::IndexBusy {
                dir: dir.to_path_buf(),
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(Error::IndexIo { path, source }),
        }
    }
}

/// Fault injection for the crash-safety tests: when the environment variable
/// `WIRETRACE_FAULT` names this point, the process aborts here, as a kill would (silently:
/// the library prints nothing; the test sees the abort).
pub fn fault_point(name: &str) {
    if std::env::var_os("WIRETRACE_FAULT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_parameter_is_compared() {
        let base = IndexParams::from_config(&TraceConfig::default()).unwrap();
        let value = serde_json::to_value(&base).unwrap();
        let names: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            names.len(),
            17,
            "a stored parameter was added or removed: {names:?}"
        );
        for name in &names {
            let mut changed = value.clone();
            let slot = changed.get_mut(name).unwrap();
            *slot = match slot {
                serde_json::Value::String(s) => format!("{s}-other").into(),
                serde_json::Value::Number(n) if n.is_u64() => (n.as_u64().unwrap() + 1).into(),
                serde_json::Value::Number(n) => (n.as_f64().unwrap() / 2.0).into(),
                other => panic!("unexpected parameter type {other}"),
            };
            let asked: IndexParams = serde_json::from_value(changed).unwrap();
            let found = base.differences(&asked, &names);
            assert_eq!(found.len(), 1, "{name}: {found:?}");
            assert_eq!(&found[0].0, name);
            assert!(base.differences(&base, &names).is_empty());
            // Only the named parameters are compared.
            assert!(base.differences(&asked, &[]).is_empty());
        }
    }
}
