//! What a run tells on stderr: a progress spinner while it works, then the account of
//! what was read (records used, skipped by reason, warnings, ignored files, collapsed
//! groups). Nothing here is output: the results go to stdout or the output file.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use wiretrace::dups::Progress;
use wiretrace::export::DupsView;

/// A progress bar on stderr when it is a terminal and --quiet is not given.
pub fn progress_bar(quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

pub fn show_progress(bar: &ProgressBar, p: Progress) {
    let msg = match p {
        Progress::Signed { documents, bytes } => format!(
            "reading and signing: {documents} documents, {:.1} MB",
            bytes as f64 / 1e6
        ),
        Progress::Candidates => "finding candidate pairs".to_string(),
        Progress::Verifying { candidates } => format!("verifying {candidates} candidate pairs"),
    };
    bar.set_message(msg);
}

/// How many skip and warning lines to print before summarising the rest.
const SHOWN_ON_STDERR: usize = 10;

pub fn report_account(view: &DupsView, quiet: bool) {
    if quiet {
        return;
    }
    let corpus = view.corpus;
    eprintln!(
        "wiretrace: read {} records: {} documents used, {} skipped, {} warnings",
        corpus.records_read(),
        view.report.documents,
        view.skipped_count(),
        corpus.warnings.len()
    );
    if view.skipped_count() > 0 {
        let by_kind: Vec<String> = view
            .skipped_by_kind()
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        eprintln!("wiretrace: skipped by reason: {}", by_kind.join(", "));
        for s in view.skipped().take(SHOWN_ON_STDERR) {
            eprintln!("  skipped {}", super::as_options(&s.to_string()));
        }
        if view.skipped_count() > SHOWN_ON_STDERR {
            eprintln!(
                "  … and {} more (all are listed in --format json or jsonl output)",
                view.skipped_count() - SHOWN_ON_STDERR
            );
        }
    }
    for w in corpus.warnings.iter().take(SHOWN_ON_STDERR) {
        eprintln!("  warning {}", super::as_options(&w.to_string()));
    }
    if corpus.warnings.len() > SHOWN_ON_STDERR {
        eprintln!(
            "  … and {} more warnings",
            corpus.warnings.len() - SHOWN_ON_STDERR
        );
    }
    if !corpus.ignored_files.is_empty() {
        eprintln!(
            "wiretrace: ignored {} files that are not .txt, .md or .jsonl (first: {})",
            corpus.ignored_files.len(),
            corpus.ignored_files[0]
        );
    }
    if view.report.collapsed_groups > 0 {
        eprintln!(
            "wiretrace: {} groups of more than {} identical documents; each is reported as \
             pairs with its first member",
            view.report.collapsed_groups,
            wiretrace::lsh::COLLAPSE_ABOVE
        );
    }
    if view.report.oversized_buckets > 0 {
        eprintln!(
            "wiretrace: {} LSH buckets held more than {} documents (largest {}); their pairs \
             are reported as stars from one member (families are complete)",
            view.report.oversized_buckets, view.config.max_bucket, view.report.largest_bucket
        );
    }
}
