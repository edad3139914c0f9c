//! Near relatives (近亲属): joins roster members to `staff` through
//! `kinship` on normalised id numbers, and gathers each household's
//! `filings`. The result is every *possible* member–staff pair per
//! household; which pairs count (covered, living members of checked
//! households, relations in the policy's `near_relative_relations`) and
//! what conflict they carry is decided by the rule R-NEAR-RELATIVE
//! (`rules::near_relative`), household by household.
//!
//! rules.md "Near relatives": `kinship` is read in both directions (a row
//! saying B is A's `child` also says A is B's `parent`); a staff member who
//! is a roster member is a pair with relation `self`. Only normalised id
//! numbers join (never names: rules.md "Matching").
//!
//! Architecture invariant: one pair per (member, staff row); when several
//! kinship rows give the pair, `self` wins, then `hukou` over `declared`,
//! then the lowest row.

use crate::link::MemberIndex;
use crate::normalise::{Registers, Roster};
use crate::quality::{DataQuality, Problem};
use crate::schema::{Dataset, KinshipSource, Relation};
use std::collections::HashMap;

/// Where a pair's relation comes from; ordered by trust (`self`, then
/// `hukou`, then `declared`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelationSource {
    /// The staff member is the roster member.
    SelfRow,
    /// A `kinship` row, with its own source.
    Kinship(KinshipSource),
}

impl RelationSource {
    pub fn code(self) -> &'static str {
        match self {
            RelationSource::SelfRow => "self",
            RelationSource::Kinship(k) => k.code(),
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RelationSource::SelfRow => "本人",
            RelationSource::Kinship(k) => k.label_zh(),
        }
    }

    pub fn from_code(code: &str) -> Option<RelationSource> {
        match code {
            "self" => Some(RelationSource::SelfRow),
            _ => code.parse().ok().map(RelationSource::Kinship),
        }
    }
}

/// A roster member and a staff member who are possibly near relatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KinPair {
    /// Index into [`Roster::members`].
    pub member: u32,
    /// Index into [`Registers::staff`].
    pub staff: u32,
    /// The member's relation to the staff member.
    pub relation: Relation,
    pub source: RelationSource,
    /// The `kinship` row behind the pair (`None` for `self`).
    pub kinship_row: Option<u64>,
}

/// One filing of a household: (staff id, relation of the member to the staff member).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdFiling {
    pub staff_id: String,
    pub relation: Option<Relation>,
    pub row_index: u64,
}

/// A household's possible pairs and its filings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HouseholdKin {
    /// Sorted by (member, staff).
    pub pairs: Vec<KinPair>,
    pub filings: Vec<HouseholdFiling>,
}

/// What B is to A, seen from B: A is B's `inverse(relation)`.
pub fn inverse(relation: Relation) -> Relation {
    match relation {
        Relation::Child => Relation::Parent,
        Relation::Parent => Relation::Child,
        Relation::Grandparent => Relation::Grandchild,
        Relation::Grandchild => Relation::Grandparent,
        Relation::Spouse => Relation::Spouse,
        Relation::Sibling => Relation::Sibling,
        Relation::SelfRelation => Relation::SelfRelation,
        // "B is A's household head" says nothing about kin.
        Relation::Head | Relation::Other => Relation::Other,
    }
}

