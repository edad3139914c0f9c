#![no_main]
//! See `hedui::fuzz::name`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hedui::fuzz::name(data));
