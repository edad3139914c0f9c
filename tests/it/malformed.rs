//! The malformed-input corpus (issue 13): over a hundred data directories
//! built by code, each a small valid set with one broken thing (a file, a
//! column, a value of every kind, a policy key, a flag), run through the
//! binary. Each case asserts the exit code, the words of the message
//! (dataset, file, column), no panic, no `--out` on failure and a previous
//! `--out` intact, no leftovers beside it, and for completed runs that
//! every extract row is in `matches` and the broken value has its
//! `data_quality` row.

use crate::support::{households, id, members, policies, read, write};
use hedui::schema::Dataset;
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One row of an extract, as text by column (the contract accepts text for
/// every kind); columns not named are null.
type Row = &'static [(&'static str, &'static str)];

/// H1's head (王芳) and a stranger, in every extract; the registers pair
/// 王芳 with a village cadre.
fn extract_rows(dataset: Dataset) -> [Row; 2] {
    match dataset {
        Dataset::Deposits => [
            &[
                ("institution", "乐至农信"),
                ("account_no", "A1"),
                ("asset_type", "deposit"),
                ("balance", "100.00"),
                ("as_of", "2024-09-30"),
            ],
            &[
                ("institution", "乐至农信"),
                ("account_no", "A2"),
                ("asset_type", "deposit"),
                ("balance", "5.00"),
                ("as_of", "2024-09-30"),
            ],
        ],
        Dataset::Vehicles => [
            &[
                ("plate_no", "川M1"),
                ("vehicle_type", "motorcycle"),
                ("use_nature", "private"),
                ("status", "normal"),
                ("first_registered", "2020-01-01"),
                ("assessed_value", "3000"),
            ],
            &[
                ("plate_no", "川M2"),
                ("vehicle_type", "car"),
                ("use_nature", "private"),
                ("status", "normal"),
                ("first_registered", "2020-01-01"),
                ("assessed_value", "90000"),
            ],
        ],
        Dataset::Properties => [
            &[
                ("unit_no", "U1"),
                ("location", "天池镇"),
                ("usage", "residential"),
                ("area_m2", "60"),
                ("share", "1"),
                ("status", "current"),
                ("registered", "2010-01-01"),
            ],
            &[
                ("unit_no", "U2"),
                ("location", "天池镇"),
                ("usage", "residential"),
                ("area_m2", "80"),
                ("share", "1"),
                ("status", "current"),
                ("registered", "2011-01-01"),
            ],
        ],
        Dataset::Businesses => [
            &[
                ("entity_name", "某合作社"),
                ("credit_code", "C1"),
                ("entity_type", "cooperative"),
                ("role", "shareholder"),
                ("registered_capital", "1000"),
                ("status", "deregistered"),
                ("established", "2015-01-01"),
            ],
            &[
                ("entity_name", "某公司"),
                ("credit_code", "C2"),
                ("entity_type", "company"),
                ("role", "legal_rep"),
                ("registered_capital", "500000"),
                ("status", "active"),
                ("established", "2015-01-01"),
            ],
        ],
        Dataset::Payroll => [
            &[
                ("employer", "某局"),
                ("staffing", "contract"),
                ("gross_monthly_pay", "100"),
                ("pay_month", "2022-01-01"),
            ],
            &[
                ("employer", "某局"),
                ("staffing", "civil_servant"),
                ("gross_monthly_pay", "5000"),
                ("pay_month", "2024-10-01"),
            ],
        ],
        Dataset::Deaths => [
            &[("date_of_death", "2030-01-01"), ("source", "police")],
            &[("date_of_death", "2024-01-01"), ("source", "cremation")],
        ],
        Dataset::Staff => [
            &[("role", "village_cadre"), ("region_code", "512022101001")],
            &[("role", "verifier"), ("region_code", "512022")],
        ],
        Dataset::Kinship => [
            &[("relation_of_b_to_a", "sibling"), ("source", "hukou")],
            &[("relation_of_b_to_a", "child"), ("source", "declared")],
        ],
        Dataset::Filings => [
            &[
                ("household_id", "H1"),
                ("relation", "sibling"),
                ("filed_on", "2024-01-01"),
            ],
            &[
                ("household_id", "H2"),
                ("relation", "child"),
                ("filed_on", "2024-01-01"),
            ],
        ],
        _ => unreachable!("the roster is written from support"),
    }
}

/// The person of row `r` (0: 王芳 of H1, 1: a stranger) in `dataset`'s columns.
fn person(dataset: Dataset, r: usize) -> Vec<(&'static str, String)> {
    let (name, number) = [("王芳", id("19800101", 101)), ("路人", id("19700101", 999))][r].clone();
    let other = id("19750505", 555 + r as u32);
    match dataset {
        Dataset::Staff => vec![("name", format!("干部{r}")), ("id_number", other)],
        Dataset::Kinship => vec![
            ("person_a_id_number", number),
            ("person_a_name", name.to_string()),
            ("person_b_id_number", id("19750505", 555)),
            ("person_b_name", "干部0".to_string()),
        ],
        Dataset::Filings => vec![("staff_id_number", id("19750505", 555))],
        d => {
            let (name_col, id_col) = d.person_columns().expect("an extract");
            vec![(name_col, name.to_string()), (id_col, number)]
        }
    }
}

fn extract_frame(dataset: Dataset) -> DataFrame {
    let rows: Vec<Vec<(&str, String)>> = (0..2)
        .map(|r| {
            let mut row = person(dataset, r);
            row.extend(
                extract_rows(dataset)[r]
                    .iter()
                    .map(|(k, v)| (*k, v.to_string())),
            );
            row
        })
        .collect();
    let columns: Vec<Column> = dataset
        .columns()
        .iter()
        .map(|c| {
            let values: Vec<Option<String>> = rows
                .iter()
                .map(|r| r.iter().find(|(k, _)| *k == c.name).map(|(_, v)| v.clone()))
                .collect();
            Column::new(c.name.into(), values)
        })
        .collect();
    DataFrame::new(2, columns).unwrap()
}

fn file(dir: &Path, dataset: Dataset) -> PathBuf {
    dir.join(format!("{}.parquet", dataset.name()))
}

/// The valid set every case starts from, written once.
fn base() -> &'static Path {
    static BASE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = BASE.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        write(&file(&data, Dataset::Households), &mut households());
        write(&file(&data, Dataset::Members), &mut members());
        for d in Dataset::ALL.into_iter().filter(|d| !d.is_required()) {
            write(&file(&data, d), &mut extract_frame(d));
        }
        let prev = tmp.path().join("prev");
        let out = hedui_run(&data, &prev, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = tmp_path(&data);
        (tmp, path)
    });
    path
}

