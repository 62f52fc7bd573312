//! Private `memcached` processes on loopback, for `kind = "memcached"` with `spawn = true` and
//! for tests: bound to 127.0.0.1 on a free port, UDP off, `-m` and `-I` from the scenario,
//! started under the same guard as a spawned Redis (killed with cachelab, even on a crash)
//! and killed when the handle is dropped.

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::bail;

use super::redis_server::{Guarded, free_port, on_free_ports};

/// What to tell a user whose machine lacks `memcached`.
const INSTALL_SERVER: &str = "install memcached (apt-get install memcached)";
/// How long a starting server may take to answer `version`.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// One mebibyte, memcached's unit of `-m`.
pub const MIB: u64 = 1 << 20;

/// How to configure a private server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemcachedOptions {
    /// `-m`: memory for items, in MiB.
    pub memory_mib: u64,
    /// `-I`: the largest item (key, header and value) in bytes (None: memcached's 1 MiB).
    pub item_size: Option<u64>,
}

/// A `memcached` child process we started; killed on drop.
pub struct MemcachedServer {
    port: u16,
    process: Option<Guarded>,
}

impl MemcachedServer {
    /// Starts a server on a free loopback port and waits until it answers.
    pub fn start(options: MemcachedOptions) -> anyhow::Result<MemcachedServer> {
        on_free_ports(INSTALL_SERVER, || {
            let mut server = MemcachedServer { port: free_port(false)?, process: None };
            server.launch(options)?;
            Ok(server)
        })
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The server's URL, `memcache://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("memcache://{}", self.addr())
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

    fn launch(&mut self, options: MemcachedOptions) -> anyhow::Result<()> {
        let mut cmd = Command::new("memcached");
        cmd.args(["-l", "127.0.0.1", "-p", &self.port.to_string(), "-U", "0", "-t", "2"])
            .args(["-m", &options.memory_mib.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(bytes) = options.item_size {
            cmd.args(["-I", &bytes.to_string()]);
        }
        // memcached refuses to run as root unless told which user to run as.
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } == 0 {
            cmd.args(["-u", "root"]);
        }
        let process = Guarded::spawn(cmd).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                anyhow::anyhow!("memcached not found on PATH; {INSTALL_SERVER}")
            } else {
                anyhow::anyhow!("cannot start memcached: {e}")
            }
        })?;
        self.process = Some(process);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if self.answers() {
                return Ok(());
            }
            if !self.is_running() || Instant::now() >= deadline {
                let why = self.process.take().map(Guarded::stop).unwrap_or_default();
                bail!("memcached on port {} did not start: {}", self.port, why.trim());
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the server answers `version`.
    fn answers(&self) -> bool {
        let ask = || -> io::Result<bool> {
            let mut conn =
                TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_millis(200))?;
            conn.set_read_timeout(Some(Duration::from_millis(500)))?;
            conn.write_all(b"version\r\n")?;
            let mut line = String::new();
            BufReader::new(conn).read_line(&mut line)?;
            Ok(line.starts_with("VERSION "))
        };
        ask().unwrap_or(false)
    }
}

impl Drop for MemcachedServer {
    fn drop(&mut self) {
        self.kill();
    }
}
