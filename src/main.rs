//! The `wiretrace` command line: parses arguments, calls the library, prints.

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::IsTerminal;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use wiretrace::Error;
use wiretrace::corpus::{
    Corpus, FieldNames, Input, InputFormat, ReadOptions, read_inputs, read_inputs_with,
};
use wiretrace::dedup::KeepPolicy;
use wiretrace::dups::{DupsConfig, PairSink, Progress, StreamOptions, stream_documents};
use wiretrace::export::json::JsonlPairs;
use wiretrace::export::target::PendingFile;
use wiretrace::export::{self, DupsView, LineageView, Output};
use wiretrace::index::manifest::IndexParams;
use wiretrace::index::{AddOptions, Index};
use wiretrace::lsh::LshParams;
use wiretrace::paraphrase::ParaphraseConfig;
use wiretrace::shingle::ShingleScheme;
use wiretrace::trace::{PassageOptions, Trace, TraceConfig, trace};

/// Exit status: the run failed (an input could not be read, an output not written).
const EXIT_FAILURE: u8 = 1;
/// Exit status: bad usage or an invalid parameter.
const EXIT_USAGE: u8 = 2;
/// Exit status: `--strict` and at least one record was skipped.
const EXIT_SKIPPED: u8 = 3;
/// Exit status: another run is writing to the index; try again later.
const EXIT_BUSY: u8 = 4;

/// Counts the heap against `--memory-limit` (see `wiretrace::memory`).
#[global_allocator]
static ALLOCATOR: wiretrace::memory::CountingAllocator = wiretrace::memory::CountingAllocator;

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
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report near-duplicate document pairs and group them into families.
    Dups(DupsArgs),
    /// Report passages shared between documents (with character offsets and text), and the
    /// boilerplate that is not counted as sharing.
    Passages(PassagesArgs),
    /// Build the lineage graph (parent → child) and write it as JSON, DOT or GraphML.
    Lineage(LineageArgs),
    /// Summarise corpus quality: skips, duplicate rates, story families, syndicating and
    /// copying outlets, boilerplate, missing metadata.
    Audit(AuditArgs),
    /// Write the corpus back with one document per near-duplicate family, plus a sidecar
    /// file mapping every dropped id to the id kept.
    Dedup(DedupArgs),
    /// Write a self-contained HTML report: the lineage graph (pan, zoom, click to read),
    /// story families, and side-by-side texts with shared passages highlighted.
    Report(ReportArgs),
    /// Write a synthetic news corpus (JSON Lines) with planted reposts, for benchmarks and
    /// trials: about 2.4 KB per article, 5 % reposts.
    Synth(SynthArgs),
    /// Score a lineage, passages or dups JSON output against labelled truth: edge precision,
    /// recall and F1 (undirected and directed, overall and per label), direction accuracy,
    /// family ARI and PAN passage scores.
    Eval(EvalArgs),
    /// A persistent index that grows: build it once, add each day's documents and see only
    /// what is new, query one article for its sources.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Run a DataFusion Ballista scheduler or executor that knows wiretrace's functions, for
    /// `dups --engine ballista`.
    #[cfg(feature = "distributed")]
    #[command(subcommand)]
    Cluster(ClusterCommand),
}

#[cfg(feature = "distributed")]
#[derive(Subcommand)]
enum ClusterCommand {
    /// Start a scheduler; runs until stopped.
    Scheduler(SchedulerArgs),
    /// Start an executor that registers with a scheduler; runs until stopped.
    Executor(ExecutorArgs),
}

#[cfg(feature = "distributed")]
#[derive(Args)]
struct SchedulerArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:50050", value_name = "HOST:PORT")]
    bind: std::net::SocketAddr,
    /// Host name executors and clients use to reach the scheduler.
    #[arg(long, default_value = "localhost", value_name = "HOST")]
    external_host: String,
    /// Seconds without a heartbeat after which an executor is taken as lost and its tasks
    /// are rerun elsewhere.
    #[arg(long, default_value_t = 180, value_name = "SECONDS")]
    executor_timeout: u64,
}

#[cfg(feature = "distributed")]
#[derive(Args)]
struct ExecutorArgs {
    /// The scheduler, HOST:PORT.
    #[arg(long, default_value = "localhost:50050", value_name = "HOST:PORT")]
    scheduler: String,
    /// Host to listen on.
    #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
    bind_host: String,
    /// Host name others use to reach this executor.
    #[arg(long, default_value = "localhost", value_name = "HOST")]
    external_host: String,
    /// Arrow Flight port, for shuffle data.
    #[arg(long, default_value_t = 50051)]
    port: u16,
    /// gRPC port, for tasks from the scheduler.
    #[arg(long, default_value_t = 50052)]
    grpc_port: u16,
    /// Folder for shuffle files.
    #[arg(long, value_name = "DIR")]
    work_dir: PathBuf,
    /// Tasks run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    concurrent_tasks: Option<usize>,
    /// Seconds between heartbeats to the scheduler.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    heartbeat: u64,
}

