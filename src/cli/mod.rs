//! The commands of the `wiretrace` binary, one module per command group.
//!
//! Every command has the same shape: clap types describe its options ([`args`] holds the
//! groups several commands share: inputs, run options, the `dups` and passage parameters,
//! output formats), a `run` function turns them into library configurations, calls the
//! library, writes the output and returns a [`Status`], or an [`Error`]. Nothing here
//! decides anything about documents: validation, memory models and parameter comparisons
//! live in the library, so the Python package and the engines share them. The binary's
//! `main` maps the one error type to an exit status ([`exit_status`]).

mod account;
mod args;
#[cfg(feature = "distributed")]
mod cluster;
mod dups;
mod eval;
mod index;
mod synth;
mod trace;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use wiretrace::Error;
use wiretrace::export;

/// Exit status: the run failed (an input could not be read, an output not written).
const EXIT_FAILURE: u8 = 1;
/// Exit status: bad usage or an invalid parameter.
const EXIT_USAGE: u8 = 2;
/// Exit status: `--strict` and at least one record was skipped.
const EXIT_SKIPPED: u8 = 3;
/// Exit status: another run is writing to the index; try again later.
const EXIT_BUSY: u8 = 4;

#[derive(Parser)]
#[command(
    name = "wiretrace",
    version,
    about = "Find near-duplicate and republished text across a corpus of articles",
    long_about = "Find near-duplicate and republished text across a corpus of articles.\n\n\
        Inputs are folders (every .txt and .md file below them is one document, its id the \
        relative path; .jsonl files inside are read as JSON Lines), JSON Lines files (one \
        object per line with id and text, and optional source, date, title, url), plain text \
        files, or - for standard input (JSON Lines unless --input-format text).\n\n\
        Exit status: 0 success (skipped records are reported on stderr), 1 an input could not \
        be read or an output not written, 2 bad usage or parameter, 3 records were skipped and \
        --strict was given, 4 another run is writing to the index."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report near-duplicate document pairs and group them into families.
    Dups(dups::DupsArgs),
    /// Report passages shared between documents (with character offsets and text), and the
    /// boilerplate that is not counted as sharing.
    Passages(trace::PassagesArgs),
    /// Build the lineage graph (parent → child) and write it as JSON, DOT or GraphML.
    Lineage(trace::LineageArgs),
    /// Summarise corpus quality: skips, duplicate rates, story families, syndicating and
    /// copying outlets, boilerplate, missing metadata.
    Audit(trace::AuditArgs),
    /// Write the corpus back with one document per near-duplicate family, plus a sidecar
    /// file mapping every dropped id to the id kept.
    Dedup(trace::DedupArgs),
    /// Write a self-contained HTML report: the lineage graph (pan, zoom, click to read),
    /// story families, and side-by-side texts with shared passages highlighted.
    Report(trace::ReportArgs),
    /// Write a synthetic news corpus (JSON Lines) with planted reposts, for benchmarks and
    /// trials: about 2.4 KB per article, 5 % reposts.
    Synth(synth::SynthArgs),
    /// Score a lineage, passages or dups JSON output against labelled truth: edge precision,
    /// recall and F1 (undirected and directed, overall and per label), direction accuracy,
    /// family ARI and PAN passage scores.
    Eval(eval::EvalArgs),
    /// A persistent index that grows: build it once, add each day's documents and see only
    /// what is new, query one article for its sources.
    #[command(subcommand)]
    Index(index::IndexCommand),
    /// Run a DataFusion Ballista scheduler or executor that knows wiretrace's functions, for
    /// `dups --engine ballista`.
    #[cfg(feature = "distributed")]
    #[command(subcommand)]
    Cluster(cluster::ClusterCommand),
}

/// How a run that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything was read and written.
    Done,
    /// `--strict` was given and records were skipped (exit status 3).
    Skipped,
}

