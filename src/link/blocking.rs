//! Blocking rules: which members are worth comparing with a row whose id is
//! invalid or missing. Every rule is an equality key: a member is a
//! candidate for the row when they share a key under any rule. Each rule
//! holds a birth date, a sequence number or a township, so a block stays
//! small however many people live in the county; a key shared by more than
//! [`MAX_BLOCK`] members is *skewed* and not compared through (run.json
//! counts such keys). The index is built once per run (the first time a row
//! needs it): every (key hash, member) pair, grouped by the hash's top bits.
//! Keys are hashed as they are made, without allocating; a look-up reads one
//! small group; the same candidates come out whatever the thread count.

use super::comparison::unit_sounds;
use chrono::NaiveDate;
use rayon::prelude::*;

/// A blocking rule (Splink's term). Rules are OR-ed: a candidate needs one.
/// A member has the keys of every rule; a row only those its fields allow,
/// and the two fallbacks only when it lacks the stronger field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum BlockingRule {
    /// The id one edit away (substitution, insertion, deletion, swap of
    /// neighbours). Six keys per id, so that any one edit leaves one intact:
    /// the last 11 characters (edits in the first 7); the first 6 with the
    /// last 8 (edits in characters 7–10); the first 9 with the last 3
    /// (edits in 10–15); the first 14 (region + birth date) with the 15th
    /// and 16th, with the last two, or with the 15th and the last (edits
    /// from the 15th on). Each holds the birth day or the sequence number.
    IdNeighbour,
    /// The first 14 characters alone, for a row whose id a spreadsheet cut
    /// after them (`IdProbe::is_cut`): all a cut id says.
    IdCut,
    /// The name's sound (pinyin, see `comparison::name_sound`) and a birth date.
    SoundBirthDate,
    /// Birth date and the name's first sound (the surname): survives noise
    /// in the given name.
    BirthDateSurname,
    /// Birth date and the name's last sound: survives a placeholder or
    /// pinyin in the surname.
    BirthDateLastSound,
    /// The name's sound and the county: for a row without a birth date.
    SoundCounty,
    /// Birth date and county: for a row without a name.
    BirthDateCounty,
}

/// Blocks bigger than this are skew and skipped: a key shared by that many
/// members (a placeholder birth date such as 1900-01-01, a common name in a
/// county) says nothing about who the row is.
pub const MAX_BLOCK: usize = 64;

/// A byte-stream hash fed piece by piece: the same bytes give the same hash
/// however they are split (a name's sound comes a syllable or a letter at a
/// time), and it is stable across runs and platforms. Bytes are gathered
/// into 8-byte words and each word mixed with one multiplication: FNV-1a's
/// multiplication per byte was most of the cost of making 12 keys for each
/// of millions of members.
#[derive(Clone, Copy)]
struct KeyHash {
    hash: u64,
    word: u64,
    filled: u32,
}

impl KeyHash {
    fn new() -> KeyHash {
        KeyHash {
            hash: 0xcbf2_9ce4_8422_2325,
            word: 0,
            filled: 0,
        }
    }

