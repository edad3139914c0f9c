//! Match weights (Fellegi–Sunter): each comparison level carries an *m*
//! probability (the level's share among true matches) and a *u* probability
//! (its share among non-matches); its weight is log2(m/u) bits. A
//! candidate's match weight is the prior weight plus its levels' weights,
//! and its score is the probability 2^w / (1 + 2^w), in [0, 1].
//!
//! The m and u values are set by hand, not trained per run: a run must give
//! the same links whatever else is in the month's extracts, and a case
//! worker must be able to read off why a score is what it is. The values
//! and the cases they were tuned on are in docs/DECISIONS.md.

use super::comparison::{BirthDateLevel, IdLevel, Levels, NameLevel, RegionLevel};
use super::MatchStatus;

/// Prior weight: log2 of the odds that a candidate proposed by the blocking
/// rules is the row's person before any field is compared (about 1 in 16,000).
pub const PRIOR_WEIGHT: f64 = -14.0;

fn bits(m: f64, u: f64) -> f64 {
    (m / u).log2()
}

/// (m, u) of an id level. `Exact` never reaches scoring (score 1.0).
pub fn id_mu(level: IdLevel) -> (f64, f64) {
    match level {
        IdLevel::Exact => (0.999, 1e-9),
        IdLevel::OneEdit => (0.90, 1e-5),
        IdLevel::Truncated => (0.05, 1e-4),
        IdLevel::TwoEdits => (0.03, 3e-3),
        IdLevel::Prefix => (0.04, 0.02),
        IdLevel::Different => (0.003, 0.99),
        IdLevel::Missing => (1.0, 1.0),
    }
}

pub fn name_mu(level: NameLevel) -> (f64, f64) {
    match level {
        NameLevel::Exact => (0.85, 0.002),
        NameLevel::Pinyin => (0.08, 8e-4),
        NameLevel::Placeholder => (0.03, 1e-3),
        NameLevel::Similar => (0.04, 0.02),
        NameLevel::Different => (1e-4, 0.99),
        NameLevel::Missing => (1.0, 1.0),
    }
}

pub fn birth_date_mu(level: BirthDateLevel) -> (f64, f64) {
    match level {
        BirthDateLevel::Exact => (0.95, 0.003),
        BirthDateLevel::OnePart => (0.03, 0.02),
        BirthDateLevel::Different => (0.02, 0.977),
        BirthDateLevel::Missing => (1.0, 1.0),
    }
}

pub fn region_mu(level: RegionLevel) -> (f64, f64) {
    match level {
        RegionLevel::SamePlace => (0.80, 0.02),
        RegionLevel::SameCounty => (0.15, 0.05),
        RegionLevel::SamePrefecture => (0.03, 0.10),
        RegionLevel::Coarse => (1.0, 1.0),
        RegionLevel::Different => (0.02, 0.84),
        RegionLevel::Missing => (1.0, 1.0),
    }
}

/// Each level's weight (bits), worked out once: a row with a broken id
/// weighs several candidates, and four logarithms per candidate were a
/// sixth of its cost. Indexed by the level's position in its `ALL`.
struct WeightTable {
    id: Vec<f64>,
    /// The largest of `id`.
    id_max: f64,
    name: Vec<f64>,
    birth_date: Vec<f64>,
    region: Vec<f64>,
}

static WEIGHTS: std::sync::LazyLock<WeightTable> = std::sync::LazyLock::new(|| {
    fn table<L: Copy>(all: &[L], mu: fn(L) -> (f64, f64)) -> Vec<f64> {
        all.iter()
            .map(|&l| {
                let (m, u) = mu(l);
                bits(m, u)
            })
            .collect()
    }
    let id = table(IdLevel::ALL, id_mu);
    WeightTable {
        id_max: id.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        id,
        name: table(NameLevel::ALL, name_mu),
        birth_date: table(BirthDateLevel::ALL, birth_date_mu),
        region: table(RegionLevel::ALL, region_mu),
    }
});

/// The weight (bits) each field adds, in the order id, name, birth date, region.
pub fn field_weights(levels: &Levels) -> [f64; 4] {
    let w = &*WEIGHTS;
    [
        w.id[levels.id as usize],
        levels.name.map_or(0.0, |l| w.name[l as usize]),
        levels.birth_date.map_or(0.0, |l| w.birth_date[l as usize]),
        levels.region.map_or(0.0, |l| w.region[l as usize]),
    ]
}

