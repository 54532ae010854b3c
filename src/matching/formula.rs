//! Stock phrases and templates: wording that many unrelated stories share is the house
//! style of news, not evidence that one story copied another.
//!
//! Wire copy is written in formulas. Two bond notices read "… is issuing a 100 mln dlr
//! eurobond due 1992 paying 8-1/2 pct …, said lead manager X" word for word except for the
//! issuer, the amount and the coupon; every weekly stock report says "… in the week ended
//! … to … mln barrels from … mln the previous week, the American Petroleum Institute said";
//! "did not immediately respond to a request for comment" closes thousands of stories.
//! Aligned verbatim, such pairs look like passages, and as lineage evidence they chain
//! unrelated stories into one family. A passage found by [`crate::passage::align`] is
//! judged here, on two kinds of evidence, before it may count as reuse:
//!
//! 1. **Stock phrases, learned from the corpus.** A word k-gram found in at least
//!    `min_stories` unrelated stories (documents of one near-duplicate or containment
//!    family count once, as for boilerplate) is formulaic. An exact run of shared words
//!    made only of formulaic k-grams and shorter than [`STOCK_RUN_MAX_WORDS`] — a phrase or
//!    a sentence, not a paragraph — is a stock phrase. A passage whose shared words outside
//!    stock phrases are fewer than half the least passage length is made of formulas: this
//!    is also what stops the gap rule from joining two stock sentences into one passage.
//!    A lifted paragraph is longer than a sentence, so a wire paragraph quoted by fifty
//!    outlets stays reuse however common it is.
//! 2. **Frames: same wording, different specifics.** A template repeats its wording and
//!    changes its *specifics* — numbers, and names (words capitalised in the original text
//!    that do not begin a sentence or a paragraph). A passage tells two events in one
//!    formula when its two sides both carry figures and share at most half of the smaller
//!    side's, or both carry two names or more and share fewer than half, or when each side
//!    has three or more specifics of its own, at least a quarter as many as they share —
//!    two bond notices by one lead manager share its name and the denominations, not the
//!    issuer, the coupon or the dates; an edited copy adds a name, not three. A copy carries its
//!    source's figures and names: a story re-sent with the same figures stays reuse.
//!
//! 3. **Shared quotes.** A passage that lies inside quotation marks in both texts is two
//!    write-ups quoting one speaker — pages on one event share the minister's words —
//!    not one copying the other. It is listed with `"kind": "quote"`, never lineage
//!    evidence; a copy of a story that quotes someone shares the text around the quote
//!    too, and that stays reuse.
//!
//! 4. **Formulas whose specifics happen to agree.** Two bond notices by different issuers
//!    may align on just their closing lines — "available in denominations of 1,000 and
//!    10,000 dlrs and will be listed in Luxembourg. The selling concession is 1-1/4 pct …"
//!    — where every figure and name agrees, so the frame test sees one event. Such
//!    specifics agree because they are *commonplace*: found in [`COMMONPLACE_SHARE`] of
//!    the corpus's stories (and in `min_stories`), as the rating agency of every rating
//!    story is, or the usual selling concession. And the wording is a formula's once its
//!    figures are masked: its k-grams, each figure replaced by one token
//!    ([`figure_kgrams`]), recur in `min_stories` unrelated stories. A passage whose exact
//!    runs are at least [`FORMULA_WORDING`] such formula, between two stories that are not
//!    about one thing, is a frame too. Two stories about one thing — a follow-up quoting
//!    yesterday's wire paragraph, a digest lifting a story, an earnings table re-sent —
//!    share its name, or several of its figures, somewhere in their texts: a name that is
//!    not commonplace, or [`FIGURES_THAT_RELATE`] figures that are not
//!    ([`share_distinctive`]). One figure is not enough, as formulas draw their terms
//!    from a short menu: two issuers' convertible notices both `due 2012`, two debentures
//!    with the same sinking fund. (Where a script has no capitals, as Chinese has not, no
//!    name can be read and one figure is enough.) A name is read whole, as a run of
//!    capitalised words; one that opens a sentence is read with and without its first
//!    word (`The Murray Ohio Manufacturing Co said`). Nor does a name tell one thing
//!    when the formula supplies it: the lead manager of `said lead manager Credit Suisse
//!    First Boston Ltd`, the agency of `rated B-3 by Moody's`, found with the same two
//!    words before it in `min_stories` unrelated stories ([`MenuNames`]) — two issuers'
//!    notices by one bank share its name, not their subject. A notice sent twice word for
//!    word (the passage is the whole of both texts) stays a copy however formulaic.
//!
//! A passage judged so is a [`TemplateSpan`]: listed by `passages` with `"kind":
//! "template"`, grouped into *frames* (template passages that share most of their
//! wording, found by min-hash keys, with the number of stories using the frame) for
//! `passages` and `audit`, and never lineage evidence.
//!
//! Cost: stock phrases, figure k-grams, specifics and name usages are counted in 16 hash
//! shards of their per-document sets (one sort each, a sixteenth of the hashes in memory
//! at a time); each document's name usages (two hashes a name) are held until the menu
//! is learned, its specifics while passages are judged (a few dozen hashes); judging a
//! passage reads its own tokens once.

use std::ops::Range;

use ahash::{AHashMap, AHashSet};
use petgraph::unionfind::UnionFind;
use rayon::prelude::*;
use serde::Serialize;

use crate::normalize::Token;
use crate::passage::{MatchRun, Passage, SharedSpan, merge_ranges};
use crate::recurring::{RecurringKgrams, groups_per_key};
use crate::shingle::{ShingleSet, kgram_hash_of};

/// Exact runs of formulaic k-grams shorter than this many words are stock phrases; a run
/// this long is a paragraph lifted from somewhere, however common.
pub const STOCK_RUN_MAX_WORDS: usize = 25;

/// Hash shards in which stock phrases are counted.
const SHARDS: u64 = 16;

/// The formulaic k-grams of a corpus: those found in at least `min_stories` unrelated
/// stories; and its figure frames and commonplace specifics (see
/// [`StockPhrases::with_frames`]).
#[derive(Debug, Clone, Default)]
pub struct StockPhrases {
    formulaic: AHashSet<u64>,
    min_stories: usize,
    /// Figure k-grams ([`figure_kgrams`]) found in `min_stories` unrelated stories.
    figure_frames: AHashSet<u64>,
    /// Specifics ([`specifics_of`]) found in [`COMMONPLACE_SHARE`] of the stories.
    commonplace: AHashSet<u64>,
}

/// A specific (figure or name) found in at least this share of a corpus's unrelated
/// stories (and in `min_stories`) is commonplace: two stories agreeing on it say nothing
/// of being one event, as two in two hundred random pairs would.
pub const COMMONPLACE_SHARE: f64 = 1.0 / 200.0;

