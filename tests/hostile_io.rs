//! Hostile and careless inputs and outputs, end to end with real files, links, FIFOs,
//! devices and signals: no input or output clobbered, nothing read without bound, every
//! record accounted for, exports faithful.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn wiretrace() -> Command {
    Command::cargo_bin("wiretrace").unwrap()
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("wiretrace")
}

fn sample() -> PathBuf {
    common::sample("news.jsonl")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The sample corpus copied into `dir`, with its bytes.
fn corpus_in(dir: &Path) -> (PathBuf, Vec<u8>) {
    let path = dir.join("corpus.jsonl");
    let bytes = fs::read(sample()).unwrap();
    fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

fn temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("wiretrace-tmp"))
        .collect()
}

#[test]
fn an_output_that_is_an_input_or_another_output_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (corpus, bytes) = corpus_in(d);
    fs::write(d.join("same.jsonl"), "keep me\n").unwrap();
    symlink(&corpus, d.join("link.jsonl")).unwrap();

    let same = d.join("same.jsonl");
    let out = wiretrace()
        .args(["dedup", s(&corpus), "-o", s(&same), "--dropped", s(&same)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--dropped") && err.contains("--output") && err.contains("same.jsonl"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&same).unwrap(), "keep me\n");

    // The sidecar as the input, directly and through a link; the input stays whole.
    for dropped in [
        corpus.clone(),
        d.join("link.jsonl"),
        d.join("./corpus.jsonl"),
    ] {
        let out = wiretrace()
            .args(["dedup", s(&corpus), "-o"])
            .arg(d.join("clean.jsonl"))
            .arg("--dropped")
            .arg(&dropped)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", dropped.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is the input"), "{err}");
        assert_eq!(fs::read(&corpus).unwrap(), bytes);
        assert!(!d.join("clean.jsonl").exists());
    }

    // Every command with -o: the output may not be its input.
    for command in ["dups", "passages", "lineage", "audit", "report"] {
        let out = wiretrace()
            .args([command, s(&corpus), "-o", s(&d.join("link.jsonl"))])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert_eq!(fs::read(&corpus).unwrap(), bytes, "{command}");
    }
    // Nor land in an input folder as a document; synth's two outputs must differ.
    let folder = d.join("articles");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("a.txt"), "some words here").unwrap();
    wiretrace()
        .args(["dups", s(&folder), "-o", s(&folder.join("pairs.jsonl"))])
        .assert()
        .code(2);
    wiretrace()
        .args(["synth", "--docs", "10", "-o", s(&same), "--truth", s(&same)])
        .assert()
        .code(2);
    assert_eq!(fs::read_to_string(&same).unwrap(), "keep me\n");
    assert!(temporaries(d).is_empty());
}

