//! The fuzzy path: a row whose id is invalid or missing, against the members
//! its blocking keys find (blocking.rs), each scored field by field
//! (comparison.rs, score.rs). What is compared of a member (birth date from
//! the id, the name's characters) is read once, when the index is built;
//! what is compared of a row, once per row; the loop over a row's
//! candidates compares integers and allocates nothing.

use super::blocking::{self, BlockIndex};
use super::comparison::{self, IdLevel, IdProbe, Levels, NameRef};
use super::{score, LinkStats, Thresholds};
use crate::normalise::{PersonKeys, Roster};
use chrono::NaiveDate;
use rayon::prelude::*;

/// The blocking index and the members' comparison features.
pub(super) struct FuzzyIndex {
    blocks: BlockIndex,
    births: Vec<Option<NaiveDate>>,
    names: MemberNames,
}

/// Every member's normalised name as characters, in one array.
#[derive(Default)]
struct MemberNames {
    /// Member m's characters are `chars[starts[m]..starts[m + 1]]`.
    starts: Vec<u32>,
    chars: Vec<char>,
    /// Bit 0: the member has a name; bit 1: it is plain ([`NameRef`]).
    flags: Vec<u8>,
}

impl MemberNames {
    fn build(roster: &Roster) -> MemberNames {
        let parts: Vec<MemberNames> = roster
            .members
            .par_chunks(64 * 1024)
            .map(|chunk| {
                let mut part = MemberNames::default();
                for m in chunk {
                    part.starts.push(part.chars.len() as u32);
                    part.flags.push(match m.name_norm.as_deref() {
                        Some(name) => {
                            1 | u8::from(comparison::push_name_chars(name, &mut part.chars)) << 1
                        }
                        None => 0,
                    });
                }
                part
            })
            .collect();
        let mut all = MemberNames::default();
        for part in parts {
            let offset = all.chars.len() as u32;
            all.starts.extend(part.starts.iter().map(|s| s + offset));
            all.chars.extend(part.chars);
            all.flags.extend(part.flags);
        }
        all.starts.push(all.chars.len() as u32);
        all
    }

    fn get(&self, member: u32) -> Option<NameRef<'_>> {
        let m = member as usize;
        let flags = self.flags[m];
        (flags & 1 == 1).then(|| NameRef {
            chars: &self.chars[self.starts[m] as usize..self.starts[m + 1] as usize],
            plain: flags & 2 == 2,
        })
    }
}

impl FuzzyIndex {
    pub(super) fn build(roster: &Roster) -> FuzzyIndex {
        let births: Vec<Option<NaiveDate>> = roster
            .members
            .par_iter()
            .map(|m| m.id.birth_date())
            .collect();
        let counties: Vec<Option<&str>> = roster
            .members
            .par_iter()
            .map(|m| {
                let household = roster.households.get(m.household as usize);
                household.and_then(|h| h.region_code.get(..6))
            })
            .collect();
        let blocks = BlockIndex::build(roster.members.len(), |i| {
            let m = &roster.members[i as usize];
            blocking::Person {
                id: m.id.value.as_deref(),
                name: m.name_norm.as_deref(),
                birth_dates: births[i as usize].as_slice(),
                counties: counties[i as usize].as_slice(),
            }
        });
        FuzzyIndex {
            blocks,
            births,
            names: MemberNames::build(roster),
        }
    }
}

/// Buffers one thread reuses from row to row.
#[derive(Default)]
pub(super) struct Scratch {
    candidates: Vec<u32>,
    name: Vec<char>,
}

/// What the row says about its person, read once.
struct RowFacts<'a> {
    id: IdProbe<'a>,
    name: Option<NameRef<'a>>,
    birth_date: Option<NaiveDate>,
    id_birth_date: Option<NaiveDate>,
    region: Option<&'a str>,
}

