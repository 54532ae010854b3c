//! `wiretrace dups`: near-duplicate pairs and families, streamed over the inputs in this
//! process, or run as stages on DataFusion or a Ballista cluster.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use wiretrace::corpus::{Corpus, Input, read_inputs_with};
use wiretrace::dups::{DupsConfig, PairSink, StreamOptions, stream_documents};
use wiretrace::export::json::JsonlPairs;
use wiretrace::export::{self, DupsView, Output};
use wiretrace::{DupsReport, Error};

use super::Status;
use super::account::{progress_bar, report_account, show_progress};
use super::args::{DupsParams, InputArgs, OutputArg, OutputFormat};

#[derive(Args)]
pub struct DupsArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    params: DupsParams,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,

    #[command(flatten)]
    output: OutputArg,

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

pub fn run(args: DupsArgs) -> Result<Status, Error> {
    let config = args.params.config();
    config.resolve_lsh()?;
    args.input.run.prepare()?;
    if args.engine != EngineArg::Default {
        return run_engine(args, config);
    }
    if args.scheduler.is_some() || args.work_dir.is_some() {
        return Err(Error::Config(
            "--scheduler and --work-dir are for --engine datafusion or ballista".into(),
        ));
    }
    let bar = progress_bar(args.input.run.quiet);
    let options = StreamOptions {
        spill_dir: args.temp_dir.clone(),
        memory_limit: args.input.run.memory_limit,
        ..StreamOptions::default()
    };
    let inputs = args.input.inputs()?;
    let output = open_output(&args, &inputs)?;
    let read = args.input.read_options();
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
        return run_jsonl(&args, &config, output, run);
    }
    let (corpus, report) = run(&mut ())?;
    let view = DupsView {
        corpus: &corpus,
        config: &config,
        report: &report,
    };
    let status = write(&args, &view, output);
    // The process ends next: the system takes the memory back at once, where dropping a
    // million records one by one took most of a second.
    std::mem::forget(corpus);
    std::mem::forget(report);
    status
}

/// `dups --format jsonl`: the pair lines are written as the run verifies them (a
/// [`JsonlPairs`] sink), the families, skips and stats once it is done.
fn run_jsonl(
    args: &DupsArgs,
    config: &DupsConfig,
    output: Output,
    run: impl FnOnce(&mut dyn PairSink) -> Result<(Corpus, DupsReport), Error>,
) -> Result<Status, Error> {
    let lsh = config.resolve_lsh()?;
    let done = output.write_streamed(|out| {
        let mut sink = match JsonlPairs::start(out, config, lsh) {
            Ok(sink) => sink,
            Err(e) => return Ok((None, Err(e))),
        };
        let (corpus, report) = run(&mut sink)?;
        let view = DupsView {
            corpus: &corpus,
            config,
            report: &report,
        };
        let written = sink
            .finish()
            .and_then(|out| export::json::write_jsonl_tail(&view, out));
        Ok((Some((corpus, report)), written))
    })?;
    let Some((corpus, report)) = done else {
        return Ok(Status::Done);
    };
    let view = DupsView {
        corpus: &corpus,
        config,
        report: &report,
    };
    report_account(&view, args.input.run.quiet);
    let status = Status::of(args.input.run.strict, view.skipped_count());
    std::mem::forget(corpus);
    std::mem::forget(report);
    Ok(status)
}

/// Checks `dups`' output against its inputs and opens it.
fn open_output(args: &DupsArgs, inputs: &[Input]) -> Result<Output, Error> {
    Ok(Output::from(
        export::target::open_outputs(&args.output.named(), inputs)?.pop(),
    ))
}

/// Writes a `dups` report in the chosen format, then the account on stderr.
fn write(args: &DupsArgs, view: &DupsView, output: Output) -> Result<Status, Error> {
    output.write(|out| match args.format {
        OutputFormat::Table => export::table::write_table(view, out),
        OutputFormat::Json => export::json::write_json(view, out),
        OutputFormat::Jsonl => export::json::write_jsonl(view, out),
    })?;
    report_account(view, args.input.run.quiet);
    Ok(Status::of(args.input.run.strict, view.skipped_count()))
}

#[cfg(not(feature = "distributed"))]
fn run_engine(_args: DupsArgs, _config: DupsConfig) -> Result<Status, Error> {
    Err(Error::Config(
        "--engine datafusion and ballista need a wiretrace built with the `distributed` \
         feature: cargo build --release --features distributed"
            .into(),
    ))
}

#[cfg(feature = "distributed")]
fn run_engine(args: DupsArgs, config: DupsConfig) -> Result<Status, Error> {
    use wiretrace::distributed::{Engine, EngineOptions, run_dups_to};
    let engine = match (args.engine, &args.scheduler) {
        (EngineArg::Ballista, Some(url)) => Engine::Ballista {
            scheduler: url.clone(),
        },
        (EngineArg::Ballista, None) => {
            return Err(Error::Config(
                "--engine ballista needs --scheduler df://HOST:PORT".into(),
            ));
        }
        (_, Some(_)) => {
            return Err(Error::Config("--scheduler is for --engine ballista".into()));
        }
        _ => Engine::DataFusion,
    };
    let inputs = args.input.inputs()?;
    let output = open_output(&args, &inputs)?;
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
    let read = args.input.read_options();
    let mut summary = None;
    let mut run = |sink: &mut dyn PairSink| {
        let run = run_dups_to(&inputs, &read, &config, &options, sink)?;
        summary = Some(engine_summary(&run));
        Ok((run.corpus, run.report))
    };
    let status = if matches!(args.format, OutputFormat::Jsonl) {
        run_jsonl(&args, &config, output, run)?
    } else {
        let (corpus, report) = run(&mut ())?;
        let view = DupsView {
            corpus: &corpus,
            config: &config,
            report: &report,
        };
        write(&args, &view, output)?
    };
    if let Some(summary) = summary.filter(|_| !args.input.run.quiet) {
        eprint!("{summary}");
    }
    Ok(status)
}

/// What only an engine run reports, for stderr.
#[cfg(feature = "distributed")]
fn engine_summary(run: &wiretrace::distributed::EngineRun) -> String {
    let mut summary = format!(
        "wiretrace: {} candidates ({} star edges, {} repair pairs), {} verified pairs, {} \
         families ({} component rounds); lineage inside families: {} edges, {} families \
         over --max-bucket left out\n",
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
        summary += &format!("wiretrace: stage tables in {}\n", dir.display());
    }
    summary
}
