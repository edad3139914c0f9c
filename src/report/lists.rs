//! The lists of the workbook, each a [`Sheet`] over an output frame:
//! 汇总, one list per action, 近亲属冲突, 到期复核, 数据质量 and 公示名单.

use super::labels;
use super::{list_strings, Cell, Frame, Lists, Sheet};
use crate::output::OutputError;
use crate::verdict::Action;
use std::collections::{BTreeMap, HashMap};

pub(crate) const SUMMARY: &str = "汇总";
pub(crate) const NEAR_RELATIVE: &str = "近亲属冲突";
pub(crate) const REVIEW_DUE: &str = "到期复核";
/// Problems counted per dataset, column and problem (every problem, one row
/// each, is in `data_quality.parquet`).
pub(crate) const DATA_QUALITY: &str = "数据质量";

/// Every sheet, in workbook order.
pub(crate) fn build<'a>(lists: &'a Lists<'a>) -> Result<Vec<Sheet<'a>>, OutputError> {
    let decisions = Decisions::new(lists)?;
    let mut sheets = vec![summary(lists, &decisions)?];
    let decisions = std::sync::Arc::new(decisions);
    for action in Action::LISTED {
        sheets.push(action_sheet(decisions.clone(), action));
    }
    sheets.push(near_relative(lists.near_relative_conflicts)?);
    sheets.push(review_due(lists.review_due)?);
    sheets.push(data_quality_summary(lists.data_quality)?);
    sheets.push(super::publicity::sheet(decisions)?);
    Ok(sheets)
}

/// The `decisions` frame with the columns the lists read (the roster's
/// columns among them: area, household size, the head's and the covered
/// member's names), and the findings of each household.
pub(crate) struct Decisions<'a> {
    pub len: usize,
    /// Row numbers by region code, then household.
    order: Vec<u32>,
    /// The action of each row.
    actions: Vec<&'a str>,
    pub household_id: &'a polars::prelude::StringChunked,
    pub region_code: &'a polars::prelude::StringChunked,
    pub program: &'a polars::prelude::StringChunked,
    pub action: &'a polars::prelude::StringChunked,
    pub reasons: &'a polars::prelude::ListChunked,
    pub per_capita_income: super::Money<'a>,
    pub standard: super::Money<'a>,
    pub financial_assets_per_capita: super::Money<'a>,
    pub monthly_benefit: super::Money<'a>,
    pub living_members: super::Counts,
    pub phase_out_until: super::Dates<'a>,
    pub covered_id_number: &'a polars::prelude::StringChunked,
    pub confidence: &'a polars::prelude::Float64Chunked,
    pub area: &'a polars::prelude::StringChunked,
    pub household_size: super::Counts,
    pub head_id_number: &'a polars::prelude::StringChunked,
    pub head_name: &'a polars::prelude::StringChunked,
    pub covered_name: &'a polars::prelude::StringChunked,
    details: &'a polars::prelude::StringChunked,
    /// Rows of `findings` per household (findings are sorted by household).
    findings: HashMap<&'a str, (usize, usize), foldhash::fast::FixedState>,
}

