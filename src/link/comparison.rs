//! Comparisons: one per field (id number, name, birth date, region), each an
//! ordered list of *comparison levels*; the first level that holds is the
//! field's level (Splink's convention). Pure functions over normalised
//! values: no polars, no roster.
//!
//! Every level has a short `code()` (written to `matches` and `findings`)
//! and a Chinese `label_zh()` (for `hedui explain` and the human-facing
//! lists).

use chrono::{Datelike, NaiveDate};
use pinyin::ToPinyinMulti;

use crate::schema::code_enum;

code_enum!(
    /// How close the row's id number is to the member's (normalised forms).
    IdLevel {
        /// Equal: the exact path, score 1.0.
        Exact = "exact" / "证件号一致",
        /// One substitution, insertion, deletion or swap of two neighbours
        /// (a mistyped digit, a lost check digit).
        OneEdit = "one_edit" / "证件号相差一位",
        /// At least the first 14 characters (region + birth date) agree and
        /// the rest is lost: a spreadsheet turned the number into a float
        /// (`…1011000`, `5.12022198001011E+17`) or cut it short.
        Truncated = "truncated" / "证件号被截断（前段一致）",
        /// Two edits apart.
        TwoEdits = "two_edits" / "证件号相差两位",
        /// Only a leading part of 6–13 characters is left and it agrees
        /// (e.g. `5.12022E+17`: the region code only).
        Prefix = "prefix" / "证件号仅前几位一致",
        Different = "different" / "证件号不一致",
        Missing = "missing" / "证件号缺失",
    }
);

code_enum!(
    /// How the row's name compares with the member's (both normalised).
    NameLevel {
        /// Equal (middle dots aside).
        Exact = "exact" / "姓名一致",
        /// Equal syllable by syllable: pinyin written for a character, or a
        /// character with the same reading (同音字).
        Pinyin = "pinyin" / "姓名拼音一致",
        /// Equal once each `*` (a character the source could not write) is
        /// read as any one character.
        Placeholder = "placeholder" / "姓名除生僻字占位符外一致",
        /// Edit-distance similarity (strsim's optimal string alignment,
        /// 1 − distance / length) ≥ 0.6: one character of three.
        Similar = "similar" / "姓名相似",
        Different = "different" / "姓名不一致",
        Missing = "missing" / "姓名缺失",
    }
);

code_enum!(
    /// How the row's birth date compares with the member's (from the id).
    BirthDateLevel {
        Exact = "exact" / "出生日期一致",
        /// Exactly one of year, month, day differs, or month and day swapped.
        OnePart = "one_part" / "出生日期一项不同",
        Different = "different" / "出生日期不一致",
        Missing = "missing" / "出生日期缺失",
    }
);

code_enum!(
    /// How the row's `person_region_code` compares with the member's
    /// household `region_code` (codes of 6–12 digits).
    RegionLevel {
        /// All digits of the shorter code agree, and it has at least 9
        /// (the township).
        SamePlace = "same_place" / "同一乡镇（街道）",
        /// The 6-digit county codes agree.
        SameCounty = "same_county" / "同一县（区）",
        /// The 4-digit prefecture codes agree (the counties differ).
        SamePrefecture = "same_prefecture" / "同一地市",
        /// Agreeing, but one side names only a province or prefecture
        /// (`510000`, `512000`).
        Coarse = "coarse" / "仅省或地市一致",
        Different = "different" / "不同地区",
        Missing = "missing" / "地区代码缺失",
    }
);

/// The comparison level of each field for one link. Fields other than the
/// id are `None` on the exact path, where names never matter (rules.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Levels {
    pub id: IdLevel,
    pub name: Option<NameLevel>,
    pub birth_date: Option<BirthDateLevel>,
    pub region: Option<RegionLevel>,
}

impl Levels {
    /// The levels of an exact id link.
    pub const EXACT: Levels = Levels {
        id: IdLevel::Exact,
        name: None,
        birth_date: None,
        region: None,
    };
}

// -------------------------------------------------------------------
// Id numbers.
// -------------------------------------------------------------------

