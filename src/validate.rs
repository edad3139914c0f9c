//! `hedui validate --data DIR`: the schema and data-quality checks of a run,
//! without policies or rules — for an agency checking its extract before
//! sending it, or a centre checking a month's directory before the run.
//!
//! It calls the run's own stages (`stages.rs`: load, normalise, link with
//! holdings, near relatives), so it finds exactly the `data_quality` rows a
//! run would write.
//! Problems the engine repairs without losing anything (whitespace,
//! full-width digits, a lower-case `x`, a legacy 15-digit id, traditional
//! characters) are *repaired*; every other problem leaves a value unusable.

use crate::link;
use crate::load::{self, LoadError};
use crate::normalise;
use crate::progress::Quiet;
use crate::quality::DataQuality;
use crate::schema::Dataset;
use crate::stages;
use std::collections::BTreeMap;
use std::path::Path;

/// One dataset's outcome.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DatasetReport {
    pub rows: usize,
    /// Problems per `data_quality.problem` code.
    pub problems: BTreeMap<&'static str, usize>,
    /// How many of them were repaired (see [`crate::quality::Problem::is_repaired`]).
    pub repaired: usize,
}

/// What validation found. A schema error is an `Err` of [`validate`].
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Validation {
    /// Every dataset found, by name.
    pub datasets: BTreeMap<&'static str, DatasetReport>,
    /// Optional datasets not present (their rules would be "not checked").
    pub absent: Vec<&'static str>,
    /// Every problem, as the run's `data_quality` rows would list them.
    #[serde(skip)]
    pub rows: Vec<DataQuality>,
}

impl Validation {
    /// Problems that leave a value unusable (not repaired).
    pub fn unusable(&self) -> usize {
        self.rows
            .iter()
            .filter(|q| !q.problem.is_repaired())
            .count()
    }
}

/// Checks every dataset of `dir`: schema first (an `Err` names dataset,
/// file and column), then every value, through the run's own stages.
pub fn validate(dir: &Path) -> Result<Validation, LoadError> {
    let data = load::discover(dir)?;
    let mut quality: Vec<DataQuality> = Vec::new();
    let tables = stages::load_roster(&data, &mut quality)?;
    let mut files = tables.files();
    let roster = normalise::roster(&tables.households, &tables.members, &mut quality);
    drop(tables);
    // Without policies every household links with the shipped thresholds;
    // the problems found do not depend on them.
    let thresholds = vec![link::Thresholds::DEFAULT; roster.households.len()];
    let linked = stages::link_extracts(&data, &roster, None, &thresholds, &mut quality, &Quiet)?;
    files.extend(linked.files);
    let kin = stages::near_relatives(&data, &roster, &linked.index, &mut quality)?;
    files.extend(kin.files);

    let mut out = Validation::default();
    for dataset in Dataset::ALL {
        match files.get(&dataset) {
            Some(f) => {
                let report = out.datasets.entry(dataset.name()).or_default();
                report.rows = f.iter().map(|f| f.rows).sum();
            }
            None => out.absent.push(dataset.name()),
        }
    }
    quality.sort();
    for q in &quality {
        let d = out.datasets.entry(q.dataset.name()).or_default();
        *d.problems.entry(q.problem.code()).or_default() += 1;
        d.repaired += usize::from(q.problem.is_repaired());
    }
    out.rows = quality;
    Ok(out)
}
