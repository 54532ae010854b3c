//! `wiretrace synth`: synthetic corpora with known truth, for benchmarks, trials and the
//! lineage tests.

use std::path::PathBuf;

use clap::Args;

use wiretrace::Error;
use wiretrace::export::{self, Output};

use super::Status;
use super::args::RunArgs;

#[derive(Args)]
pub struct SynthArgs {
    /// Number of articles.
    #[arg(long, default_value_t = 10_000)]
    docs: usize,

    /// Random seed: the same seed gives the same corpus.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Write the corpus to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Also write the planted reposts as "original<TAB>repost" lines to FILE (with
    /// --syndication: the truth as JSON, in the format `wiretrace eval --truth` reads).
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,

    /// Write a small syndication corpus instead — wire stories with verbatim, edited,
    /// truncated and excerpted reposts, reposts of reposts, undated copies and
    /// distractors — with every lineage edge in the truth (--docs is then ignored).
    #[arg(long)]
    syndication: bool,

    /// With --syndication: wire stories.
    #[arg(long, default_value_t = 60, requires = "syndication")]
    stories: usize,

    /// With --syndication: percent of stories whose first repost has the wire story's
    /// timestamp.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u32).range(0..=100), requires = "syndication")]
    same_time: u32,

    /// With --syndication: percent of stories whose wire original is left out of the
    /// corpus (its copies stay; the truth names it).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100), requires = "syndication")]
    missing_originals: u32,

    /// With --syndication: percent of stories whose copies drop the wire's credit.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100), requires = "syndication")]
    uncredited: u32,

    /// With --syndication: percent of stories that one more outlet rewrites (reordered,
    /// reworded, shortened; truth kind "rewritten").
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100), requires = "syndication")]
    rewritten: u32,

    /// With --syndication: percent of stories that one more outlet merges with the story
    /// before it into one roundup (a copy with two parents; truth kind "merged").
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100), requires = "syndication")]
    merged: u32,

    /// Accepted as by every command (synth reads no input: --strict and --max-doc-bytes
    /// have nothing to act on).
    #[command(flatten)]
    run: RunArgs,
}

pub fn run(args: SynthArgs) -> Result<Status, Error> {
    let outputs: Vec<(&str, &std::path::Path)> =
        [("--output", &args.output), ("--truth", &args.truth)]
            .into_iter()
            .filter_map(|(o, p)| p.as_deref().map(|p| (o, p)))
            .collect();
    args.run.prepare()?;
    let mut opened = export::target::open_outputs(&outputs, &[])?.into_iter();
    // In the order given: the corpus (when not stdout), then the truth.
    let output = Output::from(args.output.is_some().then(|| opened.next()).flatten());
    let truth_file = opened.next();
    let mut truth: Vec<u8> = Vec::new();
    output.write(|out| {
        let truth_sink: Option<&mut dyn std::io::Write> = if args.truth.is_some() {
            Some(&mut truth)
        } else {
            None
        };
        if !args.syndication {
            return wiretrace::synth::write_news_corpus(args.docs, args.seed, out, truth_sink);
        }
        let corpus = wiretrace::synth::generate(&wiretrace::synth::SynthConfig {
            seed: args.seed,
            originals: args.stories,
            same_time_percent: args.same_time,
            missing_originals_percent: args.missing_originals,
            uncredited_percent: args.uncredited,
            rewritten_percent: args.rewritten,
            merged_percent: args.merged,
            ..wiretrace::synth::SynthConfig::default()
        });
        out.write_all(wiretrace::synth::to_jsonl(&corpus).as_bytes())?;
        if let Some(t) = truth_sink {
            serde_json::to_writer_pretty(&mut *t, &corpus.truth_json())?;
            t.write_all(b"\n")?;
        }
        Ok(())
    })?;
    if let Some(file) = truth_file {
        Output::File(file).write(|out| out.write_all(&truth))?;
    }
    Ok(Status::Done)
}
