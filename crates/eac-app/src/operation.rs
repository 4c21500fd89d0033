//! Long operations: progress events out, a cancel flag in, and a registry
//! so a shell can cancel an operation by the id it chose.

use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use eac_store::{Phase, Progress};
use serde::Serialize;

use crate::AppError;

/// `done` of `total` units of `phase` are finished (total `None` when unknown);
/// in an operation of several phases in a row, `phase` is step `step` of `steps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProgressEvent {
    pub op_id: String,
    pub phase: Phase,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub total: Option<u64>,
    /// Which step of the operation this phase is (from 1); `null` for an
    /// operation of one step.
    pub step: Option<u32>,
    /// How many steps the operation has, with `step`.
    pub steps: Option<u32>,
}

/// What closing a shell's window now would lose: unsaved edits (the shell's
/// UI says) or running operations (they would be cancelled and write
/// nothing). The desktop app sends it with `close-requested`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CloseBlockers {
    pub unsaved_edits: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub running_operations: usize,
}

type Callback = Box<dyn Fn(ProgressEvent) + Send + Sync>;

/// One running operation: forwards the store's progress to a callback and
/// tells the store when someone asked to cancel.
pub struct Operation {
    op_id: String,
    cancelled: AtomicBool,
    /// The step now and how many (0: the operation has not said).
    step: AtomicU32,
    steps: AtomicU32,
    on_event: Callback,
}

impl Operation {
    pub fn new(
        op_id: impl Into<String>,
        on_event: impl Fn(ProgressEvent) + Send + Sync + 'static,
    ) -> Self {
        Operation {
            op_id: op_id.into(),
            cancelled: AtomicBool::new(false),
            step: AtomicU32::new(0),
            steps: AtomicU32::new(0),
            on_event: Box::new(on_event),
        }
    }

    pub fn op_id(&self) -> &str {
        &self.op_id
    }

    /// Asks the operation to stop; it then writes nothing.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }
}

impl Progress for Operation {
    fn update(&self, phase: Phase, done: u64, total: Option<u64>) {
        let known = |n: u32| (n > 0).then_some(n);
        (self.on_event)(ProgressEvent {
            op_id: self.op_id.clone(),
            phase,
            done,
            total,
            step: known(self.step.load(Ordering::SeqCst)),
            steps: known(self.steps.load(Ordering::SeqCst)),
        });
    }

    fn step(&self, step: u32, steps: u32) {
        self.steps.store(steps, Ordering::SeqCst);
        self.step.store(step, Ordering::SeqCst);
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("op_id", &self.op_id)
            .field("cancelled", &self.is_cancelled())
            .finish_non_exhaustive()
    }
}

/// The operations running now, by id, so `cancel_operation(op_id)` can
/// reach one from another thread. Cloning shares the same registry.
#[derive(Debug, Clone, Default)]
pub struct OperationRegistry {
    running: Arc<Mutex<HashMap<String, Arc<Operation>>>>,
}

