//! Fuzz entry points: each takes arbitrary bytes, runs one part of the
//! engine on them and panics when an invariant breaks (a panic inside the
//! engine is a finding too). The cargo-fuzz targets in `fuzz/` call them,
//! and `tests/it/fuzz_seeds.rs` runs them on the committed seed corpus
//! (`fuzz/corpus/<target>/`) in every `cargo test`.

use crate::calendar::RunMonth;
use crate::load::{self, FIRST_DAY, LAST_DAY, MAX_CENTS};
use crate::schema::{ColumnKind, Dataset};
use crate::text::{mask_id, normalize_id, normalize_id_ref, normalize_name};
use polars::prelude::*;

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Id normalisation: no panic; the borrowed and owned paths agree; a
/// normalised id normalises to itself; a valid id is 18 characters with a
/// real birth date; masking hides at least 8 characters (or all).
pub fn id(data: &[u8]) {
    let raw = text(data);
    let owned = normalize_id(Some(&raw));
    let borrowed = normalize_id_ref(Some(&raw));
    assert_eq!(owned.valid, borrowed.valid, "{raw:?}");
    assert_eq!(owned.value.as_deref(), borrowed.value.as_deref(), "{raw:?}");
    if let Some(v) = &owned.value {
        let again = normalize_id(Some(v));
        assert_eq!(
            again.value.as_deref(),
            Some(v.as_str()),
            "idempotent: {raw:?}"
        );
        assert_eq!(again.valid, owned.valid, "{raw:?}");
        if owned.valid {
            assert_eq!(v.chars().count(), 18);
            assert!(crate::text::id_birth_date(v).is_some());
        }
        let n = v.chars().count();
        let shown = mask_id(v).chars().filter(|c| *c != '*').count();
        assert!(n - shown >= n.min(8), "{}", mask_id(v));
    }
}

/// Name normalisation: no panic, idempotent, never an empty name.
pub fn name(data: &[u8]) {
    let raw = text(data);
    let n = normalize_name(Some(&raw));
    if let Some(v) = &n.value {
        assert!(!v.is_empty(), "{raw:?}");
        let again = normalize_name(Some(v));
        assert_eq!(
            again.value.as_deref(),
            Some(v.as_str()),
            "idempotent: {raw:?}"
        );
    }
    let _ = crate::text::name_problems(Some(&raw));
}

/// A column of one Parquet type built from the bytes: the first byte picks
/// the type, the rest are its values.
fn column(data: &[u8]) -> Series {
    let (pick, rest) = data.split_first().unwrap_or((&0, &[]));
    let words = |n: usize| rest.chunks_exact(n).collect::<Vec<_>>();
    let i64s = || {
        words(8)
            .iter()
            .map(|w| i64::from_le_bytes((*w).try_into().unwrap()))
            .collect::<Vec<_>>()
    };
    let name = "v".into();
    match pick % 9 {
        0 => Series::new(name, text(rest).split('\n').collect::<Vec<_>>()),
        1 => Series::new(
            name,
            words(8)
                .iter()
                .map(|w| f64::from_le_bytes((*w).try_into().unwrap()))
                .collect::<Vec<_>>(),
        ),
        2 => Series::new(name, i64s()),
        3 => Series::new(
            name,
            i64s().into_iter().map(|v| v as u64).collect::<Vec<_>>(),
        ),
        4 => {
            let scale = usize::from(rest.first().copied().unwrap_or(2) % 39);
            let values: Vec<i128> = words(16)
                .iter()
                .map(|w| i128::from_le_bytes((*w).try_into().unwrap()) % 10i128.pow(38))
                .collect();
            Int128Chunked::from_iter_values(name, values.into_iter())
                .into_decimal(38, scale)
                .map(IntoSeries::into_series)
                .unwrap_or_else(|_| Series::new_null("v".into(), 0))
        }
        5 => Int32Chunked::from_iter_values(
            name,
            words(4)
                .iter()
                .map(|w| i32::from_le_bytes((*w).try_into().unwrap())),
        )
        .into_series()
        .cast(&DataType::Date)
        .unwrap(),
        6 | 7 => {
            let unit = [
                TimeUnit::Nanoseconds,
                TimeUnit::Microseconds,
                TimeUnit::Milliseconds,
            ][usize::from(rest.first().copied().unwrap_or(0) % 3)];
            Series::new(name, i64s())
                .cast(&DataType::Datetime(unit, None))
                .unwrap()
        }
        _ => Series::new(
            name,
            words(1).iter().map(|w| w[0] % 3 == 0).collect::<Vec<_>>(),
        ),
    }
}

