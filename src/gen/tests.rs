//! Tests of the generator: cases planted, determinism, links, strangers,
//! contract columns.

use super::*;
use crate::schema::Dataset;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::Path;

fn shipped_policies() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies")
}

fn request(out: &Path, households: usize, seed: u64) -> GenRequest {
    GenRequest {
        households,
        seed,
        out: out.to_path_buf(),
        month: "2024-10".parse().unwrap(),
        policies: shipped_policies(),
    }
}

/// Parquet files of a dataset in file order (a directory: sorted by path).
fn dataset_files(dir: &Path, d: Dataset) -> Vec<PathBuf> {
    let file = dir.join(format!("{}.parquet", d.name()));
    if file.is_file() {
        return vec![file];
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.join(d.name())];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "parquet") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(File::open(path).unwrap())
        .finish()
        .unwrap()
}

/// All rows of a dataset, concatenated in file order.
fn strings(dir: &Path, d: Dataset, column: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for f in dataset_files(dir, d) {
        let df = read(&f);
        let c = df.column(column).unwrap().str().unwrap().clone();
        out.extend(c.iter().map(|v| v.map(str::to_string)));
    }
    out
}

/// The contract's normalisation of an id number, written independently of
/// `crate::text` so the test checks the generator against the contract.
fn normalise(raw: &str) -> String {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap(),
            'x' => 'X',
            _ => c,
        })
        .collect();
    if s.len() == 15 {
        let body = format!("{}19{}", &s[..6], &s[6..]);
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body
            .chars()
            .zip(W)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        let check = b"10X98765432"[(sum % 11) as usize] as char;
        return format!("{body}{check}");
    }
    s
}

fn valid(id: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    if id.len() != 18 || !id[..17].chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = id[..17]
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    id.as_bytes()[17] == b"10X98765432"[(sum % 11) as usize]
}

/// Every file under `root`, by path relative to it, with its bytes.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

/// The `case` column of `truth/decisions.csv`.
const CASE: usize = 5;

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn member_ids(dir: &Path) -> BTreeSet<String> {
    strings(dir, Dataset::Members, "id_number")
        .into_iter()
        .map(|v| normalise(&v.unwrap()))
        .collect()
}

#[test]
fn every_case_kind_is_planted_in_300_households() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&request(dir.path(), 300, 7)).unwrap();
    assert_eq!(summary.households, 300);
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth/meta.json")).unwrap())
            .unwrap();
    let unavailable: Vec<String> = meta["cases_unavailable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let decisions = csv_rows(&dir.path().join("truth/decisions.csv"));
    assert_eq!(decisions.len(), 300);
    let seen: BTreeSet<&str> = decisions.iter().map(|r| r[CASE].as_str()).collect();
    for name in case_names() {
        if unavailable.iter().any(|u| u == name) {
            eprintln!("case {name} unavailable with the shipped policies");
            continue;
        }
        assert!(seen.contains(name), "case {name} not planted");
    }
    assert!(seen.contains("clean"));
    // Clean households keep with no reasons; non-keep actions name reasons.
    for r in &decisions {
        if r[CASE] == "clean" {
            assert_eq!((r[1].as_str(), r[2].as_str()), ("keep", ""), "{r:?}");
        }
        if r[1] != "keep" {
            assert!(!r[2].is_empty(), "{r:?}");
        }
        assert_eq!(r[1] == "phase_out", !r[3].is_empty(), "{r:?}");
    }
}

