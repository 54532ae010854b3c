//! The two drivers that run the stages in order.
//!
//! [`dups`] is the document level — shingle, sign, band, verify, group — in memory or
//! streaming over inputs larger than memory, pushing each verified pair to a sink.
//! [`trace`] is the passage level on top of it — boilerplate, passages, formulas,
//! rewrites — run by [`trace::find_passages`] into a [`trace::Trace`], which the lineage
//! graph is built from.

pub mod dups;
pub mod trace;
