//! The desktop shell without a window: commands through the real IPC layer
//! (Tauri's mock runtime, the same `with_database` setup `main` uses) on a
//! temp database, and the drift check of the generated TypeScript types.

mod bindings;
mod commands;
