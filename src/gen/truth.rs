//! What the engine must decide for each generated household, and the truth
//! files (`truth/decisions.csv`, `truth/links.csv`, `truth/meta.json`).
//!
//! Truth comes from construction: each planting function says which rules it
//! made fire and what each one gives. The only arithmetic here is the
//! generator's own reading of the rules.md income formula, used to build
//! amounts that hit a target exactly and to check that a construction says
//! what it claims (`check_income`). Nothing here calls the engine.

use super::roster::{Household, Member};
use super::GenError;
use crate::calendar::RunMonth;
use crate::policy::Params;
use crate::schema::{HouseholdStatus, Program};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// A recipient's actions, weakest first (so `max` is the strongest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Action {
    Keep,
    ManualReview,
    MemberChange,
    PhaseOut,
    Exit,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::ManualReview => "manual_review",
            Action::MemberChange => "member_change",
            Action::PhaseOut => "phase_out",
            Action::Exit => "exit",
        }
    }
}

/// Rules a recipient's case can fire, in the fixed tie order of `reasons`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Rule {
    Death,
    Vehicle,
    PropertyCount,
    PropertyCommercial,
    BusinessCapital,
    FinAssets,
    Income,
    Payroll,
    BusinessActive,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::Death => "R-DEATH",
            Rule::Vehicle => "R-VEHICLE",
            Rule::PropertyCount => "R-PROPERTY-COUNT",
            Rule::PropertyCommercial => "R-PROPERTY-COMMERCIAL",
            Rule::BusinessCapital => "R-BUSINESS-CAPITAL",
            Rule::FinAssets => "R-FIN-ASSETS",
            Rule::Income => "R-INCOME",
            Rule::Payroll => "R-PAYROLL",
            Rule::BusinessActive => "R-BUSINESS-ACTIVE",
        }
    }
}

/// The expected outcome of one household.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    /// Snake-case name of what was planted (`clean` for background).
    pub case: &'static str,
    /// Every rule that fires, with the action it gives in this household.
    pub fired: Vec<(Rule, Action)>,
    /// First day of the last 渐退 month, for `phase_out`.
    pub phase_out_until: Option<NaiveDate>,
}

impl Expected {
    pub fn new(case: &'static str) -> Expected {
        Expected {
            case,
            fired: Vec::new(),
            phase_out_until: None,
        }
    }

    /// The household's action: the strongest of the fired rules', else keep.
    pub fn action(&self) -> Action {
        self.fired
            .iter()
            .map(|&(_, a)| a)
            .max()
            .unwrap_or(Action::Keep)
    }

    /// Fired rules, strongest first: by the action each gives, ties in the
    /// fixed rule order.
    pub fn reasons(&self) -> Vec<Rule> {
        let mut fired = self.fired.clone();
        fired.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        fired.dedup_by_key(|f| f.0);
        fired.into_iter().map(|(r, _)| r).collect()
    }

    pub fn fires(&self, rule: Rule) -> Option<Action> {
        self.fired.iter().find(|f| f.0 == rule).map(|f| f.1)
    }
}

/// The household's standard: `tekun_standard` for 特困, else its area's.
pub(crate) fn standard(p: &Params, program: Program, area: crate::schema::Area) -> Decimal {
    match (program, area) {
        (Program::Tekun, _) => p.tekun_standard,
        (_, crate::schema::Area::Urban) => p.urban_standard,
        (_, crate::schema::Area::Rural) => p.rural_standard,
    }
}

/// The employment deduction rate for a member (the disabled rate when the
/// member has a disability grade).
pub(crate) fn deduction_rate(p: &Params, m: &Member) -> Decimal {
    if m.disability_grade.is_some() {
        p.disabled_employment_deduction_rate
    } else {
        p.employment_deduction_rate
    }
}

