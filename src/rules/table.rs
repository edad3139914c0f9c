//! The rule table: one row per rule, the one place its facts live. `assess`
//! runs the rows, `decide` reads how a rule counts for candidates, the
//! outputs and reports read codes, labels and the snapshot flag, run.json
//! and `hedui explain` read which rules were not checked and why.
//!
//! A rule id without a row, or with two, does not compile (`ROW_OF`).

use super::{
    business_active, business_capital, data_quality, death, entry, fin_assets, income,
    near_relative, payroll, property_commercial, property_count, vehicle, Facts,
};
use crate::schema::Dataset;
use super::Finding;
use crate::verdict::RuleId;
use std::collections::BTreeSet;
use std::fmt;

/// How a rule's findings count for a candidate (rules.md "Rules for
/// candidates"). Every rule says so in its row, so a new rule cannot be
/// silently ignored for candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForCandidate {
    /// An asset rule: a certain finding → `reject`; an uncertain one, or the
    /// rule not checked at all, turns an entry into `manual_review`.
    Asset,
    /// The income test: its finding's action is the candidate's (`entry`,
    /// `single_person_entry` or `reject`).
    IncomeTest,
    /// Any finding turns an entry into `manual_review`.
    BlocksEntry,
    /// Whether members live: an uncertain finding turns an entry into
    /// `manual_review`; when no member lives, the findings are the reasons
    /// of the `reject`.
    Vital,
}

/// One rule as the engine runs and reports it.
pub struct Rule {
    pub id: RuleId,
    /// The rules.md code, as written in `findings` and `decisions.reasons`.
    pub code: &'static str,
    /// The words the verification centre reads.
    pub label_zh: &'static str,
    /// The dataset without which the rule cannot be checked.
    pub needs: Option<Dataset>,
    pub for_candidate: ForCandidate,
    /// Listed among the assets found in `review_due`'s snapshot.
    pub in_snapshot: bool,
    /// Whether the rule still applies once every member is dead.
    pub runs_without_living: bool,
    /// `None` for a rule whose findings another rule's check makes
    /// (R-SINGLE-PERSON is an outcome of R-ENTRY's income test).
    pub check: Option<fn(&Facts) -> Vec<Finding>>,
}

/// The rule table, in the order rules run and run.json lists them (reasons
/// are ordered by `decide`, ties by [`RuleId`]'s declaration order).
pub const RULES: &[Rule] = &[
    Rule {
        id: RuleId::Death,
        code: "R-DEATH",
        label_zh: "家庭成员已死亡",
        needs: Some(Dataset::Deaths),
        for_candidate: ForCandidate::Vital,
        in_snapshot: false,
        runs_without_living: true,
        check: Some(death::check),
    },
    Rule {
        id: RuleId::Payroll,
        code: "R-PAYROLL",
        label_zh: "有财政供养人员工资记录",
        needs: Some(Dataset::Payroll),
        for_candidate: ForCandidate::BlocksEntry,
        in_snapshot: false,
        runs_without_living: false,
        check: Some(payroll::check),
    },
    Rule {
        id: RuleId::Vehicle,
        code: "R-VEHICLE",
        label_zh: "名下有非豁免机动车",
        needs: Some(Dataset::Vehicles),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        check: Some(vehicle::check),
    },
    Rule {
        id: RuleId::PropertyCount,
        code: "R-PROPERTY-COUNT",
        label_zh: "住房数量和面积超过规定",
        needs: Some(Dataset::Properties),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        check: Some(property_count::check),
    },
    Rule {
        id: RuleId::PropertyCommercial,
        code: "R-PROPERTY-COMMERCIAL",
        label_zh: "名下有商业、办公或工业用房",
        needs: Some(Dataset::Properties),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        check: Some(property_commercial::check),
    },
    Rule {
        id: RuleId::BusinessCapital,
        code: "R-BUSINESS-CAPITAL",
        label_zh: "投资或担任法定代表人的企业注册资本超过限额",
        needs: Some(Dataset::Businesses),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        check: Some(business_capital::check),
    },
    Rule {
        id: RuleId::BusinessActive,
        code: "R-BUSINESS-ACTIVE",
        label_zh: "有存续的市场主体登记",
        needs: Some(Dataset::Businesses),
        for_candidate: ForCandidate::BlocksEntry,
        in_snapshot: true,
        runs_without_living: false,
        check: Some(business_active::check),
    },
    Rule {
        id: RuleId::FinAssets,
        code: "R-FIN-ASSETS",
        label_zh: "人均金融资产超过规定",
        needs: Some(Dataset::Deposits),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        check: Some(fin_assets::check),
    },
    Rule {
        id: RuleId::NearRelative,
        code: "R-NEAR-RELATIVE",
        label_zh: "经办人员或村居干部近亲属未备案或本人经办",
        needs: Some(Dataset::Staff),
        for_candidate: ForCandidate::BlocksEntry,
        in_snapshot: false,
        runs_without_living: false,
        check: Some(near_relative::check),
    },
    Rule {
        id: RuleId::Income,
        code: "R-INCOME",
        label_zh: "家庭人均收入超过标准",
        needs: None,
        for_candidate: ForCandidate::IncomeTest,
        in_snapshot: false,
        runs_without_living: false,
        check: Some(income::check),
    },
    Rule {
        id: RuleId::DataQuality,
        code: "R-DATA-QUALITY",
        label_zh: "花名册数据不完整或不可读",
        needs: None,
        for_candidate: ForCandidate::BlocksEntry,
        in_snapshot: false,
        runs_without_living: true,
        check: Some(data_quality::check),
    },
    Rule {
        id: RuleId::Entry,
        code: "R-ENTRY",
        label_zh: "符合纳入条件",
        needs: None,
        for_candidate: ForCandidate::IncomeTest,
        in_snapshot: false,
        runs_without_living: false,
        check: Some(entry::check),
    },
    Rule {
        id: RuleId::SinglePerson,
        code: "R-SINGLE-PERSON",
        label_zh: "重病重残单人保",
        needs: None,
        for_candidate: ForCandidate::IncomeTest,
        in_snapshot: false,
        runs_without_living: false,
        check: None,
    },
];

