//! Queries: the likely sources of one article.
//!
//! The article is analysed as a stored document would be; its band keys and passage
//! fingerprints are looked up in every segment, and each stored document found is read
//! back, verified exactly and aligned, and oriented as lineage orients a pair (date, credit
//! line, containment). The cost follows the candidates, not the index.

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use serde::Serialize;

use super::{Analysed, Index, Ordinal};
use crate::corpus::Document;
use crate::error::Result;
use crate::formula::{self, Side, StockPhrases};
use crate::lineage::direction::TextCredits;
use crate::lineage::{self, PairEvidence};
use crate::matching::Method;
use crate::normalize::{Token, tokenize};
use crate::passage::{self, IndexedText, SharedSpan};
use crate::shingle::{ShingleSet, shingle_set, word_shingles};
use crate::verify::Similarity;

/// How a matched stored document relates to a queried article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The stored document is the likely source of the article.
    Source,
    /// The stored document looks copied from the article.
    Copy,
    /// They share text, and nothing tells which copied which (no date, credit or
    /// containment decides).
    Undetermined,
}

/// One stored document that shares text with a queried article.
#[derive(Debug, Clone)]
pub struct SourceMatch {
    /// Its ordinal.
    pub ordinal: Ordinal,
    /// The stored document.
    pub document: Document,
    /// Exact similarity of the two shingle sets (the index's scheme).
    pub similarity: Similarity,
    /// Whether LSH proposed it (else shared passage fingerprints did); see
    /// [`method`](Self::method).
    pub from_lsh: bool,
    /// Shared passages; `a` is the article, `b` the stored document.
    pub spans: Vec<SharedSpan>,
    /// Source or copy, by date, credit line, then containment.
    pub role: Role,
    /// Why that direction.
    pub reason: String,
    /// Passage k-grams the two share.
    pub shared_kgrams: usize,
}

impl SourceMatch {
    /// How the match was found: LSH or shared fingerprints, then alignment.
    pub fn method(&self) -> Method {
        Method::aligned(self.from_lsh)
    }
}

impl Index {
    /// The stored documents that share text with an article: likely sources (and copies),
    /// with exact similarity and shared passages, most of the article explained first.
    pub fn query(&self, article: &Document, limit: usize) -> Result<Vec<SourceMatch>> {
        let hasher = self.hasher();
        let (analysed, tokens) = self.analyse(article, &hasher);
        let (candidates, lsh) = self.query_candidates(&analysed)?;
        let stored = self.read_documents(&candidates)?;
        let positions = word_shingles(&tokens, self.config.passage.k);
        let kgrams = ShingleSet::from_hashes(positions.clone());
        let indexed = IndexedText::new(&tokens, self.config.passage.k);
        let article = Article {
            doc: article,
            metadata: article.metadata(),
            credits: TextCredits::of(&article.text),
            set_members: article_set_members(&analysed.set),
            kgram_members: article_set_members(&kgrams),
            set: &analysed.set,
            tokens: &tokens,
            indexed: &indexed,
            positions: &positions,
            kgrams: &kgrams,
        };
        let mut matches: Vec<SourceMatch> = candidates
            .par_iter()
            .filter_map(|&o| self.match_stored(&article, o, &stored[&o], lsh.contains(&o)))
            .collect();
        matches.sort_by(|x, y| {
            (x.role != Role::Source)
                .cmp(&(y.role != Role::Source))
                .then(y.shared_kgrams.cmp(&x.shared_kgrams))
                .then(x.ordinal.cmp(&y.ordinal))
        });
        matches.truncate(limit);
        Ok(matches)
    }

    /// The stored documents that share an LSH band or a passage fingerprint with the
    /// article (sorted, each once), and those of them LSH proposed.
    fn query_candidates(&self, analysed: &Analysed) -> Result<(Vec<Ordinal>, AHashSet<Ordinal>)> {
        let keys: Vec<(u64, u32)> = analysed.keys.iter().map(|&k| (k, 0)).collect();
        let (by_band, _) = self.band_neighbours(&keys)?;
        let no_extra: AHashMap<u64, usize> = AHashMap::new();
        let (by_passage, _) =
            self.fingerprint_neighbours(&[analysed.fingerprints.as_slice()], &no_extra)?;
        let lsh: AHashSet<Ordinal> = by_band.iter().map(|&(o, _)| o).collect();
        let mut candidates: Vec<Ordinal> = lsh
            .iter()
            .copied()
            .chain(by_passage.iter().map(|&(o, _)| o))
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        Ok((candidates, lsh))
    }

