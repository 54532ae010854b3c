//! Which of two documents that share text is the source: the cues and their order.
//!
//! A pair's direction is read from evidence, strongest first:
//!
//! 1. **Date**, when both are dated and the dates are *apart*: the earlier is the parent.
//!    Dates that are not apart are a tie: a wire story and its verbatim repost often carry
//!    the same timestamp (feeds republish at once), so timestamps with a UTC offset tie
//!    within [`LineageConfig::tie_window_seconds`] (15 minutes); local times without an
//!    offset from two different outlets may be hours apart across time zones and tie
//!    within [`LineageConfig::local_tie_window_seconds`] (12 hours); a date given to the
//!    day only ties with anything on the same calendar day. A tie, or a missing date,
//!    passes the decision to the cues below.
//! 2. **Credit**: one text credits the other's outlet — a `(Xinhua) --` or `(Reuters) -` dateline,
//!    `Source: China Daily`, `according to Reuters`, `Originally published by X`, `来源：新华社`
//!    — and not the other way.
//! 3. **Outlets that act as wires in this corpus**: an outlet whose documents are the
//!    parent of a link decided by dates apart or by credit at least four times in five
//!    (three documents or more), and rarely the child, against one that is not, is the
//!    parent. Documents are counted, not links: the first of five copies of one story is
//!    the earlier end of four links but one story its outlet ran first. This is learned
//!    from the corpus at hand, not from a list of agency names.
//! 4. **Truncation**: the shorter text is (nearly) all in the longer one *from its start*;
//!    the longer, more complete text is the parent. Found in the middle of a longer text,
//!    the shorter one could be an excerpt of it or the source it embeds: no evidence.
//! 5. **Outlets that are the source of copies by their text**, for a corpus without dates
//!    or credits (students' answers and the encyclopedia they copied; a crawl with the
//!    dates stripped): where one document is chosen over another as the hub of two copies
//!    because its own words turn up in other copies (see `siblings`), its outlet is
//!    counted as a source and the other's as a copy; an outlet counted so as wires are
//!    (three documents or more, four in five) is the parent against a different one that
//!    is not (`by_source_outlet`).
//! 6. Otherwise the direction is **undetermined** (`directed: false`), never guessed.
//!
//! Content is always measured with boilerplate removed, so site chrome is not taken for
//! extra content. Edits — which copy carries text that the other lacks — are weighed where
//! a third document gives them meaning (see `siblings`).
//!
//! [`LineageConfig::tie_window_seconds`]: super::LineageConfig::tie_window_seconds
//! [`LineageConfig::local_tie_window_seconds`]: super::LineageConfig::local_tie_window_seconds

use std::sync::OnceLock;

use ahash::AHashMap;
use regex::Regex;

use super::{LineageConfig, PairEvidence};
use crate::corpus::Document;

fn credit_patterns() -> &'static [Regex] {
    static PATTERNS: OnceLock<Vec<Regex>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // The words of a name stand on one line: `Source: AFP` ends where its line does,
        // not in the `Share this article` of a page's footer below it.
        let name = r"([\p{Lu}][\p{L}&'.-]*(?:[^\S\r\n]+[\p{Lu}][\p{L}&'.-]*){0,4})";
        [
            format!(r"\(\s*{name}\s*\)\s*(?:--|—|–)"),
            format!(r"(?i:source|credit|via)\s*[:：]\s*{name}"),
            format!(r"(?i:according\s+to)\s+(?:(?i:the|a)\s+)?(?:(?i:report|statement)\s+(?i:by|from)\s+)?{name}"),
            format!(r"(?i:as)\s+{name}\s+(?i:reported|said|announced)"),
            format!(r"(?i:reported|released|quoted)\s+by\s+(?:(?i:the)\s+)?{name}"),
            r"来源[：:]\s*(\p{Han}{2,12})".to_string(),
            r"据(\p{Han}{2,8}?)(?:报道|消息)".to_string(),
            r"(新华社|新华网|人民日报|中新社|中国新闻网)".to_string(),
            format!(r"\(\s*{name}\s*\)\s*-\s"),
            format!(r"(?i:originally|first)\s+(?i:published|appeared|ran)\s+(?i:by|in|on|at)\s+(?:(?i:the)\s+)?{name}"),
            format!(r"(?i:republished|reprinted)\s+(?i:with\s+permission\s+)?(?i:from|of)\s+(?:(?i:the)\s+)?{name}"),
        ]
        .iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect()
    })
}

