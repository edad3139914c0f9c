//! R-PROPERTY-COMMERCIAL — a member owns commercial, office or industrial property.
//!
//! **What it checks**: a living member owns a `current` unit of usage
//! `commercial`, `office` or `industrial` with share > 0, and
//! `commercial_property_allowed` is false.
//! **Action**: `exit`.
//! **Parameters**: `commercial_property_allowed`.
//! **Source**: rules.md "Rules for recipients".

use super::{Facts, Finding, RuleId};
use crate::schema::{PropertyStatus, PropertyUsage};
use crate::verdict::Action;
use rust_decimal::Decimal;

pub fn check(f: &Facts) -> Vec<Finding> {
    if f.params.commercial_property_allowed {
        return Vec::new();
    }
    f.evidence
        .properties
        .iter()
        .filter(|p| f.is_living(p.source.member))
        .filter(|p| p.status == Some(PropertyStatus::Current))
        .filter(|p| p.share.is_none_or(|s| s > Decimal::ZERO))
        .filter_map(|p| {
            let usage = p.usage.filter(|u| {
                matches!(
                    u,
                    PropertyUsage::Commercial | PropertyUsage::Office | PropertyUsage::Industrial
                )
            })?;
            let detail = format!(
                "{}名下{}用房{}（{}）",
                f.member(p.source.member).name.clone().unwrap_or_default(),
                usage.label_zh(),
                p.unit_no.as_deref().unwrap_or(""),
                p.location.as_deref().unwrap_or("")
            );
            Some(Finding::from_row(
                RuleId::PropertyCommercial,
                Action::Exit,
                &p.source,
                detail,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::schema::{PropertyStatus, PropertyUsage};
    use crate::rules::RuleId;
    use crate::verdict::Action;
    use rust_decimal_macros::dec;

    #[test]
    fn a_current_shop_is_an_exit_and_a_cancelled_one_is_not() {
        let mut w = World::household(1);
        w.property(
            0,
            "U1",
            PropertyUsage::Commercial,
            PropertyStatus::Cancelled,
            dec!(40),
            dec!(1),
        );
        assert_eq!(w.fired(), []);
        w.property(
            0,
            "U2",
            PropertyUsage::Office,
            PropertyStatus::Current,
            dec!(40),
            dec!(0.5),
        );
        assert_eq!(w.fired(), [(RuleId::PropertyCommercial, Action::Exit)]);
    }

    #[test]
    fn allowed_by_policy_or_zero_share_does_not_fire() {
        let mut w = World::household(1);
        w.property(
            0,
            "U1",
            PropertyUsage::Industrial,
            PropertyStatus::Current,
            dec!(40),
            dec!(0),
        );
        assert_eq!(w.fired(), []);
        w.property(
            0,
            "U2",
            PropertyUsage::Commercial,
            PropertyStatus::Current,
            dec!(40),
            dec!(1),
        );
        w.params.commercial_property_allowed = true;
        assert_eq!(w.fired(), []);
    }
}
