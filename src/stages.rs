//! The stages of a run, each a function from what the stages before it made
//! to a typed value for the ones after it:
//!
//! ```text
//!  load_roster ─ RosterTables ─ normalise::roster ─ Roster
//!  link_extracts ─ Linked (links, holdings per part, member index)
//!  file_holdings ─ Evidence
//!  near_relatives ─ Kin (registers, pairs per household)
//!  assess ─ Vec<HouseholdResult>
//!  frames ─ Frames (the four tables the reports read too)
//! ```
//!
//! `run` calls them in this order, overlapping the writing of outputs with
//! the later stages; `validate` calls the same ones up to `near_relatives`.
//! None of them prints, times itself or writes a file.

use crate::calendar::RunMonth;
use crate::decide;
use crate::evidence::{self, Evidence, Holdings, HouseholdEvidence};
use crate::link::{self, DatasetLinks, Link, MemberIndex};
use crate::load::{Discovered, InputFile, LoadError, Table};
use crate::near_relatives::HouseholdKin;
use crate::normalise::{self, PersonKeys, Registers, Roster};
use crate::output::run_json::{ExtractTiming, PartTimes};
use crate::output::{self, HouseholdResult};
use crate::parallel::{in_parallel, Built};
use crate::policy::Resolved;
use crate::progress::{Progress, Stage};
use crate::quality::{DataQuality, Problem};
use crate::rules;
use crate::schema::Dataset;
use polars::prelude::DataFrame;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// The files read per dataset, for run.json.
pub type InputFiles = BTreeMap<Dataset, Vec<InputFile>>;

/// The roster's two tables as loaded.
pub struct RosterTables {
    pub households: Table,
    pub members: Table,
}

impl RosterTables {
    pub fn rows(&self) -> usize {
        self.households.height() + self.members.height()
    }

    pub fn files(&self) -> InputFiles {
        [&self.households, &self.members]
            .into_iter()
            .map(|t| (t.dataset, t.files.clone()))
            .collect()
    }
}

/// Reads `households` and `members` side by side; their problems are kept
/// in that order.
pub fn load_roster(
    data: &Discovered,
    quality: &mut Vec<DataQuality>,
) -> Result<RosterTables, LoadError> {
    let mut tables = in_parallel(&[Dataset::Households, Dataset::Members], |&d| {
        let mut q = Vec::new();
        data.read(d, &mut q)
            .map(|t| (t.expect("the roster is required"), q))
    })
    .into_iter();
    let (households, q) = tables.next().expect("households")?;
    quality.extend(q);
    let (members, q) = tables.next().expect("members")?;
    quality.extend(q);
    check_not_empty(&households)?;
    check_not_empty(&members)?;
    Ok(RosterTables {
        households,
        members,
    })
}

/// A roster table without rows, or whose every `household_id` is null, is
/// an error: a run that "checked 0 households" would look like success.
fn check_not_empty(table: &Table) -> Result<(), LoadError> {
    let ids = table.text("household_id");
    let files: Vec<&str> = table.files.iter().map(|f| f.path.as_str()).collect();
    let reason = if table.height() == 0 {
        format!("{} has no rows", files.join(", "))
    } else if ids
        .iter()
        .all(|id| id.is_none_or(|id| id.trim().is_empty()))
    {
        format!(
            "column `household_id` in {} is null or blank in all {} rows",
            files.join(", "),
            table.height()
        )
    } else {
        return Ok(());
    };
    Err(LoadError::EmptyRoster {
        dataset: table.dataset,
        label: table.dataset.label_zh(),
        reason,
    })
}

/// Each household's link thresholds (`match_accept`, `match_review`); the
/// shipped defaults where no policy applies (such a household is reviewed
/// by hand anyway).
pub fn link_thresholds(params: &[Option<Arc<Resolved>>]) -> Vec<link::Thresholds> {
    use rust_decimal::prelude::ToPrimitive;
    params
        .iter()
        .map(|p| match p {
            Some(p) => link::Thresholds {
                accept: p.params.match_accept.to_f64().unwrap_or(1.0),
                review: p.params.match_review.to_f64().unwrap_or(1.0),
            },
            None => link::Thresholds::DEFAULT,
        })
        .collect()
}

