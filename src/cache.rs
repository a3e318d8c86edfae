//! The result cache: each file's facts, kept on disk between runs so that an unchanged file is
//! not parsed and lowered again.
//!
//! What lowering one file gives depends on its bytes, its language, the build of tenantlint
//! that lowered it, the configuration's `[sources]`, `[sanitizers]` and `[checks]`, and
//! whether the functions and methods it calls are defined in the project (only calls to them
//! are summarised). The cache is a file `.tenantlint_cache/facts-KEY.bin` beside the
//! configuration, `KEY` naming the build and the configuration it was written under (which it
//! also holds, checked on reading), with, per file, the facts (postcard, LZ4-compressed) keyed
//! by a hash of the language and the bytes. Configurations that share a directory keep a file
//! each; the four most recently used files of each kind are kept. The facts carry
//! the answers their lowering got about the project's names ([`FileFacts::names_asked`]): an
//! entry whose answers no longer hold (a function it calls was added or removed elsewhere) is
//! a miss, the other files stay cached. A cache written under another key (another build,
//! another configuration) is not read: all its entries would be stale. The project pass and
//! the rules always run, so a report is the same with and without the cache.
//!
//! Beside it, `sql-KEY.bin` keeps what parsing and analysing each rendered query text gave, keyed
//! by the text, its dialect and its placeholders, under the build and the tenant policy
//! (`[tenant]`): the rules still run on every query, but a text already seen is not parsed
//! again.
//!
//! The file starts with a magic number and the format version and ends with a checksum of what
//! is between: a cache that is truncated, corrupt, or written by something else is ignored
//! (and replaced), never trusted.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

use crate::config::TenantConfig;
use crate::discover::Lang;
use crate::facts::FileFacts;
use crate::lang::{FrontendOptions, ProjectNames};

/// The directory beside the configuration.
pub const CACHE_DIR: &str = ".tenantlint_cache";
/// The kinds of cache file: `facts-KEY.bin` and `sql-KEY.bin`, `KEY` naming the build and
/// configuration they were written under, so that configurations sharing a directory do not
/// replace each other's cache. `facts.bin` and `sql.bin`, the names of earlier builds, are
/// still recognised as a cache's (and removed).
const CACHE_FILE: &str = "facts";
const SQL_FILE: &str = "sql";
/// Cache files of one kind kept in a directory: the most recently used.
const KEEP: usize = 4;
const MAGIC: &[u8; 8] = b"TLFACTS\0";
/// Bumped whenever the layout of the file (not of the facts: the build is in the key) changes.
const FORMAT: u32 = 2;

/// One cache file as a run sees it: what was read at the start, and what this run will write.
struct Store {
    dir: PathBuf,
    /// The kind of file ([`CACHE_FILE`], [`SQL_FILE`]).
    kind: &'static str,
    /// The file's name in `dir`.
    file: String,
    key: u128,
    /// The cache file as read.
    data: Vec<u8>,
    /// Entries read from disk, by entry key: where in `data` they are.
    stored: HashMap<u128, std::ops::Range<usize>>,
    /// Entries made by this run, written by [`Store::save`] with the stored entries this run
    /// read.
    fresh: Mutex<Vec<(u128, Vec<u8>)>>,
    /// The keys of the stored entries this run read.
    hits: Mutex<Vec<u128>>,
    /// Whether anything differs from what is on disk (a miss, or stored entries unused).
    dirty: std::sync::atomic::AtomicBool,
}

