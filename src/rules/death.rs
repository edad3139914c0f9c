//! R-DEATH — a member has died but the household is still paid.
//!
//! **What it checks**: a `deaths` row linked to a member, dated on or before
//! the run month's last day.
//! **Action**: every covered member dead → `exit`; otherwise `member_change`
//! (the rest of the household is decided with the living).
//! **Source**: rules.md "Rules for recipients", "Who counts".
//! A death row without a date, or on a `review` link, only raises manual review;
//! a death dated after the run month is not yet a fact for this month.

use super::{Facts, Finding, RuleId};
use crate::calendar::RunMonth;
use crate::evidence::Death;
use crate::verdict::Action;

/// Whether a death row makes its member dead for this run ("Who counts").
pub fn is_dead(death: &Death, month: RunMonth) -> bool {
    death.source.is_fact() && death.date_of_death.is_some_and(|d| d <= month.last_day())
}

pub fn check(f: &Facts) -> Vec<Finding> {
    let members = &f.household.members;
    let covered: Vec<u32> = members
        .iter()
        .copied()
        .filter(|&m| f.member(m).covered)
        .collect();
    let covered = if covered.is_empty() {
        members.clone()
    } else {
        covered
    };
    let action = if covered.iter().all(|&m| !f.is_living(m)) {
        Action::Exit
    } else {
        Action::MemberChange
    };
    f.evidence
        .deaths
        .iter()
        .filter_map(|d| {
            let name = f.member(d.source.member).name.clone().unwrap_or_default();
            match d.date_of_death {
                Some(date) if date <= f.month.last_day() => Some(Finding::from_row(
                    RuleId::Death,
                    action,
                    &d.source,
                    format!("{name}于{date}死亡"),
                )),
                Some(_) => None,
                None => {
                    let mut finding = Finding::from_row(
                        RuleId::Death,
                        Action::ManualReview,
                        &d.source,
                        format!("{name}有死亡记录但无死亡日期"),
                    );
                    finding.certain = false;
                    Some(finding)
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::RuleId;
    use crate::verdict::Action;

    #[test]
    fn one_of_two_covered_members_dead_is_a_member_change() {
        let mut w = World::household(2);
        w.death(1, Some("2024-10-31"));
        assert_eq!(w.fired(), [(RuleId::Death, Action::MemberChange)]);
    }

    #[test]
    fn the_only_covered_member_dead_is_an_exit() {
        let mut w = World::household(2);
        w.single_person_covering(0);
        w.death(0, Some("2024-10-01"));
        assert_eq!(w.fired(), [(RuleId::Death, Action::Exit)]);
    }

    #[test]
    fn a_death_after_the_run_month_does_not_fire() {
        let mut w = World::household(2);
        w.death(1, Some("2024-11-01"));
        assert!(w.findings().is_empty());
    }

    #[test]
    fn a_death_on_a_review_link_is_uncertain() {
        let mut w = World::household(1);
        w.death(0, Some("2024-09-01"));
        w.make_links_review();
        assert!(w.only_uncertain(RuleId::Death));
    }
}