#[cfg(feature = "distributed")]
fn run_cluster(command: ClusterCommand) -> ExitCode {
    use wiretrace::distributed::cluster;
    let ready = |message: &str| eprintln!("wiretrace: {message}");
    let result = match command {
        ClusterCommand::Scheduler(a) => cluster::run_scheduler(
            &cluster::SchedulerOptions {
                bind: a.bind,
                external_host: a.external_host,
                executor_timeout_seconds: a.executor_timeout,
            },
            &ready,
        ),
        ClusterCommand::Executor(a) => {
            let Some((host, port)) = a
                .scheduler
                .trim_start_matches("df://")
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
            else {
                return fail(&Error::Config(format!(
                    "--scheduler '{}' is not HOST:PORT",
                    a.scheduler
                )));
            };
            cluster::run_executor(
                &cluster::ExecutorOptions {
                    bind_host: a.bind_host,
                    external_host: a.external_host,
                    port: a.port,
                    grpc_port: a.grpc_port,
                    scheduler_host: host,
                    scheduler_port: port,
                    work_dir: a.work_dir,
                    concurrent_tasks: a.concurrent_tasks.unwrap_or_else(|| {
                        std::thread::available_parallelism().map_or(2, |n| n.get())
                    }),
                    heartbeat_seconds: a.heartbeat,
                },
                &ready,
            )
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

#[derive(Subcommand)]
enum IndexCommand {
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
struct IndexBuildArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    params: DupsParams,

    #[command(flatten)]
    passage: PassageParams,

    /// The index folder to create (new or empty).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,

    #[command(flatten)]
    report: IndexReportArgs,
}

#[derive(Args)]
struct IndexAddArgs {
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
}

#[derive(Args)]
struct IndexReportArgs {
    /// Format of the report of what is new.
    #[arg(long, value_enum, default_value_t = PassagesFormat::Table)]
    format: PassagesFormat,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

#[derive(Args)]
struct IndexQueryArgs {
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
    #[arg(long, value_enum, default_value_t = PassagesFormat::Table)]
    format: PassagesFormat,

    /// As for every command; --max-doc-bytes caps the article, and --strict makes an
    /// article without words exit with status 3.
    #[command(flatten)]
    run: RunArgs,
}

/// Inputs and parameters shared by the passage-level commands.
#[derive(Args)]
struct TraceArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Read the documents from an index (`wiretrace index build`) instead of INPUTs; the
    /// index's parameters are used, and giving one that differs is an error.
    #[arg(long, value_name = "DIR")]
    index: Option<PathBuf>,

    /// Options given on the command line (filled in after parsing).
    #[arg(skip)]
    explicit: Vec<String>,

    #[command(flatten)]
    params: DupsParams,

    #[command(flatten)]
    passage: PassageParams,
}

#[derive(Args)]
struct AuditArgs {
    #[command(flatten)]
    trace: TraceArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PassagesFormat::Table)]
    format: PassagesFormat,

    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
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
struct DedupArgs {
    #[command(flatten)]
    trace: TraceArgs,

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
struct ReportArgs {
    #[command(flatten)]
    trace: TraceArgs,

    /// The HTML file to write (atomically).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

#[derive(Args)]
struct EvalArgs {
    /// The output to score: the --format json output of lineage, passages or dups.
    #[arg(value_name = "OUTPUT")]
    output_json: PathBuf,

    /// The truth: JSON with edges, negatives, and optionally clusters and passages (see
    /// README, "Measuring quality").
    #[arg(long, value_name = "FILE")]
    truth: PathBuf,

    /// The corpus the output was made from (same inputs as that run): truth ids missing
    /// from it are unseen sources, which inferred nodes may stand for; a truth child or
    /// negative missing from it is an error.
    #[arg(long, value_name = "INPUT")]
    corpus: Vec<String>,

    /// The truth lists every reuse edge (a generated corpus): pairs it does not label count
    /// as negatives, not as unknown.
    #[arg(long)]
    complete: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PassagesFormat::Table)]
    format: PassagesFormat,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    run: RunArgs,
}

fn run_eval(args: EvalArgs) -> ExitCode {
    let evaluated = (|| {
        prepare(&args.run)?;
        let corpus_inputs: Vec<Input> = args
            .corpus
            .iter()
            .map(|s| Input::from(s.as_str()))
            .collect();
        let mut read_from: Vec<Input> = corpus_inputs.clone();
        read_from.push(Input::Path(args.truth.clone()));
        read_from.push(Input::Path(args.output_json.clone()));
        let outputs: Vec<(&str, &std::path::Path)> = args
            .output
            .iter()
            .map(|p| ("--output", p.as_path()))
            .collect();
        let output = Output::from(export::target::open_outputs(&outputs, &read_from)?.pop());
        let truth = wiretrace::eval::Truth::read(&args.truth)?;
        let prediction = wiretrace::eval::Prediction::read(&args.output_json)?;
        let corpus_ids = if corpus_inputs.is_empty() {
            None
        } else {
            let options = ReadOptions {
                max_doc_bytes: args.run.max_doc_bytes,
                ..ReadOptions::default()
            };
            let corpus = read_inputs(&corpus_inputs, &options)?;
            let ids: std::collections::BTreeSet<String> =
                corpus.documents.into_iter().map(|d| d.id).collect();
            let unknown = truth
                .edges
                .iter()
                .map(|e| (&e.child, "an edge's child"))
                .chain(
                    truth
                        .negatives
                        .iter()
                        .flat_map(|(a, b)| [(a, "a negative"), (b, "a negative")]),
                )
                .find(|(id, _)| !ids.contains(id.as_str()));
            if let Some((id, role)) = unknown {
                return Err(Error::Config(format!(
                    "truth file '{}': unknown id '{id}' ({role}) is not in the corpus",
                    args.truth.display()
                )));
            }
            Some(ids)
        };
        let options = wiretrace::eval::EvalOptions {
            complete: args.complete,
        };
        let evaluation =
            wiretrace::eval::evaluate(&truth, &prediction, corpus_ids.as_ref(), options);
        Ok::<_, Error>((output, evaluation))
    })();
    let (output, evaluation) = match evaluated {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let written = output.write(|out| match args.format {
        PassagesFormat::Table => wiretrace::eval::write_table(&evaluation, out),
        PassagesFormat::Json => export::json::write_value(
            &serde_json::json!({
                "tool": "wiretrace",
                "version": env!("CARGO_PKG_VERSION"),
                "command": "eval",
                "truth": args.truth.display().to_string(),
                "output": args.output_json.display().to_string(),
                "evaluation": evaluation,
            }),
            out,
        ),
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

#[derive(Args)]
struct SynthArgs {
    /// Number of articles.
    #[arg(long, default_value_t = 10_000)]
    docs: usize,

    /// Random seed: the same seed gives the same corpus.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Write the corpus to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Also write the planted reposts as "original<TAB>repost" lines to FILE (with
    /// --syndication: the truth as JSON, in the format `wiretrace eval --truth` reads).
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,

    /// Write a small syndication corpus instead — wire stories with verbatim, edited,
    /// truncated and excerpted reposts, reposts of reposts, undated copies and
    /// distractors — with every lineage edge in the truth (--docs is then ignored).
    #[arg(long)]
    syndication: bool,

    /// With --syndication: wire stories.
    #[arg(long, default_value_t = 60, requires = "syndication")]
    stories: usize,

    /// With --syndication: percent of stories whose first repost has the wire story's
    /// timestamp.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u32).range(0..=100), requires = "syndication")]
    same_time: u32,

    /// With --syndication: percent of stories whose wire original is left out of the
    /// corpus (its copies stay; the truth names it).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100), requires = "syndication")]
    missing_originals: u32,

    /// With --syndication: percent of stories whose copies drop the wire's credit.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100), requires = "syndication")]
    uncredited: u32,

    /// With --syndication: percent of stories that one more outlet rewrites (reordered,
    /// reworded, shortened; truth kind "rewritten").
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100), requires = "syndication")]
    rewritten: u32,

    /// Accepted as by every command (synth reads no input: --strict and --max-doc-bytes
    /// have nothing to act on).
    #[command(flatten)]
    run: RunArgs,
}

/// Reads the corpus and runs the passage-level pipeline; prints the account on stderr.
/// `outputs` (option, path) are checked against the inputs and each other first.
/// The outputs are opened (as temporary files) once checked, before any input is read, and
/// returned in the same order.
fn traced(
    args: &TraceArgs,
    keep_raw: bool,
    outputs: &[(&str, &std::path::Path)],
) -> Result<(Corpus, TraceConfig, Trace, Vec<PendingFile>), Error> {
    let TraceArgs {
        input,
        index,
        explicit,
        params,
        passage,
    } = args;
    let mut config = passage.config(params.config())?;
    config.dups.resolve_lsh()?;
    prepare(&input.run)?;
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
            Corpus {
                documents: index.documents()?.into_iter().map(|(_, d)| d).collect(),
                ..Corpus::default()
            }
        }
        None => {
            let read = ReadOptions {
                keep_raw,
                ..read_options(input)
            };
            let inputs = inputs(input)?;
            opened = export::target::open_outputs(outputs, &inputs)?;
            read_inputs(&inputs, &read)?
        }
    };
    check_trace_memory(input, &corpus)?;
    let trace = trace(&corpus.documents, &config)?;
    Ok((corpus, config, trace, opened))
}

fn run_audit(args: AuditArgs) -> ExitCode {
    let outputs: Vec<(&str, &std::path::Path)> = args
        .output
        .iter()
        .map(|p| ("--output", p.as_path()))
        .collect();
    let (corpus, config, trace, mut opened) = match traced(&args.trace, false, &outputs) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let lineage = trace.lineage(&corpus.documents);
    let summary = wiretrace::audit::audit(&corpus, &trace, &lineage);
    let written = Output::from(opened.pop()).write(|out| match args.format {
        PassagesFormat::Table => export::table::write_audit(&summary, out),
        PassagesFormat::Json => {
            let view = LineageView {
                corpus: &corpus,
                config: &config,
                trace: &trace,
                lineage: &lineage,
            };
            export::json::write_value(&export::json::audit_json(&view, &summary), out)
        }
    });
    if let Err(e) = written {
        return fail(&e);
    }
    let view = DupsView {
        corpus: &corpus,
        config: &config.dups,
        report: &trace.dups,
    };
    report_account(&view, args.trace.input.run.quiet);
    finish(&args.trace.input, &view)
}

/// The exit status once output is written: 3 under `--strict` if anything was skipped.
fn finish(input: &InputArgs, view: &DupsView) -> ExitCode {
    if input.run.strict && view.skipped_count() > 0 {
        return ExitCode::from(EXIT_SKIPPED);
    }
    ExitCode::SUCCESS
}

fn run_dedup(args: DedupArgs) -> ExitCode {
    let sidecar = args.dropped.clone().unwrap_or_else(|| {
        let mut name = args.output.clone().into_os_string();
        name.push(".dropped.jsonl");
        PathBuf::from(name)
    });
    let outputs = [
        ("--output", args.output.as_path()),
        ("--dropped", sidecar.as_path()),
    ];
    let (corpus, config, trace, opened) = match traced(&args.trace, true, &outputs) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
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
    let written = export::dedup::write_dedup(&view, &plan, out, side);
    let summary = match written {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    report_account(&view, args.trace.input.run.quiet);
    if !args.trace.input.run.quiet {
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
    finish(&args.trace.input, &view)
}

fn run_synth(args: SynthArgs) -> ExitCode {
    let outputs: Vec<(&str, &std::path::Path)> =
        [("--output", &args.output), ("--truth", &args.truth)]
            .into_iter()
            .filter_map(|(o, p)| p.as_deref().map(|p| (o, p)))
            .collect();
    let opened = prepare(&args.run).and_then(|()| export::target::open_outputs(&outputs, &[]));
    let mut opened = match opened {
        Ok(o) => o.into_iter(),
        Err(e) => return fail(&e),
    };
    // In the order given: the corpus (when not stdout), then the truth.
    let output = Output::from(args.output.is_some().then(|| opened.next()).flatten());
    let truth_file = opened.next();
    let mut truth: Vec<u8> = Vec::new();
    let written = output.write(|out| {
        let truth_sink: Option<&mut dyn std::io::Write> = if args.truth.is_some() {
            Some(&mut truth)
        } else {
            None
        };
        if !args.syndication {
            return wiretrace::synth::write_news_corpus(args.docs, args.seed, out, truth_sink);
        }
        let corpus = wiretrace::synth::generate(&wiretrace::synth::SynthConfig {
            seed: args.seed,
            originals: args.stories,
            same_time_percent: args.same_time,
            missing_originals_percent: args.missing_originals,
            uncredited_percent: args.uncredited,
            rewritten_percent: args.rewritten,
            ..wiretrace::synth::SynthConfig::default()
        });
        out.write_all(wiretrace::synth::to_jsonl(&corpus).as_bytes())?;
        if let Some(t) = truth_sink {
            serde_json::to_writer_pretty(&mut *t, &corpus.truth_json())?;
            t.write_all(b"\n")?;
        }
        Ok(())
    });
    if let Err(e) = written {
        return fail(&e);
    }
    if let Some(file) = truth_file
        && let Err(e) = Output::File(file).write(|out| out.write_all(&truth))
    {
        return fail(&e);
    }
    ExitCode::SUCCESS
}

#[derive(Args)]
struct InputArgs {
    /// Folders, JSON Lines files, text files, or - for stdin.
    #[arg(value_name = "INPUT")]
    inputs: Vec<String>,

    /// How to read files named directly and stdin: auto decides by extension
    /// (.jsonl/.ndjson/.json are JSON Lines, anything else is one text document).
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    input_format: FormatArg,

    /// JSON field holding the document id (string or integer).
    #[arg(long, default_value = "id", value_name = "NAME")]
    id_field: String,
    /// JSON field holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_field: String,
    /// JSON field holding the publishing outlet.
    #[arg(long, default_value = "source", value_name = "NAME")]
    source_field: String,
    /// JSON field holding the ISO 8601 date or date-time.
    #[arg(long, default_value = "date", value_name = "NAME")]
    date_field: String,
    /// JSON field holding the headline.
    #[arg(long, default_value = "title", value_name = "NAME")]
    title_field: String,
    /// JSON field holding the address.
    #[arg(long, default_value = "url", value_name = "NAME")]
    url_field: String,

    #[command(flatten)]
    run: RunArgs,
}

/// Options every command takes.
#[derive(Args)]
struct RunArgs {
    /// Skip (and report) records larger than this many bytes.
    #[arg(long, default_value_t = wiretrace::corpus::DEFAULT_MAX_DOC_BYTES, value_name = "BYTES")]
    max_doc_bytes: usize,

    /// Exit with status 3 if any record was skipped.
    #[arg(long)]
    strict: bool,

    /// Print nothing on stderr but errors (no progress bar, no summary).
    #[arg(short, long)]
    quiet: bool,

    /// Stop with a clear error (exit 1) when the run would need more memory than this:
    /// bytes, or with a K, M or G suffix (powers of 1024), e.g. 4G.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    memory_limit: Option<u64>,

    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Auto,
    Jsonl,
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object (schema in README.md).
    Json,
    /// One JSON record per line, each with a "type".
    Jsonl,
}

#[derive(Args)]
struct DupsParams {
    /// Least exact Jaccard similarity of shingle sets for a pair to be reported (0 < T ≤ 1).
    #[arg(long, default_value_t = 0.8, value_name = "T")]
    threshold: f64,

    /// Shingles: words:K (word K-grams; one CJK character counts as a word) or chars:N
    /// (character N-grams of the normalised text).
    #[arg(long, default_value = "words:5", value_name = "KIND:SIZE")]
    shingle: ShingleScheme,

    /// MinHash signature length (values; the k of k-permutation MinHash it stands in for).
    #[arg(long, default_value_t = 128, value_name = "N")]
    num_perm: usize,

    /// Seed of the MinHash hashing: the same seed gives the same output.
    #[arg(long, default_value_t = wiretrace::dups::DEFAULT_SEED)]
    seed: u64,

    /// LSH bands (default: chosen from --threshold so that a pair at the threshold is a
    /// candidate with probability ≥ 0.99). Give with --rows.
    #[arg(long, requires = "rows")]
    bands: Option<usize>,

    /// LSH rows per band. Give with --bands.
    #[arg(long, requires = "bands")]
    rows: Option<usize>,

    /// Buckets with more documents than this give star pairs only, keeping candidate
    /// generation linear for templates repeated thousands of times.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_bucket: usize,
}

impl DupsParams {
    fn config(&self) -> DupsConfig {
        DupsConfig {
            scheme: self.shingle,
            num_perm: self.num_perm,
            seed: self.seed,
            threshold: self.threshold,
            lsh: self
                .bands
                .zip(self.rows)
                .map(|(bands, rows)| LshParams::uniform(bands, rows)),
            max_bucket: self.max_bucket,
        }
    }
}

#[derive(Args)]
struct DupsArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    params: DupsParams,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,

    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Folder for the temporary file that holds shingle sets once they pass 512 MiB in
    /// memory (about 8 bytes per word of the corpus; default: the system temporary folder).
    #[arg(long, value_name = "DIR")]
    temp_dir: Option<PathBuf>,

    /// Where the stages run: default (this process, streaming), datafusion (Apache
    /// DataFusion in this process, out of core) or ballista (a DataFusion Ballista cluster,
    /// see --scheduler). The last two need a build with `--features distributed`.
    #[arg(long, value_enum, default_value_t = EngineArg::Default)]
    engine: EngineArg,

    /// The Ballista scheduler, df://HOST:PORT (with --engine ballista).
    #[arg(long, value_name = "URL")]
    scheduler: Option<String>,

    /// Keep the stage tables (Parquet: documents, signatures, band_keys, buckets,
    /// candidates, pairs, components, families, lineage) in this new or empty folder
    /// (--engine datafusion or ballista; default: a temporary folder, removed). A cluster's
    /// executors must see it at the same path.
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EngineArg {
    /// This process, streaming.
    Default,
    /// Apache DataFusion in this process, out of core.
    Datafusion,
    /// A DataFusion Ballista cluster.
    Ballista,
}

#[derive(Args)]
struct PassageParams {
    /// Least length of a shared passage, in words, in both documents.
    #[arg(long, default_value_t = 20, value_name = "WORDS")]
    min_words: usize,

    /// Largest gap (substituted, inserted or dropped words) bridged inside one passage.
    #[arg(long, default_value_t = 30, value_name = "WORDS")]
    max_gap: usize,

    /// Word k-grams used to find and align passages.
    #[arg(long, default_value_t = 5, value_name = "K")]
    passage_k: usize,

    /// Fingerprints found in more documents than this are not used to find passage
    /// candidates (stock phrases); keeps candidate generation near linear.
    #[arg(long, default_value_t = 100, value_name = "N")]
    max_df: usize,

    /// A line found in at least this many unrelated documents (near-duplicates count once)
    /// is boilerplate, and a word 5-gram in this many unrelated stories a stock phrase (no
    /// evidence of reuse). Shared blocks of short lines (menus, newsletter sign-ups) are
    /// boilerplate whatever their count.
    #[arg(long, default_value_t = 10, value_name = "N")]
    boilerplate_min_docs: usize,

    /// Also find rewritten copy (reworded, reordered, shortened): candidates from a second
    /// index over each document's heaviest content words, aligned sentence by sentence on
    /// IDF-weighted content words (edges and passages with "method": "paraphrase").
    #[arg(long, value_enum, default_value_t = Switch::On, value_name = "ON|OFF")]
    paraphrase: Switch,

    /// Dated documents more than this many days apart are not compared as rewrites
    /// (0: any distance).
    #[arg(long, default_value_t = 2, value_name = "DAYS")]
    paraphrase_window: u32,
}

/// On or off.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

impl PassageParams {
    fn config(&self, dups: DupsConfig) -> Result<TraceConfig, Error> {
        let options = PassageOptions {
            min_words: self.min_words,
            max_gap: self.max_gap,
            passage_k: self.passage_k,
            max_df: self.max_df,
            boilerplate_min_docs: self.boilerplate_min_docs,
            paraphrase: self.paraphrase == Switch::On,
            paraphrase_window_days: self.paraphrase_window,
        };
        TraceConfig::from_options(dups, &options).map_err(flagged::<PassageParams>)
    }
}

/// A library error with the parameters it names (`min_words`) written as the options of
/// `A` (`--min-words`): the library names no CLI flags.
fn flagged<A: Args>(e: Error) -> Error {
    let Error::Config(mut message) = e else {
        return e;
    };
    for arg in A::augment_args(clap::Command::new("wiretrace")).get_arguments() {
        if let Some(long) = arg.get_long().filter(|l| l.contains('-')) {
            message = message.replace(&long.replace('-', "_"), &format!("--{long}"));
        }
    }
    Error::Config(message)
}

#[derive(Args)]
struct PassagesArgs {
    #[command(flatten)]
    trace: TraceArgs,

    /// Output format: table or json (jsonl is not offered: a pair's passages belong together).
    #[arg(long, value_enum, default_value_t = PassagesFormat::Table)]
    format: PassagesFormat,

    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum PassagesFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object (schema in README.md).
    Json,
}

#[derive(Args)]
struct LineageArgs {
    #[command(flatten)]
    trace: TraceArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
    format: GraphFormat,

    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Nodes, edges with evidence, families and boilerplate (schema in README.md).
    Json,
    /// Graphviz; render with `dot -Tsvg`.
    Dot,
    /// GraphML for Gephi, Cytoscape or networkx.
    Graphml,
}

fn main() -> ExitCode {
    wiretrace::memory::disable_transparent_huge_pages();
    if let Err(e) = export::target::remove_temporaries_on_signal() {
        return fail(&e);
    }
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let explicit = explicit_options(&matches);
    match &mut cli.command {
        Command::Audit(a) => a.trace.explicit = explicit.clone(),
        Command::Report(a) => a.trace.explicit = explicit.clone(),
        Command::Dedup(a) => a.trace.explicit = explicit.clone(),
        Command::Passages(a) => a.trace.explicit = explicit.clone(),
        Command::Lineage(a) => a.trace.explicit = explicit.clone(),
        _ => {}
    }
    match cli.command {
        Command::Index(IndexCommand::Build(args)) => run_index_build(args),
        Command::Index(IndexCommand::Add(args)) => run_index_add(args, &explicit),
        Command::Index(IndexCommand::Query(args)) => run_index_query(args),
        Command::Dups(args) => run_dups(args),
        #[cfg(feature = "distributed")]
        Command::Cluster(command) => run_cluster(command),
        Command::Synth(args) => run_synth(args),
        Command::Eval(args) => run_eval(args),
        Command::Audit(args) => run_audit(args),
        Command::Report(args) => run_trace(
            &args.trace,
            Some(args.output.as_path()),
            export::html::write_html,
        ),
        Command::Dedup(args) => run_dedup(args),
        Command::Passages(args) => {
            let format = args.format;
            run_trace(
                &args.trace,
                args.output.as_deref(),
                |view, out| match format {
                    PassagesFormat::Table => export::table::write_passages(view, out),
                    PassagesFormat::Json => {
                        export::json::write_value(&export::json::passages_json(view), out)
                    }
                },
            )
        }
        Command::Lineage(args) => {
            let format = args.format;
            run_trace(
                &args.trace,
                args.output.as_deref(),
                |view, out| match format {
                    GraphFormat::Json => {
                        export::json::write_value(&export::json::lineage_json(view), out)
                    }
                    GraphFormat::Dot => export::dot::write_dot(view, out),
                    GraphFormat::Graphml => export::graphml::write_graphml(view, out),
                },
            )
        }
    }
}

fn fail(e: &Error) -> ExitCode {
    eprintln!("wiretrace: error: {e}");
    ExitCode::from(match e {
        Error::Config(_) => EXIT_USAGE,
        Error::IndexBusy { .. } => EXIT_BUSY,
        _ => EXIT_FAILURE,
    })
}

/// Parses a byte size: a whole number with an optional K, M or G suffix (powers of 1024).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&t[..i], t[i..].trim().to_ascii_uppercase()),
        None => (t, String::new()),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("'{s}' is not a size like 512M or 4G"))?;
    let factor: u64 = match unit.trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("unknown unit in '{s}': use K, M or G")),
    };
    n.checked_mul(factor)
        .filter(|&b| b > 0)
        .ok_or_else(|| format!("'{s}' is not a usable size"))
}