/// Which credit patterns are bylines — a dateline or a source line, saying where the
/// whole text comes from — rather than attributions of one statement (`according to`):
/// `(X) --`, `(X) - `, `Source: X`, `来源：X`, `Originally published by X`, `Republished
/// with permission from X`.
const BYLINE_PATTERNS: [usize; 6] = [0, 1, 5, HYPHEN_DATELINE, 9, 10];

/// The dateline with one hyphen, `LONDON (Reuters) -`: a table's heading has the same
/// shape (`TOKYO RUBBER (YEN PER KILO) - APRIL 07`), so there the name is one word or
/// not all capitals — `(AFP) -`, `(Thomson Reuters Foundation) -`.
const HYPHEN_DATELINE: usize = 8;

/// Whether a name read by the credit pattern `pattern` may be an outlet's.
fn outlet_like(pattern: usize, name: &str) -> bool {
    pattern != HYPHEN_DATELINE
        || name.split_whitespace().count() == 1
        || name.chars().any(char::is_lowercase)
}

fn chinese_dateline() -> &'static Regex {
    static DATELINE: OnceLock<Regex> = OnceLock::new();
    DATELINE.get_or_init(|| {
        Regex::new(r"(新华社|中新社|中新网|人民网)[^。，,\n]{0,16}电").expect("a valid pattern")
    })
}

fn push_name(out: &mut Vec<String>, raw: &str) {
    let name = normalize_name(raw);
    if !name.is_empty() && !out.contains(&name) {
        out.push(name);
    }
}

/// What the direction cues read from a document's text: the outlets it credits and those
/// its bylines name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextCredits {
    credited: Vec<String>,
    bylines: Vec<String>,
}

impl TextCredits {
    /// One pass of the credit patterns over a text.
    pub fn of(text: &str) -> Self {
        let (credited, bylines) = scan(text);
        TextCredits { credited, bylines }
    }
}

/// One pass of the credit patterns over a text: every outlet it credits (see [`credits`]),
/// and those it names as the source of its whole text (see [`bylines`]).
fn scan(text: &str) -> (Vec<String>, Vec<String>) {
    let len = text.len();
    let head = 600.max(len / 10);
    let tail = len.saturating_sub(300.max(len / 10));
    let placed = |at: usize| at < head || at >= tail;
    let (mut credited, mut by) = (Vec::new(), Vec::new());
    for (i, re) in credit_patterns().iter().enumerate() {
        for cap in re.captures_iter(text) {
            if let Some(m) = cap.get(1).filter(|m| outlet_like(i, m.as_str())) {
                push_name(&mut credited, m.as_str());
                if BYLINE_PATTERNS.contains(&i) && placed(m.start()) {
                    push_name(&mut by, m.as_str());
                }
            }
        }
    }
    for cap in chinese_dateline().captures_iter(text) {
        if let Some(m) = cap.get(1).filter(|m| placed(m.start())) {
            push_name(&mut by, m.as_str());
        }
    }
    (credited, by)
}

/// Outlets a text names as the source of the whole of it: a dateline credit (`(Kyodo) --`,
/// `新华社北京6月5日电`) or a source line (`Source: Xinhua`, `来源：人民日报`), found where
/// such lines stand — near the start of the text or at its very end. A credit in the middle
/// of a text belongs to a piece it quotes, not to the text.
pub fn bylines(text: &str) -> Vec<String> {
    scan(text).1
}

/// Outlet names a text credits (lowercased words), in order of appearance.
///
/// ```
/// use wiretrace::lineage::credits;
/// assert_eq!(credits("BEIJING, June 5 (Xinhua) -- The NDRC said"), ["xinhua"]);
/// assert_eq!(credits("… it said. Source : China Daily"), ["china daily"]);
/// assert!(credits("according to Reuters, output fell").contains(&"reuters".to_string()));
/// ```
pub fn credits(text: &str) -> Vec<String> {
    scan(text).0
}

