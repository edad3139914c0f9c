//! One `hedui run`: the stages of `stages.rs` in order, with per-stage
//! timings into run.json, and each output written as soon as what it needs
//! exists, on its own thread, so that writing overlaps the later stages.

use crate::calendar::RunMonth;
use crate::evidence::Evidence;
use crate::link::{DatasetLinks, MatchStatus, MemberIndex};
use crate::load::{self, LoadError};
use crate::normalise::{self, Roster};
use crate::output::run_json::{self, ExtractTiming, StageClock};
use crate::output::{self, HouseholdResult, OutputError, RunJson, Staging};
use crate::parallel::drop_in_parallel;
use crate::policy::{PolicyError, PolicySet, Resolved};
use crate::progress::{Progress, Quiet, Stage};
use crate::quality::DataQuality;
use crate::report;
use crate::stages::{self, Frames, InputFiles};
use crate::verdict::Action;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub data: PathBuf,
    pub policies: PathBuf,
    pub month: RunMonth,
    pub out: PathBuf,
}

/// What a completed run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    pub out: PathBuf,
    pub households: usize,
    /// Households per action, every action listed.
    pub actions: BTreeMap<&'static str, usize>,
    pub findings: usize,
    /// Rows of `near_relative_conflicts` (the 备案 register included).
    pub near_relative_pairs: usize,
    /// Of those, pairs with a conflict.
    pub near_relative_conflicts: usize,
    /// Households due for 复核.
    pub review_due: usize,
    /// Extract rows per match status.
    pub matches: BTreeMap<&'static str, usize>,
    pub data_quality: usize,
    /// Rules not checked because their dataset was not supplied.
    pub not_checked: Vec<&'static str>,
    pub seconds: f64,
}

/// Errors that stop a run before it writes anything.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Output(#[from] OutputError),
}

pub fn run(req: &RunRequest) -> Result<RunSummary, RunError> {
    run_with_progress(req, &Quiet)
}

/// An output written: its name, rows, and the thread's milliseconds.
type Written = (&'static str, usize, f64);

/// Times `write`, which returns the rows it wrote.
fn timed(
    name: &'static str,
    write: impl FnOnce() -> Result<usize, OutputError>,
) -> Result<Written, OutputError> {
    let clock = Instant::now();
    let rows = write()?;
    Ok((name, rows, run_json::ms_since(clock)))
}

/// What every stage after linking reads, unchanged, of the run.
struct Shared<'a> {
    req: &'a RunRequest,
    policies: &'a PolicySet,
    data: &'a load::Discovered,
    staging: &'a Staging,
    progress: &'a dyn Progress,
    roster: &'a Roster,
    params: &'a [Option<Arc<Resolved>>],
}

/// What linking hands to the stages after it.
struct AfterLinking {
    index: MemberIndex,
    evidence: Evidence,
    quality: Vec<DataQuality>,
    inputs: InputFiles,
    extract_timings: Vec<ExtractTiming>,
}

/// [`run`], reporting its stages to `progress`.
pub fn run_with_progress(
    req: &RunRequest,
    progress: &dyn Progress,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let mut clock = StageClock::start();
    let policies = PolicySet::load_dir(&req.policies)?;
    let data = load::discover(&req.data)?;
    // Fail before any work if the output cannot be replaced.
    let staging = Staging::new(&req.out)?;
    clock.lap("discover", 0);

    let mut quality: Vec<DataQuality> = Vec::new();
    progress.start(Stage::Load, 2);
    let tables = stages::load_roster(&data, &mut quality)?;
    let mut inputs = tables.files();
    progress.advance(2);
    clock.lap("load_roster", tables.rows());

    let mut roster = normalise::roster(&tables.households, &tables.members, &mut quality);
    normalise::flag_implausible_births(&mut roster, req.month, &mut quality);
    drop(tables);
    let regions = roster.households.iter().map(|h| h.region_code.as_str());
    let params = policies.resolve_each(regions, req.month)?;
    clock.lap("normalise_roster", roster.members.len());

    let thresholds = stages::link_thresholds(&params);
    let linked = stages::link_extracts(
        &data,
        &roster,
        Some(req.month),
        &thresholds,
        &mut quality,
        progress,
    )?;
    inputs.extend(linked.files);
    let mut evidence = stages::file_holdings(&roster, linked.holdings);
    evidence.empty_columns = linked.empty_columns;
    clock.lap("load_link_extracts", linked.rows);

    let shared = Shared {
        req,
        policies: &policies,
        data: &data,
        staging: &staging,
        progress,
        roster: &roster,
        params: &params,
    };
    let after = AfterLinking {
        index: linked.index,
        evidence,
        quality,
        inputs,
        extract_timings: linked.timings,
    };
    let links = linked.links;
    // `matches` (one row per extract row, the biggest output) needs only the
    // roster and the links: it is written on its own thread from here on,
    // beside the stages that follow.
    let (matches_written, rest) = std::thread::scope(|scope| {
        let matches = scope.spawn(|| {
            timed("matches", || {
                output::write_matches(&staging, &roster, &links)
            })
        });
        let rest = after_linking(scope, &shared, &mut clock, after, &links);
        (matches.join().expect("the matches writer panicked"), rest)
    });
    let (mut summary, mut written, mut run_json) = rest?;
    written.insert(2, matches_written?);
    clock.lap("write_outputs", written.iter().map(|w| w.1).sum());
    summary.seconds = started.elapsed().as_secs_f64();
    add_timings(&mut run_json, clock, &written);
    staging.write_json("run.json", &run_json.to_value())?;
    output::kill_point("before_commit");
    staging.commit()?;
    let Roster {
        households,
        members,
    } = roster;
    rayon::join(
        || drop_in_parallel(households),
        || drop_in_parallel(members),
    );
    Ok(summary)
}

