//! Tests of policy loading and resolution. Each builds a small policy world
//! (in memory with `PolicySet::from_sources`, or in a temporary directory)
//! and checks one rule of rules.md "Policy parameters".

use super::*;
use crate::schema::{Relation, VehicleType};
use proptest::prelude::*;
use std::str::FromStr;

/// A period setting every key, as a province file would.
const FULL: &str = r#"
urban_standard = "700.00"
rural_standard = 465
tekun_standard = 605
marginal_multiplier = 1.5
minimum_wage = 1820
employment_deduction_rate = 0.3
disabled_employment_deduction_rate = 0.5
exclude_basic_pension = true
rigid_expense_deduction = true
financial_assets_months = 24
financial_assets_months_severe = 36
max_residences = 1
residence_area_per_capita_exempt_below = 0
commercial_property_allowed = false
vehicle_exempt_types = ["motorcycle", "tricycle", "agricultural", "disability"]
vehicle_value_exempt_below = 0
business_capital_limit = 100000
payroll_lookback_months = 12
phase_out_months = 6
review_months_semiannual = 6
review_months_annual = 12
near_relative_relations = ["spouse", "parent", "child", "sibling", "grandparent", "grandchild"]
match_accept = 0.9
match_review = 0.6
"#;

fn province(name: &str, from: &str) -> String {
    format!("name = \"{name}\"\n\n[[period]]\nfrom = {from}\nreference = \"省级文件\"\n{FULL}")
}

fn month(s: &str) -> RunMonth {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn set(files: &[(&str, &str)]) -> PolicySet {
    PolicySet::from_sources(files.iter().map(|(n, t)| (n.to_string(), t.to_string()))).unwrap()
}

fn load_err(files: &[(&str, &str)]) -> PolicyError {
    PolicySet::from_sources(files.iter().map(|(n, t)| (n.to_string(), t.to_string())))
        .expect_err("the policy set should not load")
}

fn source<'a>(r: &'a Resolved, key: &str) -> &'a ParamSource {
    r.sources.iter().find(|s| s.key == key).unwrap()
}

#[test]
fn sources_follow_the_key_table_one_per_key() {
    let p = set(&[("51.toml", &province("四川省", "2023-01-01"))]);
    let r = p.resolve("512022103001", month("2024-10")).unwrap();
    let keys: Vec<&str> = r.sources.iter().map(|s| s.key).collect();
    assert_eq!(keys, KEYS);
    assert_eq!(keys.first(), Some(&"urban_standard"));
    assert_eq!(keys.last(), Some(&"match_review"));
    assert!(r
        .sources
        .iter()
        .all(|s| s.file == "51.toml" && s.from == date("2023-01-01")));
    assert_eq!(r.sources[0].reference.as_deref(), Some("省级文件"));
}

#[test]
fn later_periods_inherit_every_key_they_do_not_set() {
    let text = format!(
        "{}\n[[period]]\nfrom = 2024-01-01\nreference = \"2024 提标\"\nurban_standard = 740\n\n\
         [[period]]\nfrom = 2024-06-01\nphase_out_months = 3\n",
        province("四川省", "2023-01-01")
    );
    let p = set(&[("51.toml", &text)]);
    let r = p.resolve("510104000000", month("2024-07")).unwrap();
    assert_eq!(r.params.urban_standard, dec("740"));
    assert_eq!(r.params.phase_out_months, 3);
    assert_eq!(r.params.rural_standard, dec("465"));
    assert_eq!(source(&r, "urban_standard").from, date("2024-01-01"));
    assert_eq!(
        source(&r, "urban_standard").reference.as_deref(),
        Some("2024 提标")
    );
    assert_eq!(source(&r, "phase_out_months").from, date("2024-06-01"));
    assert_eq!(source(&r, "phase_out_months").reference, None);
    assert_eq!(source(&r, "rural_standard").from, date("2023-01-01"));
    // Before the raise the first period's value holds.
    let r = p.resolve("510104000000", month("2023-12")).unwrap();
    assert_eq!(r.params.urban_standard, dec("700"));
    assert_eq!(r.params.phase_out_months, 6);
}

