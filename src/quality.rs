//! `data_quality` rows: one per problem found in an input value. Bad data
//! never fails a run; it is reported here and the row goes on.

use crate::schema::Dataset;
use crate::text::{IdProblem, NameProblem};

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Problem {
    Id(IdProblem),
    Name(NameProblem),
    BadMoney,
    BadDate,
    BadBool,
    BadNumber,
    /// Not a code or Chinese label of the column's enumeration.
    UnknownCode,
    /// A required value is null.
    NullValue,
    NegativeAmount,
    /// A share outside 0–1 or a negative area.
    OutOfRange,
    DuplicateHouseholdId,
    /// A member whose household_id is not in `households`.
    UnknownHousehold,
    /// A household without any member row.
    NoMembers,
    /// The same normalised id on two roster members.
    DuplicateIdNumber,
    /// A `phasing_out` household without `phase_out_until`.
    MissingPhaseOutUntil,
    /// Not a 6- to 12-digit statistical division code.
    BadRegionCode,
    /// A date before 1900-01-01 or after 2099-12-31 (rules.md
    /// R-DATA-QUALITY): read as unreadable, never as a date.
    ImplausibleDate,
    /// An amount of 10^15 yuan or more (either sign): read as unreadable,
    /// never rescaled.
    ImplausibleAmount,
    /// A float that is NaN or infinite.
    NotFinite,
    /// A birth date (in an id or a column) after the run month's last day.
    BirthAfterRunMonth,
    /// A column a rule needs is null in every row of its dataset: the rule
    /// is not checked this month (one row per column, `row_index` 0).
    EmptyColumn,
}

impl Problem {
    /// The problems not about an id or a name, each once.
    const OTHERS: [Problem; 19] = [
        Problem::BadMoney,
        Problem::BadDate,
        Problem::BadBool,
        Problem::BadNumber,
        Problem::UnknownCode,
        Problem::NullValue,
        Problem::NegativeAmount,
        Problem::OutOfRange,
        Problem::DuplicateHouseholdId,
        Problem::UnknownHousehold,
        Problem::NoMembers,
        Problem::DuplicateIdNumber,
        Problem::MissingPhaseOutUntil,
        Problem::BadRegionCode,
        Problem::ImplausibleDate,
        Problem::ImplausibleAmount,
        Problem::NotFinite,
        Problem::BirthAfterRunMonth,
        Problem::EmptyColumn,
    ];

    /// Every problem, each once.
    pub fn all() -> impl Iterator<Item = Problem> {
        let ids = IdProblem::ALL.into_iter().map(Problem::Id);
        let names = NameProblem::ALL.into_iter().map(Problem::Name);
        ids.chain(names).chain(Problem::OTHERS)
    }

    /// A problem the normaliser fixed without losing information: the value
    /// still identifies its person. Every other problem leaves a value
    /// unusable.
    pub fn is_repaired(self) -> bool {
        match self {
            Problem::Id(p) => p.is_repaired(),
            Problem::Name(p) => p.is_repaired(),
            _ => false,
        }
    }

    /// The problem whose `data_quality.problem` code is `code`.
    pub fn from_code(code: &str) -> Option<Problem> {
        Problem::all().find(|p| p.code() == code)
    }

    /// What a case worker reads in the reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Problem::Id(p) => p.label_zh(),
            Problem::Name(p) => p.label_zh(),
            Problem::BadMoney => "金额无法识别",
            Problem::BadDate => "日期无法识别",
            Problem::BadBool => "是/否值无法识别",
            Problem::BadNumber => "数值无法识别",
            Problem::UnknownCode => "代码不在规定范围内",
            Problem::NullValue => "必填项为空",
            Problem::NegativeAmount => "金额为负数",
            Problem::OutOfRange => "数值超出范围",
            Problem::DuplicateHouseholdId => "户编号重复",
            Problem::UnknownHousehold => "所属户不在花名册中",
            Problem::NoMembers => "家庭无成员",
            Problem::DuplicateIdNumber => "身份证号在花名册中重复",
            Problem::MissingPhaseOutUntil => "渐退期缺少截止月份",
            Problem::BadRegionCode => "区划代码无效",
            Problem::ImplausibleDate => "日期不合常理（早于1900年或晚于2099年）",
            Problem::ImplausibleAmount => "金额不合常理（绝对值达10¹⁵元）",
            Problem::NotFinite => "数值为NaN或无穷大",
            Problem::BirthAfterRunMonth => "出生日期晚于核对月份",
            Problem::EmptyColumn => "整列为空（该规则本月未核对）",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Problem::Id(p) => p.code(),
            Problem::Name(p) => p.code(),
            Problem::BadMoney => "bad_money",
            Problem::BadDate => "bad_date",
            Problem::BadBool => "bad_bool",
            Problem::BadNumber => "bad_number",
            Problem::UnknownCode => "unknown_code",
            Problem::NullValue => "null_value",
            Problem::NegativeAmount => "negative_amount",
            Problem::OutOfRange => "out_of_range",
            Problem::DuplicateHouseholdId => "duplicate_household_id",
            Problem::UnknownHousehold => "unknown_household",
            Problem::NoMembers => "no_members",
            Problem::DuplicateIdNumber => "duplicate_id_number",
            Problem::MissingPhaseOutUntil => "missing_phase_out_until",
            Problem::BadRegionCode => "bad_region_code",
            Problem::ImplausibleDate => "implausible_date",
            Problem::ImplausibleAmount => "implausible_amount",
            Problem::NotFinite => "not_finite",
            Problem::BirthAfterRunMonth => "birth_after_run_month",
            Problem::EmptyColumn => "empty_column",
        }
    }
}

/// One `data_quality` row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DataQuality {
    pub dataset: Dataset,
    pub row_index: u64,
    pub column: &'static str,
    pub problem: Problem,
    pub value: Option<String>,
}

impl DataQuality {
    pub fn new(
        dataset: Dataset,
        row_index: u64,
        column: &'static str,
        problem: Problem,
        value: Option<String>,
    ) -> DataQuality {
        DataQuality {
            dataset,
            row_index,
            column,
            problem,
            value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_has_its_own_code_and_words() {
        let all: Vec<Problem> = Problem::all().collect();
        let codes: std::collections::BTreeSet<&str> = all.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), all.len(), "codes are unique");
        for p in all {
            assert_eq!(Problem::from_code(p.code()), Some(p));
            assert!(
                p.label_zh().chars().any(|c| c as u32 >= 0x4E00),
                "{} reads as words",
                p.code()
            );
        }
        assert_eq!(Problem::from_code("no_such_problem"), None);
    }
}
