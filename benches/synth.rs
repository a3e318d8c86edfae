//! Synthetic-corpus benchmark: generates a reproducible multi-tenant PHP + Rust tree (about 85%
//! PHP, 15% Rust; see `synth/corpus.rs`), then measures, as whole processes so that peak RSS is
//! real, the parse-only floor (this executable re-run with `--floor DIR`: walk, read, tree-sitter
//! parse in parallel) and the real `tenantlint check DIR --format json`, alternating, and prints
//! the medians: files, MB, wall time, MB/s, files/s, peak RSS, and the ratio check / floor.
//!
//! `cargo bench --bench synth -- --files 2000 --seed 1 --rounds 5 [--linear]`
//!
//! * `--files N` (default 2000), `--seed S` (default 1): the corpus; the same pair writes the same
//!   bytes.
//! * `--rounds R` (default 5): measured rounds, after one warm-up round.
//! * `--linear`: also measure a corpus of 2N files (same seed) and print the ratios 2N / N.
//! * `--keep DIR`: write the corpus to DIR and keep it (default: a directory under `target/`,
//!   deleted afterwards).
//! * `--dir DIR` [`--config FILE`]: measure an existing tree instead of generating one.
//!
//! Each round runs the floor, `check --no-cache` (from cold) and `check` reading the result
//! cache an earlier run filled (the second run on an unchanged tree).

#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "synth/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tenantlint::discover::Lang;

struct Args {
    files: usize,
    seed: u64,
    rounds: usize,
    linear: bool,
    dir: Option<PathBuf>,
    keep: Option<PathBuf>,
    floor: Option<PathBuf>,
    config: Option<PathBuf>,
}

fn usage(msg: &str) -> ! {
    eprintln!("synth: {msg}");
    eprintln!(
        "usage: cargo bench --bench synth -- [--files N] [--seed S] [--rounds R] [--linear] [--keep DIR | --dir DIR [--config FILE]]"
    );
    std::process::exit(2);
}

fn parse_args() -> Args {
    let mut args = Args {
        files: 2000,
        seed: 1,
        rounds: 5,
        linear: false,
        dir: None,
        keep: None,
        floor: None,
        config: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .unwrap_or_else(|| usage(&format!("{name} needs a value")))
        };
        let number = |name: &str, v: String| -> u64 {
            v.parse()
                .unwrap_or_else(|_| usage(&format!("{name}: `{v}` is not a number")))
        };
        match a.as_str() {
            "--files" => args.files = number("--files", value("--files")) as usize,
            "--seed" => args.seed = number("--seed", value("--seed")),
            "--rounds" => args.rounds = (number("--rounds", value("--rounds")) as usize).max(1),
            "--linear" => args.linear = true,
            "--dir" => args.dir = Some(value("--dir").into()),
            "--keep" => args.keep = Some(value("--keep").into()),
            "--floor" => args.floor = Some(value("--floor").into()),
            "--config" => args.config = Some(value("--config").into()),
            // what `cargo bench` passes to every bench target
            "--bench" => {}
            other => usage(&format!("unknown argument `{other}`")),
        }
    }
    if args.files == 0 {
        usage("--files must be at least 1");
    }
    if args.dir.is_some() && args.keep.is_some() {
        usage("--dir and --keep exclude each other");
    }
    args
}

/// The source files under `dir`, walked as `check` walks them (the same skipped directories).
fn source_files(dir: &Path) -> Vec<(PathBuf, Lang)> {
    let mut files: Vec<(PathBuf, Lang)> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && matches!(
                        e.file_name().to_str(),
                        Some(".git" | "vendor" | "node_modules" | "target")
                    ))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| Lang::from_path(e.path()).map(|l| (e.into_path(), l)))
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// `--floor DIR`: read and parse every source file in parallel, drop the trees, and print
/// `FILES BYTES` for the parent.
fn floor(dir: &Path) {
    let files = source_files(dir);
    let (count, bytes, nodes) = files
        .par_iter()
        .map_init(
            tenantlint::lang::Parsers::default,
            |parsers, (path, lang)| {
                let bytes = std::fs::read(path).unwrap_or_default();
                let source = String::from_utf8_lossy(&bytes);
                let nodes = parsers
                    .get(*lang)
                    .and_then(|p| p.parse(source.as_bytes(), None))
                    .map(|t| t.root_node().child_count() as u64)
                    .unwrap_or(0);
                (1usize, bytes.len() as u64, nodes)
            },
        )
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    std::hint::black_box(nodes);
    println!("{count} {bytes}");
}

/// One child process: wall time, exit code, peak RSS in bytes (where the platform says).
struct Run {
    wall: Duration,
    code: i32,
    rss: Option<u64>,
    stdout: String,
    stderr: String,
}

