//! Outputs of a run: `decisions`, `findings`, `matches`, `data_quality` as
//! Parquet, and `run.json`, written into a temporary directory beside `--out`
//! and renamed into place, so the output directory appears complete or not
//! at all.
//!
//! Architecture invariant: every table is sorted by its key and built from
//! sorted inputs, so the same inputs give the same Parquet bytes whatever the
//! thread count.

mod lists;
pub mod run_json;
mod tables;

pub use lists::{near_relative_frame, review_due_frame};
pub use run_json::RunJson;
pub use tables::{
    decisions_frame, findings_frame, matches_batches, quality_counts_frame, quality_frame,
    HouseholdResult,
};

use crate::link::DatasetLinks;
use crate::normalise::Roster;

/// Rows per batch of `matches` (one extract row each): polars' default row
/// group, so a batch is one row group. `matches` is written while the rules
/// run, and a batch of 2^20 rows held ~300 MB more at the run's peak.
const MATCHES_BATCH_ROWS: usize = 1 << 18;

/// Writes `matches` batch by batch; returns its rows.
pub fn write_matches(
    staging: &Staging,
    roster: &Roster,
    links: &[DatasetLinks],
) -> Result<usize, OutputError> {
    staging.write_parquet_batches(
        "matches",
        matches_batches(roster, links, MATCHES_BATCH_ROWS),
    )
}

use polars::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};

/// zstd at level 1: every output is written once and read a few times,
/// and level 1 costs less CPU than the default (3) for files a little
/// larger. (Snappy was tried at 1M households: no faster end to end, as
/// measured, and its files twice the size.)
fn compression() -> ParquetCompression {
    ParquetCompression::Zstd(Some(
        polars_parquet::write::ZstdLevel::try_new(1).expect("1 is a zstd level"),
    ))
}

/// The footer's Arrow schema hint in Arrow's oldest types (`large_string`,
/// `large_list`), not polars' default `string_view`: a verification centre's
/// tools (older pyarrow and pandas, Spark, R's arrow) read those, and the
/// Parquet data itself is the same.
/// Code columns held as polars Enums ([`tables::codes`]) are declared
/// strings too: their values are strings, dictionary-encoded in the file.
pub fn plain_parquet_metadata(schema: &Schema) -> KeyValueMetadata {
    let plain: Schema = schema
        .iter()
        .map(|(name, dtype)| match dtype {
            DataType::Enum(..) | DataType::Categorical(..) => (name.clone(), DataType::String),
            other => (name.clone(), other.clone()),
        })
        .collect();
    let arrow = plain.to_arrow(CompatLevel::oldest());
    let kv = polars_parquet::write::schema_to_metadata_key(&arrow);
    KeyValueMetadata::from_static(vec![(kv.key, kv.value.unwrap_or_default())])
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write output {path}: {reason}")]
    Io { path: PathBuf, reason: String },
    /// An output frame lacks a column the reports read (a programming error).
    #[error("report: output `{frame}` has no usable column `{column}`: {reason}")]
    ReportColumn {
        frame: &'static str,
        column: String,
        reason: String,
    },
    #[error("output directory {0} exists and is not a previous hedui run (no run.json in it); refusing to replace it")]
    NotARunDirectory(PathBuf),
}

