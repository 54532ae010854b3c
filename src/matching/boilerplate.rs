//! Boilerplate: text a site repeats around its articles, told apart from real reuse.
//!
//! Newsletter sign-ups, "You May Also Like" blocks, share bars and site headers are copied
//! verbatim between documents, yet they say nothing about who copied whom. They are found
//! line by line (a line is the text between two line breaks, compared by its normalised
//! tokens) and masked out before passages are aligned, so they never become lineage
//! evidence. A line is boilerplate when either rule holds:
//!
//! 1. **Template block**: it belongs to a run of consecutive lines, each at most
//!    [`BoilerplateConfig::short_line_words`] words, whose neighbouring lines also stand
//!    next to each other in some unrelated document (another near-duplicate family). Menus and calls to action are short lines
//!    that recur together; wire copy is prose. One shared headline alone is not a block,
//!    nor is a headline that merely follows a site header.
//! 2. **Widespread**: it occurs in at least [`BoilerplateConfig::min_docs`] unrelated
//!    documents — documents of one near-duplicate family count once, so a wire story
//!    reposted by fifty outlets is not boilerplate, while a disclaimer pasted under fifty
//!    different stories is.
//!
//! Consecutive boilerplate lines form a [`Template`], listed with the number of documents
//! that carry it.
//!
//! Cost: two passes over the tokens, O(corpus). The first counts the families of each
//! line and of each pair of adjacent lines, as (line, family) entries grouped by line
//! within a memory bound (the external group-by of [`crate::recurring`], past the bound in
//! temporary files); the second reads each document's lines again and masks them. No
//! document's lines are held beyond its block of [`LINES_BLOCK`].

use std::borrow::Cow;
use std::ops::Range;

use ahash::AHashMap;
use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

use crate::normalize::Token;
use crate::recurring::{Partitioned, groups_per_key};

/// Parameters of boilerplate detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoilerplateConfig {
    /// A line in at least this many unrelated documents is boilerplate (rule 2).
    pub min_docs: usize,
    /// Lines of at most this many words can form a template block (rule 1).
    pub short_line_words: usize,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        BoilerplateConfig {
            min_docs: 10,
            short_line_words: 12,
        }
    }
}

/// A boilerplate block found in the corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Template {
    /// The block's text as it appears in the first document that carries it.
    pub text: String,
    /// Number of documents carrying it.
    pub documents: usize,
    /// Up to five of those documents (input indices).
    pub examples: Vec<u32>,
    /// Which rule found it.
    pub rule: Rule,
}

/// The rule that makes a line boilerplate (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A run of short lines that recur together in unrelated documents (rule 1).
    TemplateBlock,
    /// A line in at least [`BoilerplateConfig::min_docs`] unrelated documents (rule 2).
    Widespread,
}

impl Rule {
    /// The rule's name in outputs: `template-block` or `widespread`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::TemplateBlock => "template-block",
            Rule::Widespread => "widespread",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// What boilerplate detection found.
#[derive(Debug, Clone, Default)]
pub struct Boilerplate {
    /// For each document, the byte ranges of its boilerplate lines, in order.
    pub masks: Vec<Vec<Range<usize>>>,
    /// Templates, most widespread first.
    pub templates: Vec<Template>,
}

impl Boilerplate {
    /// Is the token inside a boilerplate range of document `doc`?
    pub fn covers(&self, doc: usize, token: &Token) -> bool {
        self.masks.get(doc).is_some_and(|ranges| {
            let i = ranges.partition_point(|r| r.end <= token.start);
            ranges.get(i).is_some_and(|r| r.start <= token.start)
        })
    }
}

/// One non-empty line of a document: its byte range, word count and hash.
struct Line {
    bytes: Range<usize>,
    words: usize,
    hash: u64,
}

fn lines(text: &str, tokens: &[Token]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut t = 0;
    let mut start = 0;
    for segment in text.split_inclusive('\n') {
        let end = start + segment.len();
        let first = t;
        while t < tokens.len() && tokens[t].start < end {
            t += 1;
        }
        if t > first {
            let mut buf = Vec::with_capacity((t - first) * 8);
            for tok in &tokens[first..t] {
                buf.extend_from_slice(&tok.hash.to_le_bytes());
            }
            out.push(Line {
                bytes: tokens[first].start..tokens[t - 1].end,
                words: t - first,
                hash: xxh3_64(&buf),
            });
        }
        start = end;
    }
    out
}

/// Finds boilerplate lines in a batch of documents.
///
/// `texts[i]` and `tokens[i]` are document i's text and tokens; `family[i]` is its
/// near-duplicate family (any id shared by the members; unique for singletons).
pub fn detect(
    texts: &[&str],
    tokens: &[Vec<Token>],
    family: &[u32],
    config: &BoilerplateConfig,
) -> Boilerplate {
    detect_with(texts, |i| Cow::Borrowed(&tokens[i]), family, config)
}

/// [`detect`] with document i's tokens given by `tokens(i)` when its lines are read (twice
/// per document: once to count, once to mask), so that a caller need not hold every
/// document's tokens at once. The counts are held in memory.
pub fn detect_with<'t>(
    texts: &[&str],
    tokens: impl Fn(usize) -> Cow<'t, [Token]> + Sync + Send,
    family: &[u32],
    config: &BoilerplateConfig,
) -> Boilerplate {
    let held = || Ok(Partitioned::held());
    match detect_within(texts, tokens, family, config, held) {
        Ok(found) => found,
        Err(e) => unreachable!("counts held in memory touch no file: {e}"),
    }
}

