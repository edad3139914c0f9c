//! `hedui explain`: one household's decision, each finding, the extract row
//! behind it and how that row was linked, in plain words for a case worker.
//!
//! Reads a finished run's `decisions`, `findings` and `run.json`, and
//! re-reads each finding's extract row from the data directory that
//! `run.json` records (by dataset and `row_index`). Every id number printed
//! is masked (first 6 and last 4 kept, `text::mask_id`), the member's own
//! too: this output ends up in terminals, tickets and logs. The full ids
//! are in the run's internal `findings` and `matches` tables.

use anyhow::{bail, Context};
use hedui::link::score;
use hedui::link::{
    BirthDateLevel, IdLevel, Levels, MatchMethod, MatchStatus, NameLevel, RegionLevel,
};
use hedui::schema::Dataset;
use hedui::text::mask_id;
use hedui::verdict::Action;
use polars::prelude::{ChunkCompareEq, DataFrame, DataType, ParquetReader, SerReader};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output directory of a finished `hedui run`.
    #[arg(long)]
    out: PathBuf,
    /// The household to explain (`household_id`).
    #[arg(long)]
    household: String,
}

fn read(path: &Path) -> anyhow::Result<DataFrame> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))
}

/// The rows of `df` whose `household_id` is `id`.
fn rows_of(df: &DataFrame, id: &str) -> anyhow::Result<DataFrame> {
    let mask = df.column("household_id")?.str()?.equal(id);
    Ok(df.filter(&mask)?)
}

fn text(df: &DataFrame, column: &str, row: usize) -> Option<String> {
    let c = df.column(column).ok()?.cast(&DataType::String).ok()?;
    c.str().ok()?.get(row).map(str::to_string)
}

fn float(df: &DataFrame, column: &str, row: usize) -> Option<f64> {
    df.column(column).ok()?.f64().ok()?.get(row)
}

fn action_label(code: &str) -> String {
    match Action::from_code(code) {
        Some(a) => format!("{}（{code}）", a.label_zh()),
        None => code.to_string(),
    }
}

fn rule_label(code: &str) -> String {
    match hedui::rules::RuleId::from_code(code) {
        Some(r) => format!("{code} {}", r.label_zh()),
        None => code.to_string(),
    }
}

/// The levels of a finding's link, from its `*_level` columns.
fn levels(df: &DataFrame, row: usize) -> Option<Levels> {
    let id = IdLevel::from_code(&text(df, "id_level", row)?)?;
    Some(Levels {
        id,
        name: text(df, "name_level", row).and_then(|c| NameLevel::from_code(&c)),
        birth_date: text(df, "birth_date_level", row).and_then(|c| BirthDateLevel::from_code(&c)),
        region: text(df, "region_level", row).and_then(|c| RegionLevel::from_code(&c)),
    })
}

