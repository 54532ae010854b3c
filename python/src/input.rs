//! Documents from Python: rows (dicts, mappings), column batches (a DataFrame's columns, an
//! Arrow record batch's columns) and paths. Every route ends in the library's reader, so a
//! bad row is skipped — and reported with its row number — exactly as a bad JSON line is.

use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyIterator, PyList, PyString, PyTuple};
use wiretrace::corpus::{
    Corpus, FieldNames, FieldValue, Input, InputFormat, Origin, ReadOptions, Record, read_inputs,
    read_records,
};

use crate::to_py;

/// A corpus read from Python, handed to one run (the run takes it: texts are not copied).
#[pyclass(module = "wiretrace._wiretrace")]
pub struct NativeCorpus {
    inner: Mutex<Option<Corpus>>,
}

impl NativeCorpus {
    pub(crate) fn new(corpus: Corpus) -> Self {
        NativeCorpus {
            inner: Mutex::new(Some(corpus)),
        }
    }

    /// The corpus, once.
    pub(crate) fn take(&self) -> PyResult<Corpus> {
        self.inner
            .lock()
            .ok()
            .and_then(|mut c| c.take())
            .ok_or_else(|| PyValueError::new_err("this corpus was already used by a run"))
    }
}

#[pymethods]
impl NativeCorpus {
    /// Documents read (0 once a run has taken the corpus).
    fn __len__(&self) -> usize {
        self.inner
            .lock()
            .ok()
            .and_then(|c| c.as_ref().map(|c| c.documents.len()))
            .unwrap_or(0)
    }
}

/// The read options from the Python layer's field names and size cap.
pub(crate) fn options(
    fields: (String, String, String, String, String, String),
    max: usize,
) -> ReadOptions {
    let (id, text, source, date, title, url) = fields;
    ReadOptions {
        fields: FieldNames {
            id,
            text,
            source,
            date,
            title,
            url,
        },
        max_doc_bytes: max,
        ..ReadOptions::default()
    }
}

/// One Python value as a field value. `None`, NaN, `pandas.NA` and `NaT` are missing
/// values (`null`); integers (also NumPy's) are integers; a date or date-time in the date
/// field is written as ISO 8601.
///
/// A `str` holding lone surrogates (half of an emoji, cut by a scraper, or bytes decoded
/// with `surrogateescape`) has no UTF-8 form: each lone half is read as U+FFFD, as the JSON
/// Lines reader reads a lone `\ud83d` escape, and counted in `lone`.
fn field_value(value: &Bound<'_, PyAny>, is_date: bool, lone: &mut usize) -> PyResult<FieldValue> {
    if value.is_none() {
        return Ok(FieldValue::Null);
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(FieldValue::Str(match s.to_cow() {
            Ok(text) => text.into_owned(),
            Err(_) => without_lone_surrogates(s, lone)?,
        }));
    }
    if value.is_instance_of::<PyBool>() {
        return Ok(FieldValue::Other("a boolean"));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(FieldValue::Int(value.str()?.to_cow()?.into_owned()));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Ok(if f.value().is_nan() {
            FieldValue::Null
        } else {
            FieldValue::Other("a number")
        });
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        return Ok(FieldValue::Other("an array"));
    }
    if value.is_instance_of::<PyDict>() {
        return Ok(FieldValue::Other("an object"));
    }
    let type_name = value.get_type().name()?.to_cow()?.into_owned();
    match type_name.as_str() {
        "NAType" | "NaTType" => return Ok(FieldValue::Null),
        "bool_" | "bool" => return Ok(FieldValue::Other("a boolean")),
        _ => {}
    }
    if type_name.starts_with("int") || type_name.starts_with("uint") {
        if let Ok(i) = value.extract::<i64>() {
            return Ok(FieldValue::Int(i.to_string()));
        }
        if let Ok(u) = value.extract::<u64>() {
            return Ok(FieldValue::Int(u.to_string()));
        }
    }
    if type_name.starts_with("float") {
        let nan = value.extract::<f64>().map(f64::is_nan).unwrap_or(false);
        return Ok(if nan {
            FieldValue::Null
        } else {
            FieldValue::Other("a number")
        });
    }
    if is_date && value.hasattr("isoformat")? {
        let iso = value.call_method0("isoformat")?;
        if let Ok(s) = iso.cast::<PyString>() {
            return Ok(FieldValue::Str(s.to_cow()?.into_owned()));
        }
    }
    Ok(FieldValue::Other("an object"))
}