/// A policy directory in which every case's precondition holds somewhere
/// (value exemption, area exemption, commercial property forbidden, severe
/// limit above the ordinary one, pension excluded, rigid expenses deducted).
fn fixture_policies(dir: &Path) -> PathBuf {
    let policies = dir.join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    let file = |name: &str, urban: &str, rural: &str, tekun: &str, extra: &str| {
        format!(
            r#"name = "{name}"

[[period]]
from = 2024-01-01
reference = "test fixture"
urban_standard = "{urban}"
rural_standard = "{rural}"
tekun_standard = "{tekun}"
marginal_multiplier = 1.5
minimum_wage = "1900.00"
employment_deduction_rate = 0.25
disabled_employment_deduction_rate = 0.5
exclude_basic_pension = true
rigid_expense_deduction = true
financial_assets_months = 24
financial_assets_months_severe = 36
max_residences = 1
residence_area_per_capita_exempt_below = 30
commercial_property_allowed = false
vehicle_exempt_types = ["motorcycle", "tricycle", "agricultural", "disability"]
vehicle_value_exempt_below = "30000.00"
business_capital_limit = "100000"
payroll_lookback_months = 3
phase_out_months = 6
review_months_semiannual = 6
review_months_annual = 12
near_relative_relations = ["spouse", "parent", "child", "sibling"]
match_accept = 0.95
match_review = 0.8
{extra}
"#
        )
    };
    std::fs::write(
        policies.join("51.toml"),
        file("四川", "760.00", "533.00", "988.00", ""),
    )
    .unwrap();
    std::fs::write(
        policies.join("62.toml"),
        file("甘肃", "720.50", "510.25", "936.65", ""),
    )
    .unwrap();
    std::fs::write(
        policies.join("53.toml"),
        file("云南", "740.00", "520.00", "500.00", ""),
    )
    .unwrap();
    std::fs::write(
        policies.join("64.toml"),
        file(
            "宁夏",
            "780.00",
            "550.00",
            "1014.00",
            "\n[[period]]\nfrom = 2024-07-01\nmax_residences = 2\nvehicle_value_exempt_below = 0\n",
        ),
    )
    .unwrap();
    policies
}

#[test]
fn every_case_kind_is_planted_where_policies_allow_all() {
    let dir = tempfile::tempdir().unwrap();
    // Two full rounds of the case list: rounds() plants a third of the roster.
    let households = 6 * case_names().len();
    let mut req = request(&dir.path().join("out"), households, 19);
    req.policies = fixture_policies(dir.path());
    generate(&req).unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(req.out.join("truth/meta.json")).unwrap())
            .unwrap();
    assert_eq!(meta["cases_unavailable"], serde_json::json!([]));
    let decisions = csv_rows(&req.out.join("truth/decisions.csv"));
    let seen: BTreeMap<&str, usize> = decisions.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r[CASE].as_str()).or_default() += 1;
        m
    });
    for name in case_names() {
        assert!(
            seen.get(name).copied().unwrap_or(0) >= 2,
            "case {name} planted {:?} times",
            seen.get(name)
        );
    }
}

#[test]
fn same_seed_gives_identical_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    generate(&request(a.path(), 60, 42)).unwrap();
    generate(&request(b.path(), 60, 42)).unwrap();
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(v == &fb[k], "{} differs", k.display());
    }
    // A different seed gives different data.
    let c = tempfile::tempdir().unwrap();
    generate(&request(c.path(), 60, 43)).unwrap();
    assert_ne!(
        std::fs::read(a.path().join("members.parquet")).unwrap(),
        std::fs::read(c.path().join("members.parquet")).unwrap()
    );
}

