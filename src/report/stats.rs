//! `--stats`: where a scan's time went, phase by phase, and how much of the tree the
//! front-end had to parse. Written to stderr, so that it never changes the report itself.

use std::time::Duration;

use super::model::ScanStats;
use super::scope::count;

/// The table `--stats` prints: one line per phase with its time and share of the total, then
/// the files parsed and skipped. `report` is the time the output took to render and write;
/// `total` the whole run's.
pub fn render(stats: &ScanStats, report: Duration, total: Duration) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let share = |d: Duration| {
        if total.is_zero() {
            0.0
        } else {
            100.0 * d.as_secs_f64() / total.as_secs_f64()
        }
    };
    let peaks = &stats.peaks;
    let phases = [
        ("discover, scan", stats.discover, peaks.discover),
        ("open the cache", stats.open_cache, peaks.open_cache),
        ("parse and lower", stats.parse, peaks.parse),
        ("project pass", stats.project, peaks.project),
        ("SQL and rules", stats.rules, peaks.rules),
        ("report", report, None),
    ];
    let mut out = String::from("tenantlint --stats\n");
    for (name, time, peak) in phases {
        out.push_str(&format!(
            "  {name:<16} {:>9.1} ms {:>5.1} %",
            ms(time),
            share(time)
        ));
        if let Some(peak) = peak {
            out.push_str(&format!("   peak {:>6.1} MB", peak as f64 / 1e6));
        }
        out.push('\n');
    }
    out.push_str(&format!("  {:<16} {:>9.1} ms\n", "total", ms(total)));
    let files = stats.files_parsed + stats.cache_hits + stats.files_not_parsed;
    out.push_str(&format!(
        "  {}, {:.1} MB read: {} parsed, {} from the cache",
        count(files, "file", "files"),
        stats.bytes as f64 / 1e6,
        stats.files_parsed,
        stats.cache_hits,
    ));
    if stats.files_not_parsed > 0 {
        out.push_str(&format!(", {} not parsed (binary)", stats.files_not_parsed));
    }
    out.push('\n');
    if !total.is_zero() {
        out.push_str(&format!(
            "  {:.1} MB/s, {:.0} files/s\n",
            stats.bytes as f64 / 1e6 / total.as_secs_f64(),
            files as f64 / total.as_secs_f64()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::PhasePeaks;

    #[test]
    fn every_phase_is_listed_with_its_share_of_the_total() {
        let stats = ScanStats {
            discover: Duration::from_millis(10),
            open_cache: Duration::from_millis(5),
            parse: Duration::from_millis(60),
            project: Duration::from_millis(5),
            rules: Duration::from_millis(15),
            files_parsed: 90,
            cache_hits: 10,
            files_not_parsed: 2,
            cache_error: None,
            bytes: 2_000_000,
            peaks: PhasePeaks {
                parse: Some(150_000_000),
                ..PhasePeaks::default()
            },
        };
        let text = render(&stats, Duration::from_millis(5), Duration::from_millis(100));
        assert!(
            text.contains("  parse and lower       60.0 ms  60.0 %   peak  150.0 MB\n"),
            "{text}"
        );
        assert!(
            text.contains("  report                 5.0 ms   5.0 %\n"),
            "{text}"
        );
        assert!(text.contains("  total                100.0 ms\n"), "{text}");
        assert!(
            text.contains(
                "102 files, 2.0 MB read: 90 parsed, 10 from the cache, 2 not parsed (binary)\n"
            ),
            "{text}"
        );
        assert!(text.contains("20.0 MB/s, 1020 files/s"), "{text}");
    }
}
