//! Policy parameters: TOML files per region-code prefix with dated periods →
//! validated, resolved [`Params`] with provenance. No polars here.
//!
//! ```text
//!  policies/*.toml ──parse──► raw structs (deny_unknown_fields, every key Option)
//!                   ──check──► PolicyFile { periods sorted by `from` }
//!  (region, month) ──resolve─► Resolved { params, sources }   (memoised per set of files)
//! ```
//!
//! Resolution (rules.md, "Policy parameters"): for each key, the longest
//! region-code prefix whose file has a period in force on the first day of
//! the run month that sets the key; within that file the latest such period.
//! Periods in a file are cumulative. The keys are listed once, in
//! `keys.rs`; the file format and the shipped jurisdictions are
//! described in `docs/POLICIES.md`.

mod keys;
mod params;
mod raw;
mod value;

#[cfg(test)]
mod tests;

pub use keys::KEYS;
pub use params::{ParamSource, Params, Resolved};

use crate::calendar::RunMonth;
use chrono::NaiveDate;
use raw::PolicyFile;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// A period of a file, for messages: by its `from` where that is readable,
/// else by its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodRef {
    /// 0-based position in the file's period array.
    pub index: usize,
    pub from: Option<NaiveDate>,
}

impl fmt::Display for PeriodRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.from {
            Some(d) => write!(f, "period from {d}"),
            None => write!(f, "period #{} (no valid `from`)", self.index + 1),
        }
    }
}

/// A policy directory, file or resolution that cannot be trusted: the run
/// must not start.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    // The I/O error is in the message and not a `source`: with both, a
    // report of the error chain said its cause twice.
    #[error("cannot read the policy directory {}: {error}", dir.display())]
    ReadDir { dir: PathBuf, error: std::io::Error },
    #[error("cannot read the policy file {}: {error}", path.display())]
    ReadFile {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("the policy directory {} holds no policy file (*.toml)", dir.display())]
    NoFiles { dir: PathBuf },
    #[error(
        "policy file `{file}`: the file name must be a region-code prefix of 2 to 12 digits \
         followed by .toml, e.g. `51.toml`, `5120.toml`, `512022.toml`"
    )]
    BadFileName { file: String },
    #[error("policy file `{file}` is not valid TOML: {message}")]
    Syntax { file: String, message: String },
    #[error("policy file `{file}`: {problem}")]
    Structure { file: String, problem: String },
    #[error("policy file `{file}`, {period}: unknown key `{key}`{hint}")]
    UnknownKey {
        file: String,
        period: PeriodRef,
        key: String,
        /// "; did you mean `…`?" or a pointer to the documentation.
        hint: String,
    },
    #[error("policy file `{file}`, {period}, key `{key}`: expected {expected}, found {found}")]
    BadValue {
        file: String,
        period: PeriodRef,
        key: String,
        expected: String,
        found: String,
    },
    #[error(
        "policy file `{file}`: two periods have from = {from}; each period needs its own start"
    )]
    DuplicateFrom { file: String, from: NaiveDate },
    #[error("{}", missing_message(.keys, .region, .month, .files))]
    MissingKeys {
        keys: Vec<&'static str>,
        region: String,
        month: RunMonth,
        /// The files whose stem is a prefix of the region code, longest first.
        files: Vec<String>,
    },
    #[error(
        "region {region} in {month}: match_review = {review} (from {review_file}, period from \
         {review_from}) is above match_accept = {accept} (from {accept_file}, period from \
         {accept_from}); expected match_review ≤ match_accept"
    )]
    MatchThresholds {
        region: String,
        month: RunMonth,
        review: Decimal,
        review_file: String,
        review_from: NaiveDate,
        accept: Decimal,
        accept_file: String,
        accept_from: NaiveDate,
    },
}

/// One policy file as loaded, for run.json.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PolicyFileInfo {
    pub file: String,
    pub name: String,
    pub blake3: String,
    pub periods: Vec<chrono::NaiveDate>,
}

/// The parameter sets resolved so far, by the files that apply (longest
/// prefix first, as indices into `files`) and the run month: regions that
/// match the same files resolve identically.
type Cache = HashMap<(Vec<usize>, RunMonth), Arc<Resolved>>;

/// Every policy file of a directory, validated; resolves parameters for a
/// region and month. `Send + Sync`; clones share the memo of resolutions.
#[derive(Debug, Clone)]
pub struct PolicySet {
    /// Sorted by file name.
    files: Vec<PolicyFile>,
    infos: Vec<PolicyFileInfo>,
    /// Region-code prefix → index in `files`.
    by_stem: HashMap<String, usize>,
    cache: Arc<RwLock<Cache>>,
}

