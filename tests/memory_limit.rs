//! `--memory-limit` is a limit: the run stops (exit 1, a clear message) before its resident
//! memory passes it, or stays under it. Measured with `getrusage(RUSAGE_CHILDREN)`, the
//! peak resident size of the children this test process has waited for — so this file
//! holds one test, and it spawns only wiretrace runs.

use std::process::Command;

fn peak_child_rss_bytes() -> u64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss as u64 * 1024
}

#[test]
fn runs_stay_under_the_memory_limit() {
    let bin = assert_cmd::cargo::cargo_bin("wiretrace");
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    // About 72 MB of synthetic news.
    let made = Command::new(&bin)
        .args(["synth", "--docs", "30000", "--seed", "5", "-o"])
        .arg(&corpus)
        .status()
        .unwrap();
    assert!(made.success());
    let synth_peak = peak_child_rss_bytes();
    let limit: u64 = 150 << 20;
    assert!(synth_peak < limit, "synth itself took {synth_peak} bytes");

    for (command, must_fit) in [
        ("dups", true),
        ("lineage", false),
        ("audit", false),
        ("dedup", false),
    ] {
        let mut cmd = Command::new(&bin);
        cmd.args([command, "-q", "--memory-limit", "150M"])
            .arg(&corpus);
        if command == "dedup" {
            cmd.arg("-o").arg(dir.path().join("clean.jsonl"));
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if must_fit {
            // dups streams and spills: it finishes under the limit.
            assert!(out.status.success(), "{command}: {stderr}");
        } else {
            // The passage level keeps the corpus in memory: it stops, clearly.
            assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
            assert!(
                stderr.contains("memory limit of 157286400 bytes"),
                "{command}: {stderr}"
            );
        }
        let peak = peak_child_rss_bytes();
        assert!(
            peak < limit,
            "{command}: peak resident {} MiB over the 150 MiB limit",
            peak >> 20
        );
    }
    assert!(!dir.path().join("clean.jsonl").exists());
}
