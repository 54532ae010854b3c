//! Records held in memory: one set of rules for every way documents arrive.
//!
//! A JSON line, a row of a data frame, a dict built in a notebook and a row of an Arrow
//! batch all come down to the same six fields — id, text, source, date, title, url — each
//! found or missing, `null`, a string, an integer or something else. [`Record`] holds them
//! as found, and one function turns a record into a [`Document`] or a [`Skip`](super::Skip):
//! a missing or `null` id or text is a skip, so is an id that is neither a string nor an
//! integer, a text that is not a string, an empty text or an id already taken; an optional
//! field of the wrong type is dropped with a warning and the document kept; a date that is
//! not ISO 8601 is kept as written, the document undated, with a warning. JSON Lines
//! ([`read_jsonl`](super::read_jsonl)) and [`read_records`] (the Python package's
//! entry) both go through it, so a record skipped by one is skipped by the other for the
//! same reason.

use super::{Corpus, CorpusBuilder, Document, Origin, ReadOptions, SkipReason, Text};

/// One of the fields wiretrace reads, as found in a record.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// Not in the record.
    #[default]
    Missing,
    /// `null` (or `None`, or a null in a column).
    Null,
    /// A string.
    Str(String),
    /// An integer, as its decimal text.
    Int(String),
    /// Anything else, named for messages: "a number", "a boolean", "an array", "an object".
    Other(&'static str),
}

/// The fields of one record, as found; everything else in it is not read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Record {
    /// The id field.
    pub id: FieldValue,
    /// The text field.
    pub text: FieldValue,
    /// The publishing outlet.
    pub source: FieldValue,
    /// The date, ISO 8601 expected.
    pub date: FieldValue,
    /// The headline.
    pub title: FieldValue,
    /// The address.
    pub url: FieldValue,
    /// Keys that appear more than once (the last value is used, as JSON parsers do).
    pub repeated: Vec<String>,
    /// Lone UTF-16 surrogates (halves of a character) the reader found in the record's
    /// strings and replaced by U+FFFD, as a lossy UTF-16 decoder does: the record is kept,
    /// with a warning.
    pub lone_surrogates: usize,
}

/// Reads records held in memory into a corpus, under the same rules as JSON Lines: every
/// record becomes a document or a skip naming `origin` (e.g. `<DataFrame>` and the 1-based
/// row); `None` stands for a row that is not a record at all (skipped as `not-an-object`,
/// as a JSON line holding an array is). A record whose text is longer than `opts.max_doc_bytes` is skipped as too large.
/// The first error the iterator yields stops the reading and is returned.
pub fn read_records<E>(
    records: impl IntoIterator<Item = Result<(Origin, Option<Record>), E>>,
    opts: &ReadOptions,
) -> std::result::Result<Corpus, E> {
    let mut documents = Vec::new();
    let mut corpus = read_records_with(records, opts, &mut |doc| documents.push(doc))?;
    corpus.documents = documents;
    Ok(corpus)
}

/// [`read_records`], handing each document to `sink` as soon as it is made (for
/// [`stream_documents`](crate::dups::stream_documents)); the returned corpus holds the
/// account (skips, warnings) and no documents.
pub fn read_records_with<E>(
    records: impl IntoIterator<Item = Result<(Origin, Option<Record>), E>>,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Document),
) -> std::result::Result<Corpus, E> {
    let mut builder = CorpusBuilder::new(opts, sink);
    for item in records {
        let (origin, record) = item?;
        let Some(record) = record else {
            builder.skip(origin, None, SkipReason::NotAnObject);
            continue;
        };
        if let FieldValue::Str(text) = &record.text
            && text.len() > opts.max_doc_bytes
        {
            let reason = SkipReason::TooLarge {
                bytes: text.len(),
                limit: opts.max_doc_bytes,
                cut: false,
            };
            let id = match &record.id {
                FieldValue::Str(s) | FieldValue::Int(s) => Some(s.clone()),
                _ => None,
            };
            builder.skip(origin, id, reason);
            continue;
        }
        accept(record, origin, None, &mut builder);
    }
    Ok(builder.finish())
}

/// One record to a document or a skip (see the module docs); `raw` is the record as
/// read, kept for `dedup` to write back.
pub(super) fn accept(
    mut record: Record,
    origin: Origin,
    raw: Option<String>,
    builder: &mut CorpusBuilder<'_, '_>,
) {
    let fields = builder.options().fields.clone();
    let id = match std::mem::take(&mut record.id) {
        FieldValue::Missing | FieldValue::Null => {
            return builder.skip(origin, None, SkipReason::MissingField(fields.id));
        }
        FieldValue::Str(s) | FieldValue::Int(s) => s,
        FieldValue::Other(_) => {
            let reason = SkipReason::WrongType {
                field: fields.id,
                expected: "a string or an integer",
            };
            return builder.skip(origin, None, reason);
        }
    };
    let text = match std::mem::take(&mut record.text) {
        FieldValue::Missing | FieldValue::Null => {
            return builder.skip(origin, Some(id), SkipReason::MissingField(fields.text));
        }
        FieldValue::Str(s) => s,
        FieldValue::Int(_) | FieldValue::Other(_) => {
            let reason = SkipReason::WrongType {
                field: fields.text,
                expected: "a string",
            };
            return builder.skip(origin, Some(id), reason);
        }
    };
    let mut doc = Document::new(id, text);
    doc.origin = origin;
    if record.lone_surrogates > 0 {
        builder.warn(
            doc.origin.clone(),
            lone_surrogates_message(record.lone_surrogates),
        );
    }
    for key in &record.repeated {
        let msg =
            format!("key '{key}' appears more than once in the record; the last value is used");
        builder.warn(doc.origin.clone(), msg);
    }
    doc.raw = raw.map(Text::from);
    doc.source = optional_string(record.source, &fields.source, &doc.origin, builder);
    doc.title = optional_string(record.title, &fields.title, &doc.origin, builder);
    doc.url = optional_string(record.url, &fields.url, &doc.origin, builder);
    doc.date = optional_string(record.date, &fields.date, &doc.origin, builder);
    builder.push_dated(doc);
}