/// The row's best candidate, if any reaches `review`. `id_text` is the
/// row's normalised id (invalid or missing), or the id inside its separators.
#[allow(clippy::too_many_arguments)]
pub(super) fn link(
    index: &FuzzyIndex,
    roster: &Roster,
    keys: &PersonKeys,
    thresholds: &[Thresholds],
    row: usize,
    id_text: Option<&str>,
    scratch: &mut Scratch,
    stats: &mut LinkStats,
) -> Option<super::Link> {
    // Blocking reads ids as ASCII: digits recovered from scientific
    // notation, or the ASCII characters of an id with a stray `×`.
    let id_digits: Option<String> = id_text.and_then(|t| {
        comparison::scientific_digits(t)
            .or_else(|| (!t.is_ascii()).then(|| t.chars().filter(char::is_ascii).collect()))
    });
    let name_text = keys.names[row].as_deref();
    scratch.name.clear();
    let name_plain = name_text.map(|n| comparison::push_name_chars(n, &mut scratch.name));
    let facts = RowFacts {
        id: IdProbe::new(id_text),
        name: name_plain.map(|plain| NameRef {
            chars: &scratch.name,
            plain,
        }),
        birth_date: keys.birth_dates[row],
        id_birth_date: keys.ids[row].birth_date(),
        region: keys.region_codes[row].as_deref(),
    };
    let births: Vec<NaiveDate> = facts
        .birth_date
        .into_iter()
        .chain(facts.id_birth_date.filter(|d| Some(*d) != facts.birth_date))
        .collect();
    let row_county = facts.region.and_then(|r| r.get(..6));
    let id_county = id_text
        .and_then(|i| i.get(..6))
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()) && Some(*c) != row_county);
    let counties: Vec<&str> = row_county.into_iter().chain(id_county).collect();
    scratch.candidates.clear();
    let lookup = index.blocks.candidates(
        &blocking::Person {
            id: id_digits.as_deref().or(id_text),
            name: name_text,
            birth_dates: &births,
            counties: &counties,
        },
        facts.id.is_cut(),
        &mut scratch.candidates,
    );
    stats.skewed_keys_skipped += lookup.skewed as u64;
    if lookup.keys == 0 {
        stats.no_key += 1;
        return None;
    }
    stats.fuzzy += 1;
    stats.candidates_compared += scratch.candidates.len() as u64;
    best(index, roster, thresholds, row, &facts, &scratch.candidates)
}

/// The best-scoring candidate and its status; a tie is `review`.
fn best(
    index: &FuzzyIndex,
    roster: &Roster,
    thresholds: &[Thresholds],
    row: usize,
    facts: &RowFacts<'_>,
    candidates: &[u32],
) -> Option<super::Link> {
    let mut best: Option<(f64, u32, Levels)> = None;
    let mut tie = false;
    for &m in candidates {
        let levels = compare(index, roster, m, facts);
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
    (status != super::MatchStatus::Unmatched).then_some(super::Link {
        row_index: row as u64,
        member,
        score: s,
        method: if tie {
            super::MatchMethod::FuzzyTie
        } else {
            super::MatchMethod::Fuzzy
        },
        status,
        levels,
    })
}

/// Compares a row with one member, field by field.
fn compare(index: &FuzzyIndex, roster: &Roster, member: u32, row: &RowFacts<'_>) -> Levels {
    let m = &roster.members[member as usize];
    let region = roster
        .households
        .get(m.household as usize)
        .map(|h| h.region_code.as_str())
        .filter(|r| !r.is_empty());
    let id = match m.id.value.as_deref() {
        Some(member_id) => row.id.compare(member_id),
        None => IdLevel::Missing,
    };
    // The birth date inside a close id was already counted by the id level:
    // fall back to it only when the id says little.
    let birth = row.birth_date.or(match id {
        IdLevel::OneEdit | IdLevel::Truncated | IdLevel::TwoEdits => None,
        _ => row.id_birth_date,
    });
    let name = match (row.name, index.names.get(member)) {
        (Some(r), Some(m)) => comparison::compare_names(r, m),
        _ => comparison::NameLevel::Missing,
    };
    Levels {
        id,
        name: Some(name),
        birth_date: Some(comparison::compare_birth_date(
            birth,
            index.births[member as usize],
        )),
        region: Some(comparison::compare_region(row.region, region)),
    }
}