impl Store {
    /// The file of kind `kind` in `dir` for `key`, if it is whole and was written under
    /// `key`; else empty.
    fn open(dir: &Path, kind: &'static str, key: u128) -> Store {
        let file = format!("{kind}-{:016x}.bin", key as u64);
        let (data, stored) = read(&dir.join(&file), key).unwrap_or_default();
        Store {
            dir: dir.to_path_buf(),
            kind,
            file,
            key,
            data,
            stored,
            fresh: Mutex::new(Vec::new()),
            hits: Mutex::new(Vec::new()),
            dirty: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The entry stored for `key`, if any.
    fn get(&self, key: u128) -> Option<&[u8]> {
        self.stored
            .get(&key)
            .and_then(|range| self.data.get(range.clone()))
    }

    /// Keep the entry read for `key` for the next run.
    fn keep(&self, key: u128) {
        if let Ok(mut hits) = self.hits.lock() {
            hits.push(key);
        }
    }

    /// Remember `bytes` for `key`, made by this run.
    fn put(&self, key: u128, bytes: Vec<u8>) {
        self.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut fresh) = self.fresh.lock() {
            fresh.push((key, bytes));
        }
    }

    /// Write this run's entries (only they: entries no longer used go), if they differ from
    /// what was read. The directory is created with a `.gitignore` that keeps it out of
    /// version control.
    fn save(self) -> std::io::Result<()> {
        let mut hits = self.hits.into_inner().unwrap_or_default();
        hits.sort_unstable();
        hits.dedup();
        let unchanged = !self.dirty.load(std::sync::atomic::Ordering::Relaxed)
            && hits.len() == self.stored.len();
        if unchanged {
            // Used, so among the files kept (see `prune`); nothing else to write.
            let _ = std::fs::File::options()
                .write(true)
                .open(self.dir.join(&self.file))
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            return Ok(());
        }
        let fresh = self.fresh.into_inner().unwrap_or_default();
        let mut entries: Vec<(u128, &[u8])> =
            fresh.iter().map(|(k, b)| (*k, b.as_slice())).collect();
        entries.extend(hits.iter().filter_map(|k| {
            let range = self.stored.get(k)?.clone();
            Some((*k, self.data.get(range)?))
        }));
        entries.sort_by_key(|(k, _)| *k);
        entries.dedup_by_key(|(k, _)| *k);
        // Never write into a directory that holds anything but a cache (`--cache-dir .`).
        cache_files(&self.dir)?;
        let created = !self.dir.exists();
        std::fs::create_dir_all(&self.dir)?;
        let ignore = self.dir.join(".gitignore");
        if created {
            std::fs::write(&ignore, "# Written by tenantlint: its result cache.\n*\n")?;
        }
        let payload = postcard::to_stdvec(&(self.key, &entries)).map_err(std::io::Error::other)?;
        let mut bytes = Vec::with_capacity(payload.len() + 20);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        bytes.extend_from_slice(&payload);
        bytes.extend_from_slice(&xxh3_64(&payload).to_le_bytes());
        // Written aside and renamed: a run cut short, or two runs at once, never leave half a
        // file where the cache is read.
        let temp = self
            .dir
            .join(format!("{}.{}.tmp", self.file, std::process::id()));
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&bytes)?;
        drop(file);
        std::fs::rename(&temp, self.dir.join(&self.file)).inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })?;
        prune(&self.dir, self.kind, &self.file)
    }
}

/// Remove the files of kind `kind` in `dir` but `file` beyond the [`KEEP`] most recently used
/// (written under other builds or configurations), and the file of earlier builds' name.
fn prune(dir: &Path, kind: &str, file: &str) -> std::io::Result<()> {
    // Another run may be pruning too: a file already gone is no error.
    let gone = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => Ok(()),
        _ => Err(e),
    };
    let mut others: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for path in cache_files(dir)?.unwrap_or_default() {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let Some(name) = name.filter(|n| n != file) else {
            continue;
        };
        if name == format!("{kind}.bin") {
            std::fs::remove_file(&path).or_else(gone)?;
        } else if file_kind(&name) == Some((kind, false)) {
            match std::fs::metadata(&path).and_then(|m| m.modified()) {
                Ok(used) => others.push((used, path)),
                Err(e) => gone(e)?,
            }
        }
    }
    others.sort_by_key(|(used, _)| std::cmp::Reverse(*used));
    for (_, path) in others.into_iter().skip(KEEP - 1) {
        std::fs::remove_file(path).or_else(gone)?;
    }
    Ok(())
}