/// Documents whose lines are read at a time, in parallel, in each pass of boilerplate
/// detection.
pub const LINES_BLOCK: usize = 4096;

/// [`detect_with`], the counts kept in the stores `store()` makes (two: lines and pairs of
/// adjacent lines), which may move them to files; their errors stop the detection.
pub(crate) fn detect_within<'t>(
    texts: &[&str],
    tokens: impl Fn(usize) -> Cow<'t, [Token]> + Sync + Send,
    family: &[u32],
    config: &BoilerplateConfig,
    store: impl Fn() -> std::io::Result<Partitioned>,
) -> std::io::Result<Boilerplate> {
    let lines_of = |i: usize| lines(texts[i], &tokens(i));
    let blocks_of_lines = || {
        (0..texts.len()).step_by(LINES_BLOCK).map(|block| {
            let end = texts.len().min(block + LINES_BLOCK);
            let read: Vec<Vec<Line>> = (block..end).into_par_iter().map(lines_of).collect();
            (block, read)
        })
    };
    let counts = LineCounts::of(blocks_of_lines(), family, store()?, store()?)?;
    let mut masks = Vec::with_capacity(texts.len());
    let mut blocks: AHashMap<u64, Block> = AHashMap::new();
    for (first, doc_lines) in blocks_of_lines() {
        for (doc, ls) in (first..).zip(&doc_lines) {
            let rules = counts.rules(ls, config);
            masks.push(mask(doc, texts[doc], ls, &rules, &mut blocks));
        }
    }
    Ok(Boilerplate {
        masks,
        templates: ranked(blocks),
    })
}

/// In how many distinct families each line hash occurs, and each pair of adjacent lines:
/// a template is lines that recur *together* in unrelated documents (copies of one story
/// from one outlet share its header and headline without making them a template).
///
/// Only the counts of two families or more are kept: it is asked of lines and pairs the
/// documents have, so anything not kept occurs in one family. They are counted by grouping
/// (line, family) entries, 12 bytes a line of the corpus, in a store that may move them to
/// files ([`Partitioned`]), rather than with a set of families per distinct line, which
/// allocated a table for each of a large corpus's millions of lines and kept them for the
/// whole stage. A pair of adjacent lines is one key, a hash of the two lines' hashes.
struct LineCounts {
    families_with: AHashMap<u64, u32>,
    adjacent: AHashMap<u64, u32>,
}

impl LineCounts {
    /// The counts of the lines of every document, read a block of documents at a time
    /// (the first document's number and each one's lines).
    fn of(
        blocks: impl Iterator<Item = (usize, Vec<Vec<Line>>)>,
        family: &[u32],
        mut lines: Partitioned,
        mut pairs: Partitioned,
    ) -> std::io::Result<LineCounts> {
        let mut keys = Vec::new();
        for (first, doc_lines) in blocks {
            for (doc, ls) in (first..).zip(&doc_lines) {
                keys.clear();
                keys.extend(ls.iter().map(|l| l.hash));
                lines.push(family[doc], &keys)?;
                keys.clear();
                keys.extend(ls.windows(2).map(|w| adjacent_key(w[0].hash, w[1].hash)));
                pairs.push(family[doc], &keys)?;
            }
        }
        Ok(LineCounts {
            families_with: in_two_families_or_more(lines)?,
            adjacent: in_two_families_or_more(pairs)?,
        })
    }

    /// The number of families line `h` (a line of some document) occurs in.
    fn families(&self, h: u64) -> usize {
        self.families_with.get(&h).map_or(1, |&n| n as usize)
    }

