//! Progress bars on the terminal (indicatif), one per stage of a run. Hidden
//! when stderr is not a terminal (a cron job, a pipe) or with `--quiet`.

use hedui::progress::{Progress, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

pub struct Bars {
    current: Mutex<Option<ProgressBar>>,
    visible: bool,
}

impl Bars {
    pub fn new(quiet: bool) -> Bars {
        Bars {
            current: Mutex::new(None),
            visible: !quiet && std::io::stderr().is_terminal(),
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
        if let Ok(mut current) = self.current.lock() {
            if let Some(previous) = current.replace(bar) {
                previous.finish();
            }
        }
    }

    fn advance(&self, n: u64) {
        if !self.visible {
            return;
        }
        if let Some(bar) = self.bar() {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some(bar) = current.take() {
                bar.finish();
            }
        }
    }
}