/// Every extract linked to the roster, in dataset order.
pub struct Linked {
    pub links: Vec<DatasetLinks>,
    /// The holdings of each file, in dataset and file order.
    pub holdings: Vec<Holdings>,
    pub index: MemberIndex,
    pub files: InputFiles,
    /// Extract rows read, all datasets.
    pub rows: usize,
    pub timings: Vec<ExtractTiming>,
    /// Needed columns null in every row of their dataset.
    pub empty_columns: std::collections::BTreeSet<(Dataset, &'static str)>,
}

/// Reads, links and turns into holdings every file of every extract.
///
/// Each file is one unit of work (read, person keys, link, holdings), run
/// in parallel; results are merged in dataset and file order, so the outcome
/// does not depend on the thread count. Only the files in flight are in
/// memory as frames. The member and blocking indexes are built while the
/// first files are read (reading needs no index; a part waits for them only
/// to link).
pub fn link_extracts(
    data: &Discovered,
    roster: &Roster,
    month: Option<RunMonth>,
    thresholds: &[link::Thresholds],
    quality: &mut Vec<DataQuality>,
    progress: &dyn Progress,
) -> Result<Linked, LoadError> {
    let units: Vec<(Dataset, usize)> = Dataset::LINKED
        .iter()
        .flat_map(|&d| (0..data.parts(d).unwrap_or(0)).map(move |k| (d, k)))
        .collect();
    progress.start(Stage::Link, units.len() as u64);
    let index = Built::default();
    let mut index_quality = Vec::new();
    let parts = std::thread::scope(|scope| {
        scope.spawn(|| {
            index.build(|| MemberIndex::with_fuzzy(roster, &mut index_quality));
        });
        in_parallel(&units, |&(dataset, k)| {
            link_part(data, (dataset, k), month, &index, roster, thresholds)
        })
    });
    let mut index = index.into_inner();
    index.release_fuzzy();
    quality.extend(index_quality);
    quality.reserve(
        parts
            .iter()
            .map(|p| p.as_ref().map_or(0, |p| p.quality.len()))
            .sum(),
    );
    let mut linked = Linked {
        links: Vec::new(),
        holdings: Vec::with_capacity(units.len()),
        index,
        files: InputFiles::new(),
        rows: 0,
        timings: Vec::new(),
        empty_columns: Default::default(),
    };
    let mut parts = parts.into_iter();
    for dataset in Dataset::LINKED {
        let Some(n) = data.parts(dataset) else {
            continue;
        };
        let dataset_parts = parts.by_ref().take(n).collect::<Result<Vec<_>, _>>()?;
        progress.advance(n as u64);
        linked.merge(dataset, dataset_parts, quality);
    }
    Ok(linked)
}

impl Linked {
    /// Adds one dataset's parts, in file order.
    fn merge(
        &mut self,
        dataset: Dataset,
        mut parts: Vec<LinkedPart>,
        quality: &mut Vec<DataQuality>,
    ) {
        let empty = empty_columns(dataset, &mut parts, quality);
        self.empty_columns
            .extend(empty.iter().map(|&c| (dataset, c)));
        let mut dataset_links = DatasetLinks {
            dataset,
            rows: 0,
            links: Vec::new(),
            stats: Default::default(),
        };
        let n = parts.len();
        let mut files = Vec::with_capacity(n);
        let mut thread_ms = PartTimes::default();
        for part in parts {
            dataset_links.rows += part.rows;
            dataset_links.links.extend(part.links);
            dataset_links.stats.add(&part.link_stats);
            files.extend(part.files);
            quality.extend(part.quality);
            self.holdings.push(part.holdings);
            thread_ms.add(&part.times);
        }
        self.rows += dataset_links.rows;
        self.timings.push(ExtractTiming {
            dataset: dataset.name().to_string(),
            rows: dataset_links.rows,
            linked: dataset_links.links.len(),
            files: n,
            link: dataset_links.stats,
            thread_ms: thread_ms.rounded(),
        });
        self.files.insert(dataset, files);
        self.links.push(dataset_links);
    }
}

/// The needed columns of `dataset` null in every row of every part (rows
/// there are): their rules are not checked this run, as if the dataset had
/// not been supplied (rules.md R-DATA-QUALITY), so its rows raise nothing
/// one by one: their `null_value` rows and unreadable values are dropped,
/// and one `empty_column` row says why.
fn empty_columns(
    dataset: Dataset,
    parts: &mut [LinkedPart],
    quality: &mut Vec<DataQuality>,
) -> Vec<&'static str> {
    let rows: usize = parts.iter().map(|p| p.rows).sum();
    let empty = empty_needed_columns(
        dataset,
        parts.iter().map(|p| (p.rows, p.all_null.as_slice())),
    );
    if empty.is_empty() {
        return empty;
    }
    let set = empty.iter().map(|&c| (dataset, c)).collect();
    for part in parts.iter_mut() {
        part.quality.retain(|q| !is_empty_column_noise(q, &set));
        part.holdings.forget_unreadable(&set);
    }
    quality.extend(empty_column_rows(dataset, rows, &empty));
    empty
}

