//! Documents from Python: rows (dicts, mappings), column batches (a DataFrame's columns, an
//! Arrow record batch's columns) and paths. Every route ends in the library's reader, so a
//! bad row is skipped — and reported with its row number — exactly as a bad JSON line is.

use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
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
fn field_value(value: &Bound<'_, PyAny>, is_date: bool) -> PyResult<FieldValue> {
    if value.is_none() {
        return Ok(FieldValue::Null);
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(FieldValue::Str(s.to_cow()?.into_owned()));
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

/// One row (a dict or any mapping with `get`) as a record; `None` if it is not a mapping.
fn row_record(row: &Bound<'_, PyAny>, fields: &FieldNames) -> PyResult<Option<Record>> {
    let names = [
        &fields.id,
        &fields.text,
        &fields.source,
        &fields.date,
        &fields.title,
        &fields.url,
    ];
    let mut values: [FieldValue; 6] = Default::default();
    if let Ok(dict) = row.cast::<PyDict>() {
        for (slot, (name, value)) in values.iter_mut().zip(names.iter().zip(0..)) {
            if let Some(v) = dict.get_item(name.as_str())? {
                *slot = field_value(&v, value == 3)?;
            }
        }
    } else if row.hasattr("get")? && row.hasattr("keys")? {
        let missing = PyTuple::empty(row.py());
        for (slot, (name, value)) in values.iter_mut().zip(names.iter().zip(0..)) {
            let v = row.call_method1("get", (name.as_str(), &missing))?;
            if !v.is(&missing) {
                *slot = field_value(&v, value == 3)?;
            }
        }
    } else {
        return Ok(None);
    }
    let [id, text, source, date, title, url] = values;
    Ok(Some(Record {
        id,
        text,
        source,
        date,
        title,
        url,
        repeated: Vec::new(),
    }))
}

/// Reads an iterable of rows (dicts or mappings); rows are named `origin:N`, N from 1.
#[pyfunction]
#[pyo3(signature = (rows, fields, max_doc_bytes, origin))]
pub fn read_rows(
    rows: &Bound<'_, PyAny>,
    fields: (String, String, String, String, String, String),
    max_doc_bytes: usize,
    origin: String,
) -> PyResult<NativeCorpus> {
    let opts = options(fields, max_doc_bytes);
    let names = opts.fields.clone();
    let iter = rows.try_iter()?;
    let records = iter.enumerate().map(|(i, row)| {
        let row = row?;
        let record = row_record(&row, &names)?;
        Ok::<_, PyErr>((Origin::line(origin.as_str(), i + 1), record))
    });
    Ok(NativeCorpus::new(read_records(records, &opts)?))
}

/// Reads column batches: an iterable of `(origin, first_row, rows, columns)` where
/// `columns` maps column names to lists of `rows` values (absent fields are missing).
#[pyfunction]
#[pyo3(signature = (batches, fields, max_doc_bytes))]
pub fn read_batches(
    batches: &Bound<'_, PyAny>,
    fields: (String, String, String, String, String, String),
    max_doc_bytes: usize,
) -> PyResult<NativeCorpus> {
    let opts = options(fields, max_doc_bytes);
    let names = opts.fields.clone();
    // The records of every batch (their texts copied once, out of the Python objects);
    // each batch's lists are let go as soon as its rows are read.
    let mut rows: Vec<(Origin, Option<Record>)> = Vec::new();
    for batch in batches.try_iter()? {
        let batch = batch?;
        let (origin, first_row, count, columns): (String, usize, usize, Bound<'_, PyDict>) =
            batch.extract()?;
        let column = |name: &str| -> PyResult<Option<Bound<'_, PyList>>> {
            match columns.get_item(name)? {
                Some(c) => {
                    let list = c.cast_into::<PyList>().map_err(|_| {
                        PyValueError::new_err(format!("column '{name}' must be given as a list"))
                    })?;
                    if list.len() != count {
                        return Err(PyValueError::new_err(format!(
                            "column '{name}' has {} values, not {count}",
                            list.len()
                        )));
                    }
                    Ok(Some(list))
                }
                None => Ok(None),
            }
        };
        let cols = [
            column(&names.id)?,
            column(&names.text)?,
            column(&names.source)?,
            column(&names.date)?,
            column(&names.title)?,
            column(&names.url)?,
        ];
        for row in 0..count {
            let mut values: [FieldValue; 6] = Default::default();
            for (k, (slot, col)) in values.iter_mut().zip(&cols).enumerate() {
                if let Some(col) = col {
                    *slot = field_value(&col.get_item(row)?, k == 3)?;
                }
            }
            let [id, text, source, date, title, url] = values;
            let record = Record {
                id,
                text,
                source,
                date,
                title,
                url,
                repeated: Vec::new(),
            };
            rows.push((Origin::line(origin.as_str(), first_row + row), Some(record)));
        }
    }
    let corpus = read_records(rows.into_iter().map(Ok::<_, PyErr>), &opts)?;
    Ok(NativeCorpus::new(corpus))
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
    let opts = ReadOptions {
        format: self::input_format(input_format)?,
        keep_raw,
        ..options(fields, max_doc_bytes)
    };
    let inputs: Vec<Input> = paths.iter().map(|p| Input::from(p.as_str())).collect();
    let corpus = py.detach(|| read_inputs(&inputs, &opts)).map_err(to_py)?;
    Ok(NativeCorpus::new(corpus))
}
