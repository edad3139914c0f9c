//! The case workers' lists beside `decisions`: `near_relative_conflicts`
//! (one row per member–staff near-relative pair, the 备案 register included)
//! and `review_due` (one row per household due for 复核, with what the
//! extracts show now).

use super::tables::{dates, frame, money, string_lists, strings, HouseholdResult};
use crate::normalise::{Roster, StaffMember};
use crate::rules::yuan;
use crate::rules::RuleId;
use polars::prelude::*;
use rust_decimal::Decimal;

/// `near_relative_conflicts`, sorted by household_id, member id, staff id, staff row.
pub fn near_relative_frame(
    roster: &Roster,
    staff: &[StaffMember],
    results: &[HouseholdResult],
) -> DataFrame {
    let mut rows: Vec<(usize, &crate::rules::near_relative::NearRelativePair)> = results
        .iter()
        .enumerate()
        .flat_map(|(h, r)| r.assessment.near_relatives.iter().map(move |p| (h, p)))
        .collect();
    let household = |h: usize| &roster.households[h];
    let member = |m: u32| &roster.members[m as usize];
    let staff_of = |s: u32| &staff[s as usize];
    rows.sort_by(|a, b| {
        (
            household(a.0).household_id.as_str(),
            member(a.1.member).id_number(),
            staff_of(a.1.staff).id.value.as_deref(),
            a.1.staff,
        )
            .cmp(&(
                household(b.0).household_id.as_str(),
                member(b.1.member).id_number(),
                staff_of(b.1.staff).id.value.as_deref(),
                b.1.staff,
            ))
    });
    frame(vec![
        strings(
            "household_id",
            rows.iter()
                .map(|(h, _)| Some(household(*h).household_id.as_str())),
        ),
        strings(
            "region_code",
            rows.iter()
                .map(|(h, _)| Some(household(*h).region_code.as_str())),
        ),
        strings(
            "program",
            rows.iter()
                .map(|(h, _)| household(*h).program.map(|p| p.code())),
        ),
        strings(
            "id_number",
            rows.iter()
                .map(|(_, p)| member(p.member).id.value.as_deref()),
        ),
        strings(
            "name",
            rows.iter().map(|(_, p)| member(p.member).name.as_deref()),
        ),
        strings(
            "staff_id_number",
            rows.iter()
                .map(|(_, p)| staff_of(p.staff).id.value.as_deref()),
        ),
        strings(
            "staff_name",
            rows.iter().map(|(_, p)| staff_of(p.staff).name.as_deref()),
        ),
        strings(
            "staff_role",
            rows.iter()
                .map(|(_, p)| staff_of(p.staff).role.map(|r| r.code())),
        ),
        strings(
            "staff_region_code",
            rows.iter()
                .map(|(_, p)| staff_of(p.staff).region_code.as_deref()),
        ),
        strings(
            "relation",
            rows.iter().map(|(_, p)| Some(p.relation.code())),
        ),
        strings(
            "relation_source",
            rows.iter().map(|(_, p)| Some(p.source.code())),
        ),
        Column::new(
            "filed".into(),
            rows.iter().map(|(_, p)| p.filed).collect::<Vec<bool>>(),
        ),
        strings(
            "conflict",
            rows.iter().map(|(_, p)| p.conflict.map(|c| c.code())),
        ),
    ])
}

/// What the extracts show about a household now, for the case worker who
/// starts its 复核.
struct Snapshot {
    verified_wage: Option<Decimal>,
    assets_found: Vec<RuleId>,
    summary: String,
}

