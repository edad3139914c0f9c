//! STUB — to be written: see the helper brief.
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdProblem {
    Missing,
    Whitespace,
    FullWidth,
    LowercaseX,
    Legacy15,
    BadChecksum,
    BadLength,
    BadCharacters,
    BadBirthDate,
}

impl IdProblem {
    pub fn code(self) -> &'static str {
        todo!()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedId {
    pub value: Option<String>,
    pub valid: bool,
    pub problems: Vec<IdProblem>,
}

impl NormalizedId {
    pub fn birth_date(&self) -> Option<NaiveDate> {
        todo!()
    }
}

pub fn normalize_id(raw: Option<&str>) -> NormalizedId {
    let _ = raw;
    todo!()
}
pub fn check_digit(first17: &str) -> Option<char> {
    let _ = first17;
    todo!()
}
pub fn mask_id(id: &str) -> String {
    let _ = id;
    todo!()
}
