//! Decide: a household's findings → one [`Decision`]. The only place where
//! actions are compared (rules.md "Precedence and confidence", "Rules for
//! candidates").
//!
//! Recipients: `exit` > `phase_out` > `member_change` > `manual_review` >
//! `keep`; a finding that is not certain (a `review` link, an unreadable
//! value) gives at most `manual_review`. Candidates: an asset rule →
//! `reject`; else the income test (R-ENTRY, R-SINGLE-PERSON or R-INCOME →
//! `reject`); payroll, an active business, a near-relative conflict, an
//! uncertain asset hit or an unchecked asset rule turn an entry into
//! `manual_review`.

use crate::calendar::RunMonth;
use crate::income::Income;
use crate::normalise::{Household, Roster};
use crate::policy::Params;
use crate::rules::RuleId;
use crate::rules::{Assessment, Finding, ForCandidate};
use crate::verdict::Action;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Strength among recipients' actions (candidates' actions rank as keep).
fn strength(action: Action) -> u8 {
    match action {
        Action::Exit => 4,
        Action::PhaseOut => 3,
        Action::MemberChange => 2,
        Action::ManualReview => 1,
        _ => 0,
    }
}

/// One household's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub action: Action,
    /// Every rule behind the decision, strongest first.
    pub reasons: Vec<RuleId>,
    /// Last month of the 渐退期 (its first day), for `phase_out`.
    pub phase_out_until: Option<NaiveDate>,
    /// The member 单人保 would cover, for `single_person_entry`.
    pub covered_id_number: Option<String>,
    /// The lowest match score among the findings that give the action; 1.0
    /// when none rests on a link.
    pub confidence: f64,
}

/// The action a finding can give: an uncertain one at most `manual_review`.
fn effective(f: &Finding) -> Action {
    if f.certain || strength(f.action) <= strength(Action::ManualReview) {
        f.action
    } else {
        Action::ManualReview
    }
}

/// Rules ordered strongest first: by the strongest action each gives, then
/// by the fixed rule order.
fn ordered_reasons<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Vec<RuleId> {
    let mut best: Vec<(RuleId, u8)> = Vec::new();
    for f in findings {
        let s = strength(effective(f));
        match best.iter_mut().find(|(r, _)| *r == f.rule) {
            Some((_, b)) => *b = (*b).max(s),
            None => best.push((f.rule, s)),
        }
    }
    best.sort_by_key(|&(r, s)| (std::cmp::Reverse(s), r));
    best.into_iter().map(|(r, _)| r).collect()
}

fn confidence<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> f64 {
    findings
        .into_iter()
        .filter_map(|f| f.source.map(|s| s.score))
        .fold(1.0, f64::min)
}

/// A household whose region code is unusable: no policy applies, so no rule
/// runs and only manual review is possible (R-DATA-QUALITY).
pub fn without_policy(household: &Household) -> (Assessment, Decision) {
    let assessment = Assessment {
        findings: vec![crate::rules::data_quality::finding(household)],
        living: household.members.clone(),
        standard: Decimal::ZERO,
        income: Income {
            living_members: 0,
            members: Vec::new(),
            rigid_expenses: Decimal::ZERO,
            household_income: Decimal::ZERO,
            declared_only_income: Decimal::ZERO,
        },
        financial_assets: Decimal::ZERO,
        not_checked: Vec::new(),
        near_relatives: Vec::new(),
        review_due: None,
    };
    let decision = Decision {
        action: Action::ManualReview,
        reasons: vec![RuleId::DataQuality],
        phase_out_until: None,
        covered_id_number: None,
        confidence: 1.0,
    };
    (assessment, decision)
}

pub fn decide(
    roster: &Roster,
    household: &Household,
    a: &Assessment,
    params: &Params,
    month: RunMonth,
) -> Decision {
    if household.program.is_none_or(|p| p.is_recipient()) {
        decide_recipient(a, params, month)
    } else {
        decide_candidate(roster, a)
    }
}

