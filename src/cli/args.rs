//! The option groups several commands share, each declared once and flattened where used:
//! the inputs and how to read them, the options every command takes, the `dups`
//! parameters, the passage-level parameters, the output file and formats.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use wiretrace::Error;
use wiretrace::corpus::{FieldNames, Input, InputFormat, ReadOptions};
use wiretrace::dups::DupsConfig;
use wiretrace::lsh::LshParams;
use wiretrace::shingle::ShingleScheme;
use wiretrace::trace::{PassageOptions, TraceConfig};

#[derive(Args)]
pub struct InputArgs {
    /// Folders, JSON Lines files, text files, or - for stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// How to read files named directly and stdin: auto decides by extension
    /// (.jsonl/.ndjson/.json are JSON Lines, anything else is one text document).
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub input_format: FormatArg,

    /// JSON field holding the document id (string or integer).
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub id_field: String,
    /// JSON field holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_field: String,
    /// JSON field holding the publishing outlet.
    #[arg(long, default_value = "source", value_name = "NAME")]
    pub source_field: String,
    /// JSON field holding the ISO 8601 date or date-time.
    #[arg(long, default_value = "date", value_name = "NAME")]
    pub date_field: String,
    /// JSON field holding the headline.
    #[arg(long, default_value = "title", value_name = "NAME")]
    pub title_field: String,
    /// JSON field holding the address.
    #[arg(long, default_value = "url", value_name = "NAME")]
    pub url_field: String,

    #[command(flatten)]
    pub run: RunArgs,
}

impl InputArgs {
    /// The inputs named; an error when there are none.
    pub fn inputs(&self) -> Result<Vec<Input>, Error> {
        if self.inputs.is_empty() {
            return Err(Error::Config(
                "no INPUT given: name folders, JSON Lines files, text files, or - for stdin".into(),
            ));
        }
        Ok(self
            .inputs
            .iter()
            .map(|s| Input::from(s.as_str()))
            .collect())
    }

    /// How the library reads them.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            fields: FieldNames {
                id: self.id_field.clone(),
                text: self.text_field.clone(),
                source: self.source_field.clone(),
                date: self.date_field.clone(),
                title: self.title_field.clone(),
                url: self.url_field.clone(),
            },
            format: match self.input_format {
                FormatArg::Auto => InputFormat::Auto,
                FormatArg::Jsonl => InputFormat::Jsonl,
                FormatArg::Text => InputFormat::Text,
            },
            max_doc_bytes: self.run.max_doc_bytes,
            keep_raw: false,
        }
    }
}

/// Options every command takes.
#[derive(Args)]
pub struct RunArgs {
    /// Skip (and report) records larger than this many bytes.
    #[arg(long, default_value_t = wiretrace::corpus::DEFAULT_MAX_DOC_BYTES, value_name = "BYTES")]
    pub max_doc_bytes: usize,

    /// Exit with status 3 if any record was skipped.
    #[arg(long)]
    pub strict: bool,

    /// Print nothing on stderr but errors (no progress bar, no summary).
    #[arg(short, long)]
    pub quiet: bool,

    /// Stop with a clear error (exit 1) when the run would need more memory than this:
    /// bytes, or with a K, M or G suffix (powers of 1024), e.g. 4G.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<u64>,

    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// Most worker threads accepted: far beyond any machine this runs on, and low enough that
/// starting them cannot take longer than the work.
const MAX_THREADS: usize = 256;

impl RunArgs {
    /// Applies the options every command takes: the memory limit (counted from here on)
    /// and the thread pool.
    pub fn prepare(&self) -> Result<(), Error> {
        if let Some(limit) = self.memory_limit {
            wiretrace::memory::set_limit(limit);
        }
        if let Some(n) = self.threads {
            if n == 0 || n > MAX_THREADS {
                return Err(Error::Config(format!(
                    "--threads {n}: give 1 to {MAX_THREADS} (results do not depend on it; \
                     the default is one per core)"
                )));
            }
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global()
                .map_err(|e| Error::Config(format!("cannot set --threads: {e}")))?;
        }
        Ok(())
    }
}

/// Parses a byte size: a whole number with an optional K, M or G suffix (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&t[..i], t[i..].trim().to_ascii_uppercase()),
        None => (t, String::new()),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("'{s}' is not a size like 512M or 4G"))?;
    let factor: u64 = match unit.trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("unknown unit in '{s}': use K, M or G")),
    };
    n.checked_mul(factor)
        .filter(|&b| b > 0)
        .ok_or_else(|| format!("'{s}' is not a usable size"))
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Auto,
    Jsonl,
    Text,
}

/// The output file of a command that writes to stdout by default.
#[derive(Args)]
pub struct OutputArg {
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl OutputArg {
    /// The `(option, path)` list the output checks take.
    pub fn named(&self) -> Vec<(&'static str, &std::path::Path)> {
        self.output
            .iter()
            .map(|p| ("--output", p.as_path()))
            .collect()
    }
}

/// The formats of `dups` and `passages`.
#[derive(Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object (schema in README.md).
    Json,
    /// One JSON record per line, each with a "type".
    Jsonl,
}

