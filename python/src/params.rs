//! The run parameters, from the dict the Python layer passes (its keyword arguments, named
//! and defaulted as the CLI's options), checked by the library.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use wiretrace::DupsConfig;
use wiretrace::lsh::LshParams;
use wiretrace::shingle::ShingleScheme;
use wiretrace::trace::{PassageOptions, TraceConfig};

use crate::{ConfigError, to_py};

/// Most worker threads accepted, as on the CLI.
const MAX_THREADS: usize = 256;

fn get<'py, T: FromPyObjectOwned<'py>>(params: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    let value = params
        .get_item(key)?
        .ok_or_else(|| ConfigError::new_err(format!("invalid parameter: {key} is missing")))?;
    value.extract::<T>().map_err(|e| {
        let e: PyErr = e.into();
        ConfigError::new_err(format!("invalid parameter: {key}: {e}"))
    })
}

/// The document-level parameters: threshold, shingle, num_perm, seed, bands, rows,
/// max_bucket.
pub(crate) fn dups_config(params: &Bound<'_, PyDict>) -> PyResult<DupsConfig> {
    let shingle: String = get(params, "shingle")?;
    let scheme: ShingleScheme = shingle
        .parse()
        .map_err(|e| ConfigError::new_err(format!("invalid parameter: shingle: {e}")))?;
    let bands: Option<usize> = get(params, "bands")?;
    let rows: Option<usize> = get(params, "rows")?;
    let lsh = match (bands, rows) {
        (Some(b), Some(r)) => Some(LshParams::uniform(b, r)),
        (None, None) => None,
        _ => {
            return Err(ConfigError::new_err(
                "invalid parameter: give bands and rows together",
            ));
        }
    };
    let config = DupsConfig {
        scheme,
        num_perm: get(params, "num_perm")?,
        seed: get(params, "seed")?,
        threshold: get(params, "threshold")?,
        lsh,
        max_bucket: get(params, "max_bucket")?,
    };
    config.resolve_lsh().map_err(to_py)?;
    Ok(config)
}

/// The passage-level parameters: min_words, max_gap, passage_k, max_df,
/// boilerplate_min_docs, paraphrase, paraphrase_window, summaries, and the document-level
/// ones.
pub(crate) fn trace_config(params: &Bound<'_, PyDict>) -> PyResult<TraceConfig> {
    let options = PassageOptions {
        min_words: get(params, "min_words")?,
        max_gap: get(params, "max_gap")?,
        passage_k: get(params, "passage_k")?,
        max_df: get(params, "max_df")?,
        boilerplate_min_docs: get(params, "boilerplate_min_docs")?,
        paraphrase: get(params, "paraphrase")?,
        paraphrase_window_days: get(params, "paraphrase_window")?,
        summaries: get(params, "summaries")?,
    };
    TraceConfig::from_options(dups_config(params)?, &options).map_err(to_py)
}

/// The folder for a run's temporary files (`temp_dir`; `None`: the system's).
pub(crate) fn temp_dir(params: &Bound<'_, PyDict>) -> PyResult<Option<std::path::PathBuf>> {
    match params.get_item("temp_dir")? {
        None => Ok(None),
        Some(_) => get(params, "temp_dir"),
    }
}

/// A thread pool of `threads` workers (`None`: one per core), as `--threads` sets.
pub(crate) fn pool(params: &Bound<'_, PyDict>) -> PyResult<rayon::ThreadPool> {
    let threads: Option<usize> = get(params, "threads")?;
    if let Some(n) = threads
        && (n == 0 || n > MAX_THREADS)
    {
        return Err(ConfigError::new_err(format!(
            "invalid parameter: threads {n}: give 1 to {MAX_THREADS} (results do not depend \
             on it; the default is one per core)"
        )));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| ConfigError::new_err(format!("cannot start {threads:?} threads: {e}")))
}