pub(crate) fn io(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |e| OutputError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// One output directory being written.
pub struct Staging {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl Staging {
    /// Starts a run's output beside `target` (same file system, so the final
    /// rename is atomic).
    pub fn new(target: &Path) -> Result<Staging, OutputError> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        if target.exists() && !is_replaceable(target) {
            return Err(OutputError::NotARunDirectory(target.to_path_buf()));
        }
        let dir = tempfile::Builder::new()
            .prefix(".hedui-partial-")
            .tempdir_in(&parent)
            .map_err(io(&parent))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
        })
    }

    pub fn write_parquet(&self, name: &str, frame: &mut DataFrame) -> Result<(), OutputError> {
        let path = self.dir.path().join(format!("{name}.parquet"));
        let file = File::create(&path).map_err(io(&path))?;
        ParquetWriter::new(file)
            .with_compression(compression())
            .with_key_value_metadata(Some(plain_parquet_metadata(frame.schema())))
            .finish(frame)
            .map_err(|e| OutputError::Io {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        Ok(())
    }

    /// Writes frames of one schema as one Parquet file, one after another
    /// (memory for one frame at a time; the same frames give the same
    /// bytes). Returns the rows written.
    pub fn write_parquet_batches(
        &self,
        name: &str,
        mut frames: impl Iterator<Item = DataFrame>,
    ) -> Result<usize, OutputError> {
        let path = self.dir.path().join(format!("{name}.parquet"));
        let err = |e: PolarsError| OutputError::Io {
            path: path.clone(),
            reason: e.to_string(),
        };
        let first = frames.next().expect("at least one frame");
        let file = File::create(&path).map_err(io(&path))?;
        let mut writer = ParquetWriter::new(file)
            .with_compression(compression())
            .with_key_value_metadata(Some(plain_parquet_metadata(first.schema())))
            .batched(first.schema())
            .map_err(err)?;
        let mut rows = first.height();
        writer.write_batch(&first).map_err(err)?;
        drop(first);
        for frame in frames {
            rows += frame.height();
            writer.write_batch(&frame).map_err(err)?;
        }
        writer.finish().map_err(err)?;
        Ok(rows)
    }

    pub fn write_json(&self, name: &str, value: &serde_json::Value) -> Result<(), OutputError> {
        let path = self.dir.path().join(name);
        let mut text = serde_json::to_string_pretty(value).expect("JSON values serialise");
        text.push('\n');
        std::fs::write(&path, text).map_err(io(&path))
    }

    /// Where output `name` is staged, for writers that make their own files
    /// (the reports). It appears in the output directory on [`Staging::commit`].
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Moves the finished directory into place, replacing a previous run.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        let staged = self.dir.keep();
        let target = self.target;
        if target.exists() {
            let old = target.with_file_name(format!(
                ".hedui-replaced-{}-{}",
                target.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
                std::process::id()
            ));
            std::fs::rename(&target, &old).map_err(io(&target))?;
            if let Err(e) = std::fs::rename(&staged, &target) {
                let _ = std::fs::rename(&old, &target);
                let _ = std::fs::remove_dir_all(&staged);
                return Err(io(&target)(e));
            }
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        } else if let Err(e) = std::fs::rename(&staged, &target) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(io(&target)(e));
        }
        Ok(target)
    }
}

/// An empty directory or a previous run's output may be replaced.
fn is_replaceable(target: &Path) -> bool {
    target.is_dir()
        && (target.join("run.json").is_file()
            || std::fs::read_dir(target)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without `plain_parquet_metadata` the footer says `string_view`
    /// (Utf8View), which older readers refuse.
    #[test]
    fn parquet_footers_name_large_strings_not_string_views() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let staging = Staging::new(&out).unwrap();
        let mut frame = df!("action" => ["exit", "keep"]).unwrap();
        staging.write_parquet("decisions", &mut frame).unwrap();
        staging.commit().unwrap();
        let file = File::open(out.join("decisions.parquet")).unwrap();
        let mut reader = ParquetReader::new(file);
        let meta = reader.get_metadata().unwrap();
        let hint = meta
            .key_value_metadata()
            .iter()
            .flatten()
            .find(|kv| kv.key == "ARROW:schema")
            .and_then(|kv| kv.value.clone())
            .unwrap();
        let encoded = |level| {
            let arrow = frame.schema().to_arrow(level);
            polars_parquet::write::schema_to_metadata_key(&arrow)
                .value
                .unwrap()
        };
        assert_eq!(hint, encoded(CompatLevel::oldest()));
        assert_ne!(hint, encoded(CompatLevel::newest()));
    }

    /// Code columns are Enums in memory and plain strings in the file.
    #[test]
    fn code_columns_read_back_as_strings() {
        let frame = tables::frame(vec![tables::codes(
            "status",
            &["matched", "review", "unmatched"],
            [Some(2), None, Some(0)],
        )]);
        assert!(matches!(
            frame.schema().get("status"),
            Some(DataType::Enum(..))
        ));
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let staging = Staging::new(&out).unwrap();
        staging
            .write_parquet("matches", &mut frame.clone())
            .unwrap();
        staging.commit().unwrap();
        let back = ParquetReader::new(File::open(out.join("matches.parquet")).unwrap())
            .finish()
            .unwrap();
        let status = back.column("status").unwrap();
        assert_eq!(status.dtype(), &DataType::String);
        let values: Vec<Option<&str>> = status.str().unwrap().iter().collect();
        assert_eq!(values, [Some("unmatched"), None, Some("matched")]);
    }

    #[test]
    fn a_staged_directory_appears_only_on_commit_and_replaces_a_previous_run() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let staging = Staging::new(&out).unwrap();
        staging
            .write_json("run.json", &serde_json::json!({"n": 1}))
            .unwrap();
        assert!(!out.exists());
        staging.commit().unwrap();
        assert!(out.join("run.json").is_file());
        let again = Staging::new(&out).unwrap();
        again
            .write_json("run.json", &serde_json::json!({"n": 2}))
            .unwrap();
        again.commit().unwrap();
        assert!(std::fs::read_to_string(out.join("run.json"))
            .unwrap()
            .contains('2'));
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("run")]);
    }

    #[test]
    fn a_dropped_staging_leaves_nothing_and_foreign_directories_are_not_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        drop(Staging::new(&out).unwrap());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            Staging::new(&out),
            Err(OutputError::NotARunDirectory(_))
        ));
    }
}
