//! Criterion benches for the hot parts of a run: id and name normalisation,
//! person keys of an extract block, linking a block of extract rows, the
//! rule pass over a block of households, and a whole run in process.
//!
//!     cargo bench --bench engine
//!
//! The world the benches share is generated once (`hedui gen`, 2,000
//! households, seed 3) and taken through the real pipeline stages.

use criterion::{criterion_group, criterion_main, Criterion};
use hedui::calendar::RunMonth;
use hedui::evidence::Evidence;
use hedui::link::{self, DatasetLinks, MemberIndex};
use hedui::load::Table;
use hedui::normalise::{self, PersonKeys, Roster};
use hedui::policy::{PolicySet, Resolved};
use hedui::schema::Dataset;
use hedui::text::{normalize_id, normalize_name};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn ids(c: &mut Criterion) {
    let raw: Vec<String> = (0..10_000u32)
        .map(|i| match i % 4 {
            0 => "11010519491231002X".to_string(),
            1 => " 11010519491231002x ".to_string(),
            2 => "110105491231002".to_string(),
            _ => "１１０１０５１９４９１２３１００２Ｘ".to_string(),
        })
        .collect();
    c.bench_function(
        "normalize_id x10k (clean, spaces, legacy, full-width)",
        |b| {
            b.iter(|| {
                raw.iter()
                    .map(|s| normalize_id(Some(s)).valid as usize)
                    .sum::<usize>()
            })
        },
    );
    let names: Vec<&str> = ["王芳", " 張 三 ", "阿依古丽•买买提", "李*华"].repeat(2_500);
    c.bench_function("normalize_name x10k", |b| {
        b.iter(|| {
            names
                .iter()
                .map(|s| {
                    normalize_name(Some(black_box(s)))
                        .value
                        .map_or(0, |v| v.len())
                })
                .sum::<usize>()
        })
    });
}

/// A generated data directory, its roster and extracts, as a run sees them.
struct World {
    _tmp: tempfile::TempDir,
    data: PathBuf,
    policies: PathBuf,
    month: RunMonth,
    roster: Roster,
    index: MemberIndex,
    /// Every person-keyed extract, read whole.
    extracts: Vec<Table>,
}

fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let month: RunMonth = "2024-10".parse().unwrap();
    hedui::gen::generate(&hedui::gen::GenRequest {
        households: 2_000,
        seed: 3,
        out: data.clone(),
        month,
        policies: policies.clone(),
    })
    .unwrap();
    let found = hedui::load::discover(&data).unwrap();
    let mut quality = Vec::new();
    let tables = hedui::stages::load_roster(&found, &mut quality).unwrap();
    let roster = normalise::roster(&tables.households, &tables.members, &mut quality);
    let index = MemberIndex::new(&roster, &mut quality);
    let extracts = Dataset::LINKED
        .iter()
        .filter_map(|&d| found.read(d, &mut quality).unwrap())
        .collect();
    World {
        _tmp: tmp,
        data,
        policies,
        month,
        roster,
        index,
        extracts,
    }
}

fn deposits(w: &World) -> &Table {
    w.extracts
        .iter()
        .find(|t| t.dataset == Dataset::Deposits)
        .unwrap()
}

/// Person keys (ids, names, birth dates, regions) of a block of extract rows.
fn keys(c: &mut Criterion, w: &World) {
    let table = deposits(w);
    let mut group = c.benchmark_group("normalise");
    group.throughput(criterion::Throughput::Elements(table.height() as u64));
    group.bench_function("person_keys, deposits block", |b| {
        b.iter(|| normalise::person_keys(table, &mut Vec::new()).len())
    });
    group.finish();
}

