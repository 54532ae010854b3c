//! The passage-level commands: `passages`, `lineage`, `audit`, `dedup` and `report`. Each
//! reads the corpus (from inputs or an index), runs the passage-level pipeline
//! ([`wiretrace::trace`]) and renders the result its own way.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use wiretrace::Error;
use wiretrace::corpus::{Corpus, ReadOptions, TextMover, read_inputs_moving_texts};
use wiretrace::dedup::KeepPolicy;
use wiretrace::export::target::PendingFile;
use wiretrace::export::{self, DupsView, LineageView, Output};
use wiretrace::index::Index;
use wiretrace::paraphrase::ParaphraseConfig;
use wiretrace::trace::{SpillOptions, Trace, TraceConfig, check_memory, find_passages_with};

use super::Status;
use super::account::report_account;
use super::args::{
    DupsParams, GraphFormat, InputArgs, OutputArg, OutputFormat, PassageParams, ReportFormat,
};
use super::index::check_fixed;

/// Inputs and parameters shared by the passage-level commands.
#[derive(Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Read the documents from an index (`wiretrace index build`) instead of INPUTs; the
    /// index's parameters are used, and giving one that differs is an error.
    #[arg(long, value_name = "DIR")]
    index: Option<PathBuf>,

    /// Options given on the command line (filled in after parsing).
    #[arg(skip)]
    pub explicit: Vec<String>,

    #[command(flatten)]
    params: DupsParams,

    #[command(flatten)]
    passage: PassageParams,

    /// Folder for the passage level's temporary files: the texts, shingles and the counts
    /// of which k-grams recur across stories, each once past 128 MiB in memory (or an
    /// eighth of --memory-limit); about the corpus's size plus 20 bytes per word in all
    /// (default: the system temporary folder). They are deleted when the run ends, however
    /// it ends.
    #[arg(long, value_name = "DIR")]
    temp_dir: Option<PathBuf>,
}

impl TraceArgs {
    /// Where the passage level spills, and how much it holds.
    fn spill(&self) -> SpillOptions {
        SpillOptions::new(self.temp_dir.clone(), self.input.run.memory_limit)
    }
}

#[derive(Args)]
pub struct PassagesArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// Output format; jsonl writes one line per pair (its passages together) as the run
    /// finds them.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,

    #[command(flatten)]
    output: OutputArg,
}

#[derive(Args)]
pub struct LineageArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
    format: GraphFormat,

    #[command(flatten)]
    output: OutputArg,
}

#[derive(Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,

    #[command(flatten)]
    output: OutputArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum KeepArg {
    /// The earliest dated member (undated last), then the first read.
    Earliest,
    /// The most complete text (most shingles), then the earliest.
    Longest,
    /// The member from the outlet others copy most (lineage parents), then the earliest.
    MostCited,
}

#[derive(Args)]
pub struct DedupArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// Which member of each family to keep.
    #[arg(long, value_enum, default_value_t = KeepArg::Earliest)]
    keep: KeepArg,

    /// The deduplicated corpus (JSON Lines). JSON Lines records are copied byte for byte;
    /// text-file documents become {"id", "text"} records.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,

    /// The sidecar: one {"dropped", "kept", "family"} line per dropped document
    /// (default: OUTPUT with ".dropped.jsonl" appended).
    #[arg(long, value_name = "FILE")]
    dropped: Option<PathBuf>,
}

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub trace: TraceArgs,

    /// The HTML file to write (atomically).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

/// What a passage-level run holds once the pipeline has run.
struct TracedCorpus {
    corpus: Corpus,
    config: TraceConfig,
    trace: Trace,
    /// The outputs, opened (as temporary files) in the order asked for.
    opened: Vec<PendingFile>,
}

/// Reads the corpus and runs the passage-level pipeline. `outputs` (option, path) are
/// checked against the inputs and each other, and opened, before any input is read.
fn read_and_trace(
    args: &TraceArgs,
    keep_raw: bool,
    outputs: &[(&str, &Path)],
) -> Result<TracedCorpus, Error> {
    let ReadCorpus {
        corpus,
        config,
        opened,
    } = read_corpus(args, keep_raw, outputs)?;
    let trace = find_passages_with(&corpus.documents, &config, &args.spill(), &mut ())?;
    Ok(TracedCorpus {
        corpus,
        config,
        trace,
        opened,
    })
}

/// A passage-level run before the pipeline: the corpus, the configuration (the index's when
/// read from one) and the outputs, opened.
struct ReadCorpus {
    corpus: Corpus,
    config: TraceConfig,
    opened: Vec<PendingFile>,
}