impl<'a> Decisions<'a> {
    fn new(lists: &'a Lists<'a>) -> Result<Decisions<'a>, OutputError> {
        let d = Frame::new("decisions", lists.decisions);
        let household_id = d.str("household_id")?;
        let region_code = d.str("region_code")?;
        let action = d.str("action")?;
        // Every list is in region code, then household order: sorted once.
        let keys: Vec<(&str, &str)> = region_code
            .iter()
            .zip(household_id.iter())
            .map(|(r, h)| (r.unwrap_or(""), h.unwrap_or("")))
            .collect();
        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        order.sort_unstable_by_key(|&i| (keys[i as usize], i));
        let f = Frame::new("findings", lists.findings);
        let finding_households = f.str("household_id")?;
        let mut findings: HashMap<&str, (usize, usize), foldhash::fast::FixedState> =
            HashMap::default();
        for (i, h) in finding_households.iter().enumerate() {
            let Some(h) = h else { continue };
            findings
                .entry(h)
                .and_modify(|r| r.1 = i + 1)
                .or_insert((i, i + 1));
        }
        Ok(Decisions {
            len: lists.decisions.height(),
            order,
            actions: action.iter().map(|a| a.unwrap_or("")).collect(),
            household_id,
            region_code,
            program: d.str("program")?,
            action,
            reasons: d.list("reasons")?,
            per_capita_income: d.money("per_capita_income")?,
            standard: d.money("standard")?,
            financial_assets_per_capita: d.money("financial_assets_per_capita")?,
            monthly_benefit: d.money("monthly_benefit")?,
            living_members: d.count("living_members")?,
            phase_out_until: d.date("phase_out_until")?,
            covered_id_number: d.str("covered_id_number")?,
            confidence: d.f64("confidence")?,
            area: d.str("area")?,
            household_size: d.count("household_size")?,
            head_id_number: d.str("head_id_number")?,
            head_name: d.str("head_name")?,
            covered_name: d.str("covered_name")?,
            details: f.str("detail")?,
            findings,
        })
    }

    pub fn household_id(&self, i: usize) -> &'a str {
        self.household_id.get(i).unwrap_or("")
    }

    pub fn region_code(&self, i: usize) -> &'a str {
        self.region_code.get(i).unwrap_or("")
    }

    /// Row numbers whose action is `action`, by region code then household.
    pub fn rows_with(&self, keep: impl Fn(&str) -> bool) -> Vec<u32> {
        self.order
            .iter()
            .copied()
            .filter(|&i| keep(self.actions[i as usize]))
            .collect()
    }

    /// The case worker's words for what was found, one finding after another.
    fn details(&self, i: usize) -> String {
        let Some(&(from, to)) = self.findings.get(self.household_id(i)) else {
            return String::new();
        };
        // A household-level finding is cited once per source row (two
        // deposit rows give two R-FIN-ASSETS rows with the same words): a
        // case worker reads each sentence once.
        let mut details: Vec<&str> = Vec::new();
        for d in (from..to).filter_map(|r| self.details.get(r)) {
            if !details.contains(&d) {
                details.push(d);
            }
        }
        details.join("；")
    }
}

fn action_sheet<'a>(d: std::sync::Arc<Decisions<'a>>, action: Action) -> Sheet<'a> {
    let rows = d.rows_with(|a| a == action.code());
    let mut headers = vec![
        "乡镇（街道）代码",
        "区划代码",
        "户编号",
        "户主姓名",
        "户主身份证号",
        "救助类别",
        "家庭人数",
        "月保障金额（元）",
        "家庭人均收入（元）",
        "保障标准（元）",
        "人均金融资产（元）",
    ];
    match action {
        Action::PhaseOut => headers.push("渐退期至"),
        Action::SinglePersonEntry => headers.extend(["单人保对象姓名", "单人保对象身份证号"]),
        _ => {}
    }
    headers.extend(["原因", "核对发现", "匹配置信度"]);
    Sheet {
        name: action.list_name_zh(),
        headers,
        len: rows.len(),
        row: Box::new(move |r| {
            let i = rows[r] as usize;
            let household_id = d.household_id(i);
            let region = d.region_code(i);
            let mut cells = vec![
                Cell::text(labels::township(region)),
                Cell::text(region),
                Cell::text(household_id),
                Cell::opt(d.head_name.get(i)),
                Cell::opt(d.head_id_number.get(i)),
                Cell::text(labels::program(d.program.get(i).unwrap_or(""))),
                Cell::Count(d.living_members.get(i)),
                Cell::Money(d.monthly_benefit.get(i)),
                Cell::Money(d.per_capita_income.get(i)),
                Cell::Money(d.standard.get(i)),
                Cell::Money(d.financial_assets_per_capita.get(i)),
            ];
            match action {
                Action::PhaseOut => cells.push(Cell::Date(d.phase_out_until.get(i))),
                Action::SinglePersonEntry => {
                    let covered = d.covered_id_number.get(i).unwrap_or("");
                    cells.push(Cell::opt(d.covered_name.get(i)));
                    cells.push(Cell::text(covered));
                }
                _ => {}
            }
            let reasons = list_strings(d.reasons, i);
            cells.push(Cell::text(labels::rules(
                reasons.iter().map(String::as_str),
            )));
            cells.push(Cell::text(d.details(i)));
            cells.push(Cell::Score(d.confidence.get(i)));
            cells
        }),
    }
}

