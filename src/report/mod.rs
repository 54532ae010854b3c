//! Summaries of a traced corpus for people and for downstream work.
//!
//! [`audit`] summarises corpus quality (skips, duplicate rates, families, syndicating and
//! copying outlets, boilerplate, missing metadata), [`dedup`] plans which document of each
//! family to keep, and [`eval`] scores an output against labelled truth.

pub mod audit;
pub mod dedup;
pub mod eval;