fn tmp_path(data: &Path) -> PathBuf {
    data.parent().unwrap().to_path_buf()
}

/// `hedui run` with the defaults (month 2024-10, the shipped policies),
/// any of which a case's `extra` flags replace.
fn hedui_run(data: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hedui"));
    cmd.args(["run", "--quiet"]);
    let defaults = [
        ("--month", PathBuf::from("2024-10")),
        ("--data", data.to_path_buf()),
        ("--out", out.to_path_buf()),
        ("--policies", policies()),
    ];
    for (flag, value) in defaults {
        if !extra.contains(&flag) {
            cmd.arg(flag).arg(value);
        }
    }
    cmd.args(extra)
        .env("RAYON_NUM_THREADS", "1")
        .env("POLARS_MAX_THREADS", "1");
    cmd.output().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

// ---- mutations -------------------------------------------------------

/// Replaces one column of a dataset's file.
fn set_column(data: &Path, dataset: Dataset, column: Series) {
    let path = file(data, dataset);
    let mut df = read(&path);
    df.with_column(column.into_column()).unwrap();
    write(&path, &mut df);
}

/// Row `row` of a column (as text) set to `value`.
fn set_text(data: &Path, dataset: Dataset, column: &str, row: usize, value: Option<&str>) {
    let df = read(&file(data, dataset));
    let c = df.column(column).unwrap().cast(&DataType::String).unwrap();
    let mut values: Vec<Option<String>> = c
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect();
    values[row] = value.map(str::to_string);
    set_column(data, dataset, Series::new(column.into(), values));
}

fn drop_column(data: &Path, dataset: Dataset, column: &str) {
    let path = file(data, dataset);
    let mut df = read(&path).drop(column).unwrap();
    write(&path, &mut df);
}

/// A policy file for 乐至县's township 101 with one period of `keys`.
fn policy_with(dir: &Path, keys: &str) -> PathBuf {
    let p = dir.join("policies");
    copy_dir(&policies(), &p);
    std::fs::write(
        p.join("512022101.toml"),
        format!("name = \"测试\"\n\n[[period]]\nfrom = 2020-01-01\n{keys}\n"),
    )
    .unwrap();
    p
}

// ---- cases -----------------------------------------------------------

enum Expect {
    /// Exit code and words the message must hold.
    Fails(i32, Vec<String>),
    /// A completed run with this data_quality row (dataset, column,
    /// problem), and optionally H1's action.
    Completes(
        Option<(&'static str, &'static str, &'static str)>,
        Option<&'static str>,
    ),
}

/// Mutates the data directory (given it and the case's directory);
/// returns extra flags for the run.
type Mutation = Box<dyn Fn(&Path, &Path) -> Vec<String>>;

struct Case {
    name: String,
    mutate: Mutation,
    expect: Expect,
}

fn fails(code: i32, words: &[&str]) -> Expect {
    Expect::Fails(code, words.iter().map(|w| w.to_string()).collect())
}

fn case(name: impl Into<String>, mutate: impl Fn(&Path) + 'static, expect: Expect) -> Case {
    Case {
        name: name.into(),
        mutate: Box::new(move |data, _| {
            mutate(data);
            Vec::new()
        }),
        expect,
    }
}

fn flags_case(
    name: &str,
    mutate: impl Fn(&Path, &Path) -> Vec<String> + 'static,
    expect: Expect,
) -> Case {
    Case {
        name: name.to_string(),
        mutate: Box::new(mutate),
        expect,
    }
}

/// Files and directories of the data directory.
fn file_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for d in Dataset::ALL {
        let (name, label) = (d.name(), d.label_zh());
        cases.push(case(
            format!("corrupt {name}"),
            move |data| std::fs::write(file(data, d), b"PAR1 not really parquet").unwrap(),
            fails(
                2,
                &[
                    name,
                    label,
                    &format!("{name}.parquet"),
                    "cannot read Parquet",
                ],
            ),
        ));
        // One required column of each dataset missing.
        let column = d
            .columns()
            .into_iter()
            .find(|c| !c.optional && c.name != "household_id" || d == Dataset::Filings)
            .unwrap();
        let col = column.name;
        cases.push(case(
            format!("{name} without {col}"),
            move |data| drop_column(data, d, col),
            fails(2, &[name, col, "no column"]),
        ));
    }
    let v = Dataset::Vehicles;
    cases.push(case(
        "households missing",
        |data| std::fs::remove_file(file(data, Dataset::Households)).unwrap(),
        fails(2, &["households", "救助对象", "missing"]),
    ));
    cases.push(case(
        "members missing",
        |data| std::fs::remove_file(file(data, Dataset::Members)).unwrap(),
        fails(2, &["members", "家庭成员", "missing"]),
    ));
    cases.push(case(
        "deposits twice",
        |data| {
            std::fs::create_dir(data.join("deposits")).unwrap();
            std::fs::copy(
                file(data, Dataset::Deposits),
                data.join("deposits/part-0.parquet"),
            )
            .unwrap();
        },
        fails(2, &["deposits", "twice"]),
    ));
    cases.push(case(
        "issue 13 finding 6: a FIFO at vehicles.parquet",
        move |data| {
            std::fs::remove_file(file(data, v)).unwrap();
            assert!(Command::new("mkfifo")
                .arg(file(data, v))
                .status()
                .unwrap()
                .success());
        },
        fails(2, &["vehicles", "车辆登记", "vehicles.parquet", "FIFO"]),
    ));
    cases.push(case(
        "issue 13 finding 6: a dangling symlink at vehicles.parquet",
        move |data| {
            std::fs::remove_file(file(data, v)).unwrap();
            std::os::unix::fs::symlink(data.join("nowhere.parquet"), file(data, v)).unwrap();
        },
        fails(2, &["vehicles", "vehicles.parquet", "symbolic link"]),
    ));
    let in_dir = |data: &Path| {
        let dir = data.join("deposits");
        std::fs::create_dir(&dir).unwrap();
        std::fs::rename(file(data, Dataset::Deposits), dir.join("part-000.parquet")).unwrap();
        dir
    };
    cases.push(case(
        "issue 13 finding 3: a symlink loop in deposits/",
        move |data| {
            std::os::unix::fs::symlink("..", in_dir(data).join("loop")).unwrap();
        },
        fails(2, &["deposits", "loop"]),
    ));
    cases.push(case(
        "issue 13 finding 6: part-003.csv in deposits/",
        move |data| {
            std::fs::write(in_dir(data).join("part-003.csv"), "a,b\n").unwrap();
        },
        fails(2, &["deposits", "part-003.csv", "not a Parquet file"]),
    ));
    cases.push(case(
        "issue 13 finding 6: README.txt in deposits/",
        move |data| {
            std::fs::write(in_dir(data).join("README.txt"), "hi").unwrap();
        },
        fails(2, &["deposits", "README.txt"]),
    ));
    cases.push(case(
        "_SUCCESS and .crc in deposits/ are writer droppings",
        move |data| {
            let dir = in_dir(data);
            std::fs::write(dir.join("_SUCCESS"), "").unwrap();
            std::fs::write(dir.join(".part-000.parquet.crc"), "").unwrap();
        },
        Expect::Completes(None, None),
    ));
    cases.push(case(
        "an empty deposits/ directory",
        |data| {
            std::fs::remove_file(file(data, Dataset::Deposits)).unwrap();
            std::fs::create_dir(data.join("deposits")).unwrap();
        },
        fails(2, &["deposits", "no .parquet"]),
    ));
    cases.push(case(
        "a zero-byte payroll file",
        |data| std::fs::write(file(data, Dataset::Payroll), b"").unwrap(),
        fails(2, &["payroll", "payroll.parquet"]),
    ));
    cases.push(case(
        "issue 13 finding 6: an empty roster",
        |data| {
            let mut h = households().head(Some(0));
            write(&file(data, Dataset::Households), &mut h);
        },
        fails(2, &["households", "households.parquet", "no rows"]),
    ));
    cases.push(case(
        "issue 13 finding 6: every household_id null",
        |data| {
            set_column(
                data,
                Dataset::Households,
                Series::new("household_id".into(), [None::<&str>, None]),
            );
        },
        fails(2, &["households", "household_id", "null"]),
    ));
    cases.push(case(
        "no members at all",
        |data| {
            let mut m = members().head(Some(0));
            write(&file(data, Dataset::Members), &mut m);
        },
        fails(2, &["members", "no rows"]),
    ));
    cases
}

/// Columns of a type the contract cannot use.
fn type_cases() -> Vec<Case> {
    let wrong: [(Dataset, &str, Series, &str); 8] = [
        (
            Dataset::Members,
            "id_number",
            Series::new("id_number".into(), [1i64, 2, 3]),
            "expected string",
        ),
        (
            Dataset::Households,
            "benefit_start",
            Series::new("benefit_start".into(), [true, false]),
            "date",
        ),
        (
            Dataset::Deposits,
            "balance",
            Series::new("balance".into(), [true, false]),
            "decimal",
        ),
        (
            Dataset::Properties,
            "share",
            Series::new("share".into(), [true, true]),
            "float",
        ),
        (
            Dataset::Members,
            "covered",
            Series::new("covered".into(), [1.5f64, 1.0, 0.0]),
            "bool",
        ),
        (
            Dataset::Households,
            "household_id",
            Series::new("household_id".into(), [1i64, 2]),
            "string",
        ),
        (
            Dataset::Vehicles,
            "owner_id_number",
            Series::new("owner_id_number".into(), [1.0f64, 2.0]),
            "string",
        ),
        (
            Dataset::Payroll,
            "pay_month",
            Series::new("pay_month".into(), [1.5f64, 2.5]),
            "date",
        ),
    ];
    wrong
        .into_iter()
        .map(|(d, col, series, expected)| {
            let (name, label) = (d.name(), d.label_zh());
            case(
                format!("{name}.{col} of an unusable type"),
                move |data| set_column(data, d, series.clone()),
                fails(2, &[name, label, col, expected, "expected"]),
            )
        })
        .collect()
}

/// One value of row 0 (H1's head or its member's row) broken.
fn value_cases() -> Vec<Case> {
    use Dataset as D;
    let text: &[(D, &str, &str, &str, &str)] = &[
        // dataset, column, value, expected problem, H1's action ("" = any)
        (
            D::Households,
            "monthly_benefit",
            "abc",
            "bad_money",
            "manual_review",
        ),
        (
            D::Households,
            "benefit_start",
            "not a date",
            "bad_date",
            "manual_review",
        ),
        (
            D::Households,
            "last_review_date",
            "9999-01-01",
            "implausible_date",
            "manual_review",
        ),
        (
            D::Households,
            "benefit_start",
            "0001-01-01",
            "implausible_date",
            "manual_review",
        ),
        (
            D::Households,
            "phase_out_until",
            "1800-06-01",
            "implausible_date",
            "manual_review",
        ),
        (
            D::Households,
            "area",
            "suburb",
            "unknown_code",
            "manual_review",
        ),
        (
            D::Households,
            "program",
            "pension",
            "unknown_code",
            "manual_review",
        ),
        (
            D::Households,
            "status",
            "frozen",
            "unknown_code",
            "manual_review",
        ),
        (
            D::Households,
            "region_code",
            "12",
            "bad_region_code",
            "manual_review",
        ),
        (
            D::Households,
            "single_person_coverage",
            "perhaps",
            "bad_bool",
            "manual_review",
        ),
        (D::Households, "tier", "9", "out_of_range", "manual_review"),
        (D::Households, "tier", "-1", "out_of_range", "manual_review"),
        (D::Households, "tier", "two", "bad_number", "manual_review"),
        (
            D::Members,
            "id_number",
            "512022198001011009",
            "bad_checksum",
            "manual_review",
        ),
        (
            D::Members,
            "id_number",
            "5120221980",
            "bad_length",
            "manual_review",
        ),
        (D::Members, "name", "  ", "null_name", ""),
        (D::Members, "relation", "cousin", "unknown_code", ""),
        (D::Members, "covered", "maybe", "bad_bool", "manual_review"),
        (
            D::Members,
            "disability_grade",
            "7",
            "out_of_range",
            "manual_review",
        ),
        (D::Members, "labor_capacity", "some", "unknown_code", ""),
        (D::Members, "in_school", "2", "bad_bool", "manual_review"),
        (
            D::Members,
            "declared_wage",
            "1e28",
            "implausible_amount",
            "manual_review",
        ),
        (
            D::Members,
            "declared_business",
            "abc",
            "bad_money",
            "manual_review",
        ),
        (
            D::Members,
            "declared_property_income",
            "1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
            "implausible_amount",
            "manual_review",
        ),
        (
            D::Members,
            "declared_transfer",
            "¥",
            "bad_money",
            "manual_review",
        ),
        (
            D::Members,
            "declared_basic_pension",
            "NaN",
            "bad_money",
            "manual_review",
        ),
        (
            D::Members,
            "declared_medical_expense",
            "1e15",
            "implausible_amount",
            "manual_review",
        ),
        (
            D::Members,
            "declared_education_expense",
            "--5",
            "bad_money",
            "manual_review",
        ),
        (
            D::Deposits,
            "balance",
            "1e28",
            "implausible_amount",
            "manual_review",
        ),
        (D::Deposits, "balance", "abc", "bad_money", "manual_review"),
        (
            D::Deposits,
            "balance",
            "-5",
            "negative_amount",
            "manual_review",
        ),
        (D::Deposits, "as_of", "2024-02-30", "bad_date", ""),
        (D::Deposits, "asset_type", "gold", "unknown_code", ""),
        (
            D::Deposits,
            "holder_id_number",
            "not an id",
            "bad_characters",
            "",
        ),
        (
            D::Vehicles,
            "vehicle_type",
            "spaceship",
            "unknown_code",
            "manual_review",
        ),
        (
            D::Vehicles,
            "status",
            "stolen",
            "unknown_code",
            "manual_review",
        ),
        (D::Vehicles, "use_nature", "both", "unknown_code", ""),
        (
            D::Vehicles,
            "assessed_value",
            "lots",
            "bad_money",
            "manual_review",
        ),
        (D::Vehicles, "first_registered", "20201301", "bad_date", ""),
        (
            D::Properties,
            "usage",
            "castle",
            "unknown_code",
            "manual_review",
        ),
        (
            D::Properties,
            "status",
            "unknown",
            "unknown_code",
            "manual_review",
        ),
        (
            D::Properties,
            "share",
            "1.5",
            "out_of_range",
            "manual_review",
        ),
        (D::Properties, "share", "NaN", "not_finite", "manual_review"),
        (
            D::Properties,
            "area_m2",
            "-3",
            "out_of_range",
            "manual_review",
        ),
        (
            D::Properties,
            "area_m2",
            "big",
            "bad_number",
            "manual_review",
        ),
        (D::Properties, "registered", "yesterday", "bad_date", ""),
        (
            D::Businesses,
            "entity_type",
            "guild",
            "unknown_code",
            "manual_review",
        ),
        (
            D::Businesses,
            "role",
            "janitor",
            "unknown_code",
            "manual_review",
        ),
        (
            D::Businesses,
            "status",
            "sleeping",
            "unknown_code",
            "manual_review",
        ),
        (
            D::Businesses,
            "registered_capital",
            "1e20",
            "implausible_amount",
            "manual_review",
        ),
        (D::Businesses, "established", "0000-00-00", "bad_date", ""),
        (
            D::Payroll,
            "gross_monthly_pay",
            "x",
            "bad_money",
            "manual_review",
        ),
        (
            D::Payroll,
            "pay_month",
            "sometime",
            "bad_date",
            "manual_review",
        ),
        (D::Payroll, "staffing", "volunteer", "unknown_code", ""),
        (
            D::Deaths,
            "date_of_death",
            "9999-12-31",
            "implausible_date",
            "manual_review",
        ),
        (D::Deaths, "source", "rumour", "unknown_code", ""),
        (D::Staff, "role", "mayor", "unknown_code", ""),
        (D::Staff, "region_code", "x", "bad_region_code", ""),
        (
            D::Kinship,
            "relation_of_b_to_a",
            "friend",
            "unknown_code",
            "",
        ),
        (D::Kinship, "source", "gossip", "unknown_code", ""),
        (D::Filings, "relation", "neighbour", "unknown_code", ""),
        (D::Filings, "filed_on", "2024-13-01", "bad_date", ""),
        (D::Filings, "household_id", "H9", "unknown_household", ""),
    ];
    let mut cases: Vec<Case> = text
        .iter()
        .map(|&(d, col, value, problem, action)| {
            case(
                format!("{}.{col} = {value:?}", d.name()),
                move |data| set_text(data, d, col, 0, Some(value)),
                Expect::Completes(
                    Some((d.name(), col, problem)),
                    (!action.is_empty()).then_some(action),
                ),
            )
        })
        .collect();
    // Typed values: every accepted type at its edge.
    let big = 1i128 << 96;
    let decimal = |name: &str, v: i128, n: usize| {
        let values: Vec<Option<i128>> =
            (0..n).map(|i| Some(if i == 0 { v } else { 100 })).collect();
        Int128Chunked::from_iter_options(name.into(), values.into_iter())
            .into_decimal(38, 2)
            .unwrap()
            .into_series()
    };
    let typed: Vec<(D, &str, Series, &str, Option<&str>)> = vec![
        (
            D::Households,
            "monthly_benefit",
            decimal("monthly_benefit", big, 2),
            "implausible_amount",
            Some("manual_review"),
        ),
        (
            D::Members,
            "declared_wage",
            decimal("declared_wage", big, 3),
            "implausible_amount",
            Some("manual_review"),
        ),
        (
            D::Vehicles,
            "assessed_value",
            decimal("assessed_value", -big, 2),
            "implausible_amount",
            Some("manual_review"),
        ),
        (
            D::Businesses,
            "registered_capital",
            decimal("registered_capital", 10i128.pow(38) - 1, 2),
            "implausible_amount",
            Some("manual_review"),
        ),
        (
            D::Members,
            "declared_wage",
            Series::new("declared_wage".into(), [f64::NAN, 0.0, 0.0]),
            "not_finite",
            Some("manual_review"),
        ),
        (
            D::Members,
            "declared_transfer",
            Series::new("declared_transfer".into(), [f64::INFINITY, 0.0, 100.0]),
            "not_finite",
            Some("manual_review"),
        ),
        (
            D::Deposits,
            "balance",
            Series::new("balance".into(), [1e30f64, 5.0]),
            "implausible_amount",
            Some("manual_review"),
        ),
        (
            D::Deposits,
            "balance",
            Series::new("balance".into(), [f64::NEG_INFINITY, 5.0]),
            "not_finite",
            Some("manual_review"),
        ),
        (
            D::Payroll,
            "gross_monthly_pay",
            Series::new("gross_monthly_pay".into(), [u64::MAX, 5000]),
            "implausible_amount",
            Some("manual_review"),
        ),
        (
            D::Members,
            "declared_business",
            Series::new("declared_business".into(), [u64::MAX, 0, 0]),
            "implausible_amount",
            Some("manual_review"),
        ),
        (
            D::Households,
            "tier",
            Series::new("tier".into(), [u64::MAX, 1]),
            "bad_number",
            Some("manual_review"),
        ),
        (
            D::Deaths,
            "date_of_death",
            Int32Chunked::from_iter_options(
                "date_of_death".into(),
                [Some(i32::MAX), Some(0)].into_iter(),
            )
            .into_series()
            .cast(&DataType::Date)
            .unwrap(),
            "implausible_date",
            Some("manual_review"),
        ),
        (
            D::Deaths,
            "date_of_death",
            Int32Chunked::from_iter_options(
                "date_of_death".into(),
                [Some(i32::MIN), Some(0)].into_iter(),
            )
            .into_series()
            .cast(&DataType::Date)
            .unwrap(),
            "implausible_date",
            Some("manual_review"),
        ),
        (
            D::Deposits,
            "as_of",
            Int64Chunked::from_iter_options("as_of".into(), [Some(i64::MAX), Some(0)].into_iter())
                .into_series()
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap(),
            "implausible_date",
            None,
        ),
        (
            D::Households,
            "last_review_date",
            Int64Chunked::from_iter_options(
                "last_review_date".into(),
                [Some(i64::MIN), Some(0)].into_iter(),
            )
            .into_series()
            .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
            .unwrap(),
            "implausible_date",
            Some("manual_review"),
        ),
        (
            D::Properties,
            "share",
            Series::new("share".into(), [f64::INFINITY, 1.0]),
            "not_finite",
            Some("manual_review"),
        ),
        (
            D::Members,
            "disability_grade",
            Series::new("disability_grade".into(), [Some(f64::NAN), None, Some(2.0)]),
            "not_finite",
            Some("manual_review"),
        ),
    ];
    for (k, (d, col, series, problem, action)) in typed.into_iter().enumerate() {
        cases.push(case(
            format!("{}.{col} typed {} #{k}", d.name(), series.dtype()),
            move |data| set_column(data, d, series.clone()),
            Expect::Completes(Some((d.name(), col, problem)), action),
        ));
    }
    cases.push(case(
        "issue 13 finding 4: a member born after the run month",
        |data| set_text(data, D::Members, "id_number", 1, Some(&id("20250101", 102))),
        Expect::Completes(
            Some(("members", "id_number", "birth_after_run_month")),
            Some("manual_review"),
        ),
    ));
    cases.push(case(
        "issue 13 finding 1: H1's head without an id",
        |data| set_text(data, D::Members, "id_number", 0, None),
        Expect::Completes(
            Some(("members", "id_number", "null_id")),
            Some("manual_review"),
        ),
    ));
    cases.push(case(
        "issue 13 finding 1: every deposits.balance null",
        |data| set_column(data, D::Deposits, Series::new_null("balance".into(), 2)),
        Expect::Completes(Some(("deposits", "balance", "empty_column")), None),
    ));
    cases.push(case(
        "every vehicles.status null (string)",
        |data| {
            set_column(
                data,
                D::Vehicles,
                Series::new("status".into(), [None::<&str>, None]),
            )
        },
        Expect::Completes(Some(("vehicles", "status", "empty_column")), None),
    ));
    cases
}

/// Policy keys: one bad value each, in a township file.
fn policy_cases() -> Vec<Case> {
    let bad: &[(&str, &str)] = &[
        ("urban_standard", "-1"),
        ("rural_standard", "\"七百\""),
        ("tekun_standard", "\"12345678901234567890123456789\""),
        ("marginal_multiplier", "true"),
        ("minimum_wage", "1e15"),
        ("employment_deduction_rate", "1.5"),
        ("disabled_employment_deduction_rate", "-0.1"),
        ("exclude_basic_pension", "\"yes\""),
        ("rigid_expense_deduction", "1"),
        ("financial_assets_months", "-1"),
        ("financial_assets_months_severe", "36.5"),
        ("max_residences", "9223372036854775807"),
        ("residence_area_per_capita_exempt_below", "\"wide\""),
        ("commercial_property_allowed", "0"),
        ("vehicle_exempt_types", "[\"bicycle\"]"),
        ("vehicle_value_exempt_below", "nan"),
        ("business_capital_limit", "inf"),
        ("payroll_lookback_months", "0"),
        ("phase_out_months", "2147483647"),
        ("review_months_semiannual", "2147483647"),
        ("review_months_annual", "0"),
        ("near_relative_relations", "\"spouse\""),
        ("match_accept", "2"),
        ("match_review", "-1"),
    ];
    let mut cases: Vec<Case> = bad
        .iter()
        .map(|&(key, value)| {
            flags_case(
                &format!("policy {key} = {value}"),
                move |_, dir| {
                    let p = policy_with(dir, &format!("{key} = {value}"));
                    vec!["--policies".into(), p.display().to_string()]
                },
                fails(2, &[key, "512022101.toml", "expected"]),
            )
        })
        .collect();
    let structural: &[(&str, &str, &str)] = &[
        (
            "an unknown policy key",
            "urban_standerd = 700",
            "urban_standerd",
        ),
        (
            "malformed policy TOML",
            "urban_standard = = 1",
            "not valid TOML",
        ),
        ("a period without from", "", "512022101.toml"),
    ];
    for &(name, keys, word) in structural {
        cases.push(flags_case(
            name,
            move |_, dir| {
                let p = policy_with(dir, keys);
                if keys.is_empty() {
                    std::fs::write(
                        p.join("512022101.toml"),
                        "name = \"x\"\n[[period]]\nurban_standard = 1\n",
                    )
                    .unwrap();
                }
                vec!["--policies".into(), p.display().to_string()]
            },
            fails(2, &[word]),
        ));
    }
    cases
}

/// Flags of `hedui run`.
fn arg(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn flag_cases() -> Vec<Case> {
    vec![
        flags_case(
            "--month 2024-13",
            move |_, _| arg(&["--month", "2024-13"]),
            fails(2, &["2024-13", "YYYY-MM"]),
        ),
        flags_case(
            "--month abc",
            move |_, _| arg(&["--month", "abc"]),
            fails(2, &["abc", "YYYY-MM"]),
        ),
        flags_case(
            "--month 24-07",
            move |_, _| arg(&["--month", "24-07"]),
            fails(2, &["24-07"]),
        ),
        flags_case(
            "--policies missing",
            |_, dir| arg(&["--policies", &dir.join("nope").display().to_string()]),
            fails(2, &["policy directory", "nope"]),
        ),
        flags_case(
            "--policies without toml files",
            |_, dir| {
                std::fs::create_dir_all(dir.join("empty")).unwrap();
                arg(&["--policies", &dir.join("empty").display().to_string()])
            },
            fails(2, &["no policy file"]),
        ),
        flags_case(
            "--policies covering no region of the roster",
            |_, dir| {
                let p = dir.join("p53");
                std::fs::create_dir_all(&p).unwrap();
                std::fs::copy(policies().join("53.toml"), p.join("53.toml")).unwrap();
                arg(&["--policies", &p.display().to_string()])
            },
            fails(2, &["512022"]),
        ),
        flags_case(
            "--data missing",
            |_, dir| arg(&["--data", &dir.join("nodata").display().to_string()]),
            fails(2, &["nodata", "does not exist"]),
        ),
        flags_case(
            "--data is a file",
            |data, _| {
                arg(&[
                    "--data",
                    &file(data, Dataset::Members).display().to_string(),
                ])
            },
            fails(2, &["members.parquet", "not a directory"]),
        ),
        flags_case(
            "issue 13 finding 8: --out /proc/x",
            |_, _| arg(&["--out", "/proc/x"]),
            fails(1, &["--out /proc/x", "cannot create a directory in /proc"]),
        ),
        flags_case(
            "--out a directory of someone's files",
            |_, dir| {
                let o = dir.join("theirs");
                std::fs::create_dir_all(&o).unwrap();
                std::fs::write(o.join("thesis.docx"), "x").unwrap();
                arg(&["--out", &o.display().to_string()])
            },
            fails(1, &["theirs", "not a previous hedui run"]),
        ),
        flags_case(
            "--threads 0 is read as 1",
            |_, _| arg(&["--threads", "0"]),
            Expect::Completes(None, None),
        ),
        flags_case(
            "an unknown flag",
            |_, _| arg(&["--fast"]),
            fails(2, &["--fast"]),
        ),
    ]
}

fn all_cases() -> Vec<Case> {
    let mut cases = file_cases();
    cases.extend(type_cases());
    cases.extend(value_cases());
    cases.extend(policy_cases());
    cases.extend(flag_cases());
    cases
}

/// Runs one case in its own directory; returns what went wrong, if anything.
fn check(case: &Case) -> Result<(), String> {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    copy_dir(&base().join("data"), &data);
    let extra = (case.mutate)(&data, tmp.path());
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let custom_out = extra.contains(&"--out");
    // A previous complete run where --out points.
    let out = tmp.path().join("out");
    copy_dir(&base().join("prev"), &out);
    let before = std::fs::read(out.join("run.json")).unwrap();
    let result = hedui_run(&data, &out, &extra);
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    let code = result.status.code();
    if stderr.contains("panicked") || code == Some(101) || code.is_none() {
        return Err(format!("panicked or killed ({code:?}): {stderr}"));
    }
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".hedui-"))
        .collect();
    if !leftovers.is_empty() {
        return Err(format!("leftovers {leftovers:?}"));
    }
    match &case.expect {
        Expect::Fails(expected, words) => {
            if code != Some(*expected) {
                return Err(format!("exit {code:?}, expected {expected}: {stderr}"));
            }
            let missing: Vec<&String> = words
                .iter()
                .filter(|w| !stderr.contains(w.as_str()))
                .collect();
            if !missing.is_empty() {
                return Err(format!("message lacks {missing:?}: {stderr}"));
            }
            if !custom_out && std::fs::read(out.join("run.json")).unwrap() != before {
                return Err("the previous --out was changed by a failed run".into());
            }
            // And no --out at all where there was none.
            let fresh = tmp.path().join("fresh-out");
            let again = hedui_run(&data, &fresh, &extra);
            if !custom_out && (again.status.code() != Some(*expected) || fresh.exists()) {
                return Err("a failed run left an --out".into());
            }
            Ok(())
        }
        Expect::Completes(problem, action) => {
            if code != Some(0) {
                return Err(format!("exit {code:?}: {stderr}"));
            }
            let out = if custom_out { return Ok(()) } else { out };
            every_extract_row_in_matches(&out)?;
            if let Some((d, c, p)) = problem {
                let dq = read(&out.join("data_quality.parquet"));
                let cols = ["dataset", "column", "problem"]
                    .map(|n| crate::support::column_strings(&dq, n));
                let found = (0..dq.height()).any(|i| {
                    cols[0][i].as_deref() == Some(d)
                        && cols[1][i].as_deref() == Some(c)
                        && cols[2][i].as_deref() == Some(p)
                });
                if !found {
                    return Err(format!("no data_quality row ({d}, {c}, {p})"));
                }
            }
            if let Some(action) = action {
                let dec = read(&out.join("decisions.parquet"));
                let ids = crate::support::column_strings(&dec, "household_id");
                let actions = crate::support::column_strings(&dec, "action");
                let h1 = ids.iter().position(|i| i.as_deref() == Some("H1")).unwrap();
                if actions[h1].as_deref() != Some(*action) {
                    return Err(format!("H1's action {:?}, expected {action}", actions[h1]));
                }
            }
            Ok(())
        }
    }
}

