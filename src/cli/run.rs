//! `hedui run`: the monthly verification run.

use anyhow::Context;
use hedui::calendar::RunMonth;
use hedui::verdict::Action;
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
    /// No progress bars and no summary (errors are still printed).
    #[arg(long, short)]
    quiet: bool,
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
    let bars = super::progress::Bars::new(args.quiet);
    let result = hedui::run_with_progress(&request, &bars);
    hedui::progress::Progress::finish(&bars);
    let summary = result.with_context(|| format!("run for {month} failed"))?;
    if args.quiet {
        return Ok(());
    }
    super::print(&summary_text(month, &summary)?)
}

/// The one-screen summary: what to act on, what was not checked, where the lists are.
fn summary_text(month: RunMonth, s: &hedui::RunSummary) -> anyhow::Result<String> {
    let mut text = String::new();
    writeln!(
        text,
        "hedui run {month}: {} households checked in {:.1} s",
        s.households, s.seconds
    )?;
    writeln!(text)?;
    for a in Action::ALL {
        let n = s.actions.get(a.code()).copied().unwrap_or(0);
        // Pad by display width: a Chinese character takes two columns.
        let label = a.label_zh();
        let pad = 14usize.saturating_sub(2 * label.chars().count());
        writeln!(text, "  {:<20} {label}{:pad$} {n:>9}", a.code(), "")?;
    }
    writeln!(text)?;
    let entries = s.actions.get("entry").copied().unwrap_or(0)
        + s.actions.get("single_person_entry").copied().unwrap_or(0);
    writeln!(
        text,
        "  entries {entries}   near-relative conflicts {} (of {} pairs)   reviews due {}",
        s.near_relative_conflicts, s.near_relative_pairs, s.review_due
    )?;
    writeln!(
        text,
        "  findings {}   data quality problems {}",
        s.findings, s.data_quality
    )?;
    let matches: Vec<String> = s.matches.iter().map(|(k, n)| format!("{k} {n}")).collect();
    writeln!(text, "  extract rows: {}", matches.join(", "))?;
    if !s.not_checked.is_empty() {
        writeln!(
            text,
            "  NOT CHECKED (dataset missing): {}",
            s.not_checked.join(", ")
        )?;
    }
    writeln!(text)?;
    writeln!(
        text,
        "  lists for people:   {}/report.xlsx, report.html, *.csv (公示名单.csv …)",
        s.out.display()
    )?;
    writeln!(
        text,
        "  tables for machines: decisions, findings, matches, near_relative_conflicts, review_due, data_quality (.parquet), run.json"
    )?;
    Ok(text)
}
