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
    /// `standard` (the shipped samples' noise), `linkage` (broken ids,
    /// rare-character names and decoys) or `realistic` (every extract row
    /// noisy at the rates real extracts show, see --noise-rate, plus
    /// decoys); the noisy modes write the truth of every extract row to
    /// OUT/truth/linkage.csv.
    #[arg(long, default_value = "standard")]
    noise: hedui::gen::Noise,
    /// With --noise realistic: the share of extract rows with one kind of
    /// noise, e.g. `wrong_digit=0.03` (repeatable). Kinds and defaults:
    /// wrong_digit 0.022, missing_id 0.015, missing_id_and_birth_date
    /// 0.005, legacy_15 0.022, full_width 0.018, id_spaces 0.017,
    /// name_spaces 0.024, traditional 0.016, null_name 0.008,
    /// name_placeholder 0.003, name_pinyin 0.003.
    #[arg(long = "noise-rate", value_name = "KIND=RATE")]
    noise_rate: Vec<hedui::gen::NoiseRate>,
    /// Register the households and the strangers who hold extract rows in
    /// the first N of the generator's 5 counties (乐至, 西峰, 清水, 新平,
    /// 兴庆). Default: all five.
    #[arg(long, value_name = "N")]
    counties: Option<usize>,
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
    if !args.noise_rate.is_empty() && args.noise != hedui::gen::Noise::Realistic {
        anyhow::bail!("--noise-rate applies only to --noise realistic");
    }
    let mut rates = hedui::gen::NoiseRates::default();
    for rate in &args.noise_rate {
        rates.set(*rate);
    }
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
        counties: args.counties,
        rates,
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