#[test]
fn longest_prefix_wins_per_key_and_other_keys_fall_back() {
    let county = "name = \"乐至县\"\n[[period]]\nfrom = 2024-01-01\nurban_standard = 740\n";
    let city = "name = \"资阳市\"\n[[period]]\nfrom = 2023-01-01\nurban_standard = 720\nrural_standard = 500\n";
    let p = set(&[
        ("512022.toml", county),
        ("5120.toml", city),
        ("51.toml", &province("四川省", "2023-01-01")),
    ]);
    let r = p.resolve("512022103001", month("2024-10")).unwrap();
    assert_eq!(r.params.urban_standard, dec("740"));
    assert_eq!(source(&r, "urban_standard").file, "512022.toml");
    assert_eq!(r.params.rural_standard, dec("500"));
    assert_eq!(source(&r, "rural_standard").file, "5120.toml");
    assert_eq!(r.params.tekun_standard, dec("605"));
    assert_eq!(source(&r, "tekun_standard").file, "51.toml");
    // Another county of the city: the city's value.
    let r = p.resolve("512021100001", month("2024-10")).unwrap();
    assert_eq!(r.params.urban_standard, dec("720"));
    assert_eq!(source(&r, "urban_standard").file, "5120.toml");
    // Another city of the province: the province's value.
    let r = p.resolve("510104000000", month("2024-10")).unwrap();
    assert_eq!(r.params.urban_standard, dec("700"));
    // Before the county's period, the county falls back to the city.
    let r = p.resolve("512022103001", month("2023-12")).unwrap();
    assert_eq!(r.params.urban_standard, dec("720"));
    assert_eq!(source(&r, "urban_standard").file, "5120.toml");
}

#[test]
fn a_period_starting_after_the_first_day_of_the_run_month_is_ignored() {
    let text = format!(
        "{}\n[[period]]\nfrom = 2024-07-02\nurban_standard = 740\n",
        province("四川省", "2023-01-01")
    );
    let p = set(&[("51.toml", &text)]);
    let r = p.resolve("510104", month("2024-07")).unwrap();
    assert_eq!(r.params.urban_standard, dec("700"));
    let r = p.resolve("510104", month("2024-08")).unwrap();
    assert_eq!(r.params.urban_standard, dec("740"));
}

#[test]
fn a_period_starting_on_the_first_day_of_the_run_month_applies() {
    let text = format!(
        "{}\n[[period]]\nfrom = 2024-07-01\nurban_standard = 740\n",
        province("四川省", "2023-01-01")
    );
    let p = set(&[("51.toml", &text)]);
    assert_eq!(
        p.resolve("510104", month("2024-07"))
            .unwrap()
            .params
            .urban_standard,
        dec("740")
    );
    assert_eq!(
        p.resolve("510104", month("2024-06"))
            .unwrap()
            .params
            .urban_standard,
        dec("700")
    );
}

#[test]
fn a_float_is_read_by_its_shortest_decimal_form() {
    let text = province("四川省", "2023-01-01").replace(
        "employment_deduction_rate = 0.3",
        "employment_deduction_rate = 0.1",
    );
    let p = set(&[("51.toml", &text)]);
    let r = p.resolve("510104", month("2024-01")).unwrap();
    assert_eq!(r.params.employment_deduction_rate, Decimal::new(1, 1));
    assert_eq!(r.params.employment_deduction_rate.to_string(), "0.1");
    // 0.1 + 0.2 is exactly 0.3 in decimals (it is not in f64).
    assert_eq!(r.params.employment_deduction_rate + dec("0.2"), dec("0.3"));
}

#[test]
fn money_written_as_integer_string_or_float_is_the_same() {
    let mut standards = Vec::new();
    for written in ["740", "\"740.00\"", "740.0", "\"740\""] {
        let text = province("四川省", "2023-01-01").replace(
            "urban_standard = \"700.00\"",
            &format!("urban_standard = {written}"),
        );
        let r = set(&[("51.toml", &text)])
            .resolve("510104", month("2024-01"))
            .unwrap();
        standards.push(r.params.urban_standard);
    }
    assert!(standards.iter().all(|s| *s == dec("740")), "{standards:?}");
    assert!(
        standards.iter().all(|s| s.to_string() == "740"),
        "{standards:?}"
    );
}

