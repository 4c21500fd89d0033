//! P2 bundles and packs in folders whose names hold any character, and
//! schema errors that quote the file as written.

#[allow(unused_imports)]
use super::*;
