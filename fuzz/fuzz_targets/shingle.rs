//! Shingle sets are sorted and repeat-free for every scheme, and empty only without tokens.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|input: (u8, &str)| checks::shingle(input.0, input.1));
