//! The file strategy on a real filesystem: persistence across restarts, capacity measured on
//! disk, damaged files, unusable directories, and files that are not ours.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use cachelab::model::{Capacity, NEVER};
use cachelab::origin;
use cachelab::policy::{PolicyKind, PolicyParams};
use cachelab::strategy::{CacheStrategy, FileCache, FileConfig, Hint, Lookup};

fn hint(size: u32) -> Hint {
    Hint { size, now: Duration::ZERO, ttl: None, next_access: NEVER }
}

fn config(dir: &Path) -> FileConfig {
    FileConfig {
        dir: dir.to_path_buf(),
        policy: PolicyKind::Lru,
        params: PolicyParams::default(),
        fsync: false,
        cold_start: false,
        allow_foreign: false,
    }
}

async fn open(dir: &Path, bytes: u64) -> FileCache {
    FileCache::open("file", config(dir), Capacity::bytes(bytes)).await.unwrap()
}

fn size_of(key: u64) -> u32 {
    500 + (key % 5) as u32 * 700
}

async fn put(cache: &FileCache, key: u64) {
    cache.put(key, origin::body(key, size_of(key)), hint(size_of(key))).await.unwrap();
}

/// Whether `key` is served with its exact body.
async fn hits(cache: &FileCache, key: u64) -> bool {
    match cache.get(key, hint(size_of(key))).await.unwrap() {
        Lookup::Hit { value, tier } => {
            assert_eq!(tier, 0);
            assert!(origin::verify(key, size_of(key), &value), "key {key} served a wrong body");
            true
        }
        Lookup::Miss => false,
    }
}

/// Every regular file under `dir` (links not followed) with its length. Files deleted while
/// the walk runs are skipped.
fn files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let Ok(items) = fs::read_dir(dir) else { return out };
    for item in items.flatten() {
        let Ok(t) = item.file_type() else { continue };
        if t.is_dir() {
            out.extend(files(&item.path()));
        } else if t.is_file()
            && let Ok(meta) = item.metadata()
        {
            out.push((item.path(), meta.len()));
        }
    }
    out
}

/// Directories under `dir` (not counting it).
fn walkdirs(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|i| i.file_type().unwrap().is_dir())
        .map(|i| 1 + walkdirs(&i.path()))
        .sum()
}

fn disk_bytes(dir: &Path) -> u64 {
    files(dir).iter().map(|(_, n)| n).sum()
}

#[tokio::test]
async fn a_restarted_cache_serves_what_it_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    {
        let cache = open(&dir, 1 << 20).await;
        for k in 0..100 {
            put(&cache, k).await;
        }
        let u = cache.usage().await.unwrap();
        assert_eq!(u.entries, 100);
        assert_eq!(u.bytes, Some((0..100).map(|k| u64::from(size_of(k))).sum()));
    }
    let cache = open(&dir, 1 << 20).await;
    assert_eq!(cache.usage().await.unwrap().entries, 100, "index rebuilt from disk");
    for k in 0..100 {
        assert!(hits(&cache, k).await, "key {k} survived the restart");
    }
    assert!(!hits(&cache, 100).await);
}

#[tokio::test]
async fn the_directory_never_holds_more_than_the_capacity() {
    let tmp = tempfile::tempdir().unwrap();
    let capacity = 64 * 1024;
    let cache = open(tmp.path(), capacity).await;
    let mut max_seen = 0;
    for k in 0..400 {
        put(&cache, k).await;
        if k % 3 == 0 {
            hits(&cache, k / 2).await;
        }
        max_seen = max_seen.max(disk_bytes(tmp.path()));
    }
    assert!(max_seen <= capacity, "{max_seen} bytes on disk > capacity {capacity}");
    assert!(max_seen > capacity * 3 / 4, "the cache fills up: {max_seen}");
    let dirs = walkdirs(tmp.path());
    assert!(dirs <= 16 + 256, "fan-out directories are bounded: {dirs}");
    let u = cache.usage().await.unwrap();
    assert!(u.evictions.unwrap() > 300, "{u:?}");
    assert!(hits(&cache, 399).await, "the newest entry is resident");
    assert!(!hits(&cache, 1).await, "an old entry was evicted");
    drop(cache);

    // Reopened with a smaller capacity, it evicts down to it at once.
    let cache = open(tmp.path(), capacity / 4).await;
    let on_disk = disk_bytes(tmp.path());
    assert!(on_disk <= capacity / 4 && on_disk > 0, "{on_disk}");
    assert!(hits(&cache, 399).await, "the newest entry is kept");
}

