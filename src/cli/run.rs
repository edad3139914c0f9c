//! `hedui run`: the monthly verification run.

use anyhow::Context;
use hedui::calendar::RunMonth;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory: one NAME.parquet or NAME/ directory per dataset.
    #[arg(long)]
    data: PathBuf,
    /// Policy directory: one TOML file per region-code prefix.
    #[arg(long, default_value = "policies")]
    policies: PathBuf,
    /// The month to decide for, YYYY-MM.
    #[arg(long)]
    month: String,
    /// Output directory; replaced atomically if it holds a previous run.
    #[arg(long)]
    out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let month: RunMonth = args.month.parse()?;
    if let Some(n) = args.threads {
        // Ignored if a pool already exists; results never depend on the count.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let request = hedui::RunRequest {
        data: args.data,
        policies: args.policies,
        month,
        out: args.out,
    };
    let summary = hedui::run(&request).with_context(|| format!("run for {month} failed"))?;
    let mut text = String::new();
    writeln!(
        text,
        "hedui run {month}: {} households → {}",
        summary.households,
        summary.out.display()
    )?;
    let actions: Vec<String> = summary
        .actions
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(a, n)| format!("{a} {n}"))
        .collect();
    writeln!(text, "  actions: {}", actions.join(", "))?;
    let entries = summary.actions.get("entry").copied().unwrap_or(0)
        + summary
            .actions
            .get("single_person_entry")
            .copied()
            .unwrap_or(0);
    writeln!(
        text,
        "  entries: {entries}, near-relative conflicts: {} (of {} pairs), reviews due: {}",
        summary.near_relative_conflicts, summary.near_relative_pairs, summary.review_due
    )?;
    let matches: Vec<String> = summary
        .matches
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    writeln!(text, "  extract rows: {}", matches.join(", "))?;
    writeln!(
        text,
        "  findings: {}, data quality problems: {}",
        summary.findings, summary.data_quality
    )?;
    if !summary.not_checked.is_empty() {
        writeln!(
            text,
            "  not checked (dataset missing): {}",
            summary.not_checked.join(", ")
        )?;
    }
    writeln!(text, "  {:.2} s", summary.seconds)?;
    super::print(&text)
}
