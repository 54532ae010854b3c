//! Which k-grams recur across unrelated stories, counted within a memory bound.
//!
//! A stock phrase is a k-gram found in at least `min_stories` unrelated stories
//! ([`crate::formula::StockPhrases`]). Counting that needs every document's k-grams at once
//! — 8 bytes a word, on `synth` news about as many bytes as the texts — but not all in
//! memory: it is the textbook external group-by (`Partitioned`). Each document's distinct
//! k-grams go, with its story, into one of [`SHARDS`] partitions by hash; a partition is a
//! buffer in memory and, once all buffers together pass the budget, a temporary file that
//! the buffers are appended to. At the end each partition alone is read back, sorted, and
//! its runs of one k-gram counted by distinct story. Every k-gram is in exactly one
//! partition, so the answer is the same however much was held in memory; what is held is
//! the budget (up to twice it in the buffers' spare capacity) plus one partition being
//! counted per thread. The passage fingerprints are grouped the same way, by document
//! ([`crate::passage::FingerprintPostings`]).
//!
//! An entry is 12 bytes (key and tag), written to disk as they are; the files are
//! anonymous (deleted as soon as they are closed, on an error or a crash as well).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ahash::AHashSet;
use rayon::prelude::*;

/// Partitions of the keys; a partition is read back and sorted at a time per thread.
pub const SHARDS: usize = 64;

/// One key (a k-gram, a fingerprint) with its tag (the story, the document holding it):
/// 12 bytes, in memory as on disk. Sorted by key, then tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(C, packed(4))]
pub(crate) struct Entry {
    pub(crate) key: u64,
    pub(crate) tag: u32,
}

/// Bytes an [`Entry`] takes in memory and on disk.
const ENTRY_BYTES: usize = 12;

/// Bytes buffered for each partition's file: every partition has one once moved out, so
/// the buffers are held [`SHARDS`] times over.
const FILE_BUFFER: usize = 16 << 10;

/// One partition: what is in memory, and the file holding what was moved out of it.
#[derive(Default)]
struct Shard {
    held: Vec<Entry>,
    file: Option<BufWriter<File>>,
    in_file: usize,
}

/// (key, tag) entries grouped by key within a memory bound: each partition of the keys is
/// held in memory up to a budget over all and appended to a temporary file past it, then
/// read back and sorted alone (see the [module documentation](self)).
pub(crate) struct Partitioned {
    shards: Vec<Shard>,
    /// Entries in memory, over all partitions.
    held: usize,
    /// Entries held in memory before they are moved to the files.
    max_held: usize,
    /// Where the files go; `None`: everything is held.
    dir: Option<PathBuf>,
}

impl Partitioned {
    /// A store holding up to `held_bytes` of entries in memory, and the rest in temporary
    /// files in `dir`. Fails at once when `dir` cannot hold a file.
    pub(crate) fn new(dir: &Path, held_bytes: usize) -> std::io::Result<Self> {
        drop(tempfile::tempfile_in(dir)?);
        Ok(Partitioned {
            dir: Some(dir.to_path_buf()),
            max_held: held_bytes / ENTRY_BYTES,
            ..Partitioned::held()
        })
    }

    /// A store that holds everything in memory.
    pub(crate) fn held() -> Self {
        Partitioned {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            held: 0,
            max_held: usize::MAX,
            dir: None,
        }
    }

    /// Adds `keys`, each with `tag`.
    pub(crate) fn push(&mut self, tag: u32, keys: &[u64]) -> std::io::Result<()> {
        for &key in keys {
            self.shards[shard_of(key)].held.push(Entry { key, tag });
        }
        self.held += keys.len();
        if self.held > self.max_held {
            self.move_to_files()?;
        }
        Ok(())
    }

    /// Appends every partition's entries in memory to its file, and frees them.
    fn move_to_files(&mut self) -> std::io::Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        for shard in &mut self.shards {
            if shard.held.is_empty() {
                continue;
            }
            let file = match &mut shard.file {
                Some(file) => file,
                None => shard.file.insert(BufWriter::with_capacity(
                    FILE_BUFFER,
                    tempfile::tempfile_in(dir)?,
                )),
            };
            for e in &shard.held {
                let Entry { key, tag } = *e;
                file.write_all(&key.to_le_bytes())?;
                file.write_all(&tag.to_le_bytes())?;
            }
            shard.in_file += shard.held.len();
            shard.held = Vec::new();
        }
        self.held = 0;
        Ok(())
    }

    /// Partitions with entries moved to a file.
    #[cfg(test)]
    pub(crate) fn partitions_in_files(&self) -> usize {
        self.shards.iter().filter(|s| s.in_file > 0).count()
    }

    /// `each` of every partition's entries, sorted (by key, then tag), the partitions taken
    /// in parallel, one at a time per thread; the results in partition order.
    pub(crate) fn sorted_partitions<T: Send>(
        self,
        each: impl Fn(&[Entry]) -> T + Sync,
    ) -> std::io::Result<Vec<T>> {
        self.shards
            .into_par_iter()
            .map(|shard| Ok(each(&shard.sorted()?)))
            .collect()
    }
}

impl Shard {
    /// This partition's entries: its file read back, with what is in memory, sorted.
    fn sorted(self) -> std::io::Result<Vec<Entry>> {
        let mut entries = self.held;
        if let Some(file) = self.file {
            let mut file = file.into_inner().map_err(|e| e.into_error())?;
            file.seek(SeekFrom::Start(0))?;
            entries.reserve_exact(self.in_file);
            let mut reader = BufReader::with_capacity(1 << 16, file);
            let mut buf = [0u8; ENTRY_BYTES];
            for _ in 0..self.in_file {
                reader.read_exact(&mut buf)?;
                let (key, tag) = buf.split_at(8);
                entries.push(Entry {
                    key: u64::from_le_bytes(key.try_into().expect("8 bytes")),
                    tag: u32::from_le_bytes(tag.try_into().expect("4 bytes")),
                });
            }
        }
        entries.sort_unstable();
        Ok(entries)
    }
}