/// The needed columns of `dataset` null in every row of its parts, given
/// each part's rows and [`LinkedPart::all_null`] (none for no rows).
pub fn empty_needed_columns<'a>(
    dataset: Dataset,
    parts: impl Iterator<Item = (usize, &'a [&'static str])> + Clone,
) -> Vec<&'static str> {
    if parts.clone().map(|(rows, _)| rows).sum::<usize>() == 0 {
        return Vec::new();
    }
    dataset
        .needed_columns()
        .iter()
        .map(|n| n.column)
        .filter(|c| {
            parts
                .clone()
                .all(|(rows, all_null)| rows == 0 || all_null.contains(c))
        })
        .collect()
}

/// A `null_value` row of a column null in every row of its dataset: said
/// once, by [`empty_column_rows`], not row by row.
pub fn is_empty_column_noise(
    q: &DataQuality,
    empty: &std::collections::BTreeSet<(Dataset, &'static str)>,
) -> bool {
    q.problem == Problem::NullValue && empty.contains(&(q.dataset, q.column))
}

/// The `empty_column` rows of a dataset of `rows` rows.
pub fn empty_column_rows(
    dataset: Dataset,
    rows: usize,
    empty: &[&'static str],
) -> Vec<DataQuality> {
    let value = format!("{rows} rows, all null");
    empty
        .iter()
        .map(|&column| {
            DataQuality::new(
                dataset,
                0,
                column,
                Problem::EmptyColumn,
                Some(value.clone()),
            )
        })
        .collect()
}

/// One file of an extract, read, linked and turned into holdings.
pub struct LinkedPart {
    pub rows: usize,
    /// Links with dataset-wide row indices.
    pub links: Vec<Link>,
    pub link_stats: link::LinkStats,
    pub holdings: Holdings,
    pub files: Vec<InputFile>,
    pub quality: Vec<DataQuality>,
    pub times: PartTimes,
    /// Needed columns null in every row of this file.
    pub all_null: Vec<&'static str>,
}

fn link_part(
    data: &Discovered,
    (dataset, k): (Dataset, usize),
    month: Option<RunMonth>,
    index: &Built<MemberIndex>,
    roster: &Roster,
    thresholds: &[link::Thresholds],
) -> Result<LinkedPart, LoadError> {
    let link = |keys: &PersonKeys, index_wait: &mut f64| {
        let clock = Instant::now();
        let index = index.wait();
        *index_wait = clock.elapsed().as_secs_f64() * 1000.0;
        link::link_dataset(index, roster, keys, thresholds)
    };
    link_file(data, dataset, k, month, link).map(|(part, _)| part)
}

/// Reads, links and turns into holdings file `k` of `dataset`; also gives
/// the file's table. `link` links the file's person keys (row indices
/// within the file): `hedui run`'s linker, or the links the Spark job's
/// joins made; it is called once the file is read, and sets how long it
/// waited for its indexes (ms). With the run month, birth dates after it
/// are reported and not linked on (`hedui validate` has no month).
pub fn link_file(
    data: &Discovered,
    dataset: Dataset,
    k: usize,
    month: Option<RunMonth>,
    link: impl FnOnce(&PersonKeys, &mut f64) -> DatasetLinks,
) -> Result<(LinkedPart, Table), LoadError> {
    let mut clock = Instant::now();
    let mut lap = || {
        let now = Instant::now();
        let ms = (now - clock).as_secs_f64() * 1000.0;
        clock = now;
        ms
    };
    let mut quality = Vec::new();
    let mut times = PartTimes::default();
    let table = data.read_part(dataset, k, &mut quality)?;
    times.read = lap();
    let mut keys = normalise::person_keys(&table, &mut quality);
    if let Some(month) = month {
        normalise::drop_births_after(month, &mut keys, table.first_row, &mut quality);
    }
    times.person_keys = lap();
    let mut index_wait = 0.0;
    let mut part_links = link(&keys, &mut index_wait);
    drop(keys);
    for l in &mut part_links.links {
        l.row_index += table.first_row;
    }
    // A linker that waited for its indexes says how long: run.json shows
    // that wait apart from what linking cost.
    times.index_wait = index_wait;
    times.link = lap() - index_wait;
    let holdings = evidence::read(&table, &part_links.links, &mut quality);
    times.evidence = lap();
    let part = LinkedPart {
        all_null: evidence::all_null_columns(&table),
        rows: table.height(),
        links: part_links.links,
        link_stats: part_links.stats,
        holdings,
        files: table.files.clone(),
        quality,
        times,
    };
    Ok((part, table))
}

/// Files every part's holdings under their households, in parallel shards
/// (the same order as one by one).
pub fn file_holdings(roster: &Roster, holdings: Vec<Holdings>) -> Evidence {
    let mut evidence = Evidence::new(roster.households.len());
    evidence.add_all(roster, holdings);
    evidence
}

/// The near-relative registers and every possible member–staff pair of
/// each household.
pub struct Kin {
    pub registers: Registers,
    /// Per household, in roster order.
    pub households: Vec<HouseholdKin>,
    pub files: InputFiles,
    /// Register rows read.
    pub rows: usize,
}

/// Reads `staff`, `kinship` and `filings` (those supplied) and joins them
/// to the roster's members.
pub fn near_relatives(
    data: &Discovered,
    roster: &Roster,
    index: &MemberIndex,
    quality: &mut Vec<DataQuality>,
) -> Result<Kin, LoadError> {
    let mut registers = Registers::default();
    let (mut files, mut rows) = (InputFiles::new(), 0);
    for dataset in [Dataset::Staff, Dataset::Kinship, Dataset::Filings] {
        let Some(table) = data.read(dataset, quality)? else {
            continue;
        };
        match dataset {
            Dataset::Staff => registers.staff = normalise::staff(&table, quality),
            Dataset::Kinship => registers.kinship = normalise::kinship(&table, quality),
            _ => registers.filings = normalise::filings(&table, quality),
        }
        rows += table.height();
        files.insert(dataset, table.files);
    }
    let households = crate::near_relatives::join(roster, index, &registers, quality);
    Ok(Kin {
        registers,
        households,
        files,
        rows,
    })
}

/// Runs the rules and decides, household by household in parallel (results
/// in roster order). Each household's holdings are dropped once it is
/// assessed (they are in its findings then), so the results take their
/// place in memory.
pub fn assess(
    roster: &Roster,
    holdings: Vec<HouseholdEvidence>,
    coverage: rules::Coverage,
    kin: &Kin,
    params: &[Option<Arc<Resolved>>],
    month: RunMonth,
    progress: &dyn Progress,
) -> Vec<HouseholdResult> {
    progress.start(Stage::Rules, roster.households.len() as u64);
    roster
        .households
        .par_iter()
        .zip(holdings)
        .enumerate()
        .inspect(|_| progress.advance(1))
        .map(|(i, (h, holdings))| {
            let (assessment, decision) = match &params[i] {
                Some(p) => {
                    let kin = rules::Kin {
                        household: &kin.households[i],
                        staff: &kin.registers.staff,
                    };
                    let a = rules::assess(roster, h, &holdings, kin, coverage, &p.params, month);
                    let d = decide::decide(roster, h, &a, &p.params, month);
                    (a, d)
                }
                None => decide::without_policy(h),
            };
            HouseholdResult {
                assessment,
                decision,
            }
        })
        .collect()
}

/// The four tables built from the results, which the reports read too.
pub struct Frames {
    pub decisions: DataFrame,
    pub findings: DataFrame,
    pub near_relative_conflicts: DataFrame,
    pub review_due: DataFrame,
}

/// Builds the four tables side by side.
pub fn frames(
    roster: &Roster,
    staff: &[normalise::StaffMember],
    results: &[HouseholdResult],
) -> Frames {
    let ((decisions, findings), (near_relative_conflicts, review_due)) = rayon::join(
        || {
            rayon::join(
                || output::decisions_frame(roster, results),
                || output::findings_frame(roster, results),
            )
        },
        || {
            rayon::join(
                || output::near_relative_frame(roster, staff, results),
                || output::review_due_frame(roster, results),
            )
        },
    );
    Frames {
        decisions,
        findings,
        near_relative_conflicts,
        review_due,
    }
}
