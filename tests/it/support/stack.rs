//! Real HTTP caches for the HTTP-target tests, each started on a free loopback port in front
//! of an origin address and stopped (with everything it wrote) when dropped: nginx from
//! `examples/nginx/nginx.conf.template`, Varnish from `examples/varnish/default.vcl.template`,
//! the aiohttp-cache app of `examples/aiohttp-cache/app.py` (memory or Redis backend) in the
//! venv `.ci/run` builds, and `cachelab serve --upstream`. A missing program fails the test
//! with what to install, never skips it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a server may take to start listening.
const START: Duration = Duration::from_secs(20);

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Waits until `port` accepts connections, or panics with the server's log.
fn wait_listening(port: u16, child: &mut Child, log: &Path) {
    let deadline = Instant::now() + START;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server exited ({status}): {}", std::fs::read_to_string(log).unwrap_or_default());
        }
        assert!(
            Instant::now() < deadline,
            "nothing listens on {port}: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `command` (a server that will listen on `port`, writing to `log` in `dir`) and
/// waits until it listens.
fn listening(mut command: Command, port: u16, dir: tempfile::TempDir, log: &Path) -> Running {
    let mut child = command.spawn().unwrap();
    wait_listening(port, &mut child, log);
    Running { port, child, _dir: dir }
}

/// A server process, stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Running {
    /// Where it listens.
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// nginx `proxy_cache` of `max_size` (nginx syntax, e.g. `64m`) in front of `origin`.
pub fn nginx(origin: SocketAddr, max_size: &str) -> Running {
    let nginx = which("nginx", "/usr/sbin/nginx")
        .expect("nginx is not installed: apt-get install nginx-light (bash .ci/run does)");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let template = std::fs::read_to_string(repo().join("examples/nginx/nginx.conf.template")).unwrap();
    let conf = template
        .replace("@PREFIX@", dir.path().to_str().unwrap())
        .replace("@PORT@", &format!("127.0.0.1:{port}"))
        .replace("@ORIGIN@", &origin.to_string())
        .replace("@MAX_SIZE@", max_size);
    let conf_path = dir.path().join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let log = dir.path().join("error.log");
    let mut command = Command::new(nginx);
    command
        .arg("-e")
        .arg(&log)
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    listening(command, port, dir, &log)
}

/// Varnish (`varnishd -s malloc,<malloc>`, e.g. `64m`) in front of `origin`, marking hits
/// `X-Cache: HIT` as the example's VCL does.
pub fn varnish(origin: SocketAddr, malloc: &str) -> Running {
    let varnishd = which("varnishd", "/usr/sbin/varnishd")
        .expect("varnishd is not installed: apt-get install varnish (bash .ci/run does)");
    let dir = tempfile::tempdir().unwrap();
    // varnishd started as root reads its VCL as an unprivileged user.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let port = free_port();
    let template = std::fs::read_to_string(repo().join("examples/varnish/default.vcl.template")).unwrap();
    let vcl = template
        .replace("@ORIGIN_HOST@", &origin.ip().to_string())
        .replace("@ORIGIN_PORT@", &origin.port().to_string());
    let vcl_path = dir.path().join("default.vcl");
    std::fs::write(&vcl_path, vcl).unwrap();
    let log = dir.path().join("varnishd.log");
    // -F: in the foreground, so dropping the handle stops it; -t: the TTL of responses without
    // max-age, as examples/varnish/server.sh sets.
    let mut command = Command::new(varnishd);
    command
        .arg("-F")
        .args(["-a", &format!("127.0.0.1:{port}"), "-s", &format!("malloc,{malloc}"), "-t", "86400"])
        .arg("-f")
        .arg(&vcl_path)
        .arg("-n")
        .arg(dir.path().join("work"))
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::options().append(true).open(&log).unwrap());
    listening(command, port, dir, &log)
}

/// `cachelab serve SCENARIO --kind moka --capacity CAPACITY --upstream http://ORIGIN` on
/// `port`: cachelab's own caching server as a target like the others.
pub fn cachelab_serve(scenario: &Path, port: u16, origin: SocketAddr, capacity: &str) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("cachelab"));
    command
        .arg("serve")
        .arg(scenario)
        .args(["--kind", "moka", "--capacity", capacity, "--addr", &format!("127.0.0.1:{port}")])
        .arg("--upstream")
        .arg(format!("http://{origin}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    listening(command, port, dir, &log)
}

/// The Python of the venv holding `examples/aiohttp-cache/requirements.txt`
/// (`CACHELAB_STACK_PYTHON`, else `.venv-stack/bin/python` as `.ci/run` builds it).
pub fn stack_python() -> PathBuf {
    let python = std::env::var_os("CACHELAB_STACK_PYTHON")
        .map_or_else(|| repo().join(".venv-stack/bin/python"), PathBuf::from);
    assert!(
        python.exists(),
        "{} is missing: run bash .ci/run, or python3 -m venv .venv-stack && .venv-stack/bin/pip install -r examples/aiohttp-cache/requirements.txt",
        python.display()
    );
    python
}

/// The aiohttp-cache app with its memory backend in front of `origin`.
pub fn aiohttp_memory(origin: SocketAddr) -> Running {
    aiohttp(origin, &["--backend", "memory"])
}

/// The aiohttp-cache app with its Redis backend, on the server at `redis_url`, writing its
/// keys under `prefix` only, in front of `origin`.
pub fn aiohttp_redis(origin: SocketAddr, redis_url: &str, prefix: &str) -> Running {
    aiohttp(origin, &["--backend", "redis", "--redis-url", redis_url, "--redis-prefix", prefix])
}

/// The aiohttp-cache app in front of `origin`, with `backend` (its command-line flags).
fn aiohttp(origin: SocketAddr, backend: &[&str]) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = dir.path().join("app.log");
    let mut command = Command::new(stack_python());
    command
        .arg(repo().join("examples/aiohttp-cache/app.py"))
        .args(["--port", &port.to_string()])
        .args(backend)
        .arg("--origin")
        .arg(format!("http://{origin}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    listening(command, port, dir, &log)
}

/// `name` on the PATH, else at `fallback` (sbin is not on every PATH).
fn which(name: &str, fallback: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .chain([PathBuf::from(fallback)])
        .find(|p| p.is_file())
}
