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
mod fuzzy;
pub mod score;

use crate::normalise::{PersonKeys, Roster};
use crate::quality::{DataQuality, Problem};
use crate::schema::{code_enum, Dataset};
pub use comparison::{BirthDateLevel, IdLevel, Levels, NameLevel, RegionLevel};
use fuzzy::FuzzyIndex;
pub use fuzzy::{link_candidates, member_keys, Candidate, FuzzyRow};
use rayon::prelude::*;
pub use score::Thresholds;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

code_enum!(
    /// How confident a link is, by the policy's `match_accept` /
    /// `match_review`; ordered by trust (`Thresholds::status` caps with it).
    MatchStatus {
        Unmatched = "unmatched" / "未关联",
        /// Only raises `manual_review`; never a fact.
        Review = "review" / "待人工确认（仅提示复核）",
        /// Used as a fact.
        Matched = "matched" / "已关联（作为事实使用）",
    }
);

code_enum!(
    /// Which path produced a link.
    MatchMethod {
        /// Normalised id numbers equal (legacy 15-digit ids converted first).
        IdExact = "id_exact" / "证件号一致",
        /// Normalised id equal to more than one roster member (a duplicated
        /// id on the roster): linked to the first, for review.
        IdExactAmbiguous = "id_exact_ambiguous" / "证件号一致但花名册重复",
        /// Blocking and scoring (invalid or missing id): the best candidate.
        Fuzzy = "fuzzy" / "模糊匹配",
        /// Blocking and scoring, with two or more members sharing the best
        /// score: linked to the first (roster order), for review.
        FuzzyTie = "fuzzy_tie" / "模糊匹配（并列最高）",
    }
);

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
    pub stats: LinkStats,
}

/// Which path each row of a dataset took, and what the fuzzy path cost
/// (run.json `extracts[].link`): the first four add up to the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkStats {
    /// The normalised id is a member's.
    pub id_exact: u64,
    /// A valid id that is no member's: another person, never compared.
    pub id_other_person: u64,
    /// An invalid or missing id, with blocking keys: scored against the
    /// members sharing one.
    pub fuzzy: u64,
    /// An invalid or missing id and nothing else to block on.
    pub no_key: u64,
    /// (row, member) pairs scored on the fuzzy path.
    pub candidates_compared: u64,
    /// (row, key) pairs not compared through because the key's block is
    /// skewed (more than `blocking::MAX_BLOCK` members).
    pub skewed_keys_skipped: u64,
}

impl LinkStats {
    pub fn add(&mut self, other: &LinkStats) {
        self.id_exact += other.id_exact;
        self.id_other_person += other.id_other_person;
        self.fuzzy += other.fuzzy;
        self.no_key += other.no_key;
        self.candidates_compared += other.candidates_compared;
        self.skewed_keys_skipped += other.skewed_keys_skipped;
    }
}

/// The roster's members by normalised id, and (built on first need) by
/// blocking key.
pub struct MemberIndex {
    /// A member's index, or [`SHARED`] plus an index into `shared` when
    /// several members have the id: almost every id is one member's, and a
    /// `Vec` for each would cost an allocation per member. foldhash with a
    /// fixed seed: SipHash was a visible part of the run, and a fixed seed
    /// keeps runs reproducible. Ids of 18 bytes (nearly all) are keyed by
    /// those bytes ([`id_number_key`]): a look-up then reads one slot of the
    /// table, not also the key's string elsewhere in memory, for each of
    /// tens of millions of extract rows.
    by_number: HashMap<[u8; 18], u32, foldhash::fast::FixedState>,
    by_text: HashMap<Box<str>, u32, foldhash::fast::FixedState>,
    shared: Vec<Vec<u32>>,
    fuzzy: OnceLock<FuzzyIndex>,
}

/// An id of 18 bytes (nearly every id) as a fixed-size key, held inside
/// the table's slot; `None` for any other length.
fn id_number_key(id: &str) -> Option<[u8; 18]> {
    id.as_bytes().try_into().ok()
}

/// Marks a `by_number` or `by_text` value as an index into `MemberIndex::shared`.
const SHARED: u32 = 1 << 31;