/// The formats of the reports that are read whole: a table or one JSON object.
#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object (schema in README.md).
    Json,
}

/// The lineage graph's formats.
#[derive(Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    /// Nodes, edges with evidence, families and boilerplate (schema in README.md).
    Json,
    /// Graphviz; render with `dot -Tsvg`.
    Dot,
    /// GraphML for Gephi, Cytoscape or networkx.
    Graphml,
}

#[derive(Args)]
pub struct DupsParams {
    /// Least exact Jaccard similarity of shingle sets for a pair to be reported (0 < T ≤ 1).
    #[arg(long, default_value_t = 0.8, value_name = "T")]
    threshold: f64,

    /// Shingles: words:K (word K-grams; one CJK character counts as a word) or chars:N
    /// (character N-grams of the normalised text).
    #[arg(long, default_value = "words:5", value_name = "KIND:SIZE")]
    shingle: ShingleScheme,

    /// MinHash signature length (values; the k of k-permutation MinHash it stands in for).
    #[arg(long, default_value_t = 128, value_name = "N")]
    num_perm: usize,

    /// Seed of the MinHash hashing: the same seed gives the same output.
    #[arg(long, default_value_t = wiretrace::dups::DEFAULT_SEED)]
    seed: u64,

    /// LSH bands (default: chosen from --threshold so that a pair at the threshold is a
    /// candidate with probability ≥ 0.99). Give with --rows.
    #[arg(long, requires = "rows")]
    bands: Option<usize>,

    /// LSH rows per band. Give with --bands.
    #[arg(long, requires = "bands")]
    rows: Option<usize>,

    /// Buckets with more documents than this give star pairs only, keeping candidate
    /// generation linear for templates repeated thousands of times.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_bucket: usize,
}

impl DupsParams {
    /// The document-level configuration (checked by the library when it resolves LSH).
    pub fn config(&self) -> DupsConfig {
        DupsConfig {
            scheme: self.shingle,
            num_perm: self.num_perm,
            seed: self.seed,
            threshold: self.threshold,
            lsh: self
                .bands
                .zip(self.rows)
                .map(|(bands, rows)| LshParams::uniform(bands, rows)),
            max_bucket: self.max_bucket,
        }
    }
}

#[derive(Args)]
pub struct PassageParams {
    /// Least length of a shared passage, in words, in both documents.
    #[arg(long, default_value_t = 20, value_name = "WORDS")]
    min_words: usize,

    /// Largest gap (substituted, inserted or dropped words) bridged inside one passage.
    #[arg(long, default_value_t = 30, value_name = "WORDS")]
    max_gap: usize,

    /// Word k-grams used to find and align passages.
    #[arg(long, default_value_t = 5, value_name = "K")]
    passage_k: usize,

    /// Fingerprints found in more documents than this are not used to find passage
    /// candidates (stock phrases); keeps candidate generation near linear.
    #[arg(long, default_value_t = 100, value_name = "N")]
    max_df: usize,

    /// A line found in at least this many unrelated documents (near-duplicates count once)
    /// is boilerplate, and a word 5-gram in this many unrelated stories a stock phrase (no
    /// evidence of reuse). Shared blocks of short lines (menus, newsletter sign-ups) are
    /// boilerplate whatever their count.
    #[arg(long, default_value_t = 10, value_name = "N")]
    boilerplate_min_docs: usize,

    /// Also find rewritten copy (reworded, reordered, shortened): candidates from a second
    /// index over each document's heaviest content words, aligned sentence by sentence on
    /// IDF-weighted content words (edges and passages with "method": "paraphrase").
    #[arg(long, value_enum, default_value_t = Switch::On, value_name = "ON|OFF")]
    paraphrase: Switch,

    /// Dated documents more than this many days apart are not compared as rewrites
    /// (0: any distance).
    #[arg(long, default_value_t = 2, value_name = "DAYS")]
    paraphrase_window: u32,

    /// Also find summaries: a paragraph condensing a whole story inside a longer text (a
    /// digest, a roundup), as one rewritten passage over both (needs --paraphrase on). Off by
    /// default: on news, a follow-up story's background paragraph recaps the earlier story
    /// as a summary would.
    #[arg(long, value_enum, default_value_t = Switch::Off, value_name = "ON|OFF")]
    summaries: Switch,
}

/// On or off.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

impl PassageParams {
    /// The passage-level configuration, made and checked by the library (whose errors name
    /// the parameters, `min_words`, which [`super::message`] writes as options).
    pub fn config(&self, dups: DupsConfig) -> Result<TraceConfig, Error> {
        let options = PassageOptions {
            min_words: self.min_words,
            max_gap: self.max_gap,
            passage_k: self.passage_k,
            max_df: self.max_df,
            boilerplate_min_docs: self.boilerplate_min_docs,
            paraphrase: self.paraphrase == Switch::On,
            paraphrase_window_days: self.paraphrase_window,
            summaries: self.summaries == Switch::On,
        };
        TraceConfig::from_options(dups, &options)
    }
}
