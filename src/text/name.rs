//! STUB — to be written: see the helper brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameProblem {
    Missing,
    Whitespace,
    FullWidth,
    MiddleDotVariant,
    Traditional,
    Placeholder,
    Latin,
}
impl NameProblem {
    pub fn code(self) -> &'static str {
        todo!()
    }
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedName {
    pub value: Option<String>,
    pub problems: Vec<NameProblem>,
}
pub fn normalize_name(raw: Option<&str>) -> NormalizedName {
    let _ = raw;
    todo!()
}
