//! Memory a long load has freed, given back to the system (issue 16).
//!
//! glibc's allocator keeps what a thread frees in that thread's arena for
//! its next allocations and returns pages to the system only from an
//! arena's top, so a million-EAC import held 59–65 MiB resident with a heap
//! of 30–41 MB in use (session 40: heaptrack against `/proc/PID/smaps`).
//! `malloc_trim(0)` gives back every whole free page of every arena: called
//! after each [`EVERY`] EACs and once more when the reading is over, a
//! million-EAC import peaks at 53–55 MiB instead of 58–65, a 100k one at
//! 48 instead of 51 MiB, in the same time (0.995×, seven alternating
//! pairs). Elsewhere (musl, macOS, Windows) it does nothing: those
//! allocators have no such call. Decision 441: the one `unsafe` block of
//! the workspace.

/// EACs read between two calls: 15 calls in a million-EAC import, one in a
/// 100k one.
pub(crate) const EVERY: usize = 65_536;

/// Asks the allocator to give the system back the memory freed so far.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub(crate) fn give_back() {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: `malloc_trim` takes no pointer and glibc serialises it with
    // every other call of its allocator (MT-Safe); it only releases pages
    // that hold no allocation.
    unsafe {
        malloc_trim(0);
    }
}

/// Does nothing where the allocator is not glibc's.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn give_back() {}
