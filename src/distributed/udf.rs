//! The stages as DataFusion scalar functions (UDFs).
//!
//! Each function wraps one library stage and takes its parameters as literal arguments —
//! `wt_shingles(text, 'words:5')`, `wt_minhash(shingles, '128', '42')` — so a plan carries
//! everything a worker needs: a Ballista executor rebuilds the function from its name and
//! the plan's literals, with no state shared with the client. All hashes are the library's
//! (XXH3, SplitMix64 signature hashing), so a row gets the same shingles, signature and band keys
//! on any worker, in any partition, as in the default engine.
//!
//! | function | arguments | returns |
//! |---|---|---|
//! | `wt_shingles` | text, scheme (`'words:5'`, `'chars:5'`) | `List<UInt64>`: the sorted shingle set |
//! | `wt_minhash` | shingles, num_perm, seed | `List<UInt32>`: the MinHash signature |
//! | `wt_band_keys` | signature, bands, rows, long_bands | `List<Struct<band: UInt32, key: UInt64>>` |
//! | `wt_similarity` | shingles a, shingles b | `Struct<intersection, union: UInt64, jaccard, containment: Float64>` |
//! | `wt_estimate` | signature a, signature b | `Float64`: the MinHash estimate of Jaccard |
//! | `wt_family_lineage` | ordinals, ids, texts, dates, sources (lists, one family), params JSON | `List<Struct<…>>`: lineage edges, see [`lineage_edge_fields`] |
//!
//! Integer parameters may be given as integers or as strings (a seed above 2⁶³ does not fit
//! SQL's BIGINT). Cost: that of the wrapped stage, per row.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBufferBuilder, Float64Array, Int64Builder,
    ListArray, StringBuilder, StructArray, UInt32Array, UInt64Array,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::datatypes::{DataType, Field, Fields, UInt32Type, UInt64Type};
use datafusion::common::{DataFusionError, Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use rayon::prelude::*;

use crate::corpus::Document;
use crate::export::json::SpanRecord;
use crate::index::manifest::IndexParams;
use crate::lsh::{LshParams, band_keys};
use crate::minhash::{MinHasher, estimate_jaccard};
use crate::shingle::{ShingleScheme, shingle_set};
use crate::verify::exact_similarity;

/// All of wiretrace's functions, to register in a session, a scheduler or an executor.
pub fn all() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(Shingles::new())),
        Arc::new(ScalarUDF::from(MinHash::new())),
        Arc::new(ScalarUDF::from(BandKeys::new())),
        Arc::new(ScalarUDF::from(Similarity::new())),
        Arc::new(ScalarUDF::from(Estimate::new())),
        Arc::new(ScalarUDF::from(FamilyLineage::new())),
    ]
}

fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(item, true)))
}

fn band_key_fields() -> Fields {
    Fields::from(vec![
        Field::new("band", DataType::UInt32, false),
        Field::new("key", DataType::UInt64, false),
    ])
}

fn similarity_fields() -> Fields {
    Fields::from(vec![
        Field::new("intersection", DataType::UInt64, false),
        Field::new("union", DataType::UInt64, false),
        Field::new("jaccard", DataType::Float64, false),
        Field::new("containment", DataType::Float64, false),
    ])
}