    /// The match of stored document `o` (`proposed_by_lsh`: a band candidate), or `None`
    /// when it shares no passage that is not a formula and is no near-duplicate.
    fn match_stored(
        &self,
        article: &Article,
        o: Ordinal,
        doc: &Document,
        proposed_by_lsh: bool,
    ) -> Option<SourceMatch> {
        let pc = &self.config.passage;
        // `shingle_set` is sorted and repeat-free already.
        let set = shingle_set(&doc.text, self.config.dups.scheme);
        let similarity = article.similarity(&article.set_members, article.set, &set);
        let other = tokenize(&doc.text);
        let theirs_at = word_shingles(&other, pc.k);
        let (our_side, their_side) = (
            Side {
                text: &article.doc.text,
                tokens: article.tokens,
                kgrams: article.positions,
            },
            Side {
                text: &doc.text,
                tokens: &other,
                kgrams: &theirs_at,
            },
        );
        // A formula or a shared quote is no source (stock phrases need the corpus; frames
        // and quotes are read from the two texts).
        let no_stock = StockPhrases::default();
        let spans: Vec<SharedSpan> = passage::align_indexed(article.indexed, &other, pc)
            .iter()
            .filter(|p| {
                formula::judge(p, our_side, their_side, &no_stock, pc.k, pc.min_words, true)
                    .is_none()
            })
            .map(|p| SharedSpan::locate(p, &article.doc.text, article.tokens, &doc.text, &other))
            .collect();
        let near = proposed_by_lsh && similarity.jaccard >= self.config.dups.threshold;
        if spans.is_empty() && !near {
            return None;
        }
        let theirs = ShingleSet::from_hashes(theirs_at);
        let shared = article
            .similarity(&article.kgram_members, article.kgrams, &theirs)
            .intersection;
        let evidence = PairEvidence {
            a: 0,
            b: 1,
            spans: spans.clone(),
            a_shingles: article.kgrams.len(),
            b_shingles: theirs.len(),
            shared_shingles: shared,
            from_lsh: near,
            paraphrase: false,
            templates: Vec::new(),
        };
        // The article's text is not cloned per match: its credits were read once.
        let pair = [article.metadata.clone(), doc.metadata()];
        let credits = [article.credits.clone(), TextCredits::of(&doc.text)];
        let orientation = lineage::orient_pair_with(&pair, &evidence, credits);
        Some(SourceMatch {
            ordinal: o,
            document: doc.clone(),
            similarity,
            from_lsh: near,
            spans,
            role: if !orientation.directed {
                Role::Undetermined
            } else if orientation.parent == 1 {
                Role::Source
            } else {
                Role::Copy
            },
            reason: orientation.reason,
            shared_kgrams: shared,
        })
    }
}

/// A queried article, analysed once for every stored candidate: a long article is read
/// once, and each candidate costs what the candidate holds.
struct Article<'a> {
    doc: &'a Document,
    /// The article without its text, for the direction cues.
    metadata: Document,
    /// The outlets its text credits.
    credits: TextCredits,
    /// Its shingle set and its passage k-gram set as hash sets, for intersections that
    /// cost what the candidate's set holds.
    set_members: AHashSet<u64>,
    kgram_members: AHashSet<u64>,
    /// Its shingle set under the index's scheme.
    set: &'a ShingleSet,
    /// Its tokens, their k-grams indexed for alignment, and its passage k-grams by position
    /// and as a sorted set.
    tokens: &'a [Token],
    indexed: &'a IndexedText,
    positions: &'a [u64],
    kgrams: &'a ShingleSet,
}

impl Article<'_> {
    /// Exact similarity of the article's set (`members`, the same as `ours`) with a stored
    /// document's: the intersection counted by looking up the stored document's elements.
    fn similarity(&self, members: &AHashSet<u64>, ours: &[u64], theirs: &[u64]) -> Similarity {
        let shared = theirs.iter().filter(|h| members.contains(h)).count();
        Similarity::of_counts(shared, ours.len(), theirs.len())
    }
}

fn article_set_members(set: &[u64]) -> AHashSet<u64> {
    set.iter().copied().collect()
}
