//! `wiretrace._wiretrace`: the native half of the Python package.
//!
//! A thin binding over the wiretrace library. Documents arrive as Python objects and go
//! through the library's record rules ([`wiretrace::corpus::read_records`]) or its file
//! readers; the work runs with the interpreter released, on the library's thread pool; the
//! results are the library's own JSON values (the CLI's output, byte for byte) and its
//! exporters (DOT, GraphML, HTML). The Python half (`wiretrace/__init__.py`) chooses the
//! input route and turns the records into Arrow tables: no decision about text lives here.

mod convert;
mod index;
mod input;
mod minhash;
mod params;
mod results;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    _wiretrace,
    WiretraceError,
    PyException,
    "Base of every error wiretrace raises."
);
create_exception!(
    _wiretrace,
    ConfigError,
    WiretraceError,
    "A parameter is out of range, or parameters contradict each other or an index."
);
create_exception!(
    _wiretrace,
    InputError,
    WiretraceError,
    "An input cannot be opened or read (a path that does not exist, a read breaking off)."
);
create_exception!(
    _wiretrace,
    OutputError,
    WiretraceError,
    "An output cannot be written."
);
create_exception!(
    _wiretrace,
    IndexFileError,
    WiretraceError,
    "An index is corrupt, unreadable, or held by another writer."
);
create_exception!(
    _wiretrace,
    MemoryLimitError,
    WiretraceError,
    "The run would need more memory than the limit given."
);

/// Maps the library's one error type to the exception hierarchy, keeping its message.
pub(crate) fn to_py(e: wiretrace::Error) -> PyErr {
    use wiretrace::Error as E;
    let message = e.to_string();
    match e {
        E::Config(_) => ConfigError::new_err(message),
        E::Input { .. } | E::Read { .. } => InputError::new_err(message),
        E::Output { .. } => OutputError::new_err(message),
        E::CorruptIndex { .. } | E::IndexIo { .. } | E::IndexBusy { .. } => {
            IndexFileError::new_err(message)
        }
        E::MemoryLimit { .. } => MemoryLimitError::new_err(message),
        _ => WiretraceError::new_err(message),
    }
}

#[pymodule]
fn _wiretrace(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("WiretraceError", py.get_type::<WiretraceError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("OutputError", py.get_type::<OutputError>())?;
    m.add("IndexFileError", py.get_type::<IndexFileError>())?;
    m.add("MemoryLimitError", py.get_type::<MemoryLimitError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<input::NativeCorpus>()?;
    m.add_function(wrap_pyfunction!(input::read_python, m)?)?;
    m.add_function(wrap_pyfunction!(input::read_paths, m)?)?;
    m.add_class::<results::NativeDups>()?;
    m.add_class::<results::NativeTrace>()?;
    m.add_function(wrap_pyfunction!(results::run_dups_paths, m)?)?;
    m.add_function(wrap_pyfunction!(results::run_dups_stream, m)?)?;
    m.add_function(wrap_pyfunction!(results::run_trace, m)?)?;
    m.add_class::<index::NativeIndex>()?;
    m.add_class::<minhash::MinHasher>()?;
    Ok(())
}
