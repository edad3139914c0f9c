//! R-INCOME — a recipient household's per-capita income exceeds its standard.
//!
//! **What it checks**: household income > standard × living members, exactly
//! (see `crate::income`).
//! **Action** (rules.md "R-INCOME's action"):
//! - an `active` household whose income on declared wages alone is within the
//!   standard: `phase_out` (the excess comes from newly verified earnings);
//! - any other `active` household: `exit`;
//! - a `phasing_out` household: `keep` while its 渐退期 runs (run month up to
//!   `phase_out_until`), `exit` after it.
//!
//! **Parameters**: the standards, `phase_out_months` (used by `decide`).
//! Candidates' income is read by R-ENTRY / R-SINGLE-PERSON (`entry.rs`).

use super::{yuan, Facts, Finding, RuleId};
use crate::calendar::RunMonth;
use crate::schema::HouseholdStatus;
use crate::verdict::Action;

pub fn check(f: &Facts) -> Vec<Finding> {
    if !f.household.program.is_some_and(|p| p.is_recipient()) || !f.income.exceeds(f.standard) {
        return Vec::new();
    }
    let mut detail = format!(
        "家庭人均收入{}元，高于标准{}元",
        yuan(f.income.per_capita()),
        yuan(f.standard)
    );
    let action = match (f.household.status, f.household.phase_out_until) {
        (Some(HouseholdStatus::PhasingOut), Some(until)) if RunMonth::of(until) >= f.month => {
            detail += &format!("；渐退期至{}", RunMonth::of(until));
            Action::Keep
        }
        (Some(HouseholdStatus::PhasingOut), Some(until)) => {
            detail += &format!("；渐退期已于{}结束", RunMonth::of(until));
            Action::Exit
        }
        (Some(HouseholdStatus::PhasingOut), None) => {
            let mut finding = Finding::household(
                RuleId::Income,
                Action::ManualReview,
                detail + "；渐退期截止月份缺失",
            );
            finding.certain = false;
            return vec![finding];
        }
        _ if !f.income.declared_only_exceeds(f.standard) => {
            detail += "；按申报工资计算未超标准，超出部分来自新核实的工资收入";
            Action::PhaseOut
        }
        _ => Action::Exit,
    };
    vec![Finding::household(RuleId::Income, action, detail)]
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::schema::{HouseholdStatus, Program};
    use crate::rules::RuleId;
    use crate::verdict::Action;
    use rust_decimal_macros::dec;

    // Urban standard 700; 2 members → the household may have 1400.00.

    #[test]
    fn at_the_standard_does_not_fire_and_one_fen_over_is_an_exit() {
        let mut w = World::household(2);
        w.members[0].declared.transfer = dec!(1400.00);
        assert_eq!(w.fired(), []);
        w.members[1].declared.transfer = dec!(0.01);
        assert_eq!(w.fired(), [(RuleId::Income, Action::Exit)]);
    }

    #[test]
    fn newly_verified_wages_give_a_phase_out() {
        let mut w = World::household(2);
        w.payroll(0, "2024-10-01", dec!(2500)); // 2500 − 0.25 × 2000 = 2000 > 1400
        let fired = w.fired();
        assert!(
            fired.contains(&(RuleId::Income, Action::PhaseOut)),
            "{fired:?}"
        );
    }

    #[test]
    fn a_phasing_out_household_is_kept_during_its_period_and_exits_after() {
        let mut w = World::household(2);
        w.members[0].declared.transfer = dec!(3000);
        w.household.status = Some(HouseholdStatus::PhasingOut);
        w.household.phase_out_until = Some(ym("2024-10").first_day());
        assert_eq!(w.fired(), [(RuleId::Income, Action::Keep)]);
        w.household.phase_out_until = Some(ym("2024-09").last_day());
        assert_eq!(w.fired(), [(RuleId::Income, Action::Exit)]);
        w.members[0].declared.transfer = dec!(100);
        assert_eq!(w.fired(), []);
    }

    #[test]
    fn tekun_is_judged_against_the_tekun_standard() {
        let mut w = World::household(1);
        w.household.program = Some(Program::Tekun); // tekun standard 910
        w.members[0].declared.transfer = dec!(900);
        assert_eq!(w.fired(), []);
        w.members[0].declared.transfer = dec!(910.01);
        assert_eq!(w.fired(), [(RuleId::Income, Action::Exit)]);
    }
}