impl MemberIndex {
    /// Indexes every member with an id; ids shared by several members are
    /// reported as `duplicate_id_number`.
    pub fn new(roster: &Roster, quality: &mut Vec<DataQuality>) -> MemberIndex {
        let mut index = MemberIndex {
            by_number: HashMap::with_capacity_and_hasher(roster.members.len(), Default::default()),
            by_text: HashMap::default(),
            shared: Vec::new(),
            fuzzy: OnceLock::new(),
        };
        for (i, m) in roster.members.iter().enumerate() {
            let Some(id) = m.id.value.as_deref() else {
                continue;
            };
            let slot = match id_number_key(id) {
                Some(n) => index.by_number.entry(n),
                None => {
                    let Some(v) = index.by_text.get_mut(id) else {
                        index.by_text.insert(id.into(), i as u32);
                        continue;
                    };
                    Self::share(&mut index.shared, v, i, m, quality);
                    continue;
                }
            };
            match slot {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i as u32);
                }
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    Self::share(&mut index.shared, e.get_mut(), i, m, quality);
                }
            }
        }
        index
    }

    /// Member `i` has an id an earlier member has: reported (every member
    /// after the first, in member order) and added to the id's members.
    fn share(
        shared: &mut Vec<Vec<u32>>,
        v: &mut u32,
        i: usize,
        m: &crate::normalise::Member,
        quality: &mut Vec<DataQuality>,
    ) {
        quality.push(DataQuality::new(
            Dataset::Members,
            m.row_index,
            "id_number",
            Problem::DuplicateIdNumber,
            m.id.value.clone(),
        ));
        if *v & SHARED == 0 {
            shared.push(vec![*v]);
            *v = SHARED | (shared.len() - 1) as u32;
        }
        shared[(*v & !SHARED) as usize].push(i as u32);
    }

    pub fn get(&self, id: &str) -> &[u32] {
        let found = match id_number_key(id) {
            Some(n) => self.by_number.get(&n),
            None => self.by_text.get(id),
        };
        match found {
            None => &[],
            Some(v) if v & SHARED == 0 => std::slice::from_ref(v),
            Some(v) => &self.shared[(v & !SHARED) as usize],
        }
    }

    /// [`MemberIndex::new`] with the blocking index built at the same time:
    /// the id table is built on one thread, and the blocking index, which
    /// does not need it, keeps the other cores busy meanwhile.
    pub fn with_fuzzy(roster: &Roster, quality: &mut Vec<DataQuality>) -> MemberIndex {
        let (index, fuzzy) = rayon::join(
            || MemberIndex::new(roster, quality),
            || FuzzyIndex::build(roster),
        );
        let _ = index.fuzzy.set(fuzzy);
        index
    }

    /// The first member (in roster order) with `id`, and whether others
    /// have it too.
    pub fn first(&self, id: &str) -> Option<(u32, bool)> {
        let (&member, rest) = self.get(id).split_first()?;
        Some((member, !rest.is_empty()))
    }

    /// Frees the blocking index and the members' comparison features once
    /// every extract is linked (later stages join on ids only): a few
    /// hundred MB at province scale, no longer held through the outputs.
    pub fn release_fuzzy(&mut self) {
        self.fuzzy.take();
    }

    fn fuzzy(&self, roster: &Roster) -> &FuzzyIndex {
        self.fuzzy.get_or_init(|| FuzzyIndex::build(roster))
    }
}

/// Asks the CPU to bring `value` into the cache now, without waiting for
/// it: the fuzzy path reads a row's candidates and index groups at random
/// places in hundreds of MB, and asking for them together lets the cache
/// misses overlap. No library offers this for stable Rust but the
/// standard library's intrinsic, behind a `cfg`; elsewhere it does nothing.
#[inline]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never faults and changes no memory,
    // and SSE (the intrinsic's target feature) is part of x86_64.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Rows per parallel chunk: big enough to amortise the task, small enough
/// to balance fuzzy-heavy stretches.
const CHUNK: usize = 4 * 1024;

/// Links every row of one extract. `thresholds` is indexed like
/// [`Roster::households`]: a link's status uses its member's household's.
pub fn link_dataset(
    index: &MemberIndex,
    roster: &Roster,
    keys: &PersonKeys,
    thresholds: &[Thresholds],
) -> DatasetLinks {
    let dataset = keys.dataset.expect("person keys name their dataset");
    let chunks: Vec<(Vec<Link>, LinkStats)> = (0..keys.len())
        .into_par_iter()
        .step_by(CHUNK)
        .map(|start| {
            let end = (start + CHUNK).min(keys.len());
            let mut out = Vec::new();
            let mut stats = LinkStats::default();
            let mut scratch = fuzzy::Scratch::default();
            for row in start..end {
                let found = link_row(
                    index,
                    roster,
                    keys,
                    thresholds,
                    row,
                    &mut scratch,
                    &mut stats,
                );
                out.extend(found);
            }
            (out, stats)
        })
        .collect();
    let mut stats = LinkStats::default();
    let mut links = Vec::with_capacity(chunks.iter().map(|c| c.0.len()).sum());
    for (chunk, chunk_stats) in chunks {
        links.extend(chunk);
        stats.add(&chunk_stats);
    }
    DatasetLinks {
        dataset,
        rows: keys.len(),
        links,
        stats,
    }
}

