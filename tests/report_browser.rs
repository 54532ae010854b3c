//! `wiretrace report`: a self-contained HTML file, loaded in a real headless browser
//! (Chromium from the distribution; `.ci/run` installs it).

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;

mod common;

/// The headless browser (Chromium from the distribution), or `None` with the test skipped.
fn chromium() -> Option<&'static str> {
    common::program(&["chromium", "chromium-browser"], "chromium")
}

/// Loads `page#selftest` headless; returns (DOM after scripts ran, browser log).
fn load(chromium: &str, page: &Path) -> (String, String) {
    load_at(chromium, page, "selftest")
}

/// Loads `page#selftest-links`: every document opened and every address clicked.
fn load_clicking_links(chromium: &str, page: &Path) -> (String, String) {
    load_at(chromium, page, "selftest-links")
}

/// Loads `page#HASH` headless; returns (DOM after scripts ran, browser log).
fn load_at(chromium: &str, page: &Path, hash: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Process::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}#{hash}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_report(input: &str, stdin: Option<String>, dir: &Path) -> std::path::PathBuf {
    let page = dir.join("report.html");
    let mut cmd = Command::cargo_bin("wiretrace").unwrap();
    cmd.args(["report", input, "-q", "-o"]).arg(&page);
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    cmd.assert().success();
    page
}

fn assert_clean_load(dom: &str, log: &str) {
    assert!(
        dom.contains(r#"data-ready="1""#),
        "the viewer did not finish: {dom}"
    );
    assert!(
        dom.contains(r#"<pre id="errors"></pre>"#),
        "page errors: {dom}"
    );
    for line in log.lines() {
        assert!(
            !(line.contains("Uncaught") || (line.contains("CONSOLE") && line.contains("ERROR"))),
            "console error: {line}"
        );
    }
}

#[test]
fn report_of_the_sample_shows_its_lineage_in_a_browser() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = write_report(
        common::sample("news.jsonl").to_str().unwrap(),
        None,
        dir.path(),
    );
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing to fetch.
    assert!(!html.contains("<script src") && !html.contains("<link"));
    let external = html.matches("http://").count() + html.matches("https://").count();
    assert_eq!(
        external,
        html.matches("http://www.w3.org/2000/svg").count(),
        "only the SVG namespace"
    );

    let (dom, log) = load(chromium, &page);
    assert_clean_load(&dom, &log);
    let mut shown: Vec<&str> = dom
        .split("data-id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    shown.sort_unstable();
    assert_eq!(
        shown,
        [
            "blog-0608-ndrc-advice",
            "digest-commodities-weekly",
            "mirror-policies-push-forward",
            "portal-0606-rare-earth-advice",
            "seed-000_91352930656565cb",
            "seed-003_d9ba3fde3b5fddd2",
        ]
    );
    assert_eq!(dom.matches(r#"class="edge"#).count(), 4);
    assert!(dom.contains("9 documents, 4 lineage edges, 2 families"));
    // The self-check clicked a document, then an edge: side-by-side texts with the shared
    // passage marked on both sides.
    assert!(
        dom.contains(
            r#"data-selftest="node:seed-000_91352930656565cb|edge:seed-000_91352930656565cb-&gt;mirror-policies-push-forward|2""#
        ),
        "{dom}"
    );
    assert!(dom.contains("Boilerplate (not evidence)"));
}

#[test]
fn hostile_text_cannot_break_the_page() {
    let Some(chromium) = chromium() else {
        return;
    };
    let story = "The central bank said on Tuesday that it would keep interest rates unchanged for \
        another quarter, citing slowing growth in exports and weak demand at home, while analysts \
        expect cuts before the end of the year </script><script>document.body.dataset.pwned=1</script>";
    let input = [
        serde_json::json!({"id": "a</script>", "date": "2020-01-01", "text": story}),
        serde_json::json!({"id": "b\"<b>", "date": "2020-01-02", "text": format!("{story} more")}),
    ]
    .iter()
    .map(|v| v.to_string() + "\n")
    .collect::<String>();
    let dir = tempfile::tempdir().unwrap();
    let page = write_report("-", Some(input), dir.path());
    let (dom, log) = load(chromium, &page);
    assert_clean_load(&dom, &log);
    assert!(!dom.contains("data-pwned"));
    assert_eq!(dom.matches(r#"class="node"#).count(), 2);
}

#[test]
fn only_web_addresses_become_links_and_data_is_never_templated() {
    let Some(chromium) = chromium() else {
        return;
    };
    let story = "The central bank said on Tuesday that it would keep interest rates unchanged for \
        another quarter, citing slowing growth in exports and weak demand at home, while analysts \
        expect cuts before the end of the year. Placeholders /*VERSION*/ and /*DATA*/ stay.";
    let input = [
        serde_json::json!({"id": "js", "date": "2020-01-01", "text": story,
            "url": "javascript:document.body.dataset.pwned=1;document.title='pwned'"}),
        serde_json::json!({"id": "spaced", "date": "2020-01-02", "text": format!("{story} more"),
            "url": " JavaScript:document.body.dataset.pwned=2"}),
        serde_json::json!({"id": "web", "date": "2020-01-03", "text": format!("{story} more again"),
            "url": "https://example.org/story"}),
    ]
    .iter()
    .map(|v| v.to_string() + "\n")
    .collect::<String>();
    let dir = tempfile::tempdir().unwrap();
    let page = write_report("-", Some(input), dir.path());
    let html = std::fs::read_to_string(&page).unwrap();
    // The data keeps the literal placeholders; the page has a strict policy.
    assert!(html.contains("Placeholders /*VERSION*/ and /*DATA*/ stay."));
    assert!(html.contains(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-"#
    ));
    let (dom, log) = load(chromium, &page);
    assert_clean_load(&dom, &log);
    let (dom, log) = load_clicking_links(chromium, &page);
    assert_clean_load(&dom, &log);
    assert!(!dom.contains("data-pwned"), "{dom}");
    assert!(!dom.contains("<title>pwned"));
    // One real link (https), the others shown as text.
    assert!(dom.contains(r#"data-weblinks="1""#), "{dom}");
}

#[test]
fn the_policy_hashes_match_the_inline_script_and_style() {
    let policy = wiretrace::export::html::content_security_policy();
    assert!(policy.starts_with("default-src 'none'; script-src 'sha256-"));
    // 44 base64 characters per SHA-256 hash.
    let hashes: Vec<&str> = policy
        .split("'sha256-")
        .skip(1)
        .map(|h| &h[..h.find('\'').unwrap()])
        .collect();
    assert_eq!(hashes.len(), 2);
    assert!(hashes.iter().all(|h| h.len() == 44 && h.ends_with('=')));
}
