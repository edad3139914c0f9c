//! The command line: one file per verb.

mod diff;
mod explain;
mod gen;
mod progress;
mod report;
mod run;
mod validate;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "hedui",
    version,
    about = "核对: monthly household economic-status verification for social assistance"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the roster against the agency extracts for one month and write the lists.
    Run(run::Args),
    /// Write a synthetic data directory with planted cases and their truth.
    Gen(gen::Args),
    /// Explain one household of a finished run: decision, findings, rows, links.
    Explain(explain::Args),
    /// What changed between two runs: actions, new findings, findings gone.
    Diff(diff::Args),
    /// Schema and data-quality checks of a data directory alone (no policies).
    Validate(validate::Args),
    /// The workbook, CSV lists and report.html of a run directory, from its tables.
    Report(report::Args),
}

/// Prints a verb's summary. A closed pipe (`hedui run … | head`) is not an
/// error: the run's outputs are already written.
fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Gen(args) => gen::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Report(args) => report::run(args),
    }
}

/// 2 for bad input or policy (the user can fix it), 1 otherwise.
pub fn exit_code(e: &anyhow::Error) -> i32 {
    let bad_input = e.chain().any(|c| {
        c.is::<hedui::RunError>()
            && !matches!(
                c.downcast_ref::<hedui::RunError>(),
                Some(hedui::RunError::Output(_))
            )
            || c.is::<hedui::calendar::BadMonth>()
            || c.is::<hedui::policy::PolicyError>()
            || c.is::<hedui::load::LoadError>()
            || c.is::<validate::ProblemsFound>()
            || c.is::<explain::StaleData>()
            || c.downcast_ref::<hedui::report::ReportError>()
                .is_some_and(hedui::report::ReportError::is_bad_input)
            || matches!(
                c.downcast_ref::<hedui::report::diff::DiffError>(),
                Some(hedui::report::diff::DiffError::Read { .. })
            )
    });
    if bad_input {
        2
    } else {
        1
    }
}