/// 汇总: households per township (乡镇, the first 9 digits of the region
/// code) and action, with the near-relative conflicts and 复核 due beside.
fn summary<'a>(lists: &Lists, d: &Decisions) -> Result<Sheet<'a>, OutputError> {
    let mut by_township: BTreeMap<String, [u64; Action::ALL.len() + 2]> = BTreeMap::new();
    let slot = |code: &str| Action::ALL.iter().position(|a| a.code() == code);
    for i in 0..d.len {
        let t = labels::township(d.region_code(i)).to_string();
        let counts = by_township.entry(t).or_default();
        if let Some(k) = d.action.get(i).and_then(slot) {
            counts[k] += 1;
        }
    }
    let extra = [
        ("near_relative_conflicts", lists.near_relative_conflicts),
        ("review_due", lists.review_due),
    ];
    for (k, (name, frame)) in extra.into_iter().enumerate() {
        let regions = Frame::new(name, frame).str("region_code")?;
        for r in regions.iter() {
            let t = labels::township(r.unwrap_or("")).to_string();
            by_township.entry(t).or_default()[Action::ALL.len() + k] += 1;
        }
    }
    let mut total = [0u64; Action::ALL.len() + 2];
    for counts in by_township.values() {
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
    }
    let mut rows: Vec<(String, [u64; Action::ALL.len() + 2])> = by_township.into_iter().collect();
    rows.push(("合计".to_string(), total));
    let mut headers = vec!["乡镇（街道）代码", "户数"];
    headers.extend(Action::ALL.iter().map(|a| a.label_zh()));
    headers.extend([NEAR_RELATIVE, REVIEW_DUE]);
    let n_actions = Action::ALL.len();
    Ok(Sheet {
        name: SUMMARY,
        headers,
        len: rows.len(),
        row: Box::new(move |r| {
            let (township, counts) = &rows[r];
            let households: u64 = counts[..n_actions].iter().sum();
            let mut cells = vec![Cell::text(township.clone()), Cell::Count(Some(households))];
            cells.extend(counts.iter().map(|&c| Cell::Count(Some(c))));
            cells
        }),
    })
}

fn near_relative<'a>(df: &'a polars::prelude::DataFrame) -> Result<Sheet<'a>, OutputError> {
    let headers = vec![
        "户编号",
        "区划代码",
        "救助类别",
        "成员姓名",
        "成员身份证号",
        "工作人员姓名",
        "工作人员身份证号",
        "工作人员职务",
        "工作人员所在区划",
        "成员是工作人员的",
        "关系来源",
        "是否备案",
        "冲突类型",
    ];
    let f = Frame::new("near_relative_conflicts", df);
    let text = [
        f.str("household_id")?,
        f.str("region_code")?,
        f.str("program")?,
        f.str("name")?,
        f.str("id_number")?,
        f.str("staff_name")?,
        f.str("staff_id_number")?,
        f.str("staff_role")?,
        f.str("staff_region_code")?,
        f.str("relation")?,
        f.str("relation_source")?,
    ];
    let filed = f.bool("filed")?;
    let conflict = f.str("conflict")?;
    Ok(Sheet {
        name: NEAR_RELATIVE,
        headers,
        len: df.height(),
        row: Box::new(move |i| {
            let t = |k: usize| text[k].get(i).unwrap_or("");
            vec![
                Cell::text(t(0)),
                Cell::text(t(1)),
                Cell::text(labels::program(t(2))),
                Cell::text(t(3)),
                Cell::text(t(4)),
                Cell::text(t(5)),
                Cell::text(t(6)),
                Cell::text(labels::staff_role(t(7))),
                Cell::text(t(8)),
                Cell::text(labels::relation(t(9))),
                Cell::text(labels::relation_source(t(10))),
                Cell::text(labels::yes_no(filed.get(i).unwrap_or(false))),
                Cell::text(labels::conflict(conflict.get(i))),
            ]
        }),
    })
}

