//! Files: a cache directory on the local filesystem, one file per key (format and naming in
//! [`super::file_entry`]). An eviction [`Policy`] keeps the bytes of entry files within the
//! capacity; evicted entries are deleted. On start the index is rebuilt from the directory, so
//! the cache survives a restart.
//!
//! Safety rules: entries are written to a temporary file and renamed into place (never torn);
//! a damaged entry is a miss, counted in [`Usage::corrupt_entries`], and removed; only files
//! that carry our magic header, inside our own fan-out directories, are ever deleted or
//! replaced; symbolic links are never followed; one strategy at a time may use a directory
//! (an advisory lock on it).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use async_trait::async_trait;
use bytes::Bytes;
use rustc_hash::{FxHashMap, FxHashSet};
use tokio::runtime::{Handle, RuntimeFlavor};

use super::file_entry::{
    HEADER_LEN, Header, MAGIC, entry_path, is_temp_name, parse_entry_name, parse_shard_component, shard,
    shard_dir, temp_path, verify,
};
use super::{CacheStrategy, Hint, Lookup, StrategyError, Usage};
use crate::metrics::{Backend, StrategyFacts};
use crate::model::{Capacity, NEVER};
use crate::policy::{Access, Policy, PolicyKind, PolicyParams, build_policy};

/// How to build a file cache.
#[derive(Debug, Clone, PartialEq)]
pub struct FileConfig {
    /// The cache directory (created if missing).
    pub dir: PathBuf,
    /// Eviction policy deciding which entries stay.
    pub policy: PolicyKind,
    /// The policy's tuning parameters.
    pub params: PolicyParams,
    /// fsync every entry file and its directory before an entry counts as written.
    pub fsync: bool,
    /// Delete the entries stored by earlier runs when opening (only our own entry files), so
    /// the cache starts cold; otherwise they are indexed and served.
    pub cold_start: bool,
    /// Use a directory that already holds files cachelab did not write (they are never
    /// touched); without it such a directory is refused, so a cache is not spread over a
    /// repository or a home directory by mistake.
    pub allow_foreign: bool,
}

/// A cache of files in a directory; see the module documentation.
pub struct FileCache {
    name: String,
    inner: Arc<Inner>,
}

struct Inner {
    root: PathBuf,
    fsync: bool,
    cold_start: bool,
    state: Mutex<State>,
    /// The open root directory, holding an exclusive `flock` while the cache lives.
    _lock: File,
}

/// One indexed entry.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Body length.
    len: u64,
    /// Expiry on the runner's clock ([`Hint::now`]).
    expires: Option<Duration>,
    /// Identifies this version of the entry (and names its temporary file).
    seq: u64,
    /// False while the file is being written: reads miss until it is renamed into place.
    ready: bool,
}

struct State {
    policy: Box<dyn Policy>,
    index: FxHashMap<u64, Slot>,
    evicted: Vec<u64>,
    /// Fan-out directories known to be real directories of ours.
    shards: FxHashSet<u8>,
    seq: u64,
    tick: u64,
    evictions: u64,
    corrupt: u64,
    ready_entries: u64,
    ready_bytes: u64,
}

impl FileCache {
    /// Opens (creating if needed) the cache directory and rebuilds the index from it. Fails
    /// with a message naming the directory if it cannot be created, is not a directory, is not
    /// writable or is in use by another cache.
    pub async fn open(
        name: impl Into<String>,
        config: FileConfig,
        capacity: Capacity,
    ) -> anyhow::Result<FileCache> {
        let inner = tokio::task::spawn_blocking(move || Inner::open(config, capacity)).await??;
        Ok(FileCache { name: name.into(), inner: Arc::new(inner) })
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.inner.root
    }

    /// Where the entry of `key` lives (whether or not it is cached).
    pub fn entry_path(&self, key: u64) -> PathBuf {
        entry_path(&self.inner.root, key)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner) -> Result<T, StrategyError> + Send + 'static,
    ) -> Result<T, StrategyError> {
        // On a current-thread runtime (the simulation runner) nothing else waits for this
        // thread, so the I/O runs inline: a round trip through the blocking pool measured 4x
        // slower per request on a busy 2-core machine. Concurrent runtimes use the pool.
        if Handle::current().runtime_flavor() == RuntimeFlavor::CurrentThread {
            return f(&self.inner);
        }
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(|e| StrategyError::Backend(format!("file cache task failed: {e}")))?
    }
}