/// The digits a spreadsheet kept of an 18-digit id written as a number in
/// scientific notation (`5.12022198001011E+17` → `512022198001011`).
pub(crate) fn scientific_digits(id: &str) -> Option<String> {
    let (mantissa, exponent) = id.split_once(['E', 'e'])?;
    let exponent: i32 = exponent.trim_start_matches('+').parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if exponent != 17 || int.len() != 1 || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    // A float keeps 15 significant digits; a 16th or 17th may be rounded.
    let digits: String = int.chars().chain(frac.chars()).take(15).collect();
    Some(digits.trim_end_matches('0').to_string())
}

/// The leading part of the id that survived a spreadsheet, when the row's
/// id looks cut: scientific notation, an 18-digit number whose last three
/// digits a float could not keep (`…1011000`, `…1011200`: 15 significant
/// digits survive), or a shorter run of digits.
fn surviving_prefix(id: &str) -> Option<std::borrow::Cow<'_, str>> {
    if let Some(d) = scientific_digits(id) {
        return Some(d.into());
    }
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match id.len() {
        // A float keeps 15 or 16 significant digits and writes zeros for the
        // rest. Any other tail is a typed id, not a cut one: a stranger whose
        // mistyped id shares a member's county, birth date and first
        // sequence digit is how twins look, not a spreadsheet's damage.
        18 => match id.len() - id.trim_end_matches('0').len() {
            0 | 1 => None,
            2 => Some(id[..16].into()),
            _ => Some(id[..15].into()),
        },
        6..=17 => Some(id.into()),
        _ => None,
    }
}

/// Optimal-string-alignment distance (edits: substitution, insertion,
/// deletion, swap of neighbours) without allocating for sequences of up to
/// 31 elements (every id, every name); longer ones go to strsim.
fn osa_bytes(a: &[u8], b: &[u8]) -> usize {
    if a.len() >= OSA_STACK || b.len() >= OSA_STACK {
        return strsim::osa_distance(&String::from_utf8_lossy(a), &String::from_utf8_lossy(b));
    }
    osa_small(a, b)
}

/// [`osa_bytes`] over characters.
fn osa_chars(a: &[char], b: &[char]) -> usize {
    if a.len() >= OSA_STACK || b.len() >= OSA_STACK {
        let (a, b): (String, String) = (a.iter().collect(), b.iter().collect());
        return strsim::osa_distance(&a, &b);
    }
    osa_small(a, b)
}

const OSA_STACK: usize = 32;

/// The OSA table on the stack: both sequences shorter than [`OSA_STACK`].
fn osa_small<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    const N: usize = OSA_STACK;
    // Three rows of the DP table: i-2, i-1, i.
    let mut rows = [[0usize; N]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = d;
        }
    }
    if a.is_empty() {
        b.len()
    } else {
        rows[a.len() % 3][b.len()]
    }
}

/// [`osa_bytes`] capped: `min(distance, cap + 1)`, computing only the band
/// of the table within `cap` of its diagonal (ids are compared with many
/// candidates; only 0, 1, 2 and "more" matter).
fn osa_capped(a: &[u8], b: &[u8], cap: usize) -> usize {
    const N: usize = 32;
    // A common head and tail cost no edit: the table is only the middle
    // (a candidate's id usually shares the county and birth date).
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[head..], &b[head..]);
    let tail = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - tail], &b[..b.len() - tail]);
    let (la, lb) = (a.len(), b.len());
    let inf = cap + 1;
    if la.abs_diff(lb) > cap {
        return inf;
    }
    if la >= N || lb >= N {
        return osa_bytes(a, b).min(inf);
    }
    let mut rows = [[inf; N]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(lb.min(cap) + 1) {
        *cell = j;
    }
    for i in 1..=la {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        let lo = if i > cap { i - cap } else { 1 };
        let hi = (i + cap).min(lb);
        // The cell left of the band: out of band (or column 0).
        rows[cur][lo - 1] = if lo == 1 && i <= cap { i } else { inf };
        let mut best = rows[cur][lo - 1];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[prev2][j - 2] + 1);
            }
            let d = d.min(inf);
            rows[cur][j] = d;
            best = best.min(d);
        }
        if hi + 1 < N {
            rows[cur][hi + 1] = inf;
        }
        if best > cap {
            return inf;
        }
    }
    if la == 0 {
        lb.min(inf)
    } else {
        rows[la % 3][lb]
    }
}

