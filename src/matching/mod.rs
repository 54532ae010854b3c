//! Candidates → what documents really share: verified pairs and their families at the
//! document level; boilerplate, passages, formulas and rewrites at the passage level.
//!
//! [`verify`] keeps the candidate pairs whose exact Jaccard passes the threshold and
//! [`families`] groups them into families of copies. Below the document level,
//! [`boilerplate`] masks site chrome, [`passage`] finds and aligns shared passages with
//! character offsets in both texts, [`formula`] tells wire formulas, stock phrases and
//! shared quotes from reuse, and [`paraphrase`] finds rewritten copy.

pub mod boilerplate;
pub mod families;
pub mod formula;
pub mod paraphrase;
pub mod passage;
pub mod verify;
