//! One function per kind of Spark task, over bytes and plain values.

use crate::blob;
use crate::context::{context, Args, Context};
use crate::{frames, joins, InputError};
use hedui::evidence::{self, Evidence};
use hedui::link::{DatasetLinks, LinkStats};
use hedui::load::InputFile;
use hedui::normalise::{PersonKeys, Registers, Roster};
use hedui::output::{self, run_json as json_of_run, HouseholdResult};
use hedui::progress::Quiet;
use hedui::quality::{DataQuality, Problem};
use hedui::schema::Dataset;
use hedui::stages::{self, Kin};
use polars::prelude::*;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

fn args(data: &str, policies: &str, month: &str) -> PyResult<Args> {
    let month = month
        .parse()
        .map_err(|e: hedui::calendar::BadMonth| InputError::new_err(e.to_string()))?;
    Ok(Args {
        data: data.into(),
        policies: policies.into(),
        month,
    })
}

fn ctx(data: &str, policies: &str, month: &str) -> PyResult<Arc<Context>> {
    context(args(data, policies, month)?).map_err(|e| match e {
        hedui::RunError::Output(e) => PyRuntimeError::new_err(e.to_string()),
        e => InputError::new_err(e.to_string()),
    })
}

fn polars_err(e: PolarsError) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

fn dataset(name: &str) -> PyResult<Dataset> {
    Dataset::ALL
        .iter()
        .copied()
        .find(|d| d.name() == name)
        .ok_or_else(|| PyRuntimeError::new_err(format!("no dataset `{name}`")))
}

/// Parquet bytes of an output frame, written as `hedui run` writes its
/// tables (so both engines' files read back as the same types).
fn parquet(frame: &mut DataFrame) -> PyResult<Vec<u8>> {
    let mut bytes = Vec::new();
    output::write_frames(&mut bytes, std::iter::once(frame.clone())).map_err(polars_err)?;
    Ok(bytes)
}

/// Checks the inputs and policies as `hedui run` does (raising
/// `InputError` with its message) and lists the extract files:
/// `(dataset, file number, path relative to the data directory)` in
/// dataset and file order; the datasets supplied; the households.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn plan(
    data: &str,
    policies: &str,
    month: &str,
) -> PyResult<(Vec<(String, usize, String)>, Vec<String>, usize)> {
    let c = ctx(data, policies, month)?;
    let data = &c.data;
    let files = Dataset::LINKED
        .iter()
        .flat_map(|&d| {
            (0..data.parts(d).unwrap_or(0)).map(move |k| {
                let path = data.relative_path(d, k).expect("a listed part");
                (d.name().to_string(), k, path.display().to_string())
            })
        })
        .collect();
    let supplied = supplied(&c).iter().map(|d| d.name().to_string()).collect();
    Ok((files, supplied, c.roster.households.len()))
}

/// The datasets whose rules can run: extracts present and registers read.
fn supplied(c: &Context) -> BTreeSet<Dataset> {
    let extracts = Dataset::LINKED.into_iter().filter(|&d| c.data.has(d));
    let registers = c.inputs.keys().copied().filter(|d| !d.is_required());
    extracts.chain(registers).collect()
}

/// The extract side of the link joins for file `k` of `dataset`
/// (`joins::extract_rows`), as Parquet bytes.
#[pyfunction]
pub fn extract_rows<'py>(
    py: Python<'py>,
    data: &str,
    policies: &str,
    month: &str,
    dataset_name: &str,
    k: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let c = ctx(data, policies, month)?;
    let d = dataset(dataset_name)?;
    let mut frame = py
        .detach(|| joins::extract_rows(&c.data, (d, k), c.args.month))
        .map_err(|e| InputError::new_err(e.to_string()))?;
    Ok(PyBytes::new(
        py,
        &frames::write(&mut frame).map_err(polars_err)?,
    ))
}

/// The member side of the link joins for part `p` of `parts` of the
/// roster's members (`joins::member_rows`), as Parquet bytes.
#[pyfunction]
pub fn member_rows<'py>(
    py: Python<'py>,
    data: &str,
    policies: &str,
    month: &str,
    p: usize,
    parts: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let c = ctx(data, policies, month)?;
    let n = c.roster.members.len();
    let range = p * n / parts.max(1)..(p + 1) * n / parts.max(1);
    frame_bytes(
        py,
        py.detach(|| joins::member_rows(&c.roster, &c.thresholds, range)),
    )
}

