//! `hedui` (核对): parse flags, call the library, print a summary, pick the
//! exit code (0 completed, 2 bad input or policy, 1 anything else).

mod cli;

use clap::Parser;

/// mimalloc instead of glibc's malloc: a run makes and frees tens of
/// millions of small strings (ids, names of every extract row) on several
/// threads, where glibc spent a third of the time (docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's `mi_option_set` (mimalloc.h), linked in by the crate.
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` and `mi_option_allow_thp` in mimalloc v3's
/// `mi_option_e` (libmimalloc-sys 0.1.49, pinned by Cargo.lock; the crate
/// names no constant for them).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
const MI_OPTION_ALLOW_THP: std::ffi::c_int = 43;

#[cfg(target_os = "linux")]
extern "C" {
    /// Linux's prctl(2), from the C library.
    fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
}

/// No transparent huge pages for this process. mimalloc asks for them on
/// its arenas, and the kernel then zeroes 2 MiB at every first touch: at 1M
/// households that was ~25 GB zeroed for a 3.7 GB peak, a quarter of the
/// run's CPU time (docs/PERFORMANCE.md). 4 KiB pages are zeroed only as
/// they are used.
fn no_huge_pages() {
    // SAFETY: plain C calls with integer arguments; no pointers. A failing
    // prctl (an old kernel) only leaves huge pages on.
    unsafe {
        mi_option_set(MI_OPTION_ALLOW_THP, 0);
        #[cfg(target_os = "linux")]
        {
            const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
            prctl(
                PR_SET_THP_DISABLE,
                1 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
            );
        }
    }
}

fn main() {
    // Keep freed memory for reuse instead of returning it to the OS after
    // 10 ms: a run frees and re-allocates its per-file strings over and
    // over, and purging cost more system time than the allocator saved
    // (docs/PERFORMANCE.md). Peak memory is the same: it is set by the
    // largest live set.
    // SAFETY: plain C call with an option index and a value; no pointers.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    no_huge_pages();
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("hedui: error: {e:#}");
            std::process::exit(cli::exit_code(&e));
        }
    }
}
