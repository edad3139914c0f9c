//! `hedui report --from RUN_DIR`: the workbook, CSV lists and report.html
//! of any run directory, from its tables (`hedui::report::from`).

use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(after_help = "Where it writes, unless --out says otherwise:\n  \
    the whole run:   into RUN_DIR itself, beside its tables (as `hedui run` does)\n  \
    --county CODE:   into RUN_DIR/counties/CODE/, one directory per centre\n\
    The target is replaced in one step; an existing --out must be empty or a previous run or report.")]
pub struct Args {
    /// A run directory: run.json and the tables decisions, findings,
    /// near_relative_conflicts, review_due, data_quality (each NAME.parquet
    /// or a NAME/ directory of Parquet parts), from `hedui run` or the Spark job.
    #[arg(long = "from", value_name = "RUN_DIR")]
    from: PathBuf,
    /// Only the households of this county (its 6-digit region code, e.g.
    /// 512022): each centre gets its own lists.
    #[arg(long, value_name = "CODE")]
    county: Option<String>,
    /// Where to write instead (default: RUN_DIR, or RUN_DIR/counties/CODE with --county).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// No progress bars and no summary (errors are still printed).
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let request = hedui::report::ReportRequest {
        from: args.from,
        county: args.county,
        out: args.out,
    };
    let bars = super::progress::Bars::new(args.quiet);
    let result = hedui::report::report_from(&request, &bars);
    hedui::progress::Progress::finish(&bars);
    let summary = result?;
    if args.quiet {
        return Ok(());
    }
    let mut text = String::new();
    let scope = request
        .county
        .map_or(String::new(), |c| format!(" of county {c}"));
    writeln!(
        text,
        "hedui report: {} households{scope}, {} files in {}",
        summary.households,
        summary.files.len(),
        summary.out.display()
    )?;
    super::print(&text)
}
