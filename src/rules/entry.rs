//! R-ENTRY and R-SINGLE-PERSON — a candidate's income test.
//!
//! **What it checks** (candidates: `marginal`, `applicant`):
//! - per-capita income within the standard → R-ENTRY (`entry`);
//! - otherwise within `marginal_multiplier` × standard with a living member of
//!   disability grade 1–2 or 重病 → R-SINGLE-PERSON (`single_person_entry`,
//!   naming that member; the lowest id number if several);
//! - otherwise R-INCOME (`reject`).
//!
//! Asset rules, payroll, active businesses and near-relative conflicts are
//! weighed against this by `decide`.
//! **Parameters**: the standards, `marginal_multiplier`.
//! **Source**: rules.md "Rules for candidates".

use super::{yuan, Facts, Finding, RuleId};
use crate::verdict::Action;

pub fn check(f: &Facts) -> Vec<Finding> {
    if f.household.program.is_none_or(|p| p.is_recipient()) {
        return Vec::new();
    }
    let per_capita = yuan(f.income.per_capita());
    let standard = yuan(f.standard);
    if !f.income.exceeds(f.standard) {
        return vec![Finding::household(
            RuleId::Entry,
            Action::Entry,
            format!("家庭人均收入{per_capita}元，不高于标准{standard}元"),
        )];
    }
    let marginal = f.standard * f.params.marginal_multiplier;
    let severe = f
        .living
        .iter()
        .copied()
        .filter(|&m| f.member(m).is_severe())
        .min_by(|&a, &b| f.member(a).id_number().cmp(f.member(b).id_number()));
    match severe {
        Some(m) if !f.income.exceeds(marginal) => {
            let detail = format!(
                "家庭人均收入{per_capita}元，高于标准{standard}元但不高于低保边缘标准{}元；{}重病或重度残疾，按单人户纳入",
                yuan(marginal),
                f.member(m).name.clone().unwrap_or_default()
            );
            vec![Finding {
                member: Some(m),
                ..Finding::household(RuleId::SinglePerson, Action::SinglePersonEntry, detail)
            }]
        }
        _ => vec![Finding::household(
            RuleId::Income,
            Action::Reject,
            format!("家庭人均收入{per_capita}元，高于标准{standard}元"),
        )],
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::RuleId;
    use crate::verdict::Action;
    use rust_decimal_macros::dec;

    const ENTRY: [(RuleId, Action); 1] = [(RuleId::Entry, Action::Entry)];
    const REJECT: [(RuleId, Action); 1] = [(RuleId::Income, Action::Reject)];

    #[test]
    fn a_candidate_within_the_standard_enters() {
        assert_eq!(World::candidate(2).fired(), ENTRY);
    }

    #[test]
    fn a_recipient_is_not_a_candidate() {
        assert_eq!(World::household(2).fired(), []);
    }

    #[test]
    fn a_severe_member_under_the_marginal_line_enters_alone() {
        let mut w = World::candidate(2); // standard 700 × 1.5 = 1050 per person
        w.members[0].declared.transfer = dec!(2100);
        w.members[1].disability_grade = Some(2);
        let findings = w.findings();
        assert_eq!(
            w.fired(),
            [(RuleId::SinglePerson, Action::SinglePersonEntry)]
        );
        assert_eq!(findings[0].member, Some(1), "the member covered");
        w.members[0].declared.transfer = dec!(2100.01);
        assert_eq!(w.fired(), REJECT);
    }

    #[test]
    fn exactly_at_the_standard_enters_and_one_fen_over_does_not() {
        let mut w = World::candidate(2);
        w.members[0].declared.transfer = dec!(1400);
        assert_eq!(w.fired(), ENTRY);
        w.members[0].declared.transfer = dec!(1400.01);
        assert_eq!(w.fired(), REJECT);
    }

    #[test]
    fn of_two_severe_members_the_lowest_id_number_is_covered() {
        let mut w = World::candidate(3);
        w.members[0].declared.transfer = dec!(2500);
        w.members[1].severe_illness = true;
        w.members[2].disability_grade = Some(1);
        let lowest = if w.members[1].id_number() < w.members[2].id_number() {
            1
        } else {
            2
        };
        let findings = w.findings();
        assert_eq!(
            w.fired(),
            [(RuleId::SinglePerson, Action::SinglePersonEntry)]
        );
        assert_eq!(findings[0].member, Some(lowest));
    }
}
