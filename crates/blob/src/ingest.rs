//! The upload pipeline shared by both backends: size limit, media type, SHA-256 and SM3 in
//! one pass, bytes handed to the backend's [`Sink`].
//!
//! Chunks arrive as [`Bytes`] (from the HTTP body, or read from a `Read` into fresh
//! buffers). Each chunk is counted against the limit before anything is done with it; the
//! first [`SNIFF_LEN`] bytes are held back until the media type is known, so a refused type
//! never reaches the backend. After that every chunk is
//!
//! 1. handed (a reference-counted clone, no copy) to an SM3 thread through a bounded queue,
//! 2. fed to SHA-256 on this thread,
//! 3. written to the sink.
//!
//! SM3 has no hardware support and runs at about the speed of `sha256sum` on its own, while
//! SHA-256 (with the CPU's SHA extensions) and writing take a fraction of that; running SM3
//! on a second core keeps the upload at the speed of the slower of the two rather than
//! their sum. The queue (and the HTTP body channel before it) bound the memory in flight.

use std::sync::mpsc::sync_channel;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use sm3::Sm3;

use crate::sniff::{SNIFF_LEN, detect};
use crate::{BlobError, BlobKey, BlobReader, BlobStat, Limits, StoredBlob};

/// Chunks queued for the SM3 thread at most.
const SM3_QUEUE: usize = 16;

/// The size of the buffers a `Read` source is read into.
pub(crate) const READ_CHUNK: usize = 256 * 1024;

/// A storage backend: local files or S3.
pub(crate) trait Backend: Send + Sync + 'static {
    /// Starts writing new content of `media_type` (already checked).
    fn begin(&self, media_type: &'static str) -> Result<Box<dyn Sink + '_>, BlobError>;
    /// Reads an object, or the byte `range` of it.
    fn open(&self, key: &BlobKey, range: Option<std::ops::Range<u64>>) -> Result<BlobReader, BlobError>;
    fn stat(&self, key: &BlobKey) -> Result<Option<BlobStat>, BlobError>;
    fn delete(&self, key: &BlobKey) -> Result<bool, BlobError>;
    fn sweep(&self, older_than: std::time::Duration) -> Result<usize, BlobError>;
    fn check(&self) -> Result<(), BlobError>;
    fn describe(&self) -> String;
}

/// Content being written. Dropping a sink that was not committed removes everything it
/// wrote (temporary file, multipart upload, staging object), so every error path — and a
/// panic — leaves nothing behind.
pub(crate) trait Sink {
    fn write(&mut self, chunk: &[u8]) -> Result<(), BlobError>;
    /// Makes the content (`size` bytes) durable and visible under `key`. If an object of
    /// that size is already there, it is kept and this content discarded (idempotent).
    fn commit(&mut self, key: &BlobKey, size: u64) -> Result<(), BlobError>;
}

/// The chunk source of one upload: `Ok(None)` at the end.
pub(crate) type Next<'a> = dyn FnMut() -> Result<Option<Bytes>, BlobError> + 'a;

