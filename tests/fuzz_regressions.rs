//! Replays the inputs the fuzzers found (`fuzz/regressions/<target>/`, minimised with
//! `cargo fuzz cmin`) through the same checks as the fuzz targets, decoding them the way
//! libFuzzer hands them over, so a fixed crash stays fixed without nightly tools.

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};

mod fuzz_checks;

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let data: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(
        data.len() >= 10,
        "{target}: only {} stored inputs",
        data.len()
    );
    data
}

#[test]
fn jsonl_inputs() {
    for data in inputs("jsonl") {
        fuzz_checks::jsonl(&data);
    }
}

#[test]
fn normalize_inputs() {
    for data in inputs("normalize") {
        if let Ok(text) = <&str>::arbitrary_take_rest(Unstructured::new(&data)) {
            fuzz_checks::normalize(text);
        }
    }
}

#[test]
fn shingle_inputs() {
    for data in inputs("shingle") {
        if let Ok((size, text)) = <(u8, &str)>::arbitrary_take_rest(Unstructured::new(&data)) {
            fuzz_checks::shingle(size, text);
        }
    }
}

#[test]
fn align_inputs() {
    for data in inputs("align") {
        if let Ok((knob, a, b)) = <(u8, &str, &str)>::arbitrary_take_rest(Unstructured::new(&data))
        {
            fuzz_checks::align_texts(knob, a, b);
        }
    }
}