fn link_row(
    index: &MemberIndex,
    roster: &Roster,
    keys: &PersonKeys,
    thresholds: &[Thresholds],
    row: usize,
    scratch: &mut fuzzy::Scratch,
    stats: &mut LinkStats,
) -> Option<Link> {
    let id = &keys.ids[row];
    match route(id.value.as_deref(), id.valid, |text| index.first(text)) {
        Route::Exact { member, shared } => {
            stats.id_exact += 1;
            Some(exact(row as u64, member, shared))
        }
        Route::OtherPerson => {
            stats.id_other_person += 1;
            None
        }
        Route::Fuzzy(text) => {
            let fuzzy_row = FuzzyRow::of(keys, row, text.as_deref());
            let fuzzy_index = index.fuzzy(roster);
            fuzzy::link(
                fuzzy_index,
                roster,
                thresholds,
                &fuzzy_row,
                row,
                scratch,
                stats,
            )
        }
    }
}

/// Which path a row takes (rules.md "Matching").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'a> {
    /// Its id is `member`'s, and `shared` with other members (then
    /// `id_exact_ambiguous`, for review).
    Exact { member: u32, shared: bool },
    /// A valid id that is no member's: another person, never linked.
    OtherPerson,
    /// An invalid or missing id: the fuzzy path, with this id text (the
    /// normalised id, or the id inside its separators).
    Fuzzy(Option<Cow<'a, str>>),
}

/// The path of a row with normalised id `value` (`valid` as
/// [`crate::text::NormalizedId::valid`]), given `lookup` (an id's first
/// member and whether it is shared). The ids it looks up, in order: the
/// row's id, then (for an invalid one with separators) the id inside them.
/// `hedui run` looks them up in its [`MemberIndex`]; the Spark job first
/// with a lookup that finds nothing (which ids to join on, and the path if
/// none is a member's), then with what its join found.
pub fn route<'a>(
    value: Option<&'a str>,
    valid: bool,
    mut lookup: impl FnMut(&str) -> Option<(u32, bool)>,
) -> Route<'a> {
    let Some(value) = value else {
        return Route::Fuzzy(None);
    };
    if let Some((member, shared)) = lookup(value) {
        return Route::Exact { member, shared };
    }
    if valid {
        return Route::OtherPerson;
    }
    // Separators and quote marks (`512022-19800101-1234`, a
    // spreadsheet's leading `'`): the id inside is the row's id.
    let Some(text) = without_separators(value) else {
        return Route::Fuzzy(Some(Cow::Borrowed(value)));
    };
    if let Some((member, shared)) = lookup(&text) {
        return Route::Exact { member, shared };
    }
    if crate::text::normalize_id(Some(&text)).valid {
        return Route::OtherPerson;
    }
    Route::Fuzzy(Some(Cow::Owned(text)))
}

/// The exact path's link: the row's id is `member`'s (`shared` with others).
pub fn exact(row_index: u64, member: u32, shared: bool) -> Link {
    let (method, status) = if shared {
        (MatchMethod::IdExactAmbiguous, MatchStatus::Review)
    } else {
        (MatchMethod::IdExact, MatchStatus::Matched)
    };
    Link {
        row_index,
        member,
        score: 1.0,
        method,
        status,
        levels: Levels::EXACT,
    }
}

