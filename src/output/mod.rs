//! Outputs of a run: `decisions`, `findings`, `matches`, `data_quality` as
//! Parquet, and `run.json`, written into a temporary directory beside `--out`
//! and renamed into place, so the output directory appears complete or not
//! at all.
//!
//! Architecture invariant: every table is sorted by its key and built from
//! sorted inputs, so the same inputs give the same Parquet bytes whatever the
//! thread count.

mod lists;
mod parquet;
pub mod run_json;
mod tables;

pub use lists::{near_relative_frame, review_due_frame};
pub use parquet::{plain_schema_hint, write_frames};
pub use run_json::RunJson;
pub use tables::{
    decisions_frame, findings_frame, matches_batches, matches_rows, quality_counts, quality_frame,
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
    #[error("output directory {0} exists and is not a previous hedui run or report (no run.json or report.json in it); refusing to replace it")]
    NotARunDirectory(PathBuf),
    #[error("cannot write --out {out}: cannot create a directory in {parent} ({reason}); --out must be a path in a writable directory")]
    Staging {
        out: PathBuf,
        parent: PathBuf,
        reason: String,
    },
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
    /// rename is atomic). Leftovers of earlier runs on the same target that
    /// were killed are cleaned up first (see [`sweep_leftovers`]).
    pub fn new(target: &Path) -> Result<Staging, OutputError> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let staging_error = |e: std::io::Error| OutputError::Staging {
            out: target.to_path_buf(),
            parent: parent.clone(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(&parent).map_err(staging_error)?;
        sweep_leftovers(&parent, &out_name(target)).map_err(staging_error)?;
        if target.exists() && !is_replaceable(target) {
            return Err(OutputError::NotARunDirectory(target.to_path_buf()));
        }
        let dir = tempfile::Builder::new()
            .prefix(&format!(
                "{PARTIAL}{}-{}-",
                out_name(target),
                std::process::id()
            ))
            .tempdir_in(&parent)
            .map_err(staging_error)?;
        kill_point("staged");
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
        })
    }

    pub fn write_parquet(&self, name: &str, frame: &DataFrame) -> Result<(), OutputError> {
        self.write_parquet_batches(name, std::iter::once(frame.clone()))
            .map(drop)
    }

    /// Writes frames of one schema as one Parquet file ([`write_frames`]).
    pub fn write_parquet_batches(
        &self,
        name: &str,
        frames: impl Iterator<Item = DataFrame>,
    ) -> Result<usize, OutputError> {
        let path = self.dir.path().join(format!("{name}.parquet"));
        let file = File::create(&path).map_err(io(&path))?;
        write_frames(file, frames).map_err(|e| OutputError::Io {
            path: path.clone(),
            reason: e.to_string(),
        })
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
    ///
    /// On Linux the two directories are swapped in one step
    /// (`renameat2(RENAME_EXCHANGE)`), so a kill at any moment leaves
    /// `--out` either the previous complete run or the new one; the old run,
    /// now under the staging name, is removed after (or by the next run).
    /// Elsewhere, or on a file system without the exchange, the old run is
    /// first renamed aside: a kill between the two renames leaves it under
    /// `.hedui-replaced-NAME-PID`, and the next run puts it back.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        kill_point("commit");
        let staged = self.dir.keep();
        let target = self.target;
        if !target.exists() {
            if let Err(e) = std::fs::rename(&staged, &target) {
                let _ = std::fs::remove_dir_all(&staged);
                return Err(io(&target)(e));
            }
            return Ok(target);
        }
        match exchange(&staged, &target) {
            Ok(()) => {
                kill_point("commit:exchanged");
                // `staged` holds the previous run now; a failure to remove
                // it leaves a leftover the next run removes.
                let _ = std::fs::remove_dir_all(&staged);
                return Ok(target);
            }
            Err(e) if !exchange_unsupported(&e) => {
                let _ = std::fs::remove_dir_all(&staged);
                return Err(io(&target)(e));
            }
            Err(_) => {}
        }
        let old = target.with_file_name(format!(
            "{REPLACED}{}-{}",
            out_name(&target),
            std::process::id()
        ));
        std::fs::rename(&target, &old).map_err(io(&target))?;
        kill_point("commit:old-moved");
        if let Err(e) = std::fs::rename(&staged, &target) {
            let _ = std::fs::rename(&old, &target);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(io(&target)(e));
        }
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
        Ok(target)
    }
}

/// Name prefixes of a run's temporary directories beside `--out`: the
/// output being written, and (without an atomic exchange) the previous
/// run while it is being replaced. Both are followed by `NAME-PID`.
const PARTIAL: &str = ".hedui-partial-";
const REPLACED: &str = ".hedui-replaced-";

fn out_name(target: &Path) -> String {
    target
        .file_name()
        .map_or_else(|| "out".to_string(), |n| n.to_string_lossy().into_owned())
}

