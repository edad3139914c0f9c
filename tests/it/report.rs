//! Reports: the workbook read back with calamine, the CSV lists, the HTML
//! page, `hedui diff` and `hedui validate`.

use crate::support::*;
use calamine::{open_workbook, Data, Reader, Xlsx};
use polars::prelude::*;
use std::path::Path;
use std::process::Command;

/// The roster's H1 (王芳 head, 李强 spouse, urban 低保 500.00) and H2; with
/// `car`, a car in 王芳's name (H1 → exit, R-VEHICLE).
fn data_dir(dir: &Path, car: bool) {
    roster_only(dir);
    if car {
        write(
            &dir.join("vehicles.parquet"),
            &mut df!(
                "owner_name" => ["王芳"],
                "owner_id_number" => [id("19800101", 101)],
                "plate_no" => ["川M12345"],
                "vehicle_type" => ["car"],
                "use_nature" => ["private"],
                "status" => ["normal"],
                "first_registered" => ["2020-01-01"],
                "assessed_value" => [50000i64],
            )
            .unwrap(),
        );
    }
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn the_workbook_has_every_list_with_chinese_headers_words_and_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    data_dir(&data, true);
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();
    let path = out.join("report.xlsx");
    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "汇总",
            "清退建议",
            "渐退",
            "新增建议",
            "单人保新增",
            "人工复核",
            "家庭成员变更",
            "不予纳入",
            "近亲属冲突",
            "到期复核",
            "数据质量",
            "公示名单"
        ]
    );

    let exit = sheet(&path, "清退建议");
    let headers: Vec<String> = exit[0].iter().map(text).collect();
    assert_eq!(
        headers[..4],
        ["乡镇（街道）代码", "区划代码", "户编号", "户主姓名"]
    );
    assert_eq!(exit.len(), 2, "one household to exit: {exit:?}");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(text(&exit[1][col("户编号")]), "H1");
    assert_eq!(text(&exit[1][col("户主姓名")]), "王芳");
    assert_eq!(text(&exit[1][col("原因")]), "名下有非豁免机动车");
    assert!(text(&exit[1][col("核对发现")]).contains("川M12345"));
    // Amounts are numbers, not text.
    assert_eq!(exit[1][col("月保障金额（元）")], Data::Float(500.0));
    assert_eq!(text(&exit[1][col("乡镇（街道）代码")]), "512022101");

    let summary = sheet(&path, "汇总");
    let headers: Vec<String> = summary[0].iter().map(text).collect();
    assert_eq!(
        headers[..4],
        ["乡镇（街道）代码", "户数", "继续保障", "清退"]
    );
    let total = summary.last().unwrap();
    assert_eq!(text(&total[0]), "合计");
    assert_eq!(total[1], Data::Float(2.0));
    assert_eq!(total[3], Data::Float(1.0));
}

#[test]
fn the_publicity_list_shows_the_head_masked_and_nothing_private() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    data_dir(&data, false);
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();
    let rows = sheet(&out.join("report.xlsx"), "公示名单");
    let headers: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(
        headers,
        [
            "乡镇（街道）代码",
            "村（社区）代码",
            "户主姓名",
            "户主身份证号",
            "家庭人口",
            "救助类别",
            "月保障金额（元）",
            "公示类别"
        ]
    );
    assert_eq!(rows.len(), 3);
    let h1 = &rows[1];
    let full = id("19800101", 101);
    let masked = format!("{}********{}", &full[..6], &full[14..]);
    assert_eq!(text(&h1[2]), "王芳");
    assert_eq!(text(&h1[3]), masked);
    assert_eq!(h1[4], Data::Float(2.0));
    assert_eq!(text(&h1[5]), "城市低保");
    assert_eq!(h1[6], Data::Float(500.0));
    assert_eq!(text(&h1[7]), "在保");
    let everything: String = rows.iter().flatten().map(text).collect();
    for private in ["李强", &full, &id("19820202", 102), "残疾", "H1"] {
        assert!(!everything.contains(private), "公示 shows {private}");
    }

    let csv = std::fs::read(out.join("公示名单.csv")).unwrap();
    assert_eq!(&csv[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains(&format!("王芳,{masked},2,城市低保,500.00,在保")),
        "{csv}"
    );
    assert!(!csv.contains("李强"));
}

#[test]
fn the_html_summary_is_self_contained_and_has_the_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    data_dir(&data, true);
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // Text may mention a web address (a policy's reference); nothing may load one.
    for external in [
        "src=", "href=", "url(", "@import", "<script", "<link", "<img", "<iframe",
    ] {
        assert!(
            !html.contains(external),
            "report.html references {external}"
        );
    }
    assert!(html.contains("<b>2</b><span>核对户数</span>"));
    assert!(html.contains("<b>1</b><span>清退</span>"));
    assert!(html.contains("<b>1</b><span>继续保障</span>"));
    assert!(html.contains("<svg"));
    assert!(html.contains("名下有非豁免机动车"));
    // Inputs and policy versions from run.json.
    assert!(html.contains("车辆登记（<code>vehicles</code>）"));
    assert!(html.contains("512022.toml"));
}