/// Links after the join on ids (`joins::exact_links`): Parquet in and out.
#[pyfunction]
pub fn exact_links<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    decide(py, bytes, joins::exact_links)
}

/// Links after the join on blocking keys (`joins::fuzzy_links`): Parquet
/// in and out.
#[pyfunction]
pub fn fuzzy_links<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    decide(py, bytes, joins::fuzzy_links)
}

/// What a join found (Parquet) → what `decide` makes of it (Parquet),
/// without holding the interpreter.
fn decide<'py>(
    py: Python<'py>,
    bytes: &[u8],
    decide: fn(&DataFrame) -> PolarsResult<DataFrame>,
) -> PyResult<Bound<'py, PyBytes>> {
    let found = frames::read(bytes).map_err(polars_err)?;
    frame_bytes(py, py.detach(|| decide(&found)))
}

/// A frame made by a task as Parquet bytes for the job.
fn frame_bytes(py: Python<'_>, frame: PolarsResult<DataFrame>) -> PyResult<Bound<'_, PyBytes>> {
    let mut frame = frame.map_err(polars_err)?;
    Ok(PyBytes::new(
        py,
        &frames::write(&mut frame).map_err(polars_err)?,
    ))
}

/// One extract file with the links the joins made for it (Parquet: the
/// links table's rows of the file): read again, turned into evidence and
/// split by household partition. Its `matches` rows and problems
/// (Parquet), its rows, needed columns all null, link counts and input
/// file (JSON), and per partition the blob of its linked rows.
#[pyfunction]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub fn file_evidence<'py>(
    py: Python<'py>,
    data: &str,
    policies: &str,
    month: &str,
    dataset_name: &str,
    k: usize,
    links: &[u8],
    partitions: usize,
) -> PyResult<(
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    usize,
    Vec<String>,
    String,
    String,
    Vec<(usize, Bound<'py, PyBytes>)>,
)> {
    let c = ctx(data, policies, month)?;
    let d = dataset(dataset_name)?;
    let joined = frames::read(links)
        .and_then(|f| joins::links_of(&f))
        .map_err(polars_err)?;
    let link = |keys: &PersonKeys, _index_wait: &mut f64| DatasetLinks {
        dataset: d,
        rows: keys.len(),
        links: joined,
        stats: LinkStats::default(),
    };
    let (mut part, table) = py
        .detach(|| stages::link_file(&c.data, d, k, Some(c.args.month), link))
        .map_err(|e| InputError::new_err(e.to_string()))?;
    let links = DatasetLinks {
        dataset: d,
        rows: part.rows,
        links: std::mem::take(&mut part.links),
        stats: part.link_stats,
    };
    let rows = table.first_row..table.first_row + part.rows as u64;
    let mut matches = output::matches_rows(&c.roster, &links, rows);
    let mut by_partition: BTreeMap<usize, Vec<hedui::link::Link>> = BTreeMap::new();
    for l in &links.links {
        let h = c.roster.members[l.member as usize].household as usize;
        by_partition
            .entry(c.partition_of(h, partitions))
            .or_default()
            .push(*l);
    }
    let mut blobs = Vec::new();
    for (p, links) in by_partition {
        let bytes = blob::encode(&table, &links, &part.quality).map_err(polars_err)?;
        blobs.push((p, PyBytes::new(py, &bytes)));
    }
    let mut status: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &links.links {
        *status.entry(l.status.code()).or_default() += 1;
    }
    let stats = serde_json::json!({ "linked": links.links.len(), "status": status }).to_string();
    let file = serde_json::to_string(&part.files).expect("files serialise");
    let quality = parquet(&mut output::quality_frame(&mut part.quality))?;
    let all_null = part.all_null.iter().map(|c| c.to_string()).collect();
    Ok((
        PyBytes::new(py, &parquet(&mut matches)?),
        PyBytes::new(py, &quality),
        part.rows,
        all_null,
        stats,
        file,
        blobs,
    ))
}

/// Per dataset, given each file's rows and needed columns all null: the
/// needed columns null in every row of the dataset, as `(dataset, column)`.
#[pyfunction]
pub fn empty_columns(files: Vec<(String, usize, Vec<String>)>) -> PyResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for d in Dataset::LINKED {
        let parts: Vec<(usize, Vec<&'static str>)> = files
            .iter()
            .filter(|(name, _, _)| name == d.name())
            .map(|(_, rows, cols)| (*rows, static_columns(d, cols)))
            .collect();
        let empty = stages::empty_needed_columns(d, parts.iter().map(|(r, c)| (*r, c.as_slice())));
        out.extend(
            empty
                .into_iter()
                .map(|c| (d.name().to_string(), c.to_string())),
        );
    }
    Ok(out)
}

fn static_columns(d: Dataset, names: &[String]) -> Vec<&'static str> {
    d.columns()
        .into_iter()
        .map(|c| c.name)
        .filter(|c| names.iter().any(|n| n == c))
        .collect()
}

