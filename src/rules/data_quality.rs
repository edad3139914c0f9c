//! R-DATA-QUALITY — a value the decision would rest on cannot be trusted.
//!
//! **What it checks**: the household's own data has a problem that makes any
//! decision unsafe: an unknown area, programme or status, a bad region code,
//! no members, a `phasing_out` household without `phase_out_until`, a
//! member whose id cannot be used (missing, invalid, born after the run
//! month: nothing about them could be found by id), a roster value that
//! could not be read or is implausible (a date outside 1900–2099, an
//! amount of 10^15 yuan, a tier or grade out of range); or a linked
//! extract row of a living member whose needed value cannot be read
//! (unparsable, implausible, null where the contract does not allow it).
//! **Action**: `manual_review`, unless a stronger action stands on readable
//! evidence alone (`decide`); a candidate never enters while it applies.
//! **Source**: rules.md "Values the engine cannot trust (R-DATA-QUALITY)".

use super::{Facts, Finding, RuleId};
use crate::normalise::Household;
use crate::verdict::Action;

pub fn check(f: &Facts) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !f.household.roster_problems.is_empty() {
        findings.push(finding(f.household));
    }
    for u in f
        .evidence
        .unreadable
        .iter()
        .filter(|u| f.is_living(u.source.member))
    {
        let name = f.member(u.source.member).name.clone().unwrap_or_default();
        let detail = format!(
            "{name}的{}第{}行`{}`无法读取，相关规则未能核对",
            u.source.dataset.label_zh(),
            u.source.row_index,
            u.column
        );
        findings.push(Finding::from_row(
            RuleId::DataQuality,
            Action::ManualReview,
            &u.source,
            detail,
        ));
    }
    findings
}

/// A finding that rests on a row with a value that could not be read
/// cannot stand on readable evidence alone: it can only raise manual
/// review (a unit whose share is unreadable is not "wholly owned").
pub fn uncertain_where_unreadable(f: &Facts, findings: &mut [Finding]) {
    if f.evidence.unreadable.is_empty() {
        return;
    }
    for finding in findings
        .iter_mut()
        .filter(|x| x.rule != RuleId::DataQuality)
    {
        let Some(s) = finding.source else { continue };
        if f.evidence
            .unreadable
            .iter()
            .any(|u| u.source.dataset == s.dataset && u.source.row_index == s.row_index)
        {
            finding.certain = false;
        }
    }
}

/// The finding for a household whose roster entry cannot be trusted, also
/// given (without running any rule) to one no policy applies to.
pub fn finding(household: &Household) -> Finding {
    let detail = format!("花名册字段不可用：{}", household.roster_problems.join("、"));
    Finding::household(RuleId::DataQuality, Action::ManualReview, detail)
}