/// The row of each rule id, found once at compile time; compiling fails if
/// an id has no row or two.
const ROW_OF: [usize; RuleId::ALL.len()] = {
    let mut rows = [usize::MAX; RuleId::ALL.len()];
    let mut i = 0;
    while i < RULES.len() {
        let id = RULES[i].id as usize;
        assert!(rows[id] == usize::MAX, "a rule id with two rows in RULES");
        rows[id] = i;
        i += 1;
    }
    let mut k = 0;
    while k < rows.len() {
        assert!(rows[k] != usize::MAX, "a rule id without a row in RULES");
        k += 1;
    }
    rows
};

impl RuleId {
    /// The rule's row in [`RULES`].
    pub fn rule(self) -> &'static Rule {
        &RULES[ROW_OF[self as usize]]
    }

    pub fn code(self) -> &'static str {
        self.rule().code
    }

    /// The Chinese label used in human-facing reports.
    pub fn label_zh(self) -> &'static str {
        self.rule().label_zh
    }

    /// The rule with this code, if any.
    pub fn from_code(code: &str) -> Option<RuleId> {
        RULES.iter().find(|r| r.code == code).map(|r| r.id)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Rules whose dataset was not supplied, each with that dataset, in table
/// order.
pub fn not_checked(
    supplied: &BTreeSet<Dataset>,
) -> impl Iterator<Item = (&'static Rule, Dataset)> + '_ {
    RULES
        .iter()
        .filter_map(|r| Some((r, r.needs.filter(|d| !supplied.contains(d))?)))
}

/// Rules that run on these datasets, in table order.
pub fn checked(supplied: &BTreeSet<Dataset>) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES
        .iter()
        .filter(|r| r.check.is_some() && r.is_checked(supplied))
}

impl Rule {
    /// Whether the rule's dataset is among `supplied` (or it needs none).
    pub fn is_checked(&self, supplied: &BTreeSet<Dataset>) -> bool {
        self.needs.is_none_or(|d| supplied.contains(&d))
    }

    pub fn is_asset_rule(&self) -> bool {
        self.for_candidate == ForCandidate::Asset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_own_code_and_words() {
        let codes: BTreeSet<&str> = RULES.iter().map(|r| r.code).collect();
        assert_eq!(codes.len(), RULES.len(), "codes are unique");
        for &id in RuleId::ALL {
            assert_eq!(id.rule().id, id);
            assert_eq!(RuleId::from_code(id.code()), Some(id));
            assert!(id.label_zh().chars().any(|c| c as u32 >= 0x4E00), "{id}");
        }
        assert_eq!(RuleId::SinglePerson.label_zh(), "重病重残单人保");
        assert_eq!(RuleId::from_code("R-NO-SUCH-RULE"), None);
    }

    #[test]
    fn a_rule_without_its_dataset_is_not_checked_and_says_which() {
        let supplied: BTreeSet<Dataset> = [Dataset::Deaths].into();
        let missing: Vec<(&str, Dataset)> =
            not_checked(&supplied).map(|(r, d)| (r.code, d)).collect();
        assert!(missing.contains(&("R-VEHICLE", Dataset::Vehicles)));
        assert!(!missing.iter().any(|(c, _)| *c == "R-DEATH"));
        let ran: Vec<&str> = checked(&supplied).map(|r| r.code).collect();
        assert!(ran.contains(&"R-DEATH") && ran.contains(&"R-INCOME"));
        assert!(
            !ran.contains(&"R-SINGLE-PERSON"),
            "R-ENTRY's check gives it"
        );
    }
}