/// A row's normalised id (invalid or missing: valid ids never reach here
/// unless equal), read once to be compared with many members.
#[derive(Debug, Clone)]
pub struct IdProbe<'a> {
    /// `None` for a missing id or a stand-in for one.
    text: Option<&'a str>,
    /// The leading part a spreadsheet kept, when the id looks cut.
    prefix: Option<std::borrow::Cow<'a, str>>,
}

impl<'a> IdProbe<'a> {
    pub fn new(row: Option<&'a str>) -> IdProbe<'a> {
        // `NULL`, `无`, `-`, `0`, `000000000000000000`: a stand-in for a
        // missing id, not a different one.
        let stand_in = |r: &str| {
            r.bytes().filter(u8::is_ascii_digit).count() < 6
                || r.bytes().all(|b| Some(b) == r.bytes().next())
        };
        let text = row.filter(|r| !stand_in(r));
        IdProbe {
            text,
            prefix: text.and_then(surviving_prefix),
        }
    }

    /// The region and birth date (14 characters) survive, the rest is lost:
    /// only then does the id say "same county and birth date" and no more.
    pub fn is_cut(&self) -> bool {
        self.prefix
            .as_ref()
            .is_some_and(|p| (14..=16).contains(&p.len()))
    }

    pub fn compare(&self, member: &str) -> IdLevel {
        let Some(row) = self.text else {
            return IdLevel::Missing;
        };
        if row == member {
            return IdLevel::Exact;
        }
        let distance = if row.is_ascii() {
            osa_capped(row.as_bytes(), member.as_bytes(), 2)
        } else {
            // `×` typed for `X`: count characters, not bytes.
            strsim::osa_distance(row, member).min(3)
        };
        if distance == 1 {
            return IdLevel::OneEdit;
        }
        if let Some(prefix) = &self.prefix {
            if member.starts_with(prefix.as_ref()) {
                return if prefix.len() >= 14 {
                    IdLevel::Truncated
                } else {
                    IdLevel::Prefix
                };
            }
        }
        if distance == 2 {
            IdLevel::TwoEdits
        } else {
            IdLevel::Different
        }
    }
}

/// Compares a row's normalised id with a member's ([`IdProbe`] for one pair).
pub fn compare_id(row: Option<&str>, member: &str) -> IdLevel {
    IdProbe::new(row).compare(member)
}

// -------------------------------------------------------------------
// Names.
// -------------------------------------------------------------------

/// The toneless pinyin readings of a character (`ü` written `v`, as
/// keyboards do), or none for a character without a reading.
pub fn readings(c: char) -> impl Iterator<Item = &'static str> {
    c.to_pinyin_multi()
        .into_iter()
        .flat_map(|m| m.into_iter().map(|p| p.plain()))
}

/// One unit of a row's name: a character, a placeholder, or a run of Latin
/// letters (pinyin for one or more characters).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit<'a> {
    Char(char),
    Placeholder,
    Latin(&'a str),
}

