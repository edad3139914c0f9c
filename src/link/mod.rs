//! Link: every row of the person-keyed extracts (deposits, vehicles,
//! properties, businesses, payroll, deaths) → at most one roster member.
//!
//! Vocabulary (Splink's): a *blocking rule* proposes candidate members for a
//! row; a *comparison* scores a candidate field by field; the best candidate
//! wins, a tie is `review`. Today one blocking rule exists, the normalised
//! id: equal normalised ids link with score 1.0 whatever the names
//! (rules.md "Matching"). A row whose normalised id equals no member's stays
//! `unmatched`; a valid 18-digit id that differs is another person and is
//! never linked.
//!
//! Architecture invariant: only this module decides who a row is about.
//! Later stages read [`Link`]s, never ids.

use crate::normalise::{PersonKeys, Roster};
use crate::quality::{DataQuality, Problem};
use crate::schema::Dataset;
use std::collections::HashMap;

/// How confident a link is, by the policy's `match_accept` / `match_review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchStatus {
    Unmatched,
    /// Only raises `manual_review`; never a fact.
    Review,
    /// Used as a fact.
    Matched,
}

impl MatchStatus {
    pub fn code(self) -> &'static str {
        match self {
            MatchStatus::Unmatched => "unmatched",
            MatchStatus::Review => "review",
            MatchStatus::Matched => "matched",
        }
    }
}

/// Which comparison produced a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchMethod {
    /// Normalised id numbers equal (legacy 15-digit ids converted first).
    IdExact,
    /// Normalised id equal to more than one roster member (a duplicated id
    /// on the roster): linked to the first, for review.
    IdExactAmbiguous,
}

impl MatchMethod {
    pub fn code(self) -> &'static str {
        match self {
            MatchMethod::IdExact => "id_exact",
            MatchMethod::IdExactAmbiguous => "id_exact_ambiguous",
        }
    }
}

/// One extract row linked to a member.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub row_index: u64,
    /// Index into [`Roster::members`].
    pub member: u32,
    pub score: f64,
    pub method: MatchMethod,
    pub status: MatchStatus,
}

/// The links of one dataset: only linked rows are listed (sorted by row);
/// every other row of the dataset is `unmatched`.
#[derive(Debug, Clone)]
pub struct DatasetLinks {
    pub dataset: Dataset,
    pub rows: usize,
    pub links: Vec<Link>,
}

/// The roster's members by normalised id.
pub struct MemberIndex {
    by_id: HashMap<String, Vec<u32>>,
}

impl MemberIndex {
    /// Indexes every member with an id; ids shared by several members are
    /// reported as `duplicate_id_number`.
    pub fn new(roster: &Roster, quality: &mut Vec<DataQuality>) -> MemberIndex {
        let mut by_id: HashMap<String, Vec<u32>> = HashMap::with_capacity(roster.members.len());
        for (i, m) in roster.members.iter().enumerate() {
            if let Some(id) = &m.id.value {
                by_id.entry(id.clone()).or_default().push(i as u32);
            }
        }
        for members in by_id.values().filter(|v| v.len() > 1) {
            for &i in &members[1..] {
                let m = &roster.members[i as usize];
                quality.push(DataQuality::new(
                    Dataset::Members,
                    m.row_index,
                    "id_number",
                    Problem::DuplicateIdNumber,
                    m.id.value.clone(),
                ));
            }
        }
        MemberIndex { by_id }
    }

    pub fn get(&self, id: &str) -> &[u32] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }
}

/// Links every row of one extract.
pub fn link_dataset(index: &MemberIndex, keys: &PersonKeys) -> DatasetLinks {
    let dataset = keys.dataset.expect("person keys name their dataset");
    let links = keys
        .ids
        .iter()
        .enumerate()
        .filter_map(|(row, id)| {
            let candidates = index.get(id.value.as_deref()?);
            let (&member, rest) = candidates.split_first()?;
            let (method, status) = if rest.is_empty() {
                (MatchMethod::IdExact, MatchStatus::Matched)
            } else {
                (MatchMethod::IdExactAmbiguous, MatchStatus::Review)
            };
            Some(Link {
                row_index: row as u64,
                member,
                score: 1.0,
                method,
                status,
            })
        })
        .collect();
    DatasetLinks {
        dataset,
        rows: keys.len(),
        links,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::Member;
    use crate::text::normalize_id;

    fn member(id: &str) -> Member {
        Member {
            row_index: 0,
            household: 0,
            name: None,
            name_norm: None,
            id: normalize_id(Some(id)),
            relation: None,
            covered: true,
            disability_grade: None,
            severe_illness: false,
            labor_capacity: None,
            in_school: false,
            declared: Default::default(),
        }
    }

    fn keys(ids: &[&str]) -> PersonKeys {
        PersonKeys {
            dataset: Some(Dataset::Vehicles),
            ids: ids.iter().map(|s| normalize_id(Some(s))).collect(),
            names: vec![None; ids.len()],
            birth_dates: vec![None; ids.len()],
            region_codes: vec![None; ids.len()],
        }
    }

    #[test]
    fn dirty_ids_link_to_the_same_member_and_strangers_do_not() {
        let roster = Roster {
            households: vec![],
            members: vec![member("11010519491231002X"), member("440524188001010014")],
        };
        let mut q = Vec::new();
        let index = MemberIndex::new(&roster, &mut q);
        let links = link_dataset(
            &index,
            &keys(&[
                " 11010519491231002x ",
                "１１０１０５１９４９１２３１００２Ｘ",
                "110105491231002",
                "440524188001010022",
                "",
            ]),
        );
        assert_eq!(links.rows, 5);
        let rows: Vec<(u64, u32)> = links
            .links
            .iter()
            .map(|l| (l.row_index, l.member))
            .collect();
        assert_eq!(rows, vec![(0, 0), (1, 0), (2, 0)]);
        assert!(links
            .links
            .iter()
            .all(|l| l.status == MatchStatus::Matched && l.score == 1.0));
    }

    #[test]
    fn an_id_on_two_members_links_for_review_only() {
        let roster = Roster {
            households: vec![],
            members: vec![member("11010519491231002X"), member("11010519491231002X")],
        };
        let mut q = Vec::new();
        let index = MemberIndex::new(&roster, &mut q);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].problem, Problem::DuplicateIdNumber);
        let links = link_dataset(&index, &keys(&["11010519491231002X"]));
        assert_eq!(links.links[0].status, MatchStatus::Review);
    }
}
