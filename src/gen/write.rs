//! Parquet writers, one per dataset, with the input-type variety the
//! contract's "Conventions" allow, so the engine's loader meets each:
//!
//! | dataset | money | dates | layout |
//! |---|---|---|---|
//! | households, members | decimal(12,2) | date | file |
//! | deposits | string `"1234.50"` | string `YYYY-MM-DD` | directory `deposits/part-NNN.parquet` |
//! | vehicles | decimal(14,2), nullable | date | file, extra column `vehicle_brand`, `person_birth_date` |
//! | properties | — (areas, shares float64) | string `YYYYMMDD` | file |
//! | businesses | int64 whole yuan, nullable | date | file, `person_birth_date` + `person_region_code` |
//! | payroll | float64 | date | hive directory `payroll/region=NNNN/part-0.parquet` |
//! | deaths | — | date | file, `person_*` columns, `source` partly as Chinese labels |
//!
//! With [`Layout::person_columns`] (`--noise realistic`) every extract
//! carries both `person_birth_date` and `person_region_code`.
//!
//! Each frame is built from column vectors in one go (no row-by-row frames).
//!
//! At province scale ([`Layout::part_rows`]) every extract is a directory of
//! parts of at most that many rows, `NAME/part-00000.parquet`… (payroll:
//! `payroll/region=NNNN/part-00000.parquet`…), and the datasets are written
//! in parallel (each file's bytes depend only on its rows).

use super::extracts::{ExtractRow, Extracts, Keyed};
use super::people::People;
use super::roster::{round2, Household};
use super::GenError;
use crate::schema::Dataset;
use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Rows per part of `deposits/` in the default layout (at least three parts
/// are written).
const PART_ROWS: usize = 1_000_000;

/// How extracts are laid out on disk.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Layout {
    /// `None`: the small layout of the table above (data-samples).
    /// `Some(n)`: every extract a directory of parts of at most `n` rows.
    pub part_rows: Option<usize>,
    /// Every extract carries `person_birth_date` and `person_region_code`
    /// (else only those of the table above).
    pub person_columns: bool,
}

/// The files of one extract: (path relative to `out`, row range). Without
/// `part_rows`, one file `BASE.parquet`; with it, `BASE/part-NNNNN.parquet`.
fn part_paths(base: &Path, len: usize, layout: Layout) -> Vec<(PathBuf, std::ops::Range<usize>)> {
    match layout.part_rows {
        None => vec![(base.with_extension("parquet"), 0..len)],
        Some(n) => split(len, n.max(1))
            .into_iter()
            .enumerate()
            .map(|(k, r)| (base.join(format!("part-{k:05}.parquet")), r))
            .collect(),
    }
}

/// `0..len` cut into ranges of at most `n` (one empty range when `len` is 0).
fn split(len: usize, n: usize) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<_> = (0..len).step_by(n).map(|s| s..(s + n).min(len)).collect();
    if out.is_empty() {
        out.push(0..0);
    }
    out
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