/// The match weight of a candidate: prior plus the fields' weights.
pub fn match_weight(levels: &Levels) -> f64 {
    PRIOR_WEIGHT + field_weights(levels).iter().sum::<f64>()
}

/// The most a candidate can weigh whatever its id level, given its other
/// levels (`birth_dates`: the birth-date level with and without the date
/// inside the row's id, which counts only when the ids are not close). Not
/// below [`match_weight`] for any id level: the same sum, with each term
/// at least as large, and rounding is monotonic.
pub fn weight_bound(name: NameLevel, birth_dates: [BirthDateLevel; 2], region: RegionLevel) -> f64 {
    let w = &*WEIGHTS;
    let id = w.id_max;
    let birth = w.birth_date[birth_dates[0] as usize].max(w.birth_date[birth_dates[1] as usize]);
    PRIOR_WEIGHT
        + [id, w.name[name as usize], birth, w.region[region as usize]]
            .iter()
            .sum::<f64>()
}

/// The probability that the candidate is the row's person.
pub fn score(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}

/// Link thresholds of one household's policy (`match_accept`, `match_review`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub accept: f64,
    pub review: f64,
}

impl Thresholds {
    /// The shipped policies' values, used for members of a household whose
    /// region has no usable policy (that household goes to manual review anyway).
    pub const DEFAULT: Thresholds = Thresholds {
        accept: 0.9,
        review: 0.6,
    };