    /// The rule, if any, that makes each line of a document boilerplate.
    fn rules(&self, ls: &[Line], config: &BoilerplateConfig) -> Vec<Option<Rule>> {
        let short_shared: Vec<bool> = ls
            .iter()
            .map(|l| l.words <= config.short_line_words && self.families(l.hash) >= 2)
            .collect();
        // link[i]: lines i and i + 1 are both short, shared, and found together elsewhere.
        let link: Vec<bool> = (0..ls.len().saturating_sub(1))
            .map(|i| {
                short_shared[i]
                    && short_shared[i + 1]
                    && self
                        .adjacent
                        .get(&adjacent_key(ls[i].hash, ls[i + 1].hash))
                        .is_some_and(|&n| n >= 2)
            })
            .collect();
        (0..ls.len())
            .map(|i| {
                let in_block = (i > 0 && link[i - 1]) || link.get(i).copied().unwrap_or(false);
                if in_block {
                    Some(Rule::TemplateBlock)
                } else {
                    (self.families(ls[i].hash) >= config.min_docs).then_some(Rule::Widespread)
                }
            })
            .collect()
    }
}

/// The key of two adjacent lines, `first` then `second` (by their hashes).
fn adjacent_key(first: u64, second: u64) -> u64 {
    let mut both = [0u8; 16];
    both[..8].copy_from_slice(&first.to_le_bytes());
    both[8..].copy_from_slice(&second.to_le_bytes());
    xxh3_64(&both)
}

/// The keys of a store's (key, family) entries found with two distinct families or more,
/// and their number of families.
fn in_two_families_or_more(store: Partitioned) -> std::io::Result<AHashMap<u64, u32>> {
    let found = store.sorted_partitions(|entries| {
        groups_per_key(entries, |e| e.key)
            .filter(|&(_, families)| families >= 2)
            .map(|(key, families)| (key, families as u32))
            .collect::<Vec<_>>()
    })?;
    Ok(found.into_iter().flatten().collect())
}

/// A run of boilerplate lines as found across the corpus: the first document that carries
/// it, how many do, up to five examples, the rule of its first line, and its text there.
struct Block {
    first: usize,
    count: usize,
    examples: Vec<u32>,
    rule: Rule,
    text: String,
}

/// The byte ranges of a document's boilerplate lines; each run of them is counted in
/// `blocks`, keyed by the hashes of its lines.
fn mask(
    doc: usize,
    text: &str,
    ls: &[Line],
    rules: &[Option<Rule>],
    blocks: &mut AHashMap<u64, Block>,
) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < ls.len() {
        let Some(rule) = rules[i] else {
            i += 1;
            continue;
        };
        let mut j = i;
        let mut buf = Vec::new();
        while j < ls.len() && rules[j].is_some() {
            buf.extend_from_slice(&ls[j].hash.to_le_bytes());
            ranges.push(ls[j].bytes.clone());
            j += 1;
        }
        let block = blocks.entry(xxh3_64(&buf)).or_insert_with(|| Block {
            first: doc,
            count: 0,
            examples: Vec::new(),
            rule,
            text: text[ls[i].bytes.start..ls[j - 1].bytes.end].to_string(),
        });
        block.count += 1;
        if block.examples.len() < 5 && block.examples.last() != Some(&(doc as u32)) {
            block.examples.push(doc as u32);
        }
        i = j;
    }
    ranges
}

