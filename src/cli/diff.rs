//! `hedui diff RUN_A RUN_B`: what changed from one run to the next.

use hedui::report::{diff, labels};
use std::fmt::Write;
use std::path::PathBuf;

/// Lines printed per section; `--csv` has them all.
const SHOWN: usize = 20;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The earlier run's output directory (e.g. last month).
    run_a: PathBuf,
    /// The later run's output directory.
    run_b: PathBuf,
    /// Also write every change to this CSV file (UTF-8 with BOM, Chinese headers).
    #[arg(long)]
    csv: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let d = diff::diff(&args.run_a, &args.run_b)?;
    if let Some(path) = &args.csv {
        diff::write_csv(&d, path)?;
    }
    let mut text = String::new();
    writeln!(
        text,
        "hedui diff {} → {}",
        args.run_a.display(),
        args.run_b.display()
    )?;
    writeln!(
        text,
        "  households whose action changed: {}",
        d.action_changes.len()
    )?;
    for c in d.action_changes.iter().take(SHOWN) {
        let label =
            |a: &Option<String>| a.as_deref().map_or("(absent)", labels::action).to_string();
        writeln!(
            text,
            "    {} {}: {} → {}  {}",
            c.household_id,
            c.region_code,
            label(&c.before),
            label(&c.after),
            c.reasons.join(" ")
        )?;
    }
    for (title, list) in [
        ("new findings", &d.new_findings),
        ("findings gone", &d.gone_findings),
    ] {
        writeln!(text, "  {title}: {}", list.len())?;
        for f in list.iter().take(SHOWN) {
            writeln!(
                text,
                "    {} {} {}: {}",
                f.household_id,
                f.rule_id,
                f.dataset.as_deref().unwrap_or("-"),
                f.detail
            )?;
        }
    }
    let longest = d
        .action_changes
        .len()
        .max(d.new_findings.len())
        .max(d.gone_findings.len());
    if longest > SHOWN && args.csv.is_none() {
        writeln!(
            text,
            "  (first {SHOWN} of each shown; --csv FILE writes them all)"
        )?;
    }
    if let Some(path) = &args.csv {
        writeln!(text, "  written: {}", path.display())?;
    }
    super::print(&text)
}