#[test]
fn special_files_are_written_in_place_and_links_are_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A link to /dev/full: writes fail, and the failure is reported.
    let full = d.join("full");
    symlink("/dev/full", &full).unwrap();
    let out = wiretrace()
        .args(["dups", s(&sample()), "-q", "-o", s(&full)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
    assert!(
        fs::symlink_metadata(&full)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // A link to /dev/null: written through, the link and the device stay.
    let null = d.join("null");
    symlink("/dev/null", &null).unwrap();
    wiretrace()
        .args(["lineage", s(&sample()), "-q", "-o", s(&null)])
        .assert()
        .success();
    assert!(
        fs::symlink_metadata(&null)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    // A link to /proc/self/fd/1 (what /dev/stdout is): the output arrives on stdout.
    let stdout_link = d.join("stdout");
    symlink("/proc/self/fd/1", &stdout_link).unwrap();
    let expected = wiretrace()
        .args(["dups", s(&sample()), "-q", "--format", "json"])
        .output()
        .unwrap()
        .stdout;
    let out = wiretrace()
        .args(["dups", s(&sample()), "-q", "--format", "json", "-o"])
        .arg(&stdout_link)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, expected);
    assert!(
        fs::symlink_metadata(&stdout_link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // A FIFO: read by another process while wiretrace writes; it stays a FIFO.
    let fifo = d.join("pipe");
    assert!(
        Process::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(&fifo).unwrap())
    };
    wiretrace()
        .args(["dups", s(&sample()), "-q", "--format", "json", "-o"])
        .arg(&fifo)
        .timeout(Duration::from_secs(20))
        .assert()
        .success();
    assert_eq!(reader.join().unwrap(), expected);
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(temporaries(d).is_empty());
}

#[test]
fn a_signal_removes_the_temporary_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let corpus = d.join("synthetic.jsonl");
    wiretrace()
        .args(["synth", "--docs", "30000", "--seed", "3", "-o", s(&corpus)])
        .assert()
        .success();
    for (signal, status) in [(libc::SIGTERM, 143), (libc::SIGINT, 130)] {
        let out = d.join("lineage.json");
        let mut child = Process::new(bin())
            .args(["lineage", s(&corpus), "-q", "-o", s(&out)])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The temporary file is opened before the corpus is read.
        let start = Instant::now();
        while temporaries(d).is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no temporary file"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(200));
        // SAFETY: sends a signal to our own child.
        assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
        let code = child.wait().unwrap().code();
        assert_eq!(code, Some(status), "signal {signal}");
        assert!(temporaries(d).is_empty(), "left: {:?}", temporaries(d));
        assert!(!out.exists());
    }
}

#[test]
fn endless_and_huge_inputs_are_not_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // /dev/zero, a text "document" without end: read up to the cap and skipped.
    let out = wiretrace()
        .args([
            "dups",
            "/dev/zero",
            "--max-doc-bytes",
            "1000",
            "--format",
            "json",
        ])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["skipped"][0]["kind"], "too-large");

    // A 1 GiB sparse text file, named and inside a folder: skipped by its size, unread.
    let folder = d.join("big");
    fs::create_dir(&folder).unwrap();
    let huge = folder.join("huge.txt");
    fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
    fs::write(folder.join("small.txt"), "a few words of text").unwrap();
    for input in [folder.clone(), huge.clone()] {
        let out = wiretrace()
            .args(["dups", "--format", "json", "--memory-limit", "200M"])
            .arg(&input)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["skipped"][0]["kind"], "too-large");
    }

    // Stdin: a 300 MB line without a newline, then a good record, under a 100 MiB limit.
    let mut child = Process::new(bin())
        .args([
            "dups",
            "-",
            "--format",
            "json",
            "--max-doc-bytes",
            "1000",
            "--memory-limit",
            "100M",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..300 {
            stdin.write_all(&chunk).unwrap();
        }
        stdin
            .write_all(b"\n{\"id\":\"ok\",\"text\":\"words after the long line\"}\n")
            .unwrap();
    });
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    writer.join().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    let json: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(json["stats"]["documents"], 1);
    assert_eq!(json["skipped"][0]["kind"], "too-large");
    assert_eq!(json["skipped"][0]["line"], 1);
}

#[test]
fn fifos_in_folders_are_ignored_and_named_fifos_are_streams() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.txt"), "the first article has words").unwrap();
    assert!(
        Process::new("mkfifo")
            .arg(d.join("b.txt"))
            .status()
            .unwrap()
            .success()
    );
    let out = wiretrace()
        .args(["dups", "--format", "json", s(d)])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["stats"]["documents"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("ignored 1 files"));

    // Named on the command line, the FIFO is read as a stream, as `cat` would.
    let fifo = d.join("b.txt");
    let writer = std::thread::spawn(move || {
        fs::write(&fifo, "an article that arrives through a pipe").unwrap()
    });
    let out = wiretrace()
        .args(["dups", "--format", "json", s(&d.join("b.txt"))])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    writer.join().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["stats"]["documents"], 1);
}

fn sidecar_lines(path: &Path) -> Vec<Value> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const STORY: &str = "The National Development and Reform Commission held a seminar on Tuesday to \
    solicit advice from industry experts on the rare earth industry, and said it would take \
    effective measures to optimise the development of the industry in the coming years.";

