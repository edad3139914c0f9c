//! The generator plants cases with known outcomes; the run must decide every
//! one of them right and link every planted row to the right member.

use crate::support::*;
use std::collections::BTreeMap;

fn read_csv(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn every_planted_case_is_decided_and_linked_right() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    hedui::gen::generate(&hedui::gen::GenRequest {
        households: 300,
        seed: 11,
        out: data.clone(),
        month: "2024-10".parse().unwrap(),
        policies: policies(),
    })
    .unwrap();
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();
    assert_run_matches_truth(&data, &out);
}

/// The shipped samples are decided right (README's first command).
#[test]
fn the_shipped_samples_are_decided_right() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();
    assert_run_matches_truth(&data, &out);
    // run.json counts each distinct parameter set once, with every household
    // that uses it: five provinces' and counties' policies, 300 households.
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let sets = run_json["policies"]["parameter_sets"].as_array().unwrap();
    let households: u64 = sets.iter().map(|s| s["households"].as_u64().unwrap()).sum();
    assert_eq!(households, 300);
    assert_eq!(sets.len(), 5);
    // Where the time went: every stage in order, every output with its rows.
    let stages: Vec<&str> = run_json["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "discover",
            "load_roster",
            "normalise_roster",
            "load_link_extracts",
            "near_relatives",
            "rules_decide",
            "output_frames",
            "write_outputs"
        ]
    );
    let outputs = run_json["output_timings"].as_array().unwrap();
    let rows = |name: &str| {
        outputs
            .iter()
            .find(|o| o["output"] == name)
            .and_then(|o| o["rows"].as_u64())
    };
    assert_eq!(rows("decisions"), Some(300));
    assert_eq!(
        rows("matches"),
        run_json["counts"]["matches"]
            .as_object()
            .map(|m| m.values().map(|v| v.as_u64().unwrap()).sum())
    );
    assert_eq!(outputs.len(), 7);
    for (i, a) in sets.iter().enumerate() {
        assert!(sets[i + 1..]
            .iter()
            .all(|b| a["params"] != b["params"] || a["sources"] != b["sources"]));
    }
}

/// The shipped samples are exactly what `hedui gen --households 300 --seed 1`
/// writes, so they never drift from the generator and its truth.
#[test]
fn the_shipped_samples_are_the_generators_output() {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("data");
    hedui::gen::generate(&hedui::gen::GenRequest {
        households: 300,
        seed: 1,
        out: fresh.clone(),
        month: "2024-10".parse().unwrap(),
        policies: policies(),
    })
    .unwrap();
    let files = |root: &std::path::Path| -> BTreeMap<std::path::PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.insert(
                        p.strip_prefix(root).unwrap().to_path_buf(),
                        std::fs::read(&p).unwrap(),
                    );
                }
            }
        }
        out
    };
    let (a, b) = (files(&shipped), files(&fresh));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "data-samples/{} differs from the generator's output: regenerate with `cargo run -- gen --out data-samples`", path.display());
    }
}

/// Every planted household is decided as `truth/decisions.csv` says, and the
/// matched rows are exactly `truth/links.csv`.
fn assert_run_matches_truth(data: &std::path::Path, out: &std::path::Path) {
    let decisions = read(&out.join("decisions.parquet"));
    let ids = column_strings(&decisions, "household_id");
    let actions = column_strings(&decisions, "action");
    let until = column_strings(&decisions, "phase_out_until");
    let covered = column_strings(&decisions, "covered_id_number");
    let reasons: Vec<String> = (0..decisions.height())
        .map(|i| {
            let s = decisions
                .column("reasons")
                .unwrap()
                .list()
                .unwrap()
                .get_as_series(i)
                .unwrap();
            s.str()
                .unwrap()
                .iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(";")
        })
        .collect();
    let got: BTreeMap<String, [String; 4]> = (0..decisions.height())
        .map(|i| {
            (
                ids[i].clone().unwrap(),
                [
                    actions[i].clone().unwrap(),
                    reasons[i].clone(),
                    until[i].clone().unwrap_or_default(),
                    covered[i].clone().unwrap_or_default(),
                ],
            )
        })
        .collect();

    let truth = read_csv(&data.join("truth/decisions.csv"));
    assert_eq!(truth.len(), got.len(), "one decision per household");
    let mut wrong = Vec::new();
    for t in &truth {
        let expected = [
            t["action"].clone(),
            t["reasons"].clone(),
            t["phase_out_until"].clone(),
            t["covered_id_number"].clone(),
        ];
        let actual = got.get(&t["household_id"]).cloned().unwrap_or_default();
        if actual != expected {
            wrong.push(format!(
                "{} ({}): expected {:?}, got {:?}",
                t["household_id"], t["case"], expected, actual
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} planted cases decided wrongly:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    let matches = read(&out.join("matches.parquet"));
    let datasets = column_strings(&matches, "dataset");
    let rows = matches.column("row_index").unwrap().u64().unwrap();
    let linked = column_strings(&matches, "id_number");
    let status = column_strings(&matches, "status");
    let mut got_links = BTreeMap::new();
    for i in 0..matches.height() {
        if status[i].as_deref() == Some("matched") {
            got_links.insert(
                (datasets[i].clone().unwrap(), rows.get(i).unwrap()),
                linked[i].clone().unwrap(),
            );
        }
    }
    let expected_links: BTreeMap<(String, u64), String> = read_csv(&data.join("truth/links.csv"))
        .into_iter()
        .map(|r| {
            (
                (r["dataset"].clone(), r["row_index"].parse().unwrap()),
                r["id_number"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got_links.len(),
        expected_links.len(),
        "matched rows vs planted links"
    );
    assert_eq!(got_links, expected_links);

    // near_relative_conflicts: every planted pair, nothing else.
    let conflicts = read(&out.join("near_relative_conflicts.parquet"));
    let columns = [
        "household_id",
        "id_number",
        "staff_id_number",
        "relation",
        "conflict",
    ];
    let values: Vec<Vec<Option<String>>> = columns
        .iter()
        .map(|c| column_strings(&conflicts, c))
        .collect();
    let got_pairs: Vec<Vec<String>> = (0..conflicts.height())
        .map(|i| {
            values
                .iter()
                .map(|v| v[i].clone().unwrap_or_default())
                .collect()
        })
        .collect();
    let expected_pairs: Vec<Vec<String>> =
        read_csv(&data.join("truth/near_relative_conflicts.csv"))
            .into_iter()
            .map(|r| columns.iter().map(|c| r[*c].clone()).collect())
            .collect();
    assert_eq!(
        got_pairs, expected_pairs,
        "near_relative_conflicts vs planted pairs"
    );

    // review_due: every recipient household due, with its date and cadence.
    let due = read(&out.join("review_due.parquet"));
    let columns = ["household_id", "due_date", "cadence"];
    let values: Vec<Vec<Option<String>>> =
        columns.iter().map(|c| column_strings(&due, c)).collect();
    let got_due: Vec<Vec<String>> = (0..due.height())
        .map(|i| {
            values
                .iter()
                .map(|v| v[i].clone().unwrap_or_default())
                .collect()
        })
        .collect();
    let expected_due: Vec<Vec<String>> = read_csv(&data.join("truth/review_due.csv"))
        .into_iter()
        .map(|r| columns.iter().map(|c| r[*c].clone()).collect())
        .collect();
    assert_eq!(
        got_due.len(),
        expected_due.len(),
        "households due for review"
    );
    assert_eq!(got_due, expected_due);
}