/// Money, dates, integers, floats and booleans from every accepted type:
/// no panic; money within ±10^15 yuan; dates within 1900–2099; floats
/// finite; as many rows out as in.
pub fn values(data: &[u8]) {
    let s = column(data);
    for kind in [
        ColumnKind::Money,
        ColumnKind::Date,
        ColumnKind::Int,
        ColumnKind::Float,
        ColumnKind::Bool,
    ] {
        let Ok((out, problems)) = load::convert_column(Dataset::Deposits, "balance", kind, &s)
        else {
            continue; // a type the schema check refuses before any row is read
        };
        assert_eq!(out.len(), s.len());
        assert!(problems.iter().all(|p| (p.row_index as usize) < s.len()));
        match kind {
            ColumnKind::Money => {
                let ca = out.decimal().unwrap();
                assert!(ca
                    .physical()
                    .iter()
                    .flatten()
                    .all(|c| c.unsigned_abs() < MAX_CENTS as u128));
            }
            ColumnKind::Date => {
                let ca = out.date().unwrap();
                assert!(ca
                    .physical()
                    .iter()
                    .flatten()
                    .all(|d| (FIRST_DAY..=LAST_DAY).contains(&d)));
            }
            ColumnKind::Float => assert!(out.f64().unwrap().iter().flatten().all(f64::is_finite)),
            _ => {}
        }
    }
    if let Ok(t) = std::str::from_utf8(data) {
        let _ = load::parse_date(t);
    }
}

/// The policy loader: a file as text, as `51.toml` beside the shipped-like
/// defaults; no panic, and whatever loads resolves and runs through the
/// month arithmetic.
pub fn policy(data: &[u8]) {
    let Ok(set) = crate::policy::PolicySet::from_sources([("51.toml".to_string(), text(data))])
    else {
        return;
    };
    for month in ["1900-01", "2024-10", "2099-12"] {
        let month: RunMonth = month.parse().unwrap();
        if let Ok(r) = set.resolve("512022101001", month) {
            let p = &r.params;
            for months in [
                p.phase_out_months,
                p.review_months_annual,
                p.review_months_semiannual,
                p.payroll_lookback_months,
            ] {
                let _ = month.plus(months as i32 - 1).first_day();
                let _ = crate::calendar::add_months_clamped(month.last_day(), months as i32);
            }
            let n = rust_decimal::Decimal::from(1_000_000u32);
            let _ = p.urban_standard
                * rust_decimal::Decimal::from(p.financial_assets_months_severe)
                * n;
            let _ = p.tekun_standard * p.marginal_multiplier * n;
        }
    }
}

/// A whole run on a tiny data directory whose one file (picked by the first
/// byte) has bytes of the rest written over it at an offset (the next two):
/// no panic and no hang; a completed run lists every extract row in
/// `matches`; a failed one leaves no `--out`.
pub fn run(data: &[u8], base: &std::path::Path) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files {
        std::fs::copy(f, dir.join(f.file_name().unwrap())).unwrap();
    }
    if let (Some(&pick), Some(rest)) = (data.first(), data.get(1..)) {
        let target = dir.join(files[usize::from(pick) % files.len()].file_name().unwrap());
        let mut bytes = std::fs::read(&target).unwrap();
        let at = rest
            .get(..2)
            .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
        let patch = rest.get(2..).unwrap_or(&[]);
        if !bytes.is_empty() {
            for (k, b) in patch.iter().enumerate() {
                let i = (at + k) % bytes.len();
                bytes[i] = *b;
            }
        }
        std::fs::write(&target, bytes).unwrap();
    }
    let out = tmp.path().join("out");
    let policies = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let result = crate::run(&crate::RunRequest {
        data: dir,
        policies,
        month: "2024-10".parse().unwrap(),
        out: out.clone(),
    });
    match result {
        Ok(summary) => {
            let listed: usize = summary.matches.values().sum();
            let run = crate::output::RunJson::read(&out.join("run.json")).unwrap();
            let read: usize = Dataset::LINKED
                .iter()
                .filter_map(|d| run.inputs.get(d.name())?.rows)
                .sum();
            assert_eq!(listed, read, "every extract row is in matches");
        }
        Err(_) => assert!(!out.exists(), "a failed run leaves no --out"),
    }
}