    fn eat(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let n = (8 - self.filled as usize).min(bytes.len());
            let mut word = [0u8; 8];
            word[..n].copy_from_slice(&bytes[..n]);
            // `filled` is below 8 here: the shift stays below 64.
            self.word |= u64::from_le_bytes(word) << (8 * self.filled);
            self.filled += n as u32;
            if self.filled == 8 {
                self.mix();
            }
            bytes = &bytes[n..];
        }
    }

    /// A folded multiply (foldhash's and wyhash's): the 128-bit product's
    /// halves xor-ed, so a difference in any bit of the word reaches every
    /// bit of the state. A 64-bit multiply carries differences only upwards:
    /// keys of members whose region codes and id tails differ in a few
    /// low bits collided, and a few rows met strangers' blocks.
    fn mix(&mut self) {
        let product = u128::from(self.hash ^ self.word) * 0x9e37_79b9_7f4a_7c15;
        self.hash = (product as u64) ^ ((product >> 64) as u64);
        self.word = 0;
        self.filled = 0;
    }

    /// The hash with its bits mixed (splitmix64's finaliser): the index
    /// groups keys by their top bits. The count of bytes in the last word
    /// is mixed in, so `a` and `a\0` differ.
    fn finish(mut self) -> u64 {
        self.word ^= u64::from(self.filled) << 59;
        self.mix();
        let mut z = self.hash;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The key of a rule over its parts: the rule, then each part as
/// little-endian words, its last word holding the part's tail and length.
/// A key's parts arrive whole, so they skip [`KeyHash::eat`]'s gathering of
/// bytes into words: its copies were most of the cost of the dozen keys of
/// each of millions of members (docs/PERFORMANCE.md).
fn key(rule: BlockingRule, parts: &[&[u8]]) -> u64 {
    let mut h = KeyHash::new();
    h.word = rule as u64;
    h.mix();
    for part in parts {
        let mut words = part.chunks_exact(8);
        for word in &mut words {
            h.word = u64::from_le_bytes(word.try_into().expect("chunks of 8"));
            h.mix();
        }
        // A tail has at most 7 bytes: the top byte is free for the length.
        let mut last = (part.len() as u64 & 0xff) << 56;
        for (i, &b) in words.remainder().iter().enumerate() {
            last |= u64::from(b) << (8 * i);
        }
        h.word = last;
        h.mix();
    }
    h.finish()
}

/// A name's sounds as hashes: the whole name's, its first unit's (the
/// surname) and its last unit's; `None` for a name without units.
fn sound_hashes(name: &str) -> Option<[u64; 3]> {
    let (mut whole, mut first, mut last) = (KeyHash::new(), KeyHash::new(), KeyHash::new());
    let mut units = 0;
    unit_sounds(name, |unit, bytes| {
        whole.eat(bytes);
        if unit == 0 {
            first.eat(bytes);
        }
        if unit + 1 > units {
            units = unit + 1;
            last = KeyHash::new();
        }
        last.eat(bytes);
    });
    (units > 0).then(|| [whole.finish(), first.finish(), last.finish()])
}

/// What blocking reads of one person (a member or a row).
#[derive(Debug, Clone, Default)]
pub struct Person<'a> {
    /// The id text to block on (digits recovered from scientific notation).
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub birth_dates: &'a [NaiveDate],
    pub counties: &'a [&'a str],
}

/// One chunk of members' keys, as made: every key in member order, and
/// how many each member has.
type ChunkKeys = (Vec<u64>, Vec<u8>);

/// Whose keys: a member's (every rule) or a row's (see [`BlockingRule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Member,
    /// `id_cut`: the row's id lost its tail ([`BlockingRule::IdCut`]).
    Row {
        id_cut: bool,
    },
}

fn date_bytes(d: &NaiveDate) -> [u8; 4] {
    use chrono::Datelike;
    d.num_days_from_ce().to_le_bytes()
}

/// The id keys of [`BlockingRule::IdNeighbour`] and [`BlockingRule::IdCut`].
fn id_keys(id: &str, side: Side, out: &mut Vec<u64>) {
    use BlockingRule::*;
    let b = id.as_bytes();
    let n = b.len();
    if n >= 11 {
        out.push(key(IdNeighbour, &[b"s", &b[n - 11..]]));
    }
    if n >= 14 {
        out.push(key(IdNeighbour, &[b"a", &b[..6], &b[n - 8..]]));
        out.push(key(IdNeighbour, &[b"b", &b[..9], &b[n - 3..]]));
        if side == Side::Member || side == (Side::Row { id_cut: true }) {
            out.push(key(IdCut, &[&b[..14]]));
        }
    }
    if n >= 16 {
        let head = &b[..14];
        out.push(key(IdNeighbour, &[b"f", head, &b[14..16]]));
        out.push(key(IdNeighbour, &[b"l", head, &b[n - 2..]]));
        out.push(key(IdNeighbour, &[b"m", head, &b[14..15], &b[n - 1..]]));
    }
}

/// The keys of one person under every rule its side allows (duplicates
/// possible).
pub fn keys(p: &Person<'_>, side: Side, out: &mut Vec<u64>) {
    use BlockingRule::*;
    if let Some(id) = p.id.filter(|id| id.is_ascii()) {
        id_keys(id, side, out);
    }
    let sounds = p
        .name
        .and_then(sound_hashes)
        .map(|h| h.map(u64::to_le_bytes));
    let member = side == Side::Member;
    for d in p.birth_dates {
        let d = date_bytes(d);
        if let Some([whole, first, last]) = &sounds {
            out.push(key(SoundBirthDate, &[whole, &d]));
            out.push(key(BirthDateSurname, &[&d, first]));
            out.push(key(BirthDateLastSound, &[&d, last]));
        }
        if member || p.name.is_none() {
            for county in p.counties {
                out.push(key(BirthDateCounty, &[&d, county.as_bytes()]));
            }
        }
    }
    if member || p.birth_dates.is_empty() {
        for (whole, county) in sounds
            .iter()
            .flat_map(|[w, _, _]| p.counties.iter().map(move |c| (w, c)))
        {
            out.push(key(SoundCounty, &[whole, county.as_bytes()]));
        }
    }
}

