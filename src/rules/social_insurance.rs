//! R-SOCIAL-INSURANCE — a covered member pays employee social insurance
//! (职工社会保险), a sign of a wage the roster may not declare.
//!
//! **What it checks**: a living covered member with `social_insurance`
//! rows whose `paid_month` falls in the `payroll_lookback_months` months
//! ending with the run month.
//! **Action**: `manual_review`: the contribution shows employment, not its
//! pay; a person checks the wage.
//! **Parameters**: `payroll_lookback_months`.
//! **Source**: rules.md "Rules for recipients".

use super::{yuan, Facts, Finding, RuleId};
use crate::income::in_lookback;
use crate::schema::Dataset;
use crate::verdict::Action;

pub fn check(f: &Facts) -> Vec<Finding> {
    f.evidence
        .rows_of(Dataset::SocialInsurance)
        .filter(|r| f.is_living(r.source.member) && f.member(r.source.member).covered)
        .filter_map(|r| {
            let lookback = f.params.payroll_lookback_months;
            let month = r
                .date("paid_month")
                .filter(|&m| in_lookback(m, f.month, lookback))?;
            let name = f.member(r.source.member).name.clone().unwrap_or_default();
            let detail = format!(
                "{name}在{}缴纳职工社会保险，{}月缴费基数{}元",
                r.text("insurer").unwrap_or("（单位不详）"),
                month.format("%Y-%m"),
                r.money("contribution_base").map_or("（不详）".to_string(), yuan)
            );
            let action = Action::ManualReview;
            Some(Finding::from_row(RuleId::SocialInsurance, action, &r.source, detail))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::evidence::{ExtractRow, Source, Value};
    use crate::rules::testkit::*;
    use crate::rules::RuleId;
    use crate::schema::Dataset;
    use crate::verdict::Action;

    fn contribution(w: &mut World, member: u32, month: &str) {
        let row = ExtractRow {
            source: Source::exact(Dataset::SocialInsurance, member, 0),
            values: vec![("paid_month", Value::Date(date(month)))],
        };
        w.evidence.rows.get_or_insert_default().push(row);
        w.supplied.insert(Dataset::SocialInsurance);
    }

    #[test]
    fn a_covered_member_paying_in_the_window_is_reviewed() {
        let mut w = World::household(2);
        contribution(&mut w, 0, "2024-09-01");
        let fired = [(RuleId::SocialInsurance, Action::ManualReview)];
        assert_eq!(w.fired(), fired);
    }

    #[test]
    fn a_contribution_before_the_window_does_not_fire() {
        let mut w = World::household(2);
        contribution(&mut w, 0, "2024-06-01");
        assert_eq!(w.fired(), []);
    }
}
