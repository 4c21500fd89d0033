//! The desktop shell without a window: commands through the real IPC layer
//! (Tauri's mock runtime, the same `with_database` setup `main` uses) on a
//! temp database, and the drift checks of what the command list and the
//! Rust types generate (TypeScript types and command map, docs/ipc.md).

mod bindings;
mod commands;
mod ipc;
