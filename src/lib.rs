//! # wiretrace
//!
//! Finds near-duplicate and republished text in a corpus of articles.
//!
//! The pipeline, one module per stage, each a pure function over a batch of documents; the
//! folders follow the data — [`corpus`] (reading), [`text`], [`sketch`], [`matching`],
//! [`lineage`], [`pipeline`] (the two drivers), [`report`], [`export`], [`index`]:
//! [`corpus`] reads folders, JSON Lines and stdin into [`Document`]s, accounting for every
//! record it skips; [`normalize`] turns text into tokens that keep their byte offsets;
//! [`shingle`] makes word k-gram (or character n-gram) hashes; [`minhash`] signs each
//! shingle set; [`lsh`] bands the signatures into candidate pairs; [`verify`] keeps the
//! candidates whose exact Jaccard passes the threshold; [`families`] groups verified pairs
//! into families. [`dups`] runs the stages in order — in memory ([`find_duplicates`]) or
//! streaming over inputs larger than memory ([`dups::stream_duplicates`] for paths,
//! [`dups::stream_documents`] for any source of documents), pushing each verified pair to
//! a [`dups::PairSink`] as it is found.
//!
//! Below the document level, [`boilerplate`] masks site chrome (newsletter blocks, "You May
//! Also Like"), [`passage`] finds and aligns shared passages with character offsets in both
//! texts, [`formula`] tells wire formulas, stock phrases and shared quotes from reuse, and
//! [`lineage`] orders copies into a `petgraph` graph, parent → child, with the evidence for
//! each edge; [`trace::find_passages`] runs these stages into a [`trace::Trace`].
//! [`audit`] summarises corpus quality, [`dedup`] plans a deduplicated corpus, [`eval`]
//! scores an output against labelled truth, [`export`] writes tables, JSON, JSON Lines,
//! DOT, GraphML and a self-contained HTML report, and [`synth`] generates corpora
//! with known truth. With the `distributed` feature, the `distributed` module runs the
//! same stages as Apache DataFusion functions, on one node or on a Ballista cluster. All
//! hashes are stable across platforms and releases (XXH3, SplitMix64), and results do not
//! depend on the number of threads.
//!
//! ```
//! use wiretrace::{Document, DupsConfig, find_duplicates};
//!
//! let wire = "BEIJING, June 5 (Xinhua) -- The National Development and Reform Commission \
//!             held a seminar Tuesday to solicit advice from industry experts.";
//! let docs = vec![
//!     Document::new("xinhua/1", wire).with_date("2019-06-05"),
//!     Document::new("portal/7", format!("Economy | {wire}")).with_date("2019-06-06"),
//! ];
//! let report = find_duplicates(&docs, &DupsConfig::default())?;
//! assert_eq!(report.pairs.len(), 1);
//! assert_eq!(report.families[0].representative, 0); // the earlier copy
//! # Ok::<(), wiretrace::Error>(())
//! ```

pub mod corpus;
#[cfg(feature = "distributed")]
pub mod distributed;
pub mod error;
pub mod export;
pub mod index;
pub mod lineage;
pub mod matching;
pub mod memory;
pub mod pipeline;
pub mod report;
pub mod sketch;
pub mod synth;
pub mod text;

// The stages by name, as they were before the folders (and as the docs above call them).
pub use matching::{
    Method, boilerplate, families, formula, paraphrase, passage, recurring, verify,
};
pub use pipeline::{dups, trace};
pub use report::{audit, dedup, eval};
pub use sketch::{lsh, minhash};
pub use text::{normalize, shingle};

pub use corpus::{Corpus, Document, Input, ReadOptions, read_inputs};
pub use dups::{DupsConfig, DupsReport, find_duplicates};
pub use error::{Error, Result};