pub(super) fn normalize_name(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Does a credited name designate this outlet? Word-wise containment either way, so
/// "China Daily" matches "China Daily (via a blog)" and "Xinhua" matches "Xinhua News Agency".
pub(super) fn names_match(credit: &str, source: &str) -> bool {
    let source = normalize_name(source);
    if credit.is_empty() || source.is_empty() {
        return false;
    }
    let padded = |s: &str| format!(" {s} ");
    padded(&source).contains(&padded(credit)) || padded(credit).contains(&padded(&source))
}

fn credits_outlet(credited: &[String], doc: &Document) -> Option<String> {
    let source = doc.source.as_deref()?;
    credited.iter().find(|c| names_match(c, source)).cloned()
}

/// The outlets a document credits other than its own: the names under which it says its
/// text comes from elsewhere. None for a document of unknown outlet: it could be the
/// credited outlet's own story.
pub(super) fn third_party_credits<'c>(credited: &'c [String], doc: &Document) -> Vec<&'c str> {
    let Some(source) = doc.source.as_deref() else {
        return Vec::new();
    };
    credited
        .iter()
        .filter(|c| !names_match(c, source))
        .map(String::as_str)
        .collect()
}

/// Which of a pair is the parent, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orientation {
    /// The source (for an undetermined pair: the longer text).
    pub parent: u32,
    /// The copy.
    pub child: u32,
    /// The evidence, in words.
    pub reason: String,
    /// Whether evidence decided it (`false`: undetermined).
    pub directed: bool,
    /// What decided it.
    pub cue: Cue,
}

/// The evidence that decided a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// Dates apart.
    Date,
    /// One credits the other's outlet.
    Credit,
    /// One outlet acts as a wire in this corpus.
    Wire,
    /// A truncated copy of a fuller text.
    Truncation,
    /// One outlet's documents are, by their text, the source of copies in this corpus
    /// (see `siblings`); only for pairs nothing else decides.
    SourceOutlet,
    /// Placed on a path from a decided source by shared text (see `siblings`).
    Path,
    /// Nothing decided it.
    None,
}

fn decided(parent: u32, child: u32, reason: String, cue: Cue) -> Orientation {
    Orientation {
        parent,
        child,
        reason,
        directed: true,
        cue,
    }
}

/// How many of each outlet's documents are the parent, and how many the child, of a link
/// decided by dates apart or by credit: outlets that act as wires in this corpus.
///
/// Documents, not links, are counted: the first of five copies of one story is the earlier
/// end of four links, but it is one story an outlet ran first, not four.
#[derive(Debug, Clone, Default)]
pub struct WireStats {
    /// Per outlet (normalised name): its documents that are a parent, and a child.
    documents: AHashMap<String, (u32, u32)>,
}

impl WireStats {
    /// Counts each document once as a parent and once as a child, over the decided links
    /// given as `(parent, child)`.
    pub(super) fn from_links(docs: &[Document], links: impl Iterator<Item = (u32, u32)>) -> Self {
        let mut roles: AHashMap<u32, (bool, bool)> = AHashMap::new();
        for (parent, child) in links {
            roles.entry(parent).or_default().0 = true;
            roles.entry(child).or_default().1 = true;
        }
        let mut stats = WireStats::default();
        for (doc, (as_parent, as_child)) in roles {
            if let Some(source) = &docs[doc as usize].source {
                let e = stats.documents.entry(normalize_name(source)).or_default();
                e.0 += u32::from(as_parent);
                e.1 += u32::from(as_child);
            }
        }
        stats
    }

    /// `(documents as parent, documents as child)` for an outlet.
    fn documents(&self, source: Option<&str>) -> (u32, u32) {
        source
            .and_then(|s| self.documents.get(&normalize_name(s)).copied())
            .unwrap_or_default()
    }

    /// Whether an outlet's documents are the parent of three or more links and the child
    /// of at most one in five.
    pub(super) fn is_wire(&self, source: Option<&str>) -> bool {
        let (p, c) = self.documents(source);
        p >= 3 && p * 5 >= (p + c) * 4
    }

    /// `(parent, child, the parent's outlet, its (parent, child) document counts)` when
    /// exactly one end of a pair has an outlet that acts as a wire by these counts (two
    /// documents of one outlet never do).
    fn wire_end<'d>(
        &self,
        docs: &'d [Document],
        e: &PairEvidence,
    ) -> Option<(u32, u32, &'d str, (u32, u32))> {
        let (sa, sb) = (
            docs[e.a as usize].source.as_deref(),
            docs[e.b as usize].source.as_deref(),
        );
        let (p, c, source) = match (self.is_wire(sa), self.is_wire(sb)) {
            (true, false) => (e.a, e.b, sa?),
            (false, true) => (e.b, e.a, sb?),
            _ => return None,
        };
        Some((p, c, source, self.documents(Some(source))))
    }
}

