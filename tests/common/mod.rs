//! Helpers shared by the integration tests: a seeded word generator and corpus builders.
#![allow(dead_code)]

use wiretrace::minhash::splitmix64;

/// A small deterministic random source (SplitMix64), so generated corpora are identical on
/// every run and machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// A pseudo-word from a vocabulary of `vocab` distinct words.
    pub fn word(&mut self, vocab: usize) -> String {
        let mut n = self.below(vocab);
        let mut w = String::new();
        const SYLLABLES: [&str; 16] = [
            "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "da", "fu", "go", "ha", "ji",
            "po", "ze",
        ];
        loop {
            w.push_str(SYLLABLES[n % 16]);
            n /= 16;
            if n == 0 {
                break;
            }
        }
        w
    }

    /// `len` random words joined by spaces.
    pub fn words(&mut self, len: usize, vocab: usize) -> Vec<String> {
        (0..len).map(|_| self.word(vocab)).collect()
    }
}

/// Path to the repository's bundled samples.
pub fn sample(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(path)
}

/// Path to a corpus in `../shared/corpora`, which CI places beside the checkout.
pub fn shared_corpus(name: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: the tests expect ../shared beside the checkout",
        path.display()
    );
    path
}

/// Asserts the contract of `DupsReport::shingle_counts` from a streaming run against the
/// distinct counts of a run that keeps every set: exact for every family member (they are
/// all in candidate pairs), elsewhere the number of shingle positions, which is at least
/// the distinct count and zero exactly when it is.
pub fn assert_streamed_shingle_counts(
    streamed: &[usize],
    exact: &[usize],
    families: &[wiretrace::families::Family],
) {
    assert_eq!(streamed.len(), exact.len());
    for (i, (&streamed, &exact)) in streamed.iter().zip(exact).enumerate() {
        assert!(
            streamed >= exact && (streamed == 0) == (exact == 0),
            "doc {i}: {streamed} streamed, {exact} distinct"
        );
    }
    for member in families.iter().flat_map(|f| &f.members) {
        let m = *member as usize;
        assert_eq!(streamed[m], exact[m], "family member {m}");
    }
}

/// The `wiretrace` binary built for the tests.
pub fn wiretrace() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("wiretrace").unwrap()
}

/// Runs `wiretrace ARGS`, asserts it succeeded (naming the arguments and its stderr
/// otherwise) and returns its stdout.
pub fn run(args: &[&str]) -> Vec<u8> {
    let out = wiretrace().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `wiretrace ARGS --format json -q` and returns its output parsed.
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let out = run(&[args, &["--format", "json", "-q"][..]].concat());
    serde_json::from_slice(&out).unwrap()
}