fn empty_set(empty: &[(String, String)]) -> PyResult<BTreeSet<(Dataset, &'static str)>> {
    let mut set = BTreeSet::new();
    for (d, column) in empty {
        let d = dataset(d)?;
        set.extend(
            static_columns(d, std::slice::from_ref(column))
                .into_iter()
                .map(|c| (d, c)),
        );
    }
    Ok(set)
}

/// `data_quality` rows back from their Parquet bytes.
fn quality_rows(bytes: &[u8]) -> PyResult<Vec<DataQuality>> {
    let frame = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(polars_err)?;
    let text = |name: &str| -> PyResult<Vec<Option<String>>> {
        let c = frame.column(name).map_err(polars_err)?;
        let c = c.cast(&DataType::String).map_err(polars_err)?;
        Ok(c.str()
            .map_err(polars_err)?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let (datasets, columns, problems, values) = (
        text("dataset")?,
        text("column")?,
        text("problem")?,
        text("value")?,
    );
    let rows = frame.column("row_index").map_err(polars_err)?;
    let rows: Vec<u64> = rows
        .u64()
        .map_err(polars_err)?
        .into_no_null_iter()
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for i in 0..rows.len() {
        let d = dataset(datasets[i].as_deref().unwrap_or_default())?;
        let column = columns[i].clone().unwrap_or_default();
        let column = static_columns(d, &[column]).first().copied().unwrap_or("");
        let problem = Problem::from_code(problems[i].as_deref().unwrap_or_default())
            .ok_or_else(|| PyRuntimeError::new_err("unknown problem code"))?;
        out.push(DataQuality::new(
            d,
            rows[i],
            column,
            problem,
            values[i].clone(),
        ));
    }
    Ok(out)
}

/// A file's `data_quality` rows without the `null_value` rows of columns
/// null in every row of their dataset (said once, by `run_quality`).
#[pyfunction]
pub fn file_quality<'py>(
    py: Python<'py>,
    bytes: &[u8],
    empty: Vec<(String, String)>,
) -> PyResult<Bound<'py, PyBytes>> {
    let empty = empty_set(&empty)?;
    let mut rows = quality_rows(bytes)?;
    rows.retain(|q| !stages::is_empty_column_noise(q, &empty));
    Ok(PyBytes::new(
        py,
        &parquet(&mut output::quality_frame(&mut rows))?,
    ))
}

/// The run's own `data_quality` rows (roster, duplicate ids, registers)
/// and one `empty_column` row per empty needed column; `rows` gives each
/// extract's row count.
#[pyfunction]
pub fn run_quality<'py>(
    py: Python<'py>,
    data: &str,
    policies: &str,
    month: &str,
    empty: Vec<(String, String)>,
    rows: BTreeMap<String, usize>,
) -> PyResult<Bound<'py, PyBytes>> {
    let c = ctx(data, policies, month)?;
    let mut quality = c.quality.clone();
    let empty = empty_set(&empty)?;
    for d in Dataset::LINKED {
        let columns: Vec<&'static str> = empty
            .iter()
            .filter(|(e, _)| *e == d)
            .map(|(_, c)| *c)
            .collect();
        if !columns.is_empty() {
            let n = rows.get(d.name()).copied().unwrap_or(0);
            quality.extend(stages::empty_column_rows(d, n, &columns));
        }
    }
    Ok(PyBytes::new(
        py,
        &parquet(&mut output::quality_frame(&mut quality))?,
    ))
}