#[test]
fn dates_may_be_toml_dates_or_strings() {
    let p = set(&[("51.toml", &province("四川省", "\"2023-01-01\""))]);
    let r = p.resolve("510104", month("2023-01")).unwrap();
    assert_eq!(source(&r, "urban_standard").from, date("2023-01-01"));
    let err = load_err(&[("51.toml", &province("四川省", "\"2023/01/01\""))]);
    let msg = err.to_string();
    assert!(
        msg.contains("51.toml") && msg.contains("`from`") && msg.contains("2023/01/01"),
        "{msg}"
    );
}

#[test]
fn an_unknown_key_names_the_file_the_period_and_the_key() {
    let text = format!(
        "{}\n[[period]]\nfrom = 2024-01-01\nurban_standrd = 740\n",
        province("四川省", "2023-01-01")
    );
    let err = load_err(&[("51.toml", &text)]);
    assert!(
        matches!(&err, PolicyError::UnknownKey { key, .. } if key == "urban_standrd"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("51.toml"), "{msg}");
    assert!(msg.contains("2024-01-01"), "{msg}");
    assert!(msg.contains("`urban_standrd`"), "{msg}");
    assert!(msg.contains("did you mean `urban_standard`"), "{msg}");
}

#[test]
fn a_parameter_outside_a_period_is_an_error() {
    let text = format!("urban_standard = 740\n{}", province("四川省", "2023-01-01"));
    let msg = load_err(&[("51.toml", &text)]).to_string();
    assert!(
        msg.contains("51.toml") && msg.contains("`urban_standard`") && msg.contains("outside"),
        "{msg}"
    );
}

#[test]
fn a_rate_above_one_is_an_error() {
    let text = province("宁夏回族自治区", "2021-10-01").replace(
        "employment_deduction_rate = 0.3",
        "employment_deduction_rate = 1.2",
    );
    let err = load_err(&[("64.toml", &text)]);
    assert!(
        matches!(&err, PolicyError::BadValue { key, period, .. }
            if key == "employment_deduction_rate" && period.from == Some(date("2021-10-01"))),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("64.toml") && msg.contains("2021-10-01"),
        "{msg}"
    );
    assert!(msg.contains("0 to 1") && msg.contains("float 1.2"), "{msg}");
    // The bounds themselves are rates.
    for ok in ["0", "1", "\"1.0\""] {
        let text = province("宁夏回族自治区", "2021-10-01").replace(
            "employment_deduction_rate = 0.3",
            &format!("employment_deduction_rate = {ok}"),
        );
        set(&[("64.toml", &text)]);
    }
}

#[test]
fn values_of_the_wrong_type_or_sign_are_errors() {
    let cases = [
        (
            "urban_standard = \"700.00\"",
            "urban_standard = -1",
            "urban_standard",
        ),
        (
            "urban_standard = \"700.00\"",
            "urban_standard = \"七百\"",
            "urban_standard",
        ),
        (
            "exclude_basic_pension = true",
            "exclude_basic_pension = \"yes\"",
            "exclude_basic_pension",
        ),
        (
            "phase_out_months = 6",
            "phase_out_months = 0",
            "phase_out_months",
        ),
        (
            "phase_out_months = 6",
            "phase_out_months = 6.5",
            "phase_out_months",
        ),
        (
            "max_residences = 1",
            "max_residences = -1",
            "max_residences",
        ),
        (
            "marginal_multiplier = 1.5",
            "marginal_multiplier = -1.5",
            "marginal_multiplier",
        ),
        (
            "vehicle_exempt_types = [\"motorcycle\"",
            "vehicle_exempt_types = [\"bicycle\"",
            "vehicle_exempt_types",
        ),
    ];
    for (from, to, key) in cases {
        let err = bad_value(from, to, key);
        assert!(err.to_string().contains("expected") && err.to_string().contains("found"));
    }
    // Zero is a valid count where ≥ 0 is asked.
    let text = province("四川省", "2023-01-01").replace("max_residences = 1", "max_residences = 0");
    assert_eq!(
        set(&[("51.toml", &text)])
            .resolve("51", month("2024-01"))
            .unwrap()
            .params
            .max_residences,
        0
    );
}

#[test]
fn a_missing_key_names_the_key_and_the_region() {
    let text = province("云南省", "2023-01-01").replace("minimum_wage = 1820\n", "");
    let p = set(&[("53.toml", &text)]);
    let err = p.resolve("530427100001", month("2024-10")).unwrap_err();
    assert!(
        matches!(&err, PolicyError::MissingKeys { keys, .. } if keys == &["minimum_wage"]),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("`minimum_wage`") && msg.contains("530427100001"),
        "{msg}"
    );
    assert!(msg.contains("53.toml"), "{msg}");
    // A region no file covers misses every key; so does a month before every period.
    let msg = p
        .resolve("640104001001", month("2024-10"))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`urban_standard`") && msg.contains("640104001001"),
        "{msg}"
    );
    assert!(p.resolve("530427100001", month("2022-12")).is_err());
}