/// The kind of cache file `name` is, and whether it is one being written (`.tmp`); `None` for
/// a name no cache file has.
fn file_kind(name: &str) -> Option<(&'static str, bool)> {
    [CACHE_FILE, SQL_FILE].into_iter().find_map(|kind| {
        let rest = name.strip_prefix(kind)?;
        let (rest, temp) = match rest.find(".bin.") {
            Some(at) if rest.ends_with(".tmp") => (&rest[..at + 4], true),
            _ => (rest, false),
        };
        let keyed = rest
            .strip_prefix('-')
            .and_then(|r| r.strip_suffix(".bin"))
            .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        (keyed || rest == ".bin").then_some((kind, temp))
    })
}

/// One run's view of the facts cache.
pub struct FactsCache {
    store: Store,
    /// The functions and methods the project defines in this run: an entry holds if its
    /// file's lowering would be told the same about every name it asked of.
    names: Arc<ProjectNames>,
}

impl FactsCache {
    /// Open the cache in `dir` (the `.tenantlint_cache` directory) for a run lowering with
    /// `options` and the project's `names` (see [`FactsCache::get`]). A missing, unreadable, corrupt or foreign cache
    /// opens empty. `None` when this build cannot be told apart from another one (its
    /// executable cannot be found): nothing is cached then.
    pub fn open(
        dir: &Path,
        options: &FrontendOptions,
        names: Arc<ProjectNames>,
    ) -> Option<FactsCache> {
        let key = run_key(options)?;
        Some(FactsCache {
            store: Store::open(dir, CACHE_FILE, key),
            names,
        })
    }

    /// The key of one file: its language and bytes.
    pub fn file_key(lang: Lang, bytes: &[u8]) -> u128 {
        let mut h = Xxh3::new();
        h.update(&[lang as u8]);
        h.update(bytes);
        h.digest128()
    }

    /// The facts stored for `key`, if any, decodable, and lowered under the same answers about
    /// the project's names as this run would give (whether each function or method the file
    /// calls is defined); kept for the next run.
    pub fn get(&self, key: u128) -> Option<FileFacts> {
        // The answers come first, read in place: an entry they rule out is not decompressed.
        let (answers, packed): (Vec<(bool, &str, bool)>, &[u8]) =
            postcard::from_bytes(self.store.get(key)?).ok()?;
        let holds = answers
            .iter()
            .all(|(method, name, defined)| self.names.defines(*method, name) == *defined);
        if !holds {
            return None;
        }
        let encoded = decompress(packed)?;
        // The packed lists inside are decoded where they are read, which reports any that
        // cannot be (the file's checksum rules out all but deliberate tampering).
        let mut facts = postcard::from_bytes::<FileFacts>(&encoded).ok()?;
        share_texts(&mut facts);
        self.store.keep(key);
        Some(facts)
    }

    /// Remember `facts`, just lowered, for `key`.
    pub fn put(&self, key: u128, facts: &FileFacts) {
        let Ok(encoded) = postcard::to_stdvec(facts) else {
            return;
        };
        // Facts repeat their strings: compressed, the cache is about a fifth of the size, to
        // read and to hold while a run reads it.
        let packed = lz4_flex::compress_prepend_size(&encoded);
        let answers: Vec<(bool, &str, bool)> = facts
            .names_asked
            .iter()
            .map(|a| (a.method, &*a.name, a.defined))
            .collect();
        if let Ok(mut entry) = postcard::to_stdvec(&(answers, Bytes(&packed))) {
            // Held until the cache is saved: it must not keep the room it grew into.
            entry.shrink_to_fit();
            self.store.put(key, entry);
        }
    }

    /// Write this run's entries (only they: entries of files deleted or changed since go), if
    /// they differ from what was read.
    pub fn save(self) -> std::io::Result<()> {
        self.store.save()
    }
}

/// One run's view of the SQL cache: what parsing and analysing each query text gave
/// ([`crate::sql::query::parse_and_analyze`]), which depends only on the text, where its
/// placeholders stand, the build and the tenant policy. Kept apart from the facts, it outlives
/// a change to the project's functions.
pub struct SqlCache {
    store: Store,
}