/// The households of partition `p` as a roster of their own (members
/// renumbered from 0, in roster order), and each old member's new number.
fn batch_roster(roster: &Roster, range: std::ops::Range<usize>) -> (Roster, HashMap<u32, u32>) {
    let mut old: Vec<u32> = roster.households[range.clone()]
        .iter()
        .flat_map(|h| h.members.iter().copied())
        .collect();
    old.sort_unstable();
    let new: HashMap<u32, u32> = old
        .iter()
        .enumerate()
        .map(|(i, &m)| (m, i as u32))
        .collect();
    let members = old
        .iter()
        .map(|&m| {
            let mut member = roster.members[m as usize].clone();
            member.household -= range.start as u32;
            member
        })
        .collect();
    let households = roster.households[range]
        .iter()
        .map(|h| {
            let mut h = h.clone();
            h.members = h.members.iter().map(|m| new[m]).collect();
            h
        })
        .collect();
    (
        Roster {
            households,
            members,
        },
        new,
    )
}

/// The near-relative pairs of the batch's households, members renumbered.
fn batch_kin(c: &Context, range: std::ops::Range<usize>, new: &HashMap<u32, u32>) -> Kin {
    let households = c.kin.households[range]
        .iter()
        .map(|k| {
            let mut k = k.clone();
            for p in &mut k.pairs {
                p.member = new[&p.member];
            }
            k
        })
        .collect();
    Kin {
        registers: Registers {
            staff: c.kin.registers.staff.clone(),
            ..Registers::default()
        },
        households,
        files: Default::default(),
        rows: 0,
    }
}

/// The evidence of the batch's households from the blobs of their linked
/// rows, filed in dataset and file order as `hedui run` files them.
fn batch_evidence(
    roster: &Roster,
    new: &HashMap<u32, u32>,
    mut blobs: Vec<(String, usize, Vec<u8>)>,
    empty: &BTreeSet<(Dataset, &'static str)>,
) -> PyResult<Evidence> {
    let order = |name: &str| Dataset::LINKED.iter().position(|d| d.name() == name);
    blobs.sort_by_key(|(d, k, _)| (order(d), *k));
    let mut parts = Vec::with_capacity(blobs.len());
    for (name, _, bytes) in &blobs {
        let d = dataset(name)?;
        let mut decoded = blob::decode(d, bytes, |m| new[&m]).map_err(polars_err)?;
        let mut holdings =
            evidence::read_linked(&decoded.rows, &decoded.links, &mut decoded.quality);
        holdings.forget_unreadable(empty);
        parts.push(holdings);
    }
    let mut evidence = Evidence::new(roster.households.len());
    evidence.add_all(roster, parts);
    Ok(evidence)
}

/// Output tables by name, as Parquet bytes.
type Tables<'py> = Vec<(String, Bound<'py, PyBytes>)>;

/// Assesses partition `p` of the households from the blobs of their
/// linked rows: `decisions`, `findings`, `near_relative_conflicts` and
/// `review_due` (Parquet), and the partition's counts (JSON).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn assess_partition<'py>(
    py: Python<'py>,
    data: &str,
    policies: &str,
    month: &str,
    p: usize,
    partitions: usize,
    blobs: Vec<(String, usize, Vec<u8>)>,
    empty: Vec<(String, String)>,
) -> PyResult<(Tables<'py>, String)> {
    let c = ctx(data, policies, month)?;
    let empty = empty_set(&empty)?;
    let range = c.households_of(p, partitions);
    let (roster, new) = batch_roster(&c.roster, range.clone());
    let mut evidence = batch_evidence(&roster, &new, blobs, &empty)?;
    evidence.supplied = supplied(&c);
    evidence.empty_columns = empty;
    let kin = batch_kin(&c, range.clone(), &new);
    let coverage = hedui::rules::Coverage::new(&evidence.supplied, &evidence.empty_columns);
    let holdings = std::mem::take(&mut evidence.households);
    let month = c.args.month;
    let results = py.detach(|| {
        stages::assess(
            &roster,
            holdings,
            coverage,
            &kin,
            &c.params[range],
            month,
            &Quiet,
        )
    });
    let mut frames = stages::frames(&roster, &kin.registers.staff, &results);
    let counts = counts(&results, &frames);
    let mut tables = Vec::new();
    for (name, frame) in [
        ("decisions", &mut frames.decisions),
        ("findings", &mut frames.findings),
        (
            "near_relative_conflicts",
            &mut frames.near_relative_conflicts,
        ),
        ("review_due", &mut frames.review_due),
    ] {
        tables.push((name.to_string(), PyBytes::new(py, &parquet(frame)?)));
    }
    Ok((tables, counts))
}

