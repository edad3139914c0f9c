//! Progress bars on the terminal (indicatif), one per stage of a run. Hidden
//! when stderr is not a terminal (a cron job, a pipe) or with `--quiet`.

use hedui::progress::{Progress, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

pub struct Bars {
    current: Mutex<Option<ProgressBar>>,
    visible: bool,
    /// Units done but not yet shown: per-household calls from several
    /// threads are counted here and drawn about a thousand times per stage.
    pending: AtomicU64,
    batch: AtomicU64,
}

impl Bars {
    pub fn new(quiet: bool) -> Bars {
        Bars {
            current: Mutex::new(None),
            visible: !quiet && std::io::stderr().is_terminal(),
            pending: AtomicU64::new(0),
            batch: AtomicU64::new(1),
        }
    }

    fn bar(&self) -> Option<ProgressBar> {
        self.current.lock().ok()?.clone()
    }
}

impl Progress for Bars {
    fn start(&self, stage: Stage, total: u64) {
        if !self.visible {
            return;
        }
        let bar = if total == 0 {
            ProgressBar::new_spinner()
        } else {
            ProgressBar::new(total)
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let template = if total == 0 {
            "{prefix:>9} {spinner} {elapsed}"
        } else {
            "{prefix:>9} [{bar:40}] {human_pos}/{human_len} {elapsed}"
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(stage.label());
        if total == 0 {
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
        }
        self.batch.store((total / 1000).max(1), Relaxed);
        if let Ok(mut current) = self.current.lock() {
            if let Some(previous) = current.replace(bar) {
                previous.inc(self.pending.swap(0, Relaxed));
                previous.finish();
            }
        }
    }

    fn advance(&self, n: u64) {
        if !self.visible {
            return;
        }
        let pending = self.pending.fetch_add(n, Relaxed) + n;
        if pending >= self.batch.load(Relaxed) {
            if let Some(bar) = self.bar() {
                bar.inc(self.pending.swap(0, Relaxed));
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some(bar) = current.take() {
                bar.inc(self.pending.swap(0, Relaxed));
                bar.finish();
            }
        }
    }
}