/// Counts, for every k-gram pushed, the distinct stories holding it (see the [module
/// documentation](self)).
pub struct RecurringKgrams(Partitioned);

impl RecurringKgrams {
    /// A counter holding up to `held_bytes` of entries in memory, and the rest in
    /// temporary files in `dir`. Fails at once when `dir` cannot hold a file.
    pub fn new(dir: &Path, held_bytes: usize) -> std::io::Result<Self> {
        Partitioned::new(dir, held_bytes).map(RecurringKgrams)
    }

    /// Adds one document's distinct k-grams (each once), of story `story`.
    pub fn push(&mut self, story: u32, kgrams: &[u64]) -> std::io::Result<()> {
        self.0.push(story, kgrams)
    }

    /// The k-grams found in at least `min_stories` distinct stories. `min_stories == 0`
    /// finds none.
    pub fn in_stories(self, min_stories: usize) -> std::io::Result<AHashSet<u64>> {
        if min_stories == 0 {
            return Ok(AHashSet::new());
        }
        let found = self.0.sorted_partitions(|entries| {
            groups_per_key(entries, |e| e.key)
                .filter(|&(_, stories)| stories >= min_stories)
                .map(|(kgram, _)| kgram)
                .collect::<Vec<u64>>()
        })?;
        Ok(found.into_iter().flatten().collect())
    }
}

/// Each key of `sorted` (key, group) entries with the number of distinct groups it is in
/// (entries sorted by key, then group: a key's entries are one run, its repeats adjacent).
/// The count every "found in N unrelated stories (families)" rule of the passage level
/// reads: stock phrases here and in [`crate::formula`], boilerplate lines.
pub(crate) fn groups_per_key<'a, T: PartialEq, K: PartialEq>(
    sorted: &'a [T],
    key: impl Fn(&T) -> K + Copy + 'a,
) -> impl Iterator<Item = (K, usize)> + 'a {
    sorted
        .chunk_by(move |x, y| key(x) == key(y))
        .map(move |run| {
            (
                key(&run[0]),
                1 + run.windows(2).filter(|w| w[0] != w[1]).count(),
            )
        })
}

/// The partition of a key: the top bits of the key times an odd constant, so that every
/// bit of it counts (winnowed fingerprints are window minima, crowded at the low end: their
/// own top bits would put nearly all in one partition).
fn shard_of(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHARDS.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: the k-grams of `docs` (story, k-grams) in `min` distinct stories.
    fn brute_force(docs: &[(u32, Vec<u64>)], min: usize) -> Vec<u64> {
        let mut stories: ahash::AHashMap<u64, AHashSet<u32>> = ahash::AHashMap::new();
        for (story, kgrams) in docs {
            for &k in kgrams {
                stories.entry(k).or_default().insert(*story);
            }
        }
        let mut out: Vec<u64> = stories
            .into_iter()
            .filter(|(_, s)| s.len() >= min)
            .map(|(k, _)| k)
            .collect();
        out.sort_unstable();
        out
    }

    fn sorted(set: AHashSet<u64>) -> Vec<u64> {
        let mut v: Vec<u64> = set.into_iter().collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn the_count_is_the_same_held_in_memory_or_moved_to_files() {
        // 400 documents of 30 stories, k-grams drawn from a pool small enough that many
        // recur, spread over every partition (and both ends of the hash range).
        let mut state = 11u64;
        let mut next = move || crate::minhash::splitmix64(&mut state);
        let mut pool: Vec<u64> = (0..2_000).map(|_| next()).collect();
        pool.extend([0, u64::MAX]);
        let docs: Vec<(u32, Vec<u64>)> = (0..400)
            .map(|_| {
                let story = (next() % 30) as u32;
                let mut k: Vec<u64> = (0..(next() % 60))
                    .map(|_| pool[(next() % 2_002) as usize])
                    .collect();
                k.sort_unstable();
                k.dedup();
                (story, k)
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        for min in [1, 2, 3, 5] {
            let expected = brute_force(&docs, min);
            assert!(!expected.is_empty());
            // All in memory; moved out after every few documents; after every one.
            for held_bytes in [usize::MAX / 2, 40 * ENTRY_BYTES, 0] {
                let mut counter = RecurringKgrams::new(dir.path(), held_bytes).unwrap();
                for (story, kgrams) in &docs {
                    counter.push(*story, kgrams).unwrap();
                }
                let moved = counter.0.partitions_in_files();
                assert_eq!(moved > 0, held_bytes < usize::MAX / 2, "{held_bytes}");
                let got = sorted(counter.in_stories(min).unwrap());
                assert_eq!(got, expected, "min {min}, held {held_bytes}");
            }
        }
        // Nothing pushed, or no least count.
        let empty = RecurringKgrams::new(dir.path(), 0).unwrap();
        assert!(empty.in_stories(2).unwrap().is_empty());
        let mut counter = RecurringKgrams::new(dir.path(), 0).unwrap();
        counter.push(1, &[5]).unwrap();
        assert!(counter.in_stories(0).unwrap().is_empty());
        // The temporary files are gone with the counter.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_folder_that_cannot_hold_a_file_is_an_error_at_once() {
        assert!(RecurringKgrams::new(Path::new("/no/such/folder"), 0).is_err());
    }
}
