//! `hedui validate --data DIR`: schema and data-quality checks alone.
//! Exit 0: every dataset readable and every value usable (problems the
//! engine repairs, such as whitespace or a legacy 15-digit id, are listed
//! but pass); 2: a schema error (printed as the error) or a value left
//! unusable (a wrong check digit, an unparsable date, an unknown code, …).

use hedui::report::labels;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory: one NAME.parquet or NAME/ directory per dataset.
    #[arg(long)]
    data: PathBuf,
}

/// Unusable values were found (exit code 2); the summary says which.
#[derive(Debug, thiserror::Error)]
#[error("{0} unusable value(s) found in {1}")]
pub struct ProblemsFound(pub usize, pub String);

pub fn run(args: Args) -> anyhow::Result<()> {
    let v = hedui::validate::validate(&args.data)?;
    let mut text = String::new();
    writeln!(text, "hedui validate {}", args.data.display())?;
    for (name, d) in &v.datasets {
        let total: usize = d.problems.values().sum();
        let verdict = match (total - d.repaired, d.repaired) {
            (0, 0) => "ok".to_string(),
            (0, r) => format!("ok ({r} repaired)"),
            (n, r) => format!("{n} unusable value(s), {r} repaired"),
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
    // A sample of unusable values, so the sender can find them (ids are not printed).
    let unusable = v.rows.iter().filter(|q| !q.problem.is_repaired());
    for q in unusable.take(10) {
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
    if v.unusable() > 0 {
        return Err(ProblemsFound(v.unusable(), args.data.display().to_string()).into());
    }
    Ok(())
}
