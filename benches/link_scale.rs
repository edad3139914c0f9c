//! Linking one row with a broken or missing id against a roster of about a
//! million members registered in two counties, with strangers of the same
//! names all around (`hedui gen --noise realistic --counties 2`): the cost
//! that must not grow with the county.
//!
//!     cargo bench --bench link_scale
//!
//! The data (412,000 households, ~1M members) is generated once into
//! `$HEDUI_BENCH_DIR` (default: the system temp dir) and reused. The rows
//! are the first 1,000 deposits rows whose id is invalid or missing, as the
//! generator wrote them; each iteration links the next one. A second bench
//! links the first 200,000 rows with a valid id (the exact path: one id
//! table look-up each, most of them strangers') as one block.

use criterion::{criterion_group, criterion_main, Criterion};
use hedui::link::{self, LinkStats, MemberIndex};
use hedui::normalise::{self, PersonKeys};
use hedui::schema::Dataset;
use std::path::{Path, PathBuf};

const HOUSEHOLDS: usize = 412_000;

fn data_dir() -> PathBuf {
    let root = std::env::var_os("HEDUI_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let data = root.join(format!("hedui-link-scale-{HOUSEHOLDS}"));
    if !data.join("truth/meta.json").exists() {
        eprintln!("generating {}", data.display());
        hedui::gen::generate_with(
            &hedui::gen::GenRequest {
                households: HOUSEHOLDS,
                seed: 1,
                out: data.clone(),
                month: "2024-10".parse().unwrap(),
                policies: Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
            },
            hedui::gen::GenOptions {
                noise: hedui::gen::Noise::Realistic,
                counties: Some(2),
                ..Default::default()
            },
        )
        .unwrap();
    }
    data
}

/// Row `row` of `keys` alone, as `link_dataset` receives a block.
fn one_row(keys: &PersonKeys<'_>, row: usize) -> PersonKeys<'static> {
    some_rows(keys, &[row])
}

fn link_at_scale(c: &mut Criterion) {
    let data = data_dir();
    let found = hedui::load::discover(&data).unwrap();
    let mut quality = Vec::new();
    let tables = hedui::stages::load_roster(&found, &mut quality).unwrap();
    let roster = normalise::roster(&tables.households, &tables.members, &mut quality);
    let index = MemberIndex::new(&roster, &mut quality);
    let deposits = found
        .read(Dataset::Deposits, &mut quality)
        .unwrap()
        .unwrap();
    let keys = normalise::person_keys(&deposits, &mut quality);
    let rows: Vec<PersonKeys<'static>> = (0..keys.len())
        .filter(|&r| !keys.ids[r].valid)
        .take(1_000)
        .map(|r| one_row(&keys, r))
        .collect();
    let thresholds = vec![link::Thresholds::DEFAULT; roster.households.len()];
    // The first fuzzy row builds the blocking index; count what a row costs.
    let mut stats = LinkStats::default();
    for row in &rows {
        stats.add(&link::link_dataset(&index, &roster, row, &thresholds).stats);
    }
    eprintln!(
        "{} members; {} broken-id rows: {} fuzzy, {} without a key, {:.1} candidates per fuzzy row, {} skewed keys",
        roster.members.len(),
        rows.len(),
        stats.fuzzy,
        stats.no_key,
        stats.candidates_compared as f64 / stats.fuzzy.max(1) as f64,
        stats.skewed_keys_skipped
    );
    let mut group = c.benchmark_group("link_scale");
    group.throughput(criterion::Throughput::Elements(1));
    let mut next = 0;
    group.bench_function("one broken-id row, 1M-member index", |b| {
        b.iter(|| {
            next = (next + 1) % rows.len();
            link::link_dataset(&index, &roster, &rows[next], &thresholds)
                .links
                .len()
        })
    });
    // Most extract rows carry a valid id, and most of those are strangers':
    // each is one look-up in the member id table, which at this size lives
    // in main memory, not the caches.
    let valid: Vec<usize> = (0..keys.len())
        .filter(|&r| keys.ids[r].valid)
        .take(VALID_ROWS)
        .collect();
    let valid_rows = some_rows(&keys, &valid);
    group.throughput(criterion::Throughput::Elements(valid.len() as u64));
    group.bench_function("valid-id rows, 1M-member index", |b| {
        b.iter(|| {
            link::link_dataset(&index, &roster, &valid_rows, &thresholds)
                .links
                .len()
        })
    });
    group.finish();
}

/// Valid-id rows linked per iteration of the exact-path bench.
const VALID_ROWS: usize = 200_000;

/// Rows `rows` of `keys`, in order.
fn some_rows(keys: &PersonKeys<'_>, rows: &[usize]) -> PersonKeys<'static> {
    PersonKeys {
        dataset: keys.dataset,
        ids: rows
            .iter()
            .map(|&r| normalise::RowId {
                value: keys.ids[r].value.as_deref().map(|v| v.to_string().into()),
                valid: keys.ids[r].valid,
            })
            .collect(),
        names: rows.iter().map(|&r| keys.names[r].clone()).collect(),
        birth_dates: rows.iter().map(|&r| keys.birth_dates[r]).collect(),
        region_codes: rows.iter().map(|&r| keys.region_codes[r].clone()).collect(),
    }
}

criterion_group!(benches, link_at_scale);
criterion_main!(benches);
