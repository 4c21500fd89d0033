//! Cross-crate tests of EAC Desk, one binary: the digest's rules (§d) case by
//! case, the working group's examples, round trips through the store, and
//! all-or-nothing imports and exports, sample data through the store, and
//! registry documents read, completed, exported and checked for double counting,
//! and evidence packs made, verified, tampered with and compared with the database.
//! Fixtures live in `tests/fixtures/`. `drift` guards `ui/TESTIDS.md` against the UI.

mod atomicity;
mod drift;
mod examples;
mod p2;
mod pack;
mod periods;
mod registry;
mod round_trip;
mod rules;
mod sample;
