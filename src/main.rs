//! `hedui` (核对): parse flags, call the library, print a summary, pick the
//! exit code (0 completed, 2 bad input or policy, 1 anything else).

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("hedui: error: {e:#}");
            std::process::exit(cli::exit_code(&e));
        }
    }
}
