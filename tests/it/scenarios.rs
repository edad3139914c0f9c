//! Scenario tests as data: every `tests/scenarios/*.toml` is a small world
//! (a policy, one household, its members, extract rows) with the decision
//! the run must make, run through the public `hedui::run` by
//! [`check_scenario`].
//!
//! A scenario file:
//!
//! ```toml
//! name = "a member's registered car makes the household exit"
//! rule = "R-VEHICLE"     # the rule it is about …
//! fires = true           # … and whether that rule must find something
//! month = "2024-10"      # optional
//!
//! [policy]               # optional: keys for the household's region only
//! vehicle_value_exempt_below = "50000"
//!
//! [household]            # overrides of an active urban 低保 household `H1`
//! program = "applicant"
//!
//! [[members]]            # one table per member; defaults: covered, able
//! declared_wage = "300"
//!
//! [[vehicles]]           # any dataset by name; `member = N` fills the
//! member = 0             # row's person columns with member N's name and id
//! vehicle_type = "car"
//!
//! [expect]
//! action = "exit"
//! reasons = ["R-VEHICLE"]
//! ```
//!
//! A file may also hold several scenarios, each a `[[scenario]]` table of
//! the keys above (a new rule's "fires" and "does not fire" side by side).
//!
//! Values are written as text (the contract accepts text for every kind).
//! A value `"member:N"` is member N's id number; an `…id_number` of 17
//! digits gets its check digit. `deposits = []` supplies a dataset with no
//! rows; a dataset not named is absent (its rules are not checked).

use crate::support::policies;
use hedui::calendar::RunMonth;
use hedui::schema::Dataset;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The scenarios of one file: the file itself, or its `[[scenario]]` tables.
fn read(path: &Path) -> Vec<toml::Table> {
    let text = std::fs::read_to_string(path).unwrap();
    let file: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match file.get("scenario").and_then(|s| s.as_array()) {
        Some(many) => many.iter().map(|s| s.as_table().unwrap().clone()).collect(),
        None => vec![file],
    }
}

/// A TOML value as the text written to Parquet.
fn text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A valid id from 17 digits (its check digit appended).
fn with_check_digit(first17: &str) -> String {
    format!("{first17}{}", hedui::text::check_digit(first17).unwrap())
}

/// The roster's defaults: an active urban 低保 household of 乐至县.
const HOUSEHOLD: [(&str, &str); 9] = [
    ("household_id", "H1"),
    ("region_code", "512022101001"),
    ("area", "urban"),
    ("program", "urban_dibao"),
    ("status", "active"),
    ("single_person_coverage", "false"),
    ("benefit_start", "2023-01-01"),
    ("monthly_benefit", "500.00"),
    ("last_review_date", "2024-06-30"),
];

/// Each member's defaults (name and id come from its position).
const MEMBER: [(&str, &str); 15] = [
    ("household_id", "H1"),
    ("relation", "head"),
    ("covered", "true"),
    ("severe_illness", "false"),
    ("labor_capacity", "full"),
    ("in_school", "false"),
    ("declared_wage", "0"),
    ("declared_business", "0"),
    ("declared_property_income", "0"),
    ("declared_transfer", "0"),
    ("declared_basic_pension", "0"),
    ("declared_medical_expense", "0"),
    ("declared_education_expense", "0"),
    ("name", ""),
    ("id_number", ""),
];

/// Member `i`'s default name and id.
fn member_identity(i: usize) -> (String, String) {
    (
        format!("成员{i}"),
        with_check_digit(&format!("51202219800101{:03}", 100 + i)),
    )
}

/// One row: the defaults, then the scenario's values, references resolved.
fn row(
    defaults: &[(&str, &str)],
    given: Option<&toml::Table>,
    members: &[(String, String)],
) -> BTreeMap<String, String> {
    let mut row: BTreeMap<String, String> = defaults
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in given.into_iter().flatten() {
        let mut value = text(v);
        if let Some(n) = value.strip_prefix("member:") {
            value = members[n.parse::<usize>().unwrap()].1.clone();
        } else if k.ends_with("id_number") && value.len() == 17 {
            value = with_check_digit(&value);
        }
        row.insert(k.clone(), value);
    }
    row
}

/// `dataset`'s rows as a frame of its contract columns, all text.
fn frame(dataset: Dataset, rows: &[BTreeMap<String, String>]) -> DataFrame {
    let columns: Vec<Column> = dataset
        .columns()
        .iter()
        .map(|c| {
            let values: Vec<Option<&str>> = rows
                .iter()
                .map(|r| r.get(c.name).map(String::as_str).filter(|v| !v.is_empty()))
                .collect();
            Column::new(c.name.into(), values)
        })
        .collect();
    DataFrame::new(rows.len(), columns).unwrap()
}

fn write(path: &Path, mut df: DataFrame) {
    let file = std::fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
}