/// Bytes of working memory per byte of text that the passage-level commands need, as
/// measured on Reuters-21578 (318 MiB peak for 17 MB of text, rounded up).
const TRACE_BYTES_PER_TEXT_BYTE: u64 = 20;

fn check_trace_memory(input: &InputArgs, corpus: &Corpus) -> Result<(), Error> {
    let Some(limit) = input.run.memory_limit else {
        return Ok(());
    };
    let text: u64 = corpus.documents.iter().map(|d| d.text.len() as u64).sum();
    let needed = TRACE_BYTES_PER_TEXT_BYTE * text + 2048 * corpus.documents.len() as u64;
    if needed > limit {
        return Err(Error::MemoryLimit {
            limit,
            needed,
            what: format!(
                "the passage level keeps the corpus in memory; {} documents with {} bytes of text",
                corpus.documents.len(),
                text
            ),
            hint: ", or run `dups`, which streams".into(),
        });
    }
    Ok(())
}

/// Most worker threads accepted: far beyond any machine this runs on, and low enough that
/// starting them cannot take longer than the work.
const MAX_THREADS: usize = 256;

/// Applies the options every command takes: the memory limit (counted from here on) and
/// the thread pool.
fn prepare(run: &RunArgs) -> Result<(), Error> {
    if let Some(limit) = run.memory_limit {
        wiretrace::memory::set_limit(limit);
    }
    if let Some(n) = run.threads {
        if n == 0 || n > MAX_THREADS {
            return Err(Error::Config(format!(
                "--threads {n}: give 1 to {MAX_THREADS} (results do not depend on it; the \
                 default is one per core)"
            )));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| Error::Config(format!("cannot set --threads: {e}")))?;
    }
    Ok(())
}