/// The near-relative join, the rules and every output but `matches`;
/// `data_quality` is written on a thread of `scope` beside the rules.
fn after_linking<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    shared: &Shared<'env>,
    clock: &mut StageClock,
    after: AfterLinking,
    links: &[DatasetLinks],
) -> Result<(RunSummary, Vec<Written>, RunJson), RunError> {
    let AfterLinking {
        index,
        mut evidence,
        mut quality,
        mut inputs,
        extract_timings,
    } = after;
    let mut kin = stages::near_relatives(shared.data, shared.roster, &index, &mut quality)?;
    evidence.supplied.extend(kin.files.keys());
    inputs.extend(std::mem::take(&mut kin.files));
    clock.lap("near_relatives", kin.rows);
    // Peak memory: what is no longer needed goes before the next stage.
    drop(index);
    // Every problem is known now (the rules find none): `data_quality` is
    // written beside the rules, and the reports keep only its counts.
    let data_quality_rows = quality.len();
    let quality_table = output::quality_frame(&mut quality);
    drop(quality);
    // Counted from the table written, as `hedui report --from` counts it.
    let quality_counts = output::quality_counts(&quality_table)?;
    let staging = shared.staging;
    let quality_written = scope.spawn(move || {
        timed("data_quality", || {
            staging.write_parquet("data_quality", &quality_table)?;
            Ok(quality_table.height())
        })
    });

    // Only `supplied` of the evidence is read after the rules.
    let holdings = std::mem::take(&mut evidence.households);
    let (roster, month) = (shared.roster, shared.req.month);
    let coverage = crate::rules::Coverage::new(&evidence.supplied, &evidence.empty_columns);
    let results = stages::assess(
        roster,
        holdings,
        coverage,
        &kin,
        shared.params,
        month,
        shared.progress,
    );
    clock.lap("rules_decide", results.len());
    drop(std::mem::take(&mut kin.households));

    let counts = Counts::of(&results, links);
    // The assessments go once the frames hold all the outputs need.
    let frames = stages::frames(roster, &kin.registers.staff, &results);
    drop_in_parallel(results);
    clock.lap("output_frames", frames.decisions.height());

    let summary = counts.summary(shared, &frames, coverage, data_quality_rows);
    // report.html reads the inputs and policies of run.json, no timings.
    let run_json = describe_run(shared, &inputs, coverage, &summary, extract_timings);
    let (tables, reports) = write_tables_and_reports(shared, &frames, &quality_counts, &run_json);
    let mut written = tables?;
    written.push(
        quality_written
            .join()
            .expect("the Parquet writer panicked")?,
    );
    written.push(reports?);
    Ok((summary, written, run_json))
}

/// The four tables as Parquet on one thread, the reports (which read the
/// same frames) meanwhile.
fn write_tables_and_reports(
    shared: &Shared,
    frames: &Frames,
    quality_counts: &DataFrame,
    run_json: &RunJson,
) -> (
    Result<Vec<Written>, OutputError>,
    Result<Written, OutputError>,
) {
    shared.progress.start(Stage::Write, 0);
    let tables = [
        ("decisions", &frames.decisions),
        ("findings", &frames.findings),
        ("near_relative_conflicts", &frames.near_relative_conflicts),
        ("review_due", &frames.review_due),
    ];
    // The reports read the tables as written, nothing else of the run:
    // `hedui report --from` reads them back and gives the same bytes.
    let lists = report::Lists {
        decisions: &frames.decisions,
        findings: &frames.findings,
        data_quality: quality_counts,
        near_relative_conflicts: &frames.near_relative_conflicts,
        review_due: &frames.review_due,
        county: None,
    };
    std::thread::scope(|scope| {
        let written = scope.spawn(|| {
            tables
                .iter()
                .map(|&(name, frame)| {
                    timed(name, || {
                        shared.staging.write_parquet(name, frame)?;
                        Ok(frame.height())
                    })
                })
                .collect::<Result<Vec<_>, OutputError>>()
        });
        let reports = timed("reports", || {
            report::write(shared.staging, &lists, run_json, shared.progress)
                .map(|_| frames.decisions.height())
        });
        (
            written.join().expect("the Parquet writer panicked"),
            reports,
        )
    })
}

