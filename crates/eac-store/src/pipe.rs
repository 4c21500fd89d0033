//! A file written on a thread of its own: what the export produces is
//! gathered into chunks and handed to a thread that hashes and writes them
//! ([`crate::atomic::AtomicFile`]), so reading rows and formatting EACs on
//! one core overlap the SHA-256 and the write system calls on the other.
//! At most [`QUEUED`] chunks wait, so memory stays flat at any size.

use std::io::{self, Write};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use crate::atomic::AtomicFile;

/// Bytes gathered before a chunk goes to the thread.
const CHUNK: usize = 1 << 18;
/// Chunks that may wait for the thread.
const QUEUED: usize = 4;

/// Writes to an [`AtomicFile`] on a thread; [`Piped::finish`] hands the
/// file back for its commit. Dropped early (an error, a cancel), it stops
/// the thread and waits for it, so the file is removed before it returns.
pub(crate) struct Piped {
    chunk: Vec<u8>,
    to_thread: Option<SyncSender<Vec<u8>>>,
    thread: Option<JoinHandle<io::Result<AtomicFile>>>,
}

impl Piped {
    pub(crate) fn new(mut file: AtomicFile) -> io::Result<Piped> {
        let (to_thread, chunks) = sync_channel::<Vec<u8>>(QUEUED);
        let thread = std::thread::Builder::new()
            .name("eacdesk-export-writer".into())
            .spawn(move || {
                for chunk in chunks {
                    file.write_all(&chunk)?;
                }
                Ok(file)
            })?;
        Ok(Piped {
            chunk: Vec::with_capacity(CHUNK),
            to_thread: Some(to_thread),
            thread: Some(thread),
        })
    }

    /// Sends what is gathered; when the thread has stopped, its error.
    fn send(&mut self) -> io::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK));
        let sent = match &self.to_thread {
            Some(to_thread) => to_thread.send(chunk).is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            // The thread stopped on an error: that error is the answer.
            Err(self
                .join()
                .err()
                .unwrap_or_else(|| io::Error::other("the export's writer stopped")))
        }
    }

    fn join(&mut self) -> io::Result<AtomicFile> {
        self.to_thread = None;
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the export's writer failed"))),
            None => Err(io::Error::other("the export's writer stopped")),
        }
    }

    /// Writes what is left and hands back the file (everything written,
    /// buffered in it still).
    pub(crate) fn finish(mut self) -> io::Result<AtomicFile> {
        self.send()?;
        self.join()
    }
}

impl Write for Piped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.chunk.extend_from_slice(buf);
        if self.chunk.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    /// The thread writes in its own time; [`Piped::finish`] waits for it.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Piped {
    fn drop(&mut self) {
        // The file (and so its temporary name) goes with the thread's result.
        let _ = self.join();
    }
}
