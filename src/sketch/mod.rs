//! Shingle sets → compact sketches → candidate pairs, without comparing every pair.
//!
//! [`minhash`] signs each shingle set with a fixed-length signature whose agreement
//! estimates Jaccard similarity; [`lsh`] bands the signatures so that similar documents
//! share a bucket, giving candidate pairs in near-linear time.

pub mod lsh;
pub mod minhash;