/// The members' identities, then every dataset the scenario names.
fn write_data(s: &toml::Table, dir: &Path) {
    let given: Vec<&toml::Table> = s
        .get("members")
        .and_then(|m| m.as_array())
        .map(|a| a.iter().map(|m| m.as_table().unwrap()).collect())
        .unwrap_or_default();
    let identities: Vec<(String, String)> = (0..given.len()).map(member_identity).collect();
    let members: Vec<BTreeMap<String, String>> = given
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut r = row(&MEMBER, Some(m), &identities);
            for (k, v) in [("name", &identities[i].0), ("id_number", &identities[i].1)] {
                if r[k].is_empty() {
                    r.insert(k.to_string(), v.clone());
                }
            }
            r
        })
        .collect();
    let household = row(
        &HOUSEHOLD,
        s.get("household").and_then(|h| h.as_table()),
        &identities,
    );
    write(
        &dir.join("households.parquet"),
        frame(Dataset::Households, &[household]),
    );
    write(
        &dir.join("members.parquet"),
        frame(Dataset::Members, &members),
    );
    for dataset in Dataset::ALL.into_iter().filter(|d| !d.is_required()) {
        let Some(rows) = s.get(dataset.name()).and_then(|r| r.as_array()) else {
            continue;
        };
        let rows: Vec<BTreeMap<String, String>> = rows
            .iter()
            .map(|r| extract_row(dataset, r.as_table().unwrap(), &identities))
            .collect();
        write(
            &dir.join(format!("{}.parquet", dataset.name())),
            frame(dataset, &rows),
        );
    }
}

/// An extract or register row; `member = N` names member N as its person.
fn extract_row(
    dataset: Dataset,
    given: &toml::Table,
    members: &[(String, String)],
) -> BTreeMap<String, String> {
    let mut r = row(&[], Some(given), members);
    if let Some(n) = r.remove("member") {
        let (name, id) = &members[n.parse::<usize>().unwrap()];
        let (name_col, id_col) = dataset.person_columns().expect("a person-keyed extract");
        r.insert(name_col.to_string(), name.clone());
        r.insert(id_col.to_string(), id.clone());
    }
    r
}

/// The shipped policies, plus the scenario's `[policy]` keys as a file for
/// the household's own region code (the longest prefix wins per key).
fn write_policies(s: &toml::Table, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for f in std::fs::read_dir(policies()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
    }
    let Some(keys) = s.get("policy").and_then(|p| p.as_table()) else {
        return;
    };
    let mut period = keys.clone();
    period.insert(
        "from".into(),
        toml::Value::Datetime("2020-01-01".parse().unwrap()),
    );
    let mut file = toml::Table::new();
    file.insert("name".into(), "scenario".into());
    file.insert("period".into(), toml::Value::Array(vec![period.into()]));
    let region = s
        .get("household")
        .and_then(|h| h.get("region_code"))
        .map_or("512022101001".to_string(), text);
    std::fs::write(dir.join(format!("{region}.toml")), file.to_string()).unwrap();
}

/// A column's values as text, nulls left out.
fn texts(column: &Series) -> Vec<String> {
    let column = column.cast(&DataType::String).unwrap();
    let values = column.str().unwrap().iter().flatten();
    values.map(String::from).collect()
}

/// Runs one scenario and checks its expectations; returns its rule and
/// whether that rule fired.
fn check_scenario(s: &toml::Table) -> (String, bool) {
    let name = s["name"].as_str().unwrap().to_string();
    let tmp = tempfile::tempdir().unwrap();
    let (data, policy_dir, out) = (
        tmp.path().join("data"),
        tmp.path().join("p"),
        tmp.path().join("out"),
    );
    std::fs::create_dir_all(&data).unwrap();
    write_data(s, &data);
    write_policies(s, &policy_dir);
    let month = s.get("month").map_or("2024-10".to_string(), text);
    hedui::run(&hedui::RunRequest {
        data,
        policies: policy_dir,
        month: month.parse::<RunMonth>().unwrap(),
        out: out.clone(),
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"));

    let decisions = crate::support::read(&out.join("decisions.parquet"));
    let action = decisions
        .column("action")
        .unwrap()
        .cast(&DataType::String)
        .unwrap();
    let action = action.str().unwrap().get(0).unwrap().to_string();
    let reasons = decisions
        .column("reasons")
        .unwrap()
        .list()
        .unwrap()
        .get_as_series(0)
        .map_or_else(Vec::new, |r| texts(&r));
    let findings = crate::support::read(&out.join("findings.parquet"));
    let found = texts(findings.column("rule_id").unwrap().as_materialized_series());

    let expect = s["expect"].as_table().unwrap();
    assert_eq!(
        action,
        expect["action"].as_str().unwrap(),
        "{name}: action (reasons {reasons:?})"
    );
    if let Some(expected) = expect.get("reasons") {
        let expected: Vec<&str> = expected
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(reasons, expected, "{name}: reasons");
    }
    let rule = s["rule"].as_str().unwrap().to_string();
    let fires = s["fires"].as_bool().unwrap();
    assert_eq!(
        found.contains(&rule),
        fires,
        "{name}: {rule} fires = {fires}, findings {found:?}"
    );
    (rule, fires)
}

/// Every scenario decides as it says; every rule has a scenario where it
/// fires and one where it does not.
#[test]
fn every_scenario_decides_as_it_says() {
    let files = scenario_files();
    let mut seen: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for s in files.iter().flat_map(|f| read(f)) {
        let (rule, fires) = check_scenario(&s);
        let entry = seen.entry(rule).or_default();
        if fires {
            entry.0 = true;
        } else {
            entry.1 = true;
        }
    }
    for rule in hedui::rules::RuleId::ALL {
        let code = rule.code();
        let (fires, quiet) = seen.get(code).copied().unwrap_or_default();
        assert!(
            fires && quiet,
            "{code}: a scenario where it fires ({fires}) and one where it does not ({quiet})"
        );
    }
}
