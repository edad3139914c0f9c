//! R-PROPERTY-COUNT — more homes than allowed, and not small ones.
//!
//! **What it checks**: the household's distinct `current` residential units
//! with share > 0 number more than `max_residences`, and their floor area
//! (Σ area_m2 × share) per living member is not below
//! `residence_area_per_capita_exempt_below` (宁夏: 30 m²; 0 = no exemption).
//! A unit is counted once by `unit_no` however many members co-own it; its
//! share for the household is the sum of its members' shares, at most 1.
//! **Action**: `exit`.
//! **Parameters**: `max_residences`, `residence_area_per_capita_exempt_below`.
//! **Source**: rules.md "Rules for recipients", "Who counts".
//! A unit without `area_m2` counts with area 0; one without `share` as wholly owned.

use super::{aggregate_findings, facts_first, Facts, Finding, RuleId};
use crate::evidence::Property;
use crate::schema::{PropertyStatus, PropertyUsage};
use crate::verdict::Action;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// (distinct units, Σ area × share) of residential rows.
pub fn units_and_area(rows: &[&Property]) -> (usize, Decimal) {
    /// A unit, or a row that names none (a unit of its own).
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Unit<'r> {
        Numbered(&'r str),
        Row(u64),
    }
    let mut units: BTreeMap<Unit, (Decimal, Decimal)> = BTreeMap::new();
    for p in rows {
        let key = match &p.unit_no {
            Some(u) => Unit::Numbered(u),
            None => Unit::Row(p.source.row_index),
        };
        let (area, share) = units.entry(key).or_default();
        *area = (*area).max(p.area_m2.unwrap_or_default());
        *share += p.share.unwrap_or(Decimal::ONE);
    }
    let area = units
        .values()
        .map(|(area, share)| *area * (*share).min(Decimal::ONE))
        .sum();
    (units.len(), area)
}

pub fn check(f: &Facts) -> Vec<Finding> {
    let p = f.params;
    let rows: Vec<&Property> = f
        .evidence
        .properties
        .iter()
        .filter(|r| f.is_living(r.source.member))
        .filter(|r| {
            r.status == Some(PropertyStatus::Current) && r.usage == Some(PropertyUsage::Residential)
        })
        .filter(|r| r.share.is_none_or(|s| s > Decimal::ZERO))
        .collect();
    let living = Decimal::from(f.living_count());
    let hit = facts_first(
        &rows,
        |r| &r.source,
        |rows| {
            let (count, area) = units_and_area(rows);
            let fires = count > p.max_residences as usize
                && area >= p.residence_area_per_capita_exempt_below * living;
            fires.then(|| {
                let per_capita = (area / living).round_dp(2);
                (
                    rows.to_vec(),
                    format!(
                        "家庭现有住宅{count}套（上限{}套），人均住房面积{per_capita}平方米",
                        p.max_residences
                    ),
                )
            })
        },
    );
    aggregate_findings(RuleId::PropertyCount, Action::Exit, hit, |r| &r.source)
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::schema::{PropertyStatus, PropertyUsage};
    use crate::rules::RuleId;
    use crate::verdict::Action;
    use rust_decimal_macros::dec;

    fn homes(w: &mut World, n: usize, area: rust_decimal::Decimal) {
        for i in 0..n {
            w.property(
                0,
                &format!("H{i}"),
                PropertyUsage::Residential,
                PropertyStatus::Current,
                area,
                dec!(1),
            );
        }
    }

    #[test]
    fn one_home_over_the_limit_with_large_area_is_an_exit() {
        let mut w = World::household(2); // max 2 homes, exempt below 30 m² per person
        homes(&mut w, 3, dec!(20)); // 60 m² / 2 = 30: not below 30
        assert_eq!(w.fired(), [(RuleId::PropertyCount, Action::Exit)]);
        assert_eq!(w.findings().len(), 3);
    }

    #[test]
    fn small_homes_are_exempt_and_the_limit_itself_is_allowed() {
        let mut w = World::household(2);
        homes(&mut w, 3, dec!(19.99)); // 59.97 / 2 < 30
        assert_eq!(w.fired(), []);
        let mut w = World::household(2);
        homes(&mut w, 2, dec!(200));
        assert_eq!(w.fired(), []);
    }

    #[test]
    fn a_co_owned_unit_counts_once_and_cancelled_units_not_at_all() {
        let mut w = World::household(2);
        homes(&mut w, 2, dec!(100));
        w.property(
            0,
            "H0",
            PropertyUsage::Residential,
            PropertyStatus::Current,
            dec!(100),
            dec!(0.5),
        );
        w.property(
            1,
            "H0",
            PropertyUsage::Residential,
            PropertyStatus::Current,
            dec!(100),
            dec!(0.5),
        );
        w.property(
            1,
            "H9",
            PropertyUsage::Residential,
            PropertyStatus::Cancelled,
            dec!(100),
            dec!(1),
        );
        assert_eq!(w.fired(), []);
        w.property(
            1,
            "H3",
            PropertyUsage::Residential,
            PropertyStatus::Current,
            dec!(100),
            dec!(1),
        );
        assert_eq!(w.fired(), [(RuleId::PropertyCount, Action::Exit)]);
    }

    #[test]
    fn no_exemption_when_the_parameter_is_zero() {
        let mut w = World::household(2);
        w.params.residence_area_per_capita_exempt_below = dec!(0);
        homes(&mut w, 3, dec!(1));
        assert_eq!(w.fired(), [(RuleId::PropertyCount, Action::Exit)]);
    }
}
