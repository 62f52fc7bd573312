//! An origin reached over HTTP (`cachelab serve --upstream URL`): the caching server's misses
//! go to a real server — `cachelab origin`, or the origin a run serves at `[origin] listen` —
//! instead of the origin simulated in this process. A run can then measure `cachelab serve`
//! as an HTTP target like nginx or Varnish, its hits counted at that origin, over the same
//! loopback hop on every miss.

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::body::ResponseBody;
use super::origin::{OBJECT_PREFIX, Object};

/// The origin at a URL, over pooled keep-alive connections.
pub struct Upstream {
    base: String,
    client: Client<HttpConnector, Empty<Bytes>>,
    fetches: AtomicU64,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream").field("base", &self.base).finish_non_exhaustive()
    }
}

impl Upstream {
    /// The origin at `url`, `http://HOST:PORT` (no path: objects are at `/obj/<key>` there).
    pub fn new(url: &str) -> Result<Upstream, String> {
        let uri: Uri = url.parse().map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        let path = uri.path_and_query().map_or("", |p| p.as_str());
        match (uri.scheme_str(), uri.authority()) {
            (Some("http"), Some(authority)) if matches!(path, "" | "/") => Ok(Upstream {
                base: format!("http://{authority}"),
                client: Client::builder(TokioExecutor::new()).build_http(),
                fetches: AtomicU64::new(0),
            }),
            _ => Err(format!("`{url}` must be http://HOST:PORT, with no path (objects are at /obj/<key>)")),
        }
    }

    /// Fetches `obj` (`GET /obj/<key>?size=<size>`): the upstream's status, `Cache-Control`
    /// and body; a failure is a 502 marked `no-store`, naming the upstream.
    pub async fn fetch(&self, obj: Object) -> Response<ResponseBody> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}{OBJECT_PREFIX}{}?size={}", self.base, obj.key, obj.size);
        let exchange = async {
            let uri: Uri = url.parse()?;
            let response = self.client.get(uri).await?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await?.to_bytes();
            anyhow::Ok((parts.status, parts.headers.get(CACHE_CONTROL).cloned(), body))
        };
        match exchange.await {
            Ok((status, cache_control, body)) => {
                let mut response = Response::new(ResponseBody::from(body));
                *response.status_mut() = status;
                if let Some(cc) = cache_control {
                    response.headers_mut().insert(CACHE_CONTROL, cc);
                }
                response
            }
            Err(e) => {
                let mut response =
                    Response::new(ResponseBody::from(format!("upstream {url} failed: {e:#}\n")));
                *response.status_mut() = StatusCode::BAD_GATEWAY;
                let h = response.headers_mut();
                h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
                response
            }
        }
    }

    /// Fetches made so far.
    pub fn requests(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_http_origin_without_a_path_is_an_upstream() {
        assert!(Upstream::new("http://127.0.0.1:8080").is_ok());
        assert!(Upstream::new("http://127.0.0.1:8080/").is_ok());
        for bad in ["127.0.0.1:8080", "https://127.0.0.1:8080", "http://127.0.0.1:8080/obj/", "not a url"] {
            assert!(Upstream::new(bad).is_err(), "{bad}");
        }
    }
}
