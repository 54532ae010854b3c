//! Text → tokens → shingles: what every comparison is made of.
//!
//! [`normalize`] cuts a text into word tokens (one CJK character counts as a word) that
//! keep their byte offsets, so every span reported later points into the original text;
//! [`shingle`] hashes the overlapping word k-grams (or character n-grams) whose sets are
//! compared.

pub mod normalize;
pub mod shingle;
