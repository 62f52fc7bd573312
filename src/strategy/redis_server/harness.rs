//! What only the test suite needs of private Redis servers: clusters of masters, TLS,
//! passwords and restarts after a kill. Built with the dev-only `harness` feature (the test
//! suite and benches turn it on; `cargo build` leaves it out of the program).

use std::io;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::bail;

use super::{RedisServer, START_TIMEOUT, ServerOptions, info_field};

/// What to tell a user whose machine lacks `redis-cli`.
const INSTALL_CLI: &str = "install redis-tools (apt-get install redis-tools)";
/// How long a new cluster may take to reach `cluster_state:ok`.
const CLUSTER_TIMEOUT: Duration = Duration::from_secs(15);

/// A certificate and its private key, PEM encoded; the certificate also serves as the CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate file.
    pub cert: PathBuf,
    /// Private key file.
    pub key: PathBuf,
}

impl RedisServer {
    /// Starts the server again on the same port (after [`RedisServer::kill`]); the data is
    /// gone, as after a crash of a server without persistence.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        let deadline = Instant::now() + START_TIMEOUT;
        // The old socket can linger for a moment; retry the bind until the deadline.
        loop {
            match self.launch() {
                Ok(()) => return Ok(()),
                Err(e) if Instant::now() >= deadline => return Err(e),
                Err(_) => thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// The TLS URL, `rediss://127.0.0.1:<tls port>/#insecure` (the certificate is
    /// self-signed, so clients skip verification), when TLS is on.
    pub fn tls_url(&self) -> Option<String> {
        self.tls_port.map(|p| format!("rediss://{}127.0.0.1:{p}/#insecure", self.auth()))
    }

    /// The command-line arguments of the test-only options.
    pub(super) fn harness_args(&self, cmd: &mut Command) {
        if let Some(password) = &self.options.password {
            cmd.args(["--requirepass", password]);
        }
        if let (Some(tls), Some(port)) = (&self.options.tls, self.tls_port) {
            cmd.args(["--tls-port", &port.to_string(), "--tls-auth-clients", "no"])
                .arg("--tls-cert-file")
                .arg(&tls.cert)
                .arg("--tls-key-file")
                .arg(&tls.key)
                .arg("--tls-ca-cert-file")
                .arg(&tls.cert);
        }
        if self.options.cluster {
            cmd.args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "1000",
            ]);
        }
    }
}

/// A private Redis Cluster of masters (no replicas) on loopback; every node is killed on drop.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts `masters` cluster-enabled servers, each configured by `options` (e.g. its own
    /// `maxmemory` and policy), joins them with `redis-cli --cluster create` and waits until
    /// every node reports `cluster_state:ok`.
    pub fn start(masters: usize, options: ServerOptions) -> anyhow::Result<RedisCluster> {
        if masters < 3 {
            bail!("a Redis Cluster needs at least 3 masters, got {masters}");
        }
        let options = ServerOptions { cluster: true, ..options };
        let nodes =
            (0..masters).map(|_| RedisServer::start(options.clone())).collect::<anyhow::Result<Vec<_>>>()?;
        let cluster = RedisCluster { nodes };
        let addresses: Vec<String> =
            cluster.nodes.iter().map(|n| format!("127.0.0.1:{}", n.port())).collect();
        let output = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    anyhow::anyhow!("redis-cli not found on PATH; {INSTALL_CLI}")
                } else {
                    anyhow::anyhow!("cannot run redis-cli --cluster create: {e}")
                }
            })?;
        if !output.status.success() {
            bail!(
                "redis-cli --cluster create failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        cluster.wait_until_ok()?;
        Ok(cluster)
    }

    /// `redis://127.0.0.1:<port>` of every node, in start order.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// Node `i` (to kill or inspect it).
    pub fn node_mut(&mut self, i: usize) -> &mut RedisServer {
        &mut self.nodes[i]
    }

    /// Starts node `i` again after it was killed (its cluster configuration survives in its
    /// directory, its data does not) and waits until the cluster is `ok` again.
    pub fn restart_node(&mut self, i: usize) -> anyhow::Result<()> {
        self.nodes[i].restart()?;
        self.wait_until_ok()
    }

    /// Kills every node.
    pub fn stop(&mut self) {
        for n in &mut self.nodes {
            n.kill();
        }
    }

    fn wait_until_ok(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + CLUSTER_TIMEOUT;
        loop {
            let ok = self.nodes.iter().all(|n| {
                n.connect()
                    .and_then(|mut c| Ok(redis::cmd("CLUSTER").arg("INFO").query::<String>(&mut c)?))
                    .is_ok_and(|info| info_field(&info, "cluster_state") == Some("ok"))
            });
            if ok {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!("the Redis Cluster did not reach cluster_state:ok within {CLUSTER_TIMEOUT:?}");
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}