impl Inner {
    fn open(config: FileConfig, capacity: Capacity) -> anyhow::Result<Inner> {
        let root = config.dir;
        let lock = prepare_root(&root)?;
        if !config.allow_foreign {
            refuse_foreign(&root)?;
        }
        let policy = build_policy(config.policy, &config.params, capacity);
        let state = State {
            policy,
            index: FxHashMap::default(),
            evicted: Vec::new(),
            shards: FxHashSet::default(),
            seq: 0,
            tick: 0,
            evictions: 0,
            corrupt: 0,
            ready_entries: 0,
            ready_bytes: 0,
        };
        let inner = Inner {
            root,
            fsync: config.fsync,
            cold_start: config.cold_start,
            state: Mutex::new(state),
            _lock: lock,
        };
        inner.rebuild().with_context(|| format!("cannot read cache directory {}", inner.root.display()))?;
        // After the rebuild, which frees what a cold start removes: a cache that filled its
        // own disk can still be cold-started.
        probe_writable(&inner.root)?;
        Ok(inner)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every mutation keeps the index consistent step by step; recover from a poisoned lock.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Rebuilds the index from the directory: indexes intact entries (oldest first, so
    /// recency survives roughly; with `cold_start` removes them instead), removes our stale
    /// temporary files, expired entries and damaged entries, and leaves everything else alone.
    fn rebuild(&self) -> io::Result<()> {
        let now_ms = unix_ms(SystemTime::now());
        let mut found: Vec<(SystemTime, u64, Header)> = Vec::new();
        let mut st = self.lock();
        for (hi, top) in real_subdirs(&self.root)? {
            for (lo, dir) in real_subdirs(&top)? {
                let s = hi << 4 | lo;
                st.shards.insert(s);
                for item in fs::read_dir(&dir)? {
                    let item = item?;
                    let meta = item.metadata()?; // of the link itself, not its target
                    if !meta.file_type().is_file() {
                        continue;
                    }
                    let name = item.file_name();
                    let Some(name) = name.to_str() else { continue };
                    let path = item.path();
                    if is_temp_name(name) {
                        delete_ours(&path, true)?;
                        continue;
                    }
                    let Some(key) = parse_entry_name(name) else { continue };
                    let mut head = Vec::with_capacity(HEADER_LEN);
                    open_nofollow(&path)?.take(HEADER_LEN as u64).read_to_end(&mut head)?;
                    if !head.starts_with(&MAGIC) {
                        continue; // not ours
                    }
                    if self.cold_start {
                        delete_ours(&path, false)?;
                        continue;
                    }
                    match Header::decode(&head) {
                        Ok(h) if h.key == key && h.file_len() == meta.len() && shard(key) == s => {
                            if h.expires_unix_ms != 0 && h.expires_unix_ms <= now_ms {
                                delete_ours(&path, false)?;
                            } else {
                                found.push((meta.modified()?, key, h));
                            }
                        }
                        _ => {
                            st.corrupt += 1;
                            delete_ours(&path, false)?;
                        }
                    }
                }
            }
        }
        found.sort_unstable_by_key(|&(t, key, _)| (t, key));
        for (_, key, h) in found {
            let remaining =
                (h.expires_unix_ms != 0).then(|| Duration::from_millis(h.expires_unix_ms - now_ms));
            st.admit(key, h.len);
            self.drop_evicted(&mut st)?;
            if st.policy.contains(key) {
                st.seq += 1;
                let slot = Slot { len: h.len, expires: remaining, seq: st.seq, ready: true };
                st.index.insert(key, slot);
                st.ready_entries += 1;
                st.ready_bytes += h.len;
            } else {
                delete_ours(&entry_path(&self.root, key), false)?;
            }
        }
        Ok(())
    }

    fn get(&self, key: u64, now: Duration) -> Result<Option<Bytes>, StrategyError> {
        let path = entry_path(&self.root, key);
        let seq = {
            let mut st = self.lock();
            match st.index.get(&key).copied() {
                None => return Ok(None),
                Some(slot) if !slot.ready => return Ok(None),
                Some(slot) if slot.expires.is_some_and(|t| t <= now) => {
                    self.remove_entry(&mut st, key).map_err(|e| io_error(&path, e))?;
                    return Ok(None);
                }
                Some(slot) => {
                    st.admit(key, slot.len); // a hit: the policy updates its recency
                    self.drop_evicted(&mut st).map_err(|e| io_error(&path, e))?;
                    slot.seq
                }
            }
        };
        let read = open_nofollow(&path).and_then(|mut f| {
            let mut data = Vec::new();
            f.read_to_end(&mut data)?;
            Ok(data)
        });
        let damaged = match read {
            Ok(data) => match verify(key, &data) {
                Ok(_) => return Ok(Some(Bytes::from(data).slice(HEADER_LEN..))),
                Err(_) => true,
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(io_error(&path, e)),
        };
        // The file is damaged or gone. Unless a writer replaced the entry meanwhile (another
        // seq), drop it: a damaged file counts as corrupt, a vanished one is just a miss.
        let mut st = self.lock();
        if st.index.get(&key).is_some_and(|s| s.seq == seq) {
            if damaged {
                st.corrupt += 1;
            }
            self.remove_entry(&mut st, key).map_err(|e| io_error(&path, e))?;
        }
        Ok(None)
    }

    fn put(&self, key: u64, value: &[u8], now: Duration, ttl: Option<Duration>) -> Result<(), StrategyError> {
        let len = value.len() as u64;
        let path = entry_path(&self.root, key);
        let dir = shard_dir(&self.root, shard(key));
        // Reserve room first (evicting as needed) and create the temporary file while the
        // state is locked, so that the files in the directory never exceed the capacity, even
        // while entries are being written: evicting an entry that is still being written
        // unlinks its temporary file.
        let temp;
        let (seq, file) = {
            let mut st = self.lock();
            self.remove_entry(&mut st, key).map_err(|e| io_error(&path, e))?;
            st.admit(key, len);
            self.drop_evicted(&mut st).map_err(|e| io_error(&dir, e))?;
            if !st.policy.contains(key) {
                return Ok(()); // the policy declined it (e.g. larger than the whole cache)
            }
            let seq = st.seq + 1;
            temp = temp_path(&dir, seq);
            let created = self.ensure_shard(&mut st, shard(key)).and_then(|()| {
                OpenOptions::new().write(true).create_new(true).custom_flags(libc::O_NOFOLLOW).open(&temp)
            });
            let file = match created {
                Ok(f) => f,
                Err(e) => {
                    st.policy.remove(key);
                    return Err(io_error(&temp, e));
                }
            };
            st.seq = seq;
            st.index.insert(key, Slot { len, expires: ttl.map(|t| now + t), seq, ready: false });
            (seq, file)
        };
        let expires_unix_ms = ttl.map_or(0, |t| unix_ms(SystemTime::now() + t).max(1));
        let written = self.write_temp(file, key, value, expires_unix_ms);
        let mut st = self.lock();
        let current = st.index.get(&key).is_some_and(|s| s.seq == seq);
        let committed = match written {
            Ok(()) if current => self.commit(&temp, &path, &dir),
            Ok(()) => Ok(false), // evicted or replaced while we wrote
            Err(e) => Err(e),
        };
        match committed {
            Ok(true) => {
                if let Some(slot) = st.index.get_mut(&key) {
                    slot.ready = true;
                }
                st.ready_entries += 1;
                st.ready_bytes += len;
                Ok(())
            }
            Ok(false) => {
                if current {
                    // The path holds a file that is not ours: leave it and do not cache.
                    st.index.remove(&key);
                    st.policy.remove(key);
                }
                remove_if_present(&temp).map_err(|e| io_error(&temp, e))
            }
            Err(e) => {
                if current {
                    st.index.remove(&key);
                    st.policy.remove(key);
                }
                let _ = remove_if_present(&temp);
                Err(io_error(&temp, e))
            }
        }
    }

    fn write_temp(&self, mut f: File, key: u64, value: &[u8], expires_unix_ms: u64) -> io::Result<()> {
        f.write_all(&Header::new(key, value, expires_unix_ms).encode())?;
        f.write_all(value)?;
        if self.fsync {
            f.sync_all()?;
        }
        Ok(())
    }

    /// Renames the written temporary file into place, unless the target is a file that is not
    /// ours (then returns false). Called with the state locked, so no other commit races.
    fn commit(&self, temp: &Path, path: &Path, dir: &Path) -> io::Result<bool> {
        match fs::symlink_metadata(path) {
            Ok(_) if !is_ours(path, false)? => return Ok(false),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        fs::rename(temp, path)?;
        if self.fsync {
            File::open(dir)?.sync_all()?;
        }
        Ok(true)
    }

    /// Makes sure the fan-out directories of shard `s` exist and are real directories.
    fn ensure_shard(&self, st: &mut State, s: u8) -> io::Result<()> {
        if st.shards.contains(&s) {
            return Ok(());
        }
        let leaf = shard_dir(&self.root, s);
        for dir in [leaf.parent().expect("two levels"), leaf.as_path()] {
            match fs::create_dir(dir) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if !fs::symlink_metadata(dir)?.file_type().is_dir() {
                        return Err(io::Error::other(format!(
                            "{} exists and is not a directory (symbolic links are not followed)",
                            dir.display()
                        )));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        st.shards.insert(s);
        Ok(())
    }

    /// Forgets `key` and deletes its file (or its temporary file while being written).
    fn remove_entry(&self, st: &mut State, key: u64) -> io::Result<()> {
        let Some(slot) = st.index.remove(&key) else { return Ok(()) };
        st.policy.remove(key);
        self.delete_slot(st, key, slot)
    }

    fn delete_slot(&self, st: &mut State, key: u64, slot: Slot) -> io::Result<()> {
        if slot.ready {
            st.ready_entries -= 1;
            st.ready_bytes -= slot.len;
            delete_ours(&entry_path(&self.root, key), false)?;
        } else {
            // Its writer finds the entry gone when it commits and removes what it wrote.
            delete_ours(&temp_path(&shard_dir(&self.root, shard(key)), slot.seq), true)?;
        }
        Ok(())
    }

    /// Deletes the entries the policy just evicted.
    fn drop_evicted(&self, st: &mut State) -> io::Result<()> {
        let victims = std::mem::take(&mut st.evicted);
        let mut result = Ok(());
        for &v in &victims {
            if let Some(slot) = st.index.remove(&v) {
                st.evictions += 1;
                if let Err(e) = self.delete_slot(st, v, slot) {
                    result = Err(e);
                }
            }
        }
        st.evicted = victims;
        st.evicted.clear();
        result
    }
}

impl State {
    /// One policy access for an entry of `len` body bytes: true on a hit. Victims are left in
    /// `evicted` for [`Inner::drop_evicted`].
    fn admit(&mut self, key: u64, len: u64) -> bool {
        let size = u32::try_from(HEADER_LEN as u64 + len).unwrap_or(u32::MAX);
        let access = Access { key, size, tick: self.tick, next_access: NEVER };
        self.tick += 1;
        self.policy.access(&access, &mut self.evicted)
    }
}

/// Creates the root if needed and checks it is a writable directory nobody else uses; returns
/// it opened and locked.
fn prepare_root(root: &Path) -> anyhow::Result<File> {
    let shown = root.display();
    match fs::metadata(root) {
        Ok(m) if !m.is_dir() => bail!("cache directory {shown} exists and is not a directory"),
        Ok(_) => {}
        // Missing, or something in the way (a parent that is a file): creating says why.
        Err(_) => {
            fs::create_dir_all(root).with_context(|| format!("cannot create cache directory {shown}"))?
        }
    }
    let c_path = std::ffi::CString::new(root.as_os_str().as_bytes())
        .with_context(|| format!("cache directory {shown} has a NUL byte in its name"))?;
    // SAFETY: c_path is a valid NUL-terminated string that outlives the call.
    if unsafe { libc::access(c_path.as_ptr(), libc::R_OK | libc::W_OK | libc::X_OK) } != 0 {
        let e = io::Error::last_os_error();
        bail!("cache directory {shown} is not writable: {e}");
    }
    let dir = File::open(root).with_context(|| format!("cannot open cache directory {shown}"))?;
    // SAFETY: the descriptor is open for the duration of the call.
    if unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::WouldBlock {
            bail!("cache directory {shown} is in use by another cachelab cache (each needs its own dir)");
        }
        bail!("cannot lock cache directory {shown}: {e}");
    }
    Ok(dir)
}

/// Fails when `root` holds something other than what a cache of ours puts there (its fan-out
/// directories and `.cachelab-` files), naming an example.
fn refuse_foreign(root: &Path) -> anyhow::Result<()> {
    let shown = root.display();
    for item in fs::read_dir(root).with_context(|| format!("cannot read cache directory {shown}"))? {
        let item = item.with_context(|| format!("cannot read cache directory {shown}"))?;
        let name = item.file_name();
        let name = name.to_string_lossy();
        let fan_out = parse_shard_component(&name).is_some() && item.file_type().is_ok_and(|t| t.is_dir());
        if !fan_out && !name.starts_with(".cachelab-") {
            bail!(
                "cache directory {shown} holds files cachelab did not write (e.g. `{name}`); name an empty \
                 or new directory, or set allow_foreign = true to share it (cachelab never touches files \
                 it did not write)"
            );
        }
    }
    Ok(())
}

/// Proves `root` writable by writing a file: access() says yes to root even on read-only
/// mounts.
fn probe_writable(root: &Path) -> anyhow::Result<()> {
    let probe = root.join(format!(".cachelab-probe.{}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&probe)
        .and_then(|mut f| f.write_all(&MAGIC))
        .and_then(|()| fs::remove_file(&probe))
        .with_context(|| format!("cache directory {} is not writable", root.display()))
}

/// The fan-out subdirectories of `dir` (one lowercase hex digit, real directories, not links).
fn real_subdirs(dir: &Path) -> io::Result<Vec<(u8, PathBuf)>> {
    let mut out = Vec::new();
    for item in fs::read_dir(dir)? {
        let item = item?;
        let Some(n) = item.file_name().to_str().and_then(parse_shard_component) else { continue };
        if item.file_type()?.is_dir() {
            out.push((n, item.path()));
        }
    }
    Ok(out)
}

fn open_nofollow(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)
}

/// Whether `path` is a regular file (not a link) that starts with our magic; with
/// `partial`, a file shorter than the magic that matches as far as it goes also counts (a
/// temporary file cut short by a crash).
fn is_ours(path: &Path, partial: bool) -> io::Result<bool> {
    let file = match open_nofollow(path) {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(false), // a symlink
        Err(e) => return Err(e),
    };
    if !file.metadata()?.is_file() {
        return Ok(false);
    }
    let mut head = Vec::with_capacity(MAGIC.len());
    file.take(MAGIC.len() as u64).read_to_end(&mut head)?;
    Ok(head == MAGIC || (partial && MAGIC.starts_with(&head)))
}

/// Deletes `path` if it is ours (see [`is_ours`]); a missing file is fine.
fn delete_ours(path: &Path, partial: bool) -> io::Result<()> {
    match is_ours(path, partial) {
        Ok(true) => remove_if_present(path),
        Ok(false) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn io_error(path: &Path, e: io::Error) -> StrategyError {
    StrategyError::Backend(format!("{}: {e}", path.display()))
}

#[async_trait]
impl CacheStrategy for FileCache {
    fn name(&self) -> &str {
        &self.name
    }

    fn facts(&self) -> StrategyFacts {
        let dir = std::path::absolute(self.dir()).unwrap_or_else(|_| self.dir().to_path_buf());
        StrategyFacts {
            survives_restart: true,
            location: Some(format!("files under {}", dir.display())),
            ..StrategyFacts::new("file", Backend::File)
        }
    }

    async fn get(&self, key: u64, hint: Hint) -> Result<Lookup, StrategyError> {
        // A key that is not indexed needs no disk access: answer without a blocking thread.
        if !self.inner.lock().index.get(&key).is_some_and(|s| s.ready) {
            return Ok(Lookup::Miss);
        }
        let found = self.blocking(move |inner| inner.get(key, hint.now)).await?;
        Ok(found.map_or(Lookup::Miss, |value| Lookup::Hit { value, tier: 0 }))
    }

    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError> {
        self.blocking(move |inner| inner.put(key, &value, hint.now, hint.ttl)).await
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        let st = self.inner.lock();
        Ok(Usage {
            entries: st.ready_entries,
            bytes: Some(st.ready_bytes),
            evictions: Some(st.evictions),
            corrupt_entries: st.corrupt,
        })
    }
}