impl SqlCache {
    /// Open the SQL cache in `dir` for a run under the tenant policy `tenant` (all the
    /// configuration the analysis of a query text reads). `None` as for [`FactsCache::open`].
    pub fn open(dir: &Path, tenant: &TenantConfig) -> Option<SqlCache> {
        let key = build_key(&format!("sql\n{tenant:?}"))?;
        Some(SqlCache {
            store: Store::open(dir, SQL_FILE, key),
        })
    }

    /// What the query text keyed `key` ([`crate::sql::query::memo_key`]) gave last time.
    pub fn get(&self, key: u128) -> Option<crate::sql::query::Analysed> {
        let analysed = postcard::from_bytes(self.store.get(key)?).ok()?;
        self.store.keep(key);
        Some(analysed)
    }

    /// Remember what the query text keyed `key` gave.
    pub fn put(&self, key: u128, analysed: &crate::sql::query::Analysed) {
        if let Ok(bytes) = postcard::to_stdvec(analysed) {
            self.store.put(key, bytes);
        }
    }

    /// Write this run's entries, if they differ from what was read.
    pub fn save(self) -> std::io::Result<()> {
        self.store.save()
    }
}

/// Bytes serialized as bytes (postcard writes them in one piece; a slice would go byte by
/// byte, with the same result). Read back as `&[u8]`.
struct Bytes<'a>(&'a [u8]);

impl serde::Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// Lowering shares the text of a piece of SQL between the places that hold it (a query and
/// the call that passes it on); decoding makes a copy for each. Shared again here, a file's
/// facts from the cache take no more memory than fresh ones.
fn share_texts(facts: &mut FileFacts) {
    let mut seen: std::collections::HashSet<std::sync::Arc<str>> = Default::default();
    // (The sites are kept packed: they are unpacked a file at a time where they are read.)
    let templates = facts
        .fragment_calls
        .iter_mut()
        .flat_map(|c| c.args.iter_mut().flatten())
        .chain(
            facts
                .param_defaults
                .iter_mut()
                .flat_map(|d| d.value.iter_mut()),
        );
    for piece in templates.flatten() {
        if let crate::facts::Piece::Text { text, .. } = piece {
            match seen.get(&**text) {
                Some(shared) => *text = shared.clone(),
                None => {
                    seen.insert(text.clone());
                }
            }
        }
    }
}

/// An entry's facts, decompressed; `None` for an entry whose stated size LZ4 could not have
/// compressed into its length (never a huge allocation on a forged entry).
fn decompress(entry: &[u8]) -> Option<Vec<u8>> {
    let (size, compressed) = entry.split_first_chunk::<4>()?;
    let size = u32::from_le_bytes(*size) as usize;
    if size > compressed.len().saturating_mul(255).saturating_add(64) {
        return None;
    }
    lz4_flex::decompress(compressed, size).ok()
}

/// The cache directory of a project whose configuration's directory is `root`.
pub fn dir_for(root: &Path) -> PathBuf {
    root.join(CACHE_DIR)
}

/// Remove the cache directory `dir`; whether there was one. Only what a cache holds is
/// removed: a directory holding anything else (`--cache-dir` named the wrong one) is an error,
/// and nothing in it is touched.
pub fn clean(dir: &Path) -> std::io::Result<bool> {
    let Some(ours) = cache_files(dir)? else {
        return Ok(false);
    };
    for file in ours {
        std::fs::remove_file(file)?;
    }
    std::fs::remove_dir(dir)?;
    Ok(true)
}

/// The files of the cache directory `dir` (`None` if there is none), or an error if it holds
/// anything a cache does not.
fn cache_files(dir: &Path) -> std::io::Result<Option<Vec<PathBuf>>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut ours = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_ours = name == ".gitignore" || file_kind(&name).is_some();
        if !is_ours || !entry.file_type()?.is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} is not a tenantlint cache (it holds `{name}`); nothing was written or removed",
                    dir.display()
                ),
            ));
        }
        ours.push(entry.path());
    }
    Ok(Some(ours))
}

