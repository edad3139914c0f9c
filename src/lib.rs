//! hedui (核对): the monthly household economic-status verification run.
//!
//! ```text
//!  --data DIR                    --policies DIR
//!      │                              │
//!  load ─ Parquet → Table        policy ─ TOML → Params per region
//!      │                              │
//!  normalise ─ roster, ids, names, data_quality
//!      │
//!  link ─ extract rows → members (matches)
//!      │     near_relatives ─ members ↔ staff through kinship, filings
//!      │
//!  evidence ─ linked rows → holdings per household
//!      │
//!  rules ─ income + one file per rule → findings      (rayon, per household)
//!      │
//!  decide ─ findings → one action per household
//!      │
//!  output ─ decisions, findings, matches, near_relative_conflicts,
//!           review_due, data_quality, run.json (atomic)
//!      │
//!  report ─ report.xlsx, CSV lists (公示名单 …), report.html
//! ```
//!
//! Each stage is a function of [`stages`] with a typed result; [`run`] calls
//! them in order and writes the outputs; the binary only parses flags and
//! prints. The rule table is `rules::RULES` (rows in `rules/mod.rs`), the
//! dataset table `schema::DATASETS`; `verdict` holds `Action`, the word
//! rules, `decide` and the outputs share.

pub mod calendar;
pub mod decide;
pub mod evidence;
pub mod fuzz;
pub mod gen;
pub mod income;
pub mod link;
pub mod load;
pub mod near_relatives;
pub mod normalise;
pub mod output;
pub mod parallel;
pub mod policy;
pub mod progress;
pub mod quality;
pub mod report;
pub mod rules;
pub mod schema;
pub mod stages;
pub mod text;
pub mod validate;
pub mod verdict;

mod run;

pub use run::{run, run_with_progress, RunError, RunRequest, RunSummary};
