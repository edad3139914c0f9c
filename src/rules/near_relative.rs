//! R-NEAR-RELATIVE — a checked member is a near relative (近亲属) of a case
//! worker or cadre, and the relationship is not properly filed (备案).
//!
//! **What it checks**: the covered, living members of every recipient
//! household (`active` or `phasing_out`) and of every candidate household,
//! against `staff`, through the pairs `near_relatives::join` found. A pair
//! counts when its relation (the member's relation to the staff member) is
//! in `near_relative_relations`, or is `self`. Each pair gets a `conflict`:
//! - `self_handled`: the staff member is a `township_case_worker` or
//!   `verifier` whose region covers the household (the code with trailing
//!   all-zero levels removed is a prefix of the household's), filed or not;
//! - `unfiled`: no filing for (household, staff member);
//! - `filed_mismatch`: filed, but no filing between them names the relation
//!   of any of their pairs (`filings.relation` is the member's relation to
//!   the staff member, so a filing written the wrong way round mismatches);
//! - none: filed correctly (the pair stays listed, as the 备案 register).
//!
//! **Action**: `manual_review` for any conflict (for a candidate, it turns
//! an entry into manual review: see `decide`).
//! **Parameters**: `near_relative_relations`.
//! **Source**: rules.md "Near relatives"; 乐至 seed 低保近亲属备案制度.

use super::{Facts, Finding, RuleId};
use crate::near_relatives::{KinPair, RelationSource};
use crate::normalise::StaffMember;
use crate::schema::{code_enum, HouseholdStatus, Relation, StaffRole};
use crate::verdict::Action;

code_enum!(
    /// What is wrong with a near-relative pair.
    Conflict {
        SelfHandled = "self_handled" / "本人经办",
        Unfiled = "unfiled" / "未备案",
        FiledMismatch = "filed_mismatch" / "备案关系不符",
    }
);

/// One row of `near_relative_conflicts`.
#[derive(Debug, Clone, PartialEq)]
pub struct NearRelativePair {
    pub member: u32,
    pub staff: u32,
    pub relation: Relation,
    pub source: RelationSource,
    pub filed: bool,
    pub conflict: Option<Conflict>,
}

/// The region a staff member's code covers: trailing all-zero village (3),
/// township (3) levels removed, never shorter than the 6-digit county.
pub fn coverage(region_code: &str) -> &str {
    let mut code = region_code;
    for level in [9, 6] {
        if code.len() > level && code[level..].bytes().all(|b| b == b'0') {
            code = &code[..level];
        }
    }
    code
}

fn handles_cases(role: Option<StaffRole>) -> bool {
    matches!(
        role,
        Some(StaffRole::TownshipCaseWorker | StaffRole::Verifier)
    )
}

fn checked(f: &Facts) -> bool {
    match f.household.program {
        Some(p) if p.is_recipient() => matches!(
            f.household.status,
            Some(HouseholdStatus::Active | HouseholdStatus::PhasingOut)
        ),
        Some(_) => true,
        None => false,
    }
}

/// The household's near-relative pairs with their conflicts, sorted by
/// (member, staff row).
pub fn pairs(f: &Facts) -> Vec<NearRelativePair> {
    if !checked(f) {
        return Vec::new();
    }
    let counted: Vec<&KinPair> = f
        .kin
        .pairs
        .iter()
        .filter(|p| {
            f.member(p.member).covered
                && f.is_living(p.member)
                && (p.relation == Relation::SelfRelation
                    || f.params.near_relative_relations.contains(&p.relation))
        })
        .collect();
    counted
        .iter()
        .map(|p| {
            let staff: &StaffMember = &f.staff[p.staff as usize];
            let staff_id = staff.id.value.as_deref().unwrap_or("");
            let filings = f.kin.filings.iter().filter(|x| x.staff_id == staff_id);
            let filed = filings.clone().next().is_some();
            let named = filings.clone().any(|x| {
                counted.iter().any(|q| {
                    f.staff[q.staff as usize].id.value.as_deref() == Some(staff_id)
                        && x.relation == Some(q.relation)
                })
            });
            let covers = staff
                .region_code
                .as_deref()
                .is_some_and(|r| f.household.region_code.starts_with(coverage(r)));
            let conflict = if handles_cases(staff.role) && covers {
                Some(Conflict::SelfHandled)
            } else if !filed {
                Some(Conflict::Unfiled)
            } else if !named {
                Some(Conflict::FiledMismatch)
            } else {
                None
            };
            NearRelativePair {
                member: p.member,
                staff: p.staff,
                relation: p.relation,
                source: p.source,
                filed,
                conflict,
            }
        })
        .collect()
}

