//! R-VEHICLE — a member owns a vehicle that is not exempt.
//!
//! **What it checks**: a living member owns a vehicle with status `normal`,
//! type not in `vehicle_exempt_types`, and `assessed_value` null or not below
//! `vehicle_value_exempt_below` (0 = no value exemption).
//! **Action**: `exit`.
//! **Parameters**: `vehicle_exempt_types`, `vehicle_value_exempt_below`.
//! **Source**: rules.md "Rules for recipients".
//! A vehicle whose status or type could not be read only raises manual review.

use super::{yuan, Facts, Finding, RuleId};
use crate::schema::VehicleStatus;
use crate::verdict::Action;

pub fn check(f: &Facts) -> Vec<Finding> {
    let p = f.params;
    f.evidence
        .vehicles
        .iter()
        .filter(|v| f.is_living(v.source.member))
        .filter_map(|v| {
            let valued = v
                .assessed_value
                .is_none_or(|value| value >= p.vehicle_value_exempt_below);
            let plate = v.plate_no.as_deref().unwrap_or("（无号牌）");
            match (v.status, v.vehicle_type) {
                (Some(VehicleStatus::Normal), Some(t))
                    if !p.vehicle_exempt_types.contains(&t) && valued =>
                {
                    let value = v.assessed_value.map_or("未评估".to_string(), |x| {
                        format!("评估价值{}元", yuan(x))
                    });
                    let detail = format!(
                        "{}名下{}（{}），状态正常，{}",
                        name(f, v.source.member),
                        plate,
                        t.label_zh(),
                        value
                    );
                    Some(Finding::from_row(
                        RuleId::Vehicle,
                        Action::Exit,
                        &v.source,
                        detail,
                    ))
                }
                (None, _) | (Some(VehicleStatus::Normal), None) if valued => {
                    let mut finding = Finding::from_row(
                        RuleId::Vehicle,
                        Action::ManualReview,
                        &v.source,
                        format!(
                            "{}名下车辆{}的状态或类型不可读",
                            name(f, v.source.member),
                            plate
                        ),
                    );
                    finding.certain = false;
                    Some(finding)
                }
                _ => None,
            }
        })
        .collect()
}

fn name(f: &Facts, member: u32) -> String {
    f.member(member).name.clone().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::schema::{VehicleStatus, VehicleType};
    use crate::rules::RuleId;
    use crate::verdict::Action;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn fired(
        t: VehicleType,
        status: VehicleStatus,
        value: Option<Decimal>,
    ) -> Vec<(RuleId, Action)> {
        let mut w = World::household(2); // exemption below 10000.00; motorcycle exempt
        w.vehicle(1, t, status, value);
        w.fired()
    }

    #[test]
    fn a_normal_car_is_an_exit_at_or_above_the_value_exemption() {
        let exit = [(RuleId::Vehicle, Action::Exit)];
        assert_eq!(
            fired(VehicleType::Car, VehicleStatus::Normal, Some(dec!(50000))),
            exit
        );
        assert_eq!(
            fired(
                VehicleType::Car,
                VehicleStatus::Normal,
                Some(dec!(10000.00))
            ),
            exit
        );
        assert_eq!(fired(VehicleType::Car, VehicleStatus::Normal, None), exit);
    }

    #[test]
    fn exemptions_do_not_fire() {
        assert_eq!(
            fired(VehicleType::Car, VehicleStatus::Normal, Some(dec!(9999.99))),
            []
        );
        assert_eq!(
            fired(
                VehicleType::Motorcycle,
                VehicleStatus::Normal,
                Some(dec!(50000))
            ),
            []
        );
        assert_eq!(
            fired(VehicleType::Car, VehicleStatus::Scrapped, Some(dec!(50000))),
            []
        );
        assert_eq!(
            fired(VehicleType::Car, VehicleStatus::Deregistered, None),
            []
        );
    }

    #[test]
    fn a_dead_members_car_does_not_count() {
        let mut w = World::household(2);
        w.vehicle(1, VehicleType::Car, VehicleStatus::Normal, None);
        w.death(1, Some("2024-05-01"));
        assert_eq!(w.fired(), [(RuleId::Death, Action::MemberChange)]);
    }
}
