//! Linkage noise (`hedui gen --noise linkage`): the damage real extracts do
//! to ids and names, and decoys that must never be linked, with the truth
//! of every row in `truth/linkage.csv`.
//!
//! Id faults on rows: one wrong digit, two neighbouring digits swapped, the
//! check digit lost, a spreadsheet's rounding (`…1011000`) or scientific
//! notation (`5.12022198001011E+17`), a missing id, a missing id and birth
//! date. Name faults: traditional characters, middle-dot variants, inner
//! spaces (`names::noisy_name`), a rare character replaced by `*`/`?` or by
//! its pinyin (from the `pinyin` crate). Decoys (strangers made from a
//! member): a twin (same name, birth date and region, another valid id),
//! the same twin with a mistyped id, a namesake in another county (with a
//! valid, missing or mistyped id), a namesake with neither id nor birth
//! date.
//!
//! The standard generator never calls this module, so `data-samples/` stays
//! as it is; in linkage mode the extra draws change the whole data set.
//! `truth/decisions.csv` is still written, but it does not know that a row
//! whose id was removed can only be linked for review, so it holds for the
//! planted cases' rows only where their ids were left usable.

use super::extracts::Holder;
use super::people::People;
use super::Ctx;
use crate::schema::{Dataset, VehicleStatus, VehicleType};
use pinyin::ToPinyin;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::io::Write as _;
use std::str::FromStr;

/// Which noise `gen` plants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Noise {
    /// The shipped samples' noise: dirty but normalisable ids and names.
    #[default]
    Standard,
    /// Standard noise plus broken ids, rare-character names and decoys.
    Linkage,
    /// The shape of real extracts (`realistic.rs`): every row, a member's or
    /// a stranger's, noisy at measured rates instead of the standard noise;
    /// decoys as in `Linkage`.
    Realistic,
}

impl FromStr for Noise {
    type Err = String;
    fn from_str(s: &str) -> Result<Noise, String> {
        match s {
            "standard" => Ok(Noise::Standard),
            "linkage" => Ok(Noise::Linkage),
            "realistic" => Ok(Noise::Realistic),
            _ => Err(format!(
                "unknown noise `{s}` (expected `standard`, `linkage` or `realistic`)"
            )),
        }
    }
}

/// The linkage or realistic noise of one row (all empty in standard mode).
#[derive(Debug, Clone, Default)]
pub(crate) struct RowNoise {
    pub id: Option<&'static str>,
    pub name: Option<&'static str>,
    pub decoy: Option<&'static str>,
    /// `person_birth_date` left empty.
    pub no_birth_date: bool,
    /// `person_region_code` left empty.
    pub no_region: bool,
    /// The id (written `""` in `Holder::id`, so `matchable` sees no id)
    /// is a Parquet null. Linkage mode keeps the empty string: real
    /// extracts have both, and the loader must read either as missing.
    pub null_id: bool,
    /// The name is a Parquet null.
    pub null_name: bool,
}

pub(crate) const WRONG_DIGIT: &str = "wrong_digit";
pub(crate) const TRANSPOSED: &str = "transposed_digits";
pub(crate) const CHECK_DIGIT_LOST: &str = "check_digit_lost";
pub(crate) const SPREADSHEET_ROUNDED: &str = "spreadsheet_rounded";
pub(crate) const SCIENTIFIC: &str = "scientific_notation";
pub(crate) const MISSING_ID: &str = "missing_id";
pub(crate) const NO_ID_NO_BIRTH: &str = "missing_id_and_birth_date";
pub(crate) const NAME_PLACEHOLDER: &str = "name_placeholder";
pub(crate) const NAME_PINYIN: &str = "name_pinyin";
pub(crate) const TWIN: &str = "twin";
pub(crate) const TWIN_MISTYPED: &str = "twin_mistyped_id";
pub(crate) const NAMESAKE_ELSEWHERE: &str = "namesake_elsewhere";
pub(crate) const NAMESAKE_NO_ID_NO_BIRTH: &str = "namesake_no_id_no_birth_date";

/// Whether rules.md lets a row whose id is written `written` (`None`: the
/// canonical form) be `matched` to the person with id `id`: its normalised
/// id is at most one edit from theirs. (A rounded id whose lost digits were
/// zeros anyway is one edit away: matchable.)
pub(crate) fn matchable(written: Option<&str>, id: &str) -> bool {
    let Some(w) = written else {
        return true;
    };
    crate::text::normalize_id(Some(w))
        .value
        .is_some_and(|v| strsim::osa_distance(&v, id) <= 1)
}

