//! `hedui gen`: synthetic data with planted cases and their truth.

use anyhow::Context;
use hedui::calendar::RunMonth;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of households.
    #[arg(long, default_value_t = 300)]
    households: usize,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output data directory (truth goes to OUT/truth/).
    #[arg(long)]
    out: PathBuf,
    /// The run month the planted cases are built for.
    #[arg(long, default_value = "2024-10")]
    month: String,
    /// Policy directory whose parameters the cases are built against.
    #[arg(long, default_value = "policies")]
    policies: PathBuf,
    /// `standard` (the shipped samples' noise) or `linkage`: broken ids,
    /// rare-character names and decoys, truth in OUT/truth/linkage.csv.
    #[arg(long, default_value = "standard")]
    noise: hedui::gen::Noise,
    /// Extract rows per household in total: strangers' rows are added until
    /// the extracts reach it (province-scale benchmarks use 20). Default:
    /// the natural volume, about 10.
    #[arg(long)]
    extract_rows_per_household: Option<f64>,
    /// Write every extract as a directory of Parquet parts of at most this
    /// many rows (`deposits/part-00000.parquet`…). Default: 1000000 from
    /// 500000 households up, else the small layout.
    #[arg(long)]
    part_rows: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let month: RunMonth = args.month.parse()?;
    let request = hedui::gen::GenRequest {
        households: args.households,
        seed: args.seed,
        out: args.out.clone(),
        month,
        policies: args.policies,
    };
    let options = hedui::gen::GenOptions {
        noise: args.noise,
        scale: hedui::gen::Scale {
            extract_rows_per_household: args.extract_rows_per_household,
            part_rows: args
                .part_rows
                .or((args.households >= 500_000).then_some(1_000_000)),
        },
    };
    let summary = hedui::gen::generate_with(&request, options)
        .with_context(|| format!("generating into {}", args.out.display()))?;
    let mut text = String::new();
    writeln!(
        text,
        "hedui gen: {} households, {} members, {} planted cases → {}",
        summary.households,
        summary.members,
        summary.planted_cases,
        args.out.display()
    )?;
    for (dataset, rows) in &summary.extract_rows {
        writeln!(text, "  {dataset}: {rows} rows")?;
    }
    super::print(&text)
}