fn units(name: &str) -> Vec<Unit<'_>> {
    let mut out = Vec::with_capacity(name.len() / 3 + 1);
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_lowercase() {
            let end = rest
                .find(|c: char| !c.is_ascii_lowercase())
                .unwrap_or(rest.len());
            out.push(Unit::Latin(&rest[..end]));
            rest = &rest[end..];
            continue;
        }
        match c {
            // `*` (and `?`, mapped by text::name) and the other marks clerks
            // type for a character their system cannot write.
            '*' | '□' | '■' | '○' | '〇' | '_' | '＿' | '#' | '＃' => {
                out.push(Unit::Placeholder)
            }
            crate::text::name::MIDDLE_DOT => {}
            c => out.push(Unit::Char(c)),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Whether a run of Latin letters spells the readings of `chars`, one
/// syllable per character.
fn spells(latin: &str, chars: &[char]) -> bool {
    match chars.split_first() {
        None => latin.is_empty(),
        Some((&c, rest)) => readings(c).any(|r| {
            let candidates = [r.to_string(), r.replace('ü', "v"), r.replace('ü', "u")];
            candidates.iter().any(|r| {
                latin
                    .strip_prefix(r.as_str())
                    .is_some_and(|tail| spells(tail, rest))
            })
        }),
    }
}

/// Matches the row's units against the member's characters; returns
/// (pinyin used, placeholder used) when every unit is accounted for.
fn align(row: &[Unit<'_>], member: &[char]) -> Option<(bool, bool)> {
    let (first, rest) = match row.split_first() {
        None => return member.is_empty().then_some((false, false)),
        Some(x) => x,
    };
    let (&m, member_rest) = member.split_first()?;
    let merge =
        |(p, q): (bool, bool), pinyin: bool, placeholder: bool| (p || pinyin, q || placeholder);
    match *first {
        Unit::Char(c) if c == m => align(rest, member_rest),
        Unit::Char(c) => homophones(c, m)
            .then(|| align(rest, member_rest).map(|f| merge(f, true, false)))
            .flatten(),
        Unit::Placeholder => align(rest, member_rest).map(|f| merge(f, false, true)),
        Unit::Latin(latin) => (1..=member.len().min(4)).find_map(|k| {
            if spells(latin, &member[..k]) {
                align(rest, &member[k..]).map(|f| merge(f, true, false))
            } else {
                None
            }
        }),
    }
}

/// A normalised name as the comparisons read it: its characters without
/// middle dots, and whether all of them are plain (no pinyin, no
/// placeholder): two plain names are compared by integers alone.
#[derive(Debug, Clone, Copy)]
pub struct NameRef<'a> {
    pub chars: &'a [char],
    pub plain: bool,
}

/// Appends the characters of `name` that [`NameRef`] reads (middle dots
/// dropped) to `out`; returns whether they are all plain.
pub fn push_name_chars(name: &str, out: &mut Vec<char>) -> bool {
    let mut plain = true;
    for c in name.chars().filter(|&c| c != crate::text::name::MIDDLE_DOT) {
        plain &= !c.is_ascii_lowercase() && !matches!(units_of(c), Some(Unit::Placeholder));
        out.push(c);
    }
    plain
}

/// Compares two normalised names (see `text::name`).
pub fn compare_name(row: Option<&str>, member: Option<&str>) -> NameLevel {
    let (Some(row), Some(member)) = (row, member) else {
        return NameLevel::Missing;
    };
    let (mut r, mut m) = (Vec::new(), Vec::new());
    let row_plain = push_name_chars(row, &mut r);
    let member_plain = push_name_chars(member, &mut m);
    compare_names(
        NameRef {
            chars: &r,
            plain: row_plain,
        },
        NameRef {
            chars: &m,
            plain: member_plain,
        },
    )
}

/// [`compare_name`] on names already read: allocates nothing when both are
/// plain (nearly every pair).
pub fn compare_names(row: NameRef<'_>, member: NameRef<'_>) -> NameLevel {
    if row.chars == member.chars {
        return NameLevel::Exact;
    }
    let (row_len, member_len) = (row.chars.len(), member.chars.len());
    let aligned = if row.plain && member.plain {
        // Character by character, equal or homophones (plain names of
        // different lengths never align).
        let homophones = row_len == member_len
            && row
                .chars
                .iter()
                .zip(member.chars)
                .all(|(&r, &m)| r == m || homophones(r, m));
        homophones.then_some((true, false))
    } else {
        // Either side may carry the pinyin or the placeholder (rosters are
        // typed by hand too).
        let (r, m): (String, String) = (row.chars.iter().collect(), member.chars.iter().collect());
        align(&units(&r), member.chars).or_else(|| align(&units(&m), row.chars))
    };
    match aligned {
        Some((_, true)) => return NameLevel::Placeholder,
        Some((true, false)) => return NameLevel::Pinyin,
        _ => {}
    }
    // Similarity 1 − d/len ≥ 0.6 needs d ≤ 0.4 len, and d ≥ the length gap.
    let len = row_len.max(member_len);
    if (row_len.abs_diff(member_len) as f64) > 0.4 * len as f64 {
        return NameLevel::Different;
    }
    let similarity = 1.0 - osa_chars(row.chars, member.chars) as f64 / len as f64;
    if similarity >= 0.6 {
        NameLevel::Similar
    } else {
        NameLevel::Different
    }
}

/// Whether two characters share a toneless reading (同音字).
fn homophones(a: char, b: char) -> bool {
    let table = reading_table();
    match (table.of(a), table.of(b)) {
        (Some(x), Some(y)) => x.iter().any(|r| y.contains(r)),
        _ => readings(a).any(|x| readings(b).any(|y| y == x)),
    }
}

/// The readings of every CJK character as small integers, built once: the
/// homophone test is run for many candidate pairs, and the pinyin crate's
/// readings are strings.
struct ReadingTable {
    /// Per character from [`ReadingTable::FIRST`]: its range in `ids`.
    starts: Vec<u32>,
    ids: Vec<u16>,
}

impl ReadingTable {
    /// CJK Extension A and the Unified Ideographs block: every character of
    /// a normalised name but the rarest.
    const FIRST: u32 = 0x3400;
    const LAST: u32 = 0x9FFF;

    fn build() -> ReadingTable {
        let mut interned: std::collections::HashMap<&'static str, u16> = Default::default();
        let mut starts = Vec::with_capacity((Self::LAST - Self::FIRST + 2) as usize);
        let mut ids = Vec::new();
        for code in Self::FIRST..=Self::LAST {
            starts.push(ids.len() as u32);
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            for r in readings(c) {
                let next = interned.len() as u16;
                let id = *interned.entry(r).or_insert(next);
                if !ids[starts[starts.len() - 1] as usize..].contains(&id) {
                    ids.push(id);
                }
            }
        }
        starts.push(ids.len() as u32);
        ReadingTable { starts, ids }
    }

    fn of(&self, c: char) -> Option<&[u16]> {
        let i = (c as u32).checked_sub(Self::FIRST)? as usize;
        let (start, end) = (*self.starts.get(i)?, *self.starts.get(i + 1)?);
        Some(&self.ids[start as usize..end as usize])
    }
}

fn reading_table() -> &'static ReadingTable {
    static TABLE: std::sync::OnceLock<ReadingTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(ReadingTable::build)
}

