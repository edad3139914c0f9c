//! What the engine must decide for each generated household, and the truth
//! files (`truth/decisions.csv`, `truth/links.csv`, `truth/meta.json`).
//!
//! Truth comes from construction: each planting function says which rules it
//! made fire and what each one gives. The only arithmetic here is the
//! generator's own reading of the rules.md income formula, used to build
//! amounts that hit a target exactly and to check that a construction says
//! what it claims (`check_income`). Nothing here calls the engine.

use super::people::People;
use super::roster::{Household, Member};
use super::GenError;
use crate::calendar::RunMonth;
use crate::policy::Params;
use crate::schema::{HouseholdStatus, Program};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// Actions (a recipient's ordered weakest first, so `max` is the strongest;
/// candidates' actions come from [`Candidate`], never from `max`) and rule
/// ids (in the fixed tie order of `reasons`): the engine's names and codes,
/// read from `verdict` and the rule table, never its rule code.
pub(crate) use crate::rules::RuleId as Rule;
pub(crate) use crate::verdict::Action;

/// The expected outcome of one household.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    /// Snake-case name of what was planted (`clean` for background).
    pub case: &'static str,
    /// Every rule that fires, with the action it gives in this household.
    pub fired: Vec<(Rule, Action)>,
    /// First day of the last 渐退 month, for `phase_out`.
    pub phase_out_until: Option<NaiveDate>,
    /// A candidate's decision, stated by its planting function.
    pub candidate: Option<Candidate>,
    /// The household's near-relative pairs, by construction.
    pub near_relatives: Vec<PairTruth>,
}

/// A candidate household's expected decision.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub action: Action,
    /// Strongest first, as `decisions.reasons`.
    pub reasons: Vec<Rule>,
    /// Index (in the household) of the member 单人保 would cover.
    pub covered: Option<usize>,
}

/// One expected row of `near_relative_conflicts`.
#[derive(Debug, Clone)]
pub(crate) struct PairTruth {
    /// Index of the member in the household.
    pub member: usize,
    /// Index of the staff member (`Registers::staff`).
    pub staff: usize,
    /// The member's relation to the staff member.
    pub relation: crate::schema::Relation,
    pub conflict: Option<&'static str>,
}

impl Expected {
    pub fn new(case: &'static str) -> Expected {
        Expected {
            case,
            fired: Vec::new(),
            phase_out_until: None,
            candidate: None,
            near_relatives: Vec::new(),
        }
    }

    /// The household's action: a candidate's as stated, else the strongest
    /// of the fired rules', else keep.
    pub fn action(&self) -> Action {
        if let Some(c) = &self.candidate {
            return c.action;
        }
        self.fired
            .iter()
            .map(|&(_, a)| a)
            .max()
            .unwrap_or(Action::Keep)
    }