/// The id with one character changed: never valid (GB 11643's checksum
/// catches every single change).
pub(super) fn wrong_digit(rng: &mut ChaCha8Rng, id: &str) -> String {
    let mut b = id.as_bytes().to_vec();
    let pos = rng.random_range(0..b.len());
    let choices: &[u8] = if pos == 17 {
        b"0123456789X"
    } else {
        b"0123456789"
    };
    loop {
        let c = choices[rng.random_range(0..choices.len())];
        if c != b[pos] {
            b[pos] = c;
            break;
        }
    }
    String::from_utf8(b).expect("ASCII")
}

/// Two different neighbouring characters swapped, if the result is invalid.
fn transposed(rng: &mut ChaCha8Rng, id: &str) -> Option<String> {
    for _ in 0..8 {
        let mut b = id.as_bytes().to_vec();
        let pos = rng.random_range(0..b.len() - 1);
        if b[pos] == b[pos + 1] {
            continue;
        }
        b.swap(pos, pos + 1);
        let s = String::from_utf8(b).expect("ASCII");
        if !crate::text::normalize_id(Some(&s)).valid {
            return Some(s);
        }
    }
    None
}

/// A spreadsheet's rendering of an id typed as a number: rounded to 15
/// significant digits, or in scientific notation with 15 or 6 of them.
fn spreadsheet(rng: &mut ChaCha8Rng, id: &str, scientific: bool) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return None; // an `X` check digit: typed as text, never as a number
    }
    if !scientific {
        // Rounded, the number may happen to be a valid id (someone else's):
        // then no linker could know, so the fault is not planted.
        let rounded = format!("{}000", &id[..15]);
        return (!crate::text::normalize_id(Some(&rounded)).valid).then_some(rounded);
    }
    let digits = if rng.random_bool(0.5) { 15 } else { 6 };
    let mantissa = id[1..digits].trim_end_matches('0');
    Some(if mantissa.is_empty() {
        format!("{}E+17", &id[..1])
    } else {
        format!("{}.{mantissa}E+17", &id[..1])
    })
}

/// Whether a character can be written as a placeholder or pinyin (a Han
/// character, not a middle dot).
pub(super) fn has_pinyin(c: char) -> bool {
    c.to_pinyin().is_some()
}

/// The name with one character (not a middle dot) replaced by a
/// placeholder or by its pinyin.
pub(super) fn rare_character(rng: &mut ChaCha8Rng, name: &str, pinyin: bool) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    let positions: Vec<usize> = (0..chars.len()).filter(|&i| has_pinyin(chars[i])).collect();
    if positions.is_empty() {
        return None;
    }
    let at = positions[rng.random_range(0..positions.len())];
    let replacement = if pinyin {
        let p = chars[at].to_pinyin()?.plain().replace('ü', "v");
        if rng.random_bool(0.3) {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        } else {
            p
        }
    } else {
        ["*", "?", "？"][rng.random_range(0..3)].to_string()
    };
    let mut out: String = chars[..at].iter().collect();
    out.push_str(&replacement);
    out.extend(&chars[at + 1..]);
    Some(out)
}

/// Every extract row's holder, in no particular order.
pub(super) fn all_holders(ex: &mut super::extracts::Extracts) -> impl Iterator<Item = &mut Holder> {
    ex.deposits
        .iter_mut()
        .map(|r| &mut r.holder)
        .chain(ex.vehicles.iter_mut().map(|r| &mut r.holder))
        .chain(ex.properties.iter_mut().map(|r| &mut r.holder))
        .chain(ex.businesses.iter_mut().map(|r| &mut r.holder))
        .chain(ex.payroll.iter_mut().map(|r| &mut r.holder))
        .chain(ex.deaths.iter_mut().map(|r| &mut r.holder))
        .chain(ex.rows.values_mut().flatten().map(|r| &mut r.holder))
}