/// The direction of a pair that nothing else decides, when one end's outlet acts as the
/// source of copies by its text (`roles`, learned by `siblings::mediate`) and the other's,
/// a different outlet, does not.
pub(super) fn by_source_outlet(
    docs: &[Document],
    roles: &WireStats,
    e: &PairEvidence,
) -> Option<Orientation> {
    let (p, c, source, (hub, beaten)) = roles.wire_end(docs, e)?;
    let reason = format!(
        "'{source}' is the source of copies in this corpus by their text ({hub} of its documents are the hub whose own words other copies carry, {beaten} lost that to another outlet's copy)"
    );
    Some(decided(p, c, reason, Cue::SourceOutlet))
}

/// The cues of a corpus: credits per document, the tie window and the wires learned.
pub(super) struct Cues<'a> {
    pub docs: &'a [Document],
    pub credited: Vec<Vec<String>>,
    /// Outlets each document names as the source of its whole text (see [`bylines`]).
    pub bylines: Vec<Vec<String>>,
    pub windows: LineageConfig,
    pub wires: WireStats,
}

const DAY: i64 = 86_400;

/// Whether a date is given to the day only (`2019-06-05`, `20190605`).
fn day_only(date: Option<&str>) -> bool {
    date.is_some_and(|d| !d.trim().contains(['T', 't', ' ', ':']))
}

/// Whether a timestamp says its UTC offset (`…Z`, `…+08:00`, `…-0500`).
fn has_offset(date: Option<&str>) -> bool {
    let Some(d) = date.map(str::trim) else {
        return false;
    };
    if d.ends_with(['Z', 'z']) {
        return true;
    }
    // The offset follows the time of day: look after the last ':' of hh:mm.
    let time = d.rsplit_once(['T', 't', ' ']).map_or("", |(_, t)| t);
    time.get(2..).is_some_and(|rest| rest.contains(['+', '-']))
}

impl<'a> Cues<'a> {
    /// Credits of every document in a pair, and the wires learned from the strong cues.
    pub fn learn(docs: &'a [Document], pairs: &[PairEvidence], windows: &LineageConfig) -> Self {
        let mut credits = vec![TextCredits::default(); docs.len()];
        let mut seen = vec![false; docs.len()];
        for e in pairs {
            for d in [e.a, e.b] {
                if !std::mem::replace(&mut seen[d as usize], true) {
                    credits[d as usize] = TextCredits::of(&docs[d as usize].text);
                }
            }
        }
        Cues::with_credits(docs, pairs, windows, credits)
    }

    /// [`learn`](Self::learn) with each document's credits read beforehand (the documents'
    /// texts are not read: an article queried against many stored documents is scanned
    /// once, not once per pair).
    pub fn with_credits(
        docs: &'a [Document],
        pairs: &[PairEvidence],
        windows: &LineageConfig,
        credits: Vec<TextCredits>,
    ) -> Self {
        let (credited, by) = credits.into_iter().map(|c| (c.credited, c.bylines)).unzip();
        let mut cues = Cues {
            docs,
            credited,
            bylines: by,
            windows: *windows,
            wires: WireStats::default(),
        };
        let decided: Vec<(u32, u32)> = pairs
            .iter()
            .filter_map(|e| cues.by_date(e).or_else(|| cues.by_credit(e)))
            .map(|o| (o.parent, o.child))
            .collect();
        cues.wires = WireStats::from_links(docs, decided.into_iter());
        cues
    }

    /// Whether two dated documents are too close in time for the dates to decide.
    pub fn tied(&self, a: u32, b: u32) -> Option<bool> {
        let (da, db) = (&self.docs[a as usize], &self.docs[b as usize]);
        let (ta, tb) = (da.timestamp?, db.timestamp?);
        let (fa, fb) = (da.date.as_deref(), db.date.as_deref());
        let apart = (ta - tb).abs();
        Some(if day_only(fa) || day_only(fb) {
            ta.div_euclid(DAY) == tb.div_euclid(DAY)
        } else if (has_offset(fa) && has_offset(fb)) || same_outlet(da, db) {
            apart < self.windows.tie_window_seconds
        } else {
            apart < self.windows.local_tie_window_seconds
        })
    }

    /// Whether two documents were published within the copy window
    /// ([`LineageConfig::copy_window_seconds`]) of each other.
    ///
    /// [`LineageConfig::copy_window_seconds`]: super::LineageConfig::copy_window_seconds
    pub fn close_in_time(&self, a: u32, b: u32) -> bool {
        let (da, db) = (&self.docs[a as usize], &self.docs[b as usize]);
        da.timestamp
            .zip(db.timestamp)
            .is_some_and(|(ta, tb)| (ta - tb).abs() <= self.windows.copy_window_seconds)
    }