impl StockPhrases {
    /// Learns the formulaic k-grams from each document's sorted, distinct content k-gram
    /// hashes and its story (documents of one story share a label). `min_stories == 0`
    /// learns nothing.
    pub fn learn(kgrams: &[ShingleSet], story: &[u32], min_stories: usize) -> Self {
        StockPhrases {
            formulaic: in_stories(kgrams, story, min_stories),
            min_stories,
            figure_frames: AHashSet::new(),
            commonplace: AHashSet::new(),
        }
    }

    /// [`StockPhrases::learn`] from the k-grams counted by `counter`, into which each
    /// document's content k-grams were pushed with its story: the same phrases, without
    /// every document's k-grams held at once.
    pub fn counted(counter: RecurringKgrams, min_stories: usize) -> std::io::Result<Self> {
        Ok(StockPhrases {
            formulaic: counter.in_stories(min_stories)?,
            min_stories,
            figure_frames: AHashSet::new(),
            commonplace: AHashSet::new(),
        })
    }

    /// Learns, as well, the corpus's *figure frames* and *commonplace specifics*, which
    /// tell a formula whose figures happen to agree (step 4 of the [module
    /// documentation](self)): the k-grams holding a figure, the figures masked
    /// (`figure_kgrams`, per document, from [`figure_kgrams`]), found in `min_stories`
    /// unrelated stories; and the specifics (`specifics`, per document, from
    /// [`specifics_of`]) found in at least [`COMMONPLACE_SHARE`] of the stories and in
    /// `min_stories` — the rating agency of every rating story, the exchange where every
    /// eurobond is listed, a round denomination, the usual selling concession.
    pub fn with_frames(
        mut self,
        figure_kgrams: &[ShingleSet],
        specifics: &[ShingleSet],
        story: &[u32],
    ) -> Self {
        let stories = story.iter().copied().collect::<AHashSet<u32>>().len();
        let least = ((stories as f64 * COMMONPLACE_SHARE).ceil() as usize).max(self.min_stories);
        self.figure_frames = in_stories(figure_kgrams, story, self.min_stories);
        self.commonplace = in_stories(specifics, story, least);
        self
    }

    /// Is this specific (a hash from [`specifics_of`]) commonplace in the corpus?
    pub fn is_commonplace(&self, specific: u64) -> bool {
        self.commonplace.contains(&specific)
    }

    /// Number of commonplace specifics.
    pub fn commonplace_len(&self) -> usize {
        self.commonplace.len()
    }

    /// Number of figure frames: k-grams holding a figure, masked, found in
    /// `min_stories` unrelated stories.
    pub fn figure_frames_len(&self) -> usize {
        self.figure_frames.len()
    }

    /// Is a k-gram formulaic: its hash (`kgram`), or when it holds a figure its masked
    /// hash (`masked`, [`figure_kgrams`]), in `min_stories` unrelated stories?
    fn formulaic_kgram(&self, kgram: Option<u64>, masked: Option<u64>) -> bool {
        match masked {
            Some(h) => self.figure_frames.contains(&h),
            None => kgram.is_some_and(|h| self.formulaic.contains(&h)),
        }
    }

    /// Is this k-gram formulaic?
    pub fn contains(&self, kgram: u64) -> bool {
        self.formulaic.contains(&kgram)
    }

    /// Number of formulaic k-grams.
    pub fn len(&self) -> usize {
        self.formulaic.len()
    }

    /// Whether no k-gram is formulaic.
    pub fn is_empty(&self) -> bool {
        self.formulaic.is_empty()
    }

    /// The least number of unrelated stories that makes a k-gram formulaic.
    pub fn min_stories(&self) -> usize {
        self.min_stories
    }
}

/// The hashes found in at least `min_stories` distinct stories (`story[d]` is document
/// d's story), counted in [`SHARDS`] hash shards of the sets (a sixteenth of the hashes in
/// memory at a time). Nothing when `min_stories` is 0 or there are fewer stories.
fn in_stories(sets: &[ShingleSet], story: &[u32], min_stories: usize) -> AHashSet<u64> {
    let stories: AHashSet<u32> = story.iter().copied().collect();
    if min_stories == 0 || stories.len() < min_stories {
        return AHashSet::new();
    }
    let shards: Vec<Vec<u64>> = (0..SHARDS)
        .into_par_iter()
        .map(|shard| {
            let mut seen: Vec<(u64, u32)> = sets
                .iter()
                .zip(story)
                .flat_map(|(set, &s)| {
                    set.iter()
                        .filter(move |&&h| h % SHARDS == shard)
                        .map(move |&h| (h, s))
                })
                .collect();
            seen.sort_unstable();
            groups_per_key(&seen, |e| e.0)
                .filter(|&(_, stories)| stories >= min_stories)
                .map(|(h, _)| h)
                .collect()
        })
        .collect();
    shards.into_iter().flatten().collect()
}

/// One side of an aligned pair: the original text, its content tokens and their k-gram
/// hashes (position i = the k-gram starting at token i).
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Original text.
    pub text: &'a str,
    /// Content tokens (boilerplate removed).
    pub tokens: &'a [Token],
    /// Word k-gram hashes of `tokens`.
    pub kgrams: &'a [u64],
}

/// Why a passage is a template rather than reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TemplateReason {
    /// Its shared words are stock phrases of the corpus.
    StockPhrases,
    /// Same wording, different numbers or names.
    Frame,
    /// Words inside quotation marks in both texts: two write-ups quoting one speaker.
    Quote,
}

impl TemplateReason {
    /// Name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateReason::StockPhrases => "stock-phrases",
            TemplateReason::Frame => "frame",
            TemplateReason::Quote => "quote",
        }
    }
}

/// Judges one aligned passage: `None` when it is reuse, else why it is a template.
/// `k` is the k-gram length, `min_words` the least passage length.
pub fn judge(
    p: &Passage,
    a: Side,
    b: Side,
    stock: &StockPhrases,
    k: usize,
    min_words: usize,
    related: bool,
) -> Option<TemplateReason> {
    if own_words(&p.runs, a.kgrams, stock, k) * 2 < min_words {
        return Some(TemplateReason::StockPhrases);
    }
    let bytes = |side: &Side, r: &Range<usize>| {
        side.tokens
            .get(r.start)
            .zip(side.tokens.get(r.end.wrapping_sub(1)))
            .map(|(f, l)| (f.start, l.end))
    };
    if let (Some((sa, ea)), Some((sb, eb))) = (bytes(&a, &p.a_tokens), bytes(&b, &p.b_tokens))
        && quoted(a.text, sa, ea)
        && quoted(b.text, sb, eb)
    {
        return Some(TemplateReason::Quote);
    }
    if other_specifics(a, p.a_tokens.clone(), b, p.b_tokens.clone())
        || (!related
            && !whole_of_both(p, &a, &b)
            && formula_wording(p, &a, stock, k) >= FORMULA_WORDING)
    {
        return Some(TemplateReason::Frame);
    }
    None
}

