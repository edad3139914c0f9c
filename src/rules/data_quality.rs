//! R-DATA-QUALITY — the roster entry itself cannot be trusted.
//!
//! **What it checks**: the household's own data has a problem that makes any
//! decision unsafe: an unknown area, programme or status, a bad region code,
//! no members, a `phasing_out` household without `phase_out_until`, or a
//! member's declared amount that could not be read.
//! **Action**: `manual_review`: a wrong exit takes food off a family's table,
//! so the engine never decides on a roster entry it could not read.
//! **Source**: not in rules.md; the project's choice (docs/DECISIONS.md).

use super::{Facts, Finding, RuleId};
use crate::normalise::Household;
use crate::verdict::Action;

pub fn check(f: &Facts) -> Vec<Finding> {
    if f.household.roster_problems.is_empty() {
        return Vec::new();
    }
    vec![finding(f.household)]
}

/// The finding for a household whose roster entry cannot be trusted, also
/// given (without running any rule) to one no policy applies to.
pub fn finding(household: &Household) -> Finding {
    let detail = format!("花名册字段不可用：{}", household.roster_problems.join("、"));
    Finding::household(RuleId::DataQuality, Action::ManualReview, detail)
}