/// Every row of every linked extract the run read is a row of `matches`.
fn every_extract_row_in_matches(out: &Path) -> Result<(), String> {
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let matches = read(&out.join("matches.parquet"));
    let datasets = crate::support::column_strings(&matches, "dataset");
    for d in Dataset::LINKED {
        let rows = run["inputs"][d.name()]["rows"].as_u64().unwrap_or(0) as usize;
        let listed = datasets
            .iter()
            .filter(|x| x.as_deref() == Some(d.name()))
            .count();
        if rows != listed {
            return Err(format!(
                "{}: {rows} rows read, {listed} in matches",
                d.name()
            ));
        }
    }
    Ok(())
}

/// Runs the corpus in `shards` slices (the test harness runs them side by side).
fn run_shard(shard: usize, shards: usize) {
    let cases = all_cases();
    let failures: Vec<String> = cases
        .iter()
        .enumerate()
        .filter(|(i, _)| i % shards == shard)
        .filter_map(|(_, c)| check(c).err().map(|e| format!("{}: {e}", c.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_has_over_a_hundred_cases_each_named_once() {
    let cases = all_cases();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    assert!(cases.len() >= 100, "{} cases", cases.len());
}

#[test]
fn malformed_corpus_shard_0() {
    run_shard(0, 3);
}

#[test]
fn malformed_corpus_shard_1() {
    run_shard(1, 3);
}

#[test]
fn malformed_corpus_shard_2() {
    run_shard(2, 3);
}
