//! The fuzzy path: a row whose id is invalid or missing, against the members
//! its blocking keys find (blocking.rs), each scored field by field
//! (comparison.rs, score.rs). What is compared of a member (id, birth date,
//! region, the name's characters) is read once, when the index is built,
//! into one cache line; what is compared of a row, once per row; the loop
//! over a row's candidates compares integers and allocates nothing (but for
//! a name too long to keep inline, read from the roster).
//!
//! Picking a row's best candidate ([`best`]) reads its candidates through
//! [`Members`]: the roster's, found by this index (`hedui run`), or the
//! members a join brought to the row ([`link_candidates`], the Spark job).
//! Both pick with the same code, so they decide alike.

use super::blocking::{self, BlockIndex};
use super::comparison::{self, IdLevel, IdProbe, Levels, NameRef};
use super::{score, LinkStats, Thresholds};
use crate::normalise::{Member, PersonKeys, Roster};
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
    fn of(roster: &Roster, m: &Member, scratch: &mut Vec<char>) -> Features {
        let region = member_region(roster, m);
        let (id, name) = (m.id.value.as_deref(), m.name_norm.as_deref());
        Features::new(id, m.id.birth_date(), region, name, scratch)
    }

    fn new(
        id: Option<&str>,
        birth: Option<NaiveDate>,
        region: Option<&str>,
        name: Option<&str>,
        scratch: &mut Vec<char>,
    ) -> Features {
        let mut f = Features {
            birth,
            ..Features::default()
        };
        f.id_len = inline(id, &mut f.id);
        f.region_len = inline(region, &mut f.region);
        if let Some(name) = name {
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

/// The member's household's `region_code`, if it has one.
fn member_region<'a>(roster: &'a Roster, m: &Member) -> Option<&'a str> {
    roster
        .households
        .get(m.household as usize)
        .map(|h| h.region_code.as_str())
        .filter(|r| !r.is_empty())
}

/// The member's county (the first six characters of the household's
/// `region_code`), as blocking reads it.
fn member_county<'a>(roster: &'a Roster, m: &Member) -> Option<&'a str> {
    let household = roster.households.get(m.household as usize);
    household.and_then(|h| h.region_code.get(..6))
}

/// What blocking reads of a member: `birth_dates` and `counties` are its
/// birth date and county, kept by the caller.
fn member_person<'a>(
    m: &'a Member,
    birth_dates: &'a [NaiveDate],
    counties: &'a [&'a str],
) -> blocking::Person<'a> {
    blocking::Person {
        id: m.id.value.as_deref(),
        name: m.name_norm.as_deref(),
        birth_dates,
        counties,
    }
}