/// Share of a passage's shared words that a formula's wording covers for it to be one
/// when the two sides agree on no distinctive specific.
pub const FORMULA_WORDING: f64 = 0.4;

/// Is the passage the whole content of both texts, word for word? Such a pair is a copy
/// however formulaic its wording: a notice sent twice.
fn whole_of_both(p: &Passage, a: &Side, b: &Side) -> bool {
    p.a_tokens == (0..a.tokens.len())
        && p.b_tokens == (0..b.tokens.len())
        && p.runs.len() == 1
        && p.runs[0].words == a.tokens.len()
}

/// Share of the words of a passage's exact runs covered by formulaic k-grams
/// ([`StockPhrases::formulaic_kgram`], on side `a`).
fn formula_wording(p: &Passage, a: &Side, stock: &StockPhrases, k: usize) -> f64 {
    let (mut covered, mut total) = (0usize, 0usize);
    for r in &p.runs {
        let Some(words) = a.tokens.get(r.a..r.a + r.words) else {
            continue;
        };
        let masked = Masked::of(a.text, words);
        let mut on = vec![false; r.words];
        for i in 0..(r.words + 1).saturating_sub(k) {
            let kgram = a.kgrams.get(r.a + i).copied();
            if stock.formulaic_kgram(kgram, masked.kgram(i, k)) {
                on[i..i + k].iter_mut().for_each(|w| *w = true);
            }
        }
        covered += on.iter().filter(|&&w| w).count();
        total += r.words;
    }
    covered as f64 / total.max(1) as f64
}

/// Do two documents (their [`specifics_of`]) share what tells one thing — a name that is
/// not commonplace in the corpus (one company, one person, one place), or
/// [`FIGURES_THAT_RELATE`] figures that are not: are they about one thing?
///
/// A figure says less than a name. Formulas of one kind draw their terms from a short
/// menu — the coupon, the maturity year, the amount, the listing — so two notices by
/// different issuers often agree on one figure or two that few other stories carry
/// (`due 2012`, `75 mln dlr`); a story re-sent or corrected, an earnings table quoted
/// by a later report, agrees on several. Where a text can hold no name — its script has
/// no capitals (Chinese, Urdu: [`CASELESS`]) — its figures are all the specifics there
/// are, and one distinctive figure relates.
pub fn share_distinctive(a: &[u64], b: &[u64], stock: &StockPhrases) -> bool {
    let caseless = |x: &[u64]| x.binary_search(&CASELESS).is_ok();
    let figures_needed = if caseless(a) || caseless(b) {
        1
    } else {
        FIGURES_THAT_RELATE
    };
    let mut figures = 0;
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if a[i] != CASELESS && !stock.is_commonplace(a[i]) {
                    if !is_figure_hash(a[i]) {
                        return true;
                    }
                    figures += 1;
                    if figures == figures_needed {
                        return true;
                    }
                }
                i += 1;
                j += 1;
            }
        }
    }
    false
}

/// Distinctive figures two documents must share to be about one thing when they share
/// no distinctive name ([`share_distinctive`]).
pub const FIGURES_THAT_RELATE: usize = 2;

/// Is a hash from [`specifics_of`] a figure's (its lowest bit set) or a name's?
fn is_figure_hash(h: u64) -> bool {
    h & 1 == 1
}

/// Do the two sides of a passage (token ranges of `a` and `b`) tell two events in one
/// wording — both carry figures and share at most half of the smaller side's, or two
/// names or more and share fewer than half, or each has three or more specifics of its
/// own, at least a quarter as many as they share? (The frame test of [`judge`], also
/// applied to rewritten passages by [`crate::paraphrase`].)
pub fn other_specifics(a: Side, a_range: Range<usize>, b: Side, b_range: Range<usize>) -> bool {
    let sa = Specifics::of(a.text, a.tokens, a_range);
    let sb = Specifics::of(b.text, b.tokens, b_range);
    // Shared specifics, twice over, against the smaller side's count.
    fn share(x: &AHashSet<u64>, y: &AHashSet<u64>) -> (usize, usize) {
        (2 * x.intersection(y).count(), x.len().min(y.len()))
    }
    let (numbers, fewer_numbers) = share(&sa.numbers, &sb.numbers);
    let (names, fewer_names) = share(&sa.names, &sb.names);
    let other_figures = fewer_numbers >= 1 && numbers <= fewer_numbers;
    let other_names = fewer_names >= 2 && names < fewer_names;
    // Or, over both kinds: each side has three or more of its own, at least a quarter as
    // many as the two share.
    let shared = sa.numbers.intersection(&sb.numbers).count() + names / 2;
    let own = |x: &Specifics| x.numbers.len() + x.names.len() - shared;
    let fewest_own = own(&sa).min(own(&sb));
    let other_specifics = fewest_own >= 3 && fewest_own * 4 >= shared;
    other_figures || other_names || other_specifics
}

/// Is the text at bytes `start..end` all inside one quotation: no quotation mark within,
/// the last one before it in its paragraph opens a quotation and the next one after it
/// closes one?
pub fn quoted(text: &str, start: usize, end: usize) -> bool {
    const OPEN: [char; 5] = ['“', '«', '「', '『', '„'];
    const CLOSE: [char; 5] = ['”', '»', '」', '』', '“'];
    let is_mark = |c: char| c == '"' || OPEN.contains(&c) || CLOSE.contains(&c);
    let (Some(before), Some(inside), Some(after)) =
        (text.get(..start), text.get(start..end), text.get(end..))
    else {
        return false;
    };
    let before = &before[before.rfind("\n\n").map_or(0, |i| i + 2)..];
    let after = &after[..after.find("\n\n").unwrap_or(after.len())];
    if inside.chars().any(is_mark) {
        return false;
    }
    let opens = match before.chars().rev().find(|&c| is_mark(c)) {
        Some('"') => before.matches('"').count() % 2 == 1,
        Some(c) => OPEN.contains(&c),
        None => false,
    };
    let closes = match after.chars().find(|&c| is_mark(c)) {
        Some('"') => true,
        Some(c) => CLOSE.contains(&c),
        None => false,
    };
    opens && closes
}

/// Shared words of the passage outside stock phrases.
fn own_words(runs: &[MatchRun], kgrams: &[u64], stock: &StockPhrases, k: usize) -> usize {
    let own: Vec<(usize, usize)> = runs
        .iter()
        .filter(|r| {
            let last = (r.a + r.words + 1).saturating_sub(k); // k-grams r.a..last
            let is_stock = !stock.is_empty()
                && r.words < STOCK_RUN_MAX_WORDS
                && kgrams
                    .get(r.a..last)
                    .is_some_and(|g| g.iter().all(|&h| stock.contains(h)));
            !is_stock
        })
        .map(|r| (r.a, r.a + r.words))
        .collect();
    merge_ranges(own).iter().map(|(s, e)| e - s).sum()
}

