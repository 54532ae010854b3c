//! Runs and their results. A run takes a corpus, releases the interpreter while the
//! library works on its thread pool, and keeps the library's result; the result answers
//! with the library's own JSON values (what the CLI prints) and exporters.

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use wiretrace::Error;
use wiretrace::corpus::{Corpus, Document, read_inputs_with, read_records_with};
use wiretrace::dedup::{self, KeepPolicy};
use wiretrace::dups::{
    DocumentSource, DupsConfig, DupsReport, Flow, PairSink, Progress, StreamOptions,
    stream_documents,
};
use wiretrace::export::target::PendingFile;
use wiretrace::export::{self, DupsView, LineageView};
use wiretrace::lineage::Lineage;
use wiretrace::trace::{SpillOptions, Trace, TraceConfig, find_passages_with};
use wiretrace::verify::VerifiedPair;

use crate::convert::{pretty, to_python};
use crate::input::{NativeCorpus, PyRecords, options, path_inputs};
use crate::params::{dups_config, pool, temp_dir, trace_config};
use crate::{ConfigError, to_py};

/// Renders into a string with one of the library's writers.
fn render(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> PyResult<String> {
    let mut out = Vec::new();
    write(&mut out).map_err(|e| crate::WiretraceError::new_err(e.to_string()))?;
    String::from_utf8(out).map_err(|e| crate::WiretraceError::new_err(e.to_string()))
}

/// A finished `dups` run, with the pair records its sink took as they were verified.
#[pyclass(module = "wiretrace._wiretrace", frozen)]
pub struct NativeDups {
    corpus: Corpus,
    config: DupsConfig,
    report: DupsReport,
    pairs: Vec<serde_json::Value>,
}

/// The sink of the Python package: each verified pair as its output record.
struct PairRecords(Vec<serde_json::Value>);

impl PairSink for PairRecords {
    fn pair(&mut self, docs: &[Document], pair: &VerifiedPair) -> wiretrace::Result<Flow> {
        self.0.push(export::json::pair_record(docs, pair));
        Ok(Flow::Continue)
    }
}

impl NativeDups {
    fn view(&self) -> DupsView<'_> {
        DupsView {
            corpus: &self.corpus,
            config: &self.config,
            report: &self.report,
        }
    }
}

#[pymethods]
impl NativeDups {
    /// The CLI's `--format json` output as Python objects.
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &export::json::to_json(&self.view()))
    }

    /// The pairs, as their records came from the run's sink (`pairs` of the JSON output).
    fn pairs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &serde_json::Value::Array(self.pairs.clone()))
    }

    /// The CLI's `--format json` output.
    fn json(&self) -> String {
        pretty(&export::json::to_json(&self.view()))
    }

    /// The CLI's `--format jsonl` output.
    fn jsonl(&self) -> PyResult<String> {
        render(|out| export::json::write_jsonl(&self.view(), out))
    }

    /// The CLI's `--format table` output.
    fn table(&self) -> PyResult<String> {
        render(|out| export::table::write_table(&self.view(), out))
    }
}

/// Runs `dups` streaming over `source` (texts are dropped once signed); `progress` is
/// called with `(stage, count, bytes)` as the run goes. `failed` holds an error the source
/// met in Python, raised in place of the library's.
fn stream(
    py: Python<'_>,
    source: &DocumentSource<'_>,
    failed: &Mutex<Option<PyErr>>,
    params: &Bound<'_, PyDict>,
    progress: Option<Py<PyAny>>,
) -> PyResult<NativeDups> {
    let config = dups_config(params)?;
    let pool = pool(params)?;
    let spill_dir = temp_dir(params)?;
    // A callback that raises stops being called; its first error is raised after the run.
    let callback_failed: Mutex<Option<PyErr>> = Mutex::new(None);
    let report = |p: Progress| {
        let Some(callback) = &progress else { return };
        let Ok(mut failed) = callback_failed.lock() else {
            return;
        };
        if failed.is_some() {
            return;
        }
        let (stage, count, bytes) = match p {
            Progress::Signed { documents, bytes } => ("signing", documents, bytes),
            Progress::Candidates => ("candidates", 0, 0),
            Progress::Verifying { candidates } => ("verifying", candidates, 0),
        };
        Python::attach(|py| {
            if let Err(e) = callback.call1(py, (stage, count, bytes)) {
                *failed = Some(e);
            }
        });
    };
    let mut sink = PairRecords(Vec::new());
    let streamed = py.detach(|| {
        pool.install(|| {
            stream_documents(
                source,
                &config,
                &StreamOptions {
                    spill_dir,
                    ..StreamOptions::default()
                },
                &report,
                &mut sink,
            )
        })
    });
    for slot in [failed, &callback_failed] {
        if let Some(e) = slot.lock().ok().and_then(|mut f| f.take()) {
            return Err(e);
        }
    }
    let (corpus, report) = streamed.map_err(to_py)?;
    Ok(NativeDups {
        corpus,
        config,
        report,
        pairs: sink.0,
    })
}