#[test]
fn the_file_stem_must_be_a_region_code_prefix_of_2_to_12_digits() {
    for bad in [
        "abc.toml",
        "5.toml",
        "51a.toml",
        "5120221030011.toml",
        "51.policy.toml",
        ".toml",
    ] {
        let err = load_err(&[(bad, &province("四川省", "2023-01-01"))]);
        assert!(
            matches!(&err, PolicyError::BadFileName { file } if file == bad),
            "{bad}: {err:?}"
        );
        assert!(err.to_string().contains(bad));
    }
    for good in ["51.toml", "512022103001.toml"] {
        set(&[(good, &province("四川省", "2023-01-01"))]);
    }
}

#[test]
fn periods_may_be_written_as_periods_but_not_both() {
    let text = province("四川省", "2023-01-01").replace("[[period]]", "[[periods]]");
    let r = set(&[("51.toml", &text)])
        .resolve("51", month("2024-01"))
        .unwrap();
    assert_eq!(r.params.urban_standard, dec("700"));
    let both = format!("{text}\n[[period]]\nfrom = 2024-01-01\nurban_standard = 740\n");
    let msg = load_err(&[("51.toml", &both)]).to_string();
    assert!(
        msg.contains("51.toml") && msg.contains("[[periods]]"),
        "{msg}"
    );
}

#[test]
fn chinese_labels_are_accepted_in_lists() {
    let text = province("四川省", "2023-01-01")
        .replace(
            r#"vehicle_exempt_types = ["motorcycle", "tricycle", "agricultural", "disability"]"#,
            r#"vehicle_exempt_types = ["摩托车", "tricycle", "残疾人专用车", "摩托车"]"#,
        )
        .replace(
            r#"near_relative_relations = ["spouse", "parent", "child", "sibling", "grandparent", "grandchild"]"#,
            r#"near_relative_relations = ["配偶", "子女", "parent", "祖父母/外祖父母"]"#,
        );
    let r = set(&[("51.toml", &text)])
        .resolve("51", month("2024-01"))
        .unwrap();
    assert_eq!(
        r.params.vehicle_exempt_types,
        vec![
            VehicleType::Motorcycle,
            VehicleType::Tricycle,
            VehicleType::Disability
        ]
    );
    assert_eq!(
        r.params.near_relative_relations,
        vec![
            Relation::Spouse,
            Relation::Child,
            Relation::Parent,
            Relation::Grandparent
        ]
    );
}

#[test]
fn two_periods_with_the_same_from_are_an_error() {
    let text = format!(
        "{}\n[[period]]\nfrom = \"2023-01-01\"\nurban_standard = 740\n",
        province("四川省", "2023-01-01")
    );
    let msg = load_err(&[("51.toml", &text)]).to_string();
    assert!(
        msg.contains("51.toml") && msg.contains("2023-01-01"),
        "{msg}"
    );
}

