//! `wiretrace index build | add | query`: the persistent index that grows.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use wiretrace::Error;
use wiretrace::corpus::{Corpus, Input, read_inputs, read_inputs_with};
use wiretrace::export;
use wiretrace::index::manifest::IndexParams;
use wiretrace::index::{AddOptions, AddReport, Index, MEMORY_PER_TEXT_BYTE, SEGMENT_TEXT_BYTES};
use wiretrace::trace::{TraceConfig, check_memory};

use super::Status;
use super::args::{DupsParams, InputArgs, PassageParams, ReportFormat, RunArgs};

#[derive(Subcommand)]
pub enum IndexCommand {
    /// Create an index from inputs, in a new or empty folder; reports the pairs, passages and
    /// lineage edges found among them. The parameters given here are fixed for the index.
    Build(IndexBuildArgs),
    /// Add documents to an index; reports only the pairs, passages and lineage edges that
    /// involve them. Atomic: an interrupted add leaves the index as it was.
    Add(IndexAddArgs),
    /// The likely sources (and copies) of one article: stored documents sharing text with
    /// it, with similarity and shared passages.
    Query(IndexQueryArgs),
}

#[derive(Args)]
pub struct IndexBuildArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    params: DupsParams,

    #[command(flatten)]
    passage: PassageParams,

    /// The index folder to create (new or empty).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,

    /// Text per segment: documents are read, added and dropped this many bytes of text at
    /// a time (K, M or G suffix), so memory follows it, not the input; default 512M, or
    /// an eighth of --memory-limit if less.
    #[arg(long, value_name = "SIZE", value_parser = super::args::parse_size)]
    segment_size: Option<u64>,

    #[command(flatten)]
    report: IndexReportArgs,
}

#[derive(Args)]
pub struct IndexAddArgs {
    /// The index folder.
    #[arg(value_name = "DIR")]
    index: PathBuf,

    #[command(flatten)]
    input: InputArgs,

    /// Parameters are fixed by the index; giving one that differs is an error.
    #[command(flatten)]
    params: DupsParams,

    #[command(flatten)]
    passage: PassageParams,

    /// Replace a stored document whose id comes again (default: keep it, skip the new one).
    #[arg(long)]
    replace: bool,

    #[command(flatten)]
    report: IndexReportArgs,

    /// Options given on the command line (filled in after parsing).
    #[arg(skip)]
    pub explicit: Vec<String>,
}

#[derive(Args)]
struct IndexReportArgs {
    /// Format of the report of what is new.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

#[derive(Args)]
pub struct IndexQueryArgs {
    /// The index folder.
    #[arg(value_name = "DIR")]
    index: PathBuf,

    /// The article: a text file, or - for standard input.
    #[arg(value_name = "FILE")]
    article: String,

    /// The article's date (ISO 8601), to tell sources from copies.
    #[arg(long, value_name = "DATE")]
    date: Option<String>,

    /// The article's outlet, to recognise credit lines.
    #[arg(long, value_name = "NAME")]
    source: Option<String>,

    /// Report at most this many stored documents.
    #[arg(long, default_value_t = 20, value_name = "N")]
    limit: usize,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,