/// `dups` over files, streaming as the CLI does.
#[pyfunction]
#[pyo3(signature = (paths, input_format, fields, max_doc_bytes, params, progress=None))]
pub fn run_dups_paths(
    py: Python<'_>,
    paths: Vec<String>,
    input_format: &str,
    fields: (String, String, String, String, String, String),
    max_doc_bytes: usize,
    params: &Bound<'_, PyDict>,
    progress: Option<Py<PyAny>>,
) -> PyResult<NativeDups> {
    let (inputs, read) = path_inputs(&paths, input_format, fields, max_doc_bytes, false)?;
    let source = |sink: &mut dyn FnMut(Document)| read_inputs_with(&inputs, &read, sink);
    stream(py, &source, &Mutex::new(None), params, progress)
}

/// `dups` over rows or column batches from Python (see [`PyRecords`]), streaming: each
/// text is copied out of its Python object, signed and dropped, so the run holds no texts.
#[pyfunction]
#[pyo3(signature = (source, batches, fields, max_doc_bytes, origin, params, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn run_dups_stream(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    batches: bool,
    fields: (String, String, String, String, String, String),
    max_doc_bytes: usize,
    origin: String,
    params: &Bound<'_, PyDict>,
    progress: Option<Py<PyAny>>,
) -> PyResult<NativeDups> {
    let read = options(fields, max_doc_bytes);
    let records = PyRecords::new(source, batches, read.fields.clone(), origin.clone())?;
    // Read once, on the library's reading thread.
    let records = Mutex::new(Some(records));
    let failed: Mutex<Option<PyErr>> = Mutex::new(None);
    let source = |sink: &mut dyn FnMut(Document)| {
        let Some(records) = records.lock().ok().and_then(|mut r| r.take()) else {
            return Ok(Corpus::default());
        };
        read_records_with(records, &read, sink).map_err(|e| {
            if let Ok(mut slot) = failed.lock() {
                *slot = Some(e);
            }
            Error::Input {
                path: origin.clone().into(),
                source: std::io::Error::other("the documents could not be read from Python"),
            }
        })
    };
    stream(py, &source, &failed, params, progress)
}

/// A finished passage-level run: passages, boilerplate, templates and the lineage graph.
#[pyclass(module = "wiretrace._wiretrace", frozen)]
pub struct NativeTrace {
    corpus: Corpus,
    config: TraceConfig,
    trace: Trace,
    lineage: Lineage,
}

impl NativeTrace {
    fn view(&self) -> LineageView<'_> {
        LineageView {
            corpus: &self.corpus,
            config: &self.config,
            trace: &self.trace,
            lineage: &self.lineage,
        }
    }

    fn audit(&self) -> serde_json::Value {
        let summary = wiretrace::audit::audit(&self.corpus, &self.trace, &self.lineage);
        export::json::audit_json(&self.view(), &summary)
    }
}

