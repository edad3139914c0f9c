//! Link: every row of the person-keyed extracts (deposits, vehicles,
//! properties, businesses, payroll, deaths) → at most one roster member,
//! following rules.md "Matching", in Splink's vocabulary:
//!
//! ```text
//!  row ─► normalised id equals a member's? ──yes──► id_exact, score 1.0
//!          │ no
//!          ├─ valid 18-digit id ──► another person: never linked
//!          │ invalid or missing
//!          ▼
//!  blocking rules (blocking.rs) ─► candidate members
//!          ▼
//!  comparisons (comparison.rs): id / name / birth date / region level
//!          ▼
//!  match weight → score (score.rs); best candidate wins, a tie is review;
//!  status by the member's household thresholds (match_accept/match_review),
//!  capped at review unless the id is at most one edit from the member's
//! ```
//!
//! The exact path is a hash look-up with no allocation; only rows whose id
//! is invalid or missing pay for blocking and comparison, and the blocking
//! index is built the first time such a row turns up. Rows are linked in
//! parallel chunks and concatenated in row order, so the links do not depend
//! on the thread count.
//!
//! Architecture invariant: only this module decides who a row is about.
//! Later stages read [`Link`]s, never ids.

pub mod blocking;
pub mod comparison;
pub mod score;

use crate::normalise::{PersonKeys, Roster};
use crate::quality::{DataQuality, Problem};
use crate::schema::Dataset;
use blocking::BlockIndex;
pub use comparison::{BirthDateLevel, IdLevel, Levels, NameLevel, RegionLevel};
use rayon::prelude::*;
pub use score::Thresholds;
use std::collections::HashMap;
use std::sync::OnceLock;

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

    pub fn label_zh(self) -> &'static str {
        match self {
            MatchStatus::Unmatched => "未关联",
            MatchStatus::Review => "待人工确认",
            MatchStatus::Matched => "已关联",
        }
    }
}

/// Which path produced a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchMethod {
    /// Normalised id numbers equal (legacy 15-digit ids converted first).
    IdExact,
    /// Normalised id equal to more than one roster member (a duplicated id
    /// on the roster): linked to the first, for review.
    IdExactAmbiguous,
    /// Blocking and scoring (invalid or missing id): the best candidate.
    Fuzzy,
    /// Blocking and scoring, with two or more members sharing the best
    /// score: linked to the first (roster order), for review.
    FuzzyTie,
}

impl MatchMethod {
    pub fn code(self) -> &'static str {
        match self {
            MatchMethod::IdExact => "id_exact",
            MatchMethod::IdExactAmbiguous => "id_exact_ambiguous",
            MatchMethod::Fuzzy => "fuzzy",
            MatchMethod::FuzzyTie => "fuzzy_tie",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MatchMethod::IdExact => "证件号一致",
            MatchMethod::IdExactAmbiguous => "证件号一致但花名册重复",
            MatchMethod::Fuzzy => "模糊匹配",
            MatchMethod::FuzzyTie => "模糊匹配（并列最高）",
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
    /// The comparison level of each field (the match weight follows from
    /// them: [`score::match_weight`]).
    pub levels: Levels,
}

impl Link {
    /// The match weight in bits; `None` on the exact path (not scored).
    pub fn match_weight(&self) -> Option<f64> {
        matches!(self.method, MatchMethod::Fuzzy | MatchMethod::FuzzyTie)
            .then(|| score::match_weight(&self.levels))
    }
}

/// The links of one dataset: only linked rows are listed (sorted by row);
/// every other row of the dataset is `unmatched`.
#[derive(Debug, Clone)]
pub struct DatasetLinks {
    pub dataset: Dataset,
    pub rows: usize,
    pub links: Vec<Link>,
}

/// The roster's members by normalised id, and (built on first need) by
/// blocking key.
pub struct MemberIndex {
    by_id: HashMap<String, Vec<u32>>,
    blocks: OnceLock<BlockIndex>,
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
        MemberIndex {
            by_id,
            blocks: OnceLock::new(),
        }
    }

    pub fn get(&self, id: &str) -> &[u32] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }

    fn blocks(&self, roster: &Roster) -> &BlockIndex {
        self.blocks.get_or_init(|| {
            // Birth date (from the id) and county of each member, computed once.
            let facts: Vec<(Option<chrono::NaiveDate>, Option<&str>)> = roster
                .members
                .par_iter()
                .map(|m| {
                    let region = roster.households.get(m.household as usize);
                    (
                        m.id.birth_date(),
                        region.and_then(|h| h.region_code.get(..6)),
                    )
                })
                .collect();
            BlockIndex::build(roster.members.len(), |i| {
                let m = &roster.members[i as usize];
                let f = &facts[i as usize];
                blocking::Person {
                    id: m.id.value.as_deref(),
                    name: m.name_norm.as_deref(),
                    birth_dates: f.0.as_slice(),
                    counties: f.1.as_slice(),
                }
            })
        })
    }
}

/// Rows per parallel chunk: big enough to amortise the task, small enough
/// to balance fuzzy-heavy stretches.
const CHUNK: usize = 16 * 1024;