/// Everything lowering depends on but a file's own bytes and the project's names: the build and
/// the options.
fn run_key(options: &FrontendOptions) -> Option<u128> {
    let mut text = String::new();
    let lists = [
        &options.host_sources,
        &options.tenant_params,
        &options.sanitizers,
        &options.never_return,
        &options.guards,
    ];
    for list in lists {
        text.push_str(&format!("{list:?}\n"));
    }
    build_key(&text)
}

/// A key of this build (version, and the executable's size and time) and of `rest`; `None`
/// when the executable cannot be found.
fn build_key(rest: &str) -> Option<u128> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let text = format!(
        "{} {} {} {}\n{rest}",
        env!("CARGO_PKG_VERSION"),
        FORMAT,
        meta.len(),
        modified.as_nanos()
    );
    Some(xxh3_128(text.as_bytes()))
}

/// The cache file at `path`, and where each entry's facts are in it, if it is whole and was
/// written under `key`.
type Entries = (Vec<u8>, HashMap<u128, std::ops::Range<usize>>);
fn read(path: &Path, key: u128) -> Option<Entries> {
    let bytes = std::fs::read(path).ok()?;
    let body = bytes.strip_prefix(MAGIC.as_slice())?;
    let (format, body) = body.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*format) != FORMAT || body.len() < 8 {
        return None;
    }
    let (payload, sum) = body.split_at(body.len() - 8);
    if xxh3_64(payload).to_le_bytes() != sum {
        return None;
    }
    let (stored_key, entries): (u128, Vec<(u128, &[u8])>) = postcard::from_bytes(payload).ok()?;
    if stored_key != key {
        return None;
    }
    // Each entry borrows from `bytes`: kept as its offset in it.
    let base = bytes.as_ptr() as usize;
    let index = entries
        .into_iter()
        .map(|(k, slice)| {
            let start = slice.as_ptr() as usize - base;
            (k, start..start + slice.len())
        })
        .collect();
    Some((bytes, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts_with_error(message: &str) -> FileFacts {
        FileFacts {
            analysis_errors: vec![(crate::facts::Span::new(1, 2), message.to_string())],
            ..FileFacts::default()
        }
    }

    fn open(dir: &Path) -> FactsCache {
        FactsCache::open(dir, &FrontendOptions::default(), Arc::default())
            .expect("the test binary has an executable")
    }

    #[test]
    fn facts_saved_are_read_back_by_the_next_run() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache_dir = dir.path().join(CACHE_DIR);
        let key = FactsCache::file_key(Lang::Php, b"<?php echo 1;");
        let cache = open(&cache_dir);
        assert!(cache.get(key).is_none());
        cache.put(key, &facts_with_error("kept"));
        cache.save().expect("saved");
        assert!(cache_dir.join(".gitignore").is_file());
        let cache = open(&cache_dir);
        let facts = cache.get(key).expect("a hit");
        assert_eq!(facts.analysis_errors[0].1, "kept");
        // The same bytes in another language are another file.
        assert!(cache
            .get(FactsCache::file_key(Lang::Rust, b"<?php echo 1;"))
            .is_none());
    }

    #[test]
    fn a_corrupt_or_foreign_cache_is_ignored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache_dir = dir.path().join(CACHE_DIR);
        let key = FactsCache::file_key(Lang::Php, b"x");
        let cache = open(&cache_dir);
        let file = cache_dir.join(&cache.store.file);
        cache.put(key, &facts_with_error("kept"));
        cache.save().expect("saved");
        let good = std::fs::read(&file).expect("written");

        // One flipped byte in the payload: the checksum no longer matches.
        let mut flipped = good.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x55;
        std::fs::write(&file, &flipped).expect("write");
        assert!(open(&cache_dir).get(key).is_none());

        // Truncated, empty, or not a cache at all.
        for bytes in [&good[..good.len() - 3], &[][..], &b"not a cache"[..]] {
            std::fs::write(&file, bytes).expect("write");
            assert!(open(&cache_dir).get(key).is_none());
        }

        // Written under another key (another configuration): not read.
        std::fs::write(&file, &good).expect("write");
        let other = FrontendOptions {
            tenant_params: vec!["store".into()],
            ..FrontendOptions::default()
        };
        let cache = FactsCache::open(&cache_dir, &other, Arc::default()).expect("open");
        assert!(cache.get(key).is_none());
        // Even under the other configuration's file name: the key inside is checked.
        std::fs::write(cache_dir.join(&cache.store.file), &good).expect("write");
        let cache = FactsCache::open(&cache_dir, &other, Arc::default()).expect("open");
        assert!(cache.get(key).is_none());
        assert!(open(&cache_dir).get(key).is_some());
    }

    /// Configurations sharing a directory keep a file each; beyond the most recently used
    /// few, the oldest go, and so does the single file of earlier builds.
    #[test]
    fn each_configuration_keeps_its_own_file_and_the_least_used_go() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache_dir = dir.path().join(CACHE_DIR);
        std::fs::create_dir_all(&cache_dir).expect("mkdir");
        std::fs::write(cache_dir.join("facts.bin"), b"an earlier build's").expect("write");
        let key = FactsCache::file_key(Lang::Php, b"x");
        let config = |n: usize| FrontendOptions {
            tenant_params: vec![format!("param{n}")],
            ..FrontendOptions::default()
        };
        let mut files = Vec::new();
        for n in 0..KEEP + 2 {
            let cache = FactsCache::open(&cache_dir, &config(n), Arc::default()).expect("open");
            files.push(cache.store.file.clone());
            cache.put(key, &facts_with_error("kept"));
            cache.save().expect("saved");
            // Modification times a coarse clock still orders.
            let file = std::fs::File::options()
                .write(true)
                .open(cache_dir.join(&files[n]))
                .expect("open");
            let then =
                std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(n as u64 * 60);
            file.set_modified(then).expect("set time");
        }
        let mut left: Vec<String> = std::fs::read_dir(&cache_dir)
            .expect("read dir")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n != ".gitignore")
            .collect();
        left.sort();
        let mut newest = files[files.len() - KEEP..].to_vec();
        newest.sort();
        assert_eq!(left, newest);
        // The files kept are read back, each under its own configuration.
        let n = KEEP + 1;
        let cache = FactsCache::open(&cache_dir, &config(n), Arc::default()).expect("open");
        assert!(cache.get(key).is_some());
    }

    /// An entry holds while the project's names give the answers its lowering got: a function
    /// defined or removed elsewhere invalidates only the files that asked about its name.
    #[test]
    fn an_entry_holds_while_the_names_it_asked_about_keep_their_answers() {
        use crate::facts::NameAnswer;
        let dir = tempfile::tempdir().expect("temp dir");
        let cache_dir = dir.path().join(CACHE_DIR);
        let answer = |method: bool, name: &str, defined: bool| NameAnswer {
            method,
            name: name.into(),
            defined,
        };
        let asked = FactsCache::file_key(Lang::Php, b"asked");
        let other = FactsCache::file_key(Lang::Php, b"other");
        let cache = open(&cache_dir);
        cache.put(
            asked,
            &FileFacts {
                names_asked: vec![
                    answer(false, "get_store", false),
                    answer(true, "save", true),
                ],
                ..FileFacts::default()
            },
        );
        cache.put(other, &FileFacts::default());
        cache.save().expect("saved");
        let with = |functions: &[&str], methods: &[&str]| {
            let mut names = ProjectNames::default();
            names
                .functions
                .extend(functions.iter().map(|f| f.to_string()));
            names.methods.extend(methods.iter().map(|m| m.to_string()));
            FactsCache::open(&cache_dir, &FrontendOptions::default(), Arc::new(names))
                .expect("open")
        };
        // The answers of the run that wrote it, and names it never asked about.
        let cache = with(&["money"], &["save", "load"]);
        assert!(cache.get(asked).is_some());
        // `get_store` is now a function; a method of that name would not be.
        assert!(with(&["get_store"], &["save"]).get(asked).is_none());
        assert!(with(&[], &["save", "get_store"]).get(asked).is_some());
        // `save` is no longer a method; a function of that name would not be one.
        assert!(with(&["save"], &[]).get(asked).is_none());
        assert!(with(&["get_store"], &[]).get(other).is_some());
    }

    #[test]
    fn packed_calls_are_read_back() {
        use crate::facts::{CallFact, FnKey, Span};
        let dir = tempfile::tempdir().expect("temp dir");
        let cache_dir = dir.path().join(CACHE_DIR);
        let good = FactsCache::file_key(Lang::Php, b"good");
        let mut facts = FileFacts {
            calls: vec![CallFact {
                callee: FnKey::from("list_orders"),
                span: Span::new(3, 9),
                args: vec![vec![]],
                in_function: None,
            }]
            .into(),
            ..FileFacts::default()
        };
        facts.pack();
        let cache = open(&cache_dir);
        cache.put(good, &facts);
        cache.save().expect("saved");
        let cache = open(&cache_dir);
        let read = cache.get(good).expect("a hit");
        let calls = read.calls.items().expect("readable");
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].span, Span::new(3, 9));
    }

    #[test]
    fn texts_shared_when_lowered_are_shared_when_read_back() {
        use crate::facts::{FnKey, FragmentCall, Piece, SqlSite};
        let text: std::sync::Arc<str> = "select * from iw_order".into();
        let piece = Piece::Text {
            text: text.clone(),
            src: 10,
            linear: true,
        };
        let mut facts = FileFacts {
            sites: vec![SqlSite {
                exec: crate::facts::Span::new(0, 30),
                variants: vec![vec![piece.clone()]],
                capped: false,
                function: None,
                dialect: Default::default(),
                params: Vec::new(),
            }]
            .into(),
            fragment_calls: vec![
                FragmentCall {
                    callee: FnKey::from("sql_query"),
                    args: vec![vec![vec![piece.clone()]]],
                },
                FragmentCall {
                    callee: FnKey::from("sql_fetch"),
                    args: vec![vec![vec![piece]]],
                },
            ],
            ..FileFacts::default()
        };
        facts.pack();
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = open(dir.path());
        cache.put(7, &facts);
        cache.save().expect("saved");
        let read = open(dir.path()).get(7).expect("a hit");
        let (Piece::Text { text: a, .. }, Piece::Text { text: b, .. }) = (
            &read.fragment_calls[0].args[0][0][0],
            &read.fragment_calls[1].args[0][0][0],
        ) else {
            panic!("texts expected");
        };
        assert_eq!(&**a, "select * from iw_order");
        assert!(std::sync::Arc::ptr_eq(a, b));
        // The sites stay packed, and read back whole.
        let sites = read.sites.items().expect("readable");
        assert_eq!(
            sites[0].variants[0][0],
            Piece::Text {
                text,
                src: 10,
                linear: true,
            }
        );
    }

    #[test]
    fn an_entry_stating_an_impossible_size_is_refused_without_allocating_it() {
        // 2 GB claimed for three bytes of LZ4: corrupt, not a 2 GB buffer.
        assert!(decompress(&[0, 0, 0, 0x80, 1, 2, 3]).is_none());
        assert!(decompress(&[1, 2]).is_none());
        let packed = lz4_flex::compress_prepend_size(b"select * from iw_order");
        assert_eq!(
            decompress(&packed).as_deref(),
            Some(&b"select * from iw_order"[..])
        );
    }

    #[test]
    fn clean_removes_the_directory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = open(&dir_for(dir.path()));
        cache.put(1, &FileFacts::default());
        cache.save().expect("saved");
        assert!(dir_for(dir.path()).is_dir());
        assert!(clean(&dir_for(dir.path())).expect("removed"));
        assert!(!dir_for(dir.path()).exists());
        assert!(!clean(&dir_for(dir.path())).expect("nothing to remove"));
        // A directory that is not a cache is left alone.
        let other = dir.path().join("home");
        std::fs::create_dir_all(other.join("src")).expect("mkdir");
        std::fs::write(other.join("notes.txt"), "keep").expect("write");
        std::fs::write(other.join(".gitignore"), "*").expect("write");
        let err = clean(&other).expect_err("not a cache");
        assert!(err.to_string().contains("not a tenantlint cache"), "{err}");
        assert!(other.join("notes.txt").is_file() && other.join(".gitignore").is_file());
    }
}
