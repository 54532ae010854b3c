//! The stages as queries: documents → signatures → band keys → buckets → candidates →
//! pairs → components → families → lineage.
//!
//! Every stage reads the tables before it and writes its own table as Parquet into the work
//! folder, so a stage can be rerun, inspected or fed to other tools, and a cluster's
//! executors exchange nothing but files and the plan. The schemas are listed in
//! README.md ("Stage tables") and are version 3, written in each file's Parquet metadata
//! (version 1 had no `lineage.directed`; version 2's signatures were k-permutation MinHash).
//!
//! Candidate generation is the `GROUP BY (band, key)` of the LSH literature, with one
//! change for scale: a bucket does not emit all its pairs (`m²/2`) but a **star** from its
//! smallest ordinal to every other member (`m − 1` edges). Stars keep every bucket
//! connected and candidate generation linear whatever the bucket sizes; buckets of more
//! than `max_bucket` documents are listed in the `oversized_buckets` table. Verification
//! adds the pairs a failed star edge could hide (`verify_with_repair`), so families come
//! out as with all pairs.

use std::cell::{Cell, RefCell};
use std::path::Path;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Float64Type, UInt64Type};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use futures::StreamExt;

use super::components;
use super::{EngineError, table_path};
use crate::dups::{DupsConfig, Flow};
use crate::index::manifest::IndexParams;
use crate::lsh::LshParams;
use crate::verify::{Similarity, VerifiedPair};

pub(super) type Result<T> = std::result::Result<T, EngineError>;

/// Rows per Parquet row group of a stage table: small enough that a scan of one file
/// still splits into many partitions.
const ROW_GROUP_ROWS: usize = 65_536;

/// How often a stage query is tried before the run fails, kept in the session's config:
/// more than once on a cluster, where a lost executor can fail a query that succeeds when
/// rerun (every stage is a pure function of the tables before it).
#[derive(Debug, Clone, Copy)]
pub struct Attempts(pub u32);

/// Seconds waited before the n-th retry: the scheduler must notice the lost executor first.
const RETRY_WAIT_SECONDS: [u64; 5] = [2, 4, 8, 16, 32];

fn attempts(ctx: &SessionContext) -> u32 {
    ctx.state()
        .config()
        .get_extension::<Attempts>()
        .map_or(1, |a| a.0.max(1))
}

/// Version of the stage tables' layout, stored in every table's Parquet key-value metadata
/// under [`STAGE_VERSION_KEY`].
pub const STAGE_VERSION: &str = "3";
/// Parquet metadata key of [`STAGE_VERSION`].
pub const STAGE_VERSION_KEY: &str = "wiretrace.stage_tables";
/// Parquet metadata key of the signature scheme ([`crate::minhash::SCHEME`]) the
/// `signature` column was computed with.
pub const SIGNATURE_SCHEME_KEY: &str = "wiretrace.signature_scheme";

/// A Parquet writer as every stage table (and the `documents` table) is written: zstd,
/// row groups of [`ROW_GROUP_ROWS`], and the layout version and signature scheme in the
/// file's key-value metadata, so a table read outside this run says what it holds.
pub(super) fn parquet_writer(
    file: std::fs::File,
    schema: datafusion::arrow::datatypes::SchemaRef,
) -> std::result::Result<ArrowWriter<std::fs::File>, datafusion::parquet::errors::ParquetError> {
    use datafusion::parquet::file::metadata::KeyValue;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_key_value_metadata(Some(vec![
            KeyValue::new(STAGE_VERSION_KEY.into(), STAGE_VERSION.to_string()),
            KeyValue::new(
                SIGNATURE_SCHEME_KEY.into(),
                crate::minhash::SCHEME.to_string(),
            ),
        ]))
        .build();
    ArrowWriter::try_new(file, schema, Some(props))
}

/// Runs `job` up to the session's [`Attempts`], waiting between tries.
async fn with_retries<T, F, Fut>(ctx: &SessionContext, mut job: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let attempts = attempts(ctx);
    let mut tried = 0;
    loop {
        tried += 1;
        match job().await {
            Ok(v) => return Ok(v),
            Err(e) if tried >= attempts => {
                return Err(if tried > 1 {
                    EngineError::new(&e.stage, format!("{} (after {tried} attempts)", e.detail))
                } else {
                    e
                });
            }
            Err(_) => {
                let wait =
                    RETRY_WAIT_SECONDS[(tried as usize - 1).min(RETRY_WAIT_SECONDS.len() - 1)];
                tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
            }
        }
    }
}

