//! R-BUSINESS-CAPITAL — a member owns or heads a company above the capital limit.
//!
//! **What it checks**: a living member is `legal_rep` or `shareholder` of an
//! `active` company, sole proprietorship or partnership whose registered
//! capital is known and above `business_capital_limit`.
//! **Action**: `exit`.
//! **Parameters**: `business_capital_limit`.
//! **Source**: rules.md "Rules for recipients". Every other active
//! registration is R-BUSINESS-ACTIVE.

use super::{yuan, Facts, Finding, RuleId};
use crate::verdict::Action;

pub fn check(f: &Facts) -> Vec<Finding> {
    f.evidence
        .businesses
        .iter()
        .filter(|b| {
            f.is_living(b.source.member) && b.is_company_over(f.params.business_capital_limit)
        })
        .map(|b| {
            let detail = format!(
                "{}是{}（{}）的{}，注册资本{}元，高于{}元",
                f.member(b.source.member).name.clone().unwrap_or_default(),
                b.entity_name.as_deref().unwrap_or(""),
                b.entity_type.map_or("", |t| t.label_zh()),
                b.role.map_or("", |r| r.label_zh()),
                b.registered_capital.map(yuan).unwrap_or_default(),
                yuan(f.params.business_capital_limit)
            );
            Finding::from_row(RuleId::BusinessCapital, Action::Exit, &b.source, detail)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::schema::{BusinessRole, BusinessStatus, EntityType};
    use crate::rules::RuleId;
    use crate::verdict::Action;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn fired(
        t: EntityType,
        role: BusinessRole,
        status: BusinessStatus,
        capital: Option<Decimal>,
    ) -> Vec<(RuleId, Action)> {
        let mut w = World::household(2); // limit 100000.00
        w.business(0, t, role, status, capital);
        w.fired()
    }

    #[test]
    fn a_legal_rep_of_a_company_over_the_limit_is_an_exit() {
        let exit = [(RuleId::BusinessCapital, Action::Exit)];
        let (company, active) = (EntityType::Company, BusinessStatus::Active);
        let over = Some(dec!(100000.01));
        assert_eq!(fired(company, BusinessRole::LegalRep, active, over), exit);
        let partnership = EntityType::Partnership;
        let capital = Some(dec!(500000));
        assert_eq!(
            fired(partnership, BusinessRole::Shareholder, active, capital),
            exit
        );
    }

    #[test]
    fn at_the_limit_unknown_capital_or_operator_role_is_business_active() {
        let review = [(RuleId::BusinessActive, Action::ManualReview)];
        let (company, active) = (EntityType::Company, BusinessStatus::Active);
        let rep = BusinessRole::LegalRep;
        assert_eq!(fired(company, rep, active, Some(dec!(100000.00))), review);
        assert_eq!(fired(company, rep, active, None), review);
        let operator = BusinessRole::Operator;
        assert_eq!(
            fired(company, operator, active, Some(dec!(9000000))),
            review
        );
    }

    #[test]
    fn a_deregistered_or_revoked_company_does_not_fire() {
        let (company, rep) = (EntityType::Company, BusinessRole::LegalRep);
        for status in [BusinessStatus::Deregistered, BusinessStatus::Revoked] {
            assert_eq!(fired(company, rep, status, Some(dec!(9000000))), []);
        }
    }
}
