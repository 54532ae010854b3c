//! The persistent index from Python: build, open, add, query — the library's
//! [`wiretrace::index::Index`], with its guarantees (atomic adds, one writer, fixed
//! parameters).

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use wiretrace::Document;
use wiretrace::export;
use wiretrace::index::manifest::IndexParams;
use wiretrace::index::{AddOptions, Index};

use crate::convert::to_python;
use crate::input::NativeCorpus;
use crate::params::{pool, trace_config};
use crate::{ConfigError, to_py};

/// An open index.
#[pyclass(module = "wiretrace._wiretrace", frozen)]
pub struct NativeIndex {
    dir: PathBuf,
    index: Mutex<Index>,
}

impl NativeIndex {
    fn locked(&self) -> PyResult<std::sync::MutexGuard<'_, Index>> {
        self.index
            .lock()
            .map_err(|_| PyRuntimeError::new_err("the index was poisoned by a failed call"))
    }
}

/// `(added report, account of skipped records)` of one add, as the CLI's `--report` JSON.
fn add_report<'py>(
    py: Python<'py>,
    command: &str,
    dir: &std::path::Path,
    index: &Index,
    report: &wiretrace::index::AddReport,
    corpus: &wiretrace::corpus::Corpus,
) -> PyResult<Bound<'py, PyAny>> {
    let mut value =
        export::index_report::add_json(command, &dir.display().to_string(), index.params(), report);
    // Records the reader skipped (bad rows) join those the index skipped (ids it holds).
    let read_skips: Vec<serde_json::Value> =
        corpus.skipped.iter().map(export::json::skipped).collect();
    if let Some(obj) = value.as_object_mut() {
        obj.insert("read_skipped".into(), serde_json::Value::Array(read_skips));
    }
    to_python(py, &value)
}

#[pymethods]
impl NativeIndex {
    /// Creates an index in `path` (new or empty) with `params` and adds `corpus` to it.
    #[staticmethod]
    fn build<'py>(
        py: Python<'py>,
        path: PathBuf,
        corpus: &NativeCorpus,
        params: &Bound<'py, PyDict>,
    ) -> PyResult<(NativeIndex, Bound<'py, PyAny>)> {
        let config = trace_config(params)?;
        let pool = pool(params)?;
        let mut corpus = corpus.take()?;
        let documents: Vec<Document> = std::mem::take(&mut corpus.documents);
        let (index, report) = py
            .detach(|| {
                pool.install(|| {
                    Index::create(&path, &config)?;
                    let mut index = Index::open(&path)?;
                    let options = AddOptions {
                        pairs_only: true,
                        ..AddOptions::default()
                    };
                    let report = index.add(documents, &options)?;
                    Ok::<_, wiretrace::Error>((index, report))
                })
            })
            .map_err(to_py)?;
        let value = add_report(py, "index build", &path, &index, &report, &corpus)?;
        Ok((
            NativeIndex {
                dir: path,
                index: Mutex::new(index),
            },
            value,
        ))
    }

    /// Opens the index in `path`.
    #[staticmethod]
    fn open(py: Python<'_>, path: PathBuf) -> PyResult<NativeIndex> {
        let index = py.detach(|| Index::open(&path)).map_err(to_py)?;
        Ok(NativeIndex {
            dir: path,
            index: Mutex::new(index),
        })
    }

    /// Adds `corpus` (ids already held are skipped unless `replace`); `given` names the
    /// parameters the caller set, which must equal the index's fixed ones.
    #[pyo3(signature = (corpus, replace, params, given))]
    fn add<'py>(
        &self,
        py: Python<'py>,
        corpus: &NativeCorpus,
        replace: bool,
        params: &Bound<'py, PyDict>,
        given: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pool = pool(params)?;
        let mut index = self.locked()?;
        if !given.is_empty() {
            let requested = trace_config(params)?;
            let asked = IndexParams::from_config(&requested).map_err(to_py)?;
            if let Some((name, have, want)) = index.params().differences(&asked, &given).first() {
                return Err(ConfigError::new_err(format!(
                    "invalid parameter: the index '{}' was built with {name}={have}, and its \
                     parameters are fixed; this call gave {want}. Leave it out, or build a \
                     new index with it",
                    self.dir.display()
                )));
            }
        }
        let mut corpus = corpus.take()?;
        let documents: Vec<Document> = std::mem::take(&mut corpus.documents);
        let options = AddOptions {
            replace,
            pairs_only: false,
        };
        let held: &mut Index = &mut index;
        let report = py
            .detach(|| pool.install(|| held.add(documents, &options)))
            .map_err(to_py)?;
        add_report(py, "index add", &self.dir, &index, &report, &corpus)
    }

    /// The stored documents that share text with `text`: `index query --format json`.
    #[pyo3(signature = (text, id, date=None, source=None, limit=20))]
    fn query<'py>(
        &self,
        py: Python<'py>,
        text: String,
        id: String,
        date: Option<String>,
        source: Option<String>,
        limit: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let index = self.locked()?;
        let mut article = Document::new(id.clone(), text);
        if let Some(date) = &date {
            article = article.with_date(date);
        }
        if let Some(source) = &source {
            article = article.with_source(source);
        }
        let matches = py.detach(|| index.query(&article, limit)).map_err(to_py)?;
        to_python(py, &export::index_report::query_json(&id, &matches))
    }

    /// Live documents.
    fn __len__(&self) -> PyResult<usize> {
        Ok(self.locked()?.len())
    }

    /// The index's fixed parameters, as stored in its manifest.
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let index = self.locked()?;
        let value = serde_json::to_value(index.params()).expect("params serialise");
        to_python(py, &value)
    }

    /// The index folder.
    #[getter]
    fn path(&self) -> PathBuf {
        self.dir.clone()
    }
}