/// Runs `sql` and writes its result as the Parquet table `name` in `work`, then registers
/// it under that name.
///
/// The client writes the file from the result stream, to a temporary name renamed when
/// complete. Executors could write their partitions themselves, but a task rerun after an
/// executor is lost may leave the lost attempt's partial file beside the new one; with one
/// writer, a table is either whole or absent, and a failed attempt is simply rerun.
pub(super) async fn materialize(
    ctx: &SessionContext,
    work: &Path,
    name: &str,
    sql: &str,
) -> Result<()> {
    with_retries(ctx, || write_table(ctx, work, name, sql)).await?;
    register(ctx, work, name).await
}

async fn write_table(ctx: &SessionContext, work: &Path, name: &str, sql: &str) -> Result<()> {
    let dir = work.join(name);
    std::fs::create_dir_all(&dir).map_err(EngineError::at(name))?;
    let mut stream = ctx
        .sql(sql)
        .await
        .map_err(EngineError::at(name))?
        .execute_stream()
        .await
        .map_err(EngineError::at(name))?;
    let partial = dir.join(".part-00000.parquet.partial");
    let file = std::fs::File::create(&partial).map_err(EngineError::at(name))?;
    let mut writer = parquet_writer(file, stream.schema()).map_err(EngineError::at(name))?;
    while let Some(batch) = stream.next().await {
        writer
            .write(&batch.map_err(EngineError::at(name))?)
            .map_err(EngineError::at(name))?;
    }
    writer.close().map_err(EngineError::at(name))?;
    std::fs::rename(&partial, dir.join("part-00000.parquet")).map_err(EngineError::at(name))
}

/// Registers the Parquet table `name` of `work` under that name.
pub(super) async fn register(ctx: &SessionContext, work: &Path, name: &str) -> Result<()> {
    let _ = ctx.deregister_table(name);
    ctx.register_parquet(name, &table_path(work, name), ParquetReadOptions::default())
        .await
        .map_err(EngineError::at(name))
}

/// Runs `sql` and collects its batches.
pub(super) async fn collect(
    ctx: &SessionContext,
    what: &str,
    sql: &str,
) -> Result<Vec<RecordBatch>> {
    with_retries(ctx, || async {
        ctx.sql(sql)
            .await
            .map_err(EngineError::at(what))?
            .collect()
            .await
            .map_err(EngineError::at(what))
    })
    .await
}

/// One `u64` from a one-row, one-column query (0 for no row or a null).
pub(super) async fn scalar_u64(ctx: &SessionContext, what: &str, sql: &str) -> Result<u64> {
    let batches = collect(ctx, what, sql).await?;
    for b in &batches {
        if b.num_rows() > 0 {
            let col = datafusion::arrow::compute::cast(
                b.column(0),
                &datafusion::arrow::datatypes::DataType::UInt64,
            )
            .map_err(|e| EngineError::new(what, e.to_string()))?;
            let col = col.as_primitive::<UInt64Type>();
            return Ok(if col.is_null(0) { 0 } else { col.value(0) });
        }
    }
    Ok(0)
}

/// What the whole-document stages found, as plain rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageResults {
    /// `(ordinal, shingle count)` of every document, by ordinal.
    pub shingle_counts: Vec<u64>,
    /// Candidate pairs verified: star edges plus repair candidates.
    pub candidates: u64,
    /// Of these, distinct star edges proposed by the buckets.
    pub star_candidates: u64,
    /// Buckets with more than `max_bucket` documents.
    pub oversized_buckets: u64,
    /// The largest bucket, in documents (1 when no two documents share a bucket).
    pub largest_bucket: u64,
    /// `(ordinal, family, representative)` of every document in a family.
    pub members: Vec<(u64, u64, bool)>,
    /// Rounds of large-star/small-star until the components stopped changing.
    pub component_rounds: usize,
}

fn u64s(b: &RecordBatch, i: usize) -> Vec<u64> {
    b.column(i).as_primitive::<UInt64Type>().values().to_vec()
}

fn f64s(b: &RecordBatch, i: usize) -> Vec<f64> {
    b.column(i).as_primitive::<Float64Type>().values().to_vec()
}