/// The pairs and filings of every household (indexed like the roster's).
/// Filings for a household not on the roster are `unknown_household`.
pub fn join(
    roster: &Roster,
    members: &MemberIndex,
    registers: &Registers,
    quality: &mut Vec<DataQuality>,
) -> Vec<HouseholdKin> {
    let mut out: Vec<HouseholdKin> = vec![HouseholdKin::default(); roster.households.len()];
    if registers.staff.is_empty() {
        return out;
    }
    let mut staff_by_id: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, s) in registers.staff.iter().enumerate() {
        if let Some(id) = s.id.value.as_deref() {
            staff_by_id.entry(id).or_default().push(i as u32);
        }
    }

    // (member, staff) → best pair so far.
    let mut best: HashMap<(u32, u32), KinPair> = HashMap::new();
    let mut offer = |pair: KinPair| {
        let rank = |p: &KinPair| (p.source, p.kinship_row);
        best.entry((pair.member, pair.staff))
            .and_modify(|b| {
                if rank(&pair) < rank(b) {
                    *b = pair;
                }
            })
            .or_insert(pair);
    };
    for (id, staff_rows) in &staff_by_id {
        for &staff in staff_rows {
            for &member in members.get(id) {
                offer(KinPair {
                    member,
                    staff,
                    relation: Relation::SelfRelation,
                    source: RelationSource::SelfRow,
                    kinship_row: None,
                });
            }
        }
    }
    for k in &registers.kinship {
        let (Some(a), Some(b), Some(relation)) =
            (k.a_id.as_deref(), k.b_id.as_deref(), k.relation_of_b_to_a)
        else {
            continue;
        };
        if a == b {
            continue;
        }
        // A row without a source is only declared.
        let source = RelationSource::Kinship(k.source.unwrap_or(KinshipSource::Declared));
        // (member id, staff id, the member's relation to the staff member)
        for (member_id, staff_id, rel) in [(a, b, inverse(relation)), (b, a, relation)] {
            let Some(staff) = staff_by_id.get(staff_id) else {
                continue;
            };
            for &member in members.get(member_id) {
                for &s in staff {
                    offer(KinPair {
                        member,
                        staff: s,
                        relation: rel,
                        source,
                        kinship_row: Some(k.row_index),
                    });
                }
            }
        }
    }
    for pair in best.into_values() {
        let household = roster.members[pair.member as usize].household as usize;
        out[household].pairs.push(pair);
    }
    for kin in &mut out {
        kin.pairs.sort_by_key(|p| (p.member, p.staff));
    }

    let by_household: HashMap<&str, usize> = roster
        .households
        .iter()
        .enumerate()
        .map(|(i, h)| (h.household_id.as_str(), i))
        .collect();
    for f in &registers.filings {
        let Some(staff_id) = f.staff_id.clone() else {
            continue;
        };
        match by_household.get(f.household_id.as_str()) {
            Some(&h) => out[h].filings.push(HouseholdFiling {
                staff_id,
                relation: f.relation,
                row_index: f.row_index,
            }),
            None if !f.household_id.is_empty() => quality.push(DataQuality::new(
                Dataset::Filings,
                f.row_index,
                "household_id",
                Problem::UnknownHousehold,
                Some(f.household_id.clone()),
            )),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::{Filing, Household, KinshipRow, Member, StaffMember};
    use crate::schema::StaffRole;
    use crate::text::normalize_id;

    pub(crate) fn staff(id: &str) -> StaffMember {
        StaffMember {
            row_index: 0,
            name: Some("李四".into()),
            id: normalize_id(Some(id)),
            role: Some(StaffRole::VillageCadre),
            region_code: Some("512022101001".into()),
        }
    }

    fn kin(a: &str, b: &str, rel: Relation, source: KinshipSource, row: u64) -> KinshipRow {
        KinshipRow {
            row_index: row,
            a_id: normalize_id(Some(a)).value,
            b_id: normalize_id(Some(b)).value,
            relation_of_b_to_a: Some(rel),
            source: Some(source),
        }
    }

    const STAFF: &str = "51202219700101001X";

    /// One household of `n` members with valid ids of their own.
    fn roster(n: u32) -> Roster {
        let mut household = Household::bare("H1", "512022101001");
        household.members = (0..n).collect();
        let members = (0..n)
            .map(|i| {
                let first17 = format!("51202219800101{:03}", i + 100);
                let id = format!("{first17}{}", crate::text::check_digit(&first17).unwrap());
                Member {
                    id: normalize_id(Some(&id)),
                    ..Member::bare(i as u64, 0)
                }
            })
            .collect();
        Roster {
            households: vec![household],
            members,
        }
    }

    #[test]
    fn kinship_is_read_in_both_directions_with_the_inverse_relation() {
        let roster = roster(2);
        let m0 = roster.members[0].id_number().to_string();
        let m1 = roster.members[1].id_number().to_string();
        let registers = Registers {
            staff: vec![staff(STAFF)],
            // The staff member's child is member 0; member 1's parent is the staff member.
            kinship: vec![
                kin(STAFF, &m0, Relation::Child, KinshipSource::Hukou, 0),
                kin(&m1, STAFF, Relation::Parent, KinshipSource::Declared, 1),
            ],
            filings: vec![],
        };
        let kin = join(
            &roster,
            &MemberIndex::new(&roster, &mut Vec::new()),
            &registers,
            &mut Vec::new(),
        );
        let got: Vec<(u32, Relation, RelationSource)> = kin[0]
            .pairs
            .iter()
            .map(|p| (p.member, p.relation, p.source))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    0,
                    Relation::Child,
                    RelationSource::Kinship(KinshipSource::Hukou)
                ),
                (
                    1,
                    Relation::Child,
                    RelationSource::Kinship(KinshipSource::Declared)
                ),
            ]
        );
    }

    #[test]
    fn a_staff_member_on_the_roster_is_a_self_pair_that_outranks_kinship() {
        let roster = roster(1);
        let m0 = roster.members[0].id_number().to_string();
        let registers = Registers {
            staff: vec![staff(&m0)],
            kinship: vec![kin(&m0, &m0, Relation::Spouse, KinshipSource::Hukou, 0)],
            filings: vec![],
        };
        let kin = join(
            &roster,
            &MemberIndex::new(&roster, &mut Vec::new()),
            &registers,
            &mut Vec::new(),
        );
        assert_eq!(kin[0].pairs.len(), 1);
        assert_eq!(kin[0].pairs[0].relation, Relation::SelfRelation);
        assert_eq!(kin[0].pairs[0].source, RelationSource::SelfRow);
    }

    #[test]
    fn hukou_outranks_declared_for_the_same_pair_and_ids_join_after_normalisation() {
        let roster = roster(1);
        let m0 = roster.members[0].id_number().to_string();
        let dirty_staff = format!(" {} ", STAFF.to_lowercase());
        let registers = Registers {
            staff: vec![staff(&dirty_staff)],
            kinship: vec![
                kin(&m0, STAFF, Relation::Sibling, KinshipSource::Declared, 0),
                kin(STAFF, &m0, Relation::Spouse, KinshipSource::Hukou, 1),
            ],
            filings: vec![Filing {
                row_index: 0,
                household_id: "NOT-ON-ROSTER".into(),
                staff_id: Some(STAFF.into()),
                relation: Some(Relation::Spouse),
            }],
        };
        let mut quality = Vec::new();
        let kin = join(
            &roster,
            &MemberIndex::new(&roster, &mut Vec::new()),
            &registers,
            &mut quality,
        );
        assert_eq!(kin[0].pairs.len(), 1);
        assert_eq!(kin[0].pairs[0].relation, Relation::Spouse);
        assert_eq!(kin[0].pairs[0].kinship_row, Some(1));
        assert_eq!(quality.len(), 1);
        assert_eq!(quality[0].problem, Problem::UnknownHousehold);
    }

    #[test]
    fn inverse_is_an_involution_on_kin_relations() {
        for r in [
            Relation::Spouse,
            Relation::Child,
            Relation::Parent,
            Relation::Sibling,
            Relation::Grandparent,
            Relation::Grandchild,
            Relation::SelfRelation,
        ] {
            assert_eq!(inverse(inverse(r)), r);
        }
    }
}
