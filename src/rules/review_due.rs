//! R-REVIEW-DUE — a recipient household is due for re-verification (复核).
//!
//! **What it checks**: recipient households (`active` or `phasing_out`)
//! with at least one living member, whatever this run's action. Cadence
//! `annual` for 特困, or when every living member is aged 60 or more, under
//! 16, of disability grade 1–2, or has labor capacity `none` (ages at the
//! run month's last day); `semiannual` otherwise. The due date is
//! `last_review_date` (else `benefit_start`) plus the cadence in months,
//! the day clamped to the month's end; with neither date the household is
//! due at the run month's last day. Listed when the due date is on or
//! before the run month's last day.
//! **Action**: none: the household is listed in `review_due`; it is not a
//! reason in `decisions` (a due review is routine, not a finding).
//! **Parameters**: `review_months_annual`, `review_months_semiannual`.
//! **Source**: rules.md "Re-verification"; 民发〔2021〕57号 定期核查.
//!
//! A living member whose birth date cannot be read (no usable id) is not
//! taken to be under 16 or over 60: the household then keeps the more
//! frequent cadence unless another reason covers that member.

use super::Facts;
use crate::calendar::add_months_clamped;
use crate::normalise::Member;
use crate::schema::{code_enum, HouseholdStatus, LaborCapacity, Program};
use chrono::{Datelike, NaiveDate};

code_enum!(
    /// How often a household is reviewed.
    Cadence { Annual = "annual" / "每年", Semiannual = "semiannual" / "每半年" }
);

code_enum!(
    /// Why a cadence applies, in a fixed order.
    CadenceReason {
        Tekun = "tekun" / "特困供养",
        Aged60Plus = "aged_60_plus" / "年满60周岁",
        Under16 = "under_16" / "未满16周岁",
        Disability12 = "disability_1_2" / "一二级残疾",
        NoLaborCapacity = "no_labor_capacity" / "完全丧失劳动能力",
        // A living member outside every annual category (working age, able).
        AbleMember = "able_member" / "有劳动能力的成员",
    }
);

/// A household due for 复核.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewDue {
    pub due_date: NaiveDate,
    pub cadence: Cadence,
    pub reasons: Vec<CadenceReason>,
}

/// Completed years of age on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// The annual categories a member falls in (empty: an able member).
fn categories(m: &Member, on: NaiveDate) -> Vec<CadenceReason> {
    let mut out = Vec::new();
    if let Some(age) = m.id.birth_date().map(|b| age_on(b, on)) {
        if age >= 60 {
            out.push(CadenceReason::Aged60Plus);
        }
        if age < 16 {
            out.push(CadenceReason::Under16);
        }
    }
    if matches!(m.disability_grade, Some(1 | 2)) {
        out.push(CadenceReason::Disability12);
    }
    if m.labor_capacity == Some(LaborCapacity::None) {
        out.push(CadenceReason::NoLaborCapacity);
    }
    out
}