impl OperationRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a new operation; it leaves the registry when the returned
    /// handle is dropped. An id already running is refused.
    pub fn start(
        &self,
        op_id: &str,
        on_event: impl Fn(ProgressEvent) + Send + Sync + 'static,
    ) -> Result<RunningOperation, AppError> {
        let mut running = self.lock();
        if running.contains_key(op_id) {
            return Err(AppError::invalid_input(format!(
                "An operation with id `{op_id}` is already running; start the new one with another id."
            )));
        }
        let op = Arc::new(Operation::new(op_id, on_event));
        running.insert(op_id.to_owned(), Arc::clone(&op));
        Ok(RunningOperation {
            registry: self.clone(),
            op,
        })
    }

    /// Cancels a running operation; false when none has this id (it may
    /// have finished already).
    pub fn cancel(&self, op_id: &str) -> bool {
        match self.lock().get(op_id) {
            Some(op) => {
                op.cancel();
                true
            }
            None => false,
        }
    }

    pub fn is_running(&self, op_id: &str) -> bool {
        self.lock().contains_key(op_id)
    }

    /// How many operations are running now.
    pub fn running_count(&self) -> usize {
        self.lock().len()
    }

    /// Asks every running operation to stop (each then writes nothing).
    pub fn cancel_all(&self) {
        for op in self.lock().values() {
            op.cancel();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Operation>>> {
        // A panic while holding the lock cannot leave the map half-changed.
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A registered [`Operation`]; unregisters itself when dropped.
#[derive(Debug)]
pub struct RunningOperation {
    registry: OperationRegistry,
    op: Arc<Operation>,
}

impl Deref for RunningOperation {
    type Target = Operation;
    fn deref(&self) -> &Operation {
        &self.op
    }
}

impl Drop for RunningOperation {
    fn drop(&mut self) {
        let mut running = self.registry.lock();
        // Only remove our own entry.
        if running
            .get(&self.op.op_id)
            .is_some_and(|op| Arc::ptr_eq(op, &self.op))
        {
            running.remove(&self.op.op_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collecting() -> (
        Arc<Mutex<Vec<ProgressEvent>>>,
        impl Fn(ProgressEvent) + Send + Sync + 'static,
    ) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&events);
        (events, move |e| sink.lock().unwrap().push(e))
    }

    #[test]
    fn forwards_progress_with_its_id() {
        let (events, sink) = collecting();
        let collected = Arc::clone(&events);
        let op = Operation::new("op-1", sink);
        op.update(Phase::Import, 10, Some(100));
        op.update(Phase::Export, 3, None);
        let events = events.lock().unwrap();
        assert_eq!(
            events[0],
            ProgressEvent {
                op_id: "op-1".into(),
                phase: Phase::Import,
                done: 10,
                total: Some(100),
                step: None,
                steps: None,
            }
        );
        assert_eq!(events[1].total, None);
        let json = serde_json::to_value(&events[1]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"op_id": "op-1", "phase": "export", "done": 3, "total": null,
                               "step": null, "steps": null})
        );
        drop(events);
        // Once the operation says its steps, each event carries them.
        op.step(2, 6);
        op.update(Phase::Export, 0, Some(8));
        let events = collected.lock().unwrap();
        assert_eq!((events[2].step, events[2].steps), (Some(2), Some(6)));
    }

    #[test]
    fn cancel_by_id_reaches_the_operation() {
        let registry = OperationRegistry::new();
        let op = registry.start("a", |_| {}).unwrap();
        assert!(!op.is_cancelled());
        assert!(registry.is_running("a"));
        // Another thread cancels by id.
        let other = registry.clone();
        std::thread::spawn(move || assert!(other.cancel("a")))
            .join()
            .unwrap();
        assert!(op.is_cancelled());
        assert!(!registry.cancel("unknown"));
    }

    #[test]
    fn ids_are_unique_while_running_and_freed_on_drop() {
        let registry = OperationRegistry::new();
        let first = registry.start("a", |_| {}).unwrap();
        let again = registry.start("a", |_| {}).unwrap_err();
        assert_eq!(again.code, "invalid_input");
        drop(first);
        assert!(!registry.is_running("a"));
        assert!(!registry.cancel("a"));
        let second = registry.start("a", |_| {}).unwrap();
        assert!(!second.is_cancelled());
    }

    #[test]
    fn cancel_all_reaches_every_running_operation() {
        let registry = OperationRegistry::new();
        assert_eq!(registry.running_count(), 0);
        let a = registry.start("a", |_| {}).unwrap();
        let b = registry.start("b", |_| {}).unwrap();
        assert_eq!(registry.running_count(), 2);
        registry.cancel_all();
        assert!(a.is_cancelled() && b.is_cancelled());
        drop(a);
        assert_eq!(registry.running_count(), 1);
    }

    #[cfg(feature = "ts")]
    #[test]
    fn typescript_uses_numbers_and_null() {
        use ts_rs::TS;
        let decl = ProgressEvent::decl(&ts_rs::Config::default());
        assert!(decl.contains("done: number"), "{decl}");
        assert!(decl.contains("total: number | null"), "{decl}");
        let decl = crate::AppError::decl(&ts_rs::Config::default());
        assert!(decl.contains("code: ErrorCode"), "{decl}");
        assert!(decl.contains("details: ErrorDetails"), "{decl}");
    }
}
