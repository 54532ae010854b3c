//! The JSON Lines reader never panics, and every non-blank line becomes a document or a skip.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::jsonl(data));