fn run_child(mut cmd: Command, capture_stdout: bool) -> Run {
    use std::io::Read as _;
    cmd.stdin(Stdio::null()).stderr(Stdio::piped());
    cmd.stdout(if capture_stdout {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn the child process");
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)
            .expect("read the child's stdout");
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr)
            .expect("read the child's stderr");
    }
    let (code, rss) = wait(child);
    Run {
        wall: start.elapsed(),
        code,
        rss,
        stdout,
        stderr,
    }
}

#[cfg(unix)]
fn wait(child: std::process::Child) -> (i32, Option<u64>) {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child, which is not reaped yet.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // ru_maxrss is in kilobytes on Linux and the BSDs, in bytes on macOS.
    let unit = if cfg!(target_os = "macos") { 1 } else { 1024 };
    (code, Some(usage.ru_maxrss as u64 * unit))
}

#[cfg(not(unix))]
fn wait(mut child: std::process::Child) -> (i32, Option<u64>) {
    let status = child.wait().expect("wait for the child");
    (status.code().unwrap_or(-1), None)
}

fn floor_cmd(dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("the bench executable"));
    cmd.arg("--floor").arg(dir);
    cmd
}

/// `check` from cold (`--no-cache`), or reading the result cache a previous run filled.
fn check_cmd(dir: &Path, config: Option<&Path>, cached: bool) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenantlint"));
    cmd.arg("check").arg(dir).args(["--format", "json"]);
    if let Some(config) = config {
        cmd.arg("--config").arg(config);
    }
    if !cached {
        cmd.arg("--no-cache");
    }
    // not GitHub's format, whatever the environment says
    cmd.env_remove("TENANTLINT_FORMAT");
    cmd
}

fn ok_floor(run: &Run) {
    if run.code != 0 {
        panic!(
            "the parse-only floor failed (exit {}): {}",
            run.code, run.stderr
        );
    }
}

/// `check` exits 0 (clean) or 1 (findings); 2 means the run failed.
fn ok_check(run: &Run) {
    if run.code != 0 && run.code != 1 {
        panic!(
            "tenantlint check failed (exit {}): {}",
            run.code, run.stderr
        );
    }
}

fn median<T: Copy + Ord>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

/// Medians of one side.
#[derive(Clone, Copy)]
struct Side {
    wall: Duration,
    rss: Option<u64>,
}

struct Measured {
    files: usize,
    bytes: u64,
    floor: Side,
    check: Side,
    /// `check` again on the unchanged tree, its facts from the result cache.
    cached: Side,
}

fn measure(dir: &Path, config: Option<&Path>, rounds: usize) -> Measured {
    // Warm-up: page cache, and what the corpus is (files, bytes, findings).
    let warm = run_child(floor_cmd(dir), true);
    ok_floor(&warm);
    let mut it = warm.stdout.split_whitespace();
    let files: usize = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let bytes: u64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let warm = run_child(check_cmd(dir, config, false), true);
    ok_check(&warm);
    describe_report(&warm.stdout);
    // Fills the cache the cached rounds read.
    let fill = run_child(check_cmd(dir, config, true), true);
    ok_check(&fill);
    if fill.stdout != warm.stdout && !same_report(&fill.stdout, &warm.stdout) {
        panic!("check reported differently with the result cache");
    }

    let (mut fw, mut fr, mut cw, mut cr) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut kw, mut kr) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let f = run_child(floor_cmd(dir), false);
        ok_floor(&f);
        fw.push(f.wall);
        fr.extend(f.rss);
        let c = run_child(check_cmd(dir, config, false), false);
        ok_check(&c);
        cw.push(c.wall);
        cr.extend(c.rss);
        let k = run_child(check_cmd(dir, config, true), false);
        ok_check(&k);
        kw.push(k.wall);
        kr.extend(k.rss);
    }
    let side = |w: Vec<Duration>, r: Vec<u64>| Side {
        wall: median(w),
        rss: (!r.is_empty()).then(|| median(r)),
    };
    Measured {
        files,
        bytes,
        floor: side(fw, fr),
        check: side(cw, cr),
        cached: side(kw, kr),
    }
}

/// Two JSON reports say the same, the elapsed time aside.
fn same_report(a: &str, b: &str) -> bool {
    let parse = |s: &str| {
        serde_json::from_str::<serde_json::Value>(s)
            .ok()
            .map(|mut v| {
                if let Some(summary) = v["summary"].as_object_mut() {
                    summary.remove("elapsed_ms");
                }
                v
            })
    };
    parse(a).is_some() && parse(a) == parse(b)
}

