#![no_main]
//! See `hedui::fuzz::run`: a whole run on `fuzz/base/` with one file patched.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("base");
    hedui::fuzz::run(data, &base)
});
