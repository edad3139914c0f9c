//! R-BUSINESS-ACTIVE — a member has an active business registration.
//!
//! **What it checks**: a living member has an `active` registration that is
//! not R-BUSINESS-CAPITAL's: an individual business (个体工商户), a
//! cooperative, the `operator` role, or a company-type entity whose capital is
//! unknown or not above `business_capital_limit`.
//! **Action**: `manual_review` (business income must be verified by a visit).
//! **Source**: rules.md "Rules for recipients".

use super::{Facts, Finding, RuleId};
use crate::schema::BusinessStatus;
use crate::verdict::Action;

pub fn check(f: &Facts) -> Vec<Finding> {
    f.evidence
        .businesses
        .iter()
        .filter(|b| f.is_living(b.source.member))
        .filter(|b| {
            b.status == Some(BusinessStatus::Active)
                && !b.is_company_over(f.params.business_capital_limit)
        })
        .map(|b| {
            let detail = format!(
                "{}有存续的市场主体登记：{}（{}，{}）",
                f.member(b.source.member).name.clone().unwrap_or_default(),
                b.entity_name.as_deref().unwrap_or(""),
                b.entity_type.map_or("类型不详", |t| t.label_zh()),
                b.role.map_or("身份不详", |r| r.label_zh()),
            );
            Finding::from_row(
                RuleId::BusinessActive,
                Action::ManualReview,
                &b.source,
                detail,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::schema::{BusinessRole, BusinessStatus, EntityType};
    use crate::rules::RuleId;
    use crate::verdict::Action;

    #[test]
    fn an_individual_business_or_cooperative_is_reviewed() {
        for t in [EntityType::Individual, EntityType::Cooperative] {
            let mut w = World::household(1);
            w.business(0, t, BusinessRole::Operator, BusinessStatus::Active, None);
            assert_eq!(w.fired(), [(RuleId::BusinessActive, Action::ManualReview)]);
        }
    }

    #[test]
    fn a_deregistered_individual_business_does_not_fire() {
        let mut w = World::household(1);
        let (t, role) = (EntityType::Individual, BusinessRole::Operator);
        w.business(0, t, role, BusinessStatus::Deregistered, None);
        assert_eq!(w.fired(), []);
    }
}