#[test]
fn links_point_at_member_rows_and_strangers_are_most_rows() {
    let dir = tempfile::tempdir().unwrap();
    generate(&request(dir.path(), 80, 3)).unwrap();
    let members = member_ids(dir.path());
    let links = csv_rows(&dir.path().join("truth/links.csv"));
    let mut linked: BTreeMap<&str, BTreeMap<usize, &str>> = BTreeMap::new();
    for l in &links {
        linked
            .entry(l[0].as_str())
            .or_default()
            .insert(l[1].parse().unwrap(), l[2].as_str());
    }
    for d in Dataset::LINKED {
        let (_, id_col) = d.person_columns().unwrap();
        let ids = strings(dir.path(), d, id_col);
        let rows = linked.get(d.name()).cloned().unwrap_or_default();
        for (i, raw) in ids.iter().enumerate() {
            let norm = normalise(raw.as_deref().unwrap());
            assert!(
                valid(&norm),
                "{d} row {i}: {raw:?} does not normalise to a valid id"
            );
            match rows.get(&i) {
                Some(id) => {
                    assert_eq!(&norm, id, "{d} row {i}");
                    assert!(members.contains(*id), "{d} row {i} links a non-member");
                }
                None => assert!(
                    !members.contains(&norm),
                    "{d} row {i} is a member's but not in links.csv"
                ),
            }
        }
        assert!(
            rows.keys().all(|&i| i < ids.len()),
            "{d}: link past the last row"
        );
        let strangers = ids.len() - rows.len();
        assert!(
            strangers * 10 >= ids.len() * 7,
            "{d}: only {strangers} of {} rows are strangers",
            ids.len()
        );
    }
}

#[test]
fn members_reference_existing_households_and_ids_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&request(dir.path(), 60, 11)).unwrap();
    let households: Vec<String> = strings(dir.path(), Dataset::Households, "household_id")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let unique: BTreeSet<&String> = households.iter().collect();
    assert_eq!(unique.len(), households.len());
    let members = strings(dir.path(), Dataset::Members, "household_id");
    assert_eq!(members.len(), summary.members);
    for m in &members {
        assert!(unique.contains(m.as_ref().unwrap()));
    }
    let ids = member_ids(dir.path());
    assert_eq!(ids.len(), summary.members, "member ids are unique");
    assert!(ids.iter().all(|id| valid(id)));
    let decided: BTreeSet<String> = csv_rows(&dir.path().join("truth/decisions.csv"))
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(decided, households.iter().cloned().collect::<BTreeSet<_>>());
}

#[test]
fn files_carry_the_contract_columns() {
    let dir = tempfile::tempdir().unwrap();
    generate(&request(dir.path(), 60, 5)).unwrap();
    // Extra columns written on purpose (the contract keeps and ignores them).
    let extras = ["vehicle_brand"];
    for d in &Dataset::ALL[..8] {
        let files = dataset_files(dir.path(), *d);
        assert!(!files.is_empty(), "{d} not written");
        for f in files {
            let df = read(&f);
            let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
            let spec = d.columns();
            for c in spec.iter().filter(|c| !c.optional) {
                assert!(
                    names.contains(&c.name),
                    "{d}: {} missing in {}",
                    c.name,
                    f.display()
                );
            }
            for n in &names {
                assert!(
                    spec.iter().any(|c| c.name == *n) || extras.contains(n),
                    "{d}: unexpected column {n}"
                );
            }
        }
    }
}

#[test]
fn refuses_a_file_as_output_and_overwrites_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, "x").unwrap();
    assert!(matches!(
        generate(&request(&file, 10, 1)),
        Err(GenError::OutIsFile(_))
    ));
    let out = dir.path().join("out");
    generate(&request(&out, 10, 1)).unwrap();
    let first = std::fs::read(out.join("truth/decisions.csv")).unwrap();
    generate(&request(&out, 10, 1)).unwrap();
    assert_eq!(
        first,
        std::fs::read(out.join("truth/decisions.csv")).unwrap()
    );
}