/// The numbers and names of one side of a passage, as hashes. Numbers are read from the
/// text itself (a figure glued to a word, `15افراد`, or written `2,500,000`, is the same
/// figure); names are normalised token hashes, each word on its own and each run of
/// consecutive ones as one (`Northern Trust`, `Morgan Guaranty Trust Co`).
#[derive(Debug, Default)]
struct Specifics {
    numbers: AHashSet<u64>,
    names: AHashSet<u64>,
    name_runs: AHashSet<u64>,
    /// Each name run inside a sentence with the two words before it, as `(usage, name)`:
    /// the usage hashes the two words (figures masked) and the name ([`MenuNames`]).
    usages: Vec<(u64, u64)>,
}

/// Seed of a figure's hash, so that a figure and a name never share one.
const FIGURE_SEED: u64 = 0x6669_6775_7265;

impl Specifics {
    /// The specifics of tokens `range`.
    fn of(text: &str, tokens: &[Token], range: Range<usize>) -> Self {
        let mut s = Specifics::default();
        let Some((first, last)) = tokens
            .get(range.clone())
            .and_then(|t| t.first().zip(t.last()))
        else {
            return s;
        };
        let (start, end) = whole_figures(text, first.start, last.end);
        s.numbers = numbers(&text[start..end])
            .iter()
            .map(|n| xxhash_rust::xxh3::xxh3_64_with_seed(n.as_bytes(), FIGURE_SEED))
            .collect();
        // A run of capitalised words is one name (`Meritor Savings Bank`); it may begin a
        // sentence, but a lone word that does is no name (`The`, `Analysts`).
        let mut run: Vec<u8> = Vec::new();
        let mut run_is_name = false;
        // Whether the run's first word begins a sentence: it may be the name's (`Murray
        // Ohio Manufacturing Co said`) or only the sentence's (`The Murray Ohio
        // Manufacturing Co said`), so a run of three words or more counts both with and
        // without it.
        let mut run_opens_sentence = false;
        let mut run_start = 0;
        let end_run =
            |run: &mut Vec<u8>, is_name: bool, opens: bool, at: usize, s: &mut Specifics| {
                let mut insert = |words: &[u8]| {
                    let h = match words.len() {
                        8 => u64::from_le_bytes(words.try_into().expect("8 bytes")),
                        _ => xxhash_rust::xxh3::xxh3_64_with_seed(words, NAME_RUN_SEED),
                    };
                    s.name_runs.insert(h);
                    h
                };
                if is_name && !run.is_empty() {
                    let whole = insert(run);
                    if opens && run.len() > 16 {
                        insert(&run[8..]);
                    }
                    if !opens && at >= 2 {
                        let word = |i: usize| {
                            if is_figure(text, &tokens[i]) {
                                FIGURE_TOKEN
                            } else {
                                tokens[i].hash
                            }
                        };
                        let name = whole & !1;
                        s.usages
                            .push((kgram_hash_of([word(at - 2), word(at - 1), name]), name));
                    }
                }
                run.clear();
            };
        for (i, t) in tokens.iter().enumerate().take(range.end).skip(range.start) {
            let word = &text[t.start..t.end];
            let capitalised = is_capitalised(word) && !word.chars().any(char::is_numeric);
            let name = capitalised && is_name(text, word, t.start);
            if name {
                s.names.insert(t.hash);
            }
            if capitalised && !name && !run.is_empty() {
                // A new sentence: the run before it ends.
                end_run(&mut run, run_is_name, run_opens_sentence, run_start, &mut s);
            }
            if capitalised {
                if run.is_empty() {
                    run_opens_sentence = !name;
                    run_start = i;
                }
                run_is_name = name || !run.is_empty();
                run.extend_from_slice(&t.hash.to_le_bytes());
            } else {
                end_run(&mut run, run_is_name, run_opens_sentence, run_start, &mut s);
            }
        }
        end_run(&mut run, run_is_name, run_opens_sentence, run_start, &mut s);
        s
    }

    /// Its figures and its names as runs: what tells one event when two texts share it.
    /// A figure's hash has its lowest bit set and a name's has it clear
    /// ([`is_figure_hash`]).
    fn identifying(&self) -> impl Iterator<Item = u64> + '_ {
        self.numbers
            .iter()
            .map(|h| h | 1)
            .chain(self.name_runs.iter().map(|h| h & !1))
    }
}

/// Seed of the hash of a run of names.
const NAME_RUN_SEED: u64 = 0x006e_616d_6572_756e;

/// Does a token hold a figure (a digit of any script)?
fn is_figure(text: &str, t: &Token) -> bool {
    let word = &text[t.start..t.end];
    for b in word.bytes() {
        if b.is_ascii_digit() {
            return true;
        }
        if !b.is_ascii() {
            return word.chars().any(char::is_numeric);
        }
    }
    false
}

/// Stands for every figure in a masked k-gram.
const FIGURE_TOKEN: u64 = 0x2300_2300_2300_2300;

/// A run of tokens seen with its figures masked: each token's hash, a figure's replaced
/// by [`FIGURE_TOKEN`], and the number of figures before each token.
struct Masked {
    hashes: Vec<u64>,
    figures_before: Vec<usize>,
}

impl Masked {
    fn of(text: &str, tokens: &[Token]) -> Self {
        let mut hashes = Vec::with_capacity(tokens.len());
        let mut figures_before = Vec::with_capacity(tokens.len() + 1);
        figures_before.push(0);
        for t in tokens {
            let figure = is_figure(text, t);
            hashes.push(if figure { FIGURE_TOKEN } else { t.hash });
            figures_before.push(figures_before[figures_before.len() - 1] + usize::from(figure));
        }
        Masked {
            hashes,
            figures_before,
        }
    }

    /// The masked hash of the k-gram starting at `pos` (hashed as word k-grams are), when
    /// it holds a figure.
    fn kgram(&self, pos: usize, k: usize) -> Option<u64> {
        (self.figures_before[pos + k] > self.figures_before[pos])
            .then(|| kgram_hash_of(self.hashes[pos..pos + k].iter().copied()))
    }
}

/// A document's *figure k-grams*: its word k-grams that hold a figure, each figure
/// masked — the wording of a formula whatever its figures (`is issuing a # mln dlr`).
/// What [`StockPhrases::with_frames`] counts.
pub fn figure_kgrams(text: &str, tokens: &[Token], k: usize) -> ShingleSet {
    if tokens.len() < k || k == 0 {
        return ShingleSet::default();
    }
    let masked = Masked::of(text, tokens);
    (0..=tokens.len() - k)
        .filter_map(|pos| masked.kgram(pos, k))
        .collect()
}

/// A document's specifics — its figures and names, as hashes — from its content tokens:
/// what [`StockPhrases::with_frames`] counts.
///
/// A text whose words are mostly in a script without capitals (Chinese, Urdu) reads no
/// names; its specifics carry [`CASELESS`] to say so.
pub fn specifics_of(text: &str, tokens: &[Token]) -> ShingleSet {
    specifics_and_usages(text, tokens).0
}