#[test]
fn structural_problems_name_the_file() {
    let no_name = province("四川省", "2023-01-01").replace("name = \"四川省\"\n", "");
    let no_period = "name = \"四川省\"\n";
    let no_from = province("四川省", "2023-01-01").replace("from = 2023-01-01\n", "");
    let syntax = "name = \"四川省\"\n[[period]\n";
    for (text, words) in [
        (no_name.as_str(), vec!["`name`"]),
        (no_period, vec!["no period"]),
        (no_from.as_str(), vec!["`from`", "period #1"]),
        (syntax, vec!["not valid TOML"]),
    ] {
        let msg = load_err(&[("51.toml", text)]).to_string();
        assert!(msg.contains("51.toml"), "{msg}");
        for w in words {
            assert!(msg.contains(w), "{w} not in {msg}");
        }
    }
}

#[test]
fn match_review_above_match_accept_is_an_error_at_resolve_time() {
    let county = "name = \"乐至县\"\n[[period]]\nfrom = 2024-01-01\nmatch_review = 0.95\n";
    let p = set(&[
        ("51.toml", &province("四川省", "2023-01-01")),
        ("512022.toml", county),
    ]);
    let err = p.resolve("512022103001", month("2024-10")).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, PolicyError::MatchThresholds { .. }), "{msg}");
    assert!(
        msg.contains("512022103001") && msg.contains("512022.toml") && msg.contains("0.95"),
        "{msg}"
    );
    // Equal thresholds are allowed; so is the county before its period.
    assert!(p.resolve("512022103001", month("2023-10")).is_ok());
    let county = "name = \"乐至县\"\n[[period]]\nfrom = 2024-01-01\nmatch_review = 0.9\n";
    let p = set(&[
        ("51.toml", &province("四川省", "2023-01-01")),
        ("512022.toml", county),
    ]);
    assert!(p.resolve("512022103001", month("2024-10")).is_ok());
}

#[test]
fn load_dir_reads_the_toml_files_sorted_and_ignores_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let county = "name = \"乐至县\"\n[[period]]\nfrom = 2024-01-01\nurban_standard = 740\n[[period]]\nfrom = 2023-01-01\n";
    std::fs::write(dir.path().join("512022.toml"), county).unwrap();
    std::fs::write(dir.path().join("51.toml"), province("四川省", "2023-01-01")).unwrap();
    std::fs::write(dir.path().join("README.md"), "not a policy").unwrap();
    std::fs::write(dir.path().join("51.toml~"), "backup = [").unwrap();
    std::fs::create_dir(dir.path().join("old")).unwrap();
    std::fs::write(dir.path().join("old/bad.toml"), "not read: not recursive").unwrap();
    let p = PolicySet::load_dir(dir.path()).unwrap();
    let files: Vec<&str> = p.files().iter().map(|f| f.file.as_str()).collect();
    assert_eq!(files, ["51.toml", "512022.toml"]);
    let info = &p.files()[1];
    assert_eq!(info.name, "乐至县");
    assert_eq!(info.periods, vec![date("2023-01-01"), date("2024-01-01")]);
    assert_eq!(
        info.blake3,
        blake3::hash(county.as_bytes()).to_hex().to_string()
    );
    assert_eq!(
        p.resolve("512022103001", month("2024-10"))
            .unwrap()
            .params
            .urban_standard,
        dec("740")
    );

    std::fs::write(dir.path().join("sichuan.toml"), county).unwrap();
    let err = PolicySet::load_dir(dir.path()).unwrap_err();
    assert!(err.to_string().contains("sichuan.toml"), "{err}");

    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        PolicySet::load_dir(empty.path()),
        Err(PolicyError::NoFiles { .. })
    ));
    assert!(matches!(
        PolicySet::load_dir(&empty.path().join("absent")),
        Err(PolicyError::ReadDir { .. })
    ));
}

#[test]
fn resolutions_are_memoised_and_the_set_is_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PolicySet>();
    let p = set(&[("51.toml", &province("四川省", "2023-01-01"))]);
    let a = p.resolve("510104000001", month("2024-10")).unwrap();
    let b = p.clone().resolve("510104000002", month("2024-10")).unwrap();
    assert_eq!(a, b);
    assert_eq!(p.cache.read().unwrap().len(), 1);
    std::thread::scope(|s| {
        for i in 0..4 {
            let p = &p;
            s.spawn(move || {
                p.resolve(&format!("51010400000{i}"), month("2024-11"))
                    .unwrap()
            });
        }
    });
    assert_eq!(p.cache.read().unwrap().len(), 2);
}

