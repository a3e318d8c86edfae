//! The process's memory: giving freed memory back to the system, and reading the peak resident
//! set size that `--stats` reports phase by phase.

/// Give the memory freed so far back to the system, when there is enough of it to matter:
/// glibc keeps freed memory in the arena of the thread that freed it, so each worker would
/// otherwise hold on to the largest tree it ever built, and a phase's garbage would stay
/// resident through the next one. Below [`TRIM_FROM`] free bytes nothing is done: the pages
/// given back would only be faulted in again, which costs a small run more time than the
/// memory is worth. Elsewhere a no-op.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallinfo` only reads the allocator's statistics and `malloc_trim` only returns
    // free memory of its arenas to the system; neither takes a pointer, and both are safe to
    // call from any thread at any time.
    unsafe {
        // `mallinfo`, not `mallinfo2` (glibc 2.33 and later only): its `int` fields wrap past
        // 2 GiB on older glibc and saturate on newer, both of which the unsigned reading below
        // tells from "little" correctly up to 4 GiB.
        let free = libc::mallinfo().fordblks as u32 as usize;
        if free >= TRIM_FROM {
            libc::malloc_trim(0);
        }
    }
}

/// Free bytes held by the allocator from which [`release_freed_memory`] gives them back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_FROM: usize = 48 << 20;

/// The largest resident set size the process has had so far, in bytes (`VmHWM` on Linux);
/// `None` where the system does not say.
pub fn peak_rss() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        parse_vm_hwm(&status)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// `VmHWM:    123456 kB` → bytes.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut words = line["VmHWM:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => Some(value * 1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_read_from_the_status_line_in_bytes() {
        let status = "Name:\ttenantlint\nVmPeak:\t  900 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 100 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(12345 * 1024));
        assert_eq!(parse_vm_hwm("VmRSS:\t 100 kB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM:\t 100 pages\n"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_peak_grows_with_memory_touched() {
        let before = peak_rss().expect("Linux reports VmHWM");
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let after = peak_rss().unwrap();
        assert!(after >= before + (32 << 20), "{before} -> {after}");
    }
}
