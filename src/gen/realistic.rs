//! Realistic noise (`hedui gen --noise realistic`): the shape an independent
//! check measured on real extracts (issue 15), put on every extract row, a
//! member's or a stranger's alike, in place of the standard row noise.
//! Decoys are planted as in linkage mode and left as they are; the truth of
//! every row goes to `truth/linkage.csv` as in linkage mode.
//!
//! Id faults, at most one per row: a wrong digit (the checksum fails), a
//! null id (the row keeps `person_birth_date` and `person_region_code`), a
//! null id with neither, the legacy 15-digit form, full-width digits,
//! spaces. Name faults, at most one per row and drawn independently of the
//! id: spaces, traditional characters, a null name, a rare character
//! written `*`/`?` or as pinyin.
//!
//! A rate is a share of all rows, but some kinds fit only some people (a
//! 15-digit id exists only for someone born 19xx; a name may have no
//! character with a traditional form). So a kind is drawn, among the rows it
//! fits, at `rate × rows / rows it fits`: its share of all rows stays the
//! rate.

use super::extracts::Holder;
use super::names::{self, NAME_INNER_SPACE, NAME_OUTER_SPACE, NAME_TRADITIONAL};
use super::noise::{
    self, all_holders, MISSING_ID, NAME_PINYIN, NAME_PLACEHOLDER, NO_ID_NO_BIRTH, WRONG_DIGIT,
};
use super::people::{self, Person, ID_FULL_WIDTH, ID_SPACES};
use super::Ctx;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::ops::Range;
use std::str::FromStr;

const LEGACY_15: &str = "legacy_15";
const FULL_WIDTH: &str = "full_width";
const SPACES_IN_ID: &str = "id_spaces";
const NAME_SPACES: &str = "name_spaces";
const TRADITIONAL: &str = "traditional";
const NULL_NAME: &str = "null_name";

/// The kinds, as `truth/linkage.csv` and `--noise-rate` name them: the id
/// kinds (`ID_KINDS`), then the name kinds (`NAME_KINDS`).
pub const NOISE_KINDS: [&str; 11] = [
    WRONG_DIGIT,
    MISSING_ID,
    NO_ID_NO_BIRTH,
    LEGACY_15,
    FULL_WIDTH,
    SPACES_IN_ID,
    NAME_SPACES,
    TRADITIONAL,
    NULL_NAME,
    NAME_PLACEHOLDER,
    NAME_PINYIN,
];
const ID_KINDS: Range<usize> = 0..6;
const NAME_KINDS: Range<usize> = 6..11;

/// The rate of each realistic noise kind, as a share of all extract rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseRates([f64; NOISE_KINDS.len()]);

impl Default for NoiseRates {
    /// The independent check's figures (issue 15); rare characters, which
    /// it did not count, at 0.3% each way.
    fn default() -> NoiseRates {
        NoiseRates([
            0.022, 0.015, 0.005, 0.022, 0.018, 0.017, 0.024, 0.016, 0.008, 0.003, 0.003,
        ])
    }
}

impl NoiseRates {
    /// The rate of a kind of [`NOISE_KINDS`].
    pub fn get(&self, kind: &str) -> Option<f64> {
        NOISE_KINDS
            .iter()
            .position(|k| *k == kind)
            .map(|i| self.0[i])
    }

    pub fn set(&mut self, rate: NoiseRate) {
        if let Some(i) = NOISE_KINDS.iter().position(|k| *k == rate.kind) {
            self.0[i] = rate.rate;
        }
    }

    /// The id kinds exclude each other on a row, and so do the name kinds:
    /// each group's rates must leave room for rows without noise.
    pub(crate) fn check(&self) -> Result<(), String> {
        for (group, range) in [("id", ID_KINDS), ("name", NAME_KINDS)] {
            let sum: f64 = self.0[range].iter().sum();
            if sum > 1.0 {
                return Err(format!(
                    "the {group} noise rates add up to {sum}, more than 1 (one {group} fault per row)"
                ));
            }
        }
        Ok(())
    }
}

/// One `--noise-rate KIND=RATE`: a kind of [`NOISE_KINDS`] and a rate in
/// `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseRate {
    pub kind: &'static str,
    pub rate: f64,
}