    /// As for every command; --max-doc-bytes caps the article, and --strict makes an
    /// article without words exit with status 3.
    #[command(flatten)]
    run: RunArgs,
}

pub fn run(command: IndexCommand) -> Result<Status, Error> {
    match command {
        IndexCommand::Build(args) => build(args),
        IndexCommand::Add(args) => add(args),
        IndexCommand::Query(args) => query(args),
    }
}

/// Refuses options that differ from the parameters an index was built with; the
/// comparison is the library's ([`IndexParams::differences`]), the option names are ours.
pub fn check_fixed(
    index: &Index,
    requested: &TraceConfig,
    explicit: &[String],
    dir: &Path,
) -> Result<(), Error> {
    let asked = IndexParams::from_config(requested)?;
    if let Some((name, have, want)) = index.params().differences(&asked, explicit).first() {
        return Err(Error::Config(format!(
            "the index '{}' was built with --{} {have}, and its parameters are fixed; \
             this call gave {want}. Drop the option, or build a new index with it",
            dir.display(),
            name.replace('_', "-"),
        )));
    }
    Ok(())
}

/// Reads the documents of a build or an add, once its outputs are checked against them.
fn read_batch(input: &InputArgs, dir: &Path, report: &IndexReportArgs) -> Result<Corpus, Error> {
    let inputs = input.inputs()?;
    check_outputs(dir, report.report.as_deref(), &inputs)?;
    let corpus = read_inputs(&inputs, &input.read_options())?;
    if let Some(limit) = input.run.memory_limit {
        check_memory(&corpus.documents, limit)?;
    }
    Ok(corpus)
}

/// `index build`: the index writer takes the documents as they are read, a segment at a
/// time ([`Index::add_stream`]).
fn build(args: IndexBuildArgs) -> Result<Status, Error> {
    let config = args.passage.config(args.params.config())?;
    args.input.run.prepare()?;
    let inputs = args.input.inputs()?;
    check_outputs(&args.output, args.report.report.as_deref(), &inputs)?;
    let by_limit = args
        .input
        .run
        .memory_limit
        .map(|l| l / MEMORY_PER_TEXT_BYTE);
    let segment_bytes = match args.segment_size {
        Some(0) => return Err(Error::Config("--segment-size must be above 0".into())),
        Some(size) => size.min(by_limit.unwrap_or(u64::MAX)),
        None => by_limit.map_or(SEGMENT_TEXT_BYTES as u64, |l| {
            l.min(SEGMENT_TEXT_BYTES as u64)
        }),
    };
    Index::create(&args.output, &config)?;
    let mut index = Index::open(&args.output)?;
    let read = args.input.read_options();
    let source = |docs: &mut dyn FnMut(wiretrace::Document)| read_inputs_with(&inputs, &read, docs);
    let (corpus, added) = index.add_stream(&source, false, segment_bytes as usize)?;
    write_report("index build", &args.output, &index, &added, &args.report);
    Ok(finish(&args.input, &corpus, &added))
}

fn add(args: IndexAddArgs) -> Result<Status, Error> {
    let requested = args.passage.config(args.params.config())?;
    args.input.run.prepare()?;
    let mut index = Index::open(&args.index)?;
    check_fixed(&index, &requested, &args.explicit, &args.index)?;
    let mut corpus = read_batch(&args.input, &args.index, &args.report)?;
    let options = AddOptions {
        replace: args.replace,
        pairs_only: false,
    };
    let added = index.add(std::mem::take(&mut corpus.documents), &options)?;
    write_report("index add", &args.index, &index, &added, &args.report);
    Ok(finish(&args.input, &corpus, &added))
}

/// An index folder must not be an input, nor hold one; the report goes outside the index.
fn check_outputs(dir: &Path, report: Option<&Path>, inputs: &[Input]) -> Result<(), Error> {
    for input in inputs {
        if let Input::Path(p) = input
            && export::target::check_outside("INPUT", p, dir).is_err()
        {
            return Err(Error::Config(format!(
                "the input '{}' is inside the index folder '{}'",
                p.display(),
                dir.display()
            )));
        }
    }
    if let Some(report) = report {
        export::target::check_outside("--report", report, dir)?;
        export::target::check_outputs(&[("--report", report)], inputs)?;
    }
    Ok(())
}

/// Writes the report of what is new. The index is already updated, so a report that
/// cannot be written is told on stderr and does not fail the run.
fn write_report(
    command: &str,
    dir: &Path,
    index: &Index,
    report: &AddReport,
    args: &IndexReportArgs,
) {
    let written = export::write_output(args.report.as_deref(), |out| match args.format {
        ReportFormat::Table => export::index_report::write_add_table(report, out),
        ReportFormat::Json => export::json::write_value(
            &export::index_report::add_json(
                command,
                &dir.display().to_string(),
                index.params(),
                report,
            ),
            out,
        ),
    });
    if let Err(e) = written {
        eprintln!(
            "wiretrace: error: {} (the index itself was updated)",
            super::message(&e)
        );
    }
}

/// The account of a build or an add on stderr; skipped under `--strict` if anything
/// (unreadable records or ids already indexed) was skipped.
fn finish(input: &InputArgs, corpus: &Corpus, report: &AddReport) -> Status {
    let skipped = corpus.skipped.len() + report.skipped.len();
    if !input.run.quiet {
        for s in corpus.skipped.iter().chain(&report.skipped) {
            eprintln!(
                "wiretrace: skipped {}: {}",
                s.origin,
                super::as_options(&s.reason.to_string())
            );
        }
        eprintln!(
            "wiretrace: {} documents added ({} replaced), {} skipped; {} new near-duplicate \
             pairs; index holds {} documents{}",
            report.added.len(),
            report.replaced.len(),
            skipped,
            report.pairs.len(),
            report.documents_after,
            match report.segments.as_slice() {
                [] => String::new(),
                [one] => format!(" (new segment {one})"),
                [first, .., last] => format!(
                    " ({} new segments, {first} to {last})",
                    report.segments.len()
                ),
            }
        );
    }
    Status::of(input.run.strict, skipped)
}

fn query(args: IndexQueryArgs) -> Result<Status, Error> {
    args.run.prepare()?;
    let index = Index::open(&args.index)?;
    let cap = args.run.max_doc_bytes;
    let (bytes, shown) = if args.article == "-" {
        let bytes =
            wiretrace::corpus::read_capped(std::io::stdin().lock(), cap).map_err(|source| {
                Error::Read {
                    path: "<stdin>".into(),
                    line: 1,
                    source,
                }
            })?;
        (bytes, "<stdin>".to_string())
    } else {
        let path = PathBuf::from(&args.article);
        let bytes = std::fs::File::open(&path)
            .and_then(|f| wiretrace::corpus::read_capped(f, cap))
            .map_err(|source| Error::Input { path, source })?;
        (bytes, args.article.clone())
    };
    if bytes.len() > cap {
        return Err(Error::Config(format!(
            "the article '{shown}' is over --max-doc-bytes {cap}"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::Config(format!(
            "the article '{shown}' is not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let mut article = wiretrace::Document::new(args.article.clone(), text);
    if let Some(date) = &args.date {
        article = article.with_date(date);
    }
    if let Some(source) = &args.source {
        article = article.with_source(source);
    }
    let wordless = wiretrace::normalize::tokenize(&article.text).is_empty();
    let matches = index.query(&article, args.limit)?;
    export::write_output(None, |out| match args.format {
        ReportFormat::Table => export::index_report::write_query_table(&matches, out),
        ReportFormat::Json => export::json::write_value(
            &export::index_report::query_json(&args.article, &matches),
            out,
        ),
    })?;
    if !args.run.quiet {
        if wordless {
            eprintln!("wiretrace: the article has no words: nothing to look up");
        }
        eprintln!(
            "wiretrace: {} stored documents share text with the article",
            matches.len()
        );
    }
    Ok(Status::of(args.run.strict, usize::from(wordless)))
}
