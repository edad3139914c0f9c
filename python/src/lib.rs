//! `hedui._native`: hedui's own stages for the Spark job
//! (`python/hedui/spark.py`). Each function is one task's work; Spark moves
//! the bytes between them. Nothing here decides, compares or normalises: it
//! calls the library's stage functions and packs their results.

mod blob;
mod context;
mod frames;
mod joins;
mod tasks;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

pyo3::create_exception!(
    _native,
    InputError,
    PyValueError,
    "Bad input or policy: the message names the dataset, file, column or key (exit code 2)."
);

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add_function(wrap_pyfunction!(tasks::plan, m)?)?;
    m.add_function(wrap_pyfunction!(tasks::extract_rows, m)?)?;
    m.add_function(wrap_pyfunction!(tasks::member_rows, m)?)?;
    m.add_function(wrap_pyfunction!(tasks::exact_links, m)?)?;
    m.add_function(wrap_pyfunction!(tasks::fuzzy_links, m)?)?;
    m.add_function(wrap_pyfunction!(tasks::file_evidence, m)?)?;
    // Blocks of more members than this are skew, skipped (as `hedui run`).
    m.add("MAX_BLOCK", hedui::link::blocking::MAX_BLOCK)?;
    // What a remote data directory's mirror holds (python/hedui/remote.py):
    // the entries named after a dataset, and which of them every worker
    // reads whole.
    let names: Vec<&str> = hedui::schema::Dataset::ALL.map(|d| d.name()).into();
    m.add("DATASETS", names)?;
    m.add("READ_WHOLE", context::read_whole())?;
    m.add_function(wrap_pyfunction!(tasks::empty_columns, m)?)?;
    m.add_function(wrap_pyfunction!(tasks::file_quality, m)?)?;
    m.add_function(wrap_pyfunction!(tasks::run_quality, m)?)?;
    m.add_function(wrap_pyfunction!(tasks::assess_partition, m)?)?;
    m.add_function(wrap_pyfunction!(tasks::run_json, m)?)?;
    Ok(())
}
