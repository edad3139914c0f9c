#![no_main]
//! See `hedui::fuzz::id`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hedui::fuzz::id(data));
