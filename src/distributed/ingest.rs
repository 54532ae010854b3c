//! Documents → the `documents` table (Parquet), streamed.
//!
//! The reader ([`crate::corpus`]) applies its usual rules — skipped records are counted and
//! reported, duplicate ids refused — and every kept document is given its **ordinal**, its
//! place in input order: the id the later stages use (stars point at the smallest ordinal),
//! and the index the default engine uses, so results compare one to one. Documents are
//! written in parts of [`PART_DOCUMENTS`] rows and dropped; the client keeps only their
//! metadata (no text), as `dups` does when streaming.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::corpus::{Corpus, Document, Input, ReadOptions, read_inputs_with};
use crate::error::{Error, Result};

/// Rows per Parquet file of the `documents` table: parts are the unit of parallel reading.
pub const PART_DOCUMENTS: usize = 32_768;

/// Schema of the `documents` table (format version 1).
///
/// | column | type | |
/// |---|---|---|
/// | `ordinal` | UInt64 | place in input order, from 0 |
/// | `id` | Utf8 | unique id |
/// | `text` | Utf8 | the text, unchanged |
/// | `source`, `date`, `title`, `url` | Utf8, nullable | as read |
/// | `timestamp` | Int64, nullable | `date` in seconds since the Unix epoch (UTC) |
pub fn documents_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("ordinal", DataType::UInt64, false),
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("source", DataType::Utf8, true),
        Field::new("date", DataType::Utf8, true),
        Field::new("timestamp", DataType::Int64, true),
        Field::new("title", DataType::Utf8, true),
        Field::new("url", DataType::Utf8, true),
    ]))
}

fn batch(docs: &[Document], first: u64) -> std::result::Result<RecordBatch, String> {
    let opt = |f: fn(&Document) -> &Option<String>| -> ArrayRef {
        Arc::new(StringArray::from_iter(docs.iter().map(|d| f(d).as_deref())))
    };
    RecordBatch::try_new(
        documents_schema(),
        vec![
            Arc::new(UInt64Array::from_iter_values(
                first..first + docs.len() as u64,
            )),
            Arc::new(StringArray::from_iter_values(docs.iter().map(|d| &d.id))),
            Arc::new(StringArray::from_iter_values(docs.iter().map(|d| &d.text))),
            opt(|d| &d.source),
            opt(|d| &d.date),
            Arc::new(Int64Array::from_iter(docs.iter().map(|d| d.timestamp))),
            opt(|d| &d.title),
            opt(|d| &d.url),
        ],
    )
    .map_err(|e| e.to_string())
}

fn write_part(dir: &Path, part: usize, docs: &[Document], first: u64) -> Result<()> {
    let path = dir.join(format!("part-{part:05}.parquet"));
    let fail = |detail: String| Error::Output {
        path: path.clone(),
        source: std::io::Error::other(detail),
    };
    let file = std::fs::File::create(&path).map_err(|source| Error::Output {
        path: path.clone(),
        source,
    })?;
    let mut writer =
        super::stages::parquet_writer(file, documents_schema()).map_err(|e| fail(e.to_string()))?;
    writer
        .write(&batch(docs, first).map_err(fail)?)
        .map_err(|e| fail(e.to_string()))?;
    writer.close().map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// Reads the inputs into `dir` (created if needed) as the `documents` table. Returns the
/// corpus account with every kept document's metadata, its text emptied.
pub fn write_documents(inputs: &[Input], read: &ReadOptions, dir: &Path) -> Result<Corpus> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Output {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut metadata: Vec<Document> = Vec::new();
    let mut pending: Vec<Document> = Vec::with_capacity(PART_DOCUMENTS);
    let mut parts = 0usize;
    let mut failure: Option<Error> = None;
    let mut flush = |pending: &mut Vec<Document>, metadata: &mut Vec<Document>| {
        if pending.is_empty() || failure.is_some() {
            return;
        }
        let first = metadata.len() as u64;
        if let Err(e) = write_part(dir, parts, pending, first) {
            failure = Some(e);
        }
        parts += 1;
        for mut d in pending.drain(..) {
            d.text = Default::default();
            d.raw = None;
            metadata.push(d);
        }
    };
    let mut corpus = read_inputs_with(inputs, read, &mut |doc| {
        pending.push(doc);
        if pending.len() >= PART_DOCUMENTS {
            flush(&mut pending, &mut metadata);
        }
    })?;
    flush(&mut pending, &mut metadata);
    if let Some(e) = failure {
        return Err(e);
    }
    corpus.documents = metadata;
    Ok(corpus)
}
