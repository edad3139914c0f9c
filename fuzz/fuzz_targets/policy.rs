#![no_main]
//! See `hedui::fuzz::policy`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hedui::fuzz::policy(data));