fn decide_recipient(a: &Assessment, params: &Params, month: RunMonth) -> Decision {
    let action = a
        .findings
        .iter()
        .map(effective)
        .max_by_key(|&x| strength(x))
        .unwrap_or(Action::Keep);
    let phase_out_until = (action == Action::PhaseOut)
        .then(|| month.plus(params.phase_out_months as i32 - 1).first_day());
    Decision {
        action,
        reasons: ordered_reasons(&a.findings),
        phase_out_until,
        covered_id_number: None,
        confidence: confidence(a.findings.iter().filter(|f| effective(f) == action)),
    }
}

fn decide_candidate(roster: &Roster, a: &Assessment) -> Decision {
    let simple = |action, findings: Vec<&Finding>| Decision {
        action,
        reasons: ordered_reasons(findings.iter().copied()),
        phase_out_until: None,
        covered_id_number: None,
        confidence: confidence(findings),
    };
    let counts_as = |f: &Finding| f.rule.rule().for_candidate;
    if a.living.is_empty() {
        let deaths: Vec<&Finding> = a
            .findings
            .iter()
            .filter(|f| counts_as(f) == ForCandidate::Vital)
            .collect();
        return if deaths.is_empty() {
            simple(Action::ManualReview, a.findings.iter().collect())
        } else {
            simple(Action::Reject, deaths)
        };
    }
    let assets: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| counts_as(f) == ForCandidate::Asset && f.certain)
        .collect();
    if !assets.is_empty() {
        return simple(Action::Reject, assets);
    }
    let Some(income) = a
        .findings
        .iter()
        .find(|f| counts_as(f) == ForCandidate::IncomeTest)
    else {
        // No income reading: the roster entry was unusable (R-DATA-QUALITY).
        return simple(Action::ManualReview, a.findings.iter().collect());
    };
    if income.action == Action::Reject {
        return simple(Action::Reject, vec![income]);
    }
    let blockers: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| match counts_as(f) {
            ForCandidate::BlocksEntry => true,
            ForCandidate::Asset | ForCandidate::Vital => !f.certain,
            ForCandidate::IncomeTest => false,
        })
        .collect();
    let unchecked_assets = a.not_checked.iter().any(|r| r.rule().is_asset_rule());
    if !blockers.is_empty() || unchecked_assets {
        let mut d = simple(Action::ManualReview, blockers);
        d.reasons.push(income.rule);
        return d;
    }
    let covered_id_number = income
        .member
        .map(|m| roster.members[m as usize].id_number().to_string());
    Decision {
        covered_id_number,
        ..simple(income.action, vec![income])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    /// The decision on a test world: its findings weighed by [`decide`].
    trait Decided {
        fn decide(&self) -> Decision;
    }

    impl Decided for World {
        fn decide(&self) -> Decision {
            decide(
                &self.roster(),
                &self.household,
                &self.assess(),
                &self.params,
                self.month,
            )
        }
    }

    #[test]
    fn exit_outranks_member_change_and_reasons_are_strongest_first() {
        let mut w = World::household(2);
        w.death(1, Some("2024-10-02"));
        w.vehicle(
            0,
            crate::schema::VehicleType::Car,
            crate::schema::VehicleStatus::Normal,
            None,
        );
        w.payroll(0, "2024-10-01", dec!(10));
        let d = w.decide();
        assert_eq!(d.action, Action::Exit);
        assert_eq!(
            d.reasons,
            vec![RuleId::Vehicle, RuleId::Death, RuleId::Payroll]
        );
    }

    #[test]
    fn an_exit_resting_on_a_review_link_is_only_manual_review() {
        let mut w = World::household(2);
        w.vehicle(
            0,
            crate::schema::VehicleType::Car,
            crate::schema::VehicleStatus::Normal,
            None,
        );
        w.make_links_review();
        let d = w.decide();
        assert_eq!(d.action, Action::ManualReview);
        assert!(d.confidence < 1.0);
    }

    #[test]
    fn a_phase_out_ends_phase_out_months_after_the_run_month_and_income_leads_the_reasons() {
        let mut w = World::household(2);
        w.payroll(0, "2024-10-01", dec!(2500)); // verified wage over the standard
        let d = w.decide();
        assert_eq!(d.action, Action::PhaseOut);
        assert_eq!(d.reasons, vec![RuleId::Income, RuleId::Payroll]);
        // 6 months from 2024-10: the last month is 2025-03.
        assert_eq!(
            d.phase_out_until.map(crate::calendar::RunMonth::of),
            Some(ym("2025-03"))
        );
    }

    #[test]
    fn a_candidate_enters_on_its_income_test_and_single_person_entry_names_the_member() {
        let w = World::candidate(2);
        let d = w.decide();
        assert_eq!((d.action, d.reasons), (Action::Entry, vec![RuleId::Entry]));
        let mut w = World::candidate(2);
        w.members[0].declared.transfer = dec!(2100);
        w.members[1].disability_grade = Some(2);
        let d = w.decide();
        assert_eq!(d.action, Action::SinglePersonEntry);
        assert_eq!(
            d.covered_id_number.as_deref(),
            Some(w.members[1].id_number())
        );
    }

    #[test]
    fn an_asset_rule_rejects_a_candidate_and_an_active_business_turns_entry_into_review() {
        use crate::schema::{BusinessRole, BusinessStatus, EntityType, VehicleStatus, VehicleType};
        let mut w = World::candidate(2);
        w.vehicle(0, VehicleType::Car, VehicleStatus::Normal, None);
        let d = w.decide();
        assert_eq!(
            (d.action, d.reasons),
            (Action::Reject, vec![RuleId::Vehicle])
        );
        let mut w = World::candidate(2);
        let (t, role) = (EntityType::Individual, BusinessRole::Operator);
        w.business(0, t, role, BusinessStatus::Active, None);
        let d = w.decide();
        let reasons = vec![RuleId::BusinessActive, RuleId::Entry];
        assert_eq!((d.action, d.reasons), (Action::ManualReview, reasons));
    }

    #[test]
    fn a_near_relative_conflict_turns_a_candidates_entry_into_review() {
        let mut w = World::candidate(1);
        let s = w.staff(crate::schema::StaffRole::VillageCadre, "512022101001");
        w.kinship_of_staff(s, 0, crate::schema::Relation::Child);
        let d = w.decide();
        let reasons = vec![RuleId::NearRelative, RuleId::Entry];
        assert_eq!((d.action, d.reasons), (Action::ManualReview, reasons));
    }

    #[test]
    fn unchecked_asset_rules_never_give_entry() {
        let mut w = World::candidate(2);
        w.supplied.remove(&crate::schema::Dataset::Vehicles);
        let d = w.decide();
        assert_eq!(
            (d.action, d.reasons),
            (Action::ManualReview, vec![RuleId::Entry])
        );
    }

    #[test]
    fn a_candidate_whose_members_all_died_is_rejected() {
        let mut w = World::candidate(1);
        w.death(0, Some("2024-09-01"));
        let d = w.decide();
        assert_eq!((d.action, d.reasons), (Action::Reject, vec![RuleId::Death]));
    }

    #[test]
    fn uncertain_findings_give_at_most_manual_review() {
        let mut w = World::household(1);
        w.death(0, Some("2024-09-01"));
        w.make_links_review();
        assert_eq!(w.decide().action, Action::ManualReview);
    }

    proptest! {
        #[test]
        fn the_decision_ignores_finding_order(seed in 0u64..1000) {
            let mut w = World::household(3);
            w.death(2, Some("2024-10-02"));
            w.vehicle(0, crate::schema::VehicleType::Car, crate::schema::VehicleStatus::Normal, None);
            w.payroll(1, "2024-10-01", dec!(3000));
            w.business(0, crate::schema::EntityType::Individual, crate::schema::BusinessRole::Operator, crate::schema::BusinessStatus::Active, None);
            let mut a = w.assess();
            let before = decide(&w.roster(), &w.household_with_members(), &a, &w.params, w.month);
            // A deterministic shuffle from the seed.
            let n = a.findings.len();
            for i in 0..n {
                let j = (seed as usize * 31 + i * 17) % n;
                a.findings.swap(i, j);
            }
            let after = decide(&w.roster(), &w.household_with_members(), &a, &w.params, w.month);
            prop_assert_eq!(before, after);
        }
    }
}
