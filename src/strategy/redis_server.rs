//! Private `redis-server` processes on loopback, for `spawn = true`, tests and benches (the
//! test suite's extras, clusters, TLS, passwords and restarts, are in [`harness`], built only
//! with the dev-only `harness` feature). Each process runs in its own temporary
//! directory with persistence off, is bound to 127.0.0.1 on a free port, and is killed when
//! its handle is dropped. A guard thread starts each process with `PR_SET_PDEATHSIG`, so the
//! kernel kills the server even if cachelab itself dies without running destructors.

use std::io::{self, Read};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tempfile::TempDir;

use super::StrategyError;

/// What to tell a user whose machine lacks `redis-server`.
const INSTALL_SERVER: &str = "install redis-server (apt-get install redis-server)";
/// How long a starting server may take to answer PING.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// How to configure a private server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerOptions {
    /// `maxmemory` in bytes (None: unlimited).
    pub maxmemory: Option<u64>,
    /// `maxmemory-policy`, e.g. `allkeys-lru` (None: Redis's default, `noeviction`).
    pub maxmemory_policy: Option<String>,
    /// Start as a cluster node (`--cluster-enabled yes`).
    #[cfg(feature = "harness")]
    pub cluster: bool,
    /// Require this password (`--requirepass`); URLs then carry it.
    #[cfg(feature = "harness")]
    pub password: Option<String>,
    /// Also listen for TLS on a second port, with this certificate and key (PEM files).
    #[cfg(feature = "harness")]
    pub tls: Option<harness::TlsFiles>,
}

/// A `redis-server` child process we started; killed on drop.
pub struct RedisServer {
    port: u16,
    #[cfg(feature = "harness")]
    tls_port: Option<u16>,
    options: ServerOptions,
    dir: TempDir,
    process: Option<Guarded>,
}

/// Runs `attempt` (start a server on a freshly probed free port) up to five times: the port
/// can be taken by someone else between the probe and the server's bind. An error naming
/// `install` (the binary is missing) is not retried.
pub(super) fn on_free_ports<S>(
    install: &str,
    mut attempt: impl FnMut() -> anyhow::Result<S>,
) -> anyhow::Result<S> {
    let mut last_error = None;
    for _ in 0..5 {
        match attempt() {
            Ok(server) => return Ok(server),
            Err(e) if e.to_string().contains(install) => return Err(e),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.expect("at least one attempt"))
}

/// Kills `server` (a spawned Redis or memcached, taken out of its strategy) with `kill` on a
/// blocking thread, since a kill waits for the process to exit: the end of a strategy that
/// started its own server.
pub(super) async fn kill_spawned<S: Send + 'static>(
    server: Option<S>,
    kill: fn(&mut S),
) -> Result<(), StrategyError> {
    if let Some(mut server) = server {
        tokio::task::spawn_blocking(move || kill(&mut server))
            .await
            .map_err(|e| StrategyError::Backend(e.to_string()))?;
    }
    Ok(())
}