/// A living member's monthly income per rules.md "Income", before rigid
/// expenses. `use_verified = false` ignores verified wages (the R-INCOME
/// phase-out test).
pub(crate) fn member_income(p: &Params, m: &Member, use_verified: bool) -> Decimal {
    let d = &m.declared;
    let verified = if use_verified { m.verified_wage } else { None };
    let wage = verified.map_or(d.wage, |v| v.max(d.wage));
    let deduction = (deduction_rate(p, m) * p.minimum_wage).min(wage);
    let mut income = wage - deduction + d.business + d.property + d.transfer;
    if !p.exclude_basic_pension {
        income += d.pension;
    }
    income
}

/// Household monthly income: living members' incomes minus their rigid
/// expenses (where the policy deducts them), floored at zero.
pub(crate) fn household_income(p: &Params, h: &Household, use_verified: bool) -> Decimal {
    let living = h.members.iter().filter(|m| !m.dead);
    let mut total = Decimal::ZERO;
    for m in living {
        total += member_income(p, m, use_verified);
        if p.rigid_expense_deduction {
            total -= m.declared.medical + m.declared.education;
        }
    }
    total.max(Decimal::ZERO)
}

/// Whether per-capita income exceeds the standard (`income > standard × n`).
pub(crate) fn income_over(h: &Household, use_verified: bool) -> bool {
    let n = h.living();
    n > 0 && household_income(&h.params, h, use_verified) > h.standard() * Decimal::from(n)
}

/// Checks that a planted household's income says what its case claims about
/// R-INCOME (a construction error is a bug in the generator, not bad input).
pub(crate) fn check_income(h: &Household, month: RunMonth) -> Result<(), GenError> {
    let over = income_over(h, true);
    let claimed = h.expected.fires(Rule::Income);
    let derived = if !over {
        None
    } else {
        match h.status {
            HouseholdStatus::PhasingOut => {
                let running = h.phase_out_until.is_some_and(|u| RunMonth::of(u) >= month);
                Some(if running { Action::Keep } else { Action::Exit })
            }
            _ if !income_over(h, false) => Some(Action::PhaseOut),
            _ => Some(Action::Exit),
        }
    };
    if claimed != derived {
        return Err(GenError::SelfCheck {
            case: h.expected.case,
            detail: format!(
                "R-INCOME claimed {claimed:?}, construction gives {derived:?} (income {}, standard {} × {})",
                household_income(&h.params, h, true),
                h.standard(),
                h.living()
            ),
        });
    }
    Ok(())
}

/// `truth/decisions.csv`: one row per household, sorted by household_id.
pub(crate) fn decisions_csv(households: &[(String, &Expected)]) -> String {
    let mut rows: Vec<&(String, &Expected)> = households.iter().collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::from("household_id,action,reasons,phase_out_until,case\n");
    for (id, e) in rows {
        let action = e.action();
        let reasons: Vec<&str> = e.reasons().iter().map(|r| r.code()).collect();
        let until = match (action, e.phase_out_until) {
            (Action::PhaseOut, Some(d)) => d.format("%Y-%m-%d").to_string(),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{id},{},{},{until},{}",
            action.code(),
            reasons.join(";"),
            e.case
        );
    }
    out
}

/// `truth/links.csv` from (dataset, row_index, id) triples.
pub(crate) fn links_csv(mut links: Vec<(&'static str, usize, String)>) -> String {
    links.sort();
    let mut out = String::from("dataset,row_index,id_number\n");
    for (dataset, row, id) in links {
        let _ = writeln!(out, "{dataset},{row},{id}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_sort_by_action_then_fixed_order() {
        let mut e = Expected::new("x");
        e.fired = vec![
            (Rule::Payroll, Action::ManualReview),
            (Rule::Death, Action::MemberChange),
            (Rule::Vehicle, Action::Exit),
            (Rule::BusinessActive, Action::ManualReview),
        ];
        assert_eq!(e.action(), Action::Exit);
        assert_eq!(
            e.reasons(),
            vec![
                Rule::Vehicle,
                Rule::Death,
                Rule::Payroll,
                Rule::BusinessActive
            ]
        );
        let mut k = Expected::new("y");
        k.fired = vec![(Rule::Income, Action::Keep)];
        assert_eq!(k.action(), Action::Keep);
        assert_eq!(k.reasons(), vec![Rule::Income]);
    }
}