/// A member's keys as the index holds them, into `out` (cleared): sorted,
/// distinct, so a key counts a member once towards [`MAX_BLOCK`].
pub fn member_keys(member: &Person<'_>, out: &mut Vec<u64>) {
    out.clear();
    keys(member, Side::Member, out);
    out.sort_unstable();
    out.dedup();
}

/// A row's keys as a look-up asks them, into `out` (cleared): sorted,
/// distinct; none when the row has nothing to block on.
pub fn row_keys(row: &Person<'_>, id_cut: bool, out: &mut Vec<u64>) {
    out.clear();
    keys(row, Side::Row { id_cut }, out);
    out.sort_unstable();
    out.dedup();
}

/// What a row's look-up met: its distinct keys, and how many of them were
/// skewed (blocks over [`MAX_BLOCK`], skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookup {
    pub keys: usize,
    pub skewed: usize,
}

/// Members by blocking key: every (key, member) pair, grouped by the key's
/// top bits (a counting sort by group, members in order within a group). A
/// group holds about 16 pairs, so a look-up reads a few adjacent cache
/// lines; no hash map, and no sort, is needed, and a pair takes 12 bytes.
#[derive(Debug, Default)]
pub struct BlockIndex {
    pairs: Vec<Pair>,
    /// Group g is `starts[g]..starts[g + 1]`.
    starts: Vec<u32>,
    /// A key's group is `key >> shift`.
    shift: u32,
}

/// A key and a member, unpadded (12 bytes, not 16: there are tens of
/// millions at province scale).
#[derive(Debug, Default, Clone, Copy)]
#[repr(C, packed(4))]
struct Pair {
    key: u64,
    member: u32,
}

/// Parallel tasks while building: a fixed number, so that the pairs' order
/// depends on the member count only, never on the thread count (each task
/// keeps a count per group: more tasks, more memory).
const BUILD_TASKS: usize = 8;

impl BlockIndex {
    /// Builds the index from each member's keys (`person(i)` for member i).
    /// Each task makes its members' keys once and keeps them (8 bytes a
    /// key) until it has placed them: making them a second time cost a
    /// second of both cores at 1M households, while every extract file
    /// waited for the index.
    pub fn build<'a, F>(members: usize, person: F) -> BlockIndex
    where
        F: Fn(u32) -> Person<'a> + Sync,
    {
        let keys_of = |m: u32, k: &mut Vec<u64>| member_keys(&person(m), k);
        let chunk = members.div_ceil(BUILD_TASKS).max(1);
        let chunks: Vec<std::ops::Range<u32>> = (0..members)
            .step_by(chunk)
            .map(|s| s as u32..(s + chunk).min(members) as u32)
            .collect();
        // About 16 pairs a group (a member has about 12 keys).
        let bits = (members * 12 / 16).max(2).ilog2().clamp(1, 26);
        let shift = 64 - bits;
        let groups = 1usize << bits;
        // Per task: its members' keys in member order, each member's count
        // of keys, and the pairs per group.
        let made: Vec<(Vec<u64>, Vec<u8>, Vec<u32>)> = chunks
            .par_iter()
            .map(|c| {
                let mut count = vec![0u32; groups];
                let mut all = Vec::with_capacity(c.len() * 12);
                let mut lens = Vec::with_capacity(c.len());
                let mut k = Vec::new();
                for m in c.clone() {
                    keys_of(m, &mut k);
                    for key in &k {
                        count[(key >> shift) as usize] += 1;
                    }
                    all.extend_from_slice(&k);
                    lens.push(u8::try_from(k.len()).expect("under 256 keys a member"));
                }
                (all, lens, count)
            })
            .collect();
        let (made, counts): (Vec<ChunkKeys>, Vec<Vec<u32>>) = made
            .into_iter()
            .map(|(all, lens, count)| ((all, lens), count))
            .unzip();
        // Chunk c's pairs of group g start after every earlier group's and
        // after earlier chunks' pairs of g.
        let mut starts = vec![0u32; groups + 1];
        let mut offsets = vec![vec![0u32; groups]; chunks.len()];
        let mut at = 0u32;
        for g in 0..groups {
            starts[g] = at;
            for (c, count) in counts.iter().enumerate() {
                offsets[c][g] = at;
                at += count[g];
            }
        }
        starts[groups] = at;
        drop(counts);
        // Not zeroed first: every slot is written once below, and writing
        // hundreds of MB twice cost a second at 1M households.
        let mut pairs: Vec<Pair> = Vec::with_capacity(at as usize);
        let out = SharedSlice::spare(&mut pairs, at as usize);
        chunks
            .into_par_iter()
            .zip(made)
            .zip(offsets)
            .for_each(|((c, (all, lens)), mut next)| {
                let mut at = 0;
                for (m, n) in c.zip(lens) {
                    for &key in &all[at..at + usize::from(n)] {
                        let slot = &mut next[(key >> shift) as usize];
                        // SAFETY: the offsets give every chunk disjoint slots.
                        unsafe { out.write(*slot as usize, Pair { key, member: m }) };
                        *slot += 1;
                    }
                    at += usize::from(n);
                }
            });
        // SAFETY: the chunks' slots cover 0..len (each group's offsets start
        // where the previous chunk's pairs of it end, and the counts are
        // the pairs written), so every slot was written above.
        unsafe { pairs.set_len(out.len) };
        BlockIndex {
            pairs,
            starts,
            shift,
        }
    }

