//! STUB — the synthetic data generator; see the helper brief.
use crate::calendar::RunMonth;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct GenRequest {
    pub households: usize,
    pub seed: u64,
    pub out: PathBuf,
    pub month: RunMonth,
    pub policies: PathBuf,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GenSummary {
    pub households: usize,
    pub members: usize,
    /// (dataset name, rows written)
    pub extract_rows: Vec<(String, usize)>,
    pub planted_cases: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("{0}")]
    Stub(String),
}

pub fn generate(req: &GenRequest) -> Result<GenSummary, GenError> {
    let _ = req;
    todo!()
}
