//! The pipeline of one `hedui run`, stage by stage, with timings.

use crate::calendar::RunMonth;
use crate::decide::{decide, Decision};
use crate::evidence::{self, Evidence, Holdings};
use crate::income::Income;
use crate::link::{self, DatasetLinks, Link, MatchStatus, MemberIndex};
use crate::load::{self, InputFile, LoadError};
use crate::near_relatives;
use crate::normalise::{self, Household, Roster};
use crate::output::{self, run_json, HouseholdResult, OutputError, RunJson, Staging};
use crate::policy::{PolicyError, PolicySet, Resolved};
use crate::progress::{Progress, Quiet, Stage};
use crate::quality::DataQuality;
use crate::report;
use crate::rules::{self, Assessment};
use crate::schema::Dataset;
use crate::verdict::{Action, RuleId};
use rayon::prelude::*;
use run_json::PartTimes;
use rust_decimal::Decimal;
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

/// Stage, milliseconds, rows, and the peak memory so far (KiB) at its end.
struct Timings(Vec<(&'static str, f64, usize, Option<u64>)>, Instant);

impl Timings {
    fn lap(&mut self, stage: &'static str, rows: usize) {
        let now = Instant::now();
        self.0.push((
            stage,
            (now - self.1).as_secs_f64() * 1000.0,
            rows,
            memory_kib("VmHWM:"),
        ));
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

    // Households and members are read side by side; their problems are
    // kept in that order.
    let mut quality: Vec<DataQuality> = Vec::new();
    progress.start(Stage::Load, 2);
    let mut roster_tables = in_parallel(&[Dataset::Households, Dataset::Members], |&d| {
        let mut q = Vec::new();
        data.read(d, &mut q)
            .map(|t| (t.expect("the roster is required"), q))
    })
    .into_iter();
    let (households, q) = roster_tables.next().expect("households")?;
    quality.extend(q);
    let (members, q) = roster_tables.next().expect("members")?;
    quality.extend(q);
    let mut inputs: BTreeMap<Dataset, Vec<InputFile>> = BTreeMap::new();
    inputs.insert(Dataset::Households, households.files.clone());
    inputs.insert(Dataset::Members, members.files.clone());
    progress.advance(2);
    t.lap("load_roster", households.height() + members.height());

    let roster = normalise::roster(&households, &members, &mut quality);
    drop((households, members));
    let params = resolve_params(&policies, &roster, req.month)?;
    t.lap("normalise_roster", roster.members.len());

    // Every file of every extract is one unit of work (read, person keys,
    // link, holdings), run in parallel; results are merged in dataset and
    // file order, so the outcome does not depend on the thread count. Only
    // the files in flight are in memory as frames.
    let units: Vec<(Dataset, usize)> = Dataset::LINKED
        .iter()
        .flat_map(|&d| (0..data.parts(d).unwrap_or(0)).map(move |k| (d, k)))
        .collect();
    let thresholds = link_thresholds(&params);
    progress.start(Stage::Link, units.len() as u64);
    // The member index is built while the first files are read (reading
    // needs no index; a part waits for it only to link).
    let index = Built::default();
    let mut index_quality = Vec::new();
    let parts = std::thread::scope(|scope| {
        scope.spawn(|| index.build(|| MemberIndex::new(&roster, &mut index_quality)));
        in_parallel(&units, |&(dataset, k)| {
            link_part(&data, dataset, k, &index, &roster, &thresholds)
        })
    });
    let index = index.into_inner();
    quality.extend(index_quality);
    quality.reserve(
        parts
            .iter()
            .map(|p| p.as_ref().map_or(0, |p| p.quality.len()))
            .sum(),
    );
    let mut parts = parts.into_iter();
    let mut evidence = Evidence::new(roster.households.len());
    let mut holdings = Vec::with_capacity(units.len());
    let mut links: Vec<DatasetLinks> = Vec::new();
    let mut extract_rows = 0;
    let mut extract_detail = Vec::new();
    for dataset in Dataset::LINKED {
        let Some(n) = data.parts(dataset) else {
            continue;
        };
        let mut dataset_links = DatasetLinks {
            dataset,
            rows: 0,
            links: Vec::new(),
            stats: Default::default(),
        };
        let mut files = Vec::with_capacity(n);
        let mut thread_ms = PartTimes::default();
        for _ in 0..n {
            let part = parts.next().expect("one result per unit")?;
            progress.advance(1);
            dataset_links.rows += part.rows;
            dataset_links.links.extend(part.links);
            dataset_links.stats.add(&part.link_stats);
            files.extend(part.files);
            quality.extend(part.quality);
            holdings.push(part.holdings);
            thread_ms.add(&part.times);
        }
        extract_rows += dataset_links.rows;
        extract_detail.push(run_json::ExtractTiming {
            dataset: dataset.name().to_string(),
            rows: dataset_links.rows,
            linked: dataset_links.links.len(),
            files: n,
            link: dataset_links.stats,
            thread_ms: thread_ms.rounded(),
        });
        inputs.insert(dataset, files);
        links.push(dataset_links);
    }
    evidence.add_all(&roster, holdings);
    t.lap("load_link_extracts", extract_rows);

    // `matches` (one row per extract row, the biggest output) needs only the
    // roster and the links: it is written on its own thread from here on,
    // beside the stages that follow.
    let (matches_written, rest) = std::thread::scope(|scope| {
        let matches = scope.spawn(|| {
            let clock = Instant::now();
            let rows = output::write_matches(&staging, &roster, &links)?;
            Ok::<_, OutputError>(("matches", rows, ms_since(clock)))
        });
        let rest = (|| -> Result<_, RunError> {
            let mut registers = normalise::Registers::default();
            let mut register_rows = 0;
            for dataset in [Dataset::Staff, Dataset::Kinship, Dataset::Filings] {
                let Some(table) = data.read(dataset, &mut quality)? else {
                    continue;
                };
                match dataset {
                    Dataset::Staff => registers.staff = normalise::staff(&table, &mut quality),
                    Dataset::Kinship => {
                        registers.kinship = normalise::kinship(&table, &mut quality)
                    }
                    _ => registers.filings = normalise::filings(&table, &mut quality),
                }
                evidence.supplied.insert(dataset);
                register_rows += table.height();
                inputs.insert(dataset, table.files.clone());
            }
            let kin = near_relatives::join(&roster, &index, &registers, &mut quality);
            t.lap("near_relatives", register_rows);
            // Peak memory: what is no longer needed goes before the next stage.
            drop(index);
            // Every problem is known now (the rules find none): `data_quality`
            // is written beside the rules, and the reports keep only its counts.
            let data_quality_rows = quality.len();
            let mut quality_table = output::quality_frame(&mut quality);
            let quality_counts = output::quality_counts_frame(&quality);
            drop(std::mem::take(&mut quality));
            let staging = &staging;
            let quality_written = scope.spawn(move || {
                let clock = Instant::now();
                staging.write_parquet("data_quality", &mut quality_table)?;
                Ok::<_, OutputError>(("data_quality", quality_table.height(), ms_since(clock)))
            });

            progress.start(Stage::Rules, roster.households.len() as u64);
            // Each household's holdings are dropped once it is assessed (they
            // are in its findings then), so the results take their place in
            // memory; only `supplied` is read afterwards.
            let holdings = std::mem::take(&mut evidence.households);
            let supplied = &evidence.supplied;
            let results: Vec<HouseholdResult> = roster
                .households
                .par_iter()
                .zip(holdings)
                .enumerate()
                .inspect(|_| progress.advance(1))
                .map(|(i, (h, holdings))| match &params[i] {
                    Some(p) => {
                        let assessment = rules::assess(
                            &roster,
                            h,
                            &holdings,
                            rules::Kin {
                                household: &kin[i],
                                staff: &registers.staff,
                            },
                            supplied,
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
            drop(kin);

            let counts = counts(&results, &links);
            let conflicts_found = results
                .iter()
                .flat_map(|r| &r.assessment.near_relatives)
                .filter(|p| p.conflict.is_some())
                .count();
            // The tables are built side by side; then the assessments and the
            // problems are dropped, since the frames hold all the outputs need.
            let ((decisions, findings), (conflicts, review_due)) = rayon::join(
                || {
                    rayon::join(
                        || output::decisions_frame(&roster, &results),
                        || output::findings_frame(&roster, &results),
                    )
                },
                || {
                    rayon::join(
                        || output::near_relative_frame(&roster, &registers.staff, &results),
                        || output::review_due_frame(&roster, &results),
                    )
                },
            );
            drop_in_parallel(results);
            t.lap("output_frames", decisions.height());

            let not_checked: Vec<&'static str> = rules::not_checked(&evidence.supplied)
                .map(|(r, _)| r.code)
                .collect();
            let summary = RunSummary {
                out: req.out.clone(),
                households: roster.households.len(),
                actions: counts.0,
                findings: findings.height(),
                near_relative_pairs: conflicts.height(),
                near_relative_conflicts: conflicts_found,
                review_due: review_due.height(),
                matches: counts.1,
                data_quality: data_quality_rows,
                not_checked,
                seconds: 0.0,
            };
            // The five tables as Parquet on one thread, the reports (which
            // read the same frames) meanwhile.
            progress.start(Stage::Write, 0);
            let tables = [
                ("decisions", &decisions),
                ("findings", &findings),
                ("near_relative_conflicts", &conflicts),
                ("review_due", &review_due),
            ];
            let lists = report::Lists {
                decisions: &decisions,
                findings: &findings,
                data_quality: &quality_counts,
                near_relative_conflicts: Some(&conflicts),
                review_due: Some(&review_due),
            };
            // report.html reads the inputs and policies of run.json, no timings.
            let run_json = describe_run(
                req,
                &policies,
                &params,
                &inputs,
                &evidence.supplied,
                &summary,
                extract_detail,
            );
            let (written, reports) = std::thread::scope(|scope| {
                let written = scope.spawn(|| {
                    tables
                        .iter()
                        .map(|(name, frame)| {
                            let clock = Instant::now();
                            // A shallow copy: the reports read the frame meanwhile.
                            staging.write_parquet(name, &mut (*frame).clone())?;
                            Ok((*name, frame.height(), ms_since(clock)))
                        })
                        .collect::<Result<Vec<_>, OutputError>>()
                });
                let clock = Instant::now();
                let reports = report::write(&staging, &lists, &roster, &run_json, progress)
                    .map(|_| ("reports", decisions.height(), ms_since(clock)));
                (
                    written.join().expect("the Parquet writer panicked"),
                    reports,
                )
            });
            let mut written = written?;
            written.push(
                quality_written
                    .join()
                    .expect("the Parquet writer panicked")?,
            );
            written.push(reports?);
            Ok((summary, written, run_json))
        })();
        (matches.join().expect("the matches writer panicked"), rest)
    });
    let (mut summary, mut written, mut run_json) = rest?;
    written.insert(2, matches_written?);
    t.lap("write_outputs", written.iter().map(|w| w.1).sum());
    summary.seconds = started.elapsed().as_secs_f64();
    run_json.timings = Some(
        t.0.iter()
            .map(|&(stage, ms, rows, peak_rss_kib)| run_json::StageTiming {
                stage: stage.to_string(),
                ms: run_json::tenths(ms),
                rows,
                peak_rss_kib,
            })
            .collect(),
    );
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
    run_json.peak_rss_kib = Some(memory_kib("VmHWM:"));
    staging.write_json("run.json", &run_json.to_value())?;
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

/// Frees `items` on every core: millions of small allocations took a few
/// tenths of a second on one core while the other waited.
fn drop_in_parallel<T: Send>(items: Vec<T>) {
    items.into_par_iter().for_each(drop);
}

/// `f` over `items` on as many threads as rayon's pool has (so
/// `RAYON_NUM_THREADS` rules here too), results in item order. Not rayon's
/// tasks: a rayon worker that waits for polars' own pool starts another item
/// meanwhile, and then more files than threads would be in memory at once.
/// Each thread of a pool of its own takes the next item until none is left.
/// The pool lives as long as the process: what its threads allocate (the
/// holdings' strings) is freed later on other threads, and freeing into a
/// finished thread's memory cost 0.7 s of CPU at 1M households.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(|i| format!("hedui-part-{i}"))
            .build()
            .expect("threads for reading files")
    });
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = pool.current_num_threads().min(items.len().max(1));
    let mut done: Vec<(usize, R)> = pool
        .broadcast(|ctx| {
            let mut out = Vec::new();
            if ctx.index() >= threads {
                return out;
            }
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else {
                    return out;
                };
                out.push((i, f(item)));
            }
        })
        .into_iter()
        .flatten()
        .collect();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// A value one thread builds while others wait for it. If the builder
/// panics, the waiters panic too instead of waiting for ever.
struct Built<T> {
    value: std::sync::OnceLock<T>,
    done: std::sync::Mutex<bool>,
    ready: std::sync::Condvar,
}

impl<T> Default for Built<T> {
    fn default() -> Self {
        Built {
            value: std::sync::OnceLock::new(),
            done: std::sync::Mutex::new(false),
            ready: std::sync::Condvar::new(),
        }
    }
}

impl<T> Built<T> {
    fn build(&self, f: impl FnOnce() -> T) {
        /// Wakes the waiters when building ends, by returning or unwinding.
        struct Done<'a, T>(&'a Built<T>);
        impl<T> Drop for Done<'_, T> {
            fn drop(&mut self) {
                *self.0.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
                self.0.ready.notify_all();
            }
        }
        let _done = Done(self);
        let _ = self.value.set(f());
    }

    fn wait(&self) -> &T {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        while !*done {
            done = self.ready.wait(done).unwrap_or_else(|e| e.into_inner());
        }
        self.value
            .get()
            .expect("the thread building this value panicked")
    }

    fn into_inner(self) -> T {
        self.value
            .into_inner()
            .expect("the thread building this value panicked")
    }
}

/// One file of an extract, read, linked and turned into holdings.
struct LinkedPart {
    rows: usize,
    /// Links with dataset-wide row indices.
    links: Vec<Link>,
    link_stats: link::LinkStats,
    holdings: Holdings,
    files: Vec<InputFile>,
    quality: Vec<DataQuality>,
    times: PartTimes,
}

fn link_part(
    data: &load::Discovered,
    dataset: Dataset,
    k: usize,
    index: &Built<MemberIndex>,
    roster: &Roster,
    thresholds: &[link::Thresholds],
) -> Result<LinkedPart, LoadError> {
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
    let keys = normalise::person_keys(&table, &mut quality);
    times.person_keys = lap();
    let mut part_links = link::link_dataset(index.wait(), roster, &keys, thresholds);
    drop(keys);
    for l in &mut part_links.links {
        l.row_index += table.first_row;
    }
    times.link = lap();
    let holdings = evidence::read(&table, &part_links.links, &mut quality);
    times.evidence = lap();
    Ok(LinkedPart {
        rows: table.height(),
        links: part_links.links,
        link_stats: part_links.stats,
        holdings,
        files: table.files,
        quality,
        times,
    })
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
    let finding = rules::data_quality::finding(h);
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

/// `run.json` without the stage and output timings, which are added once
/// every output is written (report.html reads this, and has no timings).
fn describe_run(
    req: &RunRequest,
    policies: &PolicySet,
    params: &[Option<Arc<Resolved>>],
    inputs: &BTreeMap<Dataset, Vec<InputFile>>,
    supplied: &BTreeSet<Dataset>,
    summary: &RunSummary,
    extract_timings: Vec<run_json::ExtractTiming>,
) -> RunJson {
    let owned =
        |counts: &BTreeMap<&str, usize>| counts.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    RunJson {
        engine: run_json::Engine {
            name: "hedui".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        run_month: req.month.to_string(),
        data_dir: req.data.display().to_string(),
        inputs: run_json::inputs(inputs),
        policies: run_json::policies(&req.policies, policies, params),
        rules: run_json::rules(supplied),
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

fn ms_since(clock: Instant) -> f64 {
    clock.elapsed().as_secs_f64() * 1000.0
}

/// A memory figure of this process from `/proc/self/status` in KiB
/// (`VmHWM:` the peak resident set so far); `None` where there is no such
/// file (not Linux). run.json's is taken before run.json is written, so it
/// covers the whole run.
fn memory_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::Built;

    #[test]
    fn waiters_get_the_built_value_or_a_panic_never_a_hang() {
        let built: Built<u32> = Built::default();
        let seen = std::thread::scope(|s| {
            let waiter = s.spawn(|| *built.wait());
            s.spawn(|| built.build(|| 7));
            waiter.join().unwrap()
        });
        assert_eq!(seen, 7);

        let broken: Built<u32> = Built::default();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| *broken.wait());
            let builder = s.spawn(|| broken.build(|| panic!("no index")));
            assert!(builder.join().is_err());
            assert!(waiter.join().is_err(), "the waiter must panic, not wait");
        });
    }
}