#[pymethods]
impl NativeTrace {
    /// `lineage --format json` as Python objects.
    fn lineage_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &export::json::lineage_json(&self.view()))
    }

    /// `passages --format json` as Python objects.
    fn passages_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &export::json::passages_json(&self.view()))
    }

    /// `audit --format json` as Python objects.
    fn audit_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.audit())
    }

    /// The document-level part of the run (`dups --format json`) as Python objects.
    fn dups_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &export::json::to_json(&self.view().dups()))
    }

    /// `lineage --format json`.
    fn lineage_json(&self) -> String {
        pretty(&export::json::lineage_json(&self.view()))
    }

    /// `passages --format json`.
    fn passages_json(&self) -> String {
        pretty(&export::json::passages_json(&self.view()))
    }

    /// `audit --format json`.
    fn audit_json(&self) -> String {
        pretty(&self.audit())
    }

    /// `passages --format table`.
    fn passages_table(&self) -> PyResult<String> {
        render(|out| export::table::write_passages(&self.view(), out))
    }

    /// `audit --format table`.
    fn audit_table(&self) -> PyResult<String> {
        let summary = wiretrace::audit::audit(&self.corpus, &self.trace, &self.lineage);
        render(|out| export::table::write_audit(&summary, out))
    }

    /// `lineage --format dot`.
    fn dot(&self) -> PyResult<String> {
        render(|out| export::dot::write_dot(&self.view(), out))
    }

    /// `lineage --format graphml`.
    fn graphml(&self) -> PyResult<String> {
        render(|out| export::graphml::write_graphml(&self.view(), out))
    }

    /// `report`: the self-contained HTML page, written atomically to `path`, which must
    /// not exist yet unless `overwrite`.
    #[pyo3(signature = (path, overwrite=false))]
    fn write_html(&self, py: Python<'_>, path: PathBuf, overwrite: bool) -> PyResult<()> {
        refuse_existing(&path, overwrite)?;
        py.detach(|| {
            let mut file = PendingFile::create(&path)?;
            export::html::write_html(&self.view(), file.writer()).map_err(|source| {
                Error::Output {
                    path: path.clone(),
                    source,
                }
            })?;
            file.commit()
        })
        .map_err(to_py)
    }

    /// The dedup plan under a keep policy (`earliest`, `longest`, `most-cited`):
    /// `{"kept": [ids], "dropped": [{"dropped", "kept", "family"}]}` in input order.
    fn dedup_plan<'py>(&self, py: Python<'py>, keep: &str) -> PyResult<Bound<'py, PyAny>> {
        let docs = &self.corpus.documents;
        let policy = keep_policy(keep)?;
        let plan = dedup::plan(docs, &self.trace.dups, policy, Some(&self.lineage));
        let kept: Vec<&str> = docs
            .iter()
            .zip(&plan.keep)
            .filter(|(_, k)| **k)
            .map(|(d, _)| d.id.as_str())
            .collect();
        let dropped: Vec<serde_json::Value> = plan
            .dropped
            .iter()
            .map(|&(d, k, family)| {
                serde_json::json!({
                    "dropped": docs[d as usize].id,
                    "kept": docs[k as usize].id,
                    "family": family,
                })
            })
            .collect();
        to_python(py, &serde_json::json!({ "kept": kept, "dropped": dropped }))
    }

    /// `dedup`: writes the kept records to `output` and the sidecar (dropped and skipped
    /// records) to `dropped`, both atomically, as the CLI does; returns the summary.
    #[pyo3(signature = (keep, output, dropped, overwrite=false))]
    fn write_dedup<'py>(
        &self,
        py: Python<'py>,
        keep: &str,
        output: PathBuf,
        dropped: PathBuf,
        overwrite: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let policy = keep_policy(keep)?;
        if output == dropped {
            return Err(ConfigError::new_err(
                "invalid parameter: the output and the dropped list are the same file",
            ));
        }
        refuse_existing(&output, overwrite)?;
        refuse_existing(&dropped, overwrite)?;
        let summary = py
            .detach(|| {
                let docs = &self.corpus.documents;
                let plan = dedup::plan(docs, &self.trace.dups, policy, Some(&self.lineage));
                let out = PendingFile::create(&output)?;
                let side = PendingFile::create(&dropped)?;
                export::dedup::write_dedup(&self.view().dups(), &plan, out, side)
            })
            .map_err(to_py)?;
        let value = serde_json::to_value(summary).expect("the summary serialises");
        to_python(py, &value)
    }
}

fn keep_policy(keep: &str) -> PyResult<KeepPolicy> {
    match keep {
        "earliest" => Ok(KeepPolicy::Earliest),
        "longest" => Ok(KeepPolicy::Longest),
        "most-cited" | "most_cited" => Ok(KeepPolicy::MostCited),
        other => Err(ConfigError::new_err(format!(
            "invalid parameter: keep '{other}': give earliest, longest or most-cited"
        ))),
    }
}

/// Outputs never replace a file silently: an existing file needs `overwrite=True`.
fn refuse_existing(path: &std::path::Path, overwrite: bool) -> PyResult<()> {
    if !overwrite && path.exists() {
        return Err(crate::OutputError::new_err(format!(
            "'{}' already exists; give another path, or overwrite=True",
            path.display()
        )));
    }
    Ok(())
}

/// The passage-level pipeline (`passages`, `lineage`, `audit`, `dedup`) over a corpus.
#[pyfunction]
pub fn run_trace(
    py: Python<'_>,
    corpus: &NativeCorpus,
    params: &Bound<'_, PyDict>,
) -> PyResult<NativeTrace> {
    let config = trace_config(params)?;
    let pool = pool(params)?;
    let spill = SpillOptions {
        dir: temp_dir(params)?,
        held_bytes: None,
    };
    let corpus = corpus.take()?;
    let (corpus, traced) = py.detach(|| {
        let traced = pool.install(|| {
            find_passages_with(&corpus.documents, &config, &spill, &mut ()).map(|t| {
                let lineage = t.lineage(&corpus.documents);
                (t, lineage)
            })
        });
        (corpus, traced)
    });
    let (trace, lineage) = traced.map_err(to_py)?;
    Ok(NativeTrace {
        corpus,
        config,
        trace,
        lineage,
    })
}