/// The verified pairs of one batch of the `pairs` table read by [`PAIRS_IN_ORDER`].
fn pair_rows(b: &RecordBatch) -> Vec<VerifiedPair> {
    let (a, bb, est, i, u, j, c) = (
        u64s(b, 0),
        u64s(b, 1),
        f64s(b, 2),
        u64s(b, 3),
        u64s(b, 4),
        f64s(b, 5),
        f64s(b, 6),
    );
    (0..a.len())
        .map(|r| VerifiedPair {
            // Ordinals of one run: fewer than 2³² (checked when the documents are read).
            a: a[r] as u32,
            b: bb[r] as u32,
            estimated: est[r],
            similarity: Similarity {
                intersection: i[r] as usize,
                union: u[r] as usize,
                jaccard: j[r],
                containment: c[r],
            },
        })
        .collect()
}

/// The `pairs` table in the report's order.
const PAIRS_IN_ORDER: &str = "SELECT a, b, estimated, intersection, \"union\", jaccard, \
                              containment FROM pairs ORDER BY a, b";

/// The verified pairs read back: each goes to `each` in `(a, b)` order as the query yields
/// its batches, so a caller can write them out before the last is read, and `each`
/// answering [`Flow::Stop`] ends the read. A read that fails (a lost executor) is retried
/// from the pair it had reached, so `each` sees every pair once, in order.
pub(super) async fn stream_pairs(
    ctx: &SessionContext,
    each: &mut dyn FnMut(VerifiedPair) -> Flow,
) -> Result<()> {
    let delivered = Cell::new(0usize);
    let each = RefCell::new(each);
    with_retries(ctx, || async {
        let mut stream = ctx
            .sql(PAIRS_IN_ORDER)
            .await
            .map_err(EngineError::at("pairs"))?
            .execute_stream()
            .await
            .map_err(EngineError::at("pairs"))?;
        let mut read = 0usize;
        while let Some(batch) = stream.next().await {
            let rows = pair_rows(&batch.map_err(EngineError::at("pairs"))?);
            // On a retry, the rows an earlier attempt handed on are passed over.
            let seen = delivered.get().saturating_sub(read).min(rows.len());
            read += rows.len();
            for pair in rows.into_iter().skip(seen) {
                delivered.set(delivered.get() + 1);
                if (each.borrow_mut())(pair) == Flow::Stop {
                    return Ok(());
                }
            }
        }
        Ok(())
    })
    .await
}

/// Stage 1: `signatures(ordinal, shingle_count, shingles, signature)` for every document.
async fn signatures(ctx: &SessionContext, work: &Path, config: &DupsConfig) -> Result<()> {
    let sql = format!(
        "SELECT ordinal, CAST(cardinality(shingles) AS BIGINT UNSIGNED) AS shingle_count, \
                shingles, wt_minhash(shingles, '{}', '{}') AS signature \
         FROM (SELECT ordinal, wt_shingles(text, '{}') AS shingles FROM documents)",
        config.num_perm, config.seed, config.scheme
    );
    materialize(ctx, work, "signatures", &sql).await
}

/// Stage 2: `band_keys(ordinal, band, key)`, one row per band of every document with at
/// least one shingle (a document without any takes no part, as in the default engine).
async fn band_keys(ctx: &SessionContext, work: &Path, lsh: LshParams) -> Result<()> {
    let sql = format!(
        "SELECT ordinal, bk['band'] AS band, bk['key'] AS key FROM \
           (SELECT ordinal, unnest(wt_band_keys(signature, '{}', '{}', '{}')) AS bk \
            FROM signatures WHERE shingle_count > 0)",
        lsh.bands, lsh.rows, lsh.long_bands
    );
    materialize(ctx, work, "band_keys", &sql).await
}

/// Stage 3: `buckets(band, key, root, size)` for buckets of two or more documents, and
/// `candidates(a, b)`: the star edges from each bucket's root (its smallest ordinal).
async fn candidates(ctx: &SessionContext, work: &Path, max_bucket: usize) -> Result<()> {
    materialize(
        ctx,
        work,
        "buckets",
        "SELECT band, key, MIN(ordinal) AS root, COUNT(*) AS size \
         FROM band_keys GROUP BY band, key HAVING COUNT(*) > 1",
    )
    .await?;
    materialize(
        ctx,
        work,
        "oversized_buckets",
        &format!("SELECT band, key, root, size FROM buckets WHERE size > {max_bucket}"),
    )
    .await?;
    materialize(
        ctx,
        work,
        "candidates",
        "SELECT DISTINCT b.root AS a, k.ordinal AS b \
         FROM band_keys k JOIN buckets b ON k.band = b.band AND k.key = b.key \
         WHERE k.ordinal <> b.root",
    )
    .await
}

