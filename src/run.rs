//! The pipeline of one `hedui run`, stage by stage, with timings.

use crate::calendar::RunMonth;
use crate::decide::{decide, Action, Decision};
use crate::evidence::{self, Evidence};
use crate::income::Income;
use crate::link::{self, DatasetLinks, MatchStatus, MemberIndex};
use crate::load::{self, InputFile, LoadError};
use crate::near_relatives;
use crate::normalise::{self, Household, Roster};
use crate::output::{self, HouseholdResult, OutputError, Staging};
use crate::policy::{PolicyError, PolicySet, Resolved};
use crate::progress::{Progress, Quiet, Stage};
use crate::quality::DataQuality;
use crate::report;
use crate::rules::{self, Assessment, Finding, RuleId};
use crate::schema::Dataset;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

struct Timings(Vec<(&'static str, f64, usize)>, Instant);

impl Timings {
    fn lap(&mut self, stage: &'static str, rows: usize) {
        let now = Instant::now();
        self.0
            .push((stage, (now - self.1).as_secs_f64() * 1000.0, rows));
        self.1 = now;
    }
}

pub fn run(req: &RunRequest) -> Result<RunSummary, RunError> {
    run_with_progress(req, &Quiet)
}

/// [`run`], reporting its stages to `progress`.
pub fn run_with_progress(
    req: &RunRequest,
    progress: &dyn Progress,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let mut t = Timings(Vec::new(), started);
    let policies = PolicySet::load_dir(&req.policies)?;
    let data = load::discover(&req.data)?;
    // Fail before any work if the output cannot be replaced.
    let staging = Staging::new(&req.out)?;
    t.lap("discover", 0);

    let mut quality: Vec<DataQuality> = Vec::new();
    progress.start(Stage::Load, 2);
    let households = data
        .read(Dataset::Households, &mut quality)?
        .expect("households is required");
    let members = data
        .read(Dataset::Members, &mut quality)?
        .expect("members is required");
    let mut inputs: BTreeMap<Dataset, Vec<InputFile>> = BTreeMap::new();
    inputs.insert(Dataset::Households, households.files.clone());
    inputs.insert(Dataset::Members, members.files.clone());
    progress.advance(2);
    t.lap("load_roster", households.height() + members.height());

    let roster = normalise::roster(&households, &members, &mut quality);
    drop((households, members));
    let params = resolve_params(&policies, &roster, req.month)?;
    t.lap("normalise_roster", roster.members.len());

    let index = MemberIndex::new(&roster, &mut quality);
    let thresholds = link_thresholds(&params);
    let mut evidence = Evidence {
        households: vec![Default::default(); roster.households.len()],
        supplied: BTreeSet::new(),
    };
    let mut links: Vec<DatasetLinks> = Vec::new();
    let mut extract_rows = 0;
    progress.start(Stage::Link, Dataset::LINKED.len() as u64);
    for dataset in Dataset::LINKED {
        progress.advance(1);
        let Some(table) = data.read(dataset, &mut quality)? else {
            continue;
        };
        let keys = normalise::person_keys(&table, &mut quality);
        let dataset_links = link::link_dataset(&index, &roster, &keys, &thresholds);
        evidence::collect(&roster, &table, &dataset_links, &mut evidence, &mut quality);
        extract_rows += table.height();
        inputs.insert(dataset, table.files.clone());
        links.push(dataset_links);
    }
    t.lap("load_link_extracts", extract_rows);

    let mut registers = normalise::Registers::default();
    let mut register_rows = 0;
    for dataset in [Dataset::Staff, Dataset::Kinship, Dataset::Filings] {
        let Some(table) = data.read(dataset, &mut quality)? else {
            continue;
        };
        match dataset {
            Dataset::Staff => registers.staff = normalise::staff(&table, &mut quality),
            Dataset::Kinship => registers.kinship = normalise::kinship(&table, &mut quality),
            _ => registers.filings = normalise::filings(&table, &mut quality),
        }
        evidence.supplied.insert(dataset);
        register_rows += table.height();
        inputs.insert(dataset, table.files.clone());
    }
    let kin = near_relatives::join(&roster, &registers, &mut quality);
    t.lap("near_relatives", register_rows);

    progress.start(Stage::Rules, roster.households.len() as u64);
    let results: Vec<HouseholdResult> = roster
        .households
        .par_iter()
        .enumerate()
        .inspect(|_| progress.advance(1))
        .map(|(i, h)| match &params[i] {
            Some(p) => {
                let assessment = rules::assess(
                    &roster,
                    h,
                    &evidence.households[i],
                    rules::Kin {
                        household: &kin[i],
                        staff: &registers.staff,
                    },
                    &evidence.supplied,
                    &p.params,
                    req.month,
                );
                let decision = decide(&roster, h, &assessment, &p.params, req.month);
                HouseholdResult {
                    assessment,
                    decision,
                }
            }
            None => unresolvable(h),
        })
        .collect();
    t.lap("rules_decide", results.len());

    let summary_counts = counts(&results, &links);
    let mut decisions = output::decisions_frame(&roster, &results);
    let mut findings = output::findings_frame(&roster, &results);
    let mut matches = output::matches_frame(&roster, &links);
    let mut conflicts = output::near_relative_frame(&roster, &registers.staff, &results);
    let mut review_due = output::review_due_frame(&roster, &results);
    let data_quality_rows = quality.len();
    let mut quality_table = output::quality_frame(&mut quality);
    progress.start(Stage::Write, 0);
    staging.write_parquet("decisions", &mut decisions)?;
    staging.write_parquet("findings", &mut findings)?;
    staging.write_parquet("matches", &mut matches)?;
    staging.write_parquet("near_relative_conflicts", &mut conflicts)?;
    staging.write_parquet("review_due", &mut review_due)?;
    staging.write_parquet("data_quality", &mut quality_table)?;
    t.lap(
        "write_outputs",
        decisions.height()
            + findings.height()
            + matches.height()
            + conflicts.height()
            + review_due.height()
            + quality_table.height(),
    );

    let not_checked: Vec<&'static str> = rules::RULES
        .iter()
        .filter(|r| r.needs.is_some_and(|d| !evidence.supplied.contains(&d)))
        .map(|r| r.id.code())
        .collect();
    let summary = RunSummary {
        out: req.out.clone(),
        households: roster.households.len(),
        actions: summary_counts.0,
        findings: findings.height(),
        near_relative_pairs: conflicts.height(),
        near_relative_conflicts: results
            .iter()
            .flat_map(|r| &r.assessment.near_relatives)
            .filter(|p| p.conflict.is_some())
            .count(),
        review_due: review_due.height(),
        matches: summary_counts.1,
        data_quality: data_quality_rows,
        not_checked,
        seconds: started.elapsed().as_secs_f64(),
    };
    let lists = report::Lists {
        decisions: &decisions,
        findings: &findings,
        data_quality: &quality_table,
        near_relative_conflicts: Some(&conflicts),
        review_due: Some(&review_due),
    };
    let meta = run_json(req, &policies, &params, &inputs, &evidence, &summary, &t);
    report::write(&staging, &lists, &roster, &meta, progress)?;
    t.lap("write_reports", decisions.height());
    let run_json = run_json(req, &policies, &params, &inputs, &evidence, &summary, &t);
    staging.write_json("run.json", &run_json)?;
    staging.commit()?;
    Ok(summary)
}

/// Params for each household (roster order); `None` where the region code is
/// unusable. A region no policy file fully covers is an error.
fn resolve_params(
    policies: &PolicySet,
    roster: &Roster,
    month: RunMonth,
) -> Result<Vec<Option<Arc<Resolved>>>, PolicyError> {
    let mut by_region: HashMap<&str, Arc<Resolved>> = HashMap::new();
    let mut out = Vec::with_capacity(roster.households.len());
    for h in &roster.households {
        if h.region_code.is_empty() {
            out.push(None);
            continue;
        }
        if !by_region.contains_key(h.region_code.as_str()) {
            by_region.insert(
                &h.region_code,
                Arc::new(policies.resolve(&h.region_code, month)?),
            );
        }
        out.push(Some(by_region[h.region_code.as_str()].clone()));
    }
    Ok(out)
}

/// Each household's link thresholds (`match_accept`, `match_review`); the
/// shipped defaults where no policy applies (such a household is reviewed
/// by hand anyway).
fn link_thresholds(params: &[Option<Arc<Resolved>>]) -> Vec<link::Thresholds> {
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

/// A household whose region code is unusable: no policy applies, so only
/// manual review is possible.
fn unresolvable(h: &Household) -> HouseholdResult {
    let finding = Finding::household(
        RuleId::DataQuality,
        Action::ManualReview,
        format!("花名册字段不可用：{}", h.roster_problems.join("、")),
    );
    let income = Income {
        living_members: 0,
        members: Vec::new(),
        rigid_expenses: Decimal::ZERO,
        household_income: Decimal::ZERO,
        declared_only_income: Decimal::ZERO,
    };
    HouseholdResult {
        assessment: Assessment {
            findings: vec![finding],
            living: h.members.clone(),
            standard: Decimal::ZERO,
            income,
            financial_assets: Decimal::ZERO,
            not_checked: Vec::new(),
            near_relatives: Vec::new(),
            review_due: None,
        },
        decision: Decision {
            action: Action::ManualReview,
            reasons: vec![RuleId::DataQuality],
            phase_out_until: None,
            covered_id_number: None,
            confidence: 1.0,
        },
    }
}

type Counts = (BTreeMap<&'static str, usize>, BTreeMap<&'static str, usize>);

fn counts(results: &[HouseholdResult], links: &[DatasetLinks]) -> Counts {
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
    (actions, matches)
}

fn run_json(
    req: &RunRequest,
    policies: &PolicySet,
    params: &[Option<Arc<Resolved>>],
    inputs: &BTreeMap<Dataset, Vec<InputFile>>,
    evidence: &Evidence,
    summary: &RunSummary,
    timings: &Timings,
) -> serde_json::Value {
    let datasets: serde_json::Map<String, serde_json::Value> = Dataset::ALL
        .iter()
        .map(|d| {
            let value = match inputs.get(d) {
                Some(files) => json!({
                    "supplied": true,
                    "rows": files.iter().map(|f| f.rows).sum::<usize>(),
                    "files": files,
                }),
                None => json!({ "supplied": false }),
            };
            (d.name().to_string(), value)
        })
        .collect();
    // Distinct parameter sets, in order of first use, with how many households use each.
    let mut sets: Vec<(Arc<Resolved>, usize)> = Vec::new();
    for p in params.iter().flatten() {
        match sets
            .iter_mut()
            .find(|(r, _)| Arc::ptr_eq(r, p) || **r == **p)
        {
            Some((_, n)) => *n += 1,
            None => sets.push((p.clone(), 1)),
        }
    }
    let periods_used: BTreeSet<(String, String, Option<String>)> = sets
        .iter()
        .flat_map(|(r, _)| {
            r.sources
                .iter()
                .map(|s| (s.file.clone(), s.from.to_string(), s.reference.clone()))
        })
        .collect();
    let not_checked: Vec<serde_json::Value> = rules::RULES
        .iter()
        .filter_map(|r| {
            let d = r.needs.filter(|d| !evidence.supplied.contains(d))?;
            Some(json!({ "rule": r.id.code(), "dataset": d.name(), "reason": format!("dataset `{}` ({}) was not supplied", d.name(), d.label_zh()) }))
        })
        .collect();
    json!({
        "engine": { "name": "hedui", "version": env!("CARGO_PKG_VERSION") },
        "run_month": req.month.to_string(),
        "data_dir": req.data.display().to_string(),
        "inputs": datasets,
        "policies": {
            "dir": req.policies.display().to_string(),
            "files": policies.files(),
            "periods_used": periods_used.iter().map(|(f, from, r)| json!({"file": f, "from": from, "reference": r})).collect::<Vec<_>>(),
            "parameter_sets": sets.iter().map(|(r, n)| json!({"households": n, "params": r.params, "sources": r.sources})).collect::<Vec<_>>(),
        },
        "rules": {
            "checked": rules::RULES.iter().filter(|r| r.needs.is_none_or(|d| evidence.supplied.contains(&d))).map(|r| r.id.code()).collect::<Vec<_>>(),
            "not_checked": not_checked,
        },
        "counts": {
            "households": summary.households,
            "actions": summary.actions,
            "findings": summary.findings,
            "near_relative_pairs": summary.near_relative_pairs,
            "near_relative_conflicts": summary.near_relative_conflicts,
            "review_due": summary.review_due,
            "matches": summary.matches,
            "data_quality": summary.data_quality,
        },
        "timings": timings.0.iter().map(|(stage, ms, rows)| json!({"stage": stage, "ms": (ms * 10.0).round() / 10.0, "rows": rows})).collect::<Vec<_>>(),
    })
}
