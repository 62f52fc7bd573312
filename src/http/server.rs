//! The HTTP servers' sockets: binds, accepts connections, serves HTTP/1.1 with keep-alive
//! through a [`Handler`] (the caching layer, [`CacheService`], or the origin alone,
//! [`super::origin_server::OriginService`]), and shuts down gracefully.
//!
//! Bad input never stops it: hyper answers malformed requests with 400, header sections over
//! [`MAX_HEADER_BYTES`] with 431, and drops connections that send no complete header section
//! within [`HEADER_READ_TIMEOUT`]; a request body must arrive within
//! [`super::cache::BODY_READ_TIMEOUT`] and fit the scenario's largest value (408 or 413, and
//! the connection is closed); a client that disconnects mid-request only ends its own
//! connection (a fill it led is taken over by a coalesced waiter, if any).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::body::ResponseBody;
use super::cache::{CacheService, ServerStats};

/// Largest request header section accepted (hyper's read buffer); larger ones get 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Time a connection has to send a complete header section once it started one.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed `accept` (out of file descriptors, say) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// What answers the requests of a [`Server`].
pub trait Handler: Send + Sync + 'static {
    /// Answers one request (never fails: errors are responses).
    fn handle(&self, req: Request<Incoming>) -> impl Future<Output = Response<ResponseBody>> + Send;
}

impl Handler for CacheService {
    fn handle(&self, req: Request<Incoming>) -> impl Future<Output = Response<ResponseBody>> + Send {
        CacheService::handle(self, req)
    }
}

/// A running server (by default the caching server).
pub struct Server<H: Handler = CacheService> {
    addr: SocketAddr,
    service: Arc<H>,
    stop: watch::Sender<Option<Duration>>,
    task: JoinHandle<()>,
}

impl Server<CacheService> {
    /// Its counters so far.
    pub fn stats(&self) -> ServerStats {
        self.service.stats()
    }

    /// [`Server::stop`], returning the final counters.
    pub async fn shutdown(self, grace: Duration) -> ServerStats {
        self.stop(grace).await.stats()
    }
}

impl<H: Handler> Server<H> {
    /// Binds `addr` (port 0: a free port) and starts serving `service` on the current tokio
    /// runtime.
    pub async fn start(service: H, addr: SocketAddr) -> std::io::Result<Server<H>> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let service = Arc::new(service);
        let (stop, stopped) = watch::channel(None);
        let task = tokio::spawn(accept(listener, service.clone(), stopped));
        Ok(Server { addr, service, stop, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What answers its requests.
    pub fn service(&self) -> &H {
        &self.service
    }

    /// Stops accepting, lets requests in flight finish (at most `grace`), closes every
    /// connection and returns what answered them (for its final counters).
    pub async fn stop(self, grace: Duration) -> Arc<H> {
        let _ = self.stop.send(Some(grace));
        let _ = self.task.await;
        self.service
    }
}

/// Accepts connections until told to stop, then shuts them down gracefully within the grace
/// period the stop signal carries (connections still busy after it are left to end alone).
async fn accept<H: Handler>(
    listener: TcpListener,
    service: Arc<H>,
    mut stop: watch::Receiver<Option<Duration>>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT).max_buf_size(MAX_HEADER_BYTES);
    let stopped = async move {
        match stop.wait_for(Option::is_some).await {
            Ok(grace) => grace.unwrap_or_default(),
            // The server was dropped without a shutdown: stop at once.
            Err(_) => Duration::ZERO,
        }
    };
    tokio::pin!(stopped);
    let grace = loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            grace = &mut stopped => break grace,
        };
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(ACCEPT_BACKOFF).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let handler = service_fn(move |req| {
            let service = service.clone();
            async move { Ok::<_, Infallible>(service.handle(req).await) }
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), handler));
        tokio::spawn(async move {
            // A connection error (reset, malformed request, timeout) ends that connection only.
            let _ = connection.await;
        });
    };
    drop(listener);
    let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
}
