//! Replays the inputs the fuzzers found (`fuzz/regressions/<target>/`, minimised with
//! `cargo fuzz cmin`) through the same checks as the fuzz targets, decoding them the way
//! libFuzzer hands them over, so a fixed crash stays fixed without nightly tools.

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};

mod fuzz_checks;

/// The stored inputs of a target, with their file names, in name order.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let data: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.display().to_string(), std::fs::read(f).unwrap()))
        .collect();
    assert!(
        data.len() >= 10,
        "{target}: only {} stored inputs",
        data.len()
    );
    data
}

#[test]
fn jsonl_inputs() {
    for (_, data) in inputs("jsonl") {
        fuzz_checks::jsonl(&data);
    }
}

/// Decodes a stored input as the fuzz target's argument, as libFuzzer's harness does. A
/// stored input that does not decode never reached the check: that is a failure here (a
/// regression file that tests nothing), named by its file.
fn decode<'a, T: Arbitrary<'a>>(file: &str, data: &'a [u8]) -> T {
    T::arbitrary_take_rest(Unstructured::new(data))
        .unwrap_or_else(|e| panic!("{file}: the stored input does not decode: {e}"))
}

#[test]
fn normalize_inputs() {
    for (file, data) in &inputs("normalize") {
        fuzz_checks::normalize(decode::<&str>(file, data));
    }
}

#[test]
fn shingle_inputs() {
    for (file, data) in &inputs("shingle") {
        let (size, text) = decode::<(u8, &str)>(file, data);
        fuzz_checks::shingle(size, text);
    }
}

#[test]
fn align_inputs() {
    for (file, data) in &inputs("align") {
        let (knob, a, b) = decode::<(u8, &str, &str)>(file, data);
        fuzz_checks::align_texts(knob, a, b);
    }
}
