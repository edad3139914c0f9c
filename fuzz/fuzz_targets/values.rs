#![no_main]
//! See `hedui::fuzz::values`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hedui::fuzz::values(data));
