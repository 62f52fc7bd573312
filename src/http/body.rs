//! Response bodies of the caching server, never copied and never held whole when they need not
//! be: a shared [`Bytes`] (a hit's value, a fill that was stored: the cache, every coalesced
//! waiter and every response point at one buffer), or the origin's deterministic body
//! ([`crate::origin::body_part`]) produced [`FRAME_BYTES`] at a time as the connection takes
//! them (a fill that was not stored), so a large uncacheable object costs one frame per
//! connection, not its size.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};

use crate::origin::body_part;

/// Size of each frame of a generated body (the last one may be shorter).
pub const FRAME_BYTES: usize = 64 * 1024;

/// A response body: shared bytes or the origin's body generated frame by frame. Its length is
/// always known, so responses carry `Content-Length`.
#[derive(Debug, Clone)]
pub struct ResponseBody(Inner);

#[derive(Debug, Clone)]
enum Inner {
    /// Sent in one frame (None once sent; an empty body sends none).
    Shared(Option<Bytes>),
    /// Bytes `offset .. end` of `key`'s origin body are still to be sent.
    Generated { key: u64, offset: u64, end: u64 },
}

impl ResponseBody {
    /// The origin's body for `(key, size)`, produced in frames of [`FRAME_BYTES`] while it is
    /// sent.
    pub fn generated(key: u64, size: u32) -> Self {
        ResponseBody(Inner::Generated { key, offset: 0, end: u64::from(size) })
    }

    /// No body.
    pub fn empty() -> Self {
        ResponseBody(Inner::Shared(None))
    }

    /// The rest of the body in one buffer: shared bytes as they are, a generated body produced
    /// now.
    pub fn into_bytes(self) -> Bytes {
        match self.0 {
            Inner::Shared(bytes) => bytes.unwrap_or_default(),
            Inner::Generated { key, offset, end } => body_part(key, offset, (end - offset) as usize),
        }
    }

    fn remaining(&self) -> u64 {
        match &self.0 {
            Inner::Shared(bytes) => bytes.as_ref().map_or(0, |b| b.len() as u64),
            Inner::Generated { offset, end, .. } => end - offset,
        }
    }
}

impl From<Bytes> for ResponseBody {
    fn from(bytes: Bytes) -> Self {
        ResponseBody(Inner::Shared(Some(bytes).filter(|b| !b.is_empty())))
    }
}

impl From<&'static str> for ResponseBody {
    fn from(text: &'static str) -> Self {
        Bytes::from_static(text.as_bytes()).into()
    }
}

impl From<String> for ResponseBody {
    fn from(text: String) -> Self {
        Bytes::from(text).into()
    }
}

/// A `200` response carrying `value` as JSON (a server's counters).
pub fn json_response(value: &impl serde::Serialize) -> hyper::Response<ResponseBody> {
    let json = serde_json::to_vec(value).unwrap_or_default();
    let mut response = hyper::Response::new(ResponseBody::from(Bytes::from(json)));
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    response
}

impl hyper::body::Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = match &mut self.get_mut().0 {
            Inner::Shared(bytes) => bytes.take(),
            Inner::Generated { key, offset, end } => (*offset < *end).then(|| {
                let len = (*end - *offset).min(FRAME_BYTES as u64);
                let part = body_part(*key, *offset, len as usize);
                *offset += len;
                part
            }),
        };
        Poll::Ready(frame.map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining() == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining())
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;
    use hyper::body::Body;

    use super::*;
    use crate::origin;

    async fn frames(mut body: ResponseBody) -> Vec<Bytes> {
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            out.push(frame.unwrap().into_data().unwrap());
        }
        assert!(body.is_end_stream());
        out
    }

    #[tokio::test]
    async fn a_generated_body_is_the_origin_body_in_bounded_frames() {
        let size = 3 * FRAME_BYTES as u32 + 123;
        let body = ResponseBody::generated(9, size);
        assert_eq!(body.size_hint().exact(), Some(u64::from(size)));
        let parts = frames(body).await;
        assert_eq!(parts.len(), 4);
        assert!(parts.iter().all(|p| p.len() <= FRAME_BYTES));
        assert!(origin::verify(9, size, &parts.concat()));
        assert!(frames(ResponseBody::generated(9, 0)).await.is_empty());
        assert_eq!(ResponseBody::generated(9, size).into_bytes(), origin::body(9, size));
    }

    #[tokio::test]
    async fn shared_bytes_are_sent_as_they_are() {
        let value = origin::body(4, 5000);
        let parts = frames(ResponseBody::from(value.clone())).await;
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].as_ptr(), value.as_ptr(), "the same buffer, not a copy");
        assert!(frames(ResponseBody::empty()).await.is_empty());
        assert!(frames(ResponseBody::from(Bytes::new())).await.is_empty());
        assert_eq!(ResponseBody::from(value.clone()).into_bytes().as_ptr(), value.as_ptr());
    }
}