/// Verifies the pairs of table `input` after joining back to both documents' shingle
/// sets; writes those whose exact Jaccard passes the threshold to `output(a, b,
/// estimated, intersection, union, jaccard, containment)`.
async fn verify(
    ctx: &SessionContext,
    work: &Path,
    input: &str,
    output: &str,
    threshold: f64,
) -> Result<()> {
    // `{threshold}` prints the shortest decimal that parses back to the same f64, so the
    // comparison is the default engine's `jaccard >= threshold` exactly.
    let sql = format!(
        "SELECT a, b, estimated, sim['intersection'] AS intersection, sim['union'] AS \"union\", \
                sim['jaccard'] AS jaccard, sim['containment'] AS containment \
         FROM (SELECT c.a, c.b, wt_estimate(x.signature, y.signature) AS estimated, \
                      wt_similarity(x.shingles, y.shingles) AS sim \
               FROM {input} c \
               JOIN signatures x ON c.a = x.ordinal \
               JOIN signatures y ON c.b = y.ordinal) \
         WHERE sim['jaccard'] >= {threshold}"
    );
    materialize(ctx, work, output, &sql).await
}

/// Stage 4: `pairs`, the verified candidates.
///
/// Star edges alone can split a family: in a bucket {r, x, y} whose root r matches
/// neither x nor y, the pair (x, y) is never tried. So for every member whose star edge
/// fails verification, its pairs with the bucket's other members are tried too
/// (`repair_candidates`, for buckets of at most `max_bucket` documents; larger ones stay
/// stars, as in the default engine). Then every verified pair that shares a bucket is
/// connected — through the root when both star edges hold, directly otherwise — and the
/// families equal those of all pairs, while buckets of true copies (the common case) cost
/// only their stars. Returns the number of repair candidates.
async fn verify_with_repair(
    ctx: &SessionContext,
    work: &Path,
    threshold: f64,
    max_bucket: usize,
) -> Result<u64> {
    verify(ctx, work, "candidates", "star_pairs", threshold).await?;
    materialize(
        ctx,
        work,
        "repair_candidates",
        &format!(
            "SELECT DISTINCT LEAST(k1.ordinal, k2.ordinal) AS a, GREATEST(k1.ordinal, k2.ordinal) AS b \
             FROM (SELECT a, b FROM candidates EXCEPT SELECT a, b FROM star_pairs) f \
             JOIN buckets u ON u.root = f.a AND u.size <= {max_bucket} \
             JOIN band_keys k1 ON k1.band = u.band AND k1.key = u.key AND k1.ordinal = f.b \
             JOIN band_keys k2 ON k2.band = u.band AND k2.key = u.key \
             WHERE k2.ordinal <> u.root AND k2.ordinal <> f.b \
             EXCEPT SELECT a, b FROM candidates"
        ),
    )
    .await?;
    verify(ctx, work, "repair_candidates", "repair_pairs", threshold).await?;
    materialize(
        ctx,
        work,
        "pairs",
        "SELECT * FROM star_pairs UNION ALL SELECT * FROM repair_pairs",
    )
    .await?;
    scalar_u64(ctx, "pairs", "SELECT COUNT(*) FROM repair_candidates").await
}

/// Stage 6: `families(ordinal, family, size, representative)`: every document in a
/// component, the component's smallest ordinal as the family id, and the representative
/// chosen as the default engine does — earliest dated (undated last), then most shingles,
/// then first in input order.
async fn families(ctx: &SessionContext, work: &Path) -> Result<()> {
    materialize(
        ctx,
        work,
        "families",
        "SELECT c.ordinal, c.family, COUNT(*) OVER (PARTITION BY c.family) AS size, \
                ROW_NUMBER() OVER (PARTITION BY c.family \
                    ORDER BY d.timestamp ASC NULLS LAST, s.shingle_count DESC, c.ordinal ASC) = 1 \
                  AS representative \
         FROM components c \
         JOIN documents d ON c.ordinal = d.ordinal \
         JOIN signatures s ON c.ordinal = s.ordinal",
    )
    .await
}

