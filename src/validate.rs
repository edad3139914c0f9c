//! `hedui validate --data DIR`: the schema and data-quality checks of a run,
//! without policies or rules — for an agency checking its extract before
//! sending it, or a centre checking a month's directory before the run.
//!
//! It runs the run's own stages up to evidence (load, normalise, link,
//! evidence), so it finds exactly the `data_quality` rows a run would write.
//! Problems the engine repairs without losing anything (whitespace,
//! full-width digits, a lower-case `x`, a legacy 15-digit id, traditional
//! characters) are *repaired*; every other problem leaves a value unusable.

use crate::evidence::{self, Evidence};
use crate::link::{self, MemberIndex};
use crate::load::{self, LoadError};
use crate::normalise;
use crate::quality::{DataQuality, Problem};
use crate::schema::Dataset;
use crate::text::{IdProblem, NameProblem};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One dataset's outcome.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DatasetReport {
    pub rows: usize,
    /// Problems per `data_quality.problem` code.
    pub problems: BTreeMap<&'static str, usize>,
    /// How many of them were repaired (see [`is_repaired`]).
    pub repaired: usize,
}

/// A problem the normaliser fixed without losing information: the value
/// still identifies its person. Everything else leaves a value unusable.
pub fn is_repaired(problem: Problem) -> bool {
    matches!(
        problem,
        Problem::Id(
            IdProblem::Whitespace
                | IdProblem::FullWidth
                | IdProblem::LowercaseX
                | IdProblem::Legacy15
        ) | Problem::Name(
            NameProblem::Whitespace
                | NameProblem::FullWidth
                | NameProblem::MiddleDotVariant
                | NameProblem::Traditional
        )
    )
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
        self.rows.iter().filter(|q| !is_repaired(q.problem)).count()
    }
}

/// Checks every dataset of `dir`: schema first (an `Err` names dataset,
/// file and column), then every value.
pub fn validate(dir: &Path) -> Result<Validation, LoadError> {
    let data = load::discover(dir)?;
    let mut quality: Vec<DataQuality> = Vec::new();
    let mut out = Validation::default();
    let households = data
        .read(Dataset::Households, &mut quality)?
        .expect("households is required");
    let members = data
        .read(Dataset::Members, &mut quality)?
        .expect("members is required");
    for t in [&households, &members] {
        out.datasets.entry(t.dataset.name()).or_default().rows = t.height();
    }
    let roster = normalise::roster(&households, &members, &mut quality);
    drop((households, members));
    let index = MemberIndex::new(&roster, &mut quality);
    let mut evidence = Evidence {
        households: vec![Default::default(); roster.households.len()],
        supplied: BTreeSet::new(),
    };
    // Without policies every household links with the shipped thresholds;
    // the problems found do not depend on them.
    let thresholds = vec![link::Thresholds::DEFAULT; roster.households.len()];
    let mut registers = normalise::Registers::default();
    for dataset in Dataset::ALL.into_iter().filter(|d| !d.is_required()) {
        let Some(table) = data.read(dataset, &mut quality)? else {
            out.absent.push(dataset.name());
            continue;
        };
        out.datasets.entry(dataset.name()).or_default().rows = table.height();
        match dataset {
            d if Dataset::LINKED.contains(&d) => {
                let keys = normalise::person_keys(&table, &mut quality);
                let links = link::link_dataset(&index, &roster, &keys, &thresholds);
                evidence::collect(&roster, &table, &links, &mut evidence, &mut quality);
            }
            Dataset::Staff => registers.staff = normalise::staff(&table, &mut quality),
            Dataset::Kinship => registers.kinship = normalise::kinship(&table, &mut quality),
            Dataset::Filings => registers.filings = normalise::filings(&table, &mut quality),
            _ => {}
        }
    }
    crate::near_relatives::join(&roster, &index, &registers, &mut quality);
    quality.sort();
    for q in &quality {
        let d = out.datasets.entry(q.dataset.name()).or_default();
        *d.problems.entry(q.problem.code()).or_default() += 1;
        d.repaired += usize::from(is_repaired(q.problem));
    }
    out.rows = quality;
    Ok(out)
}
