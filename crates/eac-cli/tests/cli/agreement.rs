//! What `import` accepts, `validate` and `export` accept too, and the
//! other way round: a file is read as the profile it is, its own export
//! goes back in, and what one refuses the others refuse (decision 64).

#[allow(unused_imports)]
use super::*;