fn review_due<'a>(df: &'a polars::prelude::DataFrame) -> Result<Sheet<'a>, OutputError> {
    let headers = vec![
        "户编号",
        "区划代码",
        "救助类别",
        "复核到期日",
        "复核周期",
        "周期依据",
        "上次复核日期",
        "家庭人数",
        "家庭人均收入（元）",
        "保障标准（元）",
        "人均金融资产（元）",
        "核实月工资（元）",
        "核对发现资产",
        "本月建议",
        "情况摘要",
    ];
    let f = Frame::new("review_due", df);
    let (household_id, region_code, program) = (
        f.str("household_id")?,
        f.str("region_code")?,
        f.str("program")?,
    );
    let (due_date, cadence, cadence_reasons, last_review_date) = (
        f.date("due_date")?,
        f.str("cadence")?,
        f.list("cadence_reasons")?,
        f.date("last_review_date")?,
    );
    let living_members = f.count("living_members")?;
    let money = [
        f.money("per_capita_income")?,
        f.money("standard")?,
        f.money("financial_assets_per_capita")?,
        f.money("verified_wage")?,
    ];
    let (assets_found, action, summary) =
        (f.list("assets_found")?, f.str("action")?, f.str("summary")?);
    Ok(Sheet {
        name: REVIEW_DUE,
        headers,
        len: df.height(),
        row: Box::new(move |i| {
            let reasons: Vec<String> = list_strings(cadence_reasons, i)
                .iter()
                .map(|c| labels::cadence_reason(c).to_string())
                .collect();
            let assets = list_strings(assets_found, i);
            let mut cells = vec![
                Cell::opt(household_id.get(i)),
                Cell::opt(region_code.get(i)),
                Cell::text(labels::program(program.get(i).unwrap_or(""))),
                Cell::Date(due_date.get(i)),
                Cell::text(labels::cadence(cadence.get(i).unwrap_or(""))),
                Cell::text(reasons.join("、")),
                Cell::Date(last_review_date.get(i)),
                Cell::Count(living_members.get(i)),
            ];
            cells.extend(money.iter().map(|m| Cell::Money(m.get(i))));
            cells.push(Cell::text(labels::rules(assets.iter().map(String::as_str))));
            cells.push(Cell::text(labels::action(action.get(i).unwrap_or(""))));
            cells.push(Cell::opt(summary.get(i)));
            cells
        }),
    })
}

/// Problems counted by dataset, column and problem, with the first row of
/// each (the full list is `data_quality.parquet`).
fn data_quality_summary<'a>(df: &'a polars::prelude::DataFrame) -> Result<Sheet<'a>, OutputError> {
    let f = Frame::new("data_quality counts", df);
    let (dataset, column, problem, value) = (
        f.str("dataset")?,
        f.str("column")?,
        f.str("problem")?,
        f.str("first_value")?,
    );
    let (count, first_row) = (f.count("count")?, f.count("first_row_index")?);
    Ok(Sheet {
        name: DATA_QUALITY,
        headers: vec![
            "数据集",
            "数据集代码",
            "字段",
            "问题",
            "条数",
            "首个行号（从0计）",
            "示例原值",
        ],
        len: df.height(),
        row: Box::new(move |i| {
            let d = dataset.get(i).unwrap_or("");
            vec![
                Cell::text(labels::dataset(d)),
                Cell::text(d),
                Cell::opt(column.get(i)),
                Cell::text(labels::problem(problem.get(i).unwrap_or(""))),
                Cell::Count(count.get(i)),
                Cell::Count(first_row.get(i)),
                Cell::opt(value.get(i)),
            ]
        }),
    })
}
