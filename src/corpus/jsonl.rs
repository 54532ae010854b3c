//! JSON Lines: one JSON object per line.
//!
//! Lines are read as raw bytes so that one bad line (invalid UTF-8, broken JSON, a line
//! truncated by a crashed scraper) becomes a skip naming its line number instead of
//! stopping the whole file. Blank lines are not records and are passed over. A UTF-8 byte
//! order mark on the first line and CRLF line ends are accepted.

use std::io::{BufRead, BufReader, Read};

use serde_json::{Map, Value};

use super::{CorpusBuilder, Document, Origin, SkipReason, parse_date};
use crate::error::{Error, Result};

pub(super) fn read(
    source: impl Read,
    path: &str,
    builder: &mut CorpusBuilder<'_, '_>,
) -> Result<()> {
    let mut reader = BufReader::with_capacity(1 << 16, source);
    let mut line = Vec::new();
    let mut line_no = 0usize;
    loop {
        line.clear();
        line_no += 1;
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| Error::Read {
                path: path.to_string(),
                line: line_no,
                source,
            })?;
        if n == 0 {
            return Ok(());
        }
        let mut bytes = trim_line_end(&line);
        if line_no == 1 {
            bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        record(bytes, Origin::line(path, line_no), builder);
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn record(bytes: &[u8], origin: Origin, builder: &mut CorpusBuilder<'_, '_>) {
    let limit = builder.options().max_doc_bytes;
    if bytes.len() > limit {
        let reason = SkipReason::TooLarge {
            bytes: bytes.len(),
            limit,
        };
        return builder.skip(origin, None, reason);
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let reason = SkipReason::InvalidUtf8 {
            line: origin.line.unwrap_or(1),
            byte: e.valid_up_to(),
        };
        return builder.skip(origin, None, reason);
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            let msg = if e.is_eof() {
                format!("{e} (line truncated?)")
            } else {
                e.to_string()
            };
            return builder.skip(origin, None, SkipReason::MalformedJson(msg));
        }
    };
    let Value::Object(mut obj) = value else {
        return builder.skip(origin, None, SkipReason::NotAnObject);
    };
    let fields = builder.options().fields.clone();
    let id = match obj.remove(&fields.id) {
        None | Some(Value::Null) => {
            return builder.skip(origin, None, SkipReason::MissingField(fields.id));
        }
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        Some(_) => {
            let reason = SkipReason::WrongType {
                field: fields.id,
                expected: "a string or an integer",
            };
            return builder.skip(origin, None, reason);
        }
    };
    let text = match obj.remove(&fields.text) {
        None | Some(Value::Null) => {
            return builder.skip(origin, Some(id), SkipReason::MissingField(fields.text));
        }
        Some(Value::String(s)) => s,
        Some(_) => {
            let reason = SkipReason::WrongType {
                field: fields.text,
                expected: "a string",
            };
            return builder.skip(origin, Some(id), reason);
        }
    };
    let mut doc = Document::new(id, text);
    doc.origin = origin;
    doc.source = optional_string(&mut obj, &fields.source, &doc.origin, builder);
    doc.title = optional_string(&mut obj, &fields.title, &doc.origin, builder);
    doc.url = optional_string(&mut obj, &fields.url, &doc.origin, builder);
    doc.date = optional_string(&mut obj, &fields.date, &doc.origin, builder);
    if let Some(date) = &doc.date {
        doc.timestamp = parse_date(date);
        if doc.timestamp.is_none() && !date.trim().is_empty() {
            let msg = format!("date '{date}' is not ISO 8601; document kept without a date");
            builder.warn(doc.origin.clone(), msg);
        }
    }
    builder.push(doc);
}

/// An optional string field; a value of another type is dropped with a warning, since the
/// document itself is still usable.
fn optional_string(
    obj: &mut Map<String, Value>,
    field: &str,
    origin: &Origin,
    builder: &mut CorpusBuilder<'_, '_>,
) -> Option<String> {
    match obj.remove(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            let kind = match other {
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::Array(_) => "an array",
                _ => "an object",
            };
            let msg = format!("field '{field}' is {kind}, not a string; ignored");
            builder.warn(origin.clone(), msg);
            None
        }
    }
}