fn parquet<'a>(dataset: &'static str, path: &'a Path) -> impl FnOnce(PolarsError) -> GenError + 'a {
    move |source| GenError::Parquet {
        dataset,
        path: path.to_path_buf(),
        source,
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GenError + '_ {
    move |source| GenError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates the output directory and removes what an earlier run wrote for
/// the datasets written here (both the file and the directory form, so a
/// stale layout never shadows the new one).
pub(crate) fn prepare(out: &Path) -> Result<(), GenError> {
    std::fs::create_dir_all(out).map_err(io(out))?;
    for d in Dataset::ALL {
        let file = out.join(format!("{}.parquet", d.name()));
        if file.is_file() {
            std::fs::remove_file(&file).map_err(io(&file))?;
        }
        let dir = out.join(d.name());
        if dir.is_dir() {
            std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
    }
    Ok(())
}

pub(crate) fn text(path: &Path, content: &str) -> Result<(), GenError> {
    std::fs::write(path, content).map_err(io(path))
}

pub(super) fn write_frame(
    dataset: &'static str,
    path: &Path,
    columns: Vec<Column>,
) -> Result<(), GenError> {
    let err = |source| GenError::Parquet {
        dataset,
        path: path.to_path_buf(),
        source,
    };
    let height = columns.first().map_or(0, |c| c.len());
    let mut df = DataFrame::new(height, columns).map_err(err)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let file = File::create(path).map_err(io(path))?;
    ParquetWriter::new(file)
        .with_key_value_metadata(Some(plain_metadata(df.schema())))
        .finish(&mut df)
        .map_err(err)?;
    Ok(())
}

/// The outputs' footer hint ([`crate::output::plain_schema_hint`]) in
/// polars' writer's terms.
fn plain_metadata(schema: &Schema) -> KeyValueMetadata {
    let hint = crate::output::plain_schema_hint(schema);
    KeyValueMetadata::from_static(vec![(hint.key, hint.value.unwrap_or_default())])
}

// -------------------------------------------------------------------
// Column builders.
// -------------------------------------------------------------------

pub(super) fn text_col(name: &str, v: Vec<String>) -> Column {
    Column::new(name.into(), v)
}

fn text_opt(name: &str, v: Vec<Option<String>>) -> Column {
    Column::new(name.into(), v)
}

fn bool_col(name: &str, v: Vec<bool>) -> Column {
    Column::new(name.into(), v)
}

pub(super) fn date_col(name: &str, v: impl Iterator<Item = Option<NaiveDate>>) -> Column {
    let days = v.map(|d| d.map(|d| (d - epoch()).num_days() as i32));
    Int32Chunked::from_iter_options(name.into(), days)
        .into_date()
        .into_series()
        .into_column()
}

fn fen(d: Decimal) -> i128 {
    let mut d = round2(d);
    d.rescale(2);
    d.mantissa()
}

fn decimal_col(
    name: &str,
    precision: usize,
    v: impl Iterator<Item = Option<Decimal>>,
) -> PolarsResult<Column> {
    let fens = v.map(|d| d.map(fen));
    Ok(Int128Chunked::from_iter_options(name.into(), fens)
        .into_decimal(precision, 2)?
        .into_series()
        .into_column())
}

fn money_text(d: Decimal) -> String {
    let mut d = round2(d);
    d.rescale(2);
    d.to_string()
}

fn money_f64(d: Decimal) -> f64 {
    round2(d).to_f64().unwrap_or(0.0)
}

// -------------------------------------------------------------------
// Roster.
// -------------------------------------------------------------------

pub(crate) fn households(out: &Path, ids: &[String], hs: &[Household]) -> Result<(), GenError> {
    let path = out.join("households.parquet");
    let err = |source| GenError::Parquet {
        dataset: "households",
        path: path.clone(),
        source,
    };
    let columns = vec![
        text_col("household_id", ids.to_vec()),
        text_col(
            "region_code",
            hs.iter().map(|h| h.region_code.clone()).collect(),
        ),
        text_col(
            "area",
            hs.iter().map(|h| h.area.code().to_string()).collect(),
        ),
        text_col(
            "program",
            hs.iter().map(|h| h.program.code().to_string()).collect(),
        ),
        text_col(
            "status",
            hs.iter().map(|h| h.status.code().to_string()).collect(),
        ),
        Column::new(
            "tier".into(),
            hs.iter().map(|h| h.tier).collect::<Vec<Option<i32>>>(),
        ),
        bool_col(
            "single_person_coverage",
            hs.iter().map(|h| h.single_person_coverage).collect(),
        ),
        date_col("benefit_start", hs.iter().map(|h| h.benefit_start)),
        date_col("phase_out_until", hs.iter().map(|h| h.phase_out_until)),
        decimal_col("monthly_benefit", 12, hs.iter().map(|h| h.monthly_benefit)).map_err(err)?,
        date_col("last_review_date", hs.iter().map(|h| h.last_review_date)),
    ];
    write_frame("households", &path, columns)
}

pub(crate) fn members(
    out: &Path,
    ids: &[String],
    hs: &[Household],
    people: &People,
) -> Result<(), GenError> {
    let path = out.join("members.parquet");
    let err = |source| GenError::Parquet {
        dataset: "members",
        path: path.clone(),
        source,
    };
    let rows: Vec<(&String, &super::roster::Member)> = ids
        .iter()
        .zip(hs)
        .flat_map(|(id, h)| h.members.iter().map(move |m| (id, m)))
        .collect();
    let money = |name: &str, f: fn(&super::roster::Declared) -> Decimal| {
        decimal_col(name, 12, rows.iter().map(|(_, m)| Some(f(&m.declared))))
    };
    let columns = vec![
        text_col(
            "household_id",
            rows.iter().map(|(id, _)| (*id).clone()).collect(),
        ),
        text_col(
            "name",
            rows.iter()
                .map(|(_, m)| {
                    m.written_name
                        .clone()
                        .unwrap_or_else(|| people.get(m.person).name.clone())
                })
                .collect(),
        ),
        text_col(
            "id_number",
            rows.iter()
                .map(|(_, m)| {
                    m.written_id
                        .clone()
                        .unwrap_or_else(|| people.get(m.person).id.clone())
                })
                .collect(),
        ),
        text_col(
            "relation",
            rows.iter()
                .map(|(_, m)| m.relation.code().to_string())
                .collect(),
        ),
        bool_col("covered", rows.iter().map(|(_, m)| m.covered).collect()),
        Column::new(
            "disability_grade".into(),
            rows.iter()
                .map(|(_, m)| m.disability_grade)
                .collect::<Vec<Option<u8>>>(),
        ),
        bool_col(
            "severe_illness",
            rows.iter().map(|(_, m)| m.severe_illness).collect(),
        ),
        text_col(
            "labor_capacity",
            rows.iter()
                .map(|(_, m)| m.labor_capacity.code().to_string())
                .collect(),
        ),
        bool_col("in_school", rows.iter().map(|(_, m)| m.in_school).collect()),
        money("declared_wage", |d| d.wage).map_err(err)?,
        money("declared_business", |d| d.business).map_err(err)?,
        money("declared_property_income", |d| d.property).map_err(err)?,
        money("declared_transfer", |d| d.transfer).map_err(err)?,
        money("declared_basic_pension", |d| d.pension).map_err(err)?,
        money("declared_medical_expense", |d| d.medical).map_err(err)?,
        money("declared_education_expense", |d| d.education).map_err(err)?,
    ];
    write_frame("members", &path, columns)
}

// -------------------------------------------------------------------
// Extracts.
// -------------------------------------------------------------------

/// Name and id columns of a row's holder, as written.
fn holder_columns<'a>(
    people: &People,
    holders: impl Iterator<Item = &'a super::extracts::Holder> + Clone,
    name_col: &str,
    id_col: &str,
) -> [Column; 2] {
    let names = holders
        .clone()
        .map(|h| {
            (!h.linkage.null_name).then(|| {
                h.name
                    .clone()
                    .unwrap_or_else(|| people.get(h.person).name.clone())
            })
        })
        .collect();
    let ids = holders
        .map(|h| {
            (!h.linkage.null_id).then(|| {
                h.id.clone()
                    .unwrap_or_else(|| people.get(h.person).id.clone())
            })
        })
        .collect();
    [text_opt(name_col, names), text_opt(id_col, ids)]
}

/// `person_birth_date`: the birth date, missing on one row in twenty.
fn birth_col<'a>(
    people: &People,
    holders: impl Iterator<Item = &'a super::extracts::Holder>,
) -> Column {
    date_col(
        "person_birth_date",
        holders.enumerate().map(|(i, h)| {
            (i % 20 != 7 && !h.linkage.no_birth_date).then(|| people.get(h.person).birth)
        }),
    )
}

/// `person_region_code`: the 12-digit code, the 6-digit county prefix on
/// one row in five, missing on one in twenty.
fn region_col<'a>(
    people: &People,
    holders: impl Iterator<Item = &'a super::extracts::Holder>,
) -> Column {
    text_opt(
        "person_region_code",
        holders
            .enumerate()
            .map(|(i, h)| {
                let code = &people.get(h.person).region_code;
                match i % 20 {
                    _ if h.linkage.no_region => None,
                    11 => None,
                    3 | 8 | 13 | 18 => Some(code[..6].to_string()),
                    _ => Some(code.clone()),
                }
            })
            .collect(),
    )
}

