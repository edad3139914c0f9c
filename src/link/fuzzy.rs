//! The fuzzy path: a row whose id is invalid or missing, against the members
//! its blocking keys find (blocking.rs), each scored field by field
//! (comparison.rs, score.rs). What is compared of a member (id, birth date,
//! region, the name's characters) is read once, when the index is built,
//! into one cache line; what is compared of a row, once per row; the loop
//! over a row's candidates compares integers and allocates nothing (but for
//! a name too long to keep inline, read from the roster).

use super::blocking::{self, BlockIndex};
use super::comparison::{self, IdLevel, IdProbe, Levels, NameRef};
use super::{score, LinkStats, Thresholds};
use crate::normalise::{PersonKeys, Roster};
use chrono::NaiveDate;
use rayon::prelude::*;

/// The blocking index and the members' comparison features.
pub(super) struct FuzzyIndex {
    blocks: BlockIndex,
    features: Vec<Features>,
}

/// What the fuzzy path compares of one member, in one cache line: a
/// candidate costs one memory read, not one per field (the roster's member,
/// its household, the id's and the region's heap strings). A field too
/// long to fit (rare: a long transliterated name, a malformed id) is
/// marked and read from the roster instead.
#[derive(Clone, Copy, Default)]
struct Features {
    id: [u8; 18],
    /// 0: no id; `u8::MAX`: read it from the roster.
    id_len: u8,
    birth: Option<NaiveDate>,
    /// The household's `region_code`; 0: none; `u8::MAX`: from the roster.
    region: [u8; 12],
    region_len: u8,
    name: [char; NAME_INLINE],
    /// 0: no name; `u8::MAX`: read it from the roster.
    name_len: u8,
    name_plain: bool,
}

const NAME_INLINE: usize = 4;
const ELSEWHERE: u8 = u8::MAX;

/// Copies `text` into `out` if it fits; its length, 0 for none, or
/// [`ELSEWHERE`].
fn inline(text: Option<&str>, out: &mut [u8]) -> u8 {
    match text.filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) if t.len() <= out.len() => {
            out[..t.len()].copy_from_slice(t.as_bytes());
            t.len() as u8
        }
        Some(_) => ELSEWHERE,
    }
}

impl Features {
    fn of(roster: &Roster, m: &crate::normalise::Member, scratch: &mut Vec<char>) -> Features {
        let mut f = Features {
            birth: m.id.birth_date(),
            ..Features::default()
        };
        f.id_len = inline(m.id.value.as_deref(), &mut f.id);
        let region = roster
            .households
            .get(m.household as usize)
            .map(|h| h.region_code.as_str())
            .filter(|r| !r.is_empty());
        f.region_len = inline(region, &mut f.region);
        if let Some(name) = m.name_norm.as_deref() {
            scratch.clear();
            f.name_plain = comparison::push_name_chars(name, scratch);
            if scratch.len() <= NAME_INLINE {
                f.name[..scratch.len()].copy_from_slice(scratch);
                f.name_len = scratch.len() as u8;
            } else {
                f.name_len = ELSEWHERE;
            }
        }
        f
    }
}

impl FuzzyIndex {
    pub(super) fn build(roster: &Roster) -> FuzzyIndex {
        let features: Vec<Features> = roster
            .members
            .par_iter()
            .map_init(Vec::new, |scratch, m| Features::of(roster, m, scratch))
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
                birth_dates: features[i as usize].birth.as_slice(),
                counties: counties[i as usize].as_slice(),
            }
        });
        FuzzyIndex { blocks, features }
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
    // Every candidate's features asked for at once (see `prefetch`).
    for &m in candidates {
        super::prefetch(&index.features[m as usize]);
    }
    let mut best: Option<(f64, u32, Levels)> = None;
    let mut tie = false;
    for &m in candidates {
        let floor = best.map(|(bw, _, _)| bw);
        let Some((w, levels)) = compare(index, roster, m, facts, floor) else {
            continue;
        };
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

/// Compares a row with one member, field by field: its match weight and
/// levels, or `None` when it cannot weigh as much as `floor` (the best so
/// far) whatever its id level. The id is compared last, and only then:
/// it is the costliest field, and most candidates are someone else.
fn compare(
    index: &FuzzyIndex,
    roster: &Roster,
    member: u32,
    row: &RowFacts<'_>,
    floor: Option<f64>,
) -> Option<(f64, Levels)> {
    let f = &index.features[member as usize];
    let m = || &roster.members[member as usize];
    let region = match f.region_len {
        0 => None,
        ELSEWHERE => roster
            .households
            .get(m().household as usize)
            .map(|h| h.region_code.as_str()),
        n => Some(ascii(&f.region[..n as usize])),
    };
    let name = match (row.name, f.name_len) {
        (None, _) | (_, 0) => comparison::NameLevel::Missing,
        (Some(r), ELSEWHERE) => comparison::compare_name(
            Some(&r.chars.iter().collect::<String>()),
            m().name_norm.as_deref(),
        ),
        (Some(r), n) => comparison::compare_names(
            r,
            NameRef {
                chars: &f.name[..n as usize],
                plain: f.name_plain,
            },
        ),
    };
    let region = comparison::compare_region(row.region, region);
    // The birth date inside a close id was already counted by the id level:
    // fall back to it only when the id says little.
    let birth_if_close = comparison::compare_birth_date(row.birth_date, f.birth);
    let birth_if_far = match row.birth_date {
        Some(_) => birth_if_close,
        None => comparison::compare_birth_date(row.id_birth_date, f.birth),
    };
    if floor.is_some_and(|floor| {
        score::weight_bound(name, [birth_if_close, birth_if_far], region) < floor
    }) {
        return None;
    }
    let id = match f.id_len {
        0 => IdLevel::Missing,
        ELSEWHERE => row.id.compare(m().id.value.as_deref().unwrap_or_default()),
        n => row.id.compare(ascii(&f.id[..n as usize])),
    };
    let birth_date = match id {
        IdLevel::OneEdit | IdLevel::Truncated | IdLevel::TwoEdits => birth_if_close,
        _ => birth_if_far,
    };
    let levels = Levels {
        id,
        name: Some(name),
        birth_date: Some(birth_date),
        region: Some(region),
    };
    Some((score::match_weight(&levels), levels))
}

/// Text that was a `&str` when it was inlined.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("inlined from a str")
}