impl Ctx<'_> {
    /// Plants decoys, then breaks ids and names on existing rows: 30% of
    /// members' rows and 15% of strangers' get an id fault, 30% a name fault.
    pub(crate) fn linkage_noise(&mut self, households: usize) {
        self.decoys(households);
        let Ctx {
            rng,
            people,
            ex,
            noise,
            ..
        } = self;
        for h in all_holders(ex) {
            let person = people.get(h.person);
            let id_rate = if person.member { 0.3 } else { 0.15 };
            if h.linkage.decoy.is_none() && rng.random_bool(id_rate) {
                let kind = match rng.random_range(0..100) {
                    0..=29 => WRONG_DIGIT,
                    30..=39 => TRANSPOSED,
                    40..=49 => CHECK_DIGIT_LOST,
                    50..=59 => SPREADSHEET_ROUNDED,
                    60..=64 => SCIENTIFIC,
                    65..=89 => MISSING_ID,
                    _ => NO_ID_NO_BIRTH,
                };
                let id = &person.id;
                let written = match kind {
                    WRONG_DIGIT => Some(wrong_digit(rng, id)),
                    TRANSPOSED => transposed(rng, id),
                    CHECK_DIGIT_LOST => Some(id[..17].to_string()),
                    SPREADSHEET_ROUNDED => spreadsheet(rng, id, false),
                    SCIENTIFIC => spreadsheet(rng, id, true),
                    _ => Some(String::new()),
                };
                if let Some(w) = written {
                    h.id = Some(w);
                    h.linkage.id = Some(kind);
                    h.linkage.no_birth_date = kind == NO_ID_NO_BIRTH;
                    *noise.entry(format!("linkage_{kind}")).or_default() += 1;
                }
            }
            if h.linkage.decoy.is_none() && rng.random_bool(0.3) {
                let name = &person.name;
                let (written, kind) = match rng.random_range(0..5) {
                    0 => (rare_character(rng, name, false), NAME_PLACEHOLDER),
                    1 => (rare_character(rng, name, true), NAME_PINYIN),
                    _ => match super::names::noisy_name(rng, name) {
                        Some((w, kind)) => (Some(w), kind),
                        None => (None, ""),
                    },
                };
                if let Some(w) = written {
                    h.name = Some(w);
                    h.linkage.name = Some(kind);
                    *noise.entry(format!("linkage_{kind}")).or_default() += 1;
                }
            }
        }
    }

    /// One decoy per five households (`truth/linkage.csv` names each).
    pub(crate) fn decoys(&mut self, households: usize) {
        for k in 0..households / 5 {
            self.decoy(k);
        }
    }

    /// One decoy row: a stranger made from a random member, holding a car,
    /// a death record or a deposit (what would hurt the member if linked).
    fn decoy(&mut self, k: usize) {
        let i = self.rng.random_range(0..self.people.members.len());
        let m = self.people.get(self.people.members[i]).clone();
        let kind = [
            TWIN,
            TWIN_MISTYPED,
            NAMESAKE_ELSEWHERE,
            NAMESAKE_NO_ID_NO_BIRTH,
        ][k % 4];
        let (birth, region) = match kind {
            TWIN | TWIN_MISTYPED => (m.birth, m.region_code.clone()),
            _ => {
                let birth = if self.rng.random_bool(0.5) {
                    m.birth
                } else {
                    let age = self.rng.random_range(18..=90);
                    super::people::birth_for_age(&mut self.rng, self.month.last_day(), age)
                };
                let region = loop {
                    // With one county, "elsewhere" can only be outside it.
                    if self.counties.len() == 1 && kind == NAMESAKE_ELSEWHERE {
                        break self.elsewhere_region();
                    }
                    let r = self.home_region();
                    if kind == NAMESAKE_NO_ID_NO_BIRTH || r[..6] != m.region_code[..6] {
                        break r;
                    }
                };
                (birth, region)
            }
        };
        let male = self.rng.random_bool(0.5);
        let person = self
            .people
            .add_stranger(&mut self.rng, m.name.clone(), birth, male, &region);
        let own = self.people.get(person).id.clone();
        let written = match kind {
            TWIN => None,
            TWIN_MISTYPED => Some(loop {
                // A typo that lands one edit from the member's id would be
                // the member's own row with a typo: no linker can tell.
                let w = wrong_digit(&mut self.rng, &own);
                if strsim::osa_distance(&w, &m.id) > 1 {
                    break w;
                }
            }),
            NAMESAKE_ELSEWHERE => match self.rng.random_range(0..3) {
                0 => None,
                1 => Some(String::new()),
                _ => Some(wrong_digit(&mut self.rng, &own)),
            },
            _ => Some(String::new()),
        };
        let dataset = match k % 3 {
            0 => {
                let value = Some(super::roster::yuan(&mut self.rng, 60_000, 200_000));
                self.add_vehicle(person, 0.0, VehicleType::Car, VehicleStatus::Normal, value);
                Dataset::Vehicles
            }
            1 => {
                let date = self.month.plus(-1).first_day();
                self.add_death(person, 0.0, date);
                Dataset::Deaths
            }
            _ => {
                let account = self.account_no();
                let balance = super::roster::yuan(&mut self.rng, 100_000, 900_000);
                let as_of = self.month.last_day();
                self.add_deposit(
                    person,
                    0.0,
                    "中国工商银行",
                    account,
                    crate::schema::AssetType::Deposit,
                    balance,
                    as_of,
                );
                Dataset::Deposits
            }
        };
        let holder = match dataset {
            Dataset::Vehicles => self.ex.vehicles.last_mut().map(|r| &mut r.holder),
            Dataset::Deaths => self.ex.deaths.last_mut().map(|r| &mut r.holder),
            _ => self.ex.deposits.last_mut().map(|r| &mut r.holder),
        }
        .expect("a row was just added");
        holder.name = None;
        holder.id = written;
        holder.linkage.decoy = Some(kind);
        holder.linkage.no_birth_date = kind == NAMESAKE_NO_ID_NO_BIRTH;
        self.count_noise(&format!("decoy_{kind}"));
    }
}

