//! People: roster members and strangers, with valid GB 11643-1999 id numbers,
//! and the id noise real extracts carry.
//!
//! Every person has a canonical 18-digit id (`Person::id`). Member ids are
//! unique; a stranger's id is never a member's (a namesake or twin of a
//! member gets another valid id: rules.md says such a row is a different
//! person and must never be linked).

use chrono::{Datelike, Months, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// One person of the synthetic world.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    /// Canonical name (simplified characters, `·` in dotted names).
    pub name: String,
    /// Canonical, valid 18-digit id number.
    pub id: String,
    pub birth: NaiveDate,
    pub male: bool,
    /// 12-digit region code where the person is registered.
    pub region_code: String,
    /// On the roster (a household member).
    pub member: bool,
}

/// The table of people; rows of datasets refer to people by index.
#[derive(Debug, Default)]
pub(crate) struct People {
    pub persons: Vec<Person>,
    member_ids: HashSet<String>,
    /// Indices of strangers created so far (for people holding several rows).
    pub strangers: Vec<u32>,
    /// Indices of members, in creation order (namesakes are drawn from them).
    pub members: Vec<u32>,
}

/// The 18-digit id for a county, birth date and sequence number (odd for
/// men, even for women), with its GB 11643 check digit.
pub(crate) fn make_id(county: &str, birth: NaiveDate, seq: u32) -> String {
    let body = format!(
        "{county}{:04}{:02}{:02}{seq:03}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    let check = crate::text::check_digit(&body).expect("a 17-digit body always has a check digit");
    format!("{body}{check}")
}

fn random_seq(rng: &mut ChaCha8Rng, male: bool) -> u32 {
    // 001..=999 with the sex digit's parity; 000 is not issued.
    loop {
        let s = rng.random_range(0..500u32) * 2 + u32::from(male);
        if s > 0 && s < 1000 {
            return s;
        }
    }
}

impl People {
    /// Adds a roster member with a fresh unique id.
    pub fn add_member(
        &mut self,
        rng: &mut ChaCha8Rng,
        name: String,
        birth: NaiveDate,
        male: bool,
        region_code: &str,
    ) -> u32 {
        let county = &region_code[..6];
        let id = loop {
            let id = make_id(county, birth, random_seq(rng, male));
            if self.member_ids.insert(id.clone()) {
                break id;
            }
        };
        let index = self.persons.len() as u32;
        self.persons.push(Person {
            name,
            id,
            birth,
            male,
            region_code: region_code.to_string(),
            member: true,
        });
        self.members.push(index);
        index
    }

    /// Adds a stranger: a valid id that no member has.
    pub fn add_stranger(
        &mut self,
        rng: &mut ChaCha8Rng,
        name: String,
        birth: NaiveDate,
        male: bool,
        region_code: &str,
    ) -> u32 {
        let county = &region_code[..6];
        let id = loop {
            let id = make_id(county, birth, random_seq(rng, male));
            if !self.member_ids.contains(&id) {
                break id;
            }
        };
        let index = self.persons.len() as u32;
        self.persons.push(Person {
            name,
            id,
            birth,
            male,
            region_code: region_code.to_string(),
            member: false,
        });
        self.strangers.push(index);
        index
    }

    /// Gives member `index` another birth date (and so another unique id);
    /// `false`, changing nothing, when half the sequence numbers of that
    /// county, date and sex are taken (a large set plants the same date many
    /// times; the rest stay free for members born on it by chance).
    pub fn set_member_birth(&mut self, rng: &mut ChaCha8Rng, index: u32, birth: NaiveDate) -> bool {
        let p = &self.persons[index as usize];
        let (county, male, old) = (p.region_code[..6].to_string(), p.male, p.id.clone());
        let start = rng.random_range(0..500u32);
        let free: Vec<String> = (0..500u32)
            .map(|k| ((start + k) % 500) * 2 + u32::from(male))
            .filter(|&seq| seq > 0 && seq < 1000)
            .map(|seq| make_id(&county, birth, seq))
            .filter(|id| !self.member_ids.contains(id))
            .collect();
        // Half the date's ids stay free for members born on it by chance
        // (`add_member` draws sequence numbers at random).
        if free.len() < 250 {
            return false;
        }
        let id = free.into_iter().next().expect("at least 250 free");
        self.member_ids.insert(id.clone());
        self.member_ids.remove(&old);
        let p = &mut self.persons[index as usize];
        p.birth = birth;
        p.id = id;
        true
    }

    pub fn get(&self, index: u32) -> &Person {
        &self.persons[index as usize]
    }
}

/// A birth date for someone `age` years old on `reference`.
pub(crate) fn birth_for_age(rng: &mut ChaCha8Rng, reference: NaiveDate, age: u32) -> NaiveDate {
    let anniversary = reference
        .checked_sub_months(Months::new(12 * age))
        .unwrap_or(reference);
    anniversary - chrono::Duration::days(rng.random_range(0..365))
}

/// Whole years from `birth` to `on`.
pub(crate) fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// Kinds of id noise, as counted in `meta.json`.
pub(crate) const ID_LEGACY_15: &str = "id_legacy_15_digit";
pub(crate) const ID_LOWERCASE_X: &str = "id_lowercase_x";
pub(crate) const ID_FULL_WIDTH: &str = "id_full_width_digits";
pub(crate) const ID_SPACES: &str = "id_spaces";
pub(crate) const ID_IDEOGRAPHIC_SPACE: &str = "id_ideographic_space";

/// The 15-digit form of an 18-digit id of someone born 19xx: the century
/// digits and the check digit dropped.
pub(crate) fn legacy_15(id: &str) -> Option<String> {
    has_legacy_form(id).then(|| format!("{}{}", &id[..6], &id[8..17]))
}

/// Whether the id has a 15-digit form: only people born 19xx were issued one.
pub(crate) fn has_legacy_form(id: &str) -> bool {
    id.len() == 18 && &id[6..8] == "19"
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The id as a dirty extract writes it: every variant still normalises to
/// `id` (whitespace removed, full-width digits folded, `x` upper-cased,
/// 15 → 18 digits). Returns `None` when no kind of noise fits.
pub(crate) fn noisy_id(rng: &mut ChaCha8Rng, id: &str) -> Option<(String, &'static str)> {
    let mut kinds = vec![ID_FULL_WIDTH, ID_SPACES, ID_IDEOGRAPHIC_SPACE];
    if legacy_15(id).is_some() {
        kinds.extend([ID_LEGACY_15, ID_LEGACY_15]);
    }
    if id.ends_with('X') {
        kinds.extend([ID_LOWERCASE_X, ID_LOWERCASE_X, ID_LOWERCASE_X]);
    }
    let kind = kinds[rng.random_range(0..kinds.len())];
    id_variant(rng, id, kind).map(|out| (out, kind))
}

/// The id written with one kind of normalisable noise (`ID_*`); `None` when
/// the kind does not fit the id.
pub(crate) fn id_variant(rng: &mut ChaCha8Rng, id: &str, kind: &str) -> Option<String> {
    Some(match kind {
        ID_LEGACY_15 => legacy_15(id)?,
        ID_LOWERCASE_X => id.replace('X', "x"),
        ID_FULL_WIDTH => {
            if rng.random_bool(0.5) {
                full_width(id)
            } else {
                // Only the birth-date part, as some hand-typed records have.
                format!("{}{}{}", &id[..6], full_width(&id[6..14]), &id[14..])
            }
        }
        ID_SPACES => match rng.random_range(0..3) {
            0 => format!("{} {} {}", &id[..6], &id[6..14], &id[14..]),
            1 => format!(" {id}"),
            _ => format!("{id}  "),
        },
        _ => match rng.random_range(0..3) {
            0 => format!("{id}\u{3000}"),
            1 => format!("\u{3000}{id}"),
            _ => format!("{}\u{3000}{}", &id[..6], &id[6..]),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_form_drops_century_and_check_digit() {
        assert_eq!(
            legacy_15("51202219800101123X").as_deref(),
            Some("512022800101123")
        );
        assert_eq!(legacy_15("512022200001011234"), None);
    }

    #[test]
    fn a_birth_date_whose_ids_are_used_up_is_refused_not_looped_on() {
        use rand::SeedableRng;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut people = People::default();
        let birth = NaiveDate::from_ymd_opt(1964, 10, 31).unwrap();
        let other = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
        let mut ok = 0;
        for _ in 0..501 {
            let p = people.add_member(&mut rng, "王芳".into(), other, true, "512022101001");
            ok += usize::from(people.set_member_birth(&mut rng, p, birth));
        }
        // Odd sequence numbers 001..999 for men: 500 of them, half kept free.
        assert_eq!(ok, 251);
    }

    #[test]
    fn ages_count_whole_years() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(age_on(d(1960, 10, 31), d(2024, 10, 31)), 64);
        assert_eq!(age_on(d(1960, 11, 1), d(2024, 10, 31)), 63);
    }
}