#[test]
fn scale_adds_strangers_rows_and_writes_parts() {
    let dir = tempfile::tempdir().unwrap();
    let scale = Scale {
        extract_rows_per_household: Some(20.0),
        part_rows: Some(700),
    };
    let summary = generate_with(
        &request(dir.path(), 120, 5),
        GenOptions {
            scale,
            ..Default::default()
        },
    )
    .unwrap();
    let total: usize = summary.extract_rows.iter().map(|(_, n)| n).sum();
    assert!(
        (2_350..=2_450).contains(&total),
        "about 20 rows per household, got {total}"
    );
    let links = csv_rows(&dir.path().join("truth/links.csv")).len();
    assert!(links * 100 < total * 15, "strangers' rows are most rows");
    for (name, rows) in &summary.extract_rows {
        let d = Dataset::LINKED
            .into_iter()
            .find(|d| d.name() == name)
            .unwrap();
        assert!(
            !dir.path().join(format!("{name}.parquet")).exists(),
            "{name} is a directory of parts"
        );
        let files = dataset_files(dir.path(), d);
        let heights: Vec<usize> = files.iter().map(|f| read(f).height()).collect();
        assert_eq!(heights.iter().sum::<usize>(), *rows, "{name}");
        assert!(heights.iter().all(|&h| h <= 700), "{name}: {heights:?}");
        assert!(files.iter().all(|f| f
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("part-")));
    }
    // The same request gives the same bytes (parts are written in parallel).
    let again = tempfile::tempdir().unwrap();
    generate_with(
        &request(again.path(), 120, 5),
        GenOptions {
            scale,
            ..Default::default()
        },
    )
    .unwrap();
    for d in Dataset::LINKED {
        for (a, b) in dataset_files(dir.path(), d)
            .iter()
            .zip(dataset_files(again.path(), d))
        {
            assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
        }
    }
}

/// Whether each row of a dataset's column is null, in file order.
fn nulls(dir: &Path, d: Dataset, column: &str) -> Vec<bool> {
    let mut out = Vec::new();
    for f in dataset_files(dir, d) {
        let df = read(&f);
        let c = df.column(column).unwrap_or_else(|e| panic!("{d}: {e}"));
        out.extend(c.is_null().iter().map(|v| v.unwrap()));
    }
    out
}

fn realistic(counties: Option<usize>, rates: NoiseRates) -> GenOptions {
    GenOptions {
        noise: Noise::Realistic,
        counties,
        rates,
        ..Default::default()
    }
}

/// Whether `count` of `n` rows is what `rate` gives: within five standard
/// deviations, and a few rows.
fn near(count: usize, n: usize, rate: f64) -> bool {
    let expected = rate * n as f64;
    (count as f64 - expected).abs() <= 5.0 * (expected * (1.0 - rate)).sqrt() + 3.0
}

/// Columns of `truth/linkage.csv`.
const LINK_ID: usize = 2;
const LINK_MATCHABLE: usize = 3;
const LINK_ID_NOISE: usize = 4;
const LINK_NAME_NOISE: usize = 5;
const LINK_DECOY: usize = 6;

#[test]
fn realistic_noise_puts_each_rate_on_members_and_strangers_rows_alike() {
    let dir = tempfile::tempdir().unwrap();
    let mut rates = NoiseRates::default();
    rates.set("wrong_digit=0.05".parse().unwrap());
    rates.set("name_pinyin=0".parse().unwrap());
    generate_with(&request(dir.path(), 1500, 8), realistic(Some(2), rates)).unwrap();
    let rows = csv_rows(&dir.path().join("truth/linkage.csv"));
    let plain: Vec<&Vec<String>> = rows.iter().filter(|r| r[LINK_DECOY].is_empty()).collect();
    let (members, strangers): (Vec<&Vec<String>>, Vec<&Vec<String>>) =
        plain.iter().partition(|r| !r[LINK_ID].is_empty());
    assert!(members.len() > 2_000 && strangers.len() > 8_000);
    let count = |set: &[&Vec<String>], kind: &str| {
        set.iter()
            .filter(|r| r[LINK_ID_NOISE] == kind || r[LINK_NAME_NOISE] == kind)
            .count()
    };
    for (who, set) in [
        ("all", &plain),
        ("members'", &members),
        ("strangers'", &strangers),
    ] {
        for kind in NOISE_KINDS {
            let (n, rate) = (count(set, kind), rates.get(kind).unwrap());
            assert!(
                near(n, set.len(), rate),
                "{kind} on {n} of {} {who} rows, rate {rate}",
                set.len()
            );
        }
    }
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth/meta.json")).unwrap())
            .unwrap();
    for kind in NOISE_KINDS {
        let counted = meta["noise"][format!("realistic_{kind}")]
            .as_u64()
            .unwrap_or(0);
        assert_eq!(counted as usize, count(&plain, kind), "meta.json: {kind}");
    }
    // rules.md: a member's row is matchable unless its id is missing.
    for r in &members {
        let missing = r[LINK_ID_NOISE].starts_with("missing_id");
        assert_eq!(r[LINK_MATCHABLE] == "true", !missing, "{r:?}");
    }
}