/// Stage 7: `lineage(family, parent, child, kind, similarity, containment,
/// parent_coverage, time_lag_seconds, reason, method, directed, spans)`: the passage-level lineage
/// inside each family of at most `max_family` documents, one call of `wt_family_lineage`
/// per family. Returns the number of larger families left out.
async fn lineage(
    ctx: &SessionContext,
    work: &Path,
    params: &IndexParams,
    max_family: usize,
) -> Result<u64> {
    let json =
        serde_json::to_string(params).map_err(|e| EngineError::new("lineage", e.to_string()))?;
    let sql = format!(
        "SELECT family, e['parent'] AS parent, e['child'] AS child, e['kind'] AS kind, \
                e['similarity'] AS similarity, e['containment'] AS containment, \
                e['parent_coverage'] AS parent_coverage, e['time_lag_seconds'] AS time_lag_seconds, \
                e['reason'] AS reason, e['method'] AS method, e['directed'] AS directed, \
                e['spans'] AS spans \
         FROM (SELECT family, unnest(edges) AS e FROM \
                (SELECT f.family, wt_family_lineage( \
                    array_agg(d.ordinal ORDER BY d.ordinal), array_agg(d.id ORDER BY d.ordinal), \
                    array_agg(d.text ORDER BY d.ordinal), array_agg(d.date ORDER BY d.ordinal), \
                    array_agg(d.source ORDER BY d.ordinal), '{}') AS edges \
                 FROM families f JOIN documents d ON f.ordinal = d.ordinal \
                 WHERE f.size <= {max_family} \
                 GROUP BY f.family))",
        json.replace('\'', "''")
    );
    materialize(ctx, work, "lineage", &sql).await?;
    scalar_u64(
        ctx,
        "lineage",
        &format!("SELECT COUNT(DISTINCT family) FROM families WHERE size > {max_family}"),
    )
    .await
}

/// What the run produced besides the whole-document results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineageSummary {
    /// Lineage edges written.
    pub edges: u64,
    /// Families too large for per-family lineage (more than `max_bucket` documents).
    pub skipped_families: u64,
}

/// Runs every stage over the `documents` table of `work` (already written). The pairs stay
/// in their table, read back by [`stream_pairs`].
pub(super) async fn run(
    ctx: &SessionContext,
    work: &Path,
    config: &DupsConfig,
    lsh: LshParams,
    params: Option<&IndexParams>,
) -> Result<(StageResults, LineageSummary)> {
    register(ctx, work, "documents").await?;
    signatures(ctx, work, config).await?;
    band_keys(ctx, work, lsh).await?;
    candidates(ctx, work, config.max_bucket).await?;
    let repair = verify_with_repair(ctx, work, config.threshold, config.max_bucket).await?;
    let rounds = components::run(ctx, work).await?;
    families(ctx, work).await?;
    let mut summary = LineageSummary::default();
    if let Some(params) = params {
        summary.skipped_families = lineage(ctx, work, params, config.max_bucket).await?;
        summary.edges = scalar_u64(ctx, "lineage", "SELECT COUNT(*) FROM lineage").await?;
    }
    let mut out = StageResults {
        component_rounds: rounds,
        ..StageResults::default()
    };
    for b in collect(
        ctx,
        "signatures",
        "SELECT ordinal, shingle_count FROM signatures ORDER BY ordinal",
    )
    .await?
    {
        out.shingle_counts.extend(u64s(&b, 1));
    }
    out.star_candidates = scalar_u64(ctx, "candidates", "SELECT COUNT(*) FROM candidates").await?;
    out.candidates = out.star_candidates + repair;
    out.oversized_buckets =
        scalar_u64(ctx, "buckets", "SELECT COUNT(*) FROM oversized_buckets").await?;
    out.largest_bucket = scalar_u64(ctx, "buckets", "SELECT MAX(size) FROM buckets")
        .await?
        .max(u64::from(out.shingle_counts.iter().any(|&n| n > 0)));
    for b in collect(
        ctx,
        "families",
        "SELECT ordinal, family, representative FROM families ORDER BY ordinal",
    )
    .await?
    {
        let (o, f) = (u64s(&b, 0), u64s(&b, 1));
        let rep = b.column(2).as_boolean();
        for r in 0..o.len() {
            out.members.push((o[r], f[r], rep.value(r)));
        }
    }
    Ok((out, summary))
}