impl PolicySet {
    /// Reads every `*.toml` in `dir` (not recursive), sorted by file name;
    /// other files are ignored. Any bad file is an error.
    pub fn load_dir(dir: &Path) -> Result<PolicySet, PolicyError> {
        let read_dir = |error| PolicyError::ReadDir {
            dir: dir.to_path_buf(),
            error,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read_dir)? {
            let path = entry.map_err(read_dir)?.path();
            if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                paths.push(path);
            }
        }
        if paths.is_empty() {
            return Err(PolicyError::NoFiles {
                dir: dir.to_path_buf(),
            });
        }
        let mut sources = Vec::with_capacity(paths.len());
        for path in paths {
            let bytes = std::fs::read(&path).map_err(|error| PolicyError::ReadFile {
                path: path.clone(),
                error,
            })?;
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            sources.push((file, bytes));
        }
        PolicySet::build(sources)
    }

    /// A policy set from (file name, TOML text) pairs, as if they were the
    /// files of a directory: for tests and scenario worlds.
    pub fn from_sources<N, T>(
        files: impl IntoIterator<Item = (N, T)>,
    ) -> Result<PolicySet, PolicyError>
    where
        N: Into<String>,
        T: AsRef<str>,
    {
        PolicySet::build(
            files
                .into_iter()
                .map(|(n, t)| (n.into(), t.as_ref().as_bytes().to_vec()))
                .collect(),
        )
    }

    fn build(mut sources: Vec<(String, Vec<u8>)>) -> Result<PolicySet, PolicyError> {
        sources.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(w) = sources.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(PolicyError::Structure {
                file: w[0].0.clone(),
                problem: "the same file is given twice".to_string(),
            });
        }
        let mut files = Vec::with_capacity(sources.len());
        let mut infos = Vec::with_capacity(sources.len());
        for (file, bytes) in sources {
            raw::stem_of(&file)?;
            let text = std::str::from_utf8(&bytes).map_err(|e| PolicyError::Syntax {
                file: file.clone(),
                message: format!("not UTF-8 text ({e})"),
            })?;
            let parsed = raw::parse_file(&file, text)?;
            infos.push(PolicyFileInfo {
                file: parsed.file.clone(),
                name: parsed.name.clone(),
                blake3: blake3::hash(&bytes).to_hex().to_string(),
                periods: parsed.periods.iter().map(|p| p.from).collect(),
            });
            files.push(parsed);
        }
        let by_stem = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.stem.clone(), i))
            .collect();
        Ok(PolicySet {
            files,
            infos,
            by_stem,
            cache: Arc::new(RwLock::new(HashMap::new())),
        })
    }

    /// The parameters of each household in turn, by its region code (one
    /// resolution per distinct code, shared); `None` for an empty code, which
    /// no policy covers (such a household is only reviewed by hand). A region
    /// no policy file fully covers is an error.
    pub fn resolve_each<'r>(
        &self,
        region_codes: impl IntoIterator<Item = &'r str>,
        month: RunMonth,
    ) -> Result<Vec<Option<Arc<Resolved>>>, PolicyError> {
        let mut by_region: HashMap<&str, Arc<Resolved>> = HashMap::new();
        let mut out = Vec::new();
        for region_code in region_codes {
            if region_code.is_empty() {
                out.push(None);
                continue;
            }
            if !by_region.contains_key(region_code) {
                by_region.insert(region_code, Arc::new(self.resolve(region_code, month)?));
            }
            out.push(Some(by_region[region_code].clone()));
        }
        Ok(out)
    }

    /// The parameters for a household registered in `region_code`, in force
    /// on the first day of `month`, with the file and period of every key.
    pub fn resolve(&self, region_code: &str, month: RunMonth) -> Result<Resolved, PolicyError> {
        let applicable = self.applicable(region_code);
        let key = (applicable, month);
        if let Some(hit) = self
            .cache
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(Resolved::clone(hit));
        }
        let (applicable, month) = key;
        let files: Vec<&PolicyFile> = applicable.iter().map(|&i| &self.files[i]).collect();
        let resolved = keys::resolve_keys(&files, month.first_day()).map_err(|keys| {
            PolicyError::MissingKeys {
                keys,
                region: region_code.to_string(),
                month,
                files: files.iter().map(|f| f.file.clone()).collect(),
            }
        })?;
        check_match_thresholds(&resolved, region_code, month)?;
        let resolved = Arc::new(resolved);
        self.cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert((applicable, month), resolved.clone());
        Ok(Resolved::clone(&resolved))
    }

    /// Every file loaded, sorted by file name.
    pub fn files(&self) -> &[PolicyFileInfo] {
        &self.infos
    }

    /// Indices of the files whose stem is a prefix of the region code,
    /// longest prefix first.
    fn applicable(&self, region_code: &str) -> Vec<usize> {
        (2..=region_code.len().min(12))
            .rev()
            .filter_map(|n| region_code.get(..n))
            .filter_map(|prefix| self.by_stem.get(prefix).copied())
            .collect()
    }
}

/// The message of [`PolicyError::MissingKeys`]: the keys no file sets, the
/// household's region, and why when nothing applies at all.
fn missing_message(
    keys: &[&'static str],
    region: &str,
    month: &RunMonth,
    files: &[String],
) -> String {
    let listed = if keys.len() == KEYS.len() {
        format!("any parameter (`{}`, …)", keys[0])
    } else {
        format!("`{}`", keys.join("`, `"))
    };
    let why = if files.is_empty() {
        format!(
            "no policy file applies: none is named by a prefix of the region code, such as `{}.toml`",
            region.get(..2).unwrap_or("51")
        )
    } else if keys.len() == KEYS.len() {
        format!(
            "files that apply: {}, but none has a period starting on or before {}",
            files.join(", "),
            month.first_day()
        )
    } else {
        format!("files that apply: {}", files.join(", "))
    };
    format!("no policy file sets {listed} for region {region} in {month} ({why})")
}

fn check_match_thresholds(r: &Resolved, region: &str, month: RunMonth) -> Result<(), PolicyError> {
    let p = &r.params;
    if p.match_review <= p.match_accept {
        return Ok(());
    }
    let source = |key: &str| {
        r.sources
            .iter()
            .find(|s| s.key == key)
            .map(|s| (s.file.clone(), s.from))
            .expect("every key has a source")
    };
    let (review_file, review_from) = source("match_review");
    let (accept_file, accept_from) = source("match_accept");
    Err(PolicyError::MatchThresholds {
        region: region.to_string(),
        month,
        review: p.match_review,
        review_file,
        review_from,
        accept: p.match_accept,
        accept_file,
        accept_from,
    })
}