/// A document's specifics ([`specifics_of`]) and its name usages: each name inside a
/// sentence with the two words before it, as `(usage, name)` hashes, which
/// [`MenuNames`] learns from and reads.
pub fn specifics_and_usages(text: &str, tokens: &[Token]) -> (ShingleSet, Vec<(u64, u64)>) {
    let specifics = Specifics::of(text, tokens, 0..tokens.len());
    let (mut lettered, mut cased) = (0usize, 0usize);
    for t in tokens {
        if let Some(c) = text[t.start..t.end]
            .chars()
            .next()
            .filter(|c| c.is_alphabetic())
        {
            lettered += 1;
            cased += usize::from(c.is_lowercase() || c.is_uppercase());
        }
    }
    let caseless = cased * 2 < lettered;
    let set = specifics
        .identifying()
        .chain(caseless.then_some(CASELESS))
        .collect();
    (set, specifics.usages)
}

/// Names that a formula supplies: the lead manager of `said lead manager Credit Suisse
/// First Boston Ltd`, the agency of `rated B-3 by Moody's Investors Service Inc`, the
/// programme of `complete the Export Enhancement Program` — step 4 of the [module
/// documentation](self). A name's *usage* is the name with the two words before it in its
/// sentence (figures masked, as in [`figure_kgrams`]); a usage found in `min_stories`
/// unrelated stories is a *menu usage*, the name in it a term of the formula that puts it
/// there, which tells nothing of the story. The subject of a story is seldom in such a
/// slot: it opens the story's first sentence, or follows words of the story's own.
#[derive(Debug, Default)]
pub struct MenuNames {
    usages: AHashSet<u64>,
}

impl MenuNames {
    /// Learns the menu usages from each document's usages ([`specifics_and_usages`]) and
    /// its story (documents of one story share a label). `min_stories == 0` learns none.
    pub fn learn(usages: &[Vec<(u64, u64)>], story: &[u32], min_stories: usize) -> Self {
        let sets: Vec<ShingleSet> = usages
            .iter()
            .map(|u| u.iter().map(|&(usage, _)| usage).collect())
            .collect();
        MenuNames {
            usages: in_stories(&sets, story, min_stories),
        }
    }

    /// Number of menu usages learned.
    pub fn len(&self) -> usize {
        self.usages.len()
    }

    /// Whether none was learned.
    pub fn is_empty(&self) -> bool {
        self.usages.is_empty()
    }

    /// What relates a document to others ([`share_distinctive`]): its specifics, less
    /// every name it has in a menu usage. Two notices led by one bank then share nothing
    /// by that bank; a story about the bank names it elsewhere, but a notice it leads
    /// still does not relate to that story by it.
    pub fn relating(&self, specifics: &ShingleSet, usages: &[(u64, u64)]) -> ShingleSet {
        let terms: AHashSet<u64> = usages
            .iter()
            .filter(|(usage, _)| self.usages.contains(usage))
            .map(|&(_, name)| name)
            .collect();
        if terms.is_empty() {
            return specifics.clone();
        }
        specifics
            .iter()
            .copied()
            .filter(|h| !terms.contains(h))
            .collect()
    }
}

/// Stands in a document's specifics ([`specifics_of`]) for "its script has no capitals,
/// so no name can be read in it": never a specific two texts share.
pub const CASELESS: u64 = 1;

/// The figures in a text: runs of digits, with the `.`, `,`, `/` and `-` between digits
/// kept (`8-1/2` is one figure) and thousands commas dropped.
fn numbers(text: &str) -> AHashSet<String> {
    let mut out = AHashSet::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii() && !c.is_ascii_digit() && !joins_digits(c) {
            // Most characters: a letter, a space or a mark ends a figure.
            if !current.is_empty() {
                out.insert(std::mem::take(&mut current));
            }
            continue;
        }
        let joins =
            joins_digits(c) && !current.is_empty() && chars.peek().is_some_and(|n| n.is_numeric());
        if c.is_numeric() || joins {
            if c != ',' {
                current.push(c);
            }
        } else if !current.is_empty() {
            out.insert(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.insert(current);
    }
    out
}

/// Does a mark between two digits join them into one figure (`8-1/2`, `2,500,000`,
/// `98.217`)?
fn joins_digits(c: char) -> bool {
    matches!(c, '.' | ',' | '/' | '-')
}

/// Bytes `start..end` of `text`, widened so that a figure the range cuts is read whole: a
/// passage that ends at `98` of `98.307` (the tokens split at the point) has the figure
/// `98.307`, which another week's `98.215` does not share.
fn whole_figures(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let before = |i: usize| text[..i].chars().next_back();
    let after = |i: usize| text[i..].chars().next();
    let digit = |c: Option<char>| c.is_some_and(char::is_numeric);
    // Back over digits, and over a joining mark with a digit before it.
    if digit(after(start)) {
        while let Some(c) = before(start) {
            if c.is_numeric() || joins_digits(c) && digit(before(start - c.len_utf8())) {
                start -= c.len_utf8();
            } else {
                break;
            }
        }
    }
    // On over digits, and over a joining mark with a digit after it.
    if digit(before(end)) {
        while let Some(c) = after(end) {
            if c.is_numeric() || joins_digits(c) && digit(after(end + c.len_utf8())) {
                end += c.len_utf8();
            } else {
                break;
            }
        }
    }
    (start, end)
}

/// Does a word begin with a capital and hold a lower-case letter (not all capitals)?
fn is_capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.any(char::is_lowercase)
}

/// A word capitalised in running text: not all capitals (a headline), not the first word
/// of a sentence or a paragraph (a line break alone is wrapping, not a new sentence).
fn is_name(text: &str, word: &str, start: usize) -> bool {
    if !is_capitalised(word) {
        return false;
    }
    let mut breaks = 0;
    for c in text[..start].chars().rev() {
        if c == '\n' {
            breaks += 1;
            if breaks == 2 {
                return false;
            }
        } else if !c.is_whitespace() {
            return !matches!(
                c,
                '.' | '!' | '?' | ':' | ';' | '"' | '“' | '”' | '\'' | '(' | '-' | '—' | '–'
            );
        }
    }
    false
}

/// A template passage between two documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateSpan {
    /// Where it lies in both texts.
    pub span: SharedSpan,
    /// Why it is a template.
    pub reason: TemplateReason,
    /// The frame it belongs to (index into [`Frames::frames`]).
    pub frame: usize,
}

/// Template passages that share wording: one formula used by several stories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frame {
    /// The shared wording, as in the first document that uses it, with `…` where the
    /// specifics differ.
    pub text: String,
    /// Unrelated stories using the frame.
    pub stories: usize,
    /// Documents using it.
    pub documents: usize,
    /// Template passages in it.
    pub passages: usize,
    /// Up to five documents using it (input indices).
    pub examples: Vec<u32>,
}

