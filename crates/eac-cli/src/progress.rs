//! A progress bar on stderr for operations that take longer than a second;
//! never drawn when stderr is not a terminal (pipes, CI, tests).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use eac_app::{Phase, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What `done`/`total` count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    Bytes,
    Eacs,
    /// Steps of one operation (`step 1/2`).
    Steps,
    /// Values (the lines of a claim statement).
    Values,
    /// Files (an evidence pack's, checked).
    Files,
    /// Stored documents (`check` hashing them).
    Documents,
}

pub struct Bar {
    inner: Arc<Inner>,
}

struct Inner {
    bar: ProgressBar,
    units: Units,
    started: Instant,
    enabled: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The style drawn now (units, whether the total is known): a phase
    /// counted in other units, or the total learnt, draws another.
    drawn: Option<(Units, bool)>,
    /// The last report, drawn when the bar appears.
    last: Option<(Phase, u64, Option<u64>)>,
    /// A thread waits to show the bar a second after the start, for an
    /// operation that reports nothing after its first second (one long
    /// query).
    waiting: bool,
    finished: bool,
    /// The step of an operation of several (`2/6`), when it said.
    step: Option<(u32, u32)>,
}

const SHOW_AFTER: Duration = Duration::from_secs(1);

/// How often a shown bar redraws itself (its spinner and clock move while
/// one step takes long).
const TICK: Duration = Duration::from_millis(100);

impl Bar {
    pub fn new(units: Units) -> Self {
        Bar {
            inner: Arc::new(Inner {
                bar: ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
                units,
                started: Instant::now(),
                enabled: std::io::stderr().is_terminal(),
                state: Mutex::default(),
            }),
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        let mut state = self.inner.state();
        state.finished = true;
        self.inner.bar.finish_and_clear();
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What `phase` counts: its own steps for an import's index builds,
    /// a copy's tables and the check, a claim statement's values, else the
    /// units of the operation.
    fn units(&self, phase: Phase) -> Units {
        match phase {
            Phase::ImportIndexes | Phase::Check | Phase::Copy => Units::Steps,
            Phase::Statement => Units::Values,
            Phase::PackFiles => Units::Files,
            Phase::PackBundle => Units::Eacs,
            Phase::CheckDocuments => Units::Documents,
            _ => self.units,
        }
    }

    fn style(units: Units, known_total: bool) -> ProgressStyle {
        let counts = match units {
            Units::Bytes => "{binary_bytes}/{binary_total_bytes}",
            Units::Eacs => "{human_pos}/{human_len} EACs",
            Units::Values => "{human_pos}/{human_len} values",
            Units::Files => "{human_pos}/{human_len} files",
            Units::Documents => "{human_pos}/{human_len} documents",
            Units::Steps => "step {pos}/{len}",
        };
        let template = if known_total {
            // Steps differ in length: no estimate from their count.
            let time = match units {
                Units::Steps => "{elapsed}",
                Units::Bytes | Units::Eacs | Units::Values | Units::Files | Units::Documents => {
                    "{eta} left"
                }
            };
            format!("{{msg:>10}} [{{bar:32}}] {counts} ({time})")
        } else {
            let pos = match units {
                Units::Bytes => "{binary_bytes}",
                Units::Eacs => "{human_pos} EACs",
                Units::Values => "{human_pos} values",
                Units::Files => "{human_pos} files",
                Units::Documents => "{human_pos} documents",
                Units::Steps => "step {pos}",
            };
            format!("{{spinner}} {{msg:>10}} {pos} ({{elapsed}})")
        };
        ProgressStyle::with_template(&template)
            .expect("a valid template")
            .progress_chars("=> ")
    }

    /// Draws the last report (the first time: shows the bar).
    fn draw(&self, state: &mut State) {
        let Some((phase, done, total)) = state.last else {
            return;
        };
        if state.finished {
            return;
        }
        let style = (self.units(phase), total.is_some());
        if state.drawn != Some(style) {
            self.bar.set_style(Inner::style(style.0, style.1));
            if state.drawn.is_none() {
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
                self.bar.enable_steady_tick(TICK);
            }
            state.drawn = Some(style);
        }
        if let Some(total) = total {
            self.bar.set_length(total);
        }
        let name = phase.as_str().replace('_', " ");
        self.bar.set_message(match state.step {
            Some((step, steps)) => format!("{step}/{steps} {name}"),
            None => name,
        });
        self.bar.set_position(done);
    }
}

impl Progress for Bar {
    fn update(&self, phase: Phase, done: u64, total: Option<u64>) {
        let inner = &self.inner;
        if !inner.enabled {
            return;
        }
        let mut state = inner.state();
        state.last = Some((phase, done, total));
        let waited = inner.started.elapsed();
        if waited >= SHOW_AFTER {
            inner.draw(&mut state);
        } else if !state.waiting {
            // Shown a second after the start even if no report comes then.
            state.waiting = true;
            let inner = Arc::clone(inner);
            std::thread::spawn(move || {
                std::thread::sleep(SHOW_AFTER.saturating_sub(waited));
                let mut state = inner.state();
                inner.draw(&mut state);
            });
        }
    }

    fn step(&self, step: u32, steps: u32) {
        self.inner.state().step = Some((step, steps));
    }

    /// Ctrl-C asks the operation to stop at its next step (`interrupt`).
    fn is_cancelled(&self) -> bool {
        crate::interrupt::asked()
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.finish();
    }
}
