//! Reads a P1 listing as an import does (every rule, nothing stored) and
//! prints how many EACs and values were valid and the time taken: the
//! reading thread's share of an import, alone (issue 16,
//! docs/benchmarks.md). `cargo run --release -p eac-model --example
//! read_listing -- FILE [RUNS]`.

use std::time::Instant;

use eac_model::{read_listing, CheckOptions, EacRead, Flow};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: read_listing FILE [RUNS]");
    let runs: usize = args
        .next()
        .map_or(1, |r| r.parse().expect("RUNS: a number"));
    for _ in 0..runs {
        let started = Instant::now();
        let file = std::fs::File::open(&path).expect("the listing opens");
        let (mut valid, mut values, mut invalid) = (0usize, 0usize, 0usize);
        read_listing(file, CheckOptions::import(), |_, read| {
            match read {
                EacRead::Valid { eac, .. } => {
                    valid += 1;
                    values += eac.values.len();
                }
                _ => invalid += 1,
            }
            Flow::Continue
        })
        .expect("the listing reads");
        println!(
            "{valid} valid EACs ({values} values), {invalid} not: {:.3} s",
            started.elapsed().as_secs_f64()
        );
    }
}