fn snapshot(r: &HouseholdResult) -> Snapshot {
    let a = &r.assessment;
    let verified: Vec<Decimal> = a
        .income
        .members
        .iter()
        .filter_map(|m| m.verified_wage)
        .collect();
    let verified_wage = (!verified.is_empty()).then(|| verified.iter().sum::<Decimal>());
    let mut assets_found: Vec<RuleId> = a
        .findings
        .iter()
        .filter(|f| f.rule.rule().in_snapshot)
        .map(|f| f.rule)
        .collect();
    assets_found.sort();
    assets_found.dedup();
    let per_capita = a.income.per_capita();
    let mut summary = format!(
        "家庭人均收入{}元，{}标准{}元",
        yuan(per_capita),
        if a.income.exceeds(a.standard) {
            "高于"
        } else {
            "不高于"
        },
        yuan(a.standard)
    );
    match verified_wage {
        Some(w) => summary += &format!("；核实工资收入每月{}元", yuan(w)),
        None => summary += "；无财政供养工资记录",
    }
    if a.income.living_members > 0 {
        summary += &format!(
            "；人均金融资产{}元",
            yuan(a.financial_assets / Decimal::from(a.income.living_members))
        );
    }
    if assets_found.is_empty() {
        summary += "；未发现车辆、房产、市场主体等需核实的资产";
    } else {
        let labels: Vec<&str> = assets_found.iter().map(|r| r.label_zh()).collect();
        summary += &format!("；发现：{}", labels.join("、"));
    }
    summary += &format!("；本月建议：{}", r.decision.action.label_zh());
    Snapshot {
        verified_wage,
        assets_found,
        summary,
    }
}

/// `review_due`, sorted by household_id.
pub fn review_due_frame(roster: &Roster, results: &[HouseholdResult]) -> DataFrame {
    let rows: Vec<usize> = super::tables::households_by_id(roster)
        .into_iter()
        .filter(|&i| results[i].assessment.review_due.is_some())
        .collect();
    let household = |h: usize| &roster.households[h];
    let due = |i: usize| results[i].assessment.review_due.as_ref().expect("filtered");
    let snapshots: Vec<Snapshot> = rows.iter().map(|&i| snapshot(&results[i])).collect();
    let per_capita = |i: usize, total: Decimal| {
        let n = results[i].assessment.income.living_members;
        (n > 0).then(|| total / Decimal::from(n))
    };
    frame(vec![
        strings(
            "household_id",
            rows.iter()
                .map(|&i| Some(household(i).household_id.as_str())),
        ),
        strings(
            "region_code",
            rows.iter()
                .map(|&i| Some(household(i).region_code.as_str())),
        ),
        strings(
            "program",
            rows.iter().map(|&i| household(i).program.map(|p| p.code())),
        ),
        dates("due_date", rows.iter().map(|&i| Some(due(i).due_date))),
        strings("cadence", rows.iter().map(|&i| Some(due(i).cadence.code()))),
        string_lists(
            "cadence_reasons",
            rows.iter()
                .map(|&i| due(i).reasons.iter().map(|r| r.code()).collect()),
        ),
        dates(
            "last_review_date",
            rows.iter().map(|&i| household(i).last_review_date),
        ),
        Column::new(
            "living_members".into(),
            rows.iter()
                .map(|&i| results[i].assessment.income.living_members)
                .collect::<Vec<u32>>(),
        ),
        money(
            "per_capita_income",
            rows.iter()
                .map(|&i| per_capita(i, results[i].assessment.income.household_income)),
        ),
        money(
            "standard",
            rows.iter().map(|&i| Some(results[i].assessment.standard)),
        ),
        money(
            "financial_assets_per_capita",
            rows.iter()
                .map(|&i| per_capita(i, results[i].assessment.financial_assets)),
        ),
        money("verified_wage", snapshots.iter().map(|s| s.verified_wage)),
        string_lists(
            "assets_found",
            snapshots
                .iter()
                .map(|s| s.assets_found.iter().map(|r| r.code()).collect()),
        ),
        strings(
            "action",
            rows.iter()
                .map(|&i| Some(results[i].decision.action.code())),
        ),
        strings(
            "summary",
            snapshots.iter().map(|s| Some(s.summary.as_str())),
        ),
    ])
}