/// The optional person columns of an extract's rows: `vehicles` has the
/// birth date, `businesses` and `deaths` both; every extract both with
/// `Layout::person_columns`. Always last, after the contract's columns.
fn person_columns<R: Keyed>(
    dataset: &str,
    rows: &[R],
    people: &People,
    layout: Layout,
) -> Vec<Column> {
    let (birth, region) = match dataset {
        _ if layout.person_columns => (true, true),
        "vehicles" => (true, false),
        "businesses" | "deaths" => (true, true),
        _ => (false, false),
    };
    let holders = || rows.iter().map(Keyed::holder);
    let mut out = Vec::new();
    if birth {
        out.push(birth_col(people, holders()));
    }
    if region {
        out.push(region_col(people, holders()));
    }
    out
}

/// An extract's columns: `columns` of the rows, then their person columns.
fn extract_columns<R: Keyed>(
    dataset: &str,
    rows: &[R],
    people: &People,
    layout: Layout,
    columns: impl Fn(&[R]) -> PolarsResult<Vec<Column>>,
) -> PolarsResult<Vec<Column>> {
    let mut out = columns(rows)?;
    out.extend(person_columns(dataset, rows, people, layout));
    Ok(out)
}

/// The hive partition of a payroll row: `region=` + the first 4 digits of
/// the person's region (the prefecture).
pub(crate) fn payroll_partition(region_code: &str) -> String {
    format!("region={}", &region_code[..4])
}

