//! Criterion benches for the hot parts of a run: id and name normalisation,
//! and the rule pass over a block of households.
//!
//!     cargo bench --bench engine

use criterion::{criterion_group, criterion_main, Criterion};
use hedui::text::{normalize_id, normalize_name};
use std::hint::black_box;

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

fn run_small(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let policies = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let month: hedui::calendar::RunMonth = "2024-10".parse().unwrap();
    hedui::gen::generate(&hedui::gen::GenRequest {
        households: 2_000,
        seed: 3,
        out: data.clone(),
        month,
        policies: policies.clone(),
    })
    .unwrap();
    let out = tmp.path().join("out");
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    group.bench_function("hedui run, 2000 generated households", |b| {
        b.iter(|| {
            hedui::run(&hedui::RunRequest {
                data: data.clone(),
                policies: policies.clone(),
                month,
                out: out.clone(),
            })
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, ids, run_small);
criterion_main!(benches);