fn hedui<S: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = S>) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hedui"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn diff_finds_a_changed_action_and_a_new_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let (before, after) = (tmp.path().join("d1"), tmp.path().join("d2"));
    data_dir(&before, false);
    data_dir(&after, true);
    let (a, b) = (tmp.path().join("2024-09"), tmp.path().join("2024-10"));
    run(&before, &a, "2024-10").unwrap();
    run(&after, &b, "2024-10").unwrap();

    let d = hedui::report::diff::diff(&a, &b).unwrap();
    assert_eq!(d.action_changes.len(), 1);
    let c = &d.action_changes[0];
    assert_eq!(c.household_id, "H1");
    assert_eq!(c.before.as_deref(), Some("keep"));
    assert_eq!(c.after.as_deref(), Some("exit"));
    assert_eq!(d.new_findings.len(), 1);
    assert_eq!(d.new_findings[0].rule_id, "R-VEHICLE");
    assert!(d.gone_findings.is_empty());
    // The other way round, the finding went away.
    let back = hedui::report::diff::diff(&b, &a).unwrap();
    assert_eq!(back.gone_findings.len(), 1);
    assert!(back.new_findings.is_empty());

    let csv = tmp.path().join("diff.csv");
    let output = hedui([
        "diff".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
        "--csv".as_ref(),
        csv.as_os_str(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("H1") && stdout.contains("继续保障 → 清退"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("建议变化,H1,512022101001,继续保障,清退,R-VEHICLE,名下有非豁免机动车"));
    assert!(csv.contains("新发现,H1,,,,R-VEHICLE"));
}

#[test]
fn validate_exits_0_on_a_clean_directory_and_2_on_a_broken_one() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = tmp.path().join("clean");
    data_dir(&clean, true);
    let v = hedui(["validate".as_ref(), "--data".as_ref(), clean.as_os_str()]);
    let stdout = String::from_utf8_lossy(&v.stdout);
    assert_eq!(v.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("vehicles") && stdout.contains("ok"),
        "{stdout}"
    );

    // A wrong check digit in members: a value problem.
    let bad_value = tmp.path().join("bad_value");
    roster_only(&bad_value);
    let mut members = members();
    let broken = {
        let good = id("19800101", 101);
        let last = if good.ends_with('0') { "1" } else { "0" };
        format!("{}{last}", &good[..17])
    };
    members
        .with_column(Column::new(
            "id_number".into(),
            [broken.clone(), id("19820202", 102), id("19500303", 103)],
        ))
        .unwrap();
    write(&bad_value.join("members.parquet"), &mut members);
    let v = hedui([
        "validate".as_ref(),
        "--data".as_ref(),
        bad_value.as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&v.stdout);
    assert_eq!(v.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("bad_checksum"), "{stdout}");
    assert!(!stdout.contains(&broken), "ids are never printed: {stdout}");

    // A space inside an id is repaired: listed, but the extract passes.
    let repaired = tmp.path().join("repaired");
    roster_only(&repaired);
    let mut members = crate::support::members();
    let spaced = format!(
        "{} {}",
        &id("19800101", 101)[..6],
        &id("19800101", 101)[6..]
    );
    members
        .with_column(Column::new(
            "id_number".into(),
            [spaced, id("19820202", 102), id("19500303", 103)],
        ))
        .unwrap();
    write(&repaired.join("members.parquet"), &mut members);
    let v = hedui(["validate".as_ref(), "--data".as_ref(), repaired.as_os_str()]);
    let stdout = String::from_utf8_lossy(&v.stdout);
    assert_eq!(v.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("ok (1 repaired)") && stdout.contains("whitespace"),
        "{stdout}"
    );

    // A missing required column: a schema error naming dataset and column.
    let bad_schema = tmp.path().join("bad_schema");
    roster_only(&bad_schema);
    let mut households = households().drop("area").unwrap();
    write(&bad_schema.join("households.parquet"), &mut households);
    let v = hedui([
        "validate".as_ref(),
        "--data".as_ref(),
        bad_schema.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&v.stderr);
    assert_eq!(v.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("households") && stderr.contains("area"),
        "{stderr}"
    );
}

/// The workbook counts data-quality problems (a province has millions);
/// `data_quality.parquet` lists every one, and no CSV repeats them.
#[test]
fn data_quality_is_counted_in_the_workbook_and_listed_in_full_in_parquet() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let summary = run(&data, &out, "2024-10").unwrap();
    assert!(summary.data_quality > 100);
    let rows = sheet(&out.join("report.xlsx"), "数据质量");
    let headers: Vec<String> = rows[0].iter().map(text).collect();
    let count = headers.iter().position(|h| h == "条数").unwrap();
    let counted: f64 = rows[1..]
        .iter()
        .map(|r| match r[count] {
            Data::Float(x) => x,
            ref other => panic!("count not a number: {other:?}"),
        })
        .sum();
    assert_eq!(counted as usize, summary.data_quality);
    assert!(rows.len() - 1 < summary.data_quality, "grouped, not listed");
    // Every problem, one row each, is in the Parquet table.
    let detail = std::fs::File::open(out.join("data_quality.parquet")).unwrap();
    let detail = ParquetReader::new(detail).finish().unwrap();
    assert_eq!(detail.height(), summary.data_quality);
    assert!(!out.join("数据质量明细.csv").exists());
}

/// A household-level finding cited by several source rows (two deposit
/// accounts over the limit) reads once in a list's 核对发现, not once per row.
#[test]
fn each_finding_sentence_reads_once_per_household() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();
    let mut cells = 0;
    for name in ["清退建议", "不予纳入", "人工复核"] {
        let rows = sheet(&out.join("report.xlsx"), name);
        let col = rows[0].iter().position(|h| text(h) == "核对发现").unwrap();
        for row in &rows[1..] {
            let sentences: Vec<String> = text(&row[col]).split('；').map(str::to_string).collect();
            let unique: std::collections::BTreeSet<&String> = sentences.iter().collect();
            assert_eq!(unique.len(), sentences.len(), "{name}: {sentences:?}");
            cells += 1;
        }
    }
    assert!(cells > 10, "the lists are not empty");
}
