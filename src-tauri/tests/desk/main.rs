//! The desktop shell without a window: commands through the real IPC layer
//! (Tauri's mock runtime, the same `with_database` setup `main` uses) on a
//! temp database, the drift checks of what the command list and the Rust
//! types generate (TypeScript types and command map, docs/ipc.md) and of the
//! window's capability (`commands/capabilities.rs`), and the release check
//! of `tauri.conf.json`'s security settings.

mod bindings;
mod commands;
mod ipc;
mod release_check;
