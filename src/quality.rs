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
}

impl Problem {
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