#[test]
fn dedup_accounts_for_every_record_in_one_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.jsonl");
    let lines = [
        serde_json::json!({"id": "wire", "text": STORY, "date": "2019-06-05"}).to_string(),
        serde_json::json!({"id": "copy", "text": format!("{STORY} Share."), "date": "2019-06-06"})
            .to_string(),
        serde_json::json!({"id": "emoji", "text": "🙂🙂🙂 !!!"}).to_string(),
        "{not json".to_string(),
        serde_json::json!({"id": "other", "text": "Copper rose in Shanghai as stocks fell."})
            .to_string(),
    ];
    fs::write(&input, lines.join("\n") + "\n").unwrap();
    let output = d.join("clean.jsonl");
    let out = wiretrace()
        .args(["dedup", s(&input), "-o", s(&output)])
        .output()
        .unwrap();
    assert!(out.status.success());
    let kept: Vec<Value> = fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kept_ids: Vec<&str> = kept.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(kept_ids, ["wire", "other"]);
    let side = sidecar_lines(&d.join("clean.jsonl.dropped.jsonl"));
    let header = &side[0];
    assert_eq!(header["wiretrace"], "dedup");
    assert_eq!(
        (
            &header["records_read"],
            &header["kept"],
            &header["dropped"],
            &header["skipped"]
        ),
        (
            &Value::from(5),
            &Value::from(2),
            &Value::from(1),
            &Value::from(2)
        )
    );
    assert_eq!(side[1]["dropped"], "copy");
    assert_eq!(side[1]["kept"], "wire");
    let skipped: Vec<(&Value, &str)> = side[2..]
        .iter()
        .map(|v| (&v["skipped"], v["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [
            (&Value::Null, "malformed-json"),
            (&Value::from("emoji"), "no-tokens")
        ]
    );
    let bytes = fs::read(&output).unwrap();
    assert_eq!(header["output_bytes"], bytes.len());
    assert_eq!(
        header["output_crc32"],
        format!("{:08x}", crc32fast::hash(&bytes))
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("read 5 records: 2 written to")
            && err.contains("1 dropped")
            && err.contains("2 skipped"),
        "{err}"
    );

    // A kill between the two renames: the old sidecar no longer matches the new output.
    fs::write(&input, lines[..2].join("\n") + "\n").unwrap();
    let out = wiretrace()
        .args(["dedup", s(&input), "-q", "-o", s(&output)])
        .env("WIRETRACE_FAULT", "dedup-between-renames")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let bytes = fs::read(&output).unwrap();
    let stale = &sidecar_lines(&d.join("clean.jsonl.dropped.jsonl"))[0];
    assert_ne!(
        stale["output_crc32"],
        format!("{:08x}", crc32fast::hash(&bytes))
    );
    // The abort (as a kill -9) left the new sidecar's temporary file, nothing else.
    let left = temporaries(d);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].starts_with(".clean.jsonl.dropped.jsonl."),
        "{left:?}"
    );
    fs::remove_file(d.join(&left[0])).unwrap();

    // A sidecar that cannot be written: the existing output is left as it was.
    let before = fs::read(&output).unwrap();
    let out = wiretrace()
        .args(["dedup", s(&input), "-q", "-o", s(&output), "--dropped"])
        .arg(d.join("no-such-folder/x.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read(&output).unwrap(), before);
    assert!(temporaries(d).is_empty());
}

#[test]
fn a_manifest_pointing_outside_the_index_is_damage_and_a_busy_index_has_its_own_status() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    wiretrace()
        .args(["index", "build", s(&sample()), "-q", "-o", s(&ix)])
        .assert()
        .success();
    // Lock held by "another writer".
    let lock = fs::OpenOptions::new()
        .write(true)
        .open(ix.join("LOCK"))
        .unwrap();
    lock.lock().unwrap();
    wiretrace()
        .args(["index", "add", s(&ix), s(&sample()), "-q"])
        .assert()
        .code(4)
        .stderr(predicates::str::contains(
            "another wiretrace run is writing",
        ));
    drop(lock);

    // A manifest naming ../ix/seg-000000.wts, with a valid checksum.
    let manifest = fs::read_to_string(ix.join("MANIFEST")).unwrap();
    let body = manifest.lines().next().unwrap();
    let mut m: Value = serde_json::from_str(body).unwrap();
    let file = m["segments"][0]["file"].as_str().unwrap().to_string();
    m["segments"][0]["file"] = Value::from(format!("../ix/{file}"));
    let body = m.to_string();
    fs::write(
        ix.join("MANIFEST"),
        format!("{body}\ncrc32 {:08x}\n", crc32fast::hash(body.as_bytes())),
    )
    .unwrap();
    wiretrace()
        .args(["lineage", "--index", s(&ix), "-q"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("is damaged"));
}

#[test]
fn exports_keep_awkward_ids_faithfully() {
    let make = |ids: [&str; 2]| -> String {
        [
            serde_json::json!({"id": ids[0], "date": "2020-01-01", "text": STORY}),
            serde_json::json!({"id": ids[1], "date": "2020-01-02", "text": format!("{STORY} More.")}),
        ]
        .iter()
        .map(|v| v.to_string() + "\n")
        .collect()
    };
    // GraphML: a CR survives an XML reader.
    let out = wiretrace()
        .args(["lineage", "-", "--format", "graphml", "-q"])
        .write_stdin(make(["cr\rid", "plain"]))
        .output()
        .unwrap();
    assert!(out.status.success());
    // As a character reference, which XML readers turn back into CR (a raw CR is read
    // as LF); and the document is well-formed.
    let xml = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(xml.contains("cr&#13;id") && !xml.contains('\r'), "{xml}");
    well_formed(&out.stdout);

    // DOT: `&amp;` and a non-character, rendered by Graphviz to well-formed SVG.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.dot");
    wiretrace()
        .args(["lineage", "-", "--format", "dot", "-q", "-o", s(&path)])
        .write_stdin(make(["amp&amp;", "odd\u{FFFE}id"]))
        .assert()
        .success();
    let dot = fs::read_to_string(&path).unwrap();
    assert!(dot.contains("wiretrace_id=\"odd%EF%BF%BEid\""), "{dot}");
    let Some(graphviz) = common::program(&["dot"], "graphviz") else {
        return;
    };
    let svg = Process::new(graphviz)
        .arg("-Tsvg")
        .arg(&path)
        .output()
        .unwrap();
    assert!(svg.status.success());
    let text = String::from_utf8(svg.stdout.clone()).unwrap();
    assert!(text.contains("amp&amp;amp;"), "{text}");
    well_formed(&svg.stdout);
    assert!(!text.contains('\u{FFFE}'));
}

/// Reads XML to the end, failing on any error (and on a non-character, which XML 1.0
/// does not allow).
fn well_formed(xml: &[u8]) {
    let text = std::str::from_utf8(xml).unwrap();
    assert!(
        !text.chars().any(|c| matches!(c as u32, 0xFFFE | 0xFFFF)),
        "non-character in XML"
    );
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("invalid XML: {e}"),
        }
        buf.clear();
    }
}