/// The warning for a record read with `n` lone surrogates replaced by U+FFFD.
fn lone_surrogates_message(n: usize) -> String {
    format!(
        "{n} lone UTF-16 surrogate{} (half of a character) replaced by U+FFFD",
        if n == 1 { "" } else { "s" }
    )
}

/// An optional string field; a value of another type is dropped with a warning, since the
/// document itself is still usable.
fn optional_string(
    value: FieldValue,
    field: &str,
    origin: &Origin,
    builder: &mut CorpusBuilder<'_, '_>,
) -> Option<String> {
    match value {
        FieldValue::Missing | FieldValue::Null => None,
        FieldValue::Str(s) => Some(s),
        FieldValue::Int(_) => {
            let msg = format!("field '{field}' is a number, not a string; ignored");
            builder.warn(origin.clone(), msg);
            None
        }
        FieldValue::Other(kind) => {
            let msg = format!("field '{field}' is {kind}, not a string; ignored");
            builder.warn(origin.clone(), msg);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> FieldValue {
        FieldValue::Str(s.to_string())
    }

    fn read(records: Vec<Record>, opts: &ReadOptions) -> Corpus {
        let rows = records
            .into_iter()
            .enumerate()
            .map(|(i, r)| Ok::<_, ()>((Origin::line("<records>", i + 1), Some(r))));
        read_records(rows, opts).unwrap()
    }

    #[test]
    fn records_follow_the_json_lines_rules() {
        let ok = Record {
            id: FieldValue::Int("7".into()),
            text: text("Wire story text."),
            source: text("Xinhua"),
            date: text("2019-06-05"),
            title: FieldValue::Other("a number"),
            ..Record::default()
        };
        let records = vec![
            ok.clone(),
            Record {
                id: text("no-text"),
                ..Record::default()
            },
            Record {
                id: FieldValue::Other("a boolean"),
                text: text("x"),
                ..Record::default()
            },
            Record {
                id: text("7"),
                text: text("same id again"),
                ..Record::default()
            },
            Record {
                id: text("blank"),
                text: text("   "),
                ..Record::default()
            },
            Record {
                id: text("big"),
                text: text("a very long text!"),
                ..Record::default()
            },
            Record {
                id: text("bad-date"),
                text: text("Kept, undated."),
                date: text("last Tuesday"),
                ..Record::default()
            },
        ];
        let opts = ReadOptions {
            max_doc_bytes: 16,
            ..ReadOptions::default()
        };
        let corpus = read(records, &opts);
        let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["7", "bad-date"]);
        let d = &corpus.documents[0];
        assert_eq!(d.source.as_deref(), Some("Xinhua"));
        assert!(d.timestamp.is_some());
        assert_eq!(d.title, None);
        assert_eq!(corpus.documents[1].timestamp, None);
        let kinds: Vec<(String, &str)> = corpus
            .skipped
            .iter()
            .map(|s| (s.origin.to_string(), s.reason.kind()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("<records>:2".to_string(), "missing-field"),
                ("<records>:3".to_string(), "wrong-type"),
                ("<records>:4".to_string(), "duplicate-id"),
                ("<records>:5".to_string(), "empty"),
                ("<records>:6".to_string(), "too-large"),
            ]
        );
        // The title of the kept record was a number, the date of the other not ISO 8601.
        assert_eq!(corpus.warnings.len(), 2);
        assert_eq!(corpus.records_read(), 7);
    }

    #[test]
    fn a_record_read_with_lone_surrogates_replaced_is_kept_with_a_warning() {
        let records = vec![
            Record {
                id: text("cut"),
                text: text("half an emoji \u{FFFD} here"),
                title: text("x \u{FFFD}"),
                lone_surrogates: 2,
                ..Record::default()
            },
            Record {
                id: text("whole"),
                text: text("an emoji \u{1F600} whole"),
                ..Record::default()
            },
        ];
        let corpus = read(records, &ReadOptions::default());
        assert_eq!(corpus.documents.len(), 2);
        assert_eq!(corpus.documents[0].title.as_deref(), Some("x \u{FFFD}"));
        let warnings: Vec<String> = corpus.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            warnings,
            ["<records>:1: 2 lone UTF-16 surrogates (half of a character) replaced by U+FFFD"]
        );
    }

    #[test]
    fn the_first_error_stops_reading() {
        let rows = vec![
            Ok((Origin::line("<r>", 1), Some(Record::default()))),
            Err("iteration failed"),
            Ok((Origin::line("<r>", 3), None)),
        ];
        assert_eq!(
            read_records(rows, &ReadOptions::default()).unwrap_err(),
            "iteration failed"
        );
    }
}