// ---- the shipped policies -------------------------------------------------

fn shipped() -> PolicySet {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    PolicySet::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
}

/// One region of each shipped jurisdiction, with its county file.
const SHIPPED_REGIONS: &[&str] = &[
    "512022103001", // 四川省资阳市乐至县
    "621002001001", // 甘肃省庆阳市西峰区
    "620521100200", // 甘肃省天水市清水县
    "530427100001", // 云南省玉溪市新平县
    "640104001001", // 宁夏回族自治区银川市兴庆区
];

#[test]
fn every_shipped_file_resolves_for_every_month_from_2023_to_2026() {
    let p = shipped();
    for f in p.files() {
        assert!(!f.periods.is_empty(), "{} has no period", f.file);
    }
    // Every file's own region (its stem padded to 12 digits) and the seed
    // jurisdictions, every month.
    let mut regions: Vec<String> = p
        .files()
        .iter()
        .map(|f| format!("{:0<12}", f.file.trim_end_matches(".toml")))
        .collect();
    regions.extend(SHIPPED_REGIONS.iter().map(|r| r.to_string()));
    for year in 2023..=2026 {
        for m in 1..=12 {
            let month = RunMonth::new(year, m).unwrap();
            for region in &regions {
                let r = p.resolve(region, month).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(r.sources.len(), KEYS.len());
                assert!(
                    r.params.urban_standard > Decimal::ZERO
                        && r.params.rural_standard > Decimal::ZERO
                );
                assert!(
                    r.params.tekun_standard >= r.params.rural_standard,
                    "{region} {month}"
                );
                assert!(
                    r.sources.iter().all(|s| s.reference.is_some()),
                    "{region}: a period without reference"
                );
            }
        }
    }
}

#[test]
fn shipped_values_match_the_seed_reports() {
    let p = shipped();
    let at = |region: &str, m: &str| {
        p.resolve(region, month(m))
            .unwrap_or_else(|e| panic!("{e}"))
    };

    // 乐至县 2024: urban 740, rural 533 per month; 渐退期 at most 6 months.
    let r = at("512022103001", "2024-10");
    assert_eq!(
        (r.params.urban_standard, r.params.rural_standard),
        (dec("740"), dec("533"))
    );
    assert_eq!(r.params.phase_out_months, 6);
    assert_eq!(source(&r, "urban_standard").file, "512022.toml");

    // 庆阳市 2023 (庆市民〔2023〕61号): urban 680 → 700, rural 5268 → 5580 a year,
    // 特困 (rural, 分散供养) 571 → 605.
    let r = at("621002001001", "2024-10");
    assert_eq!(
        (
            r.params.urban_standard,
            r.params.rural_standard,
            r.params.tekun_standard
        ),
        (dec("700"), dec("465"), dec("605"))
    );
    assert_eq!(source(&r, "urban_standard").file, "6210.toml");
    assert_eq!(source(&r, "urban_standard").from, date("2023-01-01"));
    let r = at("621002001001", "2022-12");
    assert_eq!(
        (
            r.params.urban_standard,
            r.params.rural_standard,
            r.params.tekun_standard
        ),
        (dec("680"), dec("439"), dec("571"))
    );

    // 清水县 2022 (清民发〔2022〕251号): rural 5268 a year = 439 a month.
    let r = at("620521100200", "2022-10");
    assert_eq!(r.params.rural_standard, dec("439"));
    assert_eq!(source(&r, "rural_standard").file, "620521.toml");

    // 宁夏 2021: 20–30% of the minimum wage, 50% for disabled workers.
    let r = at("640104001001", "2024-10");
    let rate = r.params.employment_deduction_rate;
    assert!(rate >= dec("0.2") && rate <= dec("0.3"), "{rate}");
    assert_eq!(r.params.disabled_employment_deduction_rate, dec("0.5"));
    assert!((3..=18).contains(&r.params.phase_out_months));
    assert_eq!(r.params.residence_area_per_capita_exempt_below, dec("30"));

    // 新平县: basic pension not counted, rigid spending deducted.
    let r = at("530427100001", "2024-10");
    assert!(r.params.exclude_basic_pension && r.params.rigid_expense_deduction);
    assert_eq!(source(&r, "exclude_basic_pension").file, "530427.toml");

    for region in SHIPPED_REGIONS {
        let r = at(region, "2024-10");
        assert!(r.params.match_review <= r.params.match_accept);
        assert!(r.params.near_relative_relations.contains(&Relation::Spouse));
    }
}

