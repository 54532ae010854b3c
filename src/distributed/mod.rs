//! The pipeline on Apache DataFusion (one node, out of core) and on a DataFusion Ballista
//! cluster, behind the `distributed` cargo feature.
//!
//! Past one machine the stages stay the library's own: [`udf`] wraps each of them as a
//! DataFusion scalar function, and [`stages`] strings them into queries — signatures →
//! band keys (`unnest`) → `GROUP BY (band, key)` → star edges → verification after a join
//! back to the shingle sets, with a repair step that keeps families whole → connected
//! components ([`components`], large-star/small-star rounds driven from here) → families →
//! lineage per family. Between stages there are only Parquet tables in a work folder, with
//! the schemas listed in README.md, so any stage can be inspected or rerun, and a
//! cluster's executors share nothing but files and plans.
//!
//! The engine is chosen per run ([`Engine`]): DataFusion in this process, with a memory
//! pool that makes sorts and aggregations spill to disk; or a Ballista scheduler, whose
//! executors must have the functions registered — `wiretrace cluster scheduler` and
//! `wiretrace cluster executor` ([`cluster`]) do that — and must see the work folder at
//! the same path (one machine, or a shared file system).
//!
//! Results match the default engine's ([`crate::dups`]) on the same input: the same
//! documents, skips, families and representatives. The pairs reported are the verified
//! star edges plus the repair pairs (see [`stages`]): each is a pair the default engine
//! reports too, with the same figures, but a family of copies is listed by a spanning
//! set of pairs rather than all of them.

pub mod cluster;
pub mod components;
pub mod ingest;
pub mod stages;
pub mod udf;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::corpus::{Corpus, Input, ReadOptions};
use crate::dups::{DupsConfig, DupsReport, Flow, PairSink};
use crate::error::{Error, Result};
use crate::families::Family;
use crate::index::manifest::IndexParams;
use crate::trace::TraceConfig;
use crate::verify::VerifiedPair;

pub use stages::{LineageSummary, StageResults};

/// Where the stages run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// DataFusion in this process.
    DataFusion,
    /// A Ballista cluster, by its scheduler's address (`df://HOST:PORT`).
    Ballista {
        /// The scheduler, `df://HOST:PORT`.
        scheduler: String,
    },
}

impl Engine {
    fn name(&self) -> &'static str {
        match self {
            Engine::DataFusion => "datafusion",
            Engine::Ballista { .. } => "ballista",
        }
    }
}

/// Options of a run on an engine.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// The engine.
    pub engine: Engine,
    /// Folder for the stage tables, kept after the run; it must be new or empty. `None`:
    /// a temporary folder under `temp_dir`, removed afterwards.
    pub work_dir: Option<PathBuf>,
    /// Where the temporary work folder goes (default: the system temporary folder).
    pub temp_dir: Option<PathBuf>,
    /// Memory the engine may use before it spills (default [`DEFAULT_MEMORY`]).
    pub memory_limit: Option<u64>,
    /// Partitions each stage is split into (default: the number of cores).
    pub partitions: Option<usize>,
    /// Run the lineage stage (per family).
    pub lineage: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            engine: Engine::DataFusion,
            work_dir: None,
            temp_dir: None,
            memory_limit: None,
            partitions: None,
            lineage: true,
        }
    }
}

/// Memory the single-node engine uses before spilling, unless told otherwise.
pub const DEFAULT_MEMORY: u64 = 4 << 30;

/// A failure inside the engine, with the stage it happened in.
#[derive(Debug)]
pub struct EngineError {
    stage: String,
    detail: String,
}

impl EngineError {
    fn new(stage: &str, detail: String) -> Self {
        EngineError {
            stage: stage.to_string(),
            detail,
        }
    }

    fn at<E: std::fmt::Display>(stage: &str) -> impl Fn(E) -> EngineError + '_ {
        move |e| EngineError::new(stage, e.to_string())
    }
}

/// The folder of stage table `name` in `work`, as the engine wants it: a collection path
/// (ending in a separator), so writes make a folder of parts.
pub fn table_path(work: &Path, name: &str) -> String {
    format!("{}/", work.join(name).display())
}

/// What a run on an engine gives: the corpus account, the report in the default engine's
/// shape, and what only this engine reports.
#[derive(Debug)]
pub struct EngineRun {
    /// Documents (metadata only) and the account of skipped records.
    pub corpus: Corpus,
    /// Pairs, families, counts.
    pub report: DupsReport,
    /// Per-family lineage.
    pub lineage: LineageSummary,
    /// Rounds of the connected-components loop.
    pub component_rounds: usize,
    /// Candidates that were bucket star edges (the rest are repair pairs).
    pub star_candidates: usize,
    /// The work folder, when kept.
    pub work_dir: Option<PathBuf>,
}

fn engine_err(engine: &Engine, e: EngineError) -> Error {
    Error::Engine {
        engine: engine.name(),
        stage: e.stage,
        detail: e.detail,
    }
}

/// A work folder: the user's (new or empty), or a temporary one.
enum Work {
    Kept(PathBuf),
    Temporary(tempfile::TempDir),
}

impl Work {
    fn path(&self) -> &Path {
        match self {
            Work::Kept(p) => p,
            Work::Temporary(t) => t.path(),
        }
    }
}