#[test]
fn smaller_hazards() {
    // Absurd thread counts are refused at once.
    wiretrace()
        .args(["dups", s(&sample()), "--threads", "10000"])
        .timeout(Duration::from_secs(10))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--threads 10000"));
    // synth and index query take the options every command takes.
    let dir = tempfile::tempdir().unwrap();
    wiretrace()
        .args([
            "synth",
            "--docs",
            "5",
            "--quiet",
            "--strict",
            "--threads",
            "2",
        ])
        .args(["--max-doc-bytes", "1000", "--memory-limit", "1G"])
        .assert()
        .success();
    let ix = dir.path().join("ix");
    wiretrace()
        .args(["index", "build", s(&sample()), "-q", "-o", s(&ix)])
        .assert()
        .success();
    wiretrace()
        .args([
            "index",
            "query",
            s(&ix),
            "-",
            "--quiet",
            "--strict",
            "--threads",
            "1",
        ])
        .args(["--max-doc-bytes", "100000", "--memory-limit", "1G"])
        .write_stdin(STORY)
        .assert()
        .success();
    wiretrace()
        .args(["index", "query", s(&ix), "-", "-q", "--max-doc-bytes", "10"])
        .write_stdin(STORY)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("over --max-doc-bytes 10"));
    // Duplicate keys: the last value is used, with a warning.
    let out = wiretrace()
        .args(["dups", "-", "--format", "json"])
        .write_stdin(format!(
            "{{\"id\":\"a\",\"text\":\"first words here\",\"text\":\"{STORY}\"}}\n"
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let warning = json["warnings"][0]["message"].as_str().unwrap();
    assert!(
        warning.contains("key 'text' appears more than once"),
        "{warning}"
    );
}
