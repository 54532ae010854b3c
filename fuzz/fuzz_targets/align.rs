//! Alignment of any two texts gives passages inside both, locatable in the originals.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|input: (u8, &str, &str)| checks::align_texts(
    input.0, input.1, input.2
));