/// Writes every extract; returns (dataset, rows) in contract order, the
/// extracts without a row type last. The datasets are written in parallel:
/// each file depends only on its rows.
pub(crate) fn extracts(
    out: &Path,
    ex: &Extracts,
    people: &People,
    layout: Layout,
) -> Result<Vec<(String, usize)>, GenError> {
    type Job<'a> = Box<dyn Fn() -> Result<(), GenError> + Send + Sync + 'a>;
    let jobs: Vec<Job> = vec![
        Box::new(|| deposits(out, ex, people, layout)),
        Box::new(|| {
            write_parts(
                out,
                "vehicles",
                Path::new("vehicles"),
                &ex.vehicles,
                people,
                layout,
                |rows| vehicle_columns(rows, people),
            )
        }),
        Box::new(|| {
            write_parts(
                out,
                "properties",
                Path::new("properties"),
                &ex.properties,
                people,
                layout,
                |rows| Ok(property_columns(rows, people)),
            )
        }),
        Box::new(|| {
            write_parts(
                out,
                "businesses",
                Path::new("businesses"),
                &ex.businesses,
                people,
                layout,
                |rows| Ok(business_columns(rows, people)),
            )
        }),
        Box::new(|| payroll(out, ex, people, layout)),
        Box::new(|| {
            write_parts(
                out,
                "deaths",
                Path::new("deaths"),
                &ex.deaths,
                people,
                layout,
                |rows| Ok(death_columns(rows, people)),
            )
        }),
    ];
    let mut jobs = jobs;
    for (&dataset, rows) in &ex.rows {
        jobs.push(Box::new(move || {
            let name = dataset.name();
            write_parts(out, name, Path::new(name), rows, people, layout, |rows| {
                Ok(row_columns(dataset, rows, people))
            })
        }));
    }
    use rayon::prelude::*;
    jobs.par_iter()
        .map(|job| job())
        .collect::<Result<(), _>>()?;
    let mut written = vec![
        ("deposits".to_string(), ex.deposits.len()),
        ("vehicles".to_string(), ex.vehicles.len()),
        ("properties".to_string(), ex.properties.len()),
        ("businesses".to_string(), ex.businesses.len()),
        ("payroll".to_string(), ex.payroll.len()),
        ("deaths".to_string(), ex.deaths.len()),
    ];
    written.extend(ex.rows.iter().map(|(d, r)| (d.name().to_string(), r.len())));
    Ok(written)
}

/// The contract columns of rows of an extract without a row type: the
/// holder's name and id in its person columns, every other column as text.
pub(super) fn row_columns(dataset: Dataset, rows: &[ExtractRow], people: &People) -> Vec<Column> {
    let (name_col, id_col) = dataset.person_columns().expect("an extract");
    let holders = || rows.iter().map(|r| &r.holder);
    let [name, id] = holder_columns(people, holders(), name_col, id_col);
    let spec = dataset.spec().columns;
    spec.iter()
        .map(|c| match c.name {
            n if n == name_col => name.clone(),
            n if n == id_col => id.clone(),
            _ => {
                let values = rows.iter().map(|r| r.value(c.name).map(str::to_string));
                text_opt(c.name, values.collect())
            }
        })
        .collect()
}

