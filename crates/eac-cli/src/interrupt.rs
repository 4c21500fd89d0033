//! Ctrl-C (SIGINT), SIGTERM and SIGHUP (the terminal closed: an SSH
//! session dropped, a terminal window shut). Killed by the signal, a command said
//! nothing: one whose change had just been committed left the person
//! thinking it was cancelled, and hidden files of an unfinished output or
//! new database stayed until the next write there. Now the first signal
//! asks the operation to stop at its next step ([`asked`], which the
//! progress bar's `is_cancelled` reads): a write rolls back and says
//! "nothing was written", one already committed finishes and reports,
//! and the hidden files go with the values that held them. A command that
//! does not ask within two seconds (a read, a step that cannot stop
//! midway, a write past its last step: committing, reporting) is never
//! ended unannounced — it could have committed — but says on stderr that
//! it finishes on its own unless Ctrl-C is pressed again; a second signal
//! ends any command at once. Exit 130 (128 + SIGINT), as a shell reports.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The exit code of an interrupted command.
pub const EXIT_INTERRUPTED: u8 = 130;

/// How long a command that does not ask is given before it is told.
const UNHEARD: Duration = Duration::from_secs(2);

struct State {
    /// Set by the first signal.
    asked: Arc<AtomicBool>,
    /// Set once the running operation has seen the request.
    heard: AtomicBool,
}

static STATE: OnceLock<State> = OnceLock::new();

/// Installs the handlers (once, at start).
pub fn catch() {
    let asked = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        // In this order: a second signal finds the flag already set and
        // ends the process; the first only sets it.
        let _ = signal_hook::flag::register_conditional_shutdown(
            signal,
            i32::from(EXIT_INTERRUPTED),
            Arc::clone(&asked),
        );
        let _ = signal_hook::flag::register(signal, Arc::clone(&asked));
    }
    let watched = Arc::clone(&asked);
    if STATE
        .set(State {
            asked,
            heard: AtomicBool::new(false),
        })
        .is_err()
    {
        return;
    }
    std::thread::spawn(move || {
        while !watched.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(UNHEARD);
        let heard = STATE.get().is_some_and(|s| s.heard.load(Ordering::Relaxed));
        if !heard {
            let mut err = crate::render::ErrOut::stderr();
            writeln!(
                err,
                "interrupt: this step cannot stop midway; it finishes on its own, or press \
                 Ctrl-C again to end it at once (a change not yet committed is then rolled back)"
            );
        }
    });
}

/// Whether a signal asked the command to stop (and, if so, that the
/// operation asking has heard it).
pub fn asked() -> bool {
    let Some(state) = STATE.get() else {
        return false;
    };
    let asked = state.asked.load(Ordering::Relaxed);
    if asked {
        state.heard.store(true, Ordering::Relaxed);
    }
    asked
}