/// Files are renamed and deleted while a walk runs, so a walk is no snapshot; measure between
/// rounds of concurrent traffic instead. A file the index lost track of (an orphan) would
/// show up there, as would a temporary file left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_stay_within_the_capacity_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let capacity = 48 * 1024;
    let cache = Arc::new(open(tmp.path(), capacity).await);
    for round in 0..10u64 {
        let mut tasks = Vec::new();
        for w in 0..8u64 {
            let cache = cache.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..30u64 {
                    let key = (round * 31 + w * 7919 + i * 13) % 300;
                    if !hits(&cache, key).await {
                        put(&cache, key).await;
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let listed = files(tmp.path());
        let on_disk: u64 = listed.iter().map(|(_, n)| n).sum();
        let u = cache.usage().await.unwrap();
        assert!(on_disk <= capacity, "round {round}: {on_disk} bytes on disk > capacity {capacity}");
        assert_eq!(listed.len() as u64, u.entries, "round {round}: one file per entry: {listed:?}");
        assert_eq!(u.corrupt_entries, 0);
    }
    assert!(cache.usage().await.unwrap().evictions.unwrap() > 100);
}

#[tokio::test]
async fn damaged_files_are_misses_counted_and_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = open(tmp.path(), 1 << 20).await;
    for k in 0..4 {
        put(&cache, k).await;
    }
    // A flipped bit in the body of key 0; key 1 cut short.
    let flipped = cache.entry_path(0);
    let mut data = fs::read(&flipped).unwrap();
    let last = data.len() - 1;
    data[last] ^= 0x01;
    fs::write(&flipped, &data).unwrap();
    let cut = cache.entry_path(1);
    let len = fs::metadata(&cut).unwrap().len();
    fs::OpenOptions::new().write(true).open(&cut).unwrap().set_len(len - 10).unwrap();

    assert!(!hits(&cache, 0).await, "a corrupt entry is a miss");
    assert!(!hits(&cache, 1).await, "a truncated entry is a miss");
    assert!(hits(&cache, 2).await);
    let u = cache.usage().await.unwrap();
    assert_eq!(u.corrupt_entries, 2, "{u:?}");
    assert_eq!(u.entries, 2);
    assert!(!flipped.exists() && !cut.exists(), "damaged files are removed");

    // Damage found while rebuilding the index counts too.
    let cut = cache.entry_path(3);
    drop(cache);
    let len = fs::metadata(&cut).unwrap().len();
    fs::OpenOptions::new().write(true).open(&cut).unwrap().set_len(len / 2).unwrap();
    let cache = open(tmp.path(), 1 << 20).await;
    let u = cache.usage().await.unwrap();
    assert_eq!((u.corrupt_entries, u.entries), (1, 1), "{u:?}");
    assert!(!cut.exists());
    assert!(hits(&cache, 2).await);
}

#[tokio::test]
async fn unusable_directories_fail_at_start_naming_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    fs::write(&file, b"not a directory").unwrap();

    let under_a_file = file.join("cache");
    let err = format!(
        "{:#}",
        FileCache::open("f", config(&under_a_file), Capacity::bytes(1 << 20)).await.err().unwrap()
    );
    assert!(
        err.contains("cannot create cache directory") && err.contains(&under_a_file.display().to_string()),
        "{err}"
    );

    let err =
        format!("{:#}", FileCache::open("f", config(&file), Capacity::bytes(1 << 20)).await.err().unwrap());
    assert!(err.contains("is not a directory") && err.contains(&file.display().to_string()), "{err}");

    let read_only = tmp.path().join("read-only");
    fs::create_dir(&read_only).unwrap();
    let _writable_again = make_read_only(&read_only);
    let err = format!(
        "{:#}",
        FileCache::open("f", config(&read_only), Capacity::bytes(1 << 20))
            .await
            .err()
            .expect("a read-only directory is refused")
    );
    assert!(err.contains("not writable") && err.contains(&read_only.display().to_string()), "{err}");
}

/// Makes `dir` read-only for this process and returns a guard that undoes it. Permission bits
/// do not bind root, so as root the directory is made immutable (`chattr +i`: nobody, root
/// included, may create files in it); if that fails the test fails and says why.
fn make_read_only(dir: &Path) -> impl Drop {
    /// Undoes [`make_read_only`] (also when the test fails) so the temporary directory can go.
    struct Restore(PathBuf);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = std::process::Command::new("chattr").arg("-i").arg(&self.0).status();
            let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o755));
        }
    }
    let restore = Restore(dir.to_path_buf());
    fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).unwrap();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let out = std::process::Command::new("chattr").arg("+i").arg(dir).output();
        match out {
            Ok(o) if o.status.success() => {}
            Ok(o) => panic!(
                "running as root, the read-only check needs `chattr +i` on {} (a filesystem with \
                 immutable files, e.g. ext4, and CAP_LINUX_IMMUTABLE); it failed: {}",
                dir.display(),
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) => {
                panic!("running as root, the read-only check needs chattr (apt-get install e2fsprogs): {e}")
            }
        }
        assert!(
            fs::File::create(dir.join("probe")).is_err(),
            "chattr +i did not stop root writing into {}",
            dir.display()
        );
    }
    restore
}