/// Counts of the run: households per action, extract rows per match status,
/// near-relative pairs with a conflict.
struct Counts {
    actions: BTreeMap<&'static str, usize>,
    matches: BTreeMap<&'static str, usize>,
    near_relative_conflicts: usize,
}

impl Counts {
    fn of(results: &[HouseholdResult], links: &[DatasetLinks]) -> Counts {
        let mut actions: BTreeMap<&'static str, usize> =
            Action::ALL.iter().map(|a| (a.code(), 0)).collect();
        for r in results {
            *actions.entry(r.decision.action.code()).or_default() += 1;
        }
        let mut matches: BTreeMap<&'static str, usize> = [
            MatchStatus::Matched,
            MatchStatus::Review,
            MatchStatus::Unmatched,
        ]
        .iter()
        .map(|s| (s.code(), 0))
        .collect();
        for l in links {
            for link in &l.links {
                *matches.entry(link.status.code()).or_default() += 1;
            }
            *matches.entry(MatchStatus::Unmatched.code()).or_default() += l.rows - l.links.len();
        }
        let near_relative_conflicts = results
            .iter()
            .flat_map(|r| &r.assessment.near_relatives)
            .filter(|p| p.conflict.is_some())
            .count();
        Counts {
            actions,
            matches,
            near_relative_conflicts,
        }
    }

    fn summary(
        self,
        shared: &Shared,
        frames: &Frames,
        coverage: crate::rules::Coverage,
        data_quality: usize,
    ) -> RunSummary {
        RunSummary {
            out: shared.req.out.clone(),
            households: shared.roster.households.len(),
            actions: self.actions,
            findings: frames.findings.height(),
            near_relative_pairs: frames.near_relative_conflicts.height(),
            near_relative_conflicts: self.near_relative_conflicts,
            review_due: frames.review_due.height(),
            matches: self.matches,
            data_quality,
            not_checked: coverage.not_checked().map(|n| n.rule.code).collect(),
            seconds: 0.0,
        }
    }
}

/// `run.json` without the stage and output timings, which are added once
/// every output is written (report.html reads this, and has no timings).
fn describe_run(
    shared: &Shared,
    inputs: &InputFiles,
    coverage: crate::rules::Coverage,
    summary: &RunSummary,
    extract_timings: Vec<ExtractTiming>,
) -> RunJson {
    let owned =
        |counts: &BTreeMap<&str, usize>| counts.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let req = shared.req;
    RunJson {
        engine: run_json::Engine {
            name: "hedui".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        run_month: req.month.to_string(),
        // Absolute, so `hedui explain` finds the rows from any directory.
        data_dir: std::fs::canonicalize(&req.data)
            .unwrap_or_else(|_| req.data.clone())
            .display()
            .to_string(),
        inputs: run_json::inputs(inputs),
        policies: run_json::policies(&req.policies, shared.policies, shared.params),
        rules: run_json::rules(coverage),
        counts: run_json::Counts {
            households: summary.households,
            actions: owned(&summary.actions),
            findings: summary.findings,
            near_relative_pairs: summary.near_relative_pairs,
            near_relative_conflicts: summary.near_relative_conflicts,
            review_due: summary.review_due,
            matches: owned(&summary.matches),
            data_quality: summary.data_quality,
        },
        extract_timings,
        ..RunJson::default()
    }
}

/// The stage and output timings and the peak memory, once every output but
/// run.json is written.
fn add_timings(run_json: &mut RunJson, clock: StageClock, written: &[Written]) {
    run_json.timings = Some(clock.into_timings());
    run_json.output_timings = Some(
        written
            .iter()
            .map(|&(name, rows, ms)| run_json::OutputTiming {
                output: name.to_string(),
                rows,
                thread_ms: run_json::tenths(ms),
            })
            .collect(),
    );
    run_json.peak_rss_kib = Some(run_json::peak_rss_kib());
}