/// Reads the corpus for a passage-level run and checks it against the memory limit;
/// `outputs` are checked and opened first, as in [`read_and_trace`].
fn read_corpus(
    args: &TraceArgs,
    keep_raw: bool,
    outputs: &[(&str, &Path)],
) -> Result<ReadCorpus, Error> {
    let TraceArgs {
        input,
        index,
        explicit,
        params,
        passage,
        temp_dir: _,
    } = args;
    let mut config = passage.config(params.config())?;
    config.dups.resolve_lsh()?;
    input.run.prepare()?;
    // The texts are held up to the spill's bound, and past it moved to a file.
    let spill = args.spill();
    let opened;
    let corpus = match index {
        Some(dir) => {
            if !input.inputs.is_empty() {
                return Err(Error::Config(
                    "give either INPUT... or --index DIR, not both".into(),
                ));
            }
            for (option, path) in outputs {
                export::target::check_outside(option, path, dir)?;
            }
            opened = export::target::open_outputs(outputs, &[])?;
            let index = Index::open(dir)?;
            check_fixed(&index, &config, explicit, dir)?;
            // The paraphrase path is a reading of the documents, not a stored parameter:
            // it follows the command line, with the index's passage length.
            let paraphrase = config.paraphrase;
            config = index.config().clone();
            config.paraphrase = paraphrase.map(|p| ParaphraseConfig {
                min_words: config.passage.min_words,
                ..p
            });
            let mut texts = TextMover::new(&spill.dir(), spill.held());
            index.documents_to(&mut |_, d| texts.push(d))?;
            Corpus {
                documents: texts.finish()?,
                ..Corpus::default()
            }
        }
        None => {
            let read = ReadOptions {
                keep_raw,
                ..input.read_options()
            };
            let inputs = input.inputs()?;
            opened = export::target::open_outputs(outputs, &inputs)?;
            read_inputs_moving_texts(&inputs, &read, &spill.dir(), spill.held())?
        }
    };
    if let Some(limit) = input.run.memory_limit {
        check_memory(&corpus.documents, limit)?;
    }
    Ok(ReadCorpus {
        corpus,
        config,
        opened,
    })
}

pub fn run_passages(args: PassagesArgs) -> Result<Status, Error> {
    let format = args.format;
    if let OutputFormat::Jsonl = format {
        return run_passages_jsonl(&args);
    }
    render(
        &args.trace,
        &args.output.named(),
        |view, out| match format {
            OutputFormat::Table => export::table::write_passages(view, out),
            OutputFormat::Json => export::json::write_passages_json(view, out),
            OutputFormat::Jsonl => export::json::write_passages_jsonl(view, out),
        },
    )
}

/// `passages --format jsonl`: the pair lines are written as the passage stage finalises
/// them (a [`JsonlPassages`](export::json::JsonlPassages) sink), the boilerplate, frames,
/// skips and stats once the run is done.
fn run_passages_jsonl(args: &PassagesArgs) -> Result<Status, Error> {
    let ReadCorpus {
        corpus,
        config,
        mut opened,
    } = read_corpus(&args.trace, false, &args.output.named())?;
    let lsh = config.dups.resolve_lsh()?;
    let docs = &corpus.documents;
    let done = Output::from(opened.pop()).write_streamed(|out| {
        let mut sink = match export::json::JsonlPassages::start(out, &config, lsh) {
            Ok(sink) => sink,
            Err(e) => return Ok((None, Err(e))),
        };
        let trace = find_passages_with(docs, &config, &args.trace.spill(), &mut sink)?;
        let lineage = trace.lineage(docs);
        let view = LineageView {
            corpus: &corpus,
            config: &config,
            trace: &trace,
            lineage: &lineage,
        };
        let written = sink
            .finish()
            .and_then(|out| export::json::write_passages_jsonl_tail(&view, out));
        Ok((Some((trace, lineage)), written))
    })?;
    let Some((trace, lineage)) = done else {
        return Ok(Status::Done);
    };
    let view = LineageView {
        corpus: &corpus,
        config: &config,
        trace: &trace,
        lineage: &lineage,
    };
    account(&view, &args.trace.input)
}

pub fn run_lineage(args: LineageArgs) -> Result<Status, Error> {
    let format = args.format;
    render(
        &args.trace,
        &args.output.named(),
        |view, out| match format {
            GraphFormat::Json => export::json::write_lineage_json(view, out),
            GraphFormat::Dot => export::dot::write_dot(view, out),
            GraphFormat::Graphml => export::graphml::write_graphml(view, out),
        },
    )
}

