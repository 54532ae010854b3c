//! JSON Lines: one JSON object per line.
//!
//! Lines are read as raw bytes so that one bad line (invalid UTF-8, broken JSON, a line
//! truncated by a crashed scraper) becomes a skip naming its line number instead of
//! stopping the whole file. Blank lines are not records and are passed over. A UTF-8 byte
//! order mark on the first line and CRLF line ends are accepted.
//!
//! A `\uD83D` escape without its other half — an emoji cut in two by a scraper that
//! truncated UTF-16 text, then written by a JSON encoder that escapes everything outside
//! ASCII — is valid JSON syntax but no character, and a strict parser refuses the whole
//! record for it. Such a record is read again with each lone surrogate escape replaced by
//! `\uFFFD` (the replacement character, as a lossy UTF-16 decoder gives) and kept, with a
//! warning naming the line and how many were replaced: one broken emoji does not lose an
//! article.

use std::io::{BufRead, BufReader, Read};

use std::fmt;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

use super::record::{FieldValue, Record};
use super::{CorpusBuilder, FieldNames, Origin, SkipReason};
use crate::error::{Error, Result};

pub(super) fn read(
    source: impl Read,
    path: &str,
    builder: &mut CorpusBuilder<'_, '_>,
) -> Result<()> {
    let mut reader = BufReader::with_capacity(1 << 16, source);
    let limit = builder.options().max_doc_bytes;
    let mut line = Vec::new();
    let mut line_no = 0usize;
    loop {
        line.clear();
        line_no += 1;
        let read =
            read_capped_line(&mut reader, &mut line, limit).map_err(|source| Error::Read {
                path: path.to_string(),
                line: line_no,
                source,
            })?;
        let Some((length, over)) = read else {
            return Ok(());
        };
        if over {
            // Over the cap: the rest of the line was passed over, not kept.
            let reason = SkipReason::TooLarge {
                bytes: length,
                limit,
                cut: false,
            };
            builder.skip(Origin::line(path, line_no), None, reason);
            continue;
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

/// Reads one line (with its `\n`) into `line`, keeping at most `cap` bytes of content
/// plus the line end: past that the line is read on to its end without being kept, so a
/// line of any length (an endless stream without a newline) takes bounded memory. Returns
/// the line's full length in bytes and whether its content is over `cap`, or `None` at the
/// end of the input.
fn read_capped_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<(usize, bool)>> {
    // Room for the cap and a CRLF, so a line exactly at the cap is kept whole.
    let keep = cap.saturating_add(2);
    let mut length = 0usize;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let (used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), available.is_empty()),
        };
        let room = keep.saturating_sub(line.len());
        line.extend_from_slice(&available[..used.min(room)]);
        length = length.saturating_add(used);
        reader.consume(used);
        if done {
            if length == 0 {
                return Ok(None);
            }
            let over = trim_line_end(line).len() > cap || length > line.len();
            return Ok(Some((length, over)));
        }
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// One line's record; its size was checked against the cap by `read_capped_line`.
fn record(bytes: &[u8], origin: Origin, builder: &mut CorpusBuilder<'_, '_>) {
    if let Err(e) = std::str::from_utf8(bytes) {
        let reason = SkipReason::InvalidUtf8 {
            line: origin.line.unwrap_or(1),
            byte: e.valid_up_to(),
        };
        return builder.skip(origin, None, reason);
    }
    let fields = &builder.options().fields;
    let parse = |bytes: &[u8]| {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        RecordSeed { fields }
            .deserialize(&mut de)
            .and_then(|record| de.end().map(|()| record))
    };
    let mut parsed = parse(bytes);
    if parsed.is_err()
        && let Some((repaired, replaced)) = without_lone_surrogates(bytes)
        && let Ok(record) = parse(&repaired)
    {
        parsed = Ok(record);
        let msg = format!(
            "{replaced} lone UTF-16 surrogate escape{} (half of a character) replaced by U+FFFD",
            if replaced == 1 { "" } else { "s" }
        );
        builder.warn(origin.clone(), msg);
    }
    let record = match parsed {
        Ok(Some(r)) => r,
        Ok(None) => return builder.skip(origin, None, SkipReason::NotAnObject),
        Err(e) => {
            let msg = if e.is_eof() {
                format!("{e} (line truncated?)")
            } else {
                e.to_string()
            };
            return builder.skip(origin, None, SkipReason::MalformedJson(msg));
        }
    };
    let raw = builder
        .options()
        .keep_raw
        // Checked to be UTF-8 above.
        .then(|| std::str::from_utf8(bytes).ok().map(str::to_string))
        .flatten();
    super::record::accept(record, origin, raw, builder);
}

/// The line with every lone UTF-16 surrogate escape (`\uD800`–`\uDFFF` not in a
/// high-then-low pair) replaced by `\uFFFD`, and how many were; `None` when there is none.
/// Escapes are read as JSON reads them: `\\u` is an escaped backslash and a `u`.
fn without_lone_surrogates(line: &[u8]) -> Option<(Vec<u8>, usize)> {
    // The code unit of a `\uXXXX` escape starting at `i`, if there is one.
    let unit = |i: usize| -> Option<u16> {
        let hex = line.get(i..i + 6)?;
        if &hex[..2] != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    };
    let mut out = Vec::with_capacity(line.len());
    let mut replaced = 0;
    let mut i = 0;
    while i < line.len() {
        if line[i] != b'\\' {
            out.push(line[i]);
            i += 1;
            continue;
        }
        match unit(i) {
            Some(0xD800..=0xDBFF)
                if unit(i + 6).is_some_and(|l| (0xDC00..=0xDFFF).contains(&l)) =>
            {
                // A pair: one character.
                out.extend_from_slice(&line[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\uFFFD");
                replaced += 1;
                i += 6;
            }
            _ => {
                // Any other escape: its two bytes (`\"`, `\\`, `\n`, or the start of a
                // `\uXXXX` kept as it is).
                let end = (i + 2).min(line.len());
                out.extend_from_slice(&line[i..end]);
                i = end;
            }
        }
    }
    (replaced > 0).then_some((out, replaced))
}

impl<'de> Deserialize<'de> for FieldValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldValueVisitor)
    }
}

struct FieldValueVisitor;

impl<'de> Visitor<'de> for FieldValueVisitor {
    type Value = FieldValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<FieldValue, E> {
        Ok(FieldValue::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<FieldValue, E> {
        Ok(FieldValue::Str(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<FieldValue, E> {
        Ok(FieldValue::Int(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<FieldValue, E> {
        Ok(FieldValue::Int(v.to_string()))
    }
    fn visit_f64<E>(self, _: f64) -> Result<FieldValue, E> {
        Ok(FieldValue::Other("a number"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<FieldValue, E> {
        Ok(FieldValue::Other("a boolean"))
    }
    fn visit_unit<E>(self) -> Result<FieldValue, E> {
        Ok(FieldValue::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FieldValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(FieldValue::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldValue, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(FieldValue::Other("an object"))
    }
}

/// Reads one JSON value as a [`Record`], picking fields by the configured names without
/// building the whole object (`None`: the value is not an object).
struct RecordSeed<'f> {
    fields: &'f FieldNames,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Option<Record>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Record>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Option<Record>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Record>, A::Error> {
        let mut r = Record::default();
        let f = self.fields;
        let mut seen: Vec<std::borrow::Cow<'de, str>> = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if seen.contains(&key) {
                if !r.repeated.iter().any(|k| *k == key) {
                    r.repeated.push(key.to_string());
                }
            } else {
                seen.push(key.clone());
            }
            let slot = if key == f.id {
                &mut r.id
            } else if key == f.text {
                &mut r.text
            } else if key == f.source {
                &mut r.source
            } else if key == f.date {
                &mut r.date
            } else if key == f.title {
                &mut r.title
            } else if key == f.url {
                &mut r.url
            } else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            *slot = map.next_value()?;
        }
        Ok(Some(r))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Record>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Option<Record>, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Option<Record>, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Option<Record>, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Option<Record>, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Option<Record>, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Option<Record>, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::without_lone_surrogates;

    fn repaired(line: &str) -> Option<(String, usize)> {
        without_lone_surrogates(line.as_bytes())
            .map(|(bytes, n)| (String::from_utf8(bytes).unwrap(), n))
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters() {
        // A high half at the end of a text, a low half alone, a high half before a letter.
        assert_eq!(
            repaired(r#"{"text": "cut \ud83d", "t": "\uDC00 x \ud800y"}"#),
            Some((
                r#"{"text": "cut \uFFFD", "t": "\uFFFD x \uFFFDy"}"#.to_string(),
                3
            ))
        );
        let fixed = repaired(r#"{"text": "cut \ud83d"}"#).unwrap().0;
        let v: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(v["text"], "cut \u{FFFD}");
    }

    #[test]
    fn pairs_other_escapes_and_escaped_backslashes_are_left_alone() {
        // A whole pair (an emoji), `\\u` (a backslash, then `ud800` as text), other escapes.
        assert_eq!(
            repaired(r#"{"text": "\ud83d\ude00 \\ud800 \" \u00e9 \n"}"#),
            None
        );
        // A pair after a lone high half: the first is replaced, the pair kept.
        assert_eq!(
            repaired(r#""\ud83d\ud83d\ude00""#),
            Some((r#""\uFFFD\ud83d\ude00""#.to_string(), 1))
        );
        // A cut escape at the very end is not a surrogate; nothing to replace.
        assert_eq!(repaired(r#""\ud8"#), None);
    }
}