/// Runs one upload from `next` into `backend`.
pub(crate) fn ingest(backend: &dyn Backend, next: &mut Next<'_>, limits: &Limits) -> Result<StoredBlob, BlobError> {
    let mut size: u64 = 0;
    let count = |size: &mut u64, chunk: &Bytes| {
        *size += chunk.len() as u64;
        if *size > limits.max_size { Err(BlobError::TooLarge { limit: limits.max_size }) } else { Ok(()) }
    };

    // Hold back the first bytes until the media type is known.
    let mut held: Vec<Bytes> = Vec::new();
    let mut head = Vec::with_capacity(SNIFF_LEN);
    let mut ended = false;
    while head.len() < SNIFF_LEN {
        match next()? {
            None => {
                ended = true;
                break;
            }
            Some(chunk) => {
                count(&mut size, &chunk)?;
                let take = chunk.len().min(SNIFF_LEN - head.len());
                head.extend_from_slice(&chunk[..take]);
                held.push(chunk);
            }
        }
    }
    if size == 0 {
        return Err(BlobError::Empty);
    }
    let media_type = match detect(&head) {
        Some(t) if limits.allows(t) => t,
        detected => return Err(BlobError::TypeRefused { detected, allowed: limits.allowed.clone() }),
    };

    let mut sink = backend.begin(media_type)?;
    let (sha256, sm3): ([u8; 32], [u8; 32]) = std::thread::scope(|scope| {
        let (to_sm3, from_main) = sync_channel::<Bytes>(SM3_QUEUE);
        let sm3_thread = scope.spawn(move || {
            let mut h = Sm3::new();
            for chunk in from_main {
                h.update(&chunk);
            }
            h.finalize()
        });
        let mut sha = Sha256::new();
        let mut feed = |chunk: Bytes| -> Result<(), BlobError> {
            if chunk.is_empty() {
                return Ok(());
            }
            to_sm3.send(chunk.clone()).map_err(|_| BlobError::Storage("SM3 线程意外结束".into()))?;
            sha.update(&chunk);
            sink.write(&chunk)
        };
        for chunk in held {
            feed(chunk)?;
        }
        if !ended {
            while let Some(chunk) = next()? {
                count(&mut size, &chunk)?;
                feed(chunk)?;
            }
        }
        drop(to_sm3);
        let sm3 = sm3_thread.join().map_err(|_| BlobError::Storage("SM3 线程意外结束".into()))?;
        Ok::<_, BlobError>((sha.finalize().into(), sm3.into()))
    })?;

    let key = BlobKey::from_sha256(&sha256);
    sink.commit(&key, size)?;
    Ok(StoredBlob { key, size, sha256: hex::encode(sha256), sm3: hex::encode(sm3), media_type: media_type.to_string() })
}

