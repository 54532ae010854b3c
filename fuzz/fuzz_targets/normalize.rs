//! Tokens point at char boundaries of the original text, in order, without overlap.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::normalize(text));