pub fn run_report(args: ReportArgs) -> Result<Status, Error> {
    let output = [("--output", args.output.as_path())];
    render(&args.trace, &output, export::html::write_html)
}

/// Runs the pipeline and the lineage, and writes them with `render`.
fn render(
    args: &TraceArgs,
    outputs: &[(&str, &Path)],
    render: impl FnOnce(&LineageView, &mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<Status, Error> {
    let TracedCorpus {
        corpus,
        config,
        trace,
        mut opened,
    } = read_and_trace(args, false, outputs)?;
    let lineage = trace.lineage(&corpus.documents);
    let view = LineageView {
        corpus: &corpus,
        config: &config,
        trace: &trace,
        lineage: &lineage,
    };
    Output::from(opened.pop()).write(|out| render(&view, out))?;
    account(&view, &args.input)
}

/// The account of a passage-level run on stderr (unless quiet), and its exit status.
fn account(view: &LineageView, input: &InputArgs) -> Result<Status, Error> {
    let dups = view.dups();
    report_account(&dups, input.run.quiet);
    if !input.run.quiet {
        let (trace, lineage) = (view.trace, view.lineage);
        eprintln!(
            "wiretrace: {} pairs share passages; {} boilerplate templates; lineage: {} documents, {} edges, {} families",
            trace.pairs.len(),
            trace.boilerplate.templates.len(),
            lineage.graph.node_count(),
            lineage.graph.edge_count(),
            lineage.families
        );
    }
    Ok(Status::of(input.run.strict, dups.skipped_count()))
}

pub fn run_audit(args: AuditArgs) -> Result<Status, Error> {
    let TracedCorpus {
        corpus,
        config,
        trace,
        mut opened,
    } = read_and_trace(&args.trace, false, &args.output.named())?;
    let lineage = trace.lineage(&corpus.documents);
    let summary = wiretrace::audit::audit(&corpus, &trace, &lineage);
    Output::from(opened.pop()).write(|out| match args.format {
        ReportFormat::Table => export::table::write_audit(&summary, out),
        ReportFormat::Json => {
            let view = LineageView {
                corpus: &corpus,
                config: &config,
                trace: &trace,
                lineage: &lineage,
            };
            export::json::write_value(&export::json::audit_json(&view, &summary), out)
        }
    })?;
    let view = DupsView {
        corpus: &corpus,
        config: &config.dups,
        report: &trace.dups,
    };
    let run = &args.trace.input.run;
    report_account(&view, run.quiet);
    Ok(Status::of(run.strict, view.skipped_count()))
}

pub fn run_dedup(args: DedupArgs) -> Result<Status, Error> {
    let sidecar = args.dropped.clone().unwrap_or_else(|| {
        let mut name = args.output.clone().into_os_string();
        name.push(".dropped.jsonl");
        PathBuf::from(name)
    });
    let outputs = [
        ("--output", args.output.as_path()),
        ("--dropped", sidecar.as_path()),
    ];
    let TracedCorpus {
        corpus,
        config,
        trace,
        opened,
    } = read_and_trace(&args.trace, true, &outputs)?;
    let [out, side]: [PendingFile; 2] = opened.try_into().ok().expect("two outputs opened");
    let docs = &corpus.documents;
    let (policy, lineage) = match args.keep {
        KeepArg::Earliest => (KeepPolicy::Earliest, None),
        KeepArg::Longest => (KeepPolicy::Longest, None),
        KeepArg::MostCited => (KeepPolicy::MostCited, Some(trace.lineage(docs))),
    };
    let plan = wiretrace::dedup::plan(docs, &trace.dups, policy, lineage.as_ref());
    let view = DupsView {
        corpus: &corpus,
        config: &config.dups,
        report: &trace.dups,
    };
    let summary = export::dedup::write_dedup(&view, &plan, out, side)?;
    let run = &args.trace.input.run;
    report_account(&view, run.quiet);
    if !run.quiet {
        eprintln!(
            "wiretrace: read {} records: {} written to {}, {} dropped as near-duplicates and \
             {} skipped, all listed in {} (run {})",
            summary.records_read,
            summary.kept,
            args.output.display(),
            summary.dropped,
            summary.skipped,
            sidecar.display(),
            summary.run
        );
    }
    Ok(Status::of(run.strict, view.skipped_count()))
}