/// What the frame grouping found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Frames {
    /// Frames, most stories first.
    pub frames: Vec<Frame>,
}

/// A template passage waiting for its frame: the pair, the wording shared (A-side k-gram
/// hashes of its runs) and its text with gaps.
#[derive(Debug, Clone)]
pub struct Found {
    /// First document.
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// The formula's shared k-grams.
    pub kgrams: Vec<u64>,
    /// Its text, `…` for gaps.
    pub text: String,
}

impl Found {
    /// Records a template passage of documents `a` and `b`.
    pub fn new(a: u32, b: u32, p: &Passage, side: Side, k: usize) -> Self {
        let mut kgrams: Vec<u64> = p
            .runs
            .iter()
            .flat_map(|r| {
                let last = (r.a + r.words + 1).saturating_sub(k);
                side.kgrams.get(r.a..last).unwrap_or(&[]).iter().copied()
            })
            .collect();
        kgrams.sort_unstable();
        kgrams.dedup();
        Found {
            a,
            b,
            kgrams,
            text: frame_text(p, side),
        }
    }
}

const FRAME_TEXT_CHARS: usize = 300;

/// The passage's shared wording in A, with ` … ` where the two sides differ.
fn frame_text(p: &Passage, side: Side) -> String {
    let merged = merge_ranges(p.runs.iter().map(|r| (r.a, r.a + r.words)).collect());
    let mut out = String::new();
    for (i, (s, e)) in merged.into_iter().enumerate() {
        let (Some(first), Some(last)) = (side.tokens.get(s), side.tokens.get(e - 1)) else {
            continue;
        };
        if i > 0 {
            out.push_str(" … ");
        }
        out.push_str(&side.text[first.start..last.end]);
        if out.chars().count() > FRAME_TEXT_CHARS {
            break;
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(FRAME_TEXT_CHARS) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

/// Min-hash keys per template passage, each the two least hashes of its wording under one
/// permutation: passages of one frame share most of their wording, so they share a key
/// with probability about 1 − (1 − J²)⁴ for wording Jaccard J, while two passages that
/// have one common phrase and nothing else (a frame is made of several) rarely do.
const FRAME_KEYS: u64 = 4;

/// Groups template passages into frames: passages whose wording gives the same min-hash
/// key (one of four) use one frame, so frames join by shared wording, not by
/// one common phrase. `story[d]` is document d's story label. Returns the frames, most
/// stories first, and each passage's frame, in input order.
pub fn group(found: &[Found], story: &[u32]) -> (Frames, Vec<usize>) {
    let labels = shared_wording(found);
    // Components in order of their first passage.
    let mut component: AHashMap<usize, usize> = AHashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        let c = *component.entry(l).or_insert_with(|| {
            members.push(Vec::new());
            members.len() - 1
        });
        members[c].push(i);
    }
    let mut frames: Vec<(Frame, usize)> = members
        .iter()
        .enumerate()
        .map(|(c, m)| {
            let mut docs: Vec<u32> = m.iter().flat_map(|&i| [found[i].a, found[i].b]).collect();
            docs.sort_unstable();
            docs.dedup();
            let stories: AHashSet<u32> = docs.iter().map(|&d| story[d as usize]).collect();
            // The wording most of its passages show: the longest text among them.
            let text = m
                .iter()
                .map(|&i| &found[i].text)
                .max_by(|x, y| x.len().cmp(&y.len()).then(y.cmp(x)))
                .cloned()
                .unwrap_or_default();
            (
                Frame {
                    text,
                    stories: stories.len(),
                    documents: docs.len(),
                    passages: m.len(),
                    examples: docs.iter().take(5).copied().collect(),
                },
                c,
            )
        })
        .collect();
    frames.sort_by(|x, y| {
        y.0.stories
            .cmp(&x.0.stories)
            .then(y.0.passages.cmp(&x.0.passages))
            .then(x.1.cmp(&y.1))
    });
    let mut rank = vec![0; frames.len()];
    for (r, (_, c)) in frames.iter().enumerate() {
        rank[*c] = r;
    }
    let of_passage = labels.iter().map(|l| rank[component[l]]).collect();
    (
        Frames {
            frames: frames.into_iter().map(|(f, _)| f).collect(),
        },
        of_passage,
    )
}

/// Each passage's component under "shares a min-hash key of its wording" (a union-find
/// labelling, in input order).
fn shared_wording(found: &[Found]) -> Vec<usize> {
    let mut slot: AHashMap<(u64, u64, u64), usize> = AHashMap::new();
    let mut uf = UnionFind::<usize>::new(found.len());
    for (i, f) in found.iter().enumerate() {
        for seed in 0..FRAME_KEYS {
            let salt = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let (mut least, mut second) = (u64::MAX, u64::MAX);
            for h in f.kgrams.iter().map(|&h| mix(h ^ salt)) {
                if h < least {
                    (least, second) = (h, least);
                } else if h < second {
                    second = h;
                }
            }
            match slot.entry((seed, least, second)) {
                std::collections::hash_map::Entry::Occupied(j) => {
                    uf.union(i, *j.get());
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
    }
    uf.into_labeling()
}

/// SplitMix64's finaliser: a fixed permutation of 64-bit values.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;
    use crate::passage::{PassageConfig, align};
    use crate::shingle::word_shingles;

    fn judged(a: &str, b: &str, stock: &StockPhrases) -> Vec<Option<TemplateReason>> {
        judged_as(a, b, stock, false)
    }

    /// [`judge`] of each passage of `a` and `b`, the two documents `related` or not.
    fn judged_as(
        a: &str,
        b: &str,
        stock: &StockPhrases,
        related: bool,
    ) -> Vec<Option<TemplateReason>> {
        let (ta, tb) = (tokenize(a), tokenize(b));
        let (ka, kb) = (word_shingles(&ta, 5), word_shingles(&tb, 5));
        let config = PassageConfig::default();
        align(&ta, &tb, &config)
            .iter()
            .map(|p| {
                judge(
                    p,
                    Side {
                        text: a,
                        tokens: &ta,
                        kgrams: &ka,
                    },
                    Side {
                        text: b,
                        tokens: &tb,
                        kgrams: &kb,
                    },
                    stock,
                    5,
                    config.min_words,
                    related,
                )
            })
            .collect()
    }

    #[test]
    fn figures_are_read_from_the_text() {
        let mut got: Vec<String> =
            numbers("ہلاک 15افراد, 2,500,000 shares at 8-1/2 pct. On 20 July2014 ok")
                .into_iter()
                .collect();
        got.sort();
        assert_eq!(got, ["15", "20", "2014", "2500000", "8-1/2"]);
    }

    #[test]
    fn quotations_are_told_from_running_text() {
        let text = "The minister said: “We will cut the rate next month to help exporters.” \
                    Analysts agreed. He added \"prices will fall soon\" and left.";
        let span = |w: &str| {
            let at = text.find(w).unwrap();
            (at, at + w.len())
        };
        let (s, e) = span("We will cut the rate next month");
        assert!(quoted(text, s, e));
        let (s, e) = span("prices will fall");
        assert!(quoted(text, s, e));
        let (s, e) = span("Analysts agreed");
        assert!(!quoted(text, s, e));
        let (s, e) = span("exporters.” Analysts"); // crosses the closing mark
        assert!(!quoted(text, s, e));
    }

    #[test]
    fn names_are_capitalised_words_inside_sentences() {
        let text = "The offer by Pubco Corp was priced. Analysts said USA ok\nPubco\n\nWe";
        let name = |w: &str| {
            let at = text.find(w).unwrap();
            is_name(text, w, at)
        };
        assert!(name("Pubco"));
        assert!(is_name(text, "Pubco", text.rfind("Pubco").unwrap())); // after wrapping
        assert!(!is_name(text, "We", text.rfind("We").unwrap())); // a new paragraph
        assert!(name("Corp"));
        assert!(!name("The")); // first word
        assert!(!name("Analysts")); // begins a sentence
        assert!(!name("USA")); // all capitals
        assert!(!name("offer"));
    }

    #[test]
    fn same_wording_with_other_figures_is_a_frame_and_same_figures_are_reuse() {
        let a = "Distillate fuel stocks held in primary storage fell by 4.4 mln barrels in \
                 the week ended March 13 to 127.4 mln barrels from 131.8 mln the previous \
                 week, the American Petroleum Institute said in its weekly report today.";
        let b = "Distillate fuel stocks held in primary storage fell by 2.1 mln barrels in \
                 the week ended March 20 to 125.3 mln barrels from 127.4 mln the previous \
                 week, the American Petroleum Institute said in its weekly report today.";
        let none = StockPhrases::default();
        assert_eq!(judged(a, b, &none), [Some(TemplateReason::Frame)]);
        assert_eq!(judged(a, a, &none), [None]);
    }

    #[test]
    fn a_figure_cut_by_the_passage_edge_is_read_whole() {
        let text = "Average price was 98.217, against 8-1/2 pct.";
        let cut = text.find("217").unwrap() - 1; // the passage ends at `98`
        let whole = |s, e| {
            let (s, e) = whole_figures(text, s, e);
            &text[s..e]
        };
        assert_eq!(whole(0, cut), "Average price was 98.217");
        let half = text.find("1/2").unwrap(); // starts inside `8-1/2`
        assert_eq!(whole(half, text.len()), "8-1/2 pct.");
        assert_eq!(whole(0, 7), "Average"); // no figure at the edge
        // Reuters-21578 #1106 and #14164: two weeks' auctions in one formula. The passage
        // ends inside the average price, where the two weeks differ.
        let a = "This week's Ontario government auction\nof 50 mln dlrs worth of 91-day \
                 treasury bills yielded an\naverage of 7.28 pct, up slightly from 7.26 pct \
                 last week, a\ntreasury department spokesman said.\n    Average price was \
                 98.217.\n Reuter";
        let b = "This week's Ontario government auction\nof 50 mln dlrs worth of 91-day \
                 treasury bills yielded an\naverage of 6.91 pct, up from 6.87 pct last week, \
                 a treasury\ndepartment spokesman said. Average price was 98.307.\n Reuter";
        assert_eq!(
            judged_as(a, b, &StockPhrases::default(), true),
            [Some(TemplateReason::Frame)]
        );
    }

    #[test]
    fn stock_phrases_learned_from_unrelated_stories_are_not_evidence() {
        let stock_a = "The ministry did not immediately respond to a request for comment.";
        let stock_b = "Analysts said the move was widely expected by markets.";
        let a = format!(
            "Farm output rose in the north after rain. {stock_a} Growers hope \
                         for more this spring as prices climb again. {stock_b}"
        );
        let b = format!(
            "The port handled more ships than a year before. {stock_a} Dock \
                         workers plan a strike next week over pay. {stock_b}"
        );
        // Twelve unrelated stories carry both stock sentences.
        let texts: Vec<String> = (0..12)
            .map(|i| format!("story {i} alpha{i} beta{i} gamma{i}. {stock_a} delta{i} {stock_b}"))
            .collect();
        let kgrams: Vec<ShingleSet> = texts
            .iter()
            .map(|t| ShingleSet::from_hashes(word_shingles(&tokenize(t), 5)))
            .collect();
        let story: Vec<u32> = (0..12).collect();
        let learned = StockPhrases::learn(&kgrams, &story, 10);
        assert!(!learned.is_empty());
        assert_eq!(judged(&a, &b, &StockPhrases::default()), [None]);
        assert_eq!(
            judged(&a, &b, &learned),
            [Some(TemplateReason::StockPhrases)]
        );
        // Nine stories are not enough.
        let few = StockPhrases::learn(&kgrams[..9], &story[..9], 10);
        assert!(few.is_empty());
    }

    /// A bond notice in the formula of Reuters-21578's eurobond stories: the issuer, the
    /// lead manager and the amount its own, the closing lines the formula's.
    fn notice(issuer: &str, manager: &str, amount: usize) -> String {
        format!(
            "Treasurers at {issuer} are raising {amount} mln dlrs for its expansion abroad, \
             they told reporters, with {manager} arranging the sale to institutions in Europe \
             and Asia. The bond is available in denominations of 1,000 and 10,000 dlrs and \
             will be listed in Luxembourg. The selling concession is 1-1/4 pct while \
             management and underwriting combined pays 5/8 pct."
        )
    }

    /// The twelve notices, their formula and commonplace specifics learned.
    fn notices() -> (Vec<String>, Vec<ShingleSet>, StockPhrases) {
        let texts: Vec<String> = (0..12)
            .map(|i| {
                let letter = char::from(b'A' + i as u8);
                notice(
                    &format!("Issuer{letter}"),
                    &format!("Banker{letter}"),
                    50 + 25 * i,
                )
            })
            .collect();
        let tokens: Vec<Vec<Token>> = texts.iter().map(|t| tokenize(t)).collect();
        let kgrams: Vec<ShingleSet> = tokens
            .iter()
            .map(|t| ShingleSet::from_hashes(word_shingles(t, 5)))
            .collect();
        let figures: Vec<ShingleSet> = texts
            .iter()
            .zip(&tokens)
            .map(|(x, t)| figure_kgrams(x, t, 5))
            .collect();
        let specifics: Vec<ShingleSet> = texts
            .iter()
            .zip(&tokens)
            .map(|(x, t)| specifics_of(x, t))
            .collect();
        let story: Vec<u32> = (0..12).collect();
        let stock =
            StockPhrases::learn(&kgrams, &story, 10).with_frames(&figures, &specifics, &story);
        (texts, specifics, stock)
    }

    #[test]
    fn figure_kgrams_are_the_wording_around_any_figure() {
        let k = |text: &str| figure_kgrams(text, &tokenize(text), 5);
        let a = k("Acme is issuing a 100 mln dlr bond due 1992 today");
        let b = k("Acme is issuing a 75 mln dlr bond due 1994 today");
        assert_eq!(a, b);
        assert_eq!(a.len(), 7); // each of the 7 k-grams holds a figure
        assert_ne!(a, k("Acme is selling a 100 mln dlr note due 1992 today"));
        // Only the k-grams holding a figure: 2 of the 4 reach it.
        assert_eq!(k("one two three four five six 100 seven").len(), 2);
        assert!(k("no figure in these words at all").is_empty());
        assert!(k("too 1 short").is_empty());
    }

    #[test]
    fn a_formula_whose_specifics_are_commonplace_is_a_frame_between_unrelated_stories() {
        let (texts, specifics, stock) = notices();
        // The closing lines' figures and names are in every notice: commonplace.
        assert!(stock.commonplace_len() >= 5, "{}", stock.commonplace_len());
        assert!(stock.figure_frames_len() > 0);
        // Two issuers' notices share no distinctive specific ...
        assert!(!share_distinctive(&specifics[0], &specifics[1], &stock));
        // ... and without the corpus their closing lines read as one event.
        let tail = |i: usize| texts[i][texts[i].find("The bond").unwrap()..].to_string();
        let (a, b) = (
            format!("{} {}", texts[0], "x"),
            format!("{} {}", texts[1], "y"),
        );
        assert_eq!(judged(&a, &b, &StockPhrases::default()), [None]);
        assert_eq!(judged(&a, &b, &stock), [Some(TemplateReason::Frame)]);
        // Stories about one thing (sharing a distinctive specific) keep the passage.
        assert_eq!(judged_as(&a, &b, &stock, true), [None]);
        let follow_up = format!(
            "Shares of IssuerA rose after the company said its treasurer Burkhart had \
             placed the issue. {}",
            tail(0)
        );
        let ours = specifics_of(&follow_up, &tokenize(&follow_up));
        assert!(share_distinctive(&specifics[0], &ours, &stock));
        // A notice sent twice, word for word, is a copy however formulaic.
        assert_eq!(judged(&tail(0), &tail(0), &stock), [None]);
    }

    #[test]
    fn one_distinctive_figure_relates_no_stories_but_a_name_or_two_figures_do() {
        let (_, _, stock) = notices();
        let s = |t: &str| specifics_of(t, &tokenize(t));
        let atlas = s(
            "Atlas Mining Corp said it will sell 60 mln dlrs of debentures due 2012 \
                       through Hale Brothers.",
        );
        // Another issuer in the same formula, the same maturity year: one figure.
        let borealis = s(
            "Borealis Paper Co said it will sell 80 mln dlrs of debentures due \
                          2012 through Kite Partners.",
        );
        assert!(!share_distinctive(&atlas, &borealis, &stock));
        // The same maturity and the same amount: two figures.
        let cygnus = s(
            "Cygnus Foods Inc said it will sell 60 mln dlrs of debentures due 2012 \
                        through Kite Partners.",
        );
        assert!(share_distinctive(&atlas, &cygnus, &stock));
        // The issuer's name, though here the run of capitals opens with the sentence's `The`.
        let priced = s("The Atlas Mining Corp offering was priced at par, bankers said.");
        assert!(share_distinctive(&atlas, &priced, &stock));
        let other = s("The Borealis Paper Co offering was priced at par, bankers said.");
        assert!(!share_distinctive(&atlas, &other, &stock));
        // Without capitals a text reads no names, and one distinctive figure relates.
        let rockets = s("火箭主场迎战马刺，最后119-114战胜了对手。");
        let overtime = s("经过加时苦战，火箭以119-114击败马刺。");
        let spurs = s("马刺主场迎战火箭，最后战胜了对手。");
        assert!(share_distinctive(&rockets, &overtime, &stock));
        assert!(!share_distinctive(&rockets, &spurs, &stock));
    }

    #[test]
    fn a_name_the_formula_supplies_relates_no_stories() {
        let issuers = [
            "Acme", "Borealis", "Cobalt", "Dunmore", "Elgin", "Fenwick", "Galloway", "Harlow",
            "Ingram", "Jarrow", "Kestrel", "Lomond",
        ];
        // Twelve issuers' notes, one lead manager for all.
        let read: Vec<(ShingleSet, Vec<(u64, u64)>)> = issuers
            .iter()
            .enumerate()
            .map(|(i, issuer)| {
                let text = format!(
                    "{issuer} Holdings is issuing {} mln dlrs of notes due 1995, said lead \
                     manager Orbis Kapital Bank. The notes pay {} pct.",
                    50 + 10 * i,
                    5 + i % 4
                );
                specifics_and_usages(&text, &tokenize(&text))
            })
            .collect();
        let usages: Vec<Vec<(u64, u64)>> = read.iter().map(|r| r.1.clone()).collect();
        let story: Vec<u32> = (0..12).collect();
        let menu = MenuNames::learn(&usages, &story, 10);
        assert_eq!(menu.len(), 1); // `lead manager Orbis Kapital Bank`
        let none = StockPhrases::default();
        // Read plainly, any two notices share the bank's name ...
        assert!(share_distinctive(&read[0].0, &read[1].0, &none));
        // ... which the formula put there.
        let relating: Vec<ShingleSet> = read.iter().map(|(s, u)| menu.relating(s, u)).collect();
        assert!(!share_distinctive(&relating[0], &relating[1], &none));
        // The issuer's name is no term of the formula: a later story naming it relates.
        let later = "Shares of Acme Holdings rose after its notes sold out, dealers said.";
        let (s, u) = specifics_and_usages(later, &tokenize(later));
        assert!(share_distinctive(
            &relating[0],
            &menu.relating(&s, &u),
            &none
        ));
        assert!(!share_distinctive(
            &relating[1],
            &menu.relating(&s, &u),
            &none
        ));
        // Nine stories are not enough.
        assert!(MenuNames::learn(&usages[..9], &story[..9], 10).is_empty());
    }

    #[test]
    fn frames_group_passages_that_share_wording() {
        let found = vec![
            Found {
                a: 0,
                b: 1,
                kgrams: vec![1, 2, 3],
                text: "x … y".into(),
            },
            Found {
                a: 2,
                b: 3,
                kgrams: vec![9],
                text: "z".into(),
            },
            Found {
                a: 1,
                b: 4,
                kgrams: vec![1, 2, 3],
                text: "x … y … w".into(),
            },
        ];
        let (frames, of) = group(&found, &[0, 1, 2, 2, 3]); // 2 and 3: one story
        assert_eq!(of, [0, 1, 0]);
        assert_eq!(frames.frames[0].documents, 3);
        assert_eq!(frames.frames[0].stories, 3);
        assert_eq!(frames.frames[0].passages, 2);
        assert_eq!(frames.frames[0].text, "x … y … w");
        assert_eq!(frames.frames[1].stories, 1);
    }
}