/// An id without its separators and quote marks, when it has any
/// (scientific notation keeps its `.`: not a separator).
fn without_separators(id: &str) -> Option<String> {
    const SEPARATORS: &[char] = &['-', '_', '/', '\'', '"', '`', '‘', '’', '“', '”', '—', '－'];
    id.contains(SEPARATORS)
        .then(|| id.chars().filter(|c| !SEPARATORS.contains(c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::Member;
    use crate::text::normalize_id;

    fn member(id: &str) -> Member {
        Member {
            id: normalize_id(Some(id)),
            ..Member::bare(0, 0)
        }
    }

    fn keys(ids: &[&str]) -> PersonKeys<'static> {
        PersonKeys {
            dataset: Some(Dataset::Vehicles),
            ids: ids.iter().map(|s| normalize_id(Some(s)).into()).collect(),
            names: vec![None; ids.len()],
            birth_dates: vec![None; ids.len()],
            region_codes: vec![None; ids.len()],
        }
    }

    #[test]
    fn ids_of_18_bytes_and_other_ids_both_reach_their_member() {
        assert!(id_number_key("11010519491231002X").is_some());
        assert!(id_number_key("1101051949123100").is_none());
        let roster = Roster {
            households: vec![crate::normalise::Household::bare("h", "110105")],
            members: vec![member("11010519491231002X"), member("5120221980ABC")],
        };
        let text = roster.members[1].id.value.clone().expect("kept as written");
        assert_eq!(id_number_key(&text), None);
        let index = MemberIndex::new(&roster, &mut Vec::new());
        assert_eq!(index.get("11010519491231002X"), &[0]);
        assert_eq!(index.get(&text), &[1]);
        assert_eq!(index.get("110105194912310029"), &[] as &[u32]);
        assert_eq!(index.get("11010519491231002x"), &[] as &[u32]);
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

    // ---------------------------------------------------------------
    // The fuzzy path.
    // ---------------------------------------------------------------

    use crate::normalise::Household;
    use chrono::NaiveDate;

    fn household(region: &str) -> Household {
        Household::bare(&format!("H{region}"), region)
    }

    fn named(id: &str, name: &str, household: u32) -> Member {
        Member {
            name: Some(name.into()),
            name_norm: crate::text::normalize_name(Some(name)).value,
            household,
            ..member(id)
        }
    }

    /// A valid id for 乐至县 from a birth date and a sequence number.
    fn valid(birth: &str, seq: u32) -> String {
        let body = format!("512022{birth}{seq:03}");
        format!("{body}{}", crate::text::check_digit(&body).unwrap())
    }

    /// `id` with its 11th character changed: one edit, invalid.
    fn typo(id: &str) -> String {
        let mut b = id.as_bytes().to_vec();
        b[10] = if b[10] == b'0' { b'1' } else { b'0' };
        String::from_utf8(b).unwrap()
    }

    struct Row<'a> {
        id: &'a str,
        name: &'a str,
        birth: Option<&'a str>,
        region: Option<&'a str>,
    }

    fn rows(rows: &[Row<'_>]) -> PersonKeys<'static> {
        PersonKeys {
            dataset: Some(Dataset::Deaths),
            ids: rows
                .iter()
                .map(|r| normalize_id(Some(r.id)).into())
                .collect(),
            names: rows
                .iter()
                .map(|r| crate::text::normalize_name(Some(r.name)).value)
                .collect(),
            birth_dates: rows
                .iter()
                .map(|r| {
                    r.birth
                        .map(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d").unwrap())
                })
                .collect(),
            region_codes: rows.iter().map(|r| r.region.map(str::to_string)).collect(),
        }
    }

    fn world() -> Roster {
        Roster {
            households: vec![household("512022101001"), household("512022102003")],
            members: vec![
                named(&valid("19800101", 101), "王芳", 0),
                named(&valid("19800101", 103), "王芳", 1), // a namesake twin elsewhere in the county
                named(&valid("19620505", 202), "阿依古丽·买买提", 1),
            ],
        }
    }

    fn link(roster: &Roster, keys: &PersonKeys<'_>, t: &[Thresholds]) -> Vec<Option<Link>> {
        let mut q = Vec::new();
        let index = MemberIndex::new(roster, &mut q);
        let links = link_dataset(&index, roster, keys, t);
        (0..keys.len() as u64)
            .map(|r| links.links.iter().find(|l| l.row_index == r).copied())
            .collect()
    }

    #[test]
    fn a_mistyped_id_with_the_members_name_is_matched_fuzzily() {
        let r = world();
        let id = valid("19620505", 202);
        let got = link(
            &r,
            &rows(&[Row {
                id: &typo(&id),
                name: "阿依古丽•买买提",
                birth: None,
                region: None,
            }]),
            &[],
        );
        let l = got[0].expect("linked");
        assert_eq!(
            (l.member, l.method, l.status),
            (2, MatchMethod::Fuzzy, MatchStatus::Matched)
        );
        assert_eq!(l.levels.id, IdLevel::OneEdit);
        assert_eq!(l.levels.name, Some(NameLevel::Exact));
        assert!(l.score > 0.99 && l.score < 1.0);
    }

    #[test]
    fn an_id_inside_separators_or_quotes_is_that_id() {
        let r = world();
        let id = valid("19620505", 202);
        let dashed = format!("{}-{}-{}", &id[..6], &id[6..14], &id[14..]);
        let quoted = format!("'{id}");
        let twin = format!("'{}", valid("19620505", 204));
        let dashed_typo = format!("{}-{}", &typo(&id)[..6], &typo(&id)[6..]);
        let got = link(
            &r,
            &rows(&[
                Row {
                    id: &dashed,
                    name: "",
                    birth: None,
                    region: None,
                },
                Row {
                    id: &quoted,
                    name: "",
                    birth: None,
                    region: None,
                },
                Row {
                    id: &twin,
                    name: "阿依古丽·买买提",
                    birth: Some("1962-05-05"),
                    region: Some("512022102003"),
                },
                Row {
                    id: &dashed_typo,
                    name: "阿依古丽·买买提",
                    birth: None,
                    region: None,
                },
            ]),
            &[],
        );
        for l in &got[..2] {
            let l = l.expect("linked");
            assert_eq!(
                (l.member, l.method, l.status),
                (2, MatchMethod::IdExact, MatchStatus::Matched)
            );
        }
        // A valid id inside the quotes is someone else's: never linked.
        assert_eq!(got[2], None);
        // A mistyped id with separators: compared without them.
        let l = got[3].expect("linked");
        assert_eq!(
            (l.member, l.levels.id, l.status),
            (2, IdLevel::OneEdit, MatchStatus::Matched)
        );
    }

    #[test]
    fn a_valid_id_of_someone_else_is_never_linked_whatever_the_name() {
        let r = world();
        let twin = valid("19800101", 105);
        let got = link(
            &r,
            &rows(&[Row {
                id: &twin,
                name: "王芳",
                birth: Some("1980-01-01"),
                region: Some("512022101001"),
            }]),
            &[],
        );
        assert_eq!(got, vec![None]);
    }

    #[test]
    fn without_an_id_the_best_candidate_is_only_reviewed() {
        let r = world();
        let got = link(
            &r,
            &rows(&[Row {
                id: "",
                name: "阿依古丽买买提",
                birth: Some("1962-05-05"),
                region: Some("512022102003"),
            }]),
            &[],
        );
        let l = got[0].expect("linked for review");
        assert_eq!((l.member, l.status), (2, MatchStatus::Review));
        assert_eq!(l.levels.id, IdLevel::Missing);
    }

    #[test]
    fn equal_best_scores_for_two_members_are_a_tie_for_review() {
        let r = world();
        // Name and birth date fit both 王芳; the county fits both; no township given.
        let got = link(
            &r,
            &rows(&[Row {
                id: "",
                name: "王芳",
                birth: Some("1980-01-01"),
                region: Some("512022"),
            }]),
            &[],
        );
        let l = got[0].expect("linked for review");
        assert_eq!(
            (l.member, l.method, l.status),
            (0, MatchMethod::FuzzyTie, MatchStatus::Review)
        );
    }

    #[test]
    fn the_linked_members_household_thresholds_decide_the_status() {
        let r = world();
        let id = valid("19620505", 202);
        let keys = rows(&[Row {
            id: &typo(&id),
            name: "阿依古丽·买买提",
            birth: None,
            region: None,
        }]);
        let strict = [
            Thresholds::DEFAULT,
            Thresholds {
                accept: 0.999_999,
                review: 0.5,
            },
        ];
        assert_eq!(
            link(&r, &keys, &strict)[0].unwrap().status,
            MatchStatus::Review
        );
        let other_household_strict = [
            Thresholds {
                accept: 0.999_999,
                review: 0.5,
            },
            Thresholds::DEFAULT,
        ];
        assert_eq!(
            link(&r, &keys, &other_household_strict)[0].unwrap().status,
            MatchStatus::Matched
        );
    }

    #[test]
    fn links_do_not_depend_on_the_thread_count() {
        let r = world();
        let mut many = Vec::new();
        for i in 0..10_000u32 {
            let m = &r.members[(i % 3) as usize];
            let id = m.id_number().to_string();
            let written = match i % 4 {
                0 => id,
                1 => typo(&id),
                2 => String::new(),
                _ => id[..17].to_string(),
            };
            many.push((written, m.name.clone().unwrap()));
        }
        let keys = rows(
            &many
                .iter()
                .map(|(id, name)| Row {
                    id,
                    name,
                    birth: Some("1980-01-01"),
                    region: None,
                })
                .collect::<Vec<_>>(),
        );
        let in_pool = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| link(&r, &keys, &[]))
        };
        assert_eq!(in_pool(1), in_pool(4));
    }
}