#[test]
fn realistic_missing_ids_and_names_are_parquet_nulls() {
    let dir = tempfile::tempdir().unwrap();
    generate_with(
        &request(dir.path(), 1000, 4),
        realistic(None, NoiseRates::default()),
    )
    .unwrap();
    let rows = csv_rows(&dir.path().join("truth/linkage.csv"));
    let (mut kept, mut missing_id) = (0, 0);
    for d in Dataset::LINKED {
        let truth: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == d.name()).collect();
        let (name_col, id_col) = d.person_columns().unwrap();
        let ids = strings(dir.path(), d, id_col);
        let names = strings(dir.path(), d, name_col);
        let births = nulls(dir.path(), d, "person_birth_date");
        let regions = nulls(dir.path(), d, "person_region_code");
        assert_eq!(truth.len(), ids.len(), "{d}");
        for (i, r) in truth.iter().enumerate() {
            assert_ne!(
                ids[i].as_deref(),
                Some(""),
                "{d} row {i}: an empty id, not a null"
            );
            if !r[LINK_DECOY].is_empty() {
                continue;
            }
            let id_noise = r[LINK_ID_NOISE].as_str();
            assert_eq!(
                ids[i].is_none(),
                id_noise.starts_with("missing_id"),
                "{d} {r:?}"
            );
            assert_eq!(
                names[i].is_none(),
                r[LINK_NAME_NOISE] == "null_name",
                "{d} {r:?}"
            );
            match id_noise {
                "missing_id_and_birth_date" => assert!(births[i] && regions[i], "{d} {r:?}"),
                "missing_id" => {
                    missing_id += 1;
                    kept += usize::from(!births[i] && !regions[i]);
                }
                "wrong_digit" => assert!(!valid(&normalise(ids[i].as_deref().unwrap()))),
                "legacy_15" => assert_eq!(ids[i].as_deref().unwrap().len(), 15),
                // Without realistic noise a row is canonical: no standard noise.
                "" => assert!(valid(ids[i].as_deref().unwrap()), "{d} {r:?}"),
                _ => {}
            }
        }
    }
    // Both columns are left out on 2 rows in 20 only.
    assert!(
        missing_id > 100 && kept * 10 >= missing_id * 8,
        "{kept} of {missing_id}"
    );
}

#[test]
fn two_counties_hold_every_household_and_nearly_every_strangers_row() {
    let two = [COUNTIES[0].code, COUNTIES[1].code];
    // Share of strangers' rows whose (normalised) id is of the two counties.
    let strangers_in_two = |dir: &Path| {
        let links = csv_rows(&dir.join("truth/links.csv"));
        let (mut home, mut all) = (0, 0);
        for d in Dataset::LINKED {
            let linked: BTreeSet<usize> = links
                .iter()
                .filter(|l| l[0] == d.name())
                .map(|l| l[1].parse().unwrap())
                .collect();
            let (_, id_col) = d.person_columns().unwrap();
            for (i, id) in strings(dir, d, id_col).into_iter().enumerate() {
                if !linked.contains(&i) {
                    all += 1;
                    home += usize::from(two.contains(&&normalise(&id.unwrap())[..6]));
                }
            }
        }
        home as f64 / all as f64
    };
    let dir = tempfile::tempdir().unwrap();
    let options = GenOptions {
        counties: Some(2),
        ..Default::default()
    };
    generate_with(&request(dir.path(), 600, 6), options).unwrap();
    for region in strings(dir.path(), Dataset::Households, "region_code") {
        assert!(
            two.contains(&&region.as_deref().unwrap()[..6]),
            "{region:?}"
        );
    }
    let share = strangers_in_two(dir.path());
    assert!(
        share >= 0.95,
        "{share:.3} of strangers' rows in the two counties"
    );
    // Every case is planted, or reported unavailable (no county of the two
    // has the parameters it needs).
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth/meta.json")).unwrap())
            .unwrap();
    let decisions = csv_rows(&dir.path().join("truth/decisions.csv"));
    for name in case_names() {
        let unavailable = meta["cases_unavailable"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(name));
        assert!(
            unavailable || decisions.iter().any(|r| r[CASE] == name),
            "{name}"
        );
    }
    // Without the option strangers come from all five counties and beyond.
    let wide = tempfile::tempdir().unwrap();
    generate(&request(wide.path(), 600, 6)).unwrap();
    assert!(strangers_in_two(wide.path()) < 0.7);
}