    /// The members with `key`, in member order, and whether there were more
    /// than [`MAX_BLOCK`] (then none are added: skew). `start` is the first
    /// pair of the key's group, already read by the caller.
    fn block_into(&self, key: u64, start: usize, out: &mut Vec<u32>) -> bool {
        let end = self.starts[(key >> self.shift) as usize + 1] as usize;
        let before = out.len();
        for pair in &self.pairs[start..end] {
            if { pair.key } == key {
                out.push(pair.member);
            }
        }
        let skewed = out.len() - before > MAX_BLOCK;
        if skewed {
            out.truncate(before);
        }
        skewed
    }

    /// The candidates for a row: members sharing a key, sorted, distinct.
    pub fn candidates(&self, row: &Person<'_>, id_cut: bool, out: &mut Vec<u32>) -> Lookup {
        let mut k = Vec::with_capacity(16);
        row_keys(row, id_cut, &mut k);
        let mut lookup = Lookup {
            keys: k.len(),
            skewed: 0,
        };
        if !self.starts.is_empty() {
            // Each key's group is found, and its first pairs fetched, before
            // any group is scanned: in an index of hundreds of MB the ten or
            // so look-ups of a row each miss the cache, and asked together
            // the misses overlap instead of following one another.
            let groups: Vec<usize> = k
                .iter()
                .map(|&key| {
                    let start = self.starts[(key >> self.shift) as usize] as usize;
                    if let Some(pair) = self.pairs.get(start) {
                        super::prefetch(pair);
                    }
                    start
                })
                .collect();
            for (key, start) in k.into_iter().zip(groups) {
                lookup.skewed += usize::from(self.block_into(key, start, out));
            }
        }
        out.sort_unstable();
        out.dedup();
        lookup
    }
}

/// A slice that several threads write to at disjoint positions.
struct SharedSlice<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: writers are given disjoint positions (see `BlockIndex::build`).
unsafe impl<T: Send> Sync for SharedSlice<T> {}

impl<T> SharedSlice<T> {
    /// The first `len` slots of an empty `v`'s capacity.
    fn spare(v: &mut Vec<T>, len: usize) -> SharedSlice<T> {
        assert!(v.is_empty() && v.capacity() >= len);
        SharedSlice {
            ptr: v.as_mut_ptr(),
            len,
        }
    }