/// Every line of a shipped file that sets a value carries a comment naming
/// its source (on the line or on the comment lines just above it).
#[test]
fn every_shipped_value_has_a_source_comment() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    for info in shipped().files() {
        let text = std::fs::read_to_string(dir.join(&info.file)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim();
            let Some((key, _)) = t.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if t.starts_with('#') || !KEYS.contains(&key) {
                continue;
            }
            let commented_above = lines[..i].last().is_some_and(|l| l.trim().starts_with('#'));
            assert!(
                t.contains('#') || commented_above,
                "{}:{}: `{key}` has no source comment",
                info.file,
                i + 1
            );
        }
    }
}

// ---- order independence -----------------------------------------------------

/// A period of a generated world: `from` as days after 2023-01-01, what it
/// sets, and a random key that reorders it.
#[derive(Debug, Clone)]
struct GenPeriod {
    from_days: i64,
    urban: Option<i64>,
    phase_out: Option<u32>,
    order: u32,
}

const STEMS: [&str; 3] = ["51", "5120", "512022"];

fn arb_file() -> impl Strategy<Value = Vec<GenPeriod>> {
    proptest::collection::btree_map(
        0i64..900,
        (
            proptest::option::of(0i64..2000),
            proptest::option::of(1u32..24),
            any::<u32>(),
        ),
        0..5,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(from_days, (urban, phase_out, order))| GenPeriod {
                from_days,
                urban,
                phase_out,
                order,
            })
            .collect()
    })
}

fn render(stem: &str, periods: &[GenPeriod]) -> String {
    let mut out = format!("name = \"{stem}\"\n");
    if stem == "51" {
        // The province's base period, before every generated one.
        out.push_str(&format!("[[period]]\nfrom = 2020-01-01\n{FULL}\n"));
    }
    for p in periods {
        let from = date("2023-01-01") + chrono::Duration::days(p.from_days);
        out.push_str(&format!("[[period]]\nfrom = {from}\n"));
        if let Some(u) = p.urban {
            out.push_str(&format!("urban_standard = {u}\n"));
        }
        if let Some(n) = p.phase_out {
            out.push_str(&format!("phase_out_months = {n}\n"));
        }
    }
    if periods.is_empty() && stem != "51" {
        out.push_str("[[period]]\nfrom = 2019-01-01\n");
    }
    out
}

proptest! {
    #[test]
    fn resolution_ignores_the_order_of_periods_and_of_files(
        world in proptest::collection::vec(arb_file(), 3),
        file_order in any::<[u32; 3]>(),
        month_index in 0i32..40,
    ) {
        let sorted: Vec<(String, String)> = STEMS
            .iter()
            .zip(&world)
            .map(|(stem, periods)| (format!("{stem}.toml"), render(stem, periods)))
            .collect();
        let mut shuffled: Vec<(u32, String, String)> = STEMS
            .iter()
            .zip(&world)
            .zip(file_order)
            .map(|((stem, periods), o)| {
                let mut ps = periods.clone();
                ps.sort_by_key(|p| p.order);
                (o, format!("{stem}.toml"), render(stem, &ps))
            })
            .collect();
        shuffled.sort_by_key(|(o, _, _)| *o);
        let a = PolicySet::from_sources(sorted).unwrap();
        let b = PolicySet::from_sources(shuffled.into_iter().map(|(_, n, t)| (n, t))).unwrap();
        let month = RunMonth::new(2023, 1).unwrap().plus(month_index);
        let day = month.first_day();
        for region in ["512022103001", "512099000000", "510104000000"] {
            let ra = a.resolve(region, month).unwrap();
            let rb = b.resolve(region, month).unwrap();
            prop_assert_eq!(&ra, &rb);

            // An independent reading of rules.md for urban_standard: the
            // longest prefix with a period in force setting it, the latest
            // such period there.
            let mut expected = (dec("700"), "51.toml".to_string(), date("2020-01-01"));
            for (stem, periods) in STEMS.iter().zip(&world).rev() {
                if !region.starts_with(stem) {
                    continue;
                }
                let latest = periods
                    .iter()
                    .filter(|p| p.urban.is_some())
                    .map(|p| (date("2023-01-01") + chrono::Duration::days(p.from_days), p.urban.unwrap()))
                    .filter(|(from, _)| *from <= day)
                    .max();
                if let Some((from, u)) = latest {
                    expected = (Decimal::from(u), format!("{stem}.toml"), from);
                    break;
                }
            }
            prop_assert_eq!(ra.params.urban_standard, expected.0);
            let s = source(&ra, "urban_standard");
            prop_assert_eq!((&s.file, s.from), (&expected.1, expected.2));
        }
    }
}