/// Writes `rows` as one file or as parts (per `layout`), columns built by
/// `columns` (and [`person_columns`]).
fn write_parts<R: Keyed + Sync>(
    out: &Path,
    dataset: &'static str,
    base: &Path,
    rows: &[R],
    people: &People,
    layout: Layout,
    columns: impl Fn(&[R]) -> PolarsResult<Vec<Column>> + Sync,
) -> Result<(), GenError> {
    use rayon::prelude::*;
    part_paths(base, rows.len(), layout)
        .into_par_iter()
        .map(|(rel, range)| {
            let path = out.join(rel);
            let cols = extract_columns(dataset, &rows[range], people, layout, &columns);
            write_frame(dataset, &path, cols.map_err(parquet(dataset, &path))?)
        })
        .collect()
}

fn deposits(out: &Path, ex: &Extracts, people: &People, layout: Layout) -> Result<(), GenError> {
    if layout.part_rows.is_some() {
        return write_parts(
            out,
            "deposits",
            Path::new("deposits"),
            &ex.deposits,
            people,
            layout,
            |rows| Ok(deposit_columns(rows, people)),
        );
    }
    let parts = ex.deposits.len().div_ceil(PART_ROWS).max(3);
    let per_part = ex.deposits.len().div_ceil(parts).max(1);
    let chunks: Vec<&[super::extracts::DepositRow]> = ex.deposits.chunks(per_part).collect();
    for k in 0..parts {
        let rows = chunks.get(k).copied().unwrap_or(&[]);
        let path: PathBuf = out.join("deposits").join(format!("part-{k:03}.parquet"));
        let cols = extract_columns("deposits", rows, people, layout, |rows| {
            Ok(deposit_columns(rows, people))
        });
        write_frame("deposits", &path, cols.map_err(parquet("deposits", &path))?)?;
    }
    Ok(())
}

fn deposit_columns(rows: &[super::extracts::DepositRow], people: &People) -> Vec<Column> {
    let [name, id] = holder_columns(
        people,
        rows.iter().map(|r| &r.holder),
        "holder_name",
        "holder_id_number",
    );
    vec![
        name,
        id,
        text_col(
            "institution",
            rows.iter().map(|r| r.institution.to_string()).collect(),
        ),
        text_col(
            "account_no",
            rows.iter().map(|r| r.account_no.clone()).collect(),
        ),
        text_col(
            "asset_type",
            rows.iter()
                .map(|r| r.asset_type.code().to_string())
                .collect(),
        ),
        text_col(
            "balance",
            rows.iter().map(|r| money_text(r.balance)).collect(),
        ),
        text_col(
            "as_of",
            rows.iter()
                .map(|r| r.as_of.format("%Y-%m-%d").to_string())
                .collect(),
        ),
    ]
}

fn vehicle_columns(
    rows: &[super::extracts::VehicleRow],
    people: &People,
) -> PolarsResult<Vec<Column>> {
    let [name, id] = holder_columns(
        people,
        rows.iter().map(|r| &r.holder),
        "owner_name",
        "owner_id_number",
    );
    Ok(vec![
        name,
        id,
        text_col(
            "plate_no",
            rows.iter().map(|r| r.plate_no.clone()).collect(),
        ),
        text_col(
            "vehicle_type",
            rows.iter()
                .map(|r| r.vehicle_type.code().to_string())
                .collect(),
        ),
        text_col(
            "use_nature",
            rows.iter()
                .map(|r| r.use_nature.code().to_string())
                .collect(),
        ),
        text_col(
            "status",
            rows.iter().map(|r| r.status.code().to_string()).collect(),
        ),
        date_col(
            "first_registered",
            rows.iter().map(|r| Some(r.first_registered)),
        ),
        decimal_col("assessed_value", 14, rows.iter().map(|r| r.assessed_value))?,
        text_col(
            "vehicle_brand",
            rows.iter().map(|r| r.brand.to_string()).collect(),
        ),
    ])
}

fn property_columns(rows: &[super::extracts::PropertyRow], people: &People) -> Vec<Column> {
    let [name, id] = holder_columns(
        people,
        rows.iter().map(|r| &r.holder),
        "owner_name",
        "owner_id_number",
    );
    vec![
        name,
        id,
        text_col("unit_no", rows.iter().map(|r| r.unit_no.clone()).collect()),
        text_col(
            "location",
            rows.iter().map(|r| r.location.clone()).collect(),
        ),
        text_col(
            "usage",
            rows.iter().map(|r| r.usage.code().to_string()).collect(),
        ),
        Column::new(
            "area_m2".into(),
            rows.iter().map(|r| r.area_m2).collect::<Vec<f64>>(),
        ),
        Column::new(
            "share".into(),
            rows.iter().map(|r| r.share).collect::<Vec<f64>>(),
        ),
        text_col(
            "status",
            rows.iter().map(|r| r.status.code().to_string()).collect(),
        ),
        text_col(
            "registered",
            rows.iter()
                .map(|r| r.registered.format("%Y%m%d").to_string())
                .collect(),
        ),
    ]
}

