//! `hedui diff RUN_A RUN_B`: what changed between two runs (last month and
//! this month): households whose action changed, findings that are new,
//! findings that went away.
//!
//! A finding's identity across runs is (household_id, rule_id, dataset,
//! member id_number), counted: `row_index` is not stable between two
//! months' extracts, and the detail text carries amounts that change (a
//! balance) while the evidence is the same. Within one identity, findings
//! with the same detail pair off first, then the rest pair in order; only
//! the surplus is new or gone. So a member with one car last month and two
//! this month has one new R-VEHICLE finding; selling one car and buying
//! another in the same month is not seen (docs/DECISIONS.md).

use super::labels;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("cannot read {path}: {reason} (is it the output directory of `hedui run`?)")]
    Read { path: PathBuf, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

/// A household whose action differs (`None`: not in that run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionChange {
    pub household_id: String,
    pub region_code: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// This run's reasons (rule ids), or the last run's if the household left.
    pub reasons: Vec<String>,
}

/// A finding present in one run only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingChange {
    pub household_id: String,
    pub rule_id: String,
    pub dataset: Option<String>,
    pub id_number: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct RunDiff {
    pub action_changes: Vec<ActionChange>,
    pub new_findings: Vec<FindingChange>,
    pub gone_findings: Vec<FindingChange>,
}

fn read(dir: &Path, name: &str) -> Result<DataFrame, DiffError> {
    let path = dir.join(format!("{name}.parquet"));
    let err = |reason: String| DiffError::Read {
        path: path.clone(),
        reason,
    };
    let file = std::fs::File::open(&path).map_err(|e| err(e.to_string()))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| err(e.to_string()))
}

