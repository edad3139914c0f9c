//! Linkage accuracy on generated sets with broken ids, rare-character
//! names and decoys (`hedui gen --noise linkage`, and `--noise realistic
//! --counties 2`): the whole run, through the library, against
//! `truth/linkage.csv`.

use crate::support::*;
use std::collections::BTreeMap;

/// (dataset, row_index) → (true member id or "", matchable, decoy kind or "").
type Truth = BTreeMap<(String, u64), (String, bool, String)>;

fn truth(data: &std::path::Path) -> Truth {
    let text = std::fs::read_to_string(data.join("truth/linkage.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("dataset,row_index,id_number,matchable,id_noise,name_noise,decoy")
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                (f[0].to_string(), f[1].parse().unwrap()),
                (f[2].to_string(), f[3] == "true", f[6].to_string()),
            )
        })
        .collect()
}

#[test]
fn noisy_extracts_link_with_high_precision_and_recall_and_no_decoy_is_matched() {
    assert_links_right(hedui::gen::GenOptions {
        noise: hedui::gen::Noise::Linkage,
        ..Default::default()
    });
}

/// The shape of real extracts: two counties whose strangers share the
/// members' names and birth dates, every row noisy at the measured rates.
#[test]
fn realistic_extracts_of_two_counties_link_with_high_precision_and_recall() {
    assert_links_right(hedui::gen::GenOptions {
        noise: hedui::gen::Noise::Realistic,
        counties: Some(2),
        ..Default::default()
    });
}

/// Generates 20,000 households with `options`, runs, and checks every
/// `matched` row against `truth/linkage.csv`.
fn assert_links_right(options: hedui::gen::GenOptions) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    hedui::gen::generate_with(
        &hedui::gen::GenRequest {
            households: 20_000,
            seed: 2024,
            out: data.clone(),
            month: "2024-10".parse().unwrap(),
            policies: policies(),
        },
        options,
    )
    .unwrap();
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();

    let truth = truth(&data);
    let matches = read(&out.join("matches.parquet"));
    let datasets = column_strings(&matches, "dataset");
    let rows = matches.column("row_index").unwrap().u64().unwrap();
    let linked = column_strings(&matches, "id_number");
    let status = column_strings(&matches, "status");
    let id_level = column_strings(&matches, "id_level");
    assert_eq!(
        matches.height(),
        truth.len(),
        "one matches row per extract row"
    );

    let (mut matched, mut right, mut decoys_seen, mut decoys_matched) = (0, 0, 0, 0);
    let mut capped_wrongly = Vec::new();
    for i in 0..matches.height() {
        let key = (datasets[i].clone().unwrap(), rows.get(i).unwrap());
        let (member, _, decoy) = &truth[&key];
        decoys_seen += usize::from(!decoy.is_empty());
        if status[i].as_deref() != Some("matched") {
            continue;
        }
        matched += 1;
        right += usize::from(linked[i].as_deref() == Some(member.as_str()));
        decoys_matched += usize::from(!decoy.is_empty());
        // rules.md: without an id within one edit, at most `review`.
        if !matches!(id_level[i].as_deref(), Some("exact" | "one_edit")) {
            capped_wrongly.push(format!("{key:?}"));
        }
    }
    let matchable = truth.values().filter(|t| t.1).count();
    let precision = right as f64 / matched as f64;
    let recall = right as f64 / matchable as f64;
    eprintln!(
        "{:?}: {matched} matched, {right} right, {matchable} matchable: \
         precision {precision:.4}, recall {recall:.4}; {decoys_seen} decoys",
        options.noise
    );
    assert!(
        matchable > 30_000,
        "a set big enough to measure: {matchable}"
    );
    assert!(decoys_seen >= 3_000, "decoys planted: {decoys_seen}");
    assert!(precision >= 0.995, "precision {precision:.4}");
    assert!(recall >= 0.99, "recall {recall:.4}");
    assert_eq!(decoys_matched, 0, "decoys matched");
    assert!(
        capped_wrongly.is_empty(),
        "matched without a usable id: {capped_wrongly:?}"
    );

    // run.json says which path every row took and what the fuzzy one cost.
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let mut fuzzy_rows = 0;
    for d in run_json["extract_timings"].as_array().unwrap() {
        let link = &d["link"];
        let n = |k: &str| link[k].as_u64().unwrap();
        assert_eq!(
            n("id_exact") + n("id_other_person") + n("fuzzy") + n("no_key"),
            d["rows"].as_u64().unwrap(),
            "{d}"
        );
        assert!(n("candidates_compared") >= n("fuzzy") / 2, "{d}");
        fuzzy_rows += n("fuzzy");
    }
    let scored = id_level
        .iter()
        .filter(|l| l.as_deref().is_some_and(|l| l != "exact"))
        .count() as u64;
    assert!(
        fuzzy_rows >= scored && scored > 1_000,
        "{fuzzy_rows} {scored}"
    );

    // Every fuzzy link says why: all four comparison levels are filled.
    let name_level = column_strings(&matches, "name_level");
    let weight = matches.column("match_weight").unwrap().f64().unwrap();
    for i in 0..matches.height() {
        if id_level[i].as_deref().is_some_and(|l| l != "exact") {
            assert!(
                name_level[i].is_some() && weight.get(i).is_some(),
                "row {i}"
            );
        }
    }
}
