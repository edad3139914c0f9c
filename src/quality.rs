//! `data_quality` rows: one per problem found in an input value. Bad data
//! never fails a run; it is reported here and the row goes on.

use crate::schema::Dataset;
use crate::text::{IdProblem, NameProblem};

/// Declares [`Problem`]: an id problem, a name problem, or one of the rows
/// given (each with its `data_quality.problem` code and its words), in
/// that order.
macro_rules! problems {
    ($($(#[$doc:meta])* $variant:ident = $code:literal / $label:literal,)+) => {
        /// What is wrong with a value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Problem {
            Id(IdProblem),
            Name(NameProblem),
            $($(#[$doc])* $variant,)+
        }

        impl Problem {
            /// The problems not about an id or a name, each once.
            const OTHERS: &'static [Problem] = &[$(Problem::$variant,)+];

            /// The `data_quality.problem` code.
            pub fn code(self) -> &'static str {
                match self {
                    Problem::Id(p) => p.code(),
                    Problem::Name(p) => p.code(),
                    $(Problem::$variant => $code,)+
                }
            }

            /// What a case worker reads in the reports.
            pub fn label_zh(self) -> &'static str {
                match self {
                    Problem::Id(p) => p.label_zh(),
                    Problem::Name(p) => p.label_zh(),
                    $(Problem::$variant => $label,)+
                }
            }
        }
    };
}

problems! {
    BadMoney = "bad_money" / "金额无法识别",
    BadDate = "bad_date" / "日期无法识别",
    BadBool = "bad_bool" / "是/否值无法识别",
    BadNumber = "bad_number" / "数值无法识别",
    /// Not a code or Chinese label of the column's enumeration.
    UnknownCode = "unknown_code" / "代码不在规定范围内",
    /// A required value is null.
    NullValue = "null_value" / "必填项为空",
    NegativeAmount = "negative_amount" / "金额为负数",
    /// A share outside 0–1 or a negative area.
    OutOfRange = "out_of_range" / "数值超出范围",
    DuplicateHouseholdId = "duplicate_household_id" / "户编号重复",
    /// A member whose household_id is not in `households`.
    UnknownHousehold = "unknown_household" / "所属户不在花名册中",
    /// A household without any member row.
    NoMembers = "no_members" / "家庭无成员",
    /// The same normalised id on two roster members.
    DuplicateIdNumber = "duplicate_id_number" / "身份证号在花名册中重复",
    /// A `phasing_out` household without `phase_out_until`.
    MissingPhaseOutUntil = "missing_phase_out_until" / "渐退期缺少截止月份",
    /// Not a 6- to 12-digit statistical division code.
    BadRegionCode = "bad_region_code" / "区划代码无效",
    /// A date before 1900-01-01 or after 2099-12-31 (rules.md
    /// R-DATA-QUALITY): read as unreadable, never as a date.
    ImplausibleDate = "implausible_date" / "日期不合常理（早于1900年或晚于2099年）",
    /// An amount of 10^15 yuan or more (either sign): read as unreadable,
    /// never rescaled.
    ImplausibleAmount = "implausible_amount" / "金额不合常理（绝对值达10¹⁵元）",
    /// A float that is NaN or infinite.
    NotFinite = "not_finite" / "数值为NaN或无穷大",
    /// A birth date (in an id or a column) after the run month's last day.
    BirthAfterRunMonth = "birth_after_run_month" / "出生日期晚于核对月份",
    /// A column a rule needs is null in every row of its dataset: the rule
    /// is not checked this month (one row per column, `row_index` 0).
    EmptyColumn = "empty_column" / "整列为空（该规则本月未核对）",
}

impl Problem {
    /// Every problem, each once.
    pub fn all() -> impl Iterator<Item = Problem> {
        let ids = IdProblem::ALL.iter().copied().map(Problem::Id);
        let names = NameProblem::ALL.iter().copied().map(Problem::Name);
        ids.chain(names).chain(Problem::OTHERS.iter().copied())
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