/// A `str` with lone surrogates as a `String`, each lone half U+FFFD; adds their number to
/// `lone`. Python encodes the halves as they are (`surrogatepass`); decoding the UTF-16
/// pairs what pairs and replaces the rest.
fn without_lone_surrogates(s: &Bound<'_, PyString>, lone: &mut usize) -> PyResult<String> {
    let encoded = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
    let bytes = encoded.cast::<PyBytes>()?.as_bytes();
    let units = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
    Ok(char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                *lone += 1;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect())
}

/// One row (a dict or any mapping with `get`) as a record; `None` if it is not a mapping.
fn row_record(row: &Bound<'_, PyAny>, fields: &FieldNames) -> PyResult<Option<Record>> {
    let names = fields.in_order();
    let mut values: [FieldValue; 6] = Default::default();
    let mut lone = 0;
    if let Ok(dict) = row.cast::<PyDict>() {
        for (slot, (name, value)) in values.iter_mut().zip(names.iter().zip(0..)) {
            if let Some(v) = dict.get_item(*name)? {
                *slot = field_value(&v, value == 3, &mut lone)?;
            }
        }
    } else if row.hasattr("get")? && row.hasattr("keys")? {
        let missing = PyTuple::empty(row.py());
        for (slot, (name, value)) in values.iter_mut().zip(names.iter().zip(0..)) {
            let v = row.call_method1("get", (*name, &missing))?;
            if !v.is(&missing) {
                *slot = field_value(&v, value == 3, &mut lone)?;
            }
        }
    } else {
        return Ok(None);
    }
    Ok(Some(record(values, lone)))
}

/// The six field values, in [`FieldNames`] order, as a record with `lone_surrogates`
/// replaced.
fn record(values: [FieldValue; 6], lone_surrogates: usize) -> Record {
    let [id, text, source, date, title, url] = values;
    Record {
        id,
        text,
        source,
        date,
        title,
        url,
        repeated: Vec::new(),
        lone_surrogates,
    }
}

/// Rows from Python, one record at a time: an iterable of rows (dicts or mappings) or of
/// column batches `(origin, first_row, rows, columns)`, where `columns` maps column names
/// to lists of `rows` values (absent fields are missing). It attaches to the interpreter
/// for a few hundred rows at a time and lets go before handing them on, so a reading
/// thread never waits on a full queue while holding the interpreter.
pub(crate) struct PyRecords {
    iter: Py<PyIterator>,
    batches: bool,
    names: FieldNames,
    /// Rows: their origin name and the number of the last row.
    origin: String,
    row: usize,
    /// Batches: the one being read.
    batch: Option<Batch>,
    /// Records read and not yet handed on (up to [`ROWS_PER_ATTACH`]).
    ready: std::collections::VecDeque<PyResult<(Origin, Option<Record>)>>,
    done: bool,
}

struct Batch {
    origin: String,
    first_row: usize,
    count: usize,
    next: usize,
    columns: [Option<Py<PyList>>; 6],
}

impl PyRecords {
    pub(crate) fn new(
        source: &Bound<'_, PyAny>,
        batches: bool,
        names: FieldNames,
        origin: String,
    ) -> PyResult<Self> {
        Ok(PyRecords {
            iter: source.try_iter()?.unbind(),
            batches,
            names,
            origin,
            row: 0,
            batch: None,
            ready: std::collections::VecDeque::new(),
            done: false,
        })
    }

    fn step(&mut self, py: Python<'_>) -> Option<PyResult<(Origin, Option<Record>)>> {
        let item = if self.batches {
            self.batch_row(py)
        } else {
            self.iter.bind(py).clone().next().map(|row| {
                let row = row?;
                self.row += 1;
                let record = row_record(&row, &self.names)?;
                Ok((Origin::line(self.origin.as_str(), self.row), record))
            })
        };
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }

    fn batch_row(&mut self, py: Python<'_>) -> Option<PyResult<(Origin, Option<Record>)>> {
        loop {
            if let Some(batch) = &mut self.batch
                && batch.next < batch.count
            {
                let row = batch.next;
                batch.next += 1;
                let mut values: [FieldValue; 6] = Default::default();
                let mut lone = 0;
                for (k, (slot, col)) in values.iter_mut().zip(&batch.columns).enumerate() {
                    if let Some(col) = col {
                        match col
                            .bind(py)
                            .get_item(row)
                            .and_then(|v| field_value(&v, k == 3, &mut lone))
                        {
                            Ok(v) => *slot = v,
                            Err(e) => return Some(Err(e)),
                        }
                    }
                }
                let origin = Origin::line(batch.origin.as_str(), batch.first_row + row);
                return Some(Ok((origin, Some(record(values, lone)))));
            }
            // The batch is read: let its lists go before the next one is made.
            self.batch = None;
            let next = self.iter.bind(py).clone().next()?;
            match next.and_then(|b| self.open_batch(&b)) {
                Ok(batch) => self.batch = Some(batch),
                Err(e) => return Some(Err(e)),
            }
        }
    }

