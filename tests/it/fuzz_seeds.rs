//! The fuzz smoke step: every committed seed of every fuzz target
//! (`fuzz/corpus/<target>/`) through the target's function, as in
//! `cargo fuzz run`, so a seed that once crashed stays fixed; then a short
//! run of mutated seeds (not coverage-guided: that is `cargo fuzz`'s job,
//! fuzz/README.md), so every CI run tries inputs no one wrote down.

use std::path::{Path, PathBuf};

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(p).unwrap()))
        .collect()
}

fn each(target: &str, f: impl Fn(&[u8])) {
    for (path, data) in seeds(target) {
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&data)));
        assert!(ok.is_ok(), "seed {} of {target} fails", path.display());
    }
}

/// `runs` mutations of the seeds (each one to four byte flips, inserts,
/// deletions or repeated spans), from a fixed generator seed so a failure
/// repeats; each must pass the target's checks without panicking.
fn mutated(target: &str, runs: usize, f: impl Fn(&[u8])) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
    let seeds = seeds(target);
    for i in 0..runs {
        let (path, seed) = &seeds[i % seeds.len()];
        let mut data = seed.clone();
        for _ in 0..rng.random_range(1..=4) {
            mutate(&mut rng, &mut data);
        }
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&data)));
        assert!(
            ok.is_ok(),
            "mutation {i} of seed {} of {target} fails on {data:?}",
            path.display()
        );
    }
}

fn mutate(rng: &mut impl rand::Rng, data: &mut Vec<u8>) {
    let at = |rng: &mut dyn rand::RngCore, len: usize| (rng.next_u32() as usize) % (len + 1);
    match rng.random_range(0..4) {
        0 if !data.is_empty() => {
            let i = at(rng, data.len() - 1);
            data[i] ^= 1 << rng.random_range(0..8);
        }
        1 => {
            let i = at(rng, data.len());
            data.insert(i, rng.random());
        }
        2 if !data.is_empty() => {
            let i = at(rng, data.len() - 1);
            data.remove(i);
        }
        _ => {
            let start = at(rng, data.len());
            let end = (start + rng.random_range(1..16)).min(data.len());
            let span = data[start..end].to_vec();
            let i = at(rng, data.len());
            data.splice(i..i, span);
        }
    }
}

#[test]
fn fuzz_seeds_id() {
    each("id", hedui::fuzz::id);
    mutated("id", 100_000, hedui::fuzz::id);
}

#[test]
fn fuzz_seeds_name() {
    each("name", hedui::fuzz::name);
    mutated("name", 50_000, hedui::fuzz::name);
}

#[test]
fn fuzz_seeds_values() {
    each("values", hedui::fuzz::values);
    mutated("values", 5_000, hedui::fuzz::values);
}

#[test]
fn fuzz_seeds_policy() {
    each("policy", hedui::fuzz::policy);
    mutated("policy", 5_000, hedui::fuzz::policy);
}

#[test]
fn fuzz_seeds_run() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/base");
    each("run", |d| hedui::fuzz::run(d, &base));
    mutated("run", 200, |d| hedui::fuzz::run(d, &base));
}
