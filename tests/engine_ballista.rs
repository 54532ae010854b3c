//! `--engine ballista` on a real cluster: a scheduler and two executors started on
//! loopback as `wiretrace cluster …` processes, with their own ports and work folders.
#![cfg(feature = "distributed")]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_wiretrace");

/// A port nobody listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The processes of one test cluster; all are killed when it is dropped.
struct Cluster {
    scheduler_port: u16,
    scheduler: Child,
    executors: Vec<Child>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    fn start(executors: usize) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let scheduler_port = free_port();
        let scheduler = Command::new(BIN)
            .args(["cluster", "scheduler", "--bind"])
            .arg(format!("127.0.0.1:{scheduler_port}"))
            .args(["--external-host", "127.0.0.1", "--executor-timeout", "6"])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log_file(dir.path(), "scheduler"))
            .spawn()
            .unwrap();
        let mut cluster = Cluster {
            scheduler_port,
            scheduler,
            executors: Vec::new(),
            _dir: dir,
        };
        wait_for_port(scheduler_port, "the scheduler");
        for i in 0..executors {
            let (port, grpc) = (free_port(), free_port());
            let work = cluster._dir.path().join(format!("executor-{i}"));
            let child = Command::new(BIN)
                .args(["cluster", "executor", "--scheduler"])
                .arg(format!("127.0.0.1:{scheduler_port}"))
                .args(["--bind-host", "127.0.0.1", "--external-host", "127.0.0.1"])
                .args([
                    "--port",
                    &port.to_string(),
                    "--grpc-port",
                    &grpc.to_string(),
                ])
                .args(["--concurrent-tasks", "2", "--heartbeat", "1"])
                .arg("--work-dir")
                .arg(&work)
                .env("RUST_LOG", "info")
                .stdout(Stdio::null())
                .stderr(log_file(cluster._dir.path(), &format!("executor-{i}")))
                .spawn()
                .unwrap();
            cluster.executors.push(child);
            wait_for_port(port, "an executor");
        }
        // Give the executors' first heartbeats time to register them.
        std::thread::sleep(Duration::from_secs(2));
        cluster
    }

    fn url(&self) -> String {
        format!("df://127.0.0.1:{}", self.scheduler_port)
    }
}

fn log_file(dir: &Path, name: &str) -> std::fs::File {
    std::fs::File::create(dir.join(format!("{name}.log"))).unwrap()
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in self
            .executors
            .iter_mut()
            .chain(std::iter::once(&mut self.scheduler))
        {
            let _ = c.kill();
            let _ = c.wait();
        }
        // A failed test shows the end of each process's log.
        if std::thread::panicking() {
            for entry in std::fs::read_dir(self._dir.path()).unwrap().flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "log") {
                    let log = std::fs::read_to_string(&path).unwrap_or_default();
                    let tail: Vec<&str> = log.lines().rev().take(30).collect();
                    eprintln!("--- {} (last lines)", path.display());
                    for line in tail.into_iter().rev() {
                        eprintln!("{line}");
                    }
                }
            }
        }
    }
}

fn dups(input: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .arg("dups")
        .arg(input)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn synthetic(dir: &Path, documents: usize) -> PathBuf {
    let path = dir.join(format!("synth-{documents}.jsonl"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    wiretrace::synth::write_news_corpus(documents, 5, &mut out, None).unwrap();
    drop(out);
    path
}

/// The parts of a report that must not depend on the engine that ran the stages.
fn results(v: &Value) -> Value {
    serde_json::json!({
        "pairs": v["pairs"],
        "families": v["families"],
        "skipped": v["skipped"],
        "params": v["params"],
        "candidates": v["stats"]["candidates"],
        "documents": v["stats"]["documents"],
    })
}

#[test]
fn two_executors_give_the_single_node_results() {
    let dir = tempfile::tempdir().unwrap();
    let input = synthetic(dir.path(), 3000);
    let single = json(&dups(&input, &["--engine", "datafusion"]));
    let cluster = Cluster::start(2);
    let work = dir.path().join("work");
    let distributed = json(&dups(
        &input,
        &[
            "--engine",
            "ballista",
            "--scheduler",
            &cluster.url(),
            "--work-dir",
            work.to_str().unwrap(),
        ],
    ));
    assert_eq!(results(&distributed), results(&single));
    assert!(single["pairs"].as_array().unwrap().len() > 50);
    // The families are the default engine's too.
    let default = json(&dups(&input, &[]));
    assert_eq!(distributed["families"], default["families"]);
    assert!(work.join("lineage").is_dir());
    drop(cluster);
}

#[test]
fn losing_an_executor_mid_run_still_completes_with_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let input = synthetic(dir.path(), 30_000);
    let single = json(&dups(&input, &["--engine", "datafusion"]));
    let mut cluster = Cluster::start(2);
    let work = dir.path().join("work");
    let client = Command::new(BIN)
        .arg("dups")
        .arg(&input)
        .args(["--format", "json", "--engine", "ballista", "--scheduler"])
        .arg(cluster.url())
        .arg("--work-dir")
        .arg(&work)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill an executor while it runs a task (its log says "Execute task" for a task it
    // has not finished), so that work is really lost.
    let start = Instant::now();
    let victim = loop {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no executor was seen running a task"
        );
        let busy = (0..cluster.executors.len()).find(|i| {
            let log =
                std::fs::read_to_string(cluster._dir.path().join(format!("executor-{i}.log")))
                    .unwrap_or_default();
            let running = |line: &str| line.split("Execute task  : ").nth(1).map(str::to_string);
            log.lines()
                .filter_map(running)
                .any(|tid| !log.contains(&format!("Finished task : {}", tid.trim())))
        });
        if let Some(i) = busy {
            break i;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let victim = &mut cluster.executors[victim];
    victim.kill().unwrap();
    victim.wait().unwrap();
    let out = client.wait_with_output().unwrap();
    let distributed = json(&out);
    assert_eq!(results(&distributed), results(&single));
    // The scheduler noticed the loss and ran the lost tasks elsewhere. It learns of it one
    // of two ways, whichever comes first: missed heartbeats, or a failed push of the next
    // task to the dead executor. Both remove the executor (and reset its tasks).
    let log = std::fs::read_to_string(cluster._dir.path().join("scheduler.log")).unwrap();
    assert!(log.contains("Removing executor"), "{log}");
    assert!(
        log.contains("heartbeat timed out") || log.contains("Failed to launch new task"),
        "{log}"
    );
    drop(cluster);
}

#[test]
fn an_unreachable_scheduler_is_a_clear_error() {
    let port = free_port();
    let out = dups(
        &common::sample("news.jsonl"),
        &[
            "--engine",
            "ballista",
            "--scheduler",
            &format!("df://127.0.0.1:{port}"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot reach the Ballista scheduler"),
        "{stderr}"
    );
}