/// Fields of one edge returned by `wt_family_lineage`: `parent`, `child` (ordinals), `kind`,
/// `similarity`, `containment`, `parent_coverage`, `time_lag_seconds`, `reason`, `method`,
/// `directed` (false: the direction is undetermined) and `spans` (a JSON array of
/// [`SpanRecord`]s, `a` the parent and `b` the child: character offsets).
pub fn lineage_edge_fields() -> Fields {
    Fields::from(vec![
        Field::new("parent", DataType::UInt64, false),
        Field::new("child", DataType::UInt64, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("similarity", DataType::Float64, false),
        Field::new("containment", DataType::Float64, false),
        Field::new("parent_coverage", DataType::Float64, false),
        Field::new("time_lag_seconds", DataType::Int64, true),
        Field::new("reason", DataType::Utf8, false),
        Field::new("method", DataType::Utf8, false),
        Field::new("directed", DataType::Boolean, false),
        Field::new("spans", DataType::Utf8, false),
    ])
}

/// A literal parameter: the first value of a scalar (or constant array) argument.
fn param(args: &[ColumnarValue], i: usize, function: &str) -> Result<ScalarValue> {
    match args.get(i) {
        Some(ColumnarValue::Scalar(s)) => Ok(s.clone()),
        Some(ColumnarValue::Array(a)) if !a.is_empty() => ScalarValue::try_from_array(a, 0),
        _ => exec_err!("{function}: missing argument {}", i + 1),
    }
}

fn param_u64(args: &[ColumnarValue], i: usize, function: &str) -> Result<u64> {
    let v = param(args, i, function)?;
    let parsed = match &v {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => s.trim().parse::<u64>().ok(),
        other => other.cast_to(&DataType::UInt64).ok().and_then(|u| match u {
            ScalarValue::UInt64(Some(n)) => Some(n),
            _ => None,
        }),
    };
    parsed.ok_or_else(|| {
        DataFusionError::Execution(format!(
            "{function}: argument {} must be a whole number ≥ 0, got {v}",
            i + 1
        ))
    })
}

fn param_str(args: &[ColumnarValue], i: usize, function: &str) -> Result<String> {
    match param(args, i, function)? {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Ok(s),
        other => exec_err!(
            "{function}: argument {} must be a string, got {other}",
            i + 1
        ),
    }
}

/// The values of a string array of any of Arrow's three string layouts.
fn strings(array: &dyn Array) -> Result<Vec<Option<&str>>> {
    Ok(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().collect(),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
        DataType::Utf8View => array.as_string_view().iter().collect(),
        DataType::Null => vec![None; array.len()],
        other => return exec_err!("expected a string column, got {other}"),
    })
}

/// Rows of a `List<T>` column as slices of its values (an empty slice for a null row).
fn list_rows<'a, T: datafusion::arrow::datatypes::ArrowPrimitiveType>(
    array: &'a ArrayRef,
    what: &str,
) -> Result<Vec<&'a [T::Native]>> {
    let Some(list) = array.as_list_opt::<i32>() else {
        return exec_err!("{what}: expected a list column, got {}", array.data_type());
    };
    let Some(values) = list.values().as_primitive_opt::<T>() else {
        return exec_err!(
            "{what}: unexpected list item type {}",
            list.values().data_type()
        );
    };
    let values = values.values();
    let offsets = list.value_offsets();
    Ok((0..list.len())
        .map(|i| {
            if list.is_null(i) {
                &[][..]
            } else {
                &values[offsets[i] as usize..offsets[i + 1] as usize]
            }
        })
        .collect())
}

/// A `List<item>` array from per-row value vectors.
fn list_array<T, A: Array + 'static>(
    rows: Vec<Vec<T>>,
    item: DataType,
    make: impl FnOnce(Vec<T>) -> A,
) -> ArrayRef {
    let offsets = OffsetBuffer::from_lengths(rows.iter().map(Vec::len));
    let flat: Vec<T> = rows.into_iter().flatten().collect();
    Arc::new(ListArray::new(
        Arc::new(Field::new_list_field(item, true)),
        offsets,
        Arc::new(make(flat)),
        None,
    ))
}

fn arrays(args: &ScalarFunctionArgs, n: usize) -> Result<Vec<ArrayRef>> {
    ColumnarValue::values_to_arrays(&args.args[..n])
}

macro_rules! udf_boilerplate {
    ($name:literal, $ret:expr) => {
        fn name(&self) -> &str {
            $name
        }
        fn signature(&self) -> &Signature {
            &self.signature
        }
        fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
            Ok($ret)
        }
    };
}

/// `wt_shingles(text, scheme)`: the sorted, repeat-free shingle set of each text.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Shingles {
    signature: Signature,
}