pub fn check(f: &Facts) -> Option<ReviewDue> {
    let recipient = f.household.program.is_some_and(|p| p.is_recipient())
        && matches!(
            f.household.status,
            Some(HouseholdStatus::Active | HouseholdStatus::PhasingOut)
        );
    if !recipient || f.living.is_empty() {
        return None;
    }
    let last_day = f.month.last_day();
    let per_member: Vec<Vec<CadenceReason>> = f
        .living
        .iter()
        .map(|&m| categories(f.member(m), last_day))
        .collect();
    let all_annual = per_member.iter().all(|c| !c.is_empty());
    let tekun = f.household.program == Some(Program::Tekun);
    let (cadence, mut reasons) = if tekun || all_annual {
        let mut reasons: Vec<CadenceReason> =
            tekun.then_some(CadenceReason::Tekun).into_iter().collect();
        if all_annual {
            reasons.extend(per_member.into_iter().flatten());
        }
        (Cadence::Annual, reasons)
    } else {
        (Cadence::Semiannual, vec![CadenceReason::AbleMember])
    };
    reasons.sort();
    reasons.dedup();
    let months = match cadence {
        Cadence::Annual => f.params.review_months_annual,
        Cadence::Semiannual => f.params.review_months_semiannual,
    };
    let due_date = f
        .household
        .last_review_date
        .or(f.household.benefit_start)
        .map_or(last_day, |d| add_months_clamped(d, months as i32));
    (due_date <= last_day).then_some(ReviewDue {
        due_date,
        cadence,
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;
    use crate::schema::Program;
    use crate::text::{check_digit, normalize_id};

    /// A valid id for a person born on `birth` (YYYYMMDD).
    fn id_born(birth: &str) -> crate::text::NormalizedId {
        let first17 = format!("512022{birth}123");
        normalize_id(Some(&format!(
            "{first17}{}",
            check_digit(&first17).unwrap()
        )))
    }

    fn due(w: &World) -> Option<ReviewDue> {
        w.assess().review_due
    }

    #[test]
    fn semiannual_due_date_is_clamped_to_the_month_end() {
        let mut w = World::household(1);
        // 2024-04-30 + 6 months = 2024-10-30: due in 2024-10.
        w.household.last_review_date = Some(date("2024-04-30"));
        let d = due(&w).unwrap();
        assert_eq!(d.cadence, Cadence::Semiannual);
        assert_eq!(d.due_date, date("2024-10-30"));
        assert_eq!(d.reasons, vec![CadenceReason::AbleMember]);
        // 2024-05-31 + 6 months = 2024-11-30: not yet.
        w.household.last_review_date = Some(date("2024-05-31"));
        assert_eq!(due(&w), None);
        // 2024-03-31 + 6 = 2024-09-30 (clamped from the 31st).
        w.household.last_review_date = Some(date("2024-03-31"));
        assert_eq!(due(&w).unwrap().due_date, date("2024-09-30"));
    }

    #[test]
    fn february_clamping_in_a_leap_year() {
        let mut w = World::household(1);
        w.month = ym("2024-02");
        w.household.last_review_date = Some(date("2023-08-31"));
        assert_eq!(due(&w).unwrap().due_date, date("2024-02-29"));
    }

    #[test]
    fn annual_for_tekun_due_exactly_on_the_last_day() {
        let mut w = World::household(1);
        w.household.program = Some(Program::Tekun);
        w.household.last_review_date = Some(date("2023-10-31"));
        let d = due(&w).unwrap();
        assert_eq!(
            (d.cadence, d.due_date),
            (Cadence::Annual, date("2024-10-31"))
        );
        assert_eq!(d.reasons, vec![CadenceReason::Tekun]);
        w.household.last_review_date = Some(date("2023-11-01"));
        assert_eq!(due(&w), None);
    }

    #[test]
    fn annual_when_every_living_member_is_old_young_disabled_or_unable() {
        let mut w = World::household(4);
        w.household.last_review_date = Some(date("2023-10-15"));
        // Turns 60 on the run month's last day: counts as 60.
        w.members[0].id = id_born("19641031");
        w.members[1].id = id_born("20100101");
        w.members[2].disability_grade = Some(2);
        w.members[3].labor_capacity = Some(LaborCapacity::None);
        let d = due(&w).unwrap();
        assert_eq!(d.cadence, Cadence::Annual);
        assert_eq!(
            d.reasons,
            vec![
                CadenceReason::Aged60Plus,
                CadenceReason::Under16,
                CadenceReason::Disability12,
                CadenceReason::NoLaborCapacity
            ]
        );
        // Turning 60 a day after the run month: semiannual, and due
        // (2023-10-15 + 6 months).
        w.members[0].id = id_born("19641101");
        let d = due(&w).unwrap();
        assert_eq!(d.cadence, Cadence::Semiannual);
        assert_eq!(d.due_date, date("2024-04-15"));
    }

    #[test]
    fn a_dead_able_member_does_not_set_the_cadence() {
        let mut w = World::household(2);
        w.household.last_review_date = Some(date("2023-10-15"));
        w.members[0].id = id_born("19500101");
        w.death(1, Some("2024-09-01"));
        assert_eq!(due(&w).unwrap().cadence, Cadence::Annual);
    }

    #[test]
    fn benefit_start_stands_in_for_a_missing_review_and_neither_means_due_now() {
        let mut w = World::household(1);
        w.household.last_review_date = None;
        w.household.benefit_start = Some(date("2024-04-01"));
        assert_eq!(due(&w).unwrap().due_date, date("2024-10-01"));
        w.household.benefit_start = None;
        assert_eq!(due(&w).unwrap().due_date, date("2024-10-31"));
    }

    #[test]
    fn candidates_pending_households_and_the_all_dead_are_not_listed() {
        let mut w = World::household(1);
        w.household.last_review_date = None;
        w.household.program = Some(Program::Marginal);
        assert_eq!(due(&w), None);
        w.household.program = Some(Program::UrbanDibao);
        w.household.status = Some(HouseholdStatus::Pending);
        assert_eq!(due(&w), None);
        w.household.status = Some(HouseholdStatus::PhasingOut);
        w.household.phase_out_until = Some(date("2024-12-01"));
        assert!(due(&w).is_some());
        w.death(0, Some("2024-10-01"));
        assert_eq!(due(&w), None);
    }

    #[test]
    fn age_counts_completed_years() {
        assert_eq!(age_on(date("1964-10-31"), date("2024-10-31")), 60);
        assert_eq!(age_on(date("1964-11-01"), date("2024-10-31")), 59);
        assert_eq!(age_on(date("2008-02-29"), date("2024-02-28")), 15);
    }
}