    fn open_batch(&self, batch: &Bound<'_, PyAny>) -> PyResult<Batch> {
        let (origin, first_row, count, columns): (String, usize, usize, Bound<'_, PyDict>) =
            batch.extract()?;
        let column = |name: &str| -> PyResult<Option<Py<PyList>>> {
            let Some(c) = columns.get_item(name)? else {
                return Ok(None);
            };
            let list = c.cast_into::<PyList>().map_err(|_| {
                PyValueError::new_err(format!("column '{name}' must be given as a list"))
            })?;
            if list.len() != count {
                return Err(PyValueError::new_err(format!(
                    "column '{name}' has {} values, not {count}",
                    list.len()
                )));
            }
            Ok(Some(list.unbind()))
        };
        let [id, text, source, date, title, url] = self.names.in_order().map(column);
        Ok(Batch {
            origin,
            first_row,
            count,
            next: 0,
            columns: [id?, text?, source?, date?, title?, url?],
        })
    }
}

/// Rows read per attachment to the interpreter: attaching once per row cost a fifth of a
/// `dups` run over Reuters-21578 given as dicts.
const ROWS_PER_ATTACH: usize = 256;

impl Iterator for PyRecords {
    type Item = PyResult<(Origin, Option<Record>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ready.is_empty() && !self.done {
            Python::attach(|py| {
                while !self.done && self.ready.len() < ROWS_PER_ATTACH {
                    match self.step(py) {
                        Some(item) => self.ready.push_back(item),
                        None => break,
                    }
                }
            });
        }
        self.ready.pop_front()
    }
}

/// Reads rows (`batches` false: an iterable of dicts or mappings, named `origin:N`, N from
/// 1) or column batches (`batches` true) into memory.
#[pyfunction]
#[pyo3(signature = (source, batches, fields, max_doc_bytes, origin))]
pub fn read_python(
    source: &Bound<'_, PyAny>,
    batches: bool,
    fields: (String, String, String, String, String, String),
    max_doc_bytes: usize,
    origin: String,
) -> PyResult<NativeCorpus> {
    let opts = options(fields, max_doc_bytes);
    let records = PyRecords::new(source, batches, opts.fields.clone(), origin)?;
    Ok(NativeCorpus::new(read_records(records, &opts)?))
}

/// The input format named as on the CLI (`auto`, `jsonl`, `text`).
pub(crate) fn input_format(name: &str) -> PyResult<InputFormat> {
    match name {
        "auto" => Ok(InputFormat::Auto),
        "jsonl" => Ok(InputFormat::Jsonl),
        "text" => Ok(InputFormat::Text),
        other => Err(crate::ConfigError::new_err(format!(
            "invalid parameter: input_format '{other}': give auto, jsonl or text"
        ))),
    }
}

/// Paths as the CLI's inputs, and the options to read them with.
pub(crate) fn path_inputs(
    paths: &[String],
    input_format: &str,
    fields: (String, String, String, String, String, String),
    max_doc_bytes: usize,
    keep_raw: bool,
) -> PyResult<(Vec<Input>, ReadOptions)> {
    let opts = ReadOptions {
        format: self::input_format(input_format)?,
        keep_raw,
        ..options(fields, max_doc_bytes)
    };
    Ok((
        paths.iter().map(|p| Input::from(p.as_str())).collect(),
        opts,
    ))
}

/// Reads files and folders as the CLI does (JSON Lines, text files, folders); with
/// `keep_raw`, each JSON line is kept as read, for `dedup` to write back unchanged.
#[pyfunction]
#[pyo3(signature = (paths, input_format, fields, max_doc_bytes, keep_raw=false))]
pub fn read_paths(
    py: Python<'_>,
    paths: Vec<String>,
    input_format: &str,
    fields: (String, String, String, String, String, String),
    max_doc_bytes: usize,
    keep_raw: bool,
) -> PyResult<NativeCorpus> {
    let (inputs, opts) = path_inputs(&paths, input_format, fields, max_doc_bytes, keep_raw)?;
    let corpus = py.detach(|| read_inputs(&inputs, &opts)).map_err(to_py)?;
    Ok(NativeCorpus::new(corpus))
}