    fn by_date(&self, e: &PairEvidence) -> Option<Orientation> {
        let (a, b) = (e.a, e.b);
        if self.tied(a, b)? {
            return None;
        }
        let (ta, tb) = (
            self.docs[a as usize].timestamp?,
            self.docs[b as usize].timestamp?,
        );
        let (p, c) = if ta < tb { (a, b) } else { (b, a) };
        let reason = format!(
            "earlier date ({} before {})",
            date_of(&self.docs[p as usize]),
            date_of(&self.docs[c as usize])
        );
        Some(decided(p, c, reason, Cue::Date))
    }

    fn by_credit(&self, e: &PairEvidence) -> Option<Orientation> {
        let (a, b) = (e.a, e.b);
        let (da, db) = (&self.docs[a as usize], &self.docs[b as usize]);
        let b_credits_a = credits_outlet(&self.credited[b as usize], da);
        let a_credits_b = credits_outlet(&self.credited[a as usize], db);
        let (p, c, name) = match (b_credits_a, a_credits_b) {
            (Some(name), None) => (a, b, name),
            (None, Some(name)) => (b, a, name),
            _ => return None,
        };
        let reason = format!("child credits '{name}', the parent's outlet");
        Some(decided(p, c, reason, Cue::Credit))
    }

    fn by_wire(&self, e: &PairEvidence) -> Option<Orientation> {
        let (p, c, source, (as_parent, as_child)) = self.wires.wire_end(self.docs, e)?;
        let reason = format!(
            "'{source}' acts as a wire in this corpus (in links decided by date or credit, {as_parent} of its documents are the source and {as_child} a copy)"
        );
        Some(decided(p, c, reason, Cue::Wire))
    }

    /// Decides which of a pair is the parent.
    pub fn direction(&self, e: &PairEvidence) -> Orientation {
        if let Some(o) = self
            .by_date(e)
            .or_else(|| self.by_credit(e))
            .or_else(|| self.by_wire(e))
            .or_else(|| by_truncation(e))
        {
            return o;
        }
        let (a, b) = (e.a, e.b);
        let (p, c) = if e.a_shingles >= e.b_shingles {
            (a, b)
        } else {
            (b, a)
        };
        let reason = if self.tied(a, b) == Some(true) {
            "undetermined: dated too close together to tell, and no credit, wire or truncation evidence"
        } else {
            "undetermined: no date, credit or containment tells which copied which"
        };
        Orientation {
            parent: p,
            child: c,
            reason: reason.into(),
            directed: false,
            cue: Cue::None,
        }
    }
}

/// Do two documents name the same outlet (`source`, compared as names: case, punctuation
/// and spacing aside)? Unknown outlets are not the same.
pub fn same_outlet(a: &Document, b: &Document) -> bool {
    a.source
        .as_deref()
        .zip(b.source.as_deref())
        .is_some_and(|(x, y)| normalize_name(x) == normalize_name(y))
}

fn date_of(doc: &Document) -> String {
    doc.date.clone().unwrap_or_else(|| "no date".into())
}

/// Containment decides only as truncation: the shorter text is (nearly) all in the longer
/// one *from its start*.
fn by_truncation(e: &PairEvidence) -> Option<Orientation> {
    let (a, b) = (e.a, e.b);
    let (sa, sb) = (e.share_of(a), e.share_of(b));
    let (p, c, share) = if sa >= 0.9 && sb < 0.8 && starts_at_start_of(e, b) {
        (b, a, sa)
    } else if sb >= 0.9 && sa < 0.8 && starts_at_start_of(e, a) {
        (a, b, sb)
    } else {
        return None;
    };
    let reason = format!(
        "truncated: {:.0}% of the child is in the longer parent, from its start",
        share * 100.0
    );
    Some(decided(p, c, reason, Cue::Truncation))
}

/// Words of slack allowed before the start of a truncated copy in its parent (a dropped
/// dateline, breadcrumb or headline).
const PREFIX_SLACK_WORDS: usize = 20;

/// Whether the shared passages begin near the start of `doc`'s content.
pub(super) fn starts_at_start_of(e: &PairEvidence, doc: u32) -> bool {
    e.spans
        .iter()
        .map(|s| {
            if doc == e.a {
                s.a_first_word
            } else {
                s.b_first_word
            }
        })
        .min()
        .is_some_and(|first| first <= PREFIX_SLACK_WORDS)
}
