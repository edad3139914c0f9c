//! Rules: one file per rule id, each a pure function from a household's
//! [`Facts`] to [`Finding`]s. The rule table below ([`RULES`], declared by
//! `rule_table!` in `table.rs`) is the one place a rule's facts live: its
//! id, module, code, label, the dataset it needs, how it counts for
//! candidates, where it stands among reasons. A rule whose dataset was not
//! supplied, or a column it needs null in every row (`coverage.rs`), is not
//! run and is reported as "not checked", never as passed.
//!
//! Architecture invariant: rules read no files and compare no actions. A
//! finding says which action its rule calls for in this household; only
//! `decide` weighs findings against each other.

#[macro_use]
mod table;
mod assess;
mod coverage;
mod finding;
/// R-REVIEW-DUE: no finding (a due 复核 is routine), so no row.
pub mod review_due;
#[cfg(test)]
pub mod testkit;

pub(crate) use assess::{aggregate_findings, facts_first};
pub use assess::{assess, push_yuan, standard_of, yuan, Assessment, Facts, Kin};
pub use coverage::{Coverage, NotChecked};
pub use finding::Finding;
pub use table::{checked, not_checked, ForCandidate, Rule};

use crate::schema::Dataset;

// The rule table: one row per rule, in the order rules run and run.json
// lists them. `Death in death` declares `RuleId::Death` and `pub mod
// death;`, whose `check` the row runs.
rule_table! {
    Death in death {
        code: "R-DEATH",
        label_zh: "家庭成员已死亡",
        needs: Some(Dataset::Deaths),
        for_candidate: ForCandidate::Vital,
        in_snapshot: false,
        runs_without_living: true,
        reason_order: 10,
    },
    Payroll in payroll {
        code: "R-PAYROLL",
        label_zh: "有财政供养人员工资记录",
        needs: Some(Dataset::Payroll),
        for_candidate: ForCandidate::BlocksEntry,
        in_snapshot: false,
        runs_without_living: false,
        reason_order: 80,
    },
    Vehicle in vehicle {
        code: "R-VEHICLE",
        label_zh: "名下有非豁免机动车",
        needs: Some(Dataset::Vehicles),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        reason_order: 20,
    },
    PropertyCount in property_count {
        code: "R-PROPERTY-COUNT",
        label_zh: "住房数量和面积超过规定",
        needs: Some(Dataset::Properties),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        reason_order: 30,
    },
    PropertyCommercial in property_commercial {
        code: "R-PROPERTY-COMMERCIAL",
        label_zh: "名下有商业、办公或工业用房",
        needs: Some(Dataset::Properties),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        reason_order: 40,
    },
    BusinessCapital in business_capital {
        code: "R-BUSINESS-CAPITAL",
        label_zh: "投资或担任法定代表人的企业注册资本超过限额",
        needs: Some(Dataset::Businesses),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        reason_order: 50,
    },
    BusinessActive in business_active {
        code: "R-BUSINESS-ACTIVE",
        label_zh: "有存续的市场主体登记",
        needs: Some(Dataset::Businesses),
        for_candidate: ForCandidate::BlocksEntry,
        in_snapshot: true,
        runs_without_living: false,
        reason_order: 90,
    },
    FinAssets in fin_assets {
        code: "R-FIN-ASSETS",
        label_zh: "人均金融资产超过规定",
        needs: Some(Dataset::Deposits),
        for_candidate: ForCandidate::Asset,
        in_snapshot: true,
        runs_without_living: false,
        reason_order: 60,
    },
    NearRelative in near_relative {
        code: "R-NEAR-RELATIVE",
        label_zh: "经办人员或村居干部近亲属未备案或本人经办",
        needs: Some(Dataset::Staff),
        for_candidate: ForCandidate::BlocksEntry,
        in_snapshot: false,
        runs_without_living: false,
        reason_order: 100,
    },
    Income in income {
        code: "R-INCOME",
        label_zh: "家庭人均收入超过标准",
        needs: None,
        for_candidate: ForCandidate::IncomeTest,
        in_snapshot: false,
        runs_without_living: false,
        reason_order: 70,
    },
    DataQuality in data_quality {
        code: "R-DATA-QUALITY",
        label_zh: "花名册数据不完整或不可读",
        needs: None,
        for_candidate: ForCandidate::BlocksEntry,
        in_snapshot: false,
        runs_without_living: true,
        reason_order: 110,
    },
    Entry in entry {
        code: "R-ENTRY",
        label_zh: "符合纳入条件",
        needs: None,
        for_candidate: ForCandidate::IncomeTest,
        in_snapshot: false,
        runs_without_living: false,
        reason_order: 120,
    },
    SinglePerson {
        code: "R-SINGLE-PERSON",
        label_zh: "重病重残单人保",
        needs: None,
        for_candidate: ForCandidate::IncomeTest,
        in_snapshot: false,
        runs_without_living: false,
        reason_order: 130,
    },
}