fn read_options(args: &InputArgs) -> ReadOptions {
    ReadOptions {
        fields: FieldNames {
            id: args.id_field.clone(),
            text: args.text_field.clone(),
            source: args.source_field.clone(),
            date: args.date_field.clone(),
            title: args.title_field.clone(),
            url: args.url_field.clone(),
        },
        format: match args.input_format {
            FormatArg::Auto => InputFormat::Auto,
            FormatArg::Jsonl => InputFormat::Jsonl,
            FormatArg::Text => InputFormat::Text,
        },
        max_doc_bytes: args.run.max_doc_bytes,
        keep_raw: false,
    }
}

fn inputs(args: &InputArgs) -> Result<Vec<Input>, Error> {
    if args.inputs.is_empty() {
        return Err(Error::Config(
            "no INPUT given: name folders, JSON Lines files, text files, or - for stdin".into(),
        ));
    }
    Ok(args
        .inputs
        .iter()
        .map(|s| Input::from(s.as_str()))
        .collect())
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

/// Refuses options that differ from the parameters an index was built with.
fn check_fixed(
    index: &Index,
    requested: &wiretrace::trace::TraceConfig,
    explicit: &[String],
    dir: &std::path::Path,
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

/// A progress bar on stderr when it is a terminal and --quiet is not given.
fn progress_bar(quiet: bool) -> Option<ProgressBar> {
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

fn show_progress(bar: &ProgressBar, p: Progress) {
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

fn report_account(view: &DupsView, quiet: bool) {
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
            eprintln!("  skipped {s}");
        }
        if view.skipped_count() > SHOWN_ON_STDERR {
            eprintln!(
                "  … and {} more (all are listed in --format json or jsonl output)",
                view.skipped_count() - SHOWN_ON_STDERR
            );
        }
    }
    for w in corpus.warnings.iter().take(SHOWN_ON_STDERR) {
        eprintln!("  warning {w}");
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

fn run_trace(
    args: &TraceArgs,
    output: Option<&std::path::Path>,
    render: impl FnOnce(&LineageView, &mut dyn std::io::Write) -> std::io::Result<()>,
) -> ExitCode {
    let input = &args.input;
    let outputs: Vec<(&str, &std::path::Path)> = output.iter().map(|&p| ("--output", p)).collect();
    let (corpus, config, trace, mut opened) = match traced(args, false, &outputs) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let lineage = trace.lineage(&corpus.documents);
    let view = LineageView {
        corpus: &corpus,
        config: &config,
        trace: &trace,
        lineage: &lineage,
    };
    if let Err(e) = Output::from(opened.pop()).write(|out| render(&view, out)) {
        return fail(&e);
    }
    let dups = view.dups();
    report_account(&dups, input.run.quiet);
    if !input.run.quiet {
        eprintln!(
            "wiretrace: {} pairs share passages; {} boilerplate templates; lineage: {} documents, {} edges, {} families",
            trace.pairs.len(),
            trace.boilerplate.templates.len(),
            lineage.graph.node_count(),
            lineage.graph.edge_count(),
            lineage.families
        );
    }
    finish(input, &dups)
}

fn run_dups(args: DupsArgs) -> ExitCode {
    let config = args.params.config();
    if let Err(e) = config.resolve_lsh().and_then(|_| prepare(&args.input.run)) {
        return fail(&e);
    }
    if args.engine != EngineArg::Default {
        return run_engine_dups(args, config);
    }
    if args.scheduler.is_some() || args.work_dir.is_some() {
        return fail(&Error::Config(
            "--scheduler and --work-dir are for --engine datafusion or ballista".into(),
        ));
    }
    let bar = progress_bar(args.input.run.quiet);
    let options = StreamOptions {
        spill_dir: args.temp_dir.clone(),
        memory_limit: args.input.run.memory_limit,
        ..StreamOptions::default()
    };
    let inputs = match inputs(&args.input) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    let output = match check_dups_output(&args, &inputs) {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    let read = read_options(&args.input);
    let progress = |p| {
        if let Some(bar) = &bar {
            show_progress(bar, p);
        }
    };
    let run = |sink: &mut dyn PairSink| {
        let source =
            |docs: &mut dyn FnMut(wiretrace::Document)| read_inputs_with(&inputs, &read, docs);
        let streamed = stream_documents(&source, &config, &options, &progress, sink);
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        streamed
    };
    if matches!(args.format, OutputFormat::Jsonl) {
        return run_dups_jsonl(&args, &config, output, run);
    }
    let streamed = run(&mut ());
    let (corpus, report) = match streamed {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let view = DupsView {
        corpus: &corpus,
        config: &config,
        report: &report,
    };
    let code = write_dups(&args, &view, output);
    // The process ends next: the system takes the memory back at once, where dropping a
    // million records one by one took most of a second.
    std::mem::forget(corpus);
    std::mem::forget(report);
    code
}

/// `dups --format jsonl`: the pair lines are written as the run verifies them (a
/// [`JsonlPairs`] sink), the families, skips and stats once it is done.
fn run_dups_jsonl(
    args: &DupsArgs,
    config: &DupsConfig,
    output: Output,
    run: impl FnOnce(&mut dyn PairSink) -> Result<(Corpus, wiretrace::DupsReport), Error>,
) -> ExitCode {
    let lsh = match config.resolve_lsh() {
        Ok(lsh) => lsh,
        Err(e) => return fail(&e),
    };
    let mut outcome = None;
    let written = output.write(|out| {
        let mut sink = JsonlPairs::start(out, config, lsh)?;
        let streamed = run(&mut sink);
        let out = sink.finish();
        match (streamed, out) {
            (Err(e), _) => {
                outcome = Some(Err(e));
                Err(std::io::Error::other("the run failed"))
            }
            (Ok(done), Err(e)) => {
                outcome = Some(Ok(done));
                Err(e)
            }
            (Ok((corpus, report)), Ok(out)) => {
                let view = DupsView {
                    corpus: &corpus,
                    config,
                    report: &report,
                };
                let tail = export::json::write_jsonl_tail(&view, out);
                outcome = Some(Ok((corpus, report)));
                tail
            }
        }
    });
    // The run's own error first: the output's is only its consequence.
    let (corpus, report) = match (outcome, written) {
        (Some(Err(e)), _) | (_, Err(e)) => return fail(&e),
        (Some(Ok(done)), Ok(())) => done,
        (None, Ok(())) => return ExitCode::SUCCESS,
    };
    let view = DupsView {
        corpus: &corpus,
        config,
        report: &report,
    };
    report_account(&view, args.input.run.quiet);
    let code = finish(&args.input, &view);
    std::mem::forget(corpus);
    std::mem::forget(report);
    code
}

/// Checks `dups`' output against its inputs and opens it.
fn check_dups_output(args: &DupsArgs, inputs: &[Input]) -> Result<Output, Error> {
    let outputs: Vec<(&str, &std::path::Path)> = args
        .output
        .iter()
        .map(|p| ("--output", p.as_path()))
        .collect();
    Ok(Output::from(
        export::target::open_outputs(&outputs, inputs)?.pop(),
    ))
}

/// Writes a `dups` report in the chosen format, then the account on stderr.
fn write_dups(args: &DupsArgs, view: &DupsView, output: Output) -> ExitCode {
    let written = output.write(|out| match args.format {
        OutputFormat::Table => export::table::write_table(view, out),
        OutputFormat::Json => export::json::write_json(view, out),
        OutputFormat::Jsonl => export::json::write_jsonl(view, out),
    });
    if let Err(e) = written {
        return fail(&e);
    }
    report_account(view, args.input.run.quiet);
    finish(&args.input, view)
}

#[cfg(not(feature = "distributed"))]
fn run_engine_dups(_args: DupsArgs, _config: DupsConfig) -> ExitCode {
    fail(&Error::Config(
        "--engine datafusion and ballista need a wiretrace built with the `distributed` \
         feature: cargo build --release --features distributed"
            .into(),
    ))
}

#[cfg(feature = "distributed")]
fn run_engine_dups(args: DupsArgs, config: DupsConfig) -> ExitCode {
    use wiretrace::distributed::{Engine, EngineOptions, run_dups};
    let engine = match (args.engine, &args.scheduler) {
        (EngineArg::Ballista, Some(url)) => Engine::Ballista {
            scheduler: url.clone(),
        },
        (EngineArg::Ballista, None) => {
            return fail(&Error::Config(
                "--engine ballista needs --scheduler df://HOST:PORT".into(),
            ));
        }
        (_, Some(_)) => {
            return fail(&Error::Config(
                "--scheduler is for --engine ballista".into(),
            ));
        }
        _ => Engine::DataFusion,
    };
    let inputs = match inputs(&args.input) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    let output = match check_dups_output(&args, &inputs) {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    let options = EngineOptions {
        engine,
        work_dir: args.work_dir.clone(),
        temp_dir: args.temp_dir.clone(),
        // Half the limit is DataFusion's spill pool: it spills there, well before the
        // process as a whole (client, metadata, Arrow buffers outside the pool) reaches
        // the hard limit that `--memory-limit` sets on every allocation.
        memory_limit: args.input.run.memory_limit.map(|limit| limit / 2),
        partitions: args.input.run.threads,
        lineage: true,
    };
    let run = match run_dups(&inputs, &read_options(&args.input), &config, &options) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let view = DupsView {
        corpus: &run.corpus,
        config: &config,
        report: &run.report,
    };
    let status = write_dups(&args, &view, output);
    if !args.input.run.quiet {
        eprintln!(
            "wiretrace: {} candidates ({} star edges, {} repair pairs), {} verified pairs, {} \
             families ({} component rounds); lineage inside families: {} edges, {} families \
             over --max-bucket left out",
            run.report.candidates,
            run.star_candidates,
            run.report.candidates - run.star_candidates,
            run.report.pairs.len(),
            run.report.families.len(),
            run.component_rounds,
            run.lineage.edges,
            run.lineage.skipped_families
        );
        if let Some(dir) = &run.work_dir {
            eprintln!("wiretrace: stage tables in {}", dir.display());
        }
    }
    status
}

fn run_index_build(args: IndexBuildArgs) -> ExitCode {
    let built = (|| {
        let config = args.passage.config(args.params.config())?;
        prepare(&args.input.run)?;
        let inputs = inputs(&args.input)?;
        check_index_outputs(&args.output, args.report.report.as_deref(), &inputs)?;
        let corpus = read_inputs(&inputs, &read_options(&args.input))?;
        check_trace_memory(&args.input, &corpus)?;
        Index::create(&args.output, &config)?;
        let mut index = Index::open(&args.output)?;
        let options = AddOptions {
            pairs_only: true,
            ..AddOptions::default()
        };
        let mut corpus = corpus;
        let documents = std::mem::take(&mut corpus.documents);
        let report = index.add(documents, &options)?;
        Ok::<_, Error>((corpus, index, report))
    })();
    match built {
        Ok((corpus, index, report)) => {
            write_index_report("index build", &args.output, &index, &report, &args.report);
            finish_index(&args.input, &corpus, &report)
        }
        Err(e) => fail(&e),
    }
}

fn run_index_add(args: IndexAddArgs, explicit: &[String]) -> ExitCode {
    let added = (|| {
        let requested = args.passage.config(args.params.config())?;
        prepare(&args.input.run)?;
        let mut index = Index::open(&args.index)?;
        check_fixed(&index, &requested, explicit, &args.index)?;
        let inputs = inputs(&args.input)?;
        check_index_outputs(&args.index, args.report.report.as_deref(), &inputs)?;
        let corpus = read_inputs(&inputs, &read_options(&args.input))?;
        check_trace_memory(&args.input, &corpus)?;
        let options = AddOptions {
            replace: args.replace,
            pairs_only: false,
        };
        let mut corpus = corpus;
        let documents = std::mem::take(&mut corpus.documents);
        let report = index.add(documents, &options)?;
        Ok::<_, Error>((corpus, index, report))
    })();
    match added {
        Ok((corpus, index, report)) => {
            write_index_report("index add", &args.index, &index, &report, &args.report);
            finish_index(&args.input, &corpus, &report)
        }
        Err(e) => fail(&e),
    }
}

/// An index folder must not be an input, nor hold one; the report goes outside the index.
fn check_index_outputs(
    dir: &std::path::Path,
    report: Option<&std::path::Path>,
    inputs: &[Input],
) -> Result<(), Error> {
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

fn write_index_report(
    command: &str,
    dir: &std::path::Path,
    index: &Index,
    report: &wiretrace::index::AddReport,
    args: &IndexReportArgs,
) {
    let written = export::write_output(args.report.as_deref(), |out| match args.format {
        PassagesFormat::Table => export::index::write_add_table(report, out),
        PassagesFormat::Json => export::json::write_value(
            &export::index::add_json(command, &dir.display().to_string(), index.params(), report),
            out,
        ),
    });
    if let Err(e) = written {
        eprintln!("wiretrace: error: {e} (the index itself was updated)");
    }
}

/// Exit status of build and add: the account on stderr, 3 under --strict if anything
/// (unreadable records or ids already indexed) was skipped.
fn finish_index(
    input: &InputArgs,
    corpus: &Corpus,
    report: &wiretrace::index::AddReport,
) -> ExitCode {
    let skipped = corpus.skipped.len() + report.skipped.len();
    if !input.run.quiet {
        for s in corpus.skipped.iter().chain(&report.skipped) {
            eprintln!("wiretrace: skipped {}: {}", s.origin, s.reason);
        }
        eprintln!(
            "wiretrace: {} documents added ({} replaced), {} skipped; {} new near-duplicate \
             pairs; index holds {} documents{}",
            report.added.len(),
            report.replaced.len(),
            skipped,
            report.pairs.len(),
            report.documents_after,
            if report.segment.is_empty() {
                String::new()
            } else {
                format!(" (new segment {})", report.segment)
            }
        );
    }
    if input.run.strict && skipped > 0 {
        return ExitCode::from(EXIT_SKIPPED);
    }
    ExitCode::SUCCESS
}

fn run_index_query(args: IndexQueryArgs) -> ExitCode {
    let found = (|| {
        prepare(&args.run)?;
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
        Ok::<_, Error>((index.query(&article, args.limit)?, wordless))
    })();
    let (matches, wordless) = match found {
        Ok(m) => m,
        Err(e) => return fail(&e),
    };
    let written = export::write_output(None, |out| match args.format {
        PassagesFormat::Table => export::index::write_query_table(&matches, out),
        PassagesFormat::Json => {
            export::json::write_value(&export::index::query_json(&args.article, &matches), out)
        }
    });
    if let Err(e) = written {
        return fail(&e);
    }
    if !args.run.quiet {
        if wordless {
            eprintln!("wiretrace: the article has no words: nothing to look up");
        }
        eprintln!(
            "wiretrace: {} stored documents share text with the article",
            matches.len()
        );
    }
    if args.run.strict && wordless {
        return ExitCode::from(EXIT_SKIPPED);
    }
    ExitCode::SUCCESS
}
