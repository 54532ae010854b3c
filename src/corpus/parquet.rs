//! Parquet files of documents (needs the `distributed` feature, which brings Arrow).
//!
//! Columns are found by the same names as JSON fields (`--id-field`, `--text-field`, …).
//! The id may be a string or an integer column; the text a string column; the optional
//! fields string columns (a date column may also be an Arrow date or timestamp, written
//! as ISO 8601). Each row is a record, named in skip reports by its 1-based row number in
//! the file (shown as the "line"), and goes through the same rules as a JSON line: a null
//! id or text is a skip, an empty text a skip, a repeated id a skip.

use std::path::Path;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{CorpusBuilder, Document, Origin, SkipReason};
use crate::error::{Error, Result};

fn corrupt(path: &Path, detail: impl std::fmt::Display) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a readable Parquet file of documents: {detail}"),
        ),
    }
}

/// A column as UTF-8 strings (integers and dates are written out), or `None` if absent.
fn column(batch: &RecordBatch, name: &str, path: &Path) -> Result<Option<ArrayRef>> {
    let Some(c) = batch.column_by_name(name) else {
        return Ok(None);
    };
    let utf8 =
        cast(c, &DataType::Utf8).map_err(|e| corrupt(path, format!("column '{name}': {e}")))?;
    Ok(Some(utf8))
}

fn value(c: &Option<ArrayRef>, row: usize) -> Option<String> {
    let c = c.as_ref()?;
    let s = c.as_string::<i32>();
    (!s.is_null(row)).then(|| s.value(row).to_string())
}

pub(super) fn read(path: &Path, builder: &mut CorpusBuilder<'_, '_>) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|source| Error::Input {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(4096).build())
        .map_err(|e| corrupt(path, e))?;
    let fields = builder.options().fields.clone();
    let max = builder.options().max_doc_bytes;
    let shown = path.display().to_string();
    let mut row_number = 0usize;
    for batch in reader {
        let batch = batch.map_err(|e| corrupt(path, e))?;
        if batch.column_by_name(&fields.id).is_none()
            || batch.column_by_name(&fields.text).is_none()
        {
            return Err(corrupt(
                path,
                format!("it needs columns '{}' and '{}'", fields.id, fields.text),
            ));
        }
        let text_type = batch
            .column_by_name(&fields.text)
            .map(|c| c.data_type().clone());
        if !matches!(
            text_type,
            Some(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
        ) {
            return Err(corrupt(
                path,
                format!("column '{}' is not a string column", fields.text),
            ));
        }
        let [id, text, source, date, title, url] =
            fields.in_order().map(|name| column(&batch, name, path));
        let (id, text, source, date, title, url) = (id?, text?, source?, date?, title?, url?);
        for row in 0..batch.num_rows() {
            row_number += 1;
            let origin = Origin::line(shown.clone(), row_number);
            let Some(doc_id) = value(&id, row) else {
                builder.skip(origin, None, SkipReason::MissingField(fields.id.clone()));
                continue;
            };
            let Some(body) = value(&text, row) else {
                builder.skip(
                    origin,
                    Some(doc_id),
                    SkipReason::MissingField(fields.text.clone()),
                );
                continue;
            };
            if body.len() > max {
                let reason = SkipReason::TooLarge {
                    bytes: body.len(),
                    limit: max,
                    cut: false,
                };
                builder.skip(origin, Some(doc_id), reason);
                continue;
            }
            let mut doc = Document::new(doc_id, body);
            doc.origin = origin;
            doc.source = value(&source, row);
            doc.title = value(&title, row);
            doc.url = value(&url, row);
            doc.date = value(&date, row);
            builder.push_dated(doc);
        }
    }
    Ok(())
}