/// One line on what `check` found, from its JSON summary.
fn describe_report(json: &str) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(json) else {
        println!("check: (the JSON report could not be read)");
        return;
    };
    let s = &v["summary"];
    let by_rule = s["by_rule"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    println!(
        "check found: {} SQL sites ({} unanalyzed), {} parse errors, {} findings ({by_rule})",
        s["sql_sites"], s["unanalyzed"], s["parse_errors"], s["findings"]
    );
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn print_table(m: &Measured, rounds: usize) {
    println!(
        "medians of {rounds} rounds, {} threads",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<18} {:>7} {:>8} {:>10} {:>8} {:>9} {:>12}",
        "", "files", "MB", "wall ms", "MB/s", "files/s", "peak RSS MB"
    );
    for (name, side) in [
        ("parse-only floor", m.floor),
        ("check", m.check),
        ("check, cached", m.cached),
    ] {
        let secs = side.wall.as_secs_f64();
        println!(
            "{:<18} {:>7} {:>8.2} {:>10.1} {:>8.1} {:>9.0} {:>12}",
            name,
            m.files,
            mb(m.bytes),
            secs * 1e3,
            mb(m.bytes) / secs,
            m.files as f64 / secs,
            side.rss
                .map_or("n/a".to_string(), |r| format!("{:.1}", r as f64 / 1e6)),
        );
    }
    print!(
        "ratio check / floor: time {:.2}x",
        m.check.wall.as_secs_f64() / m.floor.wall.as_secs_f64()
    );
    match (m.check.rss, m.floor.rss) {
        (Some(c), Some(f)) => println!(", peak RSS {:.2}x", c as f64 / f as f64),
        _ => println!(", peak RSS unavailable on this platform"),
    }
    println!(
        "ratio second run (cached) / first: time {:.2}x",
        m.cached.wall.as_secs_f64() / m.check.wall.as_secs_f64()
    );
}

/// A corpus directory that is deleted when dropped, unless it is kept.
struct Corpus {
    dir: PathBuf,
    keep: bool,
}

impl Drop for Corpus {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Cargo's target directory (it holds `CACHEDIR.TAG`), found from this executable.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|a| a.join("CACHEDIR.TAG").is_file())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn make_corpus(files: usize, seed: u64, keep: Option<&Path>) -> Corpus {
    let (dir, keep) = match keep {
        Some(d) => (d.to_path_buf(), true),
        None => (
            target_dir().join(format!(
                "synth-corpus/seed{seed}-files{files}-{}",
                std::process::id()
            )),
            false,
        ),
    };
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("clear the corpus directory");
    }
    let t = Instant::now();
    let w = corpus::generate(&dir, files, seed).expect("write the corpus");
    println!(
        "corpus: {} files ({} PHP, {} Rust), {:.2} MB, seed {seed}, written in {:.0} ms to {}{}",
        w.files(),
        w.php,
        w.rust,
        mb(w.bytes),
        t.elapsed().as_secs_f64() * 1e3,
        dir.display(),
        if keep {
            " (kept)"
        } else {
            " (deleted afterwards)"
        },
    );
    Corpus { dir, keep }
}

fn ratio_line(name: &str, small: Side, large: Side) {
    let t = large.wall.as_secs_f64() / small.wall.as_secs_f64();
    let mem = match (small.rss, large.rss) {
        (Some(s), Some(l)) => format!("{:.2}x", l as f64 / s as f64),
        _ => "unavailable".to_string(),
    };
    let verdict = |x: f64| if x <= 2.1 { "within" } else { "ABOVE" };
    let mem_verdict = match (small.rss, large.rss) {
        (Some(s), Some(l)) => verdict(l as f64 / s as f64),
        _ => "-",
    };
    println!(
        "  {name:<18} time {t:.2}x ({} 2.1x), peak RSS {mem} ({mem_verdict} 2.1x)",
        verdict(t)
    );
}

fn main() {
    let args = parse_args();
    if let Some(dir) = &args.floor {
        floor(dir);
        return;
    }
    if let Some(dir) = &args.dir {
        if !dir.is_dir() {
            usage(&format!("--dir {}: not a directory", dir.display()));
        }
        println!("corpus: {}", dir.display());
        let m = measure(dir, args.config.as_deref(), args.rounds);
        print_table(&m, args.rounds);
        return;
    }
    let small = make_corpus(args.files, args.seed, args.keep.as_deref());
    let m = measure(&small.dir, None, args.rounds);
    print_table(&m, args.rounds);
    if args.linear {
        let keep2 = args.keep.as_ref().map(|k| {
            let mut name = k.file_name().unwrap_or_default().to_os_string();
            name.push("-2x");
            k.with_file_name(name)
        });
        println!();
        let large = make_corpus(args.files * 2, args.seed, keep2.as_deref());
        let m2 = measure(&large.dir, None, args.rounds);
        print_table(&m2, args.rounds);
        println!();
        println!(
            "linearity, {} -> {} files ({:.2} -> {:.2} MB, {:.2}x the bytes):",
            m.files,
            m2.files,
            mb(m.bytes),
            mb(m2.bytes),
            m2.bytes as f64 / m.bytes as f64
        );
        ratio_line("check", m.check, m2.check);
        ratio_line("parse-only floor", m.floor, m2.floor);
    }
}