fn business_columns(rows: &[super::extracts::BusinessRow], people: &People) -> Vec<Column> {
    let [name, id] = holder_columns(
        people,
        rows.iter().map(|r| &r.holder),
        "person_name",
        "person_id_number",
    );
    vec![
        text_col(
            "entity_name",
            rows.iter().map(|r| r.entity_name.clone()).collect(),
        ),
        text_col(
            "credit_code",
            rows.iter().map(|r| r.credit_code.clone()).collect(),
        ),
        text_col(
            "entity_type",
            rows.iter()
                .map(|r| r.entity_type.code().to_string())
                .collect(),
        ),
        name,
        id,
        text_col(
            "role",
            rows.iter().map(|r| r.role.code().to_string()).collect(),
        ),
        Column::new(
            "registered_capital".into(),
            rows.iter()
                .map(|r| r.registered_capital)
                .collect::<Vec<Option<i64>>>(),
        ),
        text_col(
            "status",
            rows.iter().map(|r| r.status.code().to_string()).collect(),
        ),
        date_col("established", rows.iter().map(|r| Some(r.established))),
    ]
}

fn payroll(out: &Path, ex: &Extracts, people: &People, layout: Layout) -> Result<(), GenError> {
    let rows = &ex.payroll;
    let mut start = 0;
    let mut groups: Vec<(String, &[super::extracts::PayrollRow])> = Vec::new();
    while start < rows.len() {
        let key = payroll_partition(&people.get(rows[start].holder.person).region_code);
        let mut end = start;
        while end < rows.len()
            && payroll_partition(&people.get(rows[end].holder.person).region_code) == key
        {
            end += 1;
        }
        groups.push((key, &rows[start..end]));
        start = end;
    }
    if groups.is_empty() {
        groups.push(("region=0000".to_string(), &[]));
    }
    for (key, rows) in groups {
        if layout.part_rows.is_some() {
            let base = Path::new("payroll").join(&key);
            write_parts(out, "payroll", &base, rows, people, layout, |rows| {
                Ok(payroll_columns(rows, people))
            })?;
            continue;
        }
        let path = out.join("payroll").join(key).join("part-0.parquet");
        let cols = extract_columns("payroll", rows, people, layout, |rows| {
            Ok(payroll_columns(rows, people))
        });
        write_frame("payroll", &path, cols.map_err(parquet("payroll", &path))?)?;
    }
    Ok(())
}

fn payroll_columns(rows: &[super::extracts::PayrollRow], people: &People) -> Vec<Column> {
    let [name, id] = holder_columns(
        people,
        rows.iter().map(|r| &r.holder),
        "person_name",
        "person_id_number",
    );
    vec![
        name,
        id,
        text_col(
            "employer",
            rows.iter().map(|r| r.employer.clone()).collect(),
        ),
        text_col(
            "staffing",
            rows.iter().map(|r| r.staffing.code().to_string()).collect(),
        ),
        Column::new(
            "gross_monthly_pay".into(),
            rows.iter()
                .map(|r| money_f64(r.gross_monthly_pay))
                .collect::<Vec<f64>>(),
        ),
        date_col("pay_month", rows.iter().map(|r| Some(r.pay_month))),
    ]
}

fn death_columns(rows: &[super::extracts::DeathRow], people: &People) -> Vec<Column> {
    let [name, id] = holder_columns(people, rows.iter().map(|r| &r.holder), "name", "id_number");
    vec![
        name,
        id,
        date_col("date_of_death", rows.iter().map(|r| Some(r.date_of_death))),
        // One row in three gives the source by its Chinese label (an alias
        // the contract accepts).
        text_col(
            "source",
            rows.iter()
                .enumerate()
                .map(|(i, r)| {
                    if i % 3 == 0 {
                        r.source.label_zh()
                    } else {
                        r.source.code()
                    }
                    .to_string()
                })
                .collect(),
        ),
    ]
}