impl Status {
    /// [`Status::Skipped`] when `strict` and anything was skipped.
    fn of(strict: bool, skipped: usize) -> Status {
        if strict && skipped > 0 {
            Status::Skipped
        } else {
            Status::Done
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        match status {
            Status::Done => ExitCode::SUCCESS,
            Status::Skipped => ExitCode::from(EXIT_SKIPPED),
        }
    }
}

/// The message of an error as the command line tells it: the parameters the library names
/// (`max_doc_bytes`, `` `replace` ``) written as this program's options (`--max-doc-bytes`,
/// `--replace`).
pub fn message(e: &Error) -> String {
    as_options(&e.to_string())
}

/// `text` with every parameter name that is an option of some command written as that
/// option: snake_case words with an underscore (`min_words` → `--min-words`) and words in
/// backticks (`` `replace` `` → `--replace`). Other words are left alone: `threshold`
/// reads the same either way.
pub fn as_options(text: &str) -> String {
    use std::sync::OnceLock;
    static OPTIONS: OnceLock<std::collections::BTreeSet<String>> = OnceLock::new();
    let options = OPTIONS.get_or_init(|| {
        let mut found = std::collections::BTreeSet::new();
        let mut stack = vec![Cli::command()];
        while let Some(command) = stack.pop() {
            for arg in command.get_arguments() {
                if let Some(long) = arg.get_long() {
                    found.insert(long.to_string());
                }
            }
            stack.extend(command.get_subcommands().cloned());
        }
        found
    });
    let option = |word: &str| {
        let long = word.replace('_', "-");
        options.contains(&long).then(|| format!("--{long}"))
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_ascii_lowercase() || c == '`') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(quoted) = rest.strip_prefix('`') {
            let end = quoted.find('`').unwrap_or(quoted.len());
            let word = &quoted[..end];
            match option(word).filter(|_| end < quoted.len()) {
                Some(flag) => {
                    out.push_str(&flag);
                    rest = &quoted[end + 1..];
                }
                None => {
                    out.push('`');
                    rest = quoted;
                }
            }
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        // A word on its own, not part of a path, a file name or an identifier.
        let alone_before = out.is_empty() || out.ends_with([' ', '(', '\'', '"']);
        let after = &rest[end..];
        let alone_after = after.is_empty()
            || after.starts_with([' ', ',', ';', ':', ')', '\'', '"', '\n'])
            || (after.starts_with('.') && !after[1..].starts_with(|c: char| c.is_alphanumeric()));
        match option(word).filter(|_| word.contains('_') && alone_before && alone_after) {
            Some(flag) => out.push_str(&flag),
            None => out.push_str(word),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The exit status of a run that stopped with `e`.
pub fn exit_status(e: &Error) -> u8 {
    match e {
        Error::Config(_) => EXIT_USAGE,
        Error::IndexBusy { .. } => EXIT_BUSY,
        _ => EXIT_FAILURE,
    }
}

/// The parsed command line (clap exits on bad usage and for `--help`), with the options
/// given on it explicitly: an index's fixed parameters may only be repeated, not changed.
pub fn parse() -> Cli {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let explicit = explicit_options(&matches);
    match &mut cli.command {
        Command::Audit(a) => a.trace.explicit = explicit,
        Command::Report(a) => a.trace.explicit = explicit,
        Command::Dedup(a) => a.trace.explicit = explicit,
        Command::Passages(a) => a.trace.explicit = explicit,
        Command::Lineage(a) => a.trace.explicit = explicit,
        Command::Index(index::IndexCommand::Add(a)) => a.explicit = explicit,
        _ => {}
    }
    cli
}

/// Runs the command.
pub fn run(cli: Cli) -> Result<Status, Error> {
    export::target::remove_temporaries_on_signal()?;
    match cli.command {
        Command::Dups(args) => dups::run(args),
        Command::Passages(args) => trace::run_passages(args),
        Command::Lineage(args) => trace::run_lineage(args),
        Command::Audit(args) => trace::run_audit(args),
        Command::Dedup(args) => trace::run_dedup(args),
        Command::Report(args) => trace::run_report(args),
        Command::Synth(args) => synth::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Index(command) => index::run(command),
        #[cfg(feature = "distributed")]
        Command::Cluster(command) => cluster::run(command),
    }
}

/// The options given on the command line to the innermost subcommand.
fn explicit_options(matches: &ArgMatches) -> Vec<String> {
    let mut m = matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    m.ids()
        .filter(|id| m.value_source(id.as_str()) == Some(ValueSource::CommandLine))
        .map(|id| id.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::as_options;

    #[test]
    fn library_parameter_names_become_options() {
        assert_eq!(
            as_options("min_words must be at least 1 and passage_k between 1 and 64"),
            "--min-words must be at least 1 and --passage-k between 1 and 64"
        );
        assert_eq!(
            as_options("document is 9 bytes, over max_doc_bytes 3 (kept; give `replace`)."),
            "document is 9 bytes, over --max-doc-bytes 3 (kept; give --replace)."
        );
        assert_eq!(as_options("raise memory_limit."), "raise --memory-limit.");
        // Not options, or not on their own: paths, file names, identifiers, other words.
        for text in [
            "cannot read input '/data/max_df/a.jsonl'",
            "cannot read input 'min_words.jsonl'",
            "no_such_option and `nothing`, unclosed `min_words",
            "Xmin_words 5min_words threshold",
        ] {
            assert_eq!(as_options(text), text);
        }
    }
}
