//! `hedui validate --data DIR`: schema and data-quality checks alone.
//! Exit 0: every dataset readable and no problem found; 2: a schema error
//! (printed as the error) or at least one data-quality problem.

use hedui::report::labels;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory: one NAME.parquet or NAME/ directory per dataset.
    #[arg(long)]
    data: PathBuf,
}

/// Data-quality problems were found (exit code 2); the summary says which.
#[derive(Debug, thiserror::Error)]
#[error("{0} data-quality problem(s) found in {1}")]
pub struct ProblemsFound(pub usize, pub String);

pub fn run(args: Args) -> anyhow::Result<()> {
    let v = hedui::validate::validate(&args.data)?;
    let mut text = String::new();
    writeln!(text, "hedui validate {}", args.data.display())?;
    for (name, d) in &v.datasets {
        let total: usize = d.problems.values().sum();
        let verdict = if total == 0 {
            "ok".to_string()
        } else {
            format!("{total} problem(s)")
        };
        writeln!(text, "  {name:<11} {:>9} rows  {verdict}", d.rows)?;
        let mut problems: Vec<_> = d.problems.iter().collect();
        problems.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (code, n) in problems {
            writeln!(text, "      {n:>9}  {code} ({})", labels::problem(code))?;
        }
    }
    if !v.absent.is_empty() {
        writeln!(
            text,
            "  absent (optional; their rules would be not checked): {}",
            v.absent.join(", ")
        )?;
    }
    // A sample of rows, so the sender can find them (ids are not printed).
    for q in v.rows.iter().take(10) {
        writeln!(
            text,
            "  e.g. {} row {} column {}: {}",
            q.dataset.name(),
            q.row_index,
            q.column,
            q.problem.code()
        )?;
    }
    super::print(&text)?;
    if v.problems() > 0 {
        return Err(ProblemsFound(v.problems(), args.data.display().to_string()).into());
    }
    Ok(())
}