#[tokio::test]
async fn cold_start_deletes_only_our_own_entries() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let cache = open(tmp.path(), 1 << 20).await;
        for k in 0..50 {
            put(&cache, k).await;
        }
    }
    let theirs = tmp.path().join("notes.txt");
    fs::write(&theirs, b"not a cache entry").unwrap();
    let cold = FileConfig { cold_start: true, allow_foreign: true, ..config(tmp.path()) };
    let cache = FileCache::open("file", cold, Capacity::bytes(1 << 20)).await.unwrap();
    assert_eq!(cache.usage().await.unwrap().entries, 0, "nothing from the last run is indexed");
    assert!(!hits(&cache, 7).await, "nothing from the last run is served");
    assert_eq!(files(tmp.path()), vec![(theirs.clone(), 17)], "our entry files are gone, theirs stays");
    put(&cache, 7).await;
    assert!(hits(&cache, 7).await);
}

#[tokio::test]
async fn a_directory_is_used_by_one_cache_at_a_time() {
    let tmp = tempfile::tempdir().unwrap();
    let first = open(tmp.path(), 1 << 20).await;
    let err = format!(
        "{:#}",
        FileCache::open("f", config(tmp.path()), Capacity::bytes(1 << 20)).await.err().unwrap()
    );
    assert!(err.contains("in use"), "{err}");
    drop(first);
    open(tmp.path(), 1 << 20).await;
}

#[tokio::test]
async fn files_that_are_not_ours_are_never_deleted_or_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    let outside = tmp.path().join("outside.txt");
    fs::write(&outside, b"outside").unwrap();
    let cache = open(&dir, 16 * 1024).await;
    // Where keys 7 and 8 would live: a foreign file and a link to a file outside the cache.
    let foreign_entry = cache.entry_path(7);
    let link_entry = cache.entry_path(8);
    drop(cache);
    let foreign_body = b"a file someone else put here".to_vec();
    fs::create_dir_all(foreign_entry.parent().unwrap()).unwrap();
    fs::write(&foreign_entry, &foreign_body).unwrap();
    fs::create_dir_all(link_entry.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&outside, &link_entry).unwrap();
    // A temporary-looking file that is not ours, and a stale temporary file of ours.
    let shard = foreign_entry.parent().unwrap();
    let theirs = [
        (dir.join("notes.txt"), b"mine".to_vec()),
        (foreign_entry.clone(), foreign_body),
        (shard.join(".cachelab-tmp.1.2"), b"someone else's temp".to_vec()),
    ];
    for (path, body) in &theirs {
        fs::write(path, body).unwrap();
    }
    let ours_stale = shard.join(".cachelab-tmp.1.3");
    fs::File::create(&ours_stale).unwrap().write_all(b"CLABFC\x00\x01 half-written entry").unwrap();

    let refused = FileCache::open("file", config(&dir), Capacity::bytes(16 * 1024)).await.err().unwrap();
    assert!(
        format!("{refused:#}").contains("holds files cachelab did not write (e.g. `notes.txt`)"),
        "{refused:#}"
    );
    let shared = FileConfig { allow_foreign: true, ..config(&dir) };
    let cache = FileCache::open("file", shared, Capacity::bytes(16 * 1024)).await.unwrap();
    assert!(!ours_stale.exists(), "our stale temporary file is cleaned up");
    // Enough traffic to evict many times, including the keys whose paths are taken.
    for k in 0..200 {
        put(&cache, k).await;
        hits(&cache, k).await;
    }
    put(&cache, 7).await;
    put(&cache, 8).await;
    assert!(!hits(&cache, 7).await, "a foreign file is never replaced");
    assert!(!hits(&cache, 8).await, "a link is never replaced or followed");
    assert!(cache.usage().await.unwrap().evictions.unwrap() > 100);
    for (path, body) in &theirs {
        assert_eq!(&fs::read(path).unwrap(), body, "{} untouched", path.display());
    }
    assert!(fs::symlink_metadata(&link_entry).unwrap().file_type().is_symlink());
    assert_eq!(fs::read(&outside).unwrap(), b"outside");
}

#[tokio::test]
async fn entries_expire_on_the_runners_clock() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = open(tmp.path(), 1 << 20).await;
    let at = |s: u64| Hint { now: Duration::from_secs(s), ..hint(size_of(1)) };
    let with_ttl = Hint { ttl: Some(Duration::from_secs(10)), ..at(0) };
    cache.put(1, origin::body(1, size_of(1)), with_ttl).await.unwrap();
    assert!(matches!(cache.get(1, at(5)).await.unwrap(), Lookup::Hit { .. }));
    assert_eq!(cache.get(1, at(11)).await.unwrap(), Lookup::Miss);
    assert_eq!(cache.usage().await.unwrap().entries, 0);
    assert!(!cache.entry_path(1).exists(), "an expired entry's file is removed");
}