/// "证件号相差一位（+16.4）；姓名一致（+8.7）；…", with each field's weight.
fn describe_levels(l: &Levels, scored: bool) -> String {
    let w = score::field_weights(l);
    let mut parts = vec![(l.id.label_zh(), w[0])];
    parts.extend(l.name.map(|x| (x.label_zh(), w[1])));
    parts.extend(l.birth_date.map(|x| (x.label_zh(), w[2])));
    parts.extend(l.region.map(|x| (x.label_zh(), w[3])));
    parts
        .iter()
        .map(|(label, weight)| {
            if scored {
                format!("{label}（{weight:+.1}）")
            } else {
                label.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The person columns of one extract row, as the agency wrote them, each
/// named by its label in the dataset table.
fn describe_row(table: &hedui::load::Table, row: usize) -> String {
    let dataset = table.dataset;
    let (name_col, id_col) = dataset
        .person_columns()
        .expect("linked datasets name a person");
    let value = |c: &str| {
        table
            .text(c)
            .get(row)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let birth = table
        .date_at("person_birth_date", row)
        .map(|d| d.to_string());
    [
        (name_col, value(name_col)),
        (id_col, value(id_col).map(|id| mask_id(&id))),
        ("person_birth_date", birth),
        ("person_region_code", value("person_region_code")),
    ]
    .into_iter()
    .map(|(column, value)| {
        let label = dataset.column(column).map_or(column, |c| c.label_zh);
        format!("{label} {}", value.unwrap_or_else(|| "（空）".into()))
    })
    .collect::<Vec<_>>()
    .join("，")
}

/// The roster name of the member with this normalised id.
fn member_name(members: &hedui::load::Table, id: &str) -> Option<String> {
    let ids = members.text("id_number");
    let row = (0..members.height())
        .find(|&r| hedui::text::normalize_id(ids.get(r)).value.as_deref() == Some(id))?;
    members.text("name").get(row).map(|s| s.trim().to_string())
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let run_json = hedui::output::RunJson::read(&args.out.join("run.json"))
        .with_context(|| format!("{} is not a finished run", args.out.display()))?;
    let decisions = rows_of(&read(&args.out.join("decisions.parquet"))?, &args.household)?;
    if decisions.height() == 0 {
        bail!(
            "household {} is not in the run at {}",
            args.household,
            args.out.display()
        );
    }
    let findings = rows_of(&read(&args.out.join("findings.parquet"))?, &args.household)?;
    let tables = extract_rows(&findings, &run_json)?;
    let mut out = String::new();
    describe_decision(&mut out, &args.household, &run_json.run_month, &decisions)?;
    if findings.height() == 0 {
        writeln!(out, "无核对发现。")?;
    }
    for i in 0..findings.height() {
        writeln!(out)?;
        describe_finding(&mut out, &findings, i, &tables)?;
    }
    super::print(&out)
}

/// The tables of the extract rows behind the findings, re-read from the
/// run's data directory. Members are read whenever there is a finding: a
/// household-level finding (R-INCOME, R-NEAR-RELATIVE) still names its
/// member.
fn extract_rows(
    findings: &DataFrame,
    run: &hedui::output::RunJson,
) -> anyhow::Result<BTreeMap<Dataset, hedui::load::Table>> {
    let data_dir = Path::new(&run.data_dir);
    let mut tables = BTreeMap::new();
    if findings.height() == 0 {
        return Ok(tables);
    }
    let needed: Vec<Dataset> = (0..findings.height())
        .filter_map(|i| dataset_of(findings, i))
        .collect();
    if data_dir.is_relative() && !data_dir.is_dir() {
        return Err(StaleData(format!(
            "run.json records the data directory `{}` relative to where the run was started; run `hedui explain` from there (runs of this version record it absolute)",
            data_dir.display()
        ))
        .into());
    }
    let data = hedui::load::discover(data_dir)
        .with_context(|| format!("re-reading the run's data directory {}", data_dir.display()))?;
    for d in needed.into_iter().chain([Dataset::Members]) {
        if let std::collections::btree_map::Entry::Vacant(e) = tables.entry(d) {
            if let Some(t) = data.read(d, &mut Vec::new())? {
                same_as_the_run(run, &t)?;
                e.insert(t);
            }
        }
    }
    Ok(tables)
}

/// The data changed since the run: the rows re-read would be other rows.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StaleData(String);

/// Refuses a dataset whose files are not those the run read (by path and
/// BLAKE3 hash in run.json): `row_index` would point at another person's row.
fn same_as_the_run(
    run: &hedui::output::RunJson,
    table: &hedui::load::Table,
) -> Result<(), StaleData> {
    let name = table.dataset.name();
    let recorded = run
        .inputs
        .get(name)
        .and_then(|i| i.files.as_ref())
        .map(Vec::as_slice)
        .unwrap_or_default();
    let now: Vec<(&str, &str)> = table
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.blake3.as_str()))
        .collect();
    let then: Vec<(&str, &str)> = recorded
        .iter()
        .map(|f| (f.path.as_str(), f.blake3.as_str()))
        .collect();
    if now == then {
        return Ok(());
    }
    let changed = now
        .iter()
        .find(|f| !then.contains(f))
        .or_else(|| then.iter().find(|f| !now.contains(f)))
        .map_or_else(|| name.to_string(), |(path, _)| path.to_string());
    Err(StaleData(format!(
        "dataset `{name}` ({}) in {} is not what the run read ({changed} differs from run.json's inputs by path or content hash); the rows it would show may be another person's. Re-run `hedui run` on this data, or restore the data the run read",
        table.dataset.label_zh(),
        run.data_dir
    )))
}

/// The dataset of finding `i`, if it rests on an extract row.
fn dataset_of(findings: &DataFrame, i: usize) -> Option<Dataset> {
    let name = text(findings, "dataset", i)?;
    Dataset::ALL.iter().copied().find(|x| x.name() == name)
}

/// The household's decision: action, reasons, income against standard.
fn describe_decision(
    out: &mut String,
    household: &str,
    run_month: &str,
    d: &DataFrame,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "家庭 {}（区划代码 {}，核对月份 {}）",
        household,
        text(d, "region_code", 0).unwrap_or_default(),
        run_month
    )?;
    let reasons = d
        .column("reasons")?
        .list()?
        .get_as_series(0)
        .map(|s| {
            s.str()
                .map(|c| {
                    c.iter()
                        .flatten()
                        .map(rule_label)
                        .collect::<Vec<_>>()
                        .join("、")
                })
                .unwrap_or_default()
        })
        .unwrap_or_default();
    writeln!(
        out,
        "决定：{}{}",
        action_label(&text(d, "action", 0).unwrap_or_default()),
        if reasons.is_empty() {
            String::new()
        } else {
            format!("，理由：{reasons}")
        }
    )?;
    writeln!(
        out,
        "人均收入 {} 元，保障标准 {} 元，置信度 {:.2}",
        text(d, "per_capita_income", 0).unwrap_or_else(|| "—".into()),
        text(d, "standard", 0).unwrap_or_else(|| "—".into()),
        float(d, "confidence", 0).unwrap_or(0.0)
    )?;
    Ok(())
}

/// Finding `i`: rule, action, detail, member, the extract row and its link.
fn describe_finding(
    out: &mut String,
    f: &DataFrame,
    i: usize,
    tables: &BTreeMap<Dataset, hedui::load::Table>,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "发现 {}：{} → {}（{}）",
        i + 1,
        rule_label(&text(f, "rule_id", i).unwrap_or_default()),
        action_label(&text(f, "action", i).unwrap_or_default()),
        if text(f, "certain", i).as_deref() == Some("true") {
            "确定"
        } else {
            "不确定，需人工核实"
        }
    )?;
    writeln!(out, "  说明：{}", text(f, "detail", i).unwrap_or_default())?;
    if let Some(member) = text(f, "id_number", i) {
        let name = tables
            .get(&Dataset::Members)
            .and_then(|m| member_name(m, &member));
        writeln!(
            out,
            "  成员：{}（证件号 {}）",
            name.as_deref().unwrap_or("?"),
            mask_id(&member)
        )?;
    }
    let Some(dataset) = dataset_of(f, i) else {
        return Ok(());
    };
    let row = f
        .column("row_index")?
        .cast(&DataType::UInt64)?
        .u64()?
        .get(i)
        .unwrap_or(0) as usize;
    match tables.get(&dataset).filter(|t| row < t.height()) {
        Some(t) => writeln!(
            out,
            "  证据：{} 第 {row} 行：{}",
            dataset.label_zh(),
            describe_row(t, row)
        )?,
        None => writeln!(
            out,
            "  证据：{} 第 {row} 行（数据目录中已找不到该行）",
            dataset.label_zh()
        )?,
    }
    describe_link(out, f, i)
}

/// How finding `i`'s row was linked: method, status, score, weight, levels.
fn describe_link(out: &mut String, f: &DataFrame, i: usize) -> anyhow::Result<()> {
    let method = text(f, "match_method", i).unwrap_or_default();
    let method_zh = MatchMethod::ALL
        .iter()
        .find(|m| m.code() == method)
        .map_or(method.as_str(), |m| m.label_zh());
    let status = text(f, "match_status", i).unwrap_or_default();
    let status_zh = MatchStatus::ALL
        .iter()
        .find(|s| s.code() == status)
        .map_or(MatchStatus::Unmatched.label_zh(), |s| s.label_zh());
    let weight = float(f, "match_weight", i);
    writeln!(
        out,
        "  关联：{method_zh}，{status_zh}，得分 {:.4}{}",
        float(f, "match_score", i).unwrap_or(0.0),
        weight.map_or(String::new(), |w| format!(
            "，匹配权重 {w:.1}（先验 {:.1}）",
            score::PRIOR_WEIGHT
        ))
    )?;
    if let Some(l) = levels(f, i) {
        writeln!(out, "  比对：{}", describe_levels(&l, weight.is_some()))?;
    }
    Ok(())
}