/// Linking: the linker over a block of extract rows.
///
/// Hook for the linker's own benches: `link_block` is the one place that
/// calls the linker; a new comparison (name similarity, birth date, region)
/// gets its own `group.bench_function` here, fed by the same `keys`, the
/// block's person keys as `link::link_dataset` receives them.
fn linking(c: &mut Criterion, w: &World) {
    let table = deposits(w);
    let keys = normalise::person_keys(table, &mut Vec::new());
    let mut group = c.benchmark_group("link");
    group.throughput(criterion::Throughput::Elements(keys.len() as u64));
    group.bench_function("link_dataset, deposits block", |b| {
        b.iter(|| link_block(w, &keys).links.len())
    });
    // Scoring one candidate pair: every comparison, then the match weight.
    let member = &w.roster.members[0];
    let (id, name) = (member.id_number().to_string(), member.name_norm.clone());
    let mut typo = id.clone().into_bytes();
    typo[10] = if typo[10] == b'0' { b'1' } else { b'0' };
    let typo = String::from_utf8(typo).unwrap();
    group.bench_function("score a candidate pair", |b| {
        b.iter(|| {
            let levels = link::Levels {
                id: link::comparison::compare_id(Some(black_box(&typo)), &id),
                name: Some(link::comparison::compare_name(
                    name.as_deref(),
                    member.name_norm.as_deref(),
                )),
                birth_date: Some(link::comparison::compare_birth_date(
                    member.id.birth_date(),
                    member.id.birth_date(),
                )),
                region: Some(link::comparison::compare_region(
                    Some("512022101001"),
                    Some("512022101002"),
                )),
            };
            link::score::score(link::score::match_weight(&levels))
        })
    });
    group.finish();
}

fn link_block(w: &World, keys: &PersonKeys) -> DatasetLinks {
    let thresholds = vec![link::Thresholds::DEFAULT; w.roster.households.len()];
    link::link_dataset(&w.index, &w.roster, black_box(keys), &thresholds)
}

/// The rule pass (income, every rule, decide) over a block of households.
fn rules_pass(c: &mut Criterion, w: &World) {
    let mut quality = Vec::new();
    let mut evidence = Evidence::new(w.roster.households.len());
    for table in &w.extracts {
        let keys = normalise::person_keys(table, &mut quality);
        let thresholds = vec![link::Thresholds::DEFAULT; w.roster.households.len()];
        let links = link::link_dataset(&w.index, &w.roster, &keys, &thresholds);
        hedui::evidence::collect(&w.roster, table, &links, &mut evidence, &mut quality);
    }
    let policies = PolicySet::load_dir(&w.policies).unwrap();
    let params: Vec<Option<Resolved>> = w
        .roster
        .households
        .iter()
        .map(|h| policies.resolve(&h.region_code, w.month).ok())
        .collect();
    let mut group = c.benchmark_group("rules");
    group.throughput(criterion::Throughput::Elements(
        w.roster.households.len() as u64
    ));
    group.bench_function("assess + decide, every household", |b| {
        b.iter(|| {
            let mut exits = 0;
            for (i, h) in w.roster.households.iter().enumerate() {
                let Some(p) = &params[i] else { continue };
                let a = hedui::rules::assess(
                    &w.roster,
                    h,
                    &evidence.households[i],
                    hedui::rules::Kin {
                        household: &Default::default(),
                        staff: &[],
                    },
                    hedui::rules::Coverage::new(&evidence.supplied, &evidence.empty_columns),
                    &p.params,
                    w.month,
                );
                let d = hedui::decide::decide(&w.roster, h, &a, &p.params, w.month);
                exits += (d.action == hedui::verdict::Action::Exit) as usize;
            }
            exits
        })
    });
    group.finish();
}

fn run_small(c: &mut Criterion, w: &World) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("out");
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    group.bench_function("hedui run, 2000 generated households", |b| {
        b.iter(|| {
            hedui::run(&hedui::RunRequest {
                data: w.data.clone(),
                policies: w.policies.clone(),
                month: w.month,
                out: out.clone(),
            })
            .unwrap()
        })
    });
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    let w = world();
    keys(c, &w);
    linking(c, &w);
    rules_pass(c, &w);
    run_small(c, &w);
}

criterion_group!(benches, ids, pipeline);
criterion_main!(benches);