impl Shingles {
    fn new() -> Self {
        Shingles {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Shingles {
    udf_boilerplate!("wt_shingles", list_of(DataType::UInt64));

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scheme: ShingleScheme = param_str(&args.args, 1, "wt_shingles")?
            .parse()
            .map_err(|e: String| DataFusionError::Execution(format!("wt_shingles: {e}")))?;
        let texts = arrays(&args, 1)?;
        let texts = strings(texts[0].as_ref())?;
        let sets: Vec<Vec<u64>> = texts
            .par_iter()
            .map(|t| t.map_or_else(Vec::new, |t| shingle_set(t, scheme).into_vec()))
            .collect();
        Ok(ColumnarValue::Array(list_array(
            sets,
            DataType::UInt64,
            UInt64Array::from,
        )))
    }
}

/// `wt_minhash(shingles, num_perm, seed)`: the MinHash signature of each shingle set.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MinHash {
    signature: Signature,
}

impl MinHash {
    fn new() -> Self {
        MinHash {
            signature: Signature::any(3, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for MinHash {
    udf_boilerplate!("wt_minhash", list_of(DataType::UInt32));

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let num_perm = param_u64(&args.args, 1, "wt_minhash")? as usize;
        let seed = param_u64(&args.args, 2, "wt_minhash")?;
        if !(1..=4096).contains(&num_perm) {
            return exec_err!("wt_minhash: num_perm {num_perm} must be between 1 and 4096");
        }
        let hasher = MinHasher::new(num_perm, seed);
        let sets = arrays(&args, 1)?;
        let rows = list_rows::<UInt64Type>(&sets[0], "wt_minhash")?;
        let sigs: Vec<Vec<u32>> = rows.par_iter().map(|s| hasher.signature(s)).collect();
        Ok(ColumnarValue::Array(list_array(
            sigs,
            DataType::UInt32,
            UInt32Array::from,
        )))
    }
}

/// `wt_band_keys(signature, bands, rows, long_bands)`: one `{band, key}` per band (see
/// [`band_keys`]).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BandKeys {
    signature: Signature,
}

impl BandKeys {
    fn new() -> Self {
        BandKeys {
            signature: Signature::any(4, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for BandKeys {
    udf_boilerplate!("wt_band_keys", list_of(DataType::Struct(band_key_fields())));

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let params = LshParams {
            bands: param_u64(&args.args, 1, "wt_band_keys")? as usize,
            rows: param_u64(&args.args, 2, "wt_band_keys")? as usize,
            long_bands: param_u64(&args.args, 3, "wt_band_keys")? as usize,
        };
        if params.bands == 0 || params.rows == 0 || params.long_bands > params.bands {
            return exec_err!(
                "wt_band_keys: bands and rows must be at least 1, long bands at most bands"
            );
        }
        let sigs = arrays(&args, 1)?;
        let rows = list_rows::<UInt32Type>(&sigs[0], "wt_band_keys")?;
        let keys: Vec<Vec<u64>> = rows.par_iter().map(|s| band_keys(s, params)).collect();
        let offsets = OffsetBuffer::from_lengths(keys.iter().map(Vec::len));
        let bands: Vec<u32> = keys.iter().flat_map(|k| 0..k.len() as u32).collect();
        let flat: Vec<u64> = keys.into_iter().flatten().collect();
        let items = StructArray::try_new(
            band_key_fields(),
            vec![
                Arc::new(UInt32Array::from(bands)) as ArrayRef,
                Arc::new(UInt64Array::from(flat)),
            ],
            None,
        )?;
        Ok(ColumnarValue::Array(Arc::new(ListArray::new(
            Arc::new(Field::new_list_field(
                DataType::Struct(band_key_fields()),
                true,
            )),
            offsets,
            Arc::new(items),
            None,
        ))))
    }
}

/// `wt_similarity(a, b)`: exact overlap of two shingle sets (see [`exact_similarity`]).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Similarity {
    signature: Signature,
}

impl Similarity {
    fn new() -> Self {
        Similarity {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Similarity {
    udf_boilerplate!("wt_similarity", DataType::Struct(similarity_fields()));

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let sets = arrays(&args, 2)?;
        let a = list_rows::<UInt64Type>(&sets[0], "wt_similarity")?;
        let b = list_rows::<UInt64Type>(&sets[1], "wt_similarity")?;
        let sims: Vec<_> = a
            .par_iter()
            .zip(b.par_iter())
            .map(|(x, y)| exact_similarity(x, y))
            .collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from_iter_values(
                sims.iter().map(|s| s.intersection as u64),
            )),
            Arc::new(UInt64Array::from_iter_values(
                sims.iter().map(|s| s.union as u64),
            )),
            Arc::new(Float64Array::from_iter_values(
                sims.iter().map(|s| s.jaccard),
            )),
            Arc::new(Float64Array::from_iter_values(
                sims.iter().map(|s| s.containment),
            )),
        ];
        Ok(ColumnarValue::Array(Arc::new(StructArray::try_new(
            similarity_fields(),
            columns,
            None,
        )?)))
    }
}

/// `wt_estimate(a, b)`: the MinHash estimate of Jaccard from two signatures.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Estimate {
    signature: Signature,
}

impl Estimate {
    fn new() -> Self {
        Estimate {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Estimate {
    udf_boilerplate!("wt_estimate", DataType::Float64);

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let sigs = arrays(&args, 2)?;
        let a = list_rows::<UInt32Type>(&sigs[0], "wt_estimate")?;
        let b = list_rows::<UInt32Type>(&sigs[1], "wt_estimate")?;
        Ok(ColumnarValue::Array(Arc::new(
            Float64Array::from_iter_values(a.iter().zip(&b).map(|(x, y)| estimate_jaccard(x, y))),
        )))
    }
}

/// `wt_family_lineage(ordinals, ids, texts, dates, sources, params)`: the lineage edges
/// inside one family, from the passage-level pipeline ([`crate::trace`]) run on the
/// family's documents alone. `params` is the JSON of [`IndexParams`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FamilyLineage {
    signature: Signature,
}

impl FamilyLineage {
    fn new() -> Self {
        FamilyLineage {
            signature: Signature::any(6, Volatility::Immutable),
        }
    }
}

/// Rows of a `List<Utf8*>` column as vectors of optional strings.
fn string_list_rows(array: &ArrayRef, what: &str) -> Result<Vec<Vec<Option<String>>>> {
    let Some(list) = array.as_list_opt::<i32>() else {
        return exec_err!("{what}: expected a list column, got {}", array.data_type());
    };
    let values = strings(list.values().as_ref())?;
    let offsets = list.value_offsets();
    Ok((0..list.len())
        .map(|i| {
            if list.is_null(i) {
                Vec::new()
            } else {
                values[offsets[i] as usize..offsets[i + 1] as usize]
                    .iter()
                    .map(|s| s.map(str::to_string))
                    .collect()
            }
        })
        .collect())
}

impl ScalarUDFImpl for FamilyLineage {
    udf_boilerplate!(
        "wt_family_lineage",
        list_of(DataType::Struct(lineage_edge_fields()))
    );

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        const F: &str = "wt_family_lineage";
        let params: IndexParams = serde_json::from_str(&param_str(&args.args, 5, F)?)
            .map_err(|e| DataFusionError::Execution(format!("{F}: bad params JSON: {e}")))?;
        let config = params
            .config()
            .map_err(|e| DataFusionError::Execution(format!("{F}: {e}")))?;
        let cols = arrays(&args, 5)?;
        let ordinals = list_rows::<UInt64Type>(&cols[0], F)?;
        let ids = string_list_rows(&cols[1], F)?;
        let texts = string_list_rows(&cols[2], F)?;
        let dates = string_list_rows(&cols[3], F)?;
        let sources = string_list_rows(&cols[4], F)?;
        let families: Vec<Result<Vec<EdgeRow>>> = (0..ordinals.len())
            .into_par_iter()
            .map(|row| {
                let n = ordinals[row].len();
                if [&ids[row], &texts[row], &dates[row], &sources[row]]
                    .iter()
                    .any(|l| l.len() != n)
                {
                    return exec_err!("{F}: the five lists of a row must have equal lengths");
                }
                let docs: Vec<Document> = (0..n)
                    .map(|i| {
                        let mut d = Document::new(
                            ids[row][i].clone().unwrap_or_default(),
                            texts[row][i].clone().unwrap_or_default(),
                        );
                        if let Some(date) = &dates[row][i] {
                            d = d.with_date(date);
                        }
                        if let Some(source) = &sources[row][i] {
                            d = d.with_source(source);
                        }
                        d
                    })
                    .collect();
                let trace = crate::trace::find_passages(&docs, &config)
                    .map_err(|e| DataFusionError::Execution(format!("{F}: {e}")))?;
                let lineage = trace.lineage(&docs);
                // The table holds document ordinals: edges from inferred sources (stories
                // the family credits to an outlet it lacks) are left to single-node lineage.
                let mut edges: Vec<EdgeRow> = lineage
                    .edges()
                    .into_iter()
                    .filter(|e| lineage.inferred_source(e.parent).is_none())
                    .map(|e| EdgeRow::new(e, ordinals[row]))
                    .collect();
                edges.sort_by_key(|e| (e.parent, e.child));
                Ok(edges)
            })
            .collect();
        let families = families.into_iter().collect::<Result<Vec<_>>>()?;
        Ok(ColumnarValue::Array(edge_rows_array(families)))
    }
}

/// One lineage edge as a row of `wt_family_lineage`'s result.
struct EdgeRow {
    parent: u64,
    child: u64,
    kind: String,
    similarity: f64,
    containment: f64,
    parent_coverage: f64,
    time_lag_seconds: Option<i64>,
    reason: String,
    method: String,
    directed: bool,
    spans: String,
}

impl EdgeRow {
    fn new(e: &crate::lineage::LineageEdge, ordinals: &[u64]) -> Self {
        let spans: Vec<SpanRecord> = e.spans.iter().map(SpanRecord::from).collect();
        EdgeRow {
            parent: ordinals[e.parent as usize],
            child: ordinals[e.child as usize],
            kind: e.kind.to_string(),
            similarity: e.similarity,
            containment: e.containment,
            parent_coverage: e.parent_coverage,
            time_lag_seconds: e.time_lag_seconds,
            reason: e.reason.clone(),
            method: e.method.to_string(),
            directed: e.directed,
            spans: serde_json::to_string(&spans).expect("spans serialise"),
        }
    }
}

fn edge_rows_array(families: Vec<Vec<EdgeRow>>) -> ArrayRef {
    let offsets = OffsetBuffer::from_lengths(families.iter().map(Vec::len));
    let edges: Vec<EdgeRow> = families.into_iter().flatten().collect();
    let mut kind = StringBuilder::new();
    let mut reason = StringBuilder::new();
    let mut method = StringBuilder::new();
    let mut spans = StringBuilder::new();
    let mut lag = Int64Builder::new();
    for e in &edges {
        kind.append_value(&e.kind);
        reason.append_value(&e.reason);
        method.append_value(&e.method);
        spans.append_value(&e.spans);
        lag.append_option(e.time_lag_seconds);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from_iter_values(
            edges.iter().map(|e| e.parent),
        )),
        Arc::new(UInt64Array::from_iter_values(edges.iter().map(|e| e.child))),
        Arc::new(kind.finish()),
        Arc::new(Float64Array::from_iter_values(
            edges.iter().map(|e| e.similarity),
        )),
        Arc::new(Float64Array::from_iter_values(
            edges.iter().map(|e| e.containment),
        )),
        Arc::new(Float64Array::from_iter_values(
            edges.iter().map(|e| e.parent_coverage),
        )),
        Arc::new(lag.finish()),
        Arc::new(reason.finish()),
        Arc::new(method.finish()),
        Arc::new(BooleanArray::from_iter(
            edges.iter().map(|e| Some(e.directed)),
        )),
        Arc::new(spans.finish()),
    ];
    let items = StructArray::new(lineage_edge_fields(), columns, None);
    // Every family row gets a (possibly empty) list: none is null.
    let mut valid = BooleanBufferBuilder::new(offsets.len() - 1);
    valid.append_n(offsets.len() - 1, true);
    Arc::new(ListArray::new(
        Arc::new(Field::new_list_field(
            DataType::Struct(lineage_edge_fields()),
            true,
        )),
        offsets,
        Arc::new(items),
        Some(NullBuffer::new(valid.finish())),
    ))
}
