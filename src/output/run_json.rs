//! `run.json`: what a run read, which policies and rules it applied, what it
//! decided in counts, and how long each stage took. A serde type, written by
//! `run` and read back by `report` (report.html) and `hedui explain`, so a
//! renamed field is a compile error, not a blank page.
//!
//! The file's keys are sorted (it is written through `serde_json::Value`,
//! whose maps are sorted without serde_json's `preserve_order`), so the
//! order of fields here does not change its bytes.

use crate::load::InputFile;
use crate::policy::{PolicyFileInfo, PolicySet, Resolved};
use crate::schema::Dataset;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunJson {
    pub engine: Engine,
    pub run_month: String,
    pub data_dir: String,
    /// Every dataset of the contract by name, supplied or not.
    pub inputs: BTreeMap<String, Input>,
    pub policies: Policies,
    pub rules: Rules,
    pub counts: Counts,
    /// Per extract: files, rows, linked rows, and the thread time of each
    /// step summed over its files (files run in parallel, so these add up
    /// to more than `load_link_extracts`' wall time).
    pub extract_timings: Vec<ExtractTiming>,
    /// Wall time per stage; added once every output is written (report.html
    /// is rendered before, and has no timings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<Vec<StageTiming>>,
    /// Per output: rows and the thread time to build and write it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_timings: Option<Vec<OutputTiming>>,
    /// The process's peak resident memory (KiB) before run.json is written;
    /// `null` where it cannot be read (not Linux).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_kib: Option<Option<u64>>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Engine {
    pub name: String,
    pub version: String,
}

/// One dataset as read: `rows` and `files` only when supplied.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Input {
    pub supplied: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<InputFile>>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Policies {
    pub dir: String,
    pub files: Vec<PolicyFileInfo>,
    /// The periods behind every parameter used, sorted.
    pub periods_used: Vec<PeriodUsed>,
    /// Distinct parameter sets in order of first use.
    pub parameter_sets: Vec<ParameterSet>,
}

#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct PeriodUsed {
    pub file: String,
    pub from: String,
    pub reference: Option<String>,
}

/// A parameter set and how many households it applies to. The parameters
/// and their sources are kept as JSON: only people read them back.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParameterSet {
    pub households: usize,
    pub params: serde_json::Value,
    pub sources: serde_json::Value,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rules {
    pub checked: Vec<String>,
    pub not_checked: Vec<NotChecked>,
}

/// A rule not checked, and why: its dataset was not supplied, or a column
/// it needs is null in every row.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NotChecked {
    pub rule: String,
    pub dataset: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub households: usize,
    /// Households per action code, every action listed.
    pub actions: BTreeMap<String, usize>,
    pub findings: usize,
    pub near_relative_pairs: usize,
    pub near_relative_conflicts: usize,
    pub review_due: usize,
    /// Extract rows per match status.
    pub matches: BTreeMap<String, usize>,
    pub data_quality: usize,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExtractTiming {
    pub dataset: String,
    pub rows: usize,
    pub linked: usize,
    pub files: usize,
    /// `link`'s own account of the dataset's rows (`LinkStats`); written,
    /// never read back.
    #[serde(skip_deserializing)]
    pub link: crate::link::LinkStats,
    pub thread_ms: PartTimes,
}

/// Milliseconds one thread spent on each step of a part (summed over parts:
/// steps of different parts overlap in time).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartTimes {
    pub read: f64,
    pub person_keys: f64,
    /// Waiting for the member and blocking indexes.
    #[serde(default)]
    pub index_wait: f64,
    pub link: f64,
    pub evidence: f64,
}

impl PartTimes {
    pub fn add(&mut self, other: &PartTimes) {
        self.read += other.read;
        self.person_keys += other.person_keys;
        self.index_wait += other.index_wait;
        self.link += other.link;
        self.evidence += other.evidence;
    }