/// A partition's part of run.json `counts` (JSON; the job adds them up).
fn counts(results: &[HouseholdResult], frames: &stages::Frames) -> String {
    let mut actions: BTreeMap<&str, usize> = BTreeMap::new();
    for r in results {
        *actions.entry(r.decision.action.code()).or_default() += 1;
    }
    let conflicts = results
        .iter()
        .flat_map(|r| &r.assessment.near_relatives)
        .filter(|p| p.conflict.is_some())
        .count();
    serde_json::json!({
        "households": results.len(),
        "actions": actions,
        "findings": frames.findings.height(),
        "near_relative_pairs": frames.near_relative_conflicts.height(),
        "near_relative_conflicts": conflicts,
        "review_due": frames.review_due.height(),
    })
    .to_string()
}

/// run.json from the run's context and what the tasks reported: the
/// extract files read (JSON lists of `InputFile`), each extract's link
/// stats and linked rows, and the counts (JSON, `json_of_run::Counts`).
/// `data_dir` and `policies_dir` are the directories as the job was given
/// them (a URI for remote inputs, read through a local mirror at `data`
/// and `policies`).
#[pyfunction]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub fn run_json(
    data: &str,
    policies: &str,
    month: &str,
    files: Vec<(String, String)>,
    extracts: Vec<(String, usize, usize, usize, BTreeMap<String, u64>)>,
    counts: &str,
    empty: Vec<(String, String)>,
    data_dir: &str,
    policies_dir: &str,
) -> PyResult<String> {
    let c = ctx(data, policies, month)?;
    let mut inputs = c.inputs.clone();
    for (d, json) in files {
        let parsed: Vec<InputFile> =
            serde_json::from_str(&json).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        inputs.entry(dataset(&d)?).or_default().extend(parsed);
    }
    let supplied = supplied(&c);
    let empty = empty_set(&empty)?;
    let coverage = hedui::rules::Coverage::new(&supplied, &empty);
    let counts: json_of_run::Counts =
        serde_json::from_str(counts).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let extract_timings = extracts
        .into_iter()
        .map(|(d, rows, linked, files, s)| json_of_run::ExtractTiming {
            dataset: d,
            rows,
            linked,
            files,
            link: link_stats(&s),
            thread_ms: Default::default(),
        })
        .collect();
    let json = json_of_run::RunJson {
        engine: json_of_run::Engine {
            name: "hedui-spark".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        run_month: c.args.month.to_string(),
        data_dir: data_dir.to_string(),
        inputs: json_of_run::inputs(&inputs),
        policies: json_of_run::policies(Path::new(policies_dir), &c.policies, &c.params),
        rules: json_of_run::rules(coverage),
        counts,
        extract_timings,
        ..Default::default()
    };
    Ok(serde_json::to_string_pretty(&json.to_value()).expect("run.json serialises"))
}

fn link_stats(s: &BTreeMap<String, u64>) -> LinkStats {
    let get = |k: &str| s.get(k).copied().unwrap_or(0);
    LinkStats {
        id_exact: get("id_exact"),
        id_other_person: get("id_other_person"),
        fuzzy: get("fuzzy"),
        no_key: get("no_key"),
        candidates_compared: get("candidates_compared"),
        skewed_keys_skipped: get("skewed_keys_skipped"),
    }
}