/// Links every row of one extract. `thresholds` is indexed like
/// [`Roster::households`]: a link's status uses its member's household's.
pub fn link_dataset(
    index: &MemberIndex,
    roster: &Roster,
    keys: &PersonKeys,
    thresholds: &[Thresholds],
) -> DatasetLinks {
    let dataset = keys.dataset.expect("person keys name their dataset");
    let chunks: Vec<Vec<Link>> = (0..keys.len())
        .into_par_iter()
        .step_by(CHUNK)
        .map(|start| {
            let end = (start + CHUNK).min(keys.len());
            let mut out = Vec::new();
            let mut candidates = Vec::new();
            for row in start..end {
                if let Some(link) = link_row(index, roster, keys, thresholds, row, &mut candidates)
                {
                    out.push(link);
                }
            }
            out
        })
        .collect();
    DatasetLinks {
        dataset,
        rows: keys.len(),
        links: chunks.concat(),
    }
}

fn link_row(
    index: &MemberIndex,
    roster: &Roster,
    keys: &PersonKeys,
    thresholds: &[Thresholds],
    row: usize,
    candidates: &mut Vec<u32>,
) -> Option<Link> {
    let id = &keys.ids[row];
    if let Some(value) = id.value.as_deref() {
        if let Some((&member, rest)) = index.get(value).split_first() {
            let (method, status) = if rest.is_empty() {
                (MatchMethod::IdExact, MatchStatus::Matched)
            } else {
                (MatchMethod::IdExactAmbiguous, MatchStatus::Review)
            };
            return Some(Link {
                row_index: row as u64,
                member,
                score: 1.0,
                method,
                status,
                levels: Levels::EXACT,
            });
        }
        if id.valid {
            // A valid id that is no member's: another person (rules.md).
            return None;
        }
    }
    fuzzy(index, roster, keys, thresholds, row, candidates)
}

/// What the row says about its person, for blocking and comparison.
struct RowFacts<'a> {
    id: Option<&'a str>,
    /// Digits of an id in scientific notation, for blocking.
    id_digits: Option<String>,
    name: Option<&'a str>,
    birth_date: Option<chrono::NaiveDate>,
    id_birth_date: Option<chrono::NaiveDate>,
    region: Option<&'a str>,
}

fn fuzzy(
    index: &MemberIndex,
    roster: &Roster,
    keys: &PersonKeys,
    thresholds: &[Thresholds],
    row: usize,
    candidates: &mut Vec<u32>,
) -> Option<Link> {
    let id = &keys.ids[row];
    let facts = RowFacts {
        id: id.value.as_deref(),
        id_digits: id.value.as_deref().and_then(comparison::scientific_digits),
        name: keys.names[row].as_deref(),
        birth_date: keys.birth_dates[row],
        id_birth_date: id.birth_date(),
        region: keys.region_codes[row].as_deref(),
    };
    let births: Vec<chrono::NaiveDate> = facts
        .birth_date
        .into_iter()
        .chain(facts.id_birth_date.filter(|d| Some(*d) != facts.birth_date))
        .collect();
    let counties: Vec<&str> = facts
        .region
        .and_then(|r| r.get(..6))
        .into_iter()
        .chain(facts.id.and_then(|i| i.get(..6)).filter(|c| {
            c.bytes().all(|b| b.is_ascii_digit())
                && Some(*c) != facts.region.and_then(|r| r.get(..6))
        }))
        .collect();
    candidates.clear();
    index.blocks(roster).candidates(
        &blocking::Person {
            id: facts.id_digits.as_deref().or(facts.id),
            name: facts.name,
            birth_dates: &births,
            counties: &counties,
        },
        candidates,
    );
    let mut best: Option<(f64, u32, Levels)> = None;
    let mut tie = false;
    for &m in candidates.iter() {
        let levels = compare(roster, m, &facts);
        let w = score::match_weight(&levels);
        match best {
            Some((bw, _, _)) if w < bw => {}
            Some((bw, _, _)) if w == bw => tie = true,
            _ => {
                best = Some((w, m, levels));
                tie = false;
            }
        }
    }
    let (weight, member, levels) = best?;
    let household = roster.members[member as usize].household as usize;
    let t = thresholds
        .get(household)
        .copied()
        .unwrap_or(Thresholds::DEFAULT);
    let s = score::score(weight);
    let status = t.status(s, levels.id, tie);
    (status != MatchStatus::Unmatched).then_some(Link {
        row_index: row as u64,
        member,
        score: s,
        method: if tie {
            MatchMethod::FuzzyTie
        } else {
            MatchMethod::Fuzzy
        },
        status,
        levels,
    })
}

/// Compares a row with one member, field by field.
fn compare(roster: &Roster, member: u32, row: &RowFacts<'_>) -> Levels {
    let m = &roster.members[member as usize];
    let region = roster
        .households
        .get(m.household as usize)
        .map(|h| h.region_code.as_str())
        .filter(|r| !r.is_empty());
    let id = match m.id.value.as_deref() {
        Some(member_id) => comparison::compare_id(row.id, member_id),
        None => IdLevel::Missing,
    };
    // The birth date inside a close id was already counted by the id level:
    // fall back to it only when the id says little.
    let birth = row.birth_date.or(match id {
        IdLevel::OneEdit | IdLevel::Truncated | IdLevel::TwoEdits => None,
        _ => row.id_birth_date,
    });
    Levels {
        id,
        name: Some(comparison::compare_name(row.name, m.name_norm.as_deref())),
        birth_date: Some(comparison::compare_birth_date(birth, m.id.birth_date())),
        region: Some(comparison::compare_region(row.region, region)),
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
            &roster,
            &keys(&[
                " 11010519491231002x ",
                "１１０１０５１９４９１２３１００２Ｘ",
                "110105491231002",
                "440524188001010022",
                "",
            ]),
            &[],
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
        let links = link_dataset(&index, &roster, &keys(&["11010519491231002X"]), &[]);
        assert_eq!(links.links[0].status, MatchStatus::Review);
    }
}