/// The blocks as templates, most widespread first, then in order of first appearance.
fn ranked(blocks: AHashMap<u64, Block>) -> Vec<Template> {
    let mut blocks: Vec<Block> = blocks.into_values().collect();
    blocks.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.first.cmp(&b.first))
            .then(a.text.cmp(&b.text))
    });
    blocks
        .into_iter()
        .map(|b| Template {
            text: b.text,
            documents: b.count,
            examples: b.examples,
            rule: b.rule,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;

    fn run(texts: &[&str], family: &[u32], config: &BoilerplateConfig) -> Boilerplate {
        let tokens: Vec<Vec<Token>> = texts.iter().map(|t| tokenize(t)).collect();
        detect(texts, &tokens, family, config)
    }

    const FOOTER: &str =
        "Sign Up for Our Newsletters\n\nGet notified of important news.\n\nYou May Also Like\n";

    #[test]
    fn shared_short_line_block_is_a_template() {
        let a = format!(
            "Copper prices rose on strong demand from builders in the south.\n\n{FOOTER}Teaser one\n"
        );
        let b = format!(
            "Lithium fell as new mines opened in Australia and Africa.\n\n{FOOTER}Teaser two\n"
        );
        let texts = [a.as_str(), b.as_str()];
        let bp = run(&texts, &[0, 1], &BoilerplateConfig::default());
        assert_eq!(bp.templates.len(), 1);
        assert_eq!(bp.templates[0].documents, 2);
        assert_eq!(bp.templates[0].rule, Rule::TemplateBlock);
        assert!(
            bp.templates[0]
                .text
                .starts_with("Sign Up for Our Newsletters")
        );
        assert!(bp.templates[0].text.ends_with("You May Also Like"));
        let start = a.find("Sign").unwrap();
        assert_eq!(bp.masks[0].first().unwrap().start, start);
        let tokens = tokenize(&a);
        assert!(!bp.covers(0, &tokens[0]));
        assert!(bp.covers(0, tokens.iter().find(|t| t.start == start).unwrap()));
    }

    #[test]
    fn counts_moved_to_files_find_what_counts_held_find() {
        // Three blocks of documents and more: a footer block under every fifth story, a
        // disclaimer under every seventh, families of three copies, and stories of their own.
        let disclaimer = "This story was produced with material from wire services and has \
            been edited for length and clarity by our desk.";
        let texts: Vec<String> = (0..2 * LINES_BLOCK + 700)
            .map(|i| {
                let story = i / 3;
                let mut t = format!(
                    "Story {story} on the markets: prices of item {story} moved.\n\n\
                     Traders in city {} said demand for lot {story} held up.\n",
                    story % 97
                );
                if story % 5 == 0 {
                    t.push_str(FOOTER);
                    t.push_str(&format!("Teaser {i}\n"));
                }
                if story % 7 == 0 {
                    t.push_str(disclaimer);
                }
                t
            })
            .collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let family: Vec<u32> = (0..texts.len() as u32).map(|i| i / 3).collect();
        let config = BoilerplateConfig::default();
        let held = run(&texts, &family, &config);
        let footed = (0..texts.len()).filter(|i| (i / 3) % 5 == 0).count();
        assert!(
            held.templates.iter().any(|t| t.rule == Rule::TemplateBlock
                && t.text.starts_with("Sign Up")
                && t.documents == footed),
            "{:?}",
            held.templates
        );
        assert!(
            held.templates.iter().any(
                |t| t.rule == Rule::Widespread && t.text.starts_with("This story was produced")
            )
        );
        let dir = tempfile::tempdir().unwrap();
        for held_bytes in [0, 600, 1 << 30] {
            let moved = detect_within(
                &texts,
                |i| Cow::Owned(tokenize(texts[i])),
                &family,
                &config,
                || Partitioned::new(dir.path(), held_bytes),
            )
            .unwrap();
            assert_eq!(moved.masks, held.masks, "{held_bytes}");
            assert_eq!(moved.templates, held.templates, "{held_bytes}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // A store that cannot be made stops the detection with its error.
        let refused = detect_within(
            &texts,
            |i| Cow::Owned(tokenize(texts[i])),
            &family,
            &config,
            || Err(std::io::Error::other("no room")),
        );
        assert_eq!(refused.unwrap_err().to_string(), "no room");
    }

    #[test]
    fn a_single_shared_headline_is_not_boilerplate() {
        let a = "Rare earth quota raised\nThe ministry raised the quota by a fifth this year.\n";
        let b = "Rare earth quota raised\nMiners welcomed the decision, which had been expected.\n";
        let bp = run(&[a, b], &[0, 1], &BoilerplateConfig::default());
        assert!(bp.templates.is_empty());
    }

    #[test]
    fn widespread_lines_count_families_not_copies() {
        let disclaimer = "This story was produced with material from wire services and has been edited for length and clarity by our desk.";
        let texts: Vec<String> = (0..4)
            .map(|i| format!("Story number {i} is about something else entirely.\n{disclaimer}\n"))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let config = BoilerplateConfig {
            min_docs: 3,
            ..Default::default()
        };
        // Four unrelated documents: widespread.
        let bp = run(&refs, &[0, 1, 2, 3], &config);
        assert_eq!(bp.templates.len(), 1);
        assert_eq!(bp.templates[0].rule, Rule::Widespread);
        assert_eq!(bp.templates[0].documents, 4);
        // The same four as reposts of one story (one family): not boilerplate.
        let bp = run(&refs, &[0, 0, 0, 0], &config);
        assert!(bp.templates.is_empty());
    }
}
