//! Policy parameters: TOML files per region-code prefix with dated periods →
//! validated, resolved [`Params`] with provenance. No polars here.
//! STUB — to be written: see the helper brief.

mod params;
pub use params::{ParamSource, Params, Resolved};

use crate::calendar::RunMonth;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{0}")]
    Stub(String),
}

/// One policy file as loaded, for run.json.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PolicyFileInfo {
    pub file: String,
    pub name: String,
    pub blake3: String,
    pub periods: Vec<chrono::NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct PolicySet {}

impl PolicySet {
    pub fn load_dir(dir: &Path) -> Result<PolicySet, PolicyError> {
        let _ = dir;
        todo!()
    }
    pub fn resolve(&self, region_code: &str, month: RunMonth) -> Result<Resolved, PolicyError> {
        let _ = (region_code, month);
        todo!()
    }
    pub fn files(&self) -> &[PolicyFileInfo] {
        todo!()
    }
}