    /// SAFETY: no other thread writes or reads position `i` meanwhile.
    unsafe fn write(&self, i: usize, value: T) {
        assert!(i < self.len);
        unsafe { self.ptr.add(i).write(value) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "11010519491231002X";

    fn person<'a>(
        id: Option<&'a str>,
        name: Option<&'a str>,
        dates: &'a [NaiveDate],
        counties: &'a [&'a str],
    ) -> Person<'a> {
        Person {
            id,
            name,
            birth_dates: dates,
            counties,
        }
    }

    proptest! {
        /// A name's sound arrives a syllable or a letter at a time: the
        /// hash must not depend on where the pieces are cut.
        #[test]
        fn a_key_hash_does_not_depend_on_how_its_bytes_are_split(
            bytes in proptest::collection::vec(any::<u8>(), 0..100),
            cuts in proptest::collection::vec(0usize..100, 0..6),
        ) {
            let mut whole = KeyHash::new();
            whole.eat(&bytes);
            let mut pieces = KeyHash::new();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut at = 0;
            for c in cuts.into_iter().chain([bytes.len()]) {
                pieces.eat(&bytes[at..c]);
                at = c;
            }
            prop_assert_eq!(whole.finish(), pieces.finish());
        }
    }

    #[test]
    fn key_hashes_of_different_bytes_differ() {
        let hash = |b: &[u8]| {
            let mut h = KeyHash::new();
            h.eat(b);
            h.finish()
        };
        let texts: [&[u8]; 6] = [b"", b"a", b"a\0", b"\0", b"abcdefgh", b"abcdefgh\0"];
        let hashes: std::collections::BTreeSet<u64> = texts.iter().map(|t| hash(t)).collect();
        assert_eq!(hashes.len(), texts.len());
    }

    #[test]
    fn keys_differ_with_the_rule_and_where_parts_are_cut() {
        use BlockingRule::*;
        let keys = [
            key(SoundCounty, &[b"ab", b"c"]),
            key(SoundCounty, &[b"a", b"bc"]),
            key(SoundCounty, &[b"abc"]),
            key(SoundCounty, &[b"abc", b""]),
            key(BirthDateCounty, &[b"ab", b"c"]),
            key(SoundCounty, &[b"abcdefgh", b"i"]),
            key(SoundCounty, &[b"abcdefghi"]),
            key(SoundCounty, &[b"abcdefgh\0"]),
        ];
        let distinct: std::collections::BTreeSet<u64> = keys.iter().copied().collect();
        assert_eq!(distinct.len(), keys.len());
        assert_eq!(
            key(IdCut, &[b"11010519491231"]),
            key(IdCut, &[b"11010519491231"])
        );
    }

    /// Ids of one county whose region codes and tails differ in a few low
    /// bits (how real ids differ): each id key is its own.
    #[test]
    fn id_keys_of_nearby_ids_do_not_collide() {
        let mut seen = std::collections::HashSet::new();
        for township in 0..100 {
            let region = format!("5120{township:02}");
            for tail in 0..10_000 {
                let tail = format!("{tail:04}0011");
                let k = key(
                    BlockingRule::IdNeighbour,
                    &[b"a", region.as_bytes(), tail.as_bytes()],
                );
                assert!(seen.insert(k), "{region} {tail} collides");
            }
        }
    }

    fn index(members: &[Person<'static>]) -> BlockIndex {
        BlockIndex::build(members.len(), |i| members[i as usize].clone())
    }

    fn found(index: &BlockIndex, row: Person<'_>) -> Vec<u32> {
        let mut out = Vec::new();
        let id_cut = super::super::comparison::IdProbe::new(row.id).is_cut();
        index.candidates(&row, id_cut, &mut out);
        out
    }

    const D: &[NaiveDate] = &[];
    const C: &[&str] = &[];

    #[test]
    fn id_neighbour_finds_any_one_edit_and_a_cut_tail() {
        let idx = index(&[person(Some(ID), None, D, C)]);
        for row in [
            "11010519491231003X",  // substitution
            "11010591491231002X",  // swap of neighbours in the middle
            "11010519491213002X",  // swap in the birth day
            "11010519491230102X",  // swap across the 14th character
            "11015019491231002X",  // swap across the 6th character
            "11010591491231002X",  // swap across the 9th character
            "01110519491231002X",  // swap at the start
            "1101051949123100X2",  // swap at the end
            "11010519491231002",   // check digit lost
            "1101051949123100",    // two lost: still the first 14
            "110105194912310000",  // rounded by a spreadsheet
            "1101051949231002X",   // a digit dropped in the middle
            "110105194912331002X", // a digit added
        ] {
            assert_eq!(found(&idx, person(Some(row), None, D, C)), vec![0], "{row}");
        }
        assert!(found(&idx, person(Some("220105194912310021"), None, D, C)).is_empty());
        // Same region and birth date, another tail: not this member's id
        // and not a cut one, so the county-and-birthday block is not asked.
        assert!(found(&idx, person(Some("110105194912319876"), None, D, C)).is_empty());
        assert!(found(&idx, person(Some("11010"), None, D, C)).is_empty());
    }

    #[test]
    fn name_and_birth_date_rules_meet_through_noise() {
        let born = [NaiveDate::from_ymd_opt(1980, 1, 2).unwrap()];
        let other = [NaiveDate::from_ymd_opt(1980, 1, 3).unwrap()];
        let county = ["512022"];
        let elsewhere = ["530427"];
        let idx = BlockIndex::build(1, |_| person(Some(ID), Some("王小明"), &born, &county));
        // Name + county, without birth date; pinyin written for a character.
        assert_eq!(
            found(&idx, person(None, Some("王xiao明"), D, &county)),
            vec![0]
        );
        // Birth date + county, for a row without a name; a row with one
        // meets its members through the name's sound or ends.
        assert_eq!(found(&idx, person(None, None, &born, &county)), vec![0]);
        assert!(found(&idx, person(None, Some("李四"), &born, &county)).is_empty());
        // Birth date + surname, or + last sound, in another county.
        assert_eq!(
            found(&idx, person(None, Some("王*明"), &born, &elsewhere)),
            vec![0]
        );
        assert_eq!(
            found(&idx, person(None, Some("*小明"), &born, &elsewhere)),
            vec![0]
        );
        // Nothing shared.
        assert!(found(&idx, person(None, Some("王小明"), &other, &elsewhere)).is_empty());
        assert!(found(&idx, person(None, None, D, C)).is_empty());
    }

    #[test]
    fn a_common_name_in_a_big_county_gives_a_small_block() {
        // 2,000 namesakes in one county, born on 200 different days.
        let county = ["512022"];
        let days: Vec<[NaiveDate; 1]> = (0..200)
            .map(|d| [NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + chrono::Days::new(d)])
            .collect();
        let idx = BlockIndex::build(2_000, |i| {
            person(None, Some("王芳"), &days[i as usize % 200], &county)
        });
        // With a birth date: only the namesakes born that day.
        let with_birth = found(&idx, person(None, Some("王芳"), &days[7], &county));
        assert_eq!(
            with_birth,
            (0..10).map(|k| 7 + 200 * k).collect::<Vec<u32>>()
        );
        // Without one, name + county is all there is, and it is skew.
        let mut out = Vec::new();
        let row = person(None, Some("王芳"), D, &county);
        assert_eq!(idx.candidates(&row, false, &mut out).skewed, 1);
        assert!(out.is_empty());
    }

    #[test]
    fn oversized_blocks_are_skipped() {
        let born = [NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()];
        let county = ["512022"];
        let n = MAX_BLOCK + 1;
        let idx = BlockIndex::build(n, |_| person(None, None, &born, &county));
        let mut out = Vec::new();
        let lookup = idx.candidates(&person(None, None, &born, &county), false, &mut out);
        assert_eq!((lookup.keys, lookup.skewed), (1, 1));
        assert!(out.is_empty());
        let idx = BlockIndex::build(MAX_BLOCK, |_| person(None, None, &born, &county));
        assert_eq!(
            found(&idx, person(None, None, &born, &county)).len(),
            MAX_BLOCK
        );
    }

    proptest! {
        /// Any single substitution, deletion or neighbour swap keeps one id key.
        #[test]
        fn one_edit_always_shares_an_id_key(pos in 0usize..18, digit in 0u8..10, kind in 0u8..4) {
            let mut b = ID.as_bytes().to_vec();
            match kind {
                0 => b[pos] = b'0' + digit,
                1 => { b.remove(pos); }
                2 => b.insert(pos, b'0' + digit),
                _ => { let p = pos.min(16); b.swap(p, p + 1); }
            }
            let row = String::from_utf8(b).unwrap();
            let idx = index(&[person(Some(ID), None, D, C)]);
            prop_assert_eq!(found(&idx, person(Some(&row), None, D, C)), vec![0]);
        }
    }
}