/// The unit a lone character is (`None` for a Latin letter, part of a run).
fn units_of(c: char) -> Option<Unit<'static>> {
    match c {
        c if c.is_ascii_lowercase() => None,
        '*' | '□' | '■' | '○' | '〇' | '_' | '＿' | '#' | '＃' => Some(Unit::Placeholder),
        c => Some(Unit::Char(c)),
    }
}

/// The sound of each unit of a name, in order: `f(unit, bytes)` with the
/// unit's position and its sound, in one or more pieces — a character's
/// first reading (`ü` written `v`), a run of Latin letters as written, `*`
/// for a placeholder. Concatenated, they are one pinyin string that
/// `王xiao明`, `wangxiaoming` and `王小明` share: what blocking keys on.
/// Allocates nothing (run for every member and every fuzzy row).
pub fn unit_sounds(name: &str, mut f: impl FnMut(usize, &[u8])) {
    let mut unit = 0;
    let mut in_latin = false;
    for c in name.chars() {
        if c.is_ascii_lowercase() {
            // A run of letters is one unit, however long.
            let mut b = [0u8; 4];
            f(unit, c.encode_utf8(&mut b).as_bytes());
            in_latin = true;
            continue;
        }
        if in_latin {
            unit += 1;
            in_latin = false;
        }
        match units_of(c) {
            _ if c == crate::text::name::MIDDLE_DOT => continue,
            Some(Unit::Placeholder) => f(unit, b"*"),
            _ => match readings(c).next() {
                Some(r) => {
                    for (i, piece) in r.split('ü').enumerate() {
                        if i > 0 {
                            f(unit, b"v");
                        }
                        f(unit, piece.as_bytes());
                    }
                }
                None => {
                    let mut b = [0u8; 4];
                    f(unit, c.encode_utf8(&mut b).as_bytes());
                }
            },
        }
        unit += 1;
    }
}

// -------------------------------------------------------------------
// Birth dates and regions.
// -------------------------------------------------------------------

pub fn compare_birth_date(row: Option<NaiveDate>, member: Option<NaiveDate>) -> BirthDateLevel {
    let (Some(a), Some(b)) = (row, member) else {
        return BirthDateLevel::Missing;
    };
    if a == b {
        return BirthDateLevel::Exact;
    }
    let same = [
        a.year() == b.year(),
        a.month() == b.month(),
        a.day() == b.day(),
    ];
    let swapped = a.year() == b.year() && a.month() == b.day() && a.day() == b.month();
    if same.iter().filter(|s| **s).count() == 2 || swapped {
        BirthDateLevel::OnePart
    } else {
        BirthDateLevel::Different
    }
}