fn work_folder(options: &EngineOptions) -> Result<Work> {
    if let Some(dir) = &options.work_dir {
        let io = |source| Error::Output {
            path: dir.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        if std::fs::read_dir(dir).map_err(io)?.next().is_some() {
            return Err(Error::Config(format!(
                "work folder '{}' is not empty: give a new or empty folder, so that no table \
                 of an earlier run is mixed in",
                dir.display()
            )));
        }
        // Executors on other processes need the absolute path.
        let abs = std::fs::canonicalize(dir).map_err(io)?;
        return Ok(Work::Kept(abs));
    }
    let base = options.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
    let t = tempfile::Builder::new()
        .prefix("wiretrace-work-")
        .tempdir_in(&base)
        .map_err(|source| Error::Output { path: base, source })?;
    Ok(Work::Temporary(t))
}

/// A session for the engine, with wiretrace's functions registered.
async fn session(options: &EngineOptions) -> std::result::Result<SessionContext, EngineError> {
    let partitions = options
        .partitions
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let ctx = match &options.engine {
        Engine::DataFusion => {
            let memory = options.memory_limit.unwrap_or(DEFAULT_MEMORY);
            let runtime = RuntimeEnvBuilder::new()
                .with_memory_pool(Arc::new(FairSpillPool::new(memory as usize)))
                .build_arc()
                .map_err(EngineError::at("session"))?;
            let config = SessionConfig::new().with_target_partitions(partitions);
            SessionContext::new_with_config_rt(config, runtime)
        }
        Engine::Ballista { scheduler } => cluster::remote_session(scheduler, partitions).await?,
    };
    for f in udf::all() {
        ctx.register_udf(f.as_ref().clone());
    }
    Ok(ctx)
}

/// The Tokio runtime that drives an engine, a scheduler or an executor; large stacks, as
/// Ballista's own binaries use, for deeply nested plans.
pub(crate) fn runtime(engine: &'static str) -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 << 20)
        .build()
        .map_err(|e| Error::Engine {
            engine,
            stage: "start".into(),
            detail: e.to_string(),
        })
}

/// Reads the inputs and runs the pipeline on the chosen engine.
///
/// The documents are streamed into the work folder's `documents` table; the client keeps
/// their metadata only. Errors name the engine and the stage.
pub fn run_dups(
    inputs: &[Input],
    read: &ReadOptions,
    config: &DupsConfig,
    options: &EngineOptions,
) -> Result<EngineRun> {
    run_dups_to(inputs, read, config, options, &mut ())
}

/// [`run_dups`] with every verified pair also pushed to `sink` as the client reads the
/// `pairs` table back, in the report's order (by ordinal), so an output can be written
/// while the table is read. A sink that answers [`Flow::Stop`] ends the read: the report
/// holds the pairs read so far, and the families, which the engine made from all of them.
/// A sink's error ends the run with that error.
pub fn run_dups_to(
    inputs: &[Input],
    read: &ReadOptions,
    config: &DupsConfig,
    options: &EngineOptions,
    sink: &mut dyn PairSink,
) -> Result<EngineRun> {
    let lsh = config.resolve_lsh()?;
    let work = work_folder(options)?;
    let mut corpus = ingest::write_documents(inputs, read, &work.path().join("documents"))?;
    if corpus.documents.len() > u32::MAX as usize {
        return Err(Error::Config("more than 2³² documents in one run".into()));
    }
    let params = if options.lineage {
        Some(IndexParams::from_config(&TraceConfig {
            dups: config.clone(),
            ..TraceConfig::default()
        })?)
    } else {
        None
    };
    let mut pairs = Vec::new();
    let mut sink_failure = None;
    let (results, lineage) = if corpus.documents.is_empty() {
        (StageResults::default(), LineageSummary::default())
    } else {
        let docs = &corpus.documents;
        let mut each = |pair: VerifiedPair| {
            pairs.push(pair);
            sink.pair(docs, &pair).unwrap_or_else(|e| {
                sink_failure = Some(e);
                Flow::Stop
            })
        };
        let runtime = runtime(options.engine.name())?;
        runtime
            .block_on(async {
                let ctx = session(options).await?;
                let done = stages::run(&ctx, work.path(), config, lsh, params.as_ref()).await?;
                stages::stream_pairs(&ctx, &mut each).await?;
                Ok(done)
            })
            .map_err(|e| engine_err(&options.engine, e))?
    };
    if let Some(e) = sink_failure {
        return Err(e);
    }
    let report = assemble(&mut corpus, lsh, &results, pairs);
    Ok(EngineRun {
        corpus,
        report,
        lineage,
        component_rounds: results.component_rounds,
        star_candidates: results.star_candidates as usize,
        work_dir: match work {
            Work::Kept(p) => Some(p),
            Work::Temporary(_) => None,
        },
    })
}

/// The stage results in the default engine's report shape.
fn assemble(
    corpus: &mut Corpus,
    lsh: crate::lsh::LshParams,
    r: &StageResults,
    pairs: Vec<VerifiedPair>,
) -> DupsReport {
    let shingle_counts: Vec<usize> = r.shingle_counts.iter().map(|&n| n as usize).collect();
    let skipped = crate::dups::no_token_skips(&corpus.documents, &shingle_counts);
    let mut by_family: std::collections::BTreeMap<u64, Family> = Default::default();
    for &(ordinal, family, representative) in &r.members {
        let f = by_family.entry(family).or_insert(Family {
            representative: family as u32,
            members: Vec::new(),
        });
        f.members.push(ordinal as u32);
        if representative {
            f.representative = ordinal as u32;
        }
    }
    let mut families: Vec<Family> = by_family.into_values().collect();
    for f in &mut families {
        f.members.sort_unstable();
    }
    crate::families::sort_families(&mut families);
    DupsReport {
        lsh,
        documents: shingle_counts.iter().filter(|&&n| n > 0).count(),
        skipped,
        candidates: r.candidates as usize,
        oversized_buckets: r.oversized_buckets as usize,
        largest_bucket: r.largest_bucket as usize,
        collapsed_groups: 0,
        pairs,
        families,
        shingle_counts,
    }
}