/// Member `m`'s blocking keys, as the index holds them (sorted, distinct),
/// into `out`.
pub fn member_keys(roster: &Roster, m: &Member, out: &mut Vec<u64>) {
    let birth = m.id.birth_date();
    let county = member_county(roster, m);
    blocking::member_keys(&member_person(m, birth.as_slice(), county.as_slice()), out);
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
            .map(|m| member_county(roster, m))
            .collect();
        let blocks = BlockIndex::build(roster.members.len(), |i| {
            let i = i as usize;
            let (birth, county) = (&features[i].birth, &counties[i]);
            member_person(&roster.members[i], birth.as_slice(), county.as_slice())
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

/// What the fuzzy path reads of a row: its id (invalid or missing: the
/// normalised text, or the id inside its separators), name, birth dates and
/// region. Borrowed, so a row of an extract costs no copy; the Spark job
/// makes one from the columns it carried through its joins.
#[derive(Debug, Clone, Copy, Default)]
pub struct FuzzyRow<'a> {
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub birth_date: Option<NaiveDate>,
    /// The birth date inside the row's normalised id.
    pub id_birth_date: Option<NaiveDate>,
    pub region: Option<&'a str>,
}

impl<'a> FuzzyRow<'a> {
    /// Row `row` of `keys`, with `id` the text [`super::route`] gave.
    pub fn of(keys: &'a PersonKeys, row: usize, id: Option<&'a str>) -> FuzzyRow<'a> {
        FuzzyRow {
            id,
            name: keys.names[row].as_deref(),
            birth_date: keys.birth_dates[row],
            id_birth_date: keys.ids[row].birth_date(),
            region: keys.region_codes[row].as_deref(),
        }
    }

    /// The row's blocking keys, into `out` (cleared): sorted, distinct, as
    /// the single-node look-up asks them; none means `no_key`.
    pub fn keys(&self, out: &mut Vec<u64>) {
        let id_cut = IdProbe::new(self.id).is_cut();
        self.blocked(|person| blocking::row_keys(person, id_cut, out));
    }

    /// Calls `f` with what blocking reads of the row. Blocking reads ids as
    /// ASCII: digits recovered from scientific notation, or the ASCII
    /// characters of an id with a stray `×`; it meets members by both the
    /// row's birth date and its id's, by both its region's county and its
    /// id's.
    fn blocked<R>(&self, f: impl FnOnce(&blocking::Person<'_>) -> R) -> R {
        let id_digits: Option<String> = self.id.and_then(|t| {
            comparison::scientific_digits(t)
                .or_else(|| (!t.is_ascii()).then(|| t.chars().filter(char::is_ascii).collect()))
        });
        let births: Vec<NaiveDate> = self
            .birth_date
            .into_iter()
            .chain(self.id_birth_date.filter(|d| Some(*d) != self.birth_date))
            .collect();
        let row_county = self.region.and_then(|r| r.get(..6));
        let id_county = self
            .id
            .and_then(|i| i.get(..6))
            .filter(|c| c.bytes().all(|b| b.is_ascii_digit()) && Some(*c) != row_county);
        let counties: Vec<&str> = row_county.into_iter().chain(id_county).collect();
        f(&blocking::Person {
            id: id_digits.as_deref().or(self.id),
            name: self.name,
            birth_dates: &births,
            counties: &counties,
        })
    }
}

/// What the row says about its person, read once.
struct RowFacts<'a> {
    id: IdProbe<'a>,
    name: Option<NameRef<'a>>,
    birth_date: Option<NaiveDate>,
    id_birth_date: Option<NaiveDate>,
    region: Option<&'a str>,
}

impl<'a> RowFacts<'a> {
    /// `name` holds the name's characters (a buffer reused row to row).
    fn of(row: &FuzzyRow<'a>, name: &'a mut Vec<char>) -> RowFacts<'a> {
        name.clear();
        let plain = row.name.map(|n| comparison::push_name_chars(n, name));
        let chars: &'a [char] = name;
        RowFacts {
            id: IdProbe::new(row.id),
            name: plain.map(|plain| NameRef { chars, plain }),
            birth_date: row.birth_date,
            id_birth_date: row.id_birth_date,
            region: row.region,
        }
    }
}

/// The members candidates are numbers of, and what the fuzzy path compares
/// of each: its features, its fields that did not fit in them, and its
/// household's thresholds.
trait Members {
    fn features(&self, m: u32) -> &Features;
    fn id(&self, m: u32) -> Option<&str>;
    fn region(&self, m: u32) -> Option<&str>;
    fn name_norm(&self, m: u32) -> Option<&str>;
    fn thresholds(&self, m: u32) -> Thresholds;
}

/// The roster's members, by their index in it (`hedui run`).
struct OnRoster<'a> {
    index: &'a FuzzyIndex,
    roster: &'a Roster,
    /// Per household.
    thresholds: &'a [Thresholds],
}

impl Members for OnRoster<'_> {
    fn features(&self, m: u32) -> &Features {
        &self.index.features[m as usize]
    }

    fn id(&self, m: u32) -> Option<&str> {
        self.roster.members[m as usize].id.value.as_deref()
    }

    fn region(&self, m: u32) -> Option<&str> {
        let household = self.roster.members[m as usize].household as usize;
        let household = self.roster.households.get(household);
        household.map(|h| h.region_code.as_str())
    }

    fn name_norm(&self, m: u32) -> Option<&str> {
        self.roster.members[m as usize].name_norm.as_deref()
    }

    fn thresholds(&self, m: u32) -> Thresholds {
        let household = self.roster.members[m as usize].household as usize;
        let t = self.thresholds.get(household).copied();
        t.unwrap_or(Thresholds::DEFAULT)
    }
}

/// The row's best candidate, if any reaches `review`.
#[allow(clippy::too_many_arguments)]
pub(super) fn link(
    index: &FuzzyIndex,
    roster: &Roster,
    thresholds: &[Thresholds],
    row: &FuzzyRow<'_>,
    row_index: usize,
    scratch: &mut Scratch,
    stats: &mut LinkStats,
) -> Option<super::Link> {
    let facts = RowFacts::of(row, &mut scratch.name);
    scratch.candidates.clear();
    let lookup = row.blocked(|person| {
        let out = &mut scratch.candidates;
        index.blocks.candidates(person, facts.id.is_cut(), out)
    });
    stats.skewed_keys_skipped += lookup.skewed as u64;
    if lookup.keys == 0 {
        stats.no_key += 1;
        return None;
    }
    stats.fuzzy += 1;
    stats.candidates_compared += scratch.candidates.len() as u64;
    let members = OnRoster {
        index,
        roster,
        thresholds,
    };
    best(&members, row_index, &facts, &scratch.candidates)
}