    /// Each figure to a tenth of a millisecond, as run.json shows them.
    pub fn rounded(self) -> PartTimes {
        PartTimes {
            read: tenths(self.read),
            person_keys: tenths(self.person_keys),
            index_wait: tenths(self.index_wait),
            link: tenths(self.link),
            evidence: tenths(self.evidence),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StageTiming {
    pub stage: String,
    pub ms: f64,
    pub rows: usize,
    pub peak_rss_kib: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutputTiming {
    pub output: String,
    pub rows: usize,
    pub thread_ms: f64,
}

/// Milliseconds to a tenth, as run.json shows them.
pub fn tenths(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

/// Milliseconds since `clock`.
pub fn ms_since(clock: Instant) -> f64 {
    clock.elapsed().as_secs_f64() * 1000.0
}

/// The stages' wall times as they end, with rows and the peak memory so far.
pub struct StageClock {
    stages: Vec<StageTiming>,
    last: Instant,
}

impl StageClock {
    pub fn start() -> StageClock {
        StageClock {
            stages: Vec::new(),
            last: Instant::now(),
        }
    }

    /// Ends `stage`, which handled `rows` rows; the next starts now.
    pub fn lap(&mut self, stage: &str, rows: usize) {
        let now = Instant::now();
        self.stages.push(StageTiming {
            stage: stage.to_string(),
            ms: tenths((now - self.last).as_secs_f64() * 1000.0),
            rows,
            peak_rss_kib: peak_rss_kib(),
        });
        self.last = now;
    }

    pub fn into_timings(self) -> Vec<StageTiming> {
        self.stages
    }
}

/// The peak resident memory of this process so far (KiB), from
/// `/proc/self/status`; `None` where there is no such file (not Linux).
/// run.json's is taken before run.json is written, so it covers the run.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// `inputs`: every dataset of the contract, with its files where supplied.
pub fn inputs(files: &BTreeMap<Dataset, Vec<InputFile>>) -> BTreeMap<String, Input> {
    Dataset::ALL
        .iter()
        .map(|d| {
            let input = match files.get(d) {
                Some(files) => Input {
                    supplied: true,
                    rows: Some(files.iter().map(|f| f.rows).sum()),
                    files: Some(files.clone()),
                },
                None => Input {
                    supplied: false,
                    rows: None,
                    files: None,
                },
            };
            (d.name().to_string(), input)
        })
        .collect()
}

/// `policies`: the files, the periods used and the distinct parameter sets
/// of the households (roster order; `None` for a household no policy
/// applies to).
pub fn policies(
    dir: &std::path::Path,
    policies: &PolicySet,
    params: &[Option<Arc<Resolved>>],
) -> Policies {
    let sets = parameter_sets(params);
    let periods_used: BTreeSet<PeriodUsed> = sets
        .iter()
        .flat_map(|(r, _)| {
            r.sources.iter().map(|s| PeriodUsed {
                file: s.file.clone(),
                from: s.from.to_string(),
                reference: s.reference.clone(),
            })
        })
        .collect();
    Policies {
        dir: dir.display().to_string(),
        files: policies.files().to_vec(),
        periods_used: periods_used.into_iter().collect(),
        parameter_sets: sets
            .iter()
            .map(|(r, n)| ParameterSet {
                households: *n,
                params: serde_json::to_value(&r.params).expect("parameters serialise"),
                sources: serde_json::to_value(&r.sources).expect("sources serialise"),
            })
            .collect(),
    }
}

/// Distinct parameter sets, in order of first use, with how many households
/// use each. Counted per shared `Arc` (one per region code) first, then
/// equal sets merged: comparing every household's set field by field took
/// 0.2 s at 1M households.
fn parameter_sets(params: &[Option<Arc<Resolved>>]) -> Vec<(Arc<Resolved>, usize)> {
    let mut arc_index: HashMap<*const Resolved, usize> = HashMap::new();
    let mut by_arc: Vec<(Arc<Resolved>, usize)> = Vec::new();
    for p in params.iter().flatten() {
        let i = *arc_index.entry(Arc::as_ptr(p)).or_insert_with(|| {
            by_arc.push((p.clone(), 0));
            by_arc.len() - 1
        });
        by_arc[i].1 += 1;
    }
    let mut sets: Vec<(Arc<Resolved>, usize)> = Vec::new();
    for (r, n) in by_arc {
        match sets.iter_mut().find(|(s, _)| **s == *r) {
            Some((_, m)) => *m += n,
            None => sets.push((r, n)),
        }
    }
    sets
}

/// `rules`: which ran on the supplied datasets, which did not and why.
pub fn rules(coverage: crate::rules::Coverage) -> Rules {
    Rules {
        checked: coverage.checked().map(|r| r.code.to_string()).collect(),
        not_checked: coverage
            .not_checked()
            .map(|n| NotChecked {
                rule: n.rule.code.to_string(),
                dataset: n.dataset.name().to_string(),
                reason: n.reason(),
            })
            .collect(),
    }
}

impl RunJson {
    /// Reads a finished run's `run.json`.
    pub fn read(path: &std::path::Path) -> Result<RunJson, RunJsonError> {
        let text = std::fs::read_to_string(path).map_err(|e| RunJsonError::Read {
            path: path.to_path_buf(),
            source: e,
        })?;
        serde_json::from_str(&text).map_err(|e| RunJsonError::Parse {
            path: path.to_path_buf(),
            source: e,
        })
    }

    /// The JSON value written: keys sorted, as every run.json so far.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("run.json serialises")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunJsonError {
    #[error("reading {path}")]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a run.json of this engine")]
    Parse {
        path: std::path::PathBuf,
        source: serde_json::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is written reads back as the same value (link statistics
    /// aside, which nothing reads), with its keys sorted.
    #[test]
    fn run_json_reads_back_what_it_wrote() {
        let mut files = BTreeMap::new();
        files.insert(
            Dataset::Households,
            vec![InputFile {
                path: "households.parquet".into(),
                rows: 2,
                blake3: "ab".repeat(32),
            }],
        );
        let run = RunJson {
            run_month: "2024-10".into(),
            inputs: inputs(&files),
            rules: rules(crate::rules::Coverage::new(
                &BTreeSet::new(),
                &BTreeSet::new(),
            )),
            extract_timings: vec![ExtractTiming {
                dataset: "deposits".into(),
                thread_ms: PartTimes {
                    read: 1.26,
                    ..PartTimes::default()
                }
                .rounded(),
                ..ExtractTiming::default()
            }],
            peak_rss_kib: Some(None),
            ..RunJson::default()
        };
        let value = run.to_value();
        assert_eq!(
            value["inputs"]["vehicles"],
            serde_json::json!({ "supplied": false })
        );
        assert_eq!(value["inputs"]["households"]["rows"], 2);
        assert_eq!(value["extract_timings"][0]["thread_ms"]["read"], 1.3);
        assert!(value["peak_rss_kib"].is_null() && value.get("timings").is_none());
        let back: RunJson = serde_json::from_value(value).unwrap();
        assert_eq!(
            back,
            RunJson {
                peak_rss_kib: None,
                ..run
            }
        );
    }
}
