//! Side-by-side benchmark: a tree-sitter parse-only pass versus a full `check`, over the same
//! files, in the same process and run, alternating A and B. Prints medians and the ratio.
//!
//! `cargo bench --bench scan -- <DIR> [ROUNDS]` (default: `fixtures/infoway`, 7 rounds).

#![allow(clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = PathBuf::from(
        args.first()
            .map(String::as_str)
            .unwrap_or("fixtures/infoway"),
    );
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(7);
    let config = tenantlint::config::Config::discover(&dir).expect("config");
    let files = tenantlint::discover::discover(std::slice::from_ref(&dir), &config).files;
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();

    let parse_only = || {
        files
            .par_iter()
            .map_init(tenantlint::lang::php_parser, |parser, f| {
                let parser = parser.as_mut().expect("grammar");
                let bytes = f.bytes.unpack().unwrap_or_default();
                let source = String::from_utf8_lossy(&bytes);
                parser
                    .parse(source.as_bytes(), None)
                    .map(|t| t.root_node().child_count() as u64)
                    .unwrap_or(0)
            })
            .sum::<u64>()
    };
    let check = || {
        tenantlint::engine::scan(std::slice::from_ref(&dir), &config)
            .findings
            .len()
    };

    // Warm the page cache and the thread pool.
    parse_only();
    check();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(parse_only());
        a.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(check());
        b.push(t.elapsed());
    }
    let (ma, mb) = (median(a), median(b));
    println!(
        "{} files, {:.1} MB, {} rounds, {} threads",
        files.len(),
        bytes as f64 / 1e6,
        rounds,
        rayon::current_num_threads()
    );
    println!(
        "parse-only (read + tree-sitter) median: {:>8.1} ms",
        ma.as_secs_f64() * 1e3
    );
    println!(
        "full check (walk + read + all stages) median: {:>8.1} ms",
        mb.as_secs_f64() * 1e3
    );
    println!(
        "ratio check / parse-only: {:.2}",
        mb.as_secs_f64() / ma.as_secs_f64()
    );
}