/// A member a join brought to a row as a candidate (the Spark job): what
/// the fuzzy path compares of it, and its household's thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index into [`Roster::members`].
    pub member: u32,
    pub id: Option<String>,
    /// The birth date inside the member's id.
    pub birth_date: Option<NaiveDate>,
    /// The household's `region_code` (`None` if empty).
    pub region: Option<String>,
    pub name_norm: Option<String>,
    pub thresholds: Thresholds,
}

impl Candidate {
    /// Member `m` of the roster as a candidate; `thresholds` per household.
    pub fn of(roster: &Roster, m: u32, thresholds: &[Thresholds]) -> Candidate {
        let member = &roster.members[m as usize];
        let t = thresholds.get(member.household as usize).copied();
        Candidate {
            member: m,
            id: member.id.value.clone(),
            birth_date: member.id.birth_date(),
            region: member_region(roster, member).map(str::to_string),
            name_norm: member.name_norm.clone(),
            thresholds: t.unwrap_or(Thresholds::DEFAULT),
        }
    }
}

/// Candidates that came through a join, by their position in the list.
struct Joined<'a> {
    candidates: &'a [Candidate],
    features: Vec<Features>,
}

impl Members for Joined<'_> {
    fn features(&self, m: u32) -> &Features {
        &self.features[m as usize]
    }

    fn id(&self, m: u32) -> Option<&str> {
        self.candidates[m as usize].id.as_deref()
    }

    fn region(&self, m: u32) -> Option<&str> {
        self.candidates[m as usize].region.as_deref()
    }

    fn name_norm(&self, m: u32) -> Option<&str> {
        self.candidates[m as usize].name_norm.as_deref()
    }

    fn thresholds(&self, m: u32) -> Thresholds {
        self.candidates[m as usize].thresholds
    }
}

/// The fuzzy path for a row whose candidates a join found (the Spark job):
/// `candidates` are the distinct members sharing a key of the row's
/// ([`FuzzyRow::keys`]) that is not skewed, `skewed` how many of its keys
/// were. Candidates are compared in member order, as the single-node index
/// gives them, so ties and the pruning by `weight_bound` fall alike.
pub fn link_candidates(
    row: &FuzzyRow<'_>,
    row_index: usize,
    candidates: &mut Vec<Candidate>,
    skewed: u64,
) -> (Option<super::Link>, LinkStats) {
    candidates.sort_by_key(|c| c.member);
    candidates.dedup_by_key(|c| c.member);
    let stats = LinkStats {
        fuzzy: 1,
        candidates_compared: candidates.len() as u64,
        skewed_keys_skipped: skewed,
        ..LinkStats::default()
    };
    let mut name = Vec::new();
    let facts = RowFacts::of(row, &mut name);
    let mut scratch = Vec::new();
    let features = candidates
        .iter()
        .map(|c| {
            let (id, region) = (c.id.as_deref(), c.region.as_deref());
            Features::new(
                id,
                c.birth_date,
                region,
                c.name_norm.as_deref(),
                &mut scratch,
            )
        })
        .collect();
    let joined = Joined {
        candidates,
        features,
    };
    let positions: Vec<u32> = (0..candidates.len() as u32).collect();
    let link = best(&joined, row_index, &facts, &positions).map(|mut l| {
        l.member = candidates[l.member as usize].member;
        l
    });
    (link, stats)
}

/// The best-scoring candidate and its status; a tie is `review`.
fn best(
    members: &impl Members,
    row: usize,
    facts: &RowFacts<'_>,
    candidates: &[u32],
) -> Option<super::Link> {
    // Every candidate's features asked for at once (see `prefetch`).
    for &m in candidates {
        super::prefetch(members.features(m));
    }
    let mut best: Option<(f64, u32, Levels)> = None;
    let mut tie = false;
    for &m in candidates {
        let floor = best.map(|(bw, _, _)| bw);
        let Some((w, levels)) = compare(members, m, facts, floor) else {
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
    let s = score::score(weight);
    let status = members.thresholds(member).status(s, levels.id, tie);
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
    members: &impl Members,
    member: u32,
    row: &RowFacts<'_>,
    floor: Option<f64>,
) -> Option<(f64, Levels)> {
    let f = members.features(member);
    let region = match f.region_len {
        0 => None,
        ELSEWHERE => members.region(member),
        n => Some(ascii(&f.region[..n as usize])),
    };
    let name = match (row.name, f.name_len) {
        (None, _) | (_, 0) => comparison::NameLevel::Missing,
        (Some(r), ELSEWHERE) => comparison::compare_name(
            Some(&r.chars.iter().collect::<String>()),
            members.name_norm(member),
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
        ELSEWHERE => row.id.compare(members.id(member).unwrap_or_default()),
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
