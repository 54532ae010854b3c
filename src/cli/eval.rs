//! `wiretrace eval`: scores a lineage, passages or dups output against labelled truth
//! (the measures are the library's, [`wiretrace::eval`]).

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Args;

use wiretrace::Error;
use wiretrace::corpus::{Input, ReadOptions, read_inputs};
use wiretrace::eval::{EvalOptions, Prediction, Truth, evaluate};
use wiretrace::export::{self, Output};

use super::Status;
use super::args::{ReportFormat, RunArgs};

#[derive(Args)]
pub struct EvalArgs {
    /// The output to score: the --format json output of lineage, passages or dups.
    #[arg(value_name = "OUTPUT")]
    output_json: PathBuf,

    /// The truth: JSON with edges, negatives, and optionally clusters and passages (see
    /// README, "Measuring quality").
    #[arg(long, value_name = "FILE")]
    truth: PathBuf,

    /// The corpus the output was made from (same inputs as that run): truth ids missing
    /// from it are unseen sources, which inferred nodes may stand for; a truth child or
    /// negative missing from it is an error.
    #[arg(long, value_name = "INPUT")]
    corpus: Vec<String>,

    /// The truth lists every reuse edge (a generated corpus): pairs it does not label count
    /// as negatives, not as unknown.
    #[arg(long)]
    complete: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    run: RunArgs,
}

pub fn run(args: EvalArgs) -> Result<Status, Error> {
    args.run.prepare()?;
    let corpus_inputs: Vec<Input> = args
        .corpus
        .iter()
        .map(|s| Input::from(s.as_str()))
        .collect();
    let mut read_from: Vec<Input> = corpus_inputs.clone();
    read_from.push(Input::Path(args.truth.clone()));
    read_from.push(Input::Path(args.output_json.clone()));
    let outputs: Vec<(&str, &std::path::Path)> = args
        .output
        .iter()
        .map(|p| ("--output", p.as_path()))
        .collect();
    let output = Output::from(export::target::open_outputs(&outputs, &read_from)?.pop());
    let truth = Truth::read(&args.truth)?;
    let prediction = Prediction::read(&args.output_json)?;
    let corpus_ids = if corpus_inputs.is_empty() {
        None
    } else {
        Some(corpus_ids(&args, &corpus_inputs, &truth)?)
    };
    let options = EvalOptions {
        complete: args.complete,
    };
    let evaluation = evaluate(&truth, &prediction, corpus_ids.as_ref(), options);
    output.write(|out| match args.format {
        ReportFormat::Table => wiretrace::eval::write_table(&evaluation, out),
        ReportFormat::Json => export::json::write_value(
            &export::json::envelope(
                "eval",
                serde_json::json!({
                    "truth": args.truth.display().to_string(),
                    "output": args.output_json.display().to_string(),
                    "evaluation": evaluation,
                }),
            ),
            out,
        ),
    })?;
    Ok(Status::Done)
}

/// The ids of the corpus the output was made from; an error when a truth child or
/// negative is not among them.
fn corpus_ids(args: &EvalArgs, inputs: &[Input], truth: &Truth) -> Result<BTreeSet<String>, Error> {
    let options = ReadOptions {
        max_doc_bytes: args.run.max_doc_bytes,
        ..ReadOptions::default()
    };
    let corpus = read_inputs(inputs, &options)?;
    let ids: BTreeSet<String> = corpus.documents.into_iter().map(|d| d.id).collect();
    let unknown = truth
        .edges
        .iter()
        .map(|e| (&e.child, "an edge's child"))
        .chain(
            truth
                .negatives
                .iter()
                .flat_map(|(a, b)| [(a, "a negative"), (b, "a negative")]),
        )
        .find(|(id, _)| !ids.contains(id.as_str()));
    if let Some((id, role)) = unknown {
        return Err(Error::Config(format!(
            "truth file '{}': unknown id '{id}' ({role}) is not in the corpus",
            args.truth.display()
        )));
    }
    Ok(ids)
}