/// A test-only hook: with `HEDUI_TEST_ABORT_AT=<point>` in the
/// environment the process aborts at that named point (no destructor
/// runs, as under SIGKILL), so the kill-safety test can stop a run inside
/// the commit. Points: `staged`, `before_commit`, `commit`,
/// `commit:exchanged`, `commit:old-moved`.
pub(crate) fn kill_point(name: &str) {
    if std::env::var_os("HEDUI_TEST_ABORT_AT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

/// Removes what killed runs on the same `--out` left beside it: staging
/// directories (`.hedui-partial-NAME-PID-…`) and replaced runs
/// (`.hedui-replaced-NAME-PID`) whose process is gone. A replaced run is
/// put back first when `--out` itself is missing (a kill between the two
/// renames of the fallback commit). A directory of a process still running
/// (a concurrent run) is left alone.
fn sweep_leftovers(parent: &Path, name: &str) -> std::io::Result<()> {
    let target = parent.join(name);
    for entry in std::fs::read_dir(parent)? {
        let entry = entry?;
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        let rest = file
            .strip_prefix(PARTIAL)
            .map(|r| (r, false))
            .or_else(|| file.strip_prefix(REPLACED).map(|r| (r, true)));
        let Some((rest, replaced)) = rest else {
            continue;
        };
        let Some(pid) = rest.strip_prefix(name).and_then(|r| r.strip_prefix('-')) else {
            continue;
        };
        let pid = pid.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(process_alive) {
            continue;
        }
        let path = entry.path();
        if replaced && !target.exists() && path.join("run.json").is_file() {
            std::fs::rename(&path, &target)?;
            continue;
        }
        std::fs::remove_dir_all(&path)?;
    }
    Ok(())
}

/// Whether a process with this id runs (Linux: `/proc/PID`). Elsewhere
/// only this process is known to run.
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    cfg!(target_os = "linux") && Path::new("/proc").join(pid.to_string()).exists()
}

/// Swaps two directories atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two valid NUL-terminated paths that outlive the call; the
    // flags are the kernel's RENAME_EXCHANGE.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The exchange is not available here (old kernel or C library, a file
/// system without it): fall back to two renames.
fn exchange_unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(code) if code == EINVAL || code == ENOSYS)
}

#[cfg(target_os = "linux")]
const EINVAL: i32 = libc::EINVAL;
#[cfg(target_os = "linux")]
const ENOSYS: i32 = libc::ENOSYS;
#[cfg(not(target_os = "linux"))]
const EINVAL: i32 = 22;
#[cfg(not(target_os = "linux"))]
const ENOSYS: i32 = 38;

/// An empty directory, a previous run's output or a report directory
/// (`hedui report --out`, which writes `report.json`) may be replaced.
fn is_replaceable(target: &Path) -> bool {
    target.is_dir()
        && (target.join("run.json").is_file()
            || target.join("report.json").is_file()
            || std::fs::read_dir(target)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_dir(path: &Path, marker: &str) {
        std::fs::create_dir_all(path).unwrap();
        std::fs::write(path.join("run.json"), marker).unwrap();
    }

    /// Issue 13, finding 5: every killed run left a `.hedui-partial-*`
    /// that no later run removed, and a kill between the two renames of the
    /// commit left no `--out` at all.
    #[test]
    fn leftovers_of_killed_runs_are_swept_and_a_replaced_run_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path();
        let dead = 999_999_999u32; // above pid_max: no such process
        let me = std::process::id();
        run_dir(
            &p.join(format!(".hedui-partial-out-{dead}-a1b2c3")),
            "partial",
        );
        run_dir(&p.join(format!(".hedui-partial-out-{me}-live")), "mine");
        run_dir(
            &p.join(format!(".hedui-partial-other-{dead}-x")),
            "other out",
        );
        run_dir(&p.join(format!(".hedui-replaced-out-{dead}")), "previous");
        sweep_leftovers(p, "out").unwrap();
        let mut left: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut expected = vec![
            format!(".hedui-partial-other-{dead}-x"),
            format!(".hedui-partial-out-{me}-live"),
            "out".to_string(),
        ];
        expected.sort();
        assert_eq!(left, expected);
        assert_eq!(
            std::fs::read_to_string(p.join("out/run.json")).unwrap(),
            "previous"
        );
        // With `out` present, a replaced run is a leftover like any other.
        run_dir(&p.join(format!(".hedui-replaced-out-{dead}")), "older");
        sweep_leftovers(p, "out").unwrap();
        assert!(!p.join(format!(".hedui-replaced-out-{dead}")).exists());
        assert_eq!(
            std::fs::read_to_string(p.join("out/run.json")).unwrap(),
            "previous"
        );
    }

    #[test]
    fn a_commit_swaps_in_the_new_run_and_leaves_nothing_beside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        run_dir(&out, "previous");
        let staging = Staging::new(&out).unwrap();
        staging
            .write_json("run.json", &serde_json::json!({"new": true}))
            .unwrap();
        staging.commit().unwrap();
        assert!(std::fs::read_to_string(out.join("run.json"))
            .unwrap()
            .contains("new"));
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only --out is left");
    }

    /// Issue 13, finding 8: `--out /proc/x` said only "No such file or
    /// directory".
    #[test]
    fn an_out_where_nothing_can_be_created_says_so() {
        let err = Staging::new(Path::new("/proc/x"))
            .err()
            .expect("/proc is not writable");
        let text = err.to_string();
        assert!(
            text.contains("--out /proc/x") && text.contains("cannot create a directory in /proc"),
            "{text}"
        );
    }

    /// Without `plain_parquet_metadata` the footer says `string_view`
    /// (Utf8View), which older readers refuse.
    #[test]
    fn parquet_footers_name_large_strings_not_string_views() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let staging = Staging::new(&out).unwrap();
        let frame = df!("action" => ["exit", "keep"]).unwrap();
        staging.write_parquet("decisions", &frame).unwrap();
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
        staging.write_parquet("matches", &frame).unwrap();
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
