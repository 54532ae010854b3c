//! The invariants the fuzz targets check, shared with `tests/fuzz_regressions.rs` so that
//! inputs the fuzzers found are replayed by every `cargo test`.
#![allow(dead_code)]

use wiretrace::corpus::{ReadOptions, read_jsonl};
use wiretrace::normalize::{char_offset, normalized_text, tokenize};
use wiretrace::passage::{PassageConfig, SharedSpan, align};
use wiretrace::shingle::{ShingleScheme, shingle_set};

/// The JSON Lines reader: every non-blank line becomes a document or a skip.
pub fn jsonl(data: &[u8]) {
    let opts = ReadOptions {
        max_doc_bytes: 4096,
        keep_raw: true,
        ..ReadOptions::default()
    };
    let corpus = read_jsonl(data, "fuzz", &opts).expect("reading from memory cannot fail");
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.ends_with(b"\n") {
        lines.pop();
    }
    let records = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            let l = if *i == 0 {
                l.strip_prefix("\u{feff}".as_bytes()).unwrap_or(l)
            } else {
                l
            };
            !l.iter().all(u8::is_ascii_whitespace)
        })
        .count();
    assert_eq!(corpus.records_read(), records);
}

/// Tokens point at char boundaries of the original text, in order, without overlap.
pub fn normalize(text: &str) {
    let tokens = tokenize(text);
    let mut last_end = 0;
    for t in &tokens {
        assert!(t.start < t.end && t.end <= text.len());
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        assert!(t.start >= last_end);
        last_end = t.end;
        assert!(char_offset(text, t.start) <= char_offset(text, t.end));
    }
    assert_eq!(tokens.is_empty(), normalized_text(text).is_empty());
}

/// Shingle sets are sorted and repeat-free for every scheme, empty only without tokens.
pub fn shingle(size: u8, text: &str) {
    let size = usize::from(size % 16) + 1;
    for scheme in [ShingleScheme::Words(size), ShingleScheme::Chars(size)] {
        let set = shingle_set(text, scheme);
        assert!(set.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(set.is_empty(), tokenize(text).is_empty());
    }
}

/// Passages of any two texts lie inside both and locate in both originals.
pub fn align_texts(knob: u8, a_text: &str, b_text: &str) {
    let config = PassageConfig {
        k: usize::from(knob % 5) + 1,
        min_words: usize::from(knob % 7) + 1,
        max_gap: usize::from(knob / 8),
        ..PassageConfig::default()
    };
    let (a, b) = (tokenize(a_text), tokenize(b_text));
    for p in align(&a, &b, &config) {
        assert!(p.a_tokens.start < p.a_tokens.end && p.a_tokens.end <= a.len());
        assert!(p.b_tokens.start < p.b_tokens.end && p.b_tokens.end <= b.len());
        assert!(p.similarity > 0.0 && p.similarity <= 1.0 + 1e-9);
        let span = SharedSpan::locate(&p, a_text, &a, b_text, &b);
        assert!(span.a_chars.0 < span.a_chars.1 && span.b_chars.0 < span.b_chars.1);
    }
}
