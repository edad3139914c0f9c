//! R-PAYROLL — a covered member is on the public payroll (财政供养人员).
//!
//! **What it checks**: a living covered member with `payroll` rows whose
//! `pay_month` falls in the `payroll_lookback_months` months ending with the
//! run month.
//! **Action**: `manual_review`. Public employment alone is not disqualifying
//! (民发〔2022〕83号); the pay already counts in the income test, which may
//! give `exit` or `phase_out` by itself.
//! **Parameters**: `payroll_lookback_months`.
//! **Source**: rules.md "Rules for recipients".

use super::{yuan, Facts, Finding, RuleId};
use crate::income::in_lookback;
use crate::verdict::Action;

pub fn check(f: &Facts) -> Vec<Finding> {
    f.evidence
        .payroll
        .iter()
        .filter(|p| f.is_living(p.source.member) && f.member(p.source.member).covered)
        .filter_map(|p| {
            let month = p
                .pay_month
                .filter(|&m| in_lookback(m, f.month, f.params.payroll_lookback_months))?;
            let name = f.member(p.source.member).name.clone().unwrap_or_default();
            let detail = format!(
                "{name}在{}领取财政供养工资，{}月应发{}元",
                p.employer.as_deref().unwrap_or("（单位不详）"),
                month.format("%Y-%m"),
                p.gross_monthly_pay.map_or("（不详）".to_string(), yuan)
            );
            Some(Finding::from_row(
                RuleId::Payroll,
                Action::ManualReview,
                &p.source,
                detail,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::RuleId;
    use crate::verdict::Action;
    use rust_decimal_macros::dec;

    #[test]
    fn a_covered_member_on_the_payroll_in_the_window_is_reviewed() {
        let mut w = World::household(2);
        w.payroll(0, "2024-08-01", dec!(100)); // window of 3 months: Aug–Oct
        assert_eq!(w.fired(), [(RuleId::Payroll, Action::ManualReview)]);
    }

    #[test]
    fn payroll_before_the_window_does_not_fire() {
        let mut w = World::household(2);
        w.payroll(0, "2024-07-01", dec!(100));
        assert_eq!(w.fired(), []);
    }

    #[test]
    fn a_non_covered_members_pay_counts_only_as_income() {
        let mut w = World::household(2);
        w.single_person_covering(0);
        w.payroll(1, "2024-10-01", dec!(100));
        assert_eq!(w.fired(), []);
        w.payroll(1, "2024-10-01", dec!(5000)); // now over the standard
        assert_eq!(w.fired(), [(RuleId::Income, Action::PhaseOut)]);
    }
}
