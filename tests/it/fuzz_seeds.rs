//! The fuzz smoke step: every committed seed of every fuzz target
//! (`fuzz/corpus/<target>/`) through the target's function, as in
//! `cargo fuzz run`, so a seed that once crashed stays fixed.

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

#[test]
fn fuzz_seeds_id() {
    each("id", hedui::fuzz::id);
}

#[test]
fn fuzz_seeds_name() {
    each("name", hedui::fuzz::name);
}

#[test]
fn fuzz_seeds_values() {
    each("values", hedui::fuzz::values);
}

#[test]
fn fuzz_seeds_policy() {
    each("policy", hedui::fuzz::policy);
}

#[test]
fn fuzz_seeds_run() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/base");
    each("run", |d| hedui::fuzz::run(d, &base));
}