/// Issue 13, finding 2: `phase_out_months` or `review_months_*` of
/// 2147483647 passed validation and panicked in the calendar; a 29-digit
/// standard passed and overflowed a multiplication.
#[test]
fn policy_months_2147483647_and_29_digit_standards_are_errors_before_the_run() {
    let cases = [
        (
            "phase_out_months = 6",
            "phase_out_months = 2147483647",
            "phase_out_months",
        ),
        (
            "review_months_semiannual = 6",
            "review_months_semiannual = 2147483647",
            "review_months_semiannual",
        ),
        (
            "review_months_annual = 12",
            "review_months_annual = 1201",
            "review_months_annual",
        ),
        (
            "payroll_lookback_months = 12",
            "payroll_lookback_months = 4294967296",
            "payroll_lookback_months",
        ),
        (
            "financial_assets_months = 24",
            "financial_assets_months = 9223372036854775807",
            "financial_assets_months",
        ),
        (
            "urban_standard = \"700.00\"",
            "urban_standard = \"12345678901234567890123456789\"",
            "urban_standard",
        ),
        (
            "urban_standard = \"700.00\"",
            "urban_standard = 1e15",
            "urban_standard",
        ),
        (
            "business_capital_limit = 100000",
            "business_capital_limit = 1000000000000000",
            "business_capital_limit",
        ),
        (
            "marginal_multiplier = 1.5",
            "marginal_multiplier = 1e300",
            "marginal_multiplier",
        ),
        (
            "rural_standard = 465",
            "rural_standard = nan",
            "rural_standard",
        ),
        (
            "rural_standard = 465",
            "rural_standard = inf",
            "rural_standard",
        ),
    ];
    for (from, to, key) in cases {
        bad_value(from, to, key);
    }
    assert_eq!(super::keys::MONEY_LIMIT_FOR_TESTS, dec("1000000000000000"));
    // The largest accepted values still run through the calendar.
    let text = province("四川省", "2023-01-01")
        .replace("phase_out_months = 6", "phase_out_months = 1200")
        .replace(
            "urban_standard = \"700.00\"",
            "urban_standard = \"999999999999999.99\"",
        );
    let r = set(&[("51.toml", &text)])
        .resolve("51", month("2099-12"))
        .unwrap();
    assert_eq!(r.params.phase_out_months, 1200);
    let end = month("2099-12")
        .plus(r.params.phase_out_months as i32 - 1)
        .first_day();
    assert_eq!(end, date("2199-11-01"));
}

/// The error of a province file with `from` changed to `to`: a bad value
/// of `key`, or the test fails.
fn bad_value(from: &str, to: &str, key: &str) -> PolicyError {
    let text = province("四川省", "2023-01-01").replace(from, to);
    assert_ne!(text, province("四川省", "2023-01-01"), "{from} not in FULL");
    let err = load_err(&[("51.toml", &text)]);
    match &err {
        PolicyError::BadValue { key: k, .. } => assert_eq!(k, key, "{err}"),
        other => panic!("{to}: {other:?}"),
    }
    err
}