/// The digits of a region code that say something: trailing zero groups
/// name no lower division (`510000` is a province, `512022000000` a
/// county): 2-digit groups in the first 6 digits, 3-digit groups after.
fn significant(code: &str) -> &str {
    let mut end = code.len();
    while end > 6 && code[end.saturating_sub(3)..end].bytes().all(|b| b == b'0') {
        end -= 3;
    }
    while end > 2 && end <= 6 && code[end - 2..end] == *"00" {
        end -= 2;
    }
    &code[..end]
}

pub fn compare_region(row: Option<&str>, member: Option<&str>) -> RegionLevel {
    let (Some(a), Some(b)) = (row, member) else {
        return RegionLevel::Missing;
    };
    let (a, b) = (significant(a), significant(b));
    let shorter = a.len().min(b.len());
    if shorter < 6 && a[..shorter] == b[..shorter] {
        // Only a province or prefecture given, and it agrees: says little.
        return RegionLevel::Coarse;
    }
    if shorter >= 9 && a[..shorter] == b[..shorter] {
        RegionLevel::SamePlace
    } else if a.get(..6).is_some() && a.get(..6) == b.get(..6) {
        RegionLevel::SameCounty
    } else if a.get(..4).is_some() && a.get(..4) == b.get(..4) {
        RegionLevel::SamePrefecture
    } else {
        RegionLevel::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize_name;
    use proptest::prelude::*;

    const ID: &str = "11010519491231002X";

    fn n(raw: &str) -> String {
        normalize_name(Some(raw)).value.unwrap()
    }

    #[test]
    fn id_levels_at_their_edges() {
        assert_eq!(compare_id(Some(ID), ID), IdLevel::Exact);
        assert_eq!(compare_id(None, ID), IdLevel::Missing);
        // One wrong digit, one swap of neighbours, a lost check digit, an extra digit.
        assert_eq!(compare_id(Some("11010519491231003X"), ID), IdLevel::OneEdit);
        assert_eq!(compare_id(Some("11010591491231002X"), ID), IdLevel::OneEdit);
        assert_eq!(compare_id(Some("11010519491231002"), ID), IdLevel::OneEdit);
        assert_eq!(
            compare_id(Some("110105194912310022X"), ID),
            IdLevel::OneEdit
        );
        // A swap of non-neighbours is two edits.
        assert_eq!(
            compare_id(Some("11010519491231200X"), ID),
            IdLevel::TwoEdits
        );
        // Spreadsheet damage: rounded to 15 significant digits, scientific notation.
        assert_eq!(
            compare_id(Some("110105194912310000"), ID),
            IdLevel::Truncated
        );
        assert_eq!(
            compare_id(Some("1.10105194912310E+17"), ID),
            IdLevel::Truncated
        );
        assert_eq!(compare_id(Some("1.10105E+17"), ID), IdLevel::Prefix);
        assert_eq!(compare_id(Some("1101051949123"), ID), IdLevel::Prefix);
        assert_eq!(compare_id(Some("11010519491231"), ID), IdLevel::Truncated);
        // Typed, not cut: a tail other than zeros is no spreadsheet's
        // rounding, even when the first 15 characters agree (a twin's id
        // with a typo looks like this).
        assert_eq!(
            compare_id(Some("110105194912310987"), ID),
            IdLevel::Different
        );
        assert_eq!(
            compare_id(Some("110105194912310071"), ID),
            IdLevel::TwoEdits
        );
        assert_eq!(
            compare_id(Some("110105194912310200"), ID),
            IdLevel::TwoEdits
        );
        assert!(IdProbe::new(Some("110105194912310000")).is_cut());
        assert!(!IdProbe::new(Some("110105194912310987")).is_cut());
        assert!(!IdProbe::new(Some("11010519491231002")).is_cut());
        // Cut short but from another region: different.
        assert_eq!(compare_id(Some("1.20105E+17"), ID), IdLevel::Different);
        assert_eq!(
            compare_id(Some("510105194912310000"), ID),
            IdLevel::Different
        );
        assert_eq!(compare_id(Some("garbage110"), ID), IdLevel::Missing);
        assert_eq!(compare_id(Some("NULL"), ID), IdLevel::Missing);
        assert_eq!(compare_id(Some("0"), ID), IdLevel::Missing);
        assert_eq!(compare_id(Some("000000000000000000"), ID), IdLevel::Missing);
        assert_eq!(compare_id(Some("garbage110105"), ID), IdLevel::Different);
    }

    #[test]
    fn name_levels_at_their_edges() {
        let c = |a: &str, b: &str| compare_name(Some(&n(a)), Some(&n(b)));
        assert_eq!(c("張 三", "张三"), NameLevel::Exact);
        assert_eq!(c("阿依古丽•买买提", "阿依古丽·买买提"), NameLevel::Exact);
        assert_eq!(c("阿依古丽买买提", "阿依古丽·买买提"), NameLevel::Exact);
        assert_eq!(c("王yan明", "王焱明"), NameLevel::Pinyin);
        assert_eq!(c("wangxiaoming", "王小明"), NameLevel::Pinyin);
        assert_eq!(c("王晓明", "王小明"), NameLevel::Pinyin);
        assert_eq!(c("王lv", "王绿"), NameLevel::Pinyin);
        assert_eq!(c("王?明", "王焱明"), NameLevel::Placeholder);
        assert_eq!(c("*小明", "王小明"), NameLevel::Placeholder);
        assert_eq!(c("王□明", "王焱明"), NameLevel::Placeholder);
        // The roster's side may be the one typed with pinyin or a placeholder.
        assert_eq!(c("王焱明", "王yan明"), NameLevel::Pinyin);
        assert_eq!(c("王焱明", "王*明"), NameLevel::Placeholder);
        // A placeholder stands for one character, not two.
        assert_ne!(c("王*", "王小明"), NameLevel::Placeholder);
        assert_eq!(c("王大明", "王小明"), NameLevel::Similar);
        // Two-character names one character apart: different people.
        assert_eq!(c("王明", "王亮"), NameLevel::Different);
        assert_eq!(c("王yu明", "王小明"), NameLevel::Different);
        assert_eq!(c("李四", "张三"), NameLevel::Different);
        assert_eq!(compare_name(None, Some("张三")), NameLevel::Missing);
    }

    #[test]
    fn the_reading_table_agrees_with_the_pinyin_crate() {
        let chars: Vec<char> = "王汪黄小晓明鸣李黎理张章伟卫芳方丽力绿律乐行长重朝焱燕"
            .chars()
            .chain(['a', '1', '𠀀'])
            .collect();
        for &a in &chars {
            for &b in &chars {
                let by_strings = readings(a).any(|x| readings(b).any(|y| y == x));
                assert_eq!(homophones(a, b), by_strings, "{a} {b}");
            }
        }
        assert!(homophones('乐', '月') && homophones('乐', '勒') && !homophones('王', '李'));
    }

    #[test]
    fn name_sounds_meet_across_pinyin() {
        let sounds = |name: &str| {
            let mut units: Vec<String> = Vec::new();
            unit_sounds(name, |unit, bytes| {
                if unit == units.len() {
                    units.push(String::new());
                }
                units[unit].push_str(std::str::from_utf8(bytes).unwrap());
            });
            units
        };
        assert_eq!(sounds(&n("王xiao明")), ["wang", "xiao", "ming"]);
        assert_eq!(sounds(&n("王xiao明")).concat(), sounds("王小明").concat());
        assert_eq!(sounds("wangxiaoming").concat(), sounds("王小明").concat());
        assert_eq!(sounds("王*明"), ["wang", "*", "ming"]);
        assert_eq!(sounds("吕·lv"), ["lv", "lv"]);
        assert_eq!(sounds("a1"), ["a", "1"]);
        assert!(sounds("").is_empty());
    }

    #[test]
    fn birth_date_levels_at_their_edges() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(
            compare_birth_date(d(1980, 3, 4), d(1980, 3, 4)),
            BirthDateLevel::Exact
        );
        assert_eq!(
            compare_birth_date(d(1980, 3, 5), d(1980, 3, 4)),
            BirthDateLevel::OnePart
        );
        assert_eq!(
            compare_birth_date(d(1981, 3, 4), d(1980, 3, 4)),
            BirthDateLevel::OnePart
        );
        assert_eq!(
            compare_birth_date(d(1980, 4, 3), d(1980, 3, 4)),
            BirthDateLevel::OnePart
        );
        assert_eq!(
            compare_birth_date(d(1981, 3, 5), d(1980, 3, 4)),
            BirthDateLevel::Different
        );
        assert_eq!(
            compare_birth_date(None, d(1980, 3, 4)),
            BirthDateLevel::Missing
        );
    }

    #[test]
    fn region_levels_at_their_edges() {
        let c = |a: &str, b: &str| compare_region(Some(a), Some(b));
        assert_eq!(c("512022101001", "512022101001"), RegionLevel::SamePlace);
        assert_eq!(c("512022101", "512022101001"), RegionLevel::SamePlace);
        assert_eq!(c("512022", "512022101001"), RegionLevel::SameCounty);
        assert_eq!(c("512022102001", "512022101001"), RegionLevel::SameCounty);
        assert_eq!(
            c("512099102001", "512022101001"),
            RegionLevel::SamePrefecture
        );
        assert_eq!(c("530427", "512022101001"), RegionLevel::Different);
        assert_eq!(compare_region(None, Some("512022")), RegionLevel::Missing);
        // Trailing zeros name no lower division.
        assert_eq!(c("512022000000", "512022101001"), RegionLevel::SameCounty);
        assert_eq!(c("512022101000", "512022101001"), RegionLevel::SamePlace);
        assert_eq!(c("510000", "512022101001"), RegionLevel::Coarse);
        assert_eq!(c("512000", "512022101001"), RegionLevel::Coarse);
        assert_eq!(c("530000", "512022101001"), RegionLevel::Different);
        assert_eq!(significant("512022"), "512022");
        assert_eq!(significant("000000"), "00");
    }

    #[test]
    fn codes_round_trip() {
        for l in IdLevel::ALL {
            assert_eq!(IdLevel::from_code(l.code()), Some(*l));
        }
        for l in NameLevel::ALL {
            assert_eq!(NameLevel::from_code(l.code()), Some(*l));
        }
    }

    #[test]
    fn byte_osa_agrees_with_strsim() {
        for (a, b) in [
            ("", ""),
            ("", "12"),
            ("ab", "ba"),
            ("abc", "ca"),
            ("11010519491231002X", "1101051949123100"),
        ] {
            assert_eq!(
                osa_bytes(a.as_bytes(), b.as_bytes()),
                strsim::osa_distance(a, b),
                "{a} {b}"
            );
        }
    }

    proptest! {
        #[test]
        fn byte_osa_is_strsims_osa(a in "[0-9X.E+]{0,20}", b in "[0-9X.E+]{0,20}") {
            prop_assert_eq!(osa_bytes(a.as_bytes(), b.as_bytes()), strsim::osa_distance(&a, &b));
        }

        /// The banded distance is the true distance up to its cap, on ids
        /// a few edits apart.
        #[test]
        fn capped_osa_is_osa_up_to_the_cap(
            a in "[0-3]{0,20}",
            edits in proptest::collection::vec((0u8..4, 0usize..20, 0u8..4), 0..4),
            cap in 0usize..4,
        ) {
            let mut b = a.clone().into_bytes();
            for (kind, pos, digit) in edits {
                let pos = pos.min(b.len());
                match kind {
                    0 if pos < b.len() => b[pos] = b'0' + digit,
                    1 if pos < b.len() => { b.remove(pos); }
                    2 => b.insert(pos, b'0' + digit),
                    _ if pos + 1 < b.len() => b.swap(pos, pos + 1),
                    _ => {}
                }
            }
            let b = String::from_utf8(b).unwrap();
            prop_assert_eq!(
                osa_capped(a.as_bytes(), b.as_bytes(), cap),
                strsim::osa_distance(&a, &b).min(cap + 1)
            );
        }

        /// Any one changed character of a valid id is one edit away.
        #[test]
        fn one_changed_character_is_one_edit(pos in 0usize..18, digit in 0u8..10) {
            let mut b = ID.as_bytes().to_vec();
            let new = b'0' + digit;
            prop_assume!(b[pos] != new);
            b[pos] = new;
            let row = String::from_utf8(b).unwrap();
            prop_assert_eq!(compare_id(Some(&row), ID), IdLevel::OneEdit);
        }

        /// A name compared with itself is exact, whatever noise normalisation removes.
        #[test]
        fn names_equal_themselves(name in "[张王李赵刘陈][小明华伟芳丽强]{1,2}") {
            prop_assert_eq!(compare_name(Some(&name), Some(&name)), NameLevel::Exact);
            let spaced: String = name.chars().flat_map(|c| [c, ' ']).collect();
            prop_assert_eq!(compare_name(Some(&n(&spaced)), Some(&name)), NameLevel::Exact);
        }
    }
}