#[test]
fn counties_and_rates_out_of_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for n in [0, COUNTIES.len() + 1] {
        let options = GenOptions {
            counties: Some(n),
            ..Default::default()
        };
        let err = generate_with(&request(dir.path(), 10, 1), options).unwrap_err();
        assert!(matches!(err, GenError::Counties { .. }), "{err}");
    }
    let mut rates = NoiseRates::default();
    rates.set("missing_id=0.6".parse().unwrap());
    rates.set("wrong_digit=0.6".parse().unwrap());
    let err = generate_with(&request(dir.path(), 10, 1), realistic(None, rates)).unwrap_err();
    assert!(err.to_string().contains("add up to"), "{err}");
}

#[test]
fn all_counties_and_standard_noise_give_the_shipped_samples() {
    let dir = tempfile::tempdir().unwrap();
    let mut rates = NoiseRates::default();
    rates.set("wrong_digit=0.5".parse().unwrap()); // realistic mode's only
    let options = GenOptions {
        counties: Some(COUNTIES.len()),
        rates,
        ..Default::default()
    };
    generate_with(&request(dir.path(), 300, 1), options).unwrap();
    let shipped = files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data-samples"));
    let fresh = files(dir.path());
    assert_eq!(
        shipped.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &shipped {
        assert!(bytes == &fresh[path], "{} differs", path.display());
    }
}

/// A row planted with `add_row` (a new extract's rows) is written column by
/// column from the dataset table, keyed to its holder, and listed among the
/// links. `deaths` stands in for the new extract.
#[test]
fn rows_of_an_extract_without_a_row_type_follow_the_dataset_table() {
    let policies = PolicySet::load_dir(&shipped_policies()).unwrap();
    let mut ctx = Ctx::new(7, "2024-10".parse().unwrap(), &policies);
    let birth = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
    let person = ctx
        .people
        .add_member(&mut ctx.rng, "王芳".into(), birth, false, "512022101001");
    let values = vec![("date_of_death", "2024-09-30".to_string())];
    ctx.add_row(Dataset::Deaths, person, 0.0, values);

    let rows = &ctx.ex.rows[&Dataset::Deaths];
    let df = DataFrame::new(1, write::row_columns(Dataset::Deaths, rows, &ctx.people)).unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
    let contract: Vec<&str> = Dataset::Deaths
        .spec()
        .columns
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, contract);
    let text = |c: &str| {
        df.column(c)
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .map(str::to_string)
    };
    assert_eq!(
        text("id_number").as_deref(),
        Some(ctx.people.get(person).id.as_str())
    );
    assert_eq!(text("date_of_death").as_deref(), Some("2024-09-30"));
    assert_eq!(text("source"), None, "a column not given is null");

    let planted = links(&ctx.ex, &ctx.people);
    let id = ctx.people.get(person).id.clone();
    assert_eq!(planted, vec![("deaths", 0, id)]);
}
