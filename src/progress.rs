//! Progress of a run, for whoever watches it. The library reports stages and
//! units of work; the binary decides whether and how to show them (progress
//! bars on a terminal, nothing otherwise). [`Quiet`] is the default.
//!
//! Architecture invariant: progress never changes what a run computes or
//! writes; calls are cheap enough to make per household.

/// A stage of the run as the person watching it sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the datasets (units: datasets).
    Load,
    /// Normalising and linking extract rows to members (units: datasets).
    Link,
    /// Rules and decisions (units: households).
    Rules,
    /// The Parquet outputs (units: outputs).
    Write,
    /// The workbook, CSV lists and HTML (units: rows, each written twice).
    Reports,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Load => "loading",
            Stage::Link => "linking",
            Stage::Rules => "rules",
            Stage::Write => "writing",
            Stage::Reports => "reports",
        }
    }
}

/// Receives a run's progress. Every method has a no-op default.
pub trait Progress: Sync {
    /// `stage` begins with `total` units of work; the previous stage is done.
    fn start(&self, _stage: Stage, _total: u64) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// The run is done (or failed): tidy up.
    fn finish(&self) {}
}

/// Shows nothing.
pub struct Quiet;

impl Progress for Quiet {}
