//! A progress bar on stderr for operations that take longer than a second;
//! never drawn when stderr is not a terminal (pipes, CI, tests).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use eac_app::{Phase, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What `done`/`total` count.
#[derive(Debug, Clone, Copy)]
pub enum Units {
    Bytes,
    Eacs,
    /// Steps of one operation (`2/3`).
    Steps,
}

pub struct Bar {
    bar: ProgressBar,
    units: Units,
    started: Instant,
    enabled: bool,
    shown: AtomicBool,
}

const SHOW_AFTER: Duration = Duration::from_secs(1);

impl Bar {
    pub fn new(units: Units) -> Self {
        Bar {
            bar: ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
            units,
            started: Instant::now(),
            enabled: std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
        }
    }

    fn style(&self, known_total: bool) -> ProgressStyle {
        let counts = match self.units {
            Units::Bytes => "{binary_bytes}/{binary_total_bytes}",
            Units::Eacs => "{human_pos}/{human_len} EACs",
            Units::Steps => "step {pos}/{len}",
        };
        let template = if known_total {
            format!("{{msg:>10}} [{{bar:32}}] {counts} ({{eta}} left)")
        } else {
            let pos = match self.units {
                Units::Bytes => "{binary_bytes}",
                Units::Eacs => "{human_pos} EACs",
                Units::Steps => "step {pos}",
            };
            format!("{{spinner}} {{msg:>10}} {pos} ({{elapsed}})")
        };
        ProgressStyle::with_template(&template)
            .expect("a valid template")
            .progress_chars("=> ")
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn update(&self, phase: Phase, done: u64, total: Option<u64>) {
        if !self.enabled || self.started.elapsed() < SHOW_AFTER {
            return;
        }
        if !self.shown.swap(true, Ordering::SeqCst) {
            self.bar.set_style(self.style(total.is_some()));
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        if let Some(total) = total {
            self.bar.set_length(total);
        }
        self.bar.set_message(phase.as_str().replace('_', " "));
        self.bar.set_position(done);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.finish();
    }
}
