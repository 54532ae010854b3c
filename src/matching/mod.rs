//! Candidates → what documents really share: verified pairs and their families at the
//! document level; boilerplate, passages, formulas and rewrites at the passage level.
//!
//! [`verify`] keeps the candidate pairs whose exact Jaccard passes the threshold and
//! [`families`] groups them into families of copies. Below the document level,
//! [`boilerplate`] masks site chrome, [`passage`] finds and aligns shared passages with
//! character offsets in both texts, [`formula`] tells wire formulas, stock phrases and
//! shared quotes from reuse (counting the k-grams that recur across stories with
//! [`recurring`], within a memory bound), and [`paraphrase`] finds rewritten copy.

pub mod boilerplate;
pub mod families;
pub mod formula;
pub mod paraphrase;
pub mod passage;
pub mod recurring;
pub mod verify;

use std::fmt;

use serde::{Serialize, Serializer};

/// How a pair of documents was found to share text, as every output names it (`method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// MinHash/LSH proposed the pair (its documents are near-duplicates), then the passages
    /// were aligned: `"lsh+alignment"`.
    LshAlignment,
    /// Shared passage fingerprints proposed the pair, then the passages were aligned:
    /// `"fingerprints+alignment"`.
    FingerprintsAlignment,
    /// Rewritten copy, found by [`paraphrase`]: `"paraphrase"`.
    Paraphrase,
    /// A lineage edge from an inferred (unseen) source to one of its copies:
    /// `"inferred-source"`.
    InferredSource,
}

impl Method {
    /// The name in the outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::LshAlignment => "lsh+alignment",
            Method::FingerprintsAlignment => "fingerprints+alignment",
            Method::Paraphrase => "paraphrase",
            Method::InferredSource => "inferred-source",
        }
    }

    /// The method of an aligned pair, by what proposed it.
    pub fn aligned(from_lsh: bool) -> Method {
        if from_lsh {
            Method::LshAlignment
        } else {
            Method::FingerprintsAlignment
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Method {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