    /// The status a scored link reaches. Without a usable id a link is never
    /// certain (rules.md "Matching"): only an id one edit from the member's
    /// can give `matched`; a tie never does.
    pub fn status(&self, score: f64, id: IdLevel, tie: bool) -> MatchStatus {
        let by_score = if score >= self.accept {
            MatchStatus::Matched
        } else if score >= self.review {
            MatchStatus::Review
        } else {
            MatchStatus::Unmatched
        };
        let cap = if tie || !matches!(id, IdLevel::Exact | IdLevel::OneEdit) {
            MatchStatus::Review
        } else {
            MatchStatus::Matched
        };
        by_score.min(cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzzy path skips a candidate's id comparison when this bound is
    /// below the best weight so far: it must never be below a weight the
    /// candidate could have.
    #[test]
    fn the_weight_bound_is_never_below_a_reachable_weight() {
        for &name in NameLevel::ALL {
            for &region in RegionLevel::ALL {
                for &close in BirthDateLevel::ALL {
                    for &far in BirthDateLevel::ALL {
                        let bound = weight_bound(name, [close, far], region);
                        for &id in IdLevel::ALL {
                            for birth in [close, far] {
                                let w = match_weight(&levels(id, name, birth, region));
                                assert!(w <= bound, "{id:?} {name:?} {birth:?} {region:?}");
                            }
                        }
                    }
                }
            }
        }
        // And it is tight: the best id level with the better birth date.
        let bound = weight_bound(
            NameLevel::Exact,
            [BirthDateLevel::Exact, BirthDateLevel::Different],
            RegionLevel::SamePlace,
        );
        let best = IdLevel::ALL
            .iter()
            .map(|&id| {
                match_weight(&levels(
                    id,
                    NameLevel::Exact,
                    BirthDateLevel::Exact,
                    RegionLevel::SamePlace,
                ))
            })
            .fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(bound, best);
    }

    fn levels(id: IdLevel, name: NameLevel, birth: BirthDateLevel, region: RegionLevel) -> Levels {
        Levels {
            id,
            name: Some(name),
            birth_date: Some(birth),
            region: Some(region),
        }
    }

    fn status(l: Levels) -> MatchStatus {
        let s = score(match_weight(&l));
        Thresholds::DEFAULT.status(s, l.id, false)
    }

    use BirthDateLevel as B;
    use IdLevel as I;
    use NameLevel as N;
    use RegionLevel as R;

    #[test]
    fn a_mistyped_id_with_agreeing_name_is_matched() {
        assert_eq!(
            status(levels(I::OneEdit, N::Exact, B::Exact, R::SamePlace)),
            MatchStatus::Matched
        );
        assert_eq!(
            status(levels(I::OneEdit, N::Exact, B::Missing, R::Missing)),
            MatchStatus::Matched
        );
        assert_eq!(
            status(levels(I::OneEdit, N::Pinyin, B::Exact, R::Missing)),
            MatchStatus::Matched
        );
        assert_eq!(
            status(levels(I::OneEdit, N::Placeholder, B::Exact, R::SameCounty)),
            MatchStatus::Matched
        );
        // Banks send no birth date or region: id and name must do.
        assert_eq!(
            status(levels(I::OneEdit, N::Placeholder, B::Missing, R::Missing)),
            MatchStatus::Matched
        );
        assert_eq!(
            status(levels(I::OneEdit, N::Pinyin, B::Missing, R::Missing)),
            MatchStatus::Matched
        );
    }

    #[test]
    fn a_mistyped_id_under_another_name_is_only_reviewed() {
        assert_eq!(
            status(levels(I::OneEdit, N::Different, B::Exact, R::SamePlace)),
            MatchStatus::Review
        );
        assert_eq!(
            status(levels(I::OneEdit, N::Different, B::Missing, R::Missing)),
            MatchStatus::Unmatched
        );
        // A mistyped id and nothing else to go on.
        assert_eq!(
            status(levels(I::OneEdit, N::Missing, B::Missing, R::Missing)),
            MatchStatus::Review
        );
    }

    #[test]
    fn without_a_usable_id_a_link_reaches_review_at_most() {
        for id in [I::Missing, I::Truncated, I::TwoEdits, I::Prefix] {
            assert_eq!(
                status(levels(id, N::Exact, B::Exact, R::SamePlace)),
                MatchStatus::Review,
                "{id:?}"
            );
        }
        // Name and region alone (no birth date): a namesake as likely as the member.
        assert_eq!(
            status(levels(I::Missing, N::Exact, B::Missing, R::SamePlace)),
            MatchStatus::Unmatched
        );
        // A broken id far from the member's outweighs name, birth date and region.
        assert_eq!(
            status(levels(I::Different, N::Exact, B::Exact, R::SamePlace)),
            MatchStatus::Unmatched
        );
    }

    #[test]
    fn a_tie_is_review_whatever_the_score() {
        let t = Thresholds::DEFAULT;
        assert_eq!(t.status(1.0, I::OneEdit, true), MatchStatus::Review);
        assert_eq!(t.status(0.5, I::OneEdit, true), MatchStatus::Unmatched);
    }

    #[test]
    fn thresholds_are_inclusive() {
        let t = Thresholds {
            accept: 0.95,
            review: 0.7,
        };
        assert_eq!(t.status(0.95, I::OneEdit, false), MatchStatus::Matched);
        assert_eq!(t.status(0.9499, I::OneEdit, false), MatchStatus::Review);
        assert_eq!(t.status(0.7, I::OneEdit, false), MatchStatus::Review);
        assert_eq!(t.status(0.6999, I::OneEdit, false), MatchStatus::Unmatched);
    }

    #[test]
    fn score_is_a_probability_and_grows_with_weight() {
        assert_eq!(score(0.0), 0.5);
        assert_eq!(score(2000.0), 1.0);
        assert_eq!(score(-2000.0), 0.0);
        assert!(score(3.0) > score(2.0));
    }

    #[test]
    fn every_agreement_weighs_more_than_its_missing_and_disagreement_less() {
        for l in IdLevel::ALL
            .iter()
            .filter(|l| !matches!(l, I::Different | I::Missing | I::Prefix))
        {
            assert!(bits_of(id_mu(*l)) > 0.0, "{l:?}");
        }
        assert!(bits_of(id_mu(I::Different)) < 0.0);
        assert!(bits_of(name_mu(N::Different)) < 0.0);
        assert!(bits_of(birth_date_mu(B::Different)) < 0.0);
        assert!(bits_of(region_mu(R::Different)) < 0.0);
        assert_eq!(bits_of(name_mu(N::Missing)), 0.0);
    }

    fn bits_of(mu: (f64, f64)) -> f64 {
        bits(mu.0, mu.1)
    }
}
