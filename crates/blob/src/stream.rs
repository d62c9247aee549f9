//! Async adapters over the blocking store, for HTTP handlers: [`BlobStore::put_stream`] and
//! [`BlobStore::get_stream`]. Both need a Tokio runtime (they use `spawn_blocking`).

use std::fmt::Display;
use std::io::Read;
use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use tokio::sync::mpsc;

use crate::{BlobError, BlobKey, BlobStore, Limits, StoredBlob};

/// Body chunks queued between the caller's task and the upload at most. With hyper's
/// chunks (at most a few hundred KiB) this bounds the upload's memory to a few MiB.
const UPLOAD_QUEUE: usize = 8;
/// Download chunks queued at most, and their size.
const DOWNLOAD_QUEUE: usize = 4;
const DOWNLOAD_CHUNK: usize = 256 * 1024;

enum Msg {
    Chunk(Bytes),
    Failed(String),
    End,
}

impl BlobStore {
    /// Stores the bytes of `body` (e.g. `axum::body::Body::into_data_stream()`), checking
    /// `limits` as they arrive.
    ///
    /// The body is polled on the caller's task; the hashing and writing run in a
    /// `spawn_blocking` task fed through a bounded channel, so memory stays bounded and the
    /// async workers never block. Refusals come as soon as they are known: the type after
    /// the first 4 KiB, the size as soon as it is passed (the rest of the body is not read).
    /// An error item of the stream, or the stream ending because this future was dropped,
    /// fails the upload with nothing left behind.
    pub async fn put_stream<S, E>(&self, body: S, limits: &Limits) -> Result<StoredBlob, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: Display,
    {
        let (tx, mut rx) = mpsc::channel::<Msg>(UPLOAD_QUEUE);
        let store = self.clone();
        let limits = limits.clone();
        let upload = tokio::task::spawn_blocking(move || {
            let mut next = || match rx.blocking_recv() {
                Some(Msg::Chunk(b)) => Ok(Some(b)),
                Some(Msg::End) => Ok(None),
                Some(Msg::Failed(e)) => Err(BlobError::Source(e)),
                // The sender went away without `End`: the caller's future was dropped.
                None => Err(BlobError::Source("上传请求已取消".into())),
            };
            crate::ingest::ingest(&*store.backend, &mut next, &limits)
        });

        let mut body = std::pin::pin!(body);
        loop {
            // Stop waiting for the client as soon as the upload has ended (refused or failed).
            let item = tokio::select! {
                biased;
                () = tx.closed() => break,
                item = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)) => item,
            };
            let msg = match item {
                Some(Ok(chunk)) => Msg::Chunk(chunk),
                Some(Err(e)) => Msg::Failed(e.to_string()),
                None => Msg::End,
            };
            let last = !matches!(msg, Msg::Chunk(_));
            // A send error means the upload already ended (refused or failed): its result
            // says why.
            if tx.send(msg).await.is_err() || last {
                break;
            }
        }
        drop(tx);
        upload.await.map_err(|e| BlobError::Storage(format!("上传任务失败：{e}")))?
    }

    /// Opens an object (or the byte `range` of it) for an async response body. Errors of
    /// opening ([`BlobError::NotFound`], [`BlobError::RangeNotSatisfiable`], …) come here,
    /// before any byte is sent; the returned stream reads in a `spawn_blocking` task, a few
    /// 256 KiB chunks ahead of the consumer, and stops when the stream is dropped.
    pub async fn get_stream(&self, key: &BlobKey, range: Option<Range<u64>>) -> Result<BlobStream, BlobError> {
        let store = self.clone();
        let key = key.clone();
        let reader = tokio::task::spawn_blocking(move || store.backend.open(&key, range))
            .await
            .map_err(|e| BlobError::Storage(format!("读取任务失败：{e}")))??;
        let (len, total_size, media_type) = (reader.len(), reader.total_size(), reader.media_type.clone());
        let (tx, rx) = mpsc::channel(DOWNLOAD_QUEUE);
        tokio::task::spawn_blocking(move || pump(reader, len, tx));
        Ok(BlobStream { rx, len, total_size, media_type })
    }
}

/// Reads `reader` to its end into the channel; a short read is an error (never a silently
/// truncated download).
fn pump(mut reader: crate::BlobReader, len: u64, tx: mpsc::Sender<std::io::Result<Bytes>>) {
    let mut sent = 0u64;
    while sent < len {
        let want = DOWNLOAD_CHUNK.min(usize::try_from(len - sent).unwrap_or(usize::MAX));
        let mut buf = BytesMut::zeroed(want);
        let mut filled = 0;
        let result = loop {
            if filled == want {
                break Ok(());
            }
            match reader.read(&mut buf[filled..]) {
                Ok(0) => {
                    break Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!("object ended after {} of {len} bytes", sent + filled as u64),
                    ));
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        let item = result.map(|()| {
            buf.truncate(filled);
            buf.freeze()
        });
        let failed = item.is_err();
        if tx.blocking_send(item).is_err() || failed {
            return; // the consumer is gone, or the error was delivered
        }
        sent += filled as u64;
    }
}

/// An object's bytes as an async stream (`Stream<Item = io::Result<Bytes>>`, `Send +
/// 'static`: usable as `axum::body::Body::from_stream`).
pub struct BlobStream {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    len: u64,
    total_size: u64,
    media_type: Option<String>,
}

impl BlobStream {
    /// Bytes this stream yields (`Content-Length`).
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole object's size (for `Content-Range`).
    pub fn total_size(&self) -> u64 {
        self.total_size
    }

    pub fn media_type(&self) -> Option<&str> {
        self.media_type.as_deref()
    }
}

impl Stream for BlobStream {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl std::fmt::Debug for BlobStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStream").field("len", &self.len).field("total_size", &self.total_size).finish()
    }
}