impl FromStr for NoiseRate {
    type Err = String;
    fn from_str(s: &str) -> Result<NoiseRate, String> {
        let (kind, rate) = s
            .split_once('=')
            .ok_or_else(|| format!("expected KIND=RATE, got `{s}`"))?;
        let kind = NOISE_KINDS
            .iter()
            .find(|k| **k == kind.trim())
            .ok_or_else(|| {
                format!(
                    "unknown noise kind `{kind}` (expected one of {})",
                    NOISE_KINDS.join(", ")
                )
            })?;
        let rate: f64 = rate
            .trim()
            .parse()
            .map_err(|_| format!("rate `{rate}` of {kind} is not a number"))?;
        if !(0.0..=1.0).contains(&rate) {
            return Err(format!("rate {rate} of {kind} is outside [0, 1]"));
        }
        Ok(NoiseRate { kind, rate })
    }
}

/// Which of the kinds that do not fit everyone fit a person (bit flags).
const FITS_LEGACY: u8 = 1;
const FITS_TRADITIONAL: u8 = 2;
const FITS_RARE: u8 = 4;

fn person_fits(p: &Person) -> u8 {
    let mut flags = 0;
    if people::has_legacy_form(&p.id) {
        flags |= FITS_LEGACY;
    }
    if names::has_traditional(&p.name) {
        flags |= FITS_TRADITIONAL;
    }
    if p.name.chars().any(noise::has_pinyin) {
        flags |= FITS_RARE;
    }
    flags
}

fn fits(kind: usize, flags: u8) -> bool {
    match NOISE_KINDS[kind] {
        LEGACY_15 => flags & FITS_LEGACY != 0,
        TRADITIONAL => flags & FITS_TRADITIONAL != 0,
        NAME_PLACEHOLDER | NAME_PINYIN => flags & FITS_RARE != 0,
        _ => true,
    }
}

/// Each kind's probability on a row it fits, so that its share of all
/// (non-decoy) rows is its rate.
fn probabilities<'a>(
    rates: &NoiseRates,
    fit: &[u8],
    holders: impl Iterator<Item = &'a mut Holder>,
) -> [f64; NOISE_KINDS.len()] {
    let mut rows = 0usize;
    let mut fitting = [0usize; NOISE_KINDS.len()];
    for h in holders.filter(|h| h.linkage.decoy.is_none()) {
        rows += 1;
        let flags = fit[h.person as usize];
        for (k, n) in fitting.iter_mut().enumerate() {
            *n += usize::from(fits(k, flags));
        }
    }
    std::array::from_fn(|k| match fitting[k] {
        0 => 0.0,
        n => (rates.0[k] * rows as f64 / n as f64).min(1.0),
    })
}

/// The kind of `group` a row gets, if any: one uniform draw against the
/// kinds that fit, one after the other.
fn draw(rng: &mut ChaCha8Rng, p: &[f64], group: Range<usize>, flags: u8) -> Option<usize> {
    let u: f64 = rng.random();
    let mut below = 0.0;
    group.filter(|&k| fits(k, flags)).find(|&k| {
        below += p[k];
        u < below
    })
}

/// Writes an id fault on the row; `false` if the kind does not fit.
fn break_id(rng: &mut ChaCha8Rng, h: &mut Holder, id: &str, kind: &'static str) -> bool {
    let written = match kind {
        WRONG_DIGIT => Some(noise::wrong_digit(rng, id)),
        LEGACY_15 => people::legacy_15(id),
        FULL_WIDTH => people::id_variant(rng, id, ID_FULL_WIDTH),
        SPACES_IN_ID => people::id_variant(rng, id, ID_SPACES),
        _ => {
            h.linkage.null_id = true;
            h.linkage.no_birth_date = kind == NO_ID_NO_BIRTH;
            h.linkage.no_region = kind == NO_ID_NO_BIRTH;
            Some(String::new())
        }
    };
    h.linkage.id = written.is_some().then_some(kind);
    h.id = written;
    h.linkage.id.is_some()
}

