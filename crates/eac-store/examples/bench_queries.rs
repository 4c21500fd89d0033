//! Times the browse queries on a database (run by `scripts/bench.sh`, not
//! shipped): what a person waits for when paging and filtering, in-process.
//!
//! `cargo run --release -p eac-store --example bench_queries -- DB [--repeat N] [--json]`
//! prints one line per query with the median of N runs (default 5).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use eac_model::{RetiredState, TechnologyType};
use eac_store::{BrowseQuery, EacFilter, Result, SortField, SortSpec, Store};
use serde::Serialize;

#[derive(Serialize)]
struct Timing {
    query: String,
    median_us: u128,
    rows: usize,
}

type Query = Box<dyn Fn(&Store) -> Result<usize>>;

fn page(sort: SortSpec, filter: EacFilter, offset: usize) -> BrowseQuery {
    BrowseQuery {
        filter,
        sort,
        offset,
        limit: 50,
    }
}

fn queries() -> Vec<(String, Query)> {
    let mut queries: Vec<(String, Query)> = Vec::new();
    for field in [
        SortField::EacNumber,
        SortField::TechnologyType,
        SortField::PeriodStart,
        SortField::PeriodEnd,
        SortField::Source,
        SortField::Destination,
        SortField::BeneficiaryType,
        SortField::Quantity,
        SortField::RetiredState,
        SortField::Issuance,
        SortField::CdsEacId,
        SortField::CdsModified,
    ] {
        let name = serde_json::to_value(field).unwrap();
        let name = name.as_str().unwrap();
        let q = page(
            SortSpec {
                field,
                descending: false,
            },
            EacFilter::default(),
            0,
        );
        queries.push((
            format!("first page by {name}"),
            Box::new(move |s| s.browse(&q).map(|r| r.len())),
        ));
    }
    let deep = page(SortSpec::default(), EacFilter::default(), 50_000);
    queries.push((
        "page at offset 50000 by eac_number".into(),
        Box::new(move |s| s.browse(&deep).map(|r| r.len())),
    ));
    let search = EacFilter {
        search: Some("CUST-0123".into()),
        ..Default::default()
    };
    let by_quantity_desc = SortSpec {
        field: SortField::Quantity,
        descending: true,
    };
    let q = page(by_quantity_desc, search.clone(), 0);
    queries.push((
        "search \"CUST-0123\", first page by quantity:desc".into(),
        Box::new(move |s| s.browse(&q).map(|r| r.len())),
    ));
    queries.push((
        "search \"CUST-0123\", count + totals".into(),
        Box::new(move |s| s.summary(&search).map(|r| r.count)),
    ));
    let filtered = EacFilter {
        technology: Some(TechnologyType::Wind),
        retired: Some(RetiredState::Partly),
        from: Some("2024-01-01".into()),
        to: Some("2024-12-31".into()),
        ..Default::default()
    };
    let q = page(SortSpec::default(), filtered.clone(), 0);
    queries.push((
        "wind, partly retired, 2024: first page".into(),
        Box::new(move |s| s.browse(&q).map(|r| r.len())),
    ));
    queries.push((
        "wind, partly retired, 2024: count + totals".into(),
        Box::new(move |s| s.summary(&filtered).map(|r| r.count)),
    ));
    queries.push((
        "all EACs: count + totals".into(),
        Box::new(|s| s.summary(&EacFilter::default()).map(|r| r.count)),
    ));
    queries
}

fn main() -> ExitCode {
    let mut db: Option<PathBuf> = None;
    let (mut repeat, mut json) = (5usize, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--repeat" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => repeat = n,
                None => return usage("--repeat needs a number"),
            },
            _ if db.is_none() && !arg.starts_with('-') => db = Some(arg.into()),
            other => return usage(&format!("unexpected argument `{other}`")),
        }
    }
    let Some(db) = db else {
        return usage("name the database");
    };
    match run(&db, repeat, json) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "bench_queries: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    let _ = writeln!(
        std::io::stderr(),
        "bench_queries: {problem}\nusage: bench_queries DB [--repeat N] [--json]"
    );
    ExitCode::from(2)
}

fn run(
    db: &std::path::Path,
    repeat: usize,
    json: bool,
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let store = Store::open_read(db)?;
    let mut timings = Vec::new();
    for (name, query) in queries() {
        let mut times: Vec<Duration> = Vec::new();
        let mut rows = 0;
        for _ in 0..repeat.max(1) {
            let start = Instant::now();
            rows = query(&store)?;
            times.push(start.elapsed());
        }
        times.sort();
        timings.push(Timing {
            query: name,
            median_us: times[times.len() / 2].as_micros(),
            rows,
        });
    }
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &timings)?;
        writeln!(out)?;
        return Ok(());
    }
    let width = timings
        .iter()
        .map(|t| t.query.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(out, "{:<width$}  {:>12}  {:>5}", "QUERY", "MEDIAN", "ROWS")?;
    for t in &timings {
        let median = format!("{}.{:03} ms", t.median_us / 1000, t.median_us % 1000);
        writeln!(out, "{:<width$}  {median:>12}  {:>5}", t.query, t.rows)?;
    }
    Ok(())
}