impl RedisServer {
    /// Starts a server on a free loopback port and waits until it answers PING.
    pub fn start(options: ServerOptions) -> anyhow::Result<RedisServer> {
        on_free_ports(INSTALL_SERVER, || {
            let dir = tempfile::Builder::new().prefix("cachelab-redis-").tempdir()?;
            let mut server = RedisServer {
                port: free_port(options.needs_bus_port())?,
                #[cfg(feature = "harness")]
                tls_port: options.tls.is_some().then(|| free_port(false)).transpose()?,
                options: options.clone(),
                dir,
                process: None,
            };
            server.launch()?;
            Ok(server)
        })
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's URL, `redis://127.0.0.1:<port>` (with the password, if one is set).
    pub fn url(&self) -> String {
        format!("redis://{}127.0.0.1:{}", self.auth(), self.port)
    }

    /// The `user:password@` part of this server's URLs (empty: no password).
    fn auth(&self) -> String {
        #[cfg(feature = "harness")]
        if let Some(p) = &self.options.password {
            return format!(":{p}@");
        }
        String::new()
    }

    /// Whether the process is alive.
    pub fn is_running(&self) -> bool {
        self.process.as_ref().is_some_and(|p| !p.has_exited())
    }

    /// Kills the server at once (SIGKILL, as a crash would) and waits for it to exit.
    pub fn kill(&mut self) {
        if let Some(p) = self.process.take() {
            p.stop();
        }
    }

    /// The server's version as reported by `INFO server`, e.g. `7.0.15`.
    pub fn version(&self) -> anyhow::Result<String> {
        let mut conn = self.connect()?;
        let info: String = redis::cmd("INFO").arg("server").query(&mut conn)?;
        info_field(&info, "redis_version").map(str::to_string).context("INFO server has no redis_version")
    }

    /// A synchronous connection to the server (for setup and inspection, not the hot path).
    pub fn connect(&self) -> anyhow::Result<redis::Connection> {
        let client = redis::Client::open(self.url())?;
        Ok(client.get_connection_with_timeout(Duration::from_secs(2))?)
    }

    fn launch(&mut self) -> anyhow::Result<()> {
        let log = self.dir.path().join("redis.log");
        let mut cmd = Command::new("redis-server");
        cmd.args([
            "--port",
            &self.port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .arg("--dir")
        .arg(self.dir.path())
        .arg("--logfile")
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        if let Some(bytes) = self.options.maxmemory {
            cmd.args(["--maxmemory", &bytes.to_string()]);
        }
        if let Some(policy) = &self.options.maxmemory_policy {
            cmd.args(["--maxmemory-policy", policy]);
        }
        #[cfg(feature = "harness")]
        self.harness_args(&mut cmd);
        let process = Guarded::spawn(cmd).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                anyhow::anyhow!("redis-server not found on PATH; {INSTALL_SERVER}")
            } else {
                anyhow::anyhow!("cannot start redis-server: {e}")
            }
        })?;
        self.process = Some(process);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if self.ping() {
                return Ok(());
            }
            if !self.is_running() || Instant::now() >= deadline {
                let why = self.process.take().map(Guarded::stop).unwrap_or_default();
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                bail!(
                    "redis-server on port {} did not start: {}{}",
                    self.port,
                    why.trim(),
                    tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn ping(&self) -> bool {
        let Ok(client) = redis::Client::open(self.url()) else {
            return false;
        };
        let Ok(mut conn) = client.get_connection_with_timeout(Duration::from_millis(200)) else {
            return false;
        };
        redis::cmd("PING").query::<String>(&mut conn).is_ok()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The value of `field` in the `field:value` lines of an INFO reply.
pub fn info_field<'a>(info: &'a str, field: &str) -> Option<&'a str> {
    info.lines().find_map(|l| l.strip_prefix(field)?.strip_prefix(':')).map(str::trim)
}

impl ServerOptions {
    /// A server bounded at `maxmemory` bytes that evicts by `policy` (e.g. `allkeys-lru`).
    pub fn evicting(maxmemory: u64, policy: &str) -> ServerOptions {
        // The harness feature adds fields, which the struct update then fills.
        #[allow(clippy::needless_update)]
        let options = ServerOptions {
            maxmemory: Some(maxmemory),
            maxmemory_policy: Some(policy.to_string()),
            ..ServerOptions::default()
        };
        options
    }

    /// Whether the server's cluster bus port (its port + 10000) must be free too.
    fn needs_bus_port(&self) -> bool {
        #[cfg(feature = "harness")]
        if self.cluster {
            return true;
        }
        false
    }
}

/// A loopback port nobody listens on (and, for cluster nodes, whose bus port +10000 is free).
pub(super) fn free_port(cluster: bool) -> anyhow::Result<u16> {
    for _ in 0..100 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        if !cluster {
            return Ok(port);
        }
        if port <= u16::MAX - 10_000 && TcpListener::bind((Ipv4Addr::LOCALHOST, port + 10_000)).is_ok() {
            return Ok(port);
        }
    }
    bail!("found no free loopback port")
}

/// A child process owned by a guard thread: the thread starts it with `PR_SET_PDEATHSIG`
/// (which is tied to the thread that forked) and stays alive until told to stop, so the
/// kernel kills the child if and only if cachelab goes away without stopping it. Also
/// starts the private memcached of [`super::memcached_server`].
pub(super) struct Guarded {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<String>,
    exited: Arc<AtomicBool>,
}

impl Guarded {
    pub(super) fn spawn(mut cmd: Command) -> io::Result<Guarded> {
        let (started_tx, started_rx) = mpsc::channel::<io::Result<()>>();
        let (stop, stop_rx) = mpsc::channel::<()>();
        let exited = Arc::new(AtomicBool::new(false));
        let flag = exited.clone();
        let thread = thread::Builder::new().name("server-guard".into()).spawn(move || {
            // SAFETY: between fork and exec only async-signal-safe calls are made (prctl,
            // setpgid), touching no memory of the parent.
            unsafe {
                cmd.pre_exec(|| {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                        return Err(io::Error::last_os_error());
                    }
                    // Own process group: a Ctrl-C meant for cachelab must not kill the server
                    // before cachelab has finished with it; cachelab stops it itself.
                    if libc::setpgid(0, 0) != 0 {
                        return Err(io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let mut child = match cmd.spawn() {
                Ok(c) => c,
                Err(e) => {
                    flag.store(true, Ordering::Release);
                    let _ = started_tx.send(Err(e));
                    return String::new();
                }
            };
            let _ = started_tx.send(Ok(()));
            while let Err(RecvTimeoutError::Timeout) = stop_rx.recv_timeout(Duration::from_millis(50)) {
                if let Ok(Some(status)) = child.try_wait() {
                    let mut err = String::new();
                    if let Some(mut s) = child.stderr.take() {
                        let _ = s.read_to_string(&mut err);
                    }
                    flag.store(true, Ordering::Release);
                    return format!("exited with {status}: {err}");
                }
            }
            let _ = child.kill();
            let _ = child.wait();
            flag.store(true, Ordering::Release);
            String::new()
        })?;
        started_rx.recv().map_err(|_| io::Error::other("guard thread died"))??;
        Ok(Guarded { stop, thread, exited })
    }

    /// Whether the child has exited (or never started).
    pub(super) fn has_exited(&self) -> bool {
        self.exited.load(Ordering::Acquire)
    }

    /// Kills the child (if still running), waits for it, and returns what it said if it had
    /// exited on its own.
    pub(super) fn stop(self) -> String {
        let _ = self.stop.send(());
        self.thread.join().unwrap_or_default()
    }
}

#[cfg(feature = "harness")]
pub mod harness;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_fields_are_read_from_info_text() {
        let info = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n";
        assert_eq!(info_field(info, "redis_version"), Some("7.0.15"));
        assert_eq!(info_field(info, "redis"), None);
        assert_eq!(info_field(info, "missing"), None);
    }
}