/// Writes `truth/linkage.csv`: every extract row with its true member
/// (empty for strangers), whether rules.md lets it be `matched`, and its
/// noise. Streamed: at province scale the file is hundreds of megabytes.
pub(crate) fn write_truth_csv(
    path: &std::path::Path,
    ex: &super::extracts::Extracts,
    people: &People,
) -> Result<(), super::GenError> {
    let io = |source| super::GenError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    out.write_all(b"dataset,row_index,id_number,matchable,id_noise,name_noise,decoy\n")
        .map_err(io)?;
    // Contract order of the outputs: by dataset name.
    let mut datasets: Vec<(Dataset, Box<dyn Iterator<Item = &Holder>>)> = vec![
        (
            Dataset::Businesses,
            Box::new(ex.businesses.iter().map(|r| &r.holder)),
        ),
        (
            Dataset::Deaths,
            Box::new(ex.deaths.iter().map(|r| &r.holder)),
        ),
        (
            Dataset::Deposits,
            Box::new(ex.deposits.iter().map(|r| &r.holder)),
        ),
        (
            Dataset::Payroll,
            Box::new(ex.payroll.iter().map(|r| &r.holder)),
        ),
        (
            Dataset::Properties,
            Box::new(ex.properties.iter().map(|r| &r.holder)),
        ),
        (
            Dataset::Vehicles,
            Box::new(ex.vehicles.iter().map(|r| &r.holder)),
        ),
    ];
    for (&dataset, rows) in &ex.rows {
        datasets.push((dataset, Box::new(rows.iter().map(|r| &r.holder))));
    }
    datasets.sort_by_key(|(d, _)| d.name());
    for (dataset, holders) in datasets {
        for (row, h) in holders.enumerate() {
            let p = people.get(h.person);
            let id = if p.member { p.id.as_str() } else { "" };
            writeln!(
                out,
                "{},{row},{id},{},{},{},{}",
                dataset.name(),
                p.member && matchable(h.id.as_deref(), &p.id),
                h.linkage.id.unwrap_or(""),
                h.linkage.name.unwrap_or(""),
                h.linkage.decoy.unwrap_or("")
            )
            .map_err(io)?;
        }
    }
    out.flush().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize_id;
    use rand::SeedableRng;

    const ID: &str = "512022198001011234";

    #[test]
    fn id_faults_are_invalid_and_as_far_as_their_kind_says() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let real = format!(
            "{}{}",
            &ID[..17],
            crate::text::check_digit(&ID[..17]).unwrap()
        );
        for _ in 0..200 {
            let w = wrong_digit(&mut rng, &real);
            assert!(!normalize_id(Some(&w)).valid);
            assert_eq!(strsim::osa_distance(&w, &real), 1);
            if let Some(t) = transposed(&mut rng, &real) {
                assert!(!normalize_id(Some(&t)).valid);
                assert_eq!(strsim::osa_distance(&t, &real), 1);
            }
        }
        assert_eq!(
            spreadsheet(&mut rng, "512022198001011234", false).as_deref(),
            Some("512022198001011000")
        );
        assert_eq!(spreadsheet(&mut rng, "51202219800101123X", true), None);
        let sci = spreadsheet(&mut rng, "512022198001011234", true).unwrap();
        assert!(
            sci == "5.12022198001011E+17" || sci == "5.12022E+17",
            "{sci}"
        );
    }

    #[test]
    fn rare_characters_become_a_placeholder_or_their_pinyin() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for _ in 0..20 {
            let p = rare_character(&mut rng, "王焱", false).unwrap();
            assert!(
                ["王*", "*焱", "王?", "?焱", "王？", "？焱"].contains(&p.as_str()),
                "{p}"
            );
            let y = rare_character(&mut rng, "王焱", true)
                .unwrap()
                .to_lowercase();
            assert!(y == "王yan" || y == "wang焱", "{y}");
        }
        assert_eq!(rare_character(&mut rng, "··", true), None);
    }

    #[test]
    fn only_ids_within_one_edit_are_matchable() {
        assert!(matchable(None, ID));
        assert!(matchable(Some(" 512022198001011234"), ID));
        assert!(matchable(Some("512022198001011235"), ID));
        assert!(matchable(Some("51202219800101123"), ID));
        assert!(!matchable(Some(""), ID));
        assert!(!matchable(Some("512022198001011000"), ID));
        assert!(matchable(Some("512022198001011000"), "512022198001011001"));
        assert!(!matchable(Some("5.12022198001011E+17"), ID));
        assert_eq!("linkage".parse::<Noise>(), Ok(Noise::Linkage));
        assert!("loud".parse::<Noise>().is_err());
    }
}