/// A file cache that filled its own disk can be cold-started (issue 12, defect 8): the
/// cleanup runs before the writability probe. The disk is a 1 MiB tmpfs mounted in a private
/// mount namespace (`unshare`, util-linux), so the test needs no root and touches no real disk.
#[test]
fn a_cache_that_filled_its_disk_can_be_cold_started() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let scenario = |name: &str, cold: bool| {
        let path = tmp.path().join(format!("{name}.toml"));
        std::fs::write(
            &path,
            format!(
                "name = \"{name}\"\n[workload]\nkeys = 2000\nrequests = 3000\nvalue_size = {{ dist = \"fixed\", size = \"4KiB\" }}\n\
                 [[strategy]]\nname = \"disk\"\nkind = \"file\"\ndir = \"{}\"\ncapacity = \"64MiB\"\ncold_start = {cold}\n",
                disk.display()
            ),
        )
        .unwrap();
        path
    };
    let (fill, cold) = (scenario("fill", false), scenario("cold", true));
    let bin = assert_cmd::cargo::cargo_bin!("cachelab");
    let script = format!(
        "set -e; mount -t tmpfs -o size=1m tmpfs '{disk}'; \
         '{bin}' run '{fill}' --out '{out}' -q >/dev/null; \
         df -k '{disk}' | tail -1; \
         '{bin}' run '{cold}' --out '{out}' -q >/dev/null; echo cold-start-ok",
        disk = disk.display(),
        bin = bin.display(),
        fill = fill.display(),
        cold = cold.display(),
        out = tmp.path().join("out").display(),
    );
    let output = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .output()
        .expect("unshare (util-linux) runs the test in a private mount namespace");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success() && stdout.contains("cold-start-ok"),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    let used_percent = stdout.lines().next().and_then(|l| l.split_whitespace().nth(4)).unwrap_or_default();
    assert!(
        used_percent.trim_end_matches('%').parse::<u32>().is_ok_and(|p| p >= 99),
        "the first run filled the disk: {stdout}"
    );
}

/// Issue 12, defect 6: a file cache refuses `/`, the home directory and a directory holding
/// files it did not write (unless `allow_foreign = true`), and `~/` means the home directory,
/// not a directory named `~`.
#[test]
fn a_file_cache_refuses_roots_home_and_foreign_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join("README.md"), "mine").unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let run = |dir: &str, extra: &str| {
        let path = tmp.path().join("s.toml");
        std::fs::write(
            &path,
            format!(
                "name = \"f\"\n[workload]\nkeys = 50\nrequests = 200\n[[strategy]]\nname = \"disk\"\nkind = \"file\"\n\
                 dir = \"{dir}\"\ncapacity = 20\n{extra}"
            ),
        )
        .unwrap();
        assert_cmd::Command::cargo_bin("cachelab")
            .unwrap()
            .current_dir(tmp.path())
            .env("HOME", &home)
            .args(["run", "s.toml", "--out", "out", "-q"])
            .output()
            .unwrap()
    };
    let refused = |dir: &str, extra: &str, code: i32, fragment: &str| {
        let out = run(dir, extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{dir}: {err}");
        assert!(err.contains(fragment), "{dir}: expected `{fragment}` in {err}");
    };
    refused("/", "", 2, "is a filesystem root");
    refused("~", "", 2, "is the home directory");
    refused(&repo.display().to_string(), "", 1, "holds files cachelab did not write");
    assert_eq!(std::fs::read_dir(&repo).unwrap().count(), 2, "nothing was added to the repository");

    let ok = run(&repo.display().to_string(), "allow_foreign = true\n");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert_eq!(std::fs::read_to_string(repo.join("README.md")).unwrap(), "mine");

    let ok = run("~/cache", "");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(home.join("cache").is_dir() && !tmp.path().join("~").exists(), "~/ expands to HOME");
}

#[test]
fn a_run_says_where_a_file_cache_lives() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("s.toml"),
        "name = \"where\"\n[workload]\nkeys = 50\nrequests = 200\n[[strategy]]\nname = \"disk\"\nkind = \"file\"\ndir = \"cache/disk\"\ncapacity = \"1MiB\"\n",
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("cachelab")
        .unwrap()
        .current_dir(tmp.path())
        .args(["run", "s.toml", "--out", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let abs = tmp.path().join("cache/disk");
    assert!(
        stderr.contains(&format!("strategy `disk`: files under {}", abs.display())),
        "the relative dir is named as an absolute path: {stderr}"
    );
}
