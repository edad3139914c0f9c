//! Pure text functions for ids and names: no polars, no I/O.
//!
//! `id_number`: GB 11643-1999 normalisation, check digits, birth date, masking.
//! `name`: name normalisation for comparison (spaces, full-width, middle dots,
//! traditional → simplified, placeholders).

pub mod id_number;
pub mod name;

pub use id_number::{
    check_digit, id_birth_date, mask_id, normalize_id, normalize_id_ref, IdProblem, IdRef,
    NormalizedId,
};
pub use name::{name_problems, normalize_name, NameProblem, NormalizedName};