fn strings(
    df: &DataFrame,
    dir: &Path,
    name: &str,
    column: &str,
) -> Result<Vec<Option<String>>, DiffError> {
    let c = df
        .column(column)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(|e| DiffError::Read {
            path: dir.join(format!("{name}.parquet")),
            reason: e.to_string(),
        })?;
    Ok(c.str()
        .expect("cast to String")
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

struct Decision {
    region_code: String,
    action: String,
    reasons: Vec<String>,
}

fn decisions(dir: &Path) -> Result<BTreeMap<String, Decision>, DiffError> {
    let df = read(dir, "decisions")?;
    let ids = strings(&df, dir, "decisions", "household_id")?;
    let regions = strings(&df, dir, "decisions", "region_code")?;
    let actions = strings(&df, dir, "decisions", "action")?;
    let reasons = df
        .column("reasons")
        .and_then(|c| c.list().cloned())
        .map_err(|e| DiffError::Read {
            path: dir.join("decisions.parquet"),
            reason: e.to_string(),
        })?;
    let mut out = BTreeMap::new();
    for i in 0..df.height() {
        out.insert(
            ids[i].clone().unwrap_or_default(),
            Decision {
                region_code: regions[i].clone().unwrap_or_default(),
                action: actions[i].clone().unwrap_or_default(),
                reasons: super::list_strings(&reasons, i),
            },
        );
    }
    Ok(out)
}

type Identity = (String, String, Option<String>, Option<String>);

fn findings(dir: &Path) -> Result<BTreeMap<Identity, Vec<String>>, DiffError> {
    let df = read(dir, "findings")?;
    let cols: Vec<Vec<Option<String>>> =
        ["household_id", "rule_id", "dataset", "id_number", "detail"]
            .iter()
            .map(|c| strings(&df, dir, "findings", c))
            .collect::<Result<_, _>>()?;
    let mut out: BTreeMap<Identity, Vec<String>> = BTreeMap::new();
    let [household, rule, dataset, id_number, detail] = &cols[..] else {
        unreachable!("five columns read")
    };
    for (k, detail) in detail.iter().enumerate() {
        let key = (
            household[k].clone().unwrap_or_default(),
            rule[k].clone().unwrap_or_default(),
            dataset[k].clone(),
            id_number[k].clone(),
        );
        out.entry(key)
            .or_default()
            .push(detail.clone().unwrap_or_default());
    }
    Ok(out)
}

/// The surplus of `a` over `b`: equal details pair off first, then in order.
fn surplus(a: &[String], b: &[String]) -> Vec<String> {
    let mut rest_b: Vec<&String> = b.iter().collect();
    let mut rest_a: Vec<&String> = Vec::new();
    for x in a {
        match rest_b.iter().position(|y| *y == x) {
            Some(k) => {
                rest_b.remove(k);
            }
            None => rest_a.push(x),
        }
    }
    rest_a.into_iter().skip(rest_b.len()).cloned().collect()
}

/// Compares the outputs of two runs, `a` before `b`.
pub fn diff(a: &Path, b: &Path) -> Result<RunDiff, DiffError> {
    let (da, db) = (decisions(a)?, decisions(b)?);
    let mut action_changes = Vec::new();
    let ids: std::collections::BTreeSet<&String> = da.keys().chain(db.keys()).collect();
    for id in ids {
        let (x, y) = (da.get(id), db.get(id));
        if x.map(|d| &d.action) == y.map(|d| &d.action) {
            continue;
        }
        let latest = y.or(x).expect("in one run at least");
        action_changes.push(ActionChange {
            household_id: id.clone(),
            region_code: latest.region_code.clone(),
            before: x.map(|d| d.action.clone()),
            after: y.map(|d| d.action.clone()),
            reasons: latest.reasons.clone(),
        });
    }
    let (fa, fb) = (findings(a)?, findings(b)?);
    let empty = Vec::new();
    let mut new_findings = Vec::new();
    let mut gone_findings = Vec::new();
    let keys: std::collections::BTreeSet<&Identity> = fa.keys().chain(fb.keys()).collect();
    for key in keys {
        let (xa, xb) = (fa.get(key).unwrap_or(&empty), fb.get(key).unwrap_or(&empty));
        let change = |detail: String| FindingChange {
            household_id: key.0.clone(),
            rule_id: key.1.clone(),
            dataset: key.2.clone(),
            id_number: key.3.clone(),
            detail,
        };
        new_findings.extend(surplus(xb, xa).into_iter().map(change));
        gone_findings.extend(surplus(xa, xb).into_iter().map(change));
    }
    Ok(RunDiff {
        action_changes,
        new_findings,
        gone_findings,
    })
}

/// Writes the diff as one CSV (UTF-8 with BOM, Chinese headers), one row per
/// change, atomically (a temp file renamed into place).
pub fn write_csv(d: &RunDiff, path: &Path) -> Result<(), DiffError> {
    let err = |e: std::io::Error| DiffError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut text = String::from(
        "\u{feff}变化,户编号,区划代码,上次建议,本次建议,规则,原因,数据集,身份证号,说明\r\n",
    );
    let q = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    for c in &d.action_changes {
        let reasons: Vec<&str> = c.reasons.iter().map(String::as_str).collect();
        text += &format!(
            "建议变化,{},{},{},{},{},{},,,\r\n",
            q(&c.household_id),
            q(&c.region_code),
            c.before.as_deref().map_or("（无）", labels::action),
            c.after.as_deref().map_or("（无）", labels::action),
            q(&reasons.join(" ")),
            q(&labels::rules(reasons.iter().copied())),
        );
    }
    for (kind, list) in [("新发现", &d.new_findings), ("已消失", &d.gone_findings)] {
        for f in list {
            text += &format!(
                "{kind},{},,,,{},{},{},{},{}\r\n",
                q(&f.household_id),
                q(&f.rule_id),
                q(labels::rule(&f.rule_id)),
                q(f.dataset.as_deref().map_or("", labels::dataset)),
                q(f.id_number.as_deref().unwrap_or("")),
                q(&f.detail)
            );
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_changed_amount_is_the_same_evidence_and_only_the_surplus_is_new() {
        // Same deposit, new balance: nothing new, nothing gone.
        assert!(surplus(&s(&["余额9万元"]), &s(&["余额8万元"])).is_empty());
        // A second car this month: one new, the unchanged one pairs off.
        assert_eq!(surplus(&s(&["川A1", "川A2"]), &s(&["川A1"])), s(&["川A2"]));
        assert!(surplus(&s(&["川A1"]), &s(&["川A1", "川A2"])).is_empty());
    }
}
