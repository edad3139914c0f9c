//! A household's [`Facts`] and [`assess`], which runs every rule of the
//! table the run's [`Coverage`] checks; the helpers several rules share.

use super::{
    data_quality, death, fin_assets, near_relative, review_due, Coverage, Finding, RuleId, RULES,
};
use crate::calendar::RunMonth;
use crate::evidence::{HouseholdEvidence, Source};
use crate::income::Income;
use crate::near_relatives::HouseholdKin;
use crate::normalise::{Household, Member, Roster, StaffMember};
use crate::policy::Params;
use crate::schema::Dataset;
use crate::verdict::Action;
use rust_decimal::Decimal;

/// Everything a rule may read about one household.
pub struct Facts<'a> {
    pub month: RunMonth,
    pub params: &'a Params,
    pub roster: &'a Roster,
    pub household: &'a Household,
    pub evidence: &'a HouseholdEvidence,
    /// The household's possible near-relative pairs and filings.
    pub kin: &'a HouseholdKin,
    /// Every `staff` row (pairs refer to them by index).
    pub staff: &'a [StaffMember],
    /// The household's members (roster indices) not known to be dead.
    pub living: Vec<u32>,
    /// The household's standard: `tekun_standard` for 特困, else the area's.
    pub standard: Decimal,
    pub income: Income,
}

impl Facts<'_> {
    pub fn member(&self, index: u32) -> &Member {
        &self.roster.members[index as usize]
    }

    pub fn is_living(&self, index: u32) -> bool {
        self.living.contains(&index)
    }

    pub fn living_count(&self) -> u32 {
        self.living.len() as u32
    }

    /// A living member with disability grade 1–2 or 重病.
    pub fn has_severe_living_member(&self) -> bool {
        self.living.iter().any(|&m| self.member(m).is_severe())
    }
}

/// Money for detail texts: two places, half-even.
pub fn yuan(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven)
    )
}

/// Appends [`yuan`]`(d)` to `out`, from the rounded amount's integer
/// mantissa rather than through the formatter: the CSV lists write millions
/// of amounts.
pub fn push_yuan(out: &mut String, d: Decimal) {
    let r = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
    let fen = match r.scale() {
        0 => r.mantissa().checked_mul(100),
        1 => r.mantissa().checked_mul(10),
        _ => Some(r.mantissa()),
    };
    // Zero (the formatter decides how a negative zero reads) and anything
    // out of range go the long way.
    let Some(fen) = fen.filter(|&f| f != 0) else {
        out.push_str(&yuan(d));
        return;
    };
    if fen < 0 {
        out.push('-');
    }
    let fen = fen.unsigned_abs();
    out.push_str(itoa::Buffer::new().format(fen / 100));
    out.push('.');
    let cents = (fen % 100) as u8;
    out.push(char::from(b'0' + cents / 10));
    out.push(char::from(b'0' + cents % 10));
}

/// For a rule over a sum of holdings: decides on `matched` rows alone first;
/// if the rule does not fire there but fires once `review` rows are added,
/// the hit is uncertain (it can only raise manual review). Returns the rows
/// behind the hit, whether it is certain, and the detail text.
pub(crate) fn facts_first<'r, R>(
    rows: &[&'r R],
    source: impl Fn(&R) -> &Source,
    fires: impl Fn(&[&'r R]) -> Option<(Vec<&'r R>, String)>,
) -> Option<(Vec<&'r R>, bool, String)> {
    let facts: Vec<&R> = rows
        .iter()
        .copied()
        .filter(|r| source(r).is_fact())
        .collect();
    if let Some((hit, detail)) = fires(&facts) {
        return Some((hit, true, detail));
    }
    if facts.len() == rows.len() {
        return None;
    }
    fires(rows).map(|(hit, detail)| (hit, false, detail))
}

/// Findings for each row behind an aggregate hit.
pub(crate) fn aggregate_findings<R>(
    rule: RuleId,
    action: Action,
    hit: Option<(Vec<&R>, bool, String)>,
    source: impl Fn(&R) -> &Source,
) -> Vec<Finding> {
    let Some((rows, certain, detail)) = hit else {
        return Vec::new();
    };
    rows.into_iter()
        .map(|r| {
            let mut finding = Finding::from_row(rule, action, source(r), detail.clone());
            finding.certain = certain && finding.certain;
            finding
        })
        .collect()
}

/// What the rules found about one household, with the figures `decide` and
/// the reports need.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub findings: Vec<Finding>,
    pub living: Vec<u32>,
    pub standard: Decimal,
    pub income: Income,
    /// Financial assets counted as facts (latest snapshot per account).
    pub financial_assets: Decimal,
    /// Rules not checked (dataset not supplied, or a needed column empty).
    pub not_checked: Vec<RuleId>,
    /// Near-relative pairs of checked members (rows of `near_relative_conflicts`).
    pub near_relatives: Vec<near_relative::NearRelativePair>,
    /// Set when the household is due for 复核 (a row of `review_due`).
    pub review_due: Option<review_due::ReviewDue>,
}

/// The near-relative inputs of one household: its pairs and filings, and
/// the `staff` rows they point into.
#[derive(Clone, Copy)]
pub struct Kin<'a> {
    pub household: &'a HouseholdKin,
    pub staff: &'a [StaffMember],
}

/// The household's standard: `tekun_standard` for 特困, else its area's.
pub fn standard_of(household: &Household, params: &Params) -> Decimal {
    match (household.program, household.area) {
        (Some(crate::schema::Program::Tekun), _) => params.tekun_standard,
        (_, Some(crate::schema::Area::Rural)) => params.rural_standard,
        _ => params.urban_standard,
    }
}

/// Runs every rule on one household.
pub fn assess(
    roster: &Roster,
    household: &Household,
    evidence: &HouseholdEvidence,
    kin: Kin,
    coverage: Coverage,
    params: &Params,
    month: RunMonth,
) -> Assessment {
    let living: Vec<u32> = household
        .members
        .iter()
        .copied()
        .filter(|&m| {
            !evidence
                .deaths
                .iter()
                .any(|d| d.source.member == m && death::is_dead(d, month))
        })
        .collect();
    let income = crate::income::compute(
        living.iter().map(|&m| {
            let payroll = evidence
                .payroll
                .iter()
                .filter(|p| p.source.member == m)
                .collect();
            (m, &roster.members[m as usize], payroll)
        }),
        params,
        month,
    );
    let standard = standard_of(household, params);
    let facts = Facts {
        month,
        params,
        roster,
        household,
        evidence,
        kin: kin.household,
        staff: kin.staff,
        living,
        standard,
        income,
    };
    let mut findings = Vec::new();
    let mut not_checked = Vec::new();
    for rule in RULES {
        let Some(check) = rule.check else { continue };
        if !coverage.is_checked(rule) {
            not_checked.push(rule.id);
        } else if rule.runs_without_living || !facts.living.is_empty() {
            findings.extend(check(&facts));
        }
    }
    data_quality::uncertain_where_unreadable(&facts, &mut findings);
    not_checked.sort();
    not_checked.dedup();
    let financial_assets = fin_assets::household_total(&facts);
    let near_relatives = if coverage.supplied.contains(&Dataset::Staff) {
        near_relative::pairs(&facts)
    } else {
        Vec::new()
    };
    Assessment {
        review_due: review_due::check(&facts),
        near_relatives,
        findings,
        financial_assets,
        not_checked,
        living: facts.living,
        standard,
        income: facts.income,
    }
}