/// A chunk source reading `reader` into fresh [`READ_CHUNK`]-sized buffers (one allocation
/// per chunk, each filled completely unless at the end). A read error is the source's
/// failure ([`BlobError::Source`]).
pub(crate) fn read_chunks<R: std::io::Read>(mut reader: R) -> impl FnMut() -> Result<Option<Bytes>, BlobError> {
    move || {
        let mut buf = bytes::BytesMut::zeroed(READ_CHUNK);
        let mut filled = 0;
        while filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(BlobError::Source(e.to_string())),
            }
        }
        if filled == 0 {
            return Ok(None);
        }
        buf.truncate(filled);
        Ok(Some(buf.freeze()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A backend that records what reaches it.
    #[derive(Default)]
    struct Recorder {
        written: Mutex<Vec<u8>>,
        begun: Mutex<usize>,
        committed: Mutex<Option<(BlobKey, u64)>>,
    }

    struct RecSink<'a>(&'a Recorder);

    impl Sink for RecSink<'_> {
        fn write(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
            self.0.written.lock().unwrap().extend_from_slice(chunk);
            Ok(())
        }
        fn commit(&mut self, key: &BlobKey, size: u64) -> Result<(), BlobError> {
            *self.0.committed.lock().unwrap() = Some((key.clone(), size));
            Ok(())
        }
    }

    impl Backend for Recorder {
        fn begin(&self, _: &'static str) -> Result<Box<dyn Sink + '_>, BlobError> {
            *self.begun.lock().unwrap() += 1;
            Ok(Box::new(RecSink(self)))
        }
        fn open(&self, _: &BlobKey, _: Option<std::ops::Range<u64>>) -> Result<BlobReader, BlobError> {
            unreachable!("the ingest tests only write through this fake")
        }
        fn stat(&self, _: &BlobKey) -> Result<Option<BlobStat>, BlobError> {
            unreachable!("the ingest tests only write through this fake")
        }
        fn delete(&self, _: &BlobKey) -> Result<bool, BlobError> {
            unreachable!("the ingest tests only write through this fake")
        }
        fn sweep(&self, _: std::time::Duration) -> Result<usize, BlobError> {
            unreachable!("the ingest tests only write through this fake")
        }
        fn check(&self) -> Result<(), BlobError> {
            Ok(())
        }
        fn describe(&self) -> String {
            "recorder".into()
        }
    }

    fn run(chunks: Vec<&'static [u8]>, limits: &Limits) -> (Recorder, Result<StoredBlob, BlobError>) {
        let rec = Recorder::default();
        let mut it = chunks.into_iter().map(Bytes::from_static);
        let r = ingest(&rec, &mut || Ok(it.next()), limits);
        (rec, r)
    }

    fn any_type() -> Limits {
        Limits { max_size: 1 << 20, allowed: vec!["application/pdf".into()] }
    }

    #[test]
    fn hashes_match_the_standard_vectors_whatever_the_chunking() {
        // GB/T 32905-2016 Appendix A: SM3("abc") and SM3("abcd" × 16); FIPS 180-2: SHA-256.
        let content = b"%PDF-abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd";
        let whole = run(vec![content], &any_type()).1.unwrap();
        for split in [1, 5, 17, 64] {
            let (a, b) = content.split_at(split);
            let r = run(vec![a, b"", b], &any_type()).1.unwrap();
            assert_eq!(r, whole);
        }
        assert_eq!(whole.sha256, hex::encode(Sha256::digest(content)));
        assert_eq!(whole.sm3, hex::encode(Sm3::digest(content)));
        assert_eq!(
            hex::encode(Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            hex::encode(Sm3::digest(&content[5..])),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        assert_eq!(whole.size, content.len() as u64);
        assert_eq!(whole.media_type, "application/pdf");
        assert_eq!(whole.key.sha256_hex(), whole.sha256);
    }

    #[test]
    fn the_sm3_thread_sees_exactly_the_content() {
        // No allowed type starts with "abc", so the vector itself cannot go through the
        // pipeline; content split at odd places must hash as one-shot SM3 does.
        let r = run(vec![b"%PDF-", b"a", b"bc"], &any_type()).1.unwrap();
        assert_eq!(r.sm3, hex::encode(Sm3::digest(b"%PDF-abc")));
    }

    #[test]
    fn refusals_reach_no_backend() {
        let (rec, r) = run(vec![b"MZ\x90\0", b"rest of an exe"], &any_type());
        assert!(matches!(r, Err(BlobError::TypeRefused { detected: Some("application/x-msdownload"), .. })));
        assert_eq!(*rec.begun.lock().unwrap(), 0);

        let (rec, r) = run(vec![b"", b""], &any_type());
        assert!(matches!(r, Err(BlobError::Empty)));
        assert_eq!(*rec.begun.lock().unwrap(), 0);

        let limits = Limits { max_size: 8, ..any_type() };
        let (rec, r) = run(vec![b"%PDF-", b"1234"], &limits);
        assert!(matches!(r, Err(BlobError::TooLarge { limit: 8 })));
        assert_eq!(*rec.begun.lock().unwrap(), 0);
        let (_, r) = run(vec![b"%PDF-", b"123"], &limits);
        assert_eq!(r.unwrap().size, 8);
    }

    #[test]
    fn over_the_limit_stops_at_once_and_commits_nothing() {
        let limits = Limits { max_size: 3 * SNIFF_LEN as u64, ..any_type() };
        let rec = Recorder::default();
        let mut served = 0;
        let r = ingest(
            &rec,
            &mut || {
                served += 1;
                let mut v = vec![0u8; SNIFF_LEN];
                v[..5].copy_from_slice(b"%PDF-");
                Ok(Some(Bytes::from(v)))
            },
            &limits,
        );
        assert!(matches!(r, Err(BlobError::TooLarge { .. })));
        assert_eq!(served, 4, "the source is not read past the chunk that passed the limit");
        assert!(rec.committed.lock().unwrap().is_none());
        assert_eq!(rec.written.lock().unwrap().len(), 3 * SNIFF_LEN);
    }

    #[test]
    fn a_failing_source_commits_nothing() {
        let rec = Recorder::default();
        let mut calls = 0;
        let r = ingest(
            &rec,
            &mut || {
                calls += 1;
                if calls < 3 {
                    Ok(Some(Bytes::from_static(b"%PDF-1.7 xxxxxxxxxxxx")))
                } else {
                    Err(BlobError::Source("boom".into()))
                }
            },
            &any_type(),
        );
        assert!(matches!(r, Err(BlobError::Source(_))));
        assert!(rec.committed.lock().unwrap().is_none());
    }

    #[test]
    fn read_chunks_fills_whole_buffers() {
        // A reader that returns 1000 bytes per call still yields full chunks.
        struct Dribble(usize);
        impl std::io::Read for Dribble {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(1000).min(self.0);
                self.0 -= n;
                buf[..n].fill(7);
                Ok(n)
            }
        }
        let mut next = read_chunks(Dribble(READ_CHUNK + 10));
        assert_eq!(next().unwrap().unwrap().len(), READ_CHUNK);
        assert_eq!(next().unwrap().unwrap().len(), 10);
        assert!(next().unwrap().is_none());
    }
}