/// Writes a name fault on the row; `false` if the kind does not fit.
fn break_name(rng: &mut ChaCha8Rng, h: &mut Holder, name: &str, kind: &'static str) -> bool {
    let written = match kind {
        NAME_SPACES => {
            let variant = if rng.random_bool(0.5) {
                NAME_INNER_SPACE
            } else {
                NAME_OUTER_SPACE
            };
            names::name_variant(rng, name, variant)
        }
        TRADITIONAL => names::name_variant(rng, name, NAME_TRADITIONAL),
        NAME_PLACEHOLDER => noise::rare_character(rng, name, false),
        NAME_PINYIN => noise::rare_character(rng, name, true),
        _ => {
            h.linkage.null_name = true;
            Some(String::new())
        }
    };
    h.linkage.name = written.is_some().then_some(kind);
    h.name = written;
    h.linkage.name.is_some()
}

impl Ctx<'_> {
    /// Plants decoys, then draws an id fault and a name fault for every
    /// other extract row at `rates`, counting each kind in `meta.json`.
    pub(crate) fn realistic_noise(&mut self, households: usize, rates: &NoiseRates) {
        self.decoys(households);
        let (rng, people, ex) = (&mut self.rng, &self.people, &mut self.ex);
        let fit: Vec<u8> = people.persons.iter().map(person_fits).collect();
        let p = probabilities(rates, &fit, all_holders(ex));
        let mut counts = [0usize; NOISE_KINDS.len()];
        for h in all_holders(ex) {
            if h.linkage.decoy.is_some() {
                // A decoy keeps its planted id; a missing one is a null here.
                h.linkage.null_id = h.id.as_deref() == Some("");
                continue;
            }
            let person = people.get(h.person);
            let flags = fit[h.person as usize];
            if let Some(k) = draw(rng, &p, ID_KINDS, flags) {
                counts[k] += usize::from(break_id(rng, h, &person.id, NOISE_KINDS[k]));
            }
            if let Some(k) = draw(rng, &p, NAME_KINDS, flags) {
                counts[k] += usize::from(break_name(rng, h, &person.name, NOISE_KINDS[k]));
            }
        }
        for (kind, n) in NOISE_KINDS.iter().zip(counts).filter(|(_, n)| *n > 0) {
            *self.noise.entry(format!("realistic_{kind}")).or_default() += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_rates_parse_kind_and_rate_and_refuse_the_rest() {
        let r: NoiseRate = "wrong_digit=0.03".parse().unwrap();
        assert_eq!((r.kind, r.rate), ("wrong_digit", 0.03));
        let mut rates = NoiseRates::default();
        assert_eq!(rates.get("legacy_15"), Some(0.022));
        assert!(rates.check().is_ok());
        rates.set(" null_name = 1 ".parse().unwrap());
        assert_eq!(rates.get("null_name"), Some(1.0));
        assert!(rates.check().unwrap_err().contains("name noise rates"));
        assert_eq!(rates.get("lowercase_x"), None);
        let err = "typo=0.1".parse::<NoiseRate>().unwrap_err();
        assert!(err.contains("unknown noise kind `typo`") && err.contains("name_pinyin"));
        for bad in ["wrong_digit=1.5", "wrong_digit=-0.1", "wrong_digit=NaN"] {
            let err = bad.parse::<NoiseRate>().unwrap_err();
            assert!(err.contains("outside [0, 1]"), "{bad}: {err}");
        }
        assert!("wrong_digit".parse::<NoiseRate>().is_err());
        assert!("wrong_digit=lots".parse::<NoiseRate>().is_err());
        rates.set("wrong_digit=0.99".parse().unwrap());
        assert!(rates.check().unwrap_err().contains("id noise rates"));
    }

    #[test]
    fn a_kind_that_fits_few_rows_is_drawn_more_often_on_them() {
        let rates = NoiseRates::default();
        let mut holders: Vec<Holder> = (0..4u32)
            .map(|person| Holder {
                person,
                name: None,
                id: None,
                linkage: Default::default(),
            })
            .collect();
        // Half the people were born 19xx, all names have a traditional form.
        let fit = [
            FITS_LEGACY | FITS_TRADITIONAL,
            FITS_TRADITIONAL,
            FITS_LEGACY,
            0,
        ];
        let p = probabilities(&rates, &fit, holders.iter_mut());
        assert!((p[3] - 2.0 * 0.022).abs() < 1e-12, "legacy_15: {}", p[3]);
        assert!((p[7] - 2.0 * 0.016).abs() < 1e-12, "traditional: {}", p[7]);
        assert!((p[0] - 0.022).abs() < 1e-12, "wrong_digit: {}", p[0]);
    }
}