pub fn check(f: &Facts) -> Vec<Finding> {
    pairs(f)
        .into_iter()
        .filter_map(|p| {
            let conflict = p.conflict?;
            let staff = &f.staff[p.staff as usize];
            let detail = format!(
                "成员{}是{}{}（{}）的{}：{}",
                f.member(p.member).name.as_deref().unwrap_or("（无姓名）"),
                staff.role.map_or("工作人员", |r| r.label_zh()),
                staff.name.as_deref().unwrap_or("（无姓名）"),
                staff.region_code.as_deref().unwrap_or("区划不明"),
                p.relation.label_zh(),
                conflict.label_zh()
            );
            let mut finding =
                Finding::household(RuleId::NearRelative, Action::ManualReview, detail);
            finding.member = Some(p.member);
            Some(finding)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;
    use crate::schema::{HouseholdStatus, Program, StaffRole};
    use crate::rules::RuleId;
    use crate::verdict::Action;

    #[test]
    fn coverage_drops_trailing_zero_levels_down_to_the_county() {
        assert_eq!(coverage("512022101000"), "512022101");
        assert_eq!(coverage("512022000000"), "512022");
        assert_eq!(coverage("512022101001"), "512022101001");
        assert_eq!(coverage("512022100000"), "512022100");
        assert_eq!(coverage("512000000000"), "512000");
        assert_eq!(coverage("512022"), "512022");
        assert_eq!(coverage("512022101"), "512022101");
    }

    fn conflicts(w: &World) -> Vec<(Relation, bool, Option<Conflict>)> {
        w.assess()
            .near_relatives
            .iter()
            .map(|p| (p.relation, p.filed, p.conflict))
            .collect()
    }

    #[test]
    fn an_unfiled_child_of_a_village_cadre_is_manual_review() {
        let mut w = World::household(2);
        let s = w.staff(StaffRole::VillageCadre, "512022101001");
        w.kinship_of_staff(s, 0, Relation::Child);
        assert_eq!(
            conflicts(&w),
            vec![(Relation::Child, false, Some(Conflict::Unfiled))]
        );
        assert_eq!(w.fired(), [(RuleId::NearRelative, Action::ManualReview)]);
    }

    #[test]
    fn a_correct_filing_clears_the_pair_but_keeps_it_listed() {
        let mut w = World::household(2);
        let s = w.staff(StaffRole::VillageCadre, "512022101001");
        w.kinship_of_staff(s, 0, Relation::Child);
        w.filing(s, Relation::Child);
        assert_eq!(conflicts(&w), vec![(Relation::Child, true, None)]);
        assert_eq!(w.fired(), []);
    }

    #[test]
    fn a_filing_with_the_relation_the_wrong_way_round_is_a_mismatch() {
        let mut w = World::household(2);
        let s = w.staff(StaffRole::VillageCadre, "512022101001");
        w.kinship_of_staff(s, 0, Relation::Child);
        // The staff member is the member's parent: written from the wrong side.
        w.filing(s, Relation::Parent);
        assert_eq!(
            conflicts(&w),
            vec![(Relation::Child, true, Some(Conflict::FiledMismatch))]
        );
        assert_eq!(w.fired(), [(RuleId::NearRelative, Action::ManualReview)]);
    }

    #[test]
    fn a_filing_naming_any_pair_between_them_covers_the_others() {
        let mut w = World::household(2);
        let s = w.staff(StaffRole::VillageCadre, "512022101001");
        w.kinship_of_staff(s, 0, Relation::Child);
        w.kinship_of_staff(s, 1, Relation::Spouse);
        w.filing(s, Relation::Spouse);
        assert_eq!(
            conflicts(&w),
            vec![
                (Relation::Child, true, None),
                (Relation::Spouse, true, None)
            ]
        );
    }

    #[test]
    fn a_case_worker_whose_township_covers_the_household_is_self_handled_even_when_filed() {
        let mut w = World::household(1);
        let s = w.staff(StaffRole::TownshipCaseWorker, "512022101000");
        w.kinship_of_staff(s, 0, Relation::Sibling);
        w.filing(s, Relation::Sibling);
        assert_eq!(
            conflicts(&w),
            vec![(Relation::Sibling, true, Some(Conflict::SelfHandled))]
        );
    }

    #[test]
    fn a_case_worker_of_another_township_is_not_self_handled() {
        let mut w = World::household(1);
        let s = w.staff(StaffRole::TownshipCaseWorker, "512022102000");
        w.kinship_of_staff(s, 0, Relation::Sibling);
        assert_eq!(
            conflicts(&w),
            vec![(Relation::Sibling, false, Some(Conflict::Unfiled))]
        );
    }

    #[test]
    fn a_village_cadre_of_the_same_village_is_not_self_handled_only_unfiled() {
        let mut w = World::household(1);
        let s = w.staff(StaffRole::VillageCadre, "512022101000");
        w.kinship_of_staff(s, 0, Relation::Sibling);
        w.filing(s, Relation::Sibling);
        assert_eq!(conflicts(&w), vec![(Relation::Sibling, true, None)]);
    }

    #[test]
    fn a_staff_member_who_is_a_member_is_a_self_pair() {
        let mut w = World::household(2);
        let s = w.staff_is_member(1, StaffRole::VillageCadre);
        assert_eq!(
            conflicts(&w),
            vec![(Relation::SelfRelation, false, Some(Conflict::Unfiled))]
        );
        w.filing(s, Relation::SelfRelation);
        assert_eq!(conflicts(&w), vec![(Relation::SelfRelation, true, None)]);
    }

    #[test]
    fn relations_outside_the_policy_list_dead_and_uncovered_members_are_not_pairs() {
        let mut w = World::household(3);
        let s = w.staff(StaffRole::VillageCadre, "512022101001");
        // testkit's list: spouse, parent, child, sibling.
        w.kinship_of_staff(s, 0, Relation::Grandchild);
        w.kinship_of_staff(s, 1, Relation::Child);
        w.death(1, Some("2024-10-31"));
        w.kinship_of_staff(s, 2, Relation::Child);
        w.single_person_covering(0);
        assert_eq!(conflicts(&w), vec![]);
    }

    #[test]
    fn pending_recipients_are_not_checked_but_candidates_are() {
        let mut w = World::household(1);
        let s = w.staff(StaffRole::VillageCadre, "512022101001");
        w.kinship_of_staff(s, 0, Relation::Child);
        w.household.status = Some(HouseholdStatus::Pending);
        assert!(conflicts(&w).is_empty());
        w.household.program = Some(Program::Applicant);
        assert_eq!(conflicts(&w).len(), 1);
        let fired = w.fired();
        assert!(
            fired.contains(&(RuleId::NearRelative, Action::ManualReview)),
            "{fired:?}"
        );
    }
}
