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

/// Set by `scripts/test.sh` (and so by CI): a test whose requirement is missing fails
/// instead of skipping, so a full run never passes with tests left out.
/// The keys of a shared span, in order, in every output that has spans (passages, lineage
/// edges, index matches): `a` is the first document the holding object names.
pub const SPAN_KEYS: [&str; 7] = [
    "a_start",
    "a_end",
    "b_start",
    "b_end",
    "a_words",
    "b_words",
    "similarity",
];

pub const REQUIRE_ALL: &str = "WIRETRACE_REQUIRE_ALL";

/// Skips the calling test for `reason`: prints a line on the terminal (written to the
/// process's stderr, past the test harness's output capture, so it shows in a passing
/// run), or fails the test when [`REQUIRE_ALL`] is set.
pub fn skip(reason: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    assert!(
        std::env::var_os(REQUIRE_ALL).is_none(),
        "{test} cannot run: {reason} ({REQUIRE_ALL} is set, as scripts/test.sh sets it)"
    );
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped {test}: {reason}");
}

/// Path to a corpus in `../shared/corpora`, which CI places beside the checkout, or `None`
/// (the test skipped, see [`skip`]) when it is not there.
pub fn shared_corpus(name: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        skip(&format!(
            "{} is missing (the tests expect ../shared beside the checkout)",
            path.display()
        ));
        None
    }
}

/// The first of `programs` that runs (`PROGRAM --version`), or `None` (the test skipped, see
/// [`skip`]) when none does; `package` names what installs it.
pub fn program(programs: &[&'static str], package: &str) -> Option<&'static str> {
    let found = programs.iter().copied().find(|bin| {
        std::process::Command::new(bin)
            .arg(if *bin == "dot" { "-V" } else { "--version" })
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        skip(&format!(
            "{} is not installed (scripts/test.sh installs it: apt-get install {package})",
            programs.join(" or ")
        ));
    }
    found
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

/// The values of a JSON Lines text, one per line, each line parsed (a line that is not JSON
/// fails the test).
pub fn jsonl_values(text: impl AsRef<[u8]>) -> Vec<serde_json::Value> {
    std::str::from_utf8(text.as_ref())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `wiretrace eval OUTPUT --truth TRUTH --corpus CORPUS --complete --format json`: the
/// `evaluation` object, every edge of a generated corpus's truth known.
pub fn eval_complete(output: &str, truth: &str, corpus: &str) -> serde_json::Value {
    let e: serde_json::Value = serde_json::from_slice(&run(&[
        "eval",
        output,
        "--truth",
        truth,
        "--corpus",
        corpus,
        "--complete",
        "--format",
        "json",
    ]))
    .unwrap();
    e["evaluation"].clone()
}

/// Runs `wiretrace ARGS --format json -q` and returns its output parsed.
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let out = run(&[args, &["--format", "json", "-q"][..]].concat());
    serde_json::from_slice(&out).unwrap()
}