    /// Fired rules, strongest first: by the action each gives, ties in the
    /// fixed rule order.
    pub fn reasons(&self) -> Vec<Rule> {
        if let Some(c) = &self.candidate {
            return c.reasons.clone();
        }
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

/// A candidate's income test as rules.md "Rules for candidates" reads it:
/// R-ENTRY within the standard; R-SINGLE-PERSON within `marginal_multiplier`
/// × standard with a severe living member (the lowest id); else R-INCOME.
pub(crate) fn candidate_income(h: &Household, people: &People) -> (Rule, Option<usize>) {
    if !income_over(h, true) {
        return (Rule::Entry, None);
    }
    let n = Decimal::from(h.living());
    let marginal = h.standard() * h.params.marginal_multiplier * n;
    let severe = (0..h.members.len())
        .filter(|&i| {
            let m = &h.members[i];
            !m.dead && (m.severe_illness || matches!(m.disability_grade, Some(1 | 2)))
        })
        .min_by(|&a, &b| {
            people
                .get(h.members[a].person)
                .id
                .cmp(&people.get(h.members[b].person).id)
        });
    match severe {
        Some(i) if household_income(&h.params, h, true) <= marginal => {
            (Rule::SinglePerson, Some(i))
        }
        _ => (Rule::Income, None),
    }
}

/// Checks that a planted household's income says what its case claims about
/// R-INCOME (a construction error is a bug in the generator, not bad input).
pub(crate) fn check_income(
    h: &Household,
    month: RunMonth,
    people: &People,
) -> Result<(), GenError> {
    if let Some(c) = &h.expected.candidate {
        let claimed = c
            .reasons
            .iter()
            .find(|r| matches!(r, Rule::Entry | Rule::SinglePerson | Rule::Income));
        let derived = candidate_income(h, people);
        if claimed.is_some_and(|&r| (r, c.covered) != derived) {
            return Err(GenError::SelfCheck {
                case: h.expected.case,
                detail: format!(
                    "candidate claimed {claimed:?} covering {:?}, construction gives {derived:?}",
                    c.covered
                ),
            });
        }
        return Ok(());
    }
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

/// rules.md "Re-verification" as the generator reads it: (due date,
/// cadence) for a recipient household due in the run month.
pub(crate) fn review_due(
    h: &Household,
    people: &People,
    month: RunMonth,
) -> Option<(NaiveDate, &'static str)> {
    let recipient = h.program.is_recipient()
        && matches!(
            h.status,
            HouseholdStatus::Active | HouseholdStatus::PhasingOut
        );
    if !recipient || h.living() == 0 {
        return None;
    }
    let last_day = month.last_day();
    let annual_member = |m: &Member| {
        let age = super::people::age_on(people.get(m.person).birth, last_day);
        !(16..60).contains(&age)
            || matches!(m.disability_grade, Some(1 | 2))
            || m.labor_capacity == crate::schema::LaborCapacity::None
    };
    let annual =
        h.program == Program::Tekun || h.members.iter().filter(|m| !m.dead).all(annual_member);
    let (months, cadence) = if annual {
        (h.params.review_months_annual, "annual")
    } else {
        (h.params.review_months_semiannual, "semiannual")
    };
    let due = match h.last_review_date.or(h.benefit_start) {
        // chrono clamps the day to the target month's end.
        Some(d) => d
            .checked_add_months(chrono::Months::new(months))
            .expect("date in range"),
        None => last_day,
    };
    (due <= last_day).then_some((due, cadence))
}

/// `truth/review_due.csv`: (household_id, due_date, cadence), sorted.
pub(crate) fn review_due_csv(mut rows: Vec<(String, NaiveDate, &'static str)>) -> String {
    rows.sort();
    let mut out = String::from("household_id,due_date,cadence\n");
    for (id, due, cadence) in rows {
        let _ = writeln!(out, "{id},{},{cadence}", due.format("%Y-%m-%d"));
    }
    out
}

/// `truth/near_relative_conflicts.csv`: (household_id, id_number,
/// staff_id_number, relation, conflict), sorted.
pub(crate) fn near_relatives_csv(mut rows: Vec<[String; 5]>) -> String {
    rows.sort();
    let mut out = String::from("household_id,id_number,staff_id_number,relation,conflict\n");
    for r in rows {
        let _ = writeln!(out, "{}", r.join(","));
    }
    out
}

/// `truth/decisions.csv`: one row per household, sorted by household_id,
/// from (household_id, expected, covered_id_number).
pub(crate) fn decisions_csv(households: &[(String, &Expected, Option<String>)]) -> String {
    let mut rows: Vec<&(String, &Expected, Option<String>)> = households.iter().collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out =
        String::from("household_id,action,reasons,phase_out_until,covered_id_number,case\n");
    for (id, e, covered) in rows {
        let action = e.action();
        let reasons: Vec<&str> = e.reasons().iter().map(|r| r.code()).collect();
        let until = match (action, e.phase_out_until) {
            (Action::PhaseOut, Some(d)) => d.format("%Y-%m-%d").to_string(),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{id},{},{},{until},{},{}",
            action.code(),
            reasons.join(";"),
            covered.as_deref().unwrap_or(""),
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
