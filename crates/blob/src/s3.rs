//! The S3 backend: any server speaking the S3 protocol, addressed path-style
//! (`<endpoint>/<bucket>/<key>`), every request signed with AWS Signature V4 as a presigned
//! URL by `rusty-s3` and sent with the blocking `ureq` client.
//!
//! # How an upload is stored
//!
//! The key is the content's SHA-256, known only at the end, while the bytes must go out as
//! they arrive. So:
//!
//! - Content that fits in one part buffer (`part_size`, 16 MiB by default) is buffered and
//!   sent with one `PutObject` to its final key: atomic, visible only when complete.
//! - Larger content goes to a multipart upload under a staging key `tmp/<time>-<random>`,
//!   one part per filled buffer (the buffer is reused: memory stays one part). At the end
//!   the upload is completed and copied server-side to the final key (`CopyObject`, or
//!   `UploadPartCopy` in `copy_part_size` ranges above that size, since S3 copies at most
//!   5 GiB at once), and the staging object deleted. The final key appears only when the
//!   copy is complete.
//! - Any failure aborts the multipart upload and deletes the staging object. If that
//!   cleanup fails too (server unreachable), [`crate::BlobStore::sweep_stale`] removes the
//!   leftovers later; nothing ever reaches a final key.
//! - If an object of the same size already sits under the final key, nothing is written
//!   (idempotent, and safe on buckets with object lock or versioning).
//!
//! Needed permissions: `s3:GetObject`, `s3:PutObject`, `s3:DeleteObject`,
//! `s3:ListBucket` (so a missing key answers 404, not 403),
//! `s3:ListBucketMultipartUploads`, `s3:AbortMultipartUpload`.

use std::time::Duration;

use quick_xml::escape::partial_escape;
use rusty_s3::{Bucket, Credentials, Method, UrlStyle};
use ureq::http;

use crate::error::human_size;
use crate::ingest::{Backend, Sink};
use crate::{BlobError, BlobKey, BlobReader, BlobStat};

const MIN_PART: u64 = 5 << 20;
const MAX_PART: u64 = 5 << 30;
const MAX_PARTS: u64 = 10_000;
/// How long a presigned request stays valid (it is signed just before it is sent).
const SIGNED_FOR_SECS: u64 = 15 * 60;
/// Where staging objects of multipart uploads live.
pub(crate) const STAGING_PREFIX: &str = "tmp/";

/// Connection settings of an S3-compatible bucket.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// The server's URL, e.g. `https://s3.cn-north-1.amazonaws.com.cn` or
    /// `http://127.0.0.1:9000`; a path is kept as a prefix.
    pub endpoint: String,
    /// The bucket (it must exist).
    pub bucket: String,
    /// The signing region; S3-compatible servers mostly accept `us-east-1`.
    #[serde(default = "default_region")]
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Bytes per part of a multipart upload, and the most memory one upload buffers (5 MiB
    /// to 5 GiB; default 16 MiB). Uploads up to this size are sent in one request.
    #[serde(default = "default_part_size")]
    pub part_size: u64,
    /// Objects up to this size are copied from staging in one `CopyObject`; larger ones in
    /// parts of this size (5 MiB to 5 GiB, the S3 maximum; default 5 GiB).
    #[serde(default = "default_copy_part_size")]
    pub copy_part_size: u64,
}

fn default_region() -> String {
    "us-east-1".into()
}
fn default_part_size() -> u64 {
    16 << 20
}
fn default_copy_part_size() -> u64 {
    MAX_PART
}

impl S3Config {
    /// A configuration with the default region (`us-east-1`), part and copy sizes.
    pub fn new(
        endpoint: impl Into<String>,
        bucket: impl Into<String>,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        S3Config {
            endpoint: endpoint.into(),
            bucket: bucket.into(),
            region: default_region(),
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            part_size: default_part_size(),
            copy_part_size: default_copy_part_size(),
        }
    }
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("part_size", &self.part_size)
            .field("copy_part_size", &self.copy_part_size)
            .finish()
    }
}

pub(crate) struct S3Store {
    bucket: Bucket,
    credentials: Credentials,
    agent: ureq::Agent,
    part_size: usize,
    copy_part_size: u64,
    describe: String,
}

/// An entry of a listing: key (or multipart upload), and when it was made.
pub(crate) struct Listed {
    pub key: String,
    pub upload_id: Option<String>,
    pub at: Option<jiff::Timestamp>,
}

fn transport(op: &str, e: ureq::Error) -> BlobError {
    BlobError::Unavailable(format!("{op}: {e}"))
}

impl S3Store {
    pub(crate) fn new(c: S3Config) -> Result<Self, BlobError> {
        let config = |m: String| BlobError::Config(m);
        for (name, v) in [("part_size", c.part_size), ("copy_part_size", c.copy_part_size)] {
            if !(MIN_PART..=MAX_PART).contains(&v) {
                return Err(config(format!("S3 {name} 须在 5 MiB 到 5 GiB 之间，现为 {}", human_size(v))));
            }
        }
        let name_ok = (3..=63).contains(&c.bucket.len())
            && c.bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !name_ok {
            return Err(config(format!("S3 存储桶名 {:?} 不合规（3–63 个小写字母、数字、点或连字符）", c.bucket)));
        }
        if c.access_key.is_empty() || c.secret_key.is_empty() {
            return Err(config("S3 访问密钥未配置".into()));
        }
        let endpoint: url::Url =
            c.endpoint.parse().map_err(|e| config(format!("S3 endpoint {:?} 不是有效的 URL：{e}", c.endpoint)))?;
        let bucket = Bucket::new(endpoint, UrlStyle::Path, c.bucket.clone(), c.region.clone())
            .map_err(|e| config(format!("S3 endpoint {:?}：{e}", c.endpoint)))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_per_read(Some(Duration::from_secs(300)))
            .timeout_per_write(Some(Duration::from_secs(300)))
            .build()
            .new_agent();
        let describe = format!("s3:{}", bucket.base_url());
        Ok(S3Store {
            bucket,
            credentials: Credentials::new(c.access_key, c.secret_key),
            agent,
            part_size: usize::try_from(c.part_size).map_err(|_| config("S3 part_size 过大".into()))?,
            copy_part_size: c.copy_part_size,
            describe,
        })
    }

    /// A presigned URL for `method` on the bucket (`object` `None`) or an object, with the
    /// query parameters and the headers to sign (names lowercase).
    fn sign(&self, method: Method, object: Option<&str>, query: &[(&str, &str)], headers: &[(&str, &str)]) -> url::Url {
        let url = match object {
            Some(o) => self.bucket.object_url(o),
            None => self.bucket.base_url().clone(),
        };
        let mut query = query.to_vec();
        query.sort_unstable();
        let mut headers = headers.to_vec();
        headers.sort_unstable();
        rusty_s3::signing::sign(
            &jiff::Timestamp::now(),
            method,
            url,
            self.credentials.key(),
            self.credentials.secret(),
            self.credentials.token(),
            self.bucket.region(),
            SIGNED_FOR_SECS,
            query.iter().copied(),
            headers.iter().copied(),
        )
    }

    /// Sends one request and returns the response whatever its status (`ok` decides);
    /// transport errors are [`BlobError::Unavailable`].
    #[allow(clippy::too_many_arguments)]
    fn call<B: ureq::AsSendBody>(
        &self,
        op: &str,
        method: Method,
        object: Option<&str>,
        query: &[(&str, &str)],
        signed: &[(&str, &str)],
        unsigned: &[(&str, &str)],
        body: B,
    ) -> Result<http::Response<ureq::Body>, BlobError> {
        let url = self.sign(method, object, query, signed);
        let mut req = http::Request::builder().method(method.to_str()).uri(url.as_str());
        for (k, v) in signed.iter().chain(unsigned) {
            req = req.header(*k, *v);
        }
        let req = req.body(body).map_err(|e| BlobError::Storage(format!("{op}: {e}")))?;
        self.agent.run(req).map_err(|e| transport(op, e))
    }

    /// Turns an unexpected status into an error: 5xx (and 429, 408) are the server being
    /// unavailable, anything else an error of the store; S3's `<Code>` and `<Message>` are
    /// kept.
    fn fail(op: &str, mut resp: http::Response<ureq::Body>) -> BlobError {
        let status = resp.status().as_u16();
        let body = resp.body_mut().with_config().limit(64 * 1024).read_to_string().unwrap_or_default();
        let ErrorAnswer { code, message } = quick_xml::de::from_str(&body).unwrap_or_default();
        let detail = format!("{op}: HTTP {status} {code} {message}").trim_end().to_string();
        if status >= 500 || status == 429 || status == 408 {
            BlobError::Unavailable(detail)
        } else {
            BlobError::Storage(detail)
        }
    }

    /// Reads a successful response's XML body; S3 can answer `200 OK` with an `<Error>`
    /// body (CompleteMultipartUpload, CopyObject), which is a failure.
    fn xml_body(op: &str, mut resp: http::Response<ureq::Body>) -> Result<String, BlobError> {
        let body = resp
            .body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_string()
            .map_err(|e| BlobError::Unavailable(format!("{op}: {e}")))?;
        if is_error(&body) {
            let ErrorAnswer { code, message } = quick_xml::de::from_str(&body).unwrap_or_default();
            let detail = format!("{op}: {code} {message}");
            return Err(if code == "InternalError" || code == "SlowDown" {
                BlobError::Unavailable(detail)
            } else {
                BlobError::Storage(detail)
            });
        }
        Ok(body)
    }

    fn head(&self, object: &str) -> Result<Option<(u64, Option<String>)>, BlobError> {
        let resp = self.call("HeadObject", Method::Head, Some(object), &[], &[], &[], ())?;
        match resp.status().as_u16() {
            200 => {
                let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok());
                let size = header("content-length")
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| BlobError::Storage("HeadObject: 缺少 Content-Length".into()))?;
                Ok(Some((size, header("content-type").map(str::to_string))))
            }
            404 => Ok(None),
            _ => Err(Self::fail("HeadObject", resp)),
        }
    }

    fn put_object(&self, object: &str, media_type: &str, body: &[u8]) -> Result<(), BlobError> {
        let resp =
            self.call("PutObject", Method::Put, Some(object), &[], &[], &[("content-type", media_type)], body)?;
        if resp.status().is_success() { Ok(()) } else { Err(Self::fail("PutObject", resp)) }
    }

    pub(crate) fn delete_object(&self, object: &str) -> Result<(), BlobError> {
        let resp = self.call("DeleteObject", Method::Delete, Some(object), &[], &[], &[], ())?;
        if resp.status().is_success() || resp.status().as_u16() == 404 {
            Ok(())
        } else {
            Err(Self::fail("DeleteObject", resp))
        }
    }

    fn create_upload(&self, object: &str, media_type: &str) -> Result<String, BlobError> {
        const OP: &str = "CreateMultipartUpload";
        let resp =
            self.call(OP, Method::Post, Some(object), &[("uploads", "1")], &[], &[("content-type", media_type)], ())?;
        if !resp.status().is_success() {
            return Err(Self::fail(OP, resp));
        }
        let body = Self::xml_body(OP, resp)?;
        read_xml::<InitiateMultipartUploadResult>(OP, &body)?
            .upload_id
            .ok_or_else(|| BlobError::Storage(format!("{OP}: 缺少 UploadId")))
    }

    fn upload_part(&self, object: &str, upload_id: &str, number: u16, body: &[u8]) -> Result<String, BlobError> {
        const OP: &str = "UploadPart";
        let n = number.to_string();
        let resp =
            self.call(OP, Method::Put, Some(object), &[("partNumber", &n), ("uploadId", upload_id)], &[], &[], body)?;
        if !resp.status().is_success() {
            return Err(Self::fail(OP, resp));
        }
        resp.headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| BlobError::Storage(format!("{OP}: 缺少 ETag")))
    }

    fn complete_upload(&self, object: &str, upload_id: &str, etags: &[String]) -> Result<(), BlobError> {
        const OP: &str = "CompleteMultipartUpload";
        let mut body = String::from("<CompleteMultipartUpload>");
        for (i, etag) in etags.iter().enumerate() {
            body.push_str(&format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>",
                i + 1,
                partial_escape(etag)
            ));
        }
        body.push_str("</CompleteMultipartUpload>");
        let resp = self.call(
            OP,
            Method::Post,
            Some(object),
            &[("uploadId", upload_id)],
            &[],
            &[("content-type", "application/xml")],
            body.as_bytes(),
        )?;
        if !resp.status().is_success() {
            return Err(Self::fail(OP, resp));
        }
        Self::xml_body(OP, resp).map(drop)
    }

    pub(crate) fn abort_upload(&self, object: &str, upload_id: &str) -> Result<(), BlobError> {
        const OP: &str = "AbortMultipartUpload";
        let resp = self.call(OP, Method::Delete, Some(object), &[("uploadId", upload_id)], &[], &[], ())?;
        if resp.status().is_success() || resp.status().as_u16() == 404 { Ok(()) } else { Err(Self::fail(OP, resp)) }
    }

    /// Copies `from` (a staging object of `size` bytes) to `to`, server-side.
    fn copy(&self, from: &str, to: &str, size: u64, media_type: &str) -> Result<(), BlobError> {
        let source = format!("/{}/{from}", self.bucket.name());
        if size <= self.copy_part_size {
            const OP: &str = "CopyObject";
            let resp = self.call(OP, Method::Put, Some(to), &[], &[("x-amz-copy-source", &source)], &[], ())?;
            if !resp.status().is_success() {
                return Err(Self::fail(OP, resp));
            }
            return Self::xml_body(OP, resp).map(drop);
        }
        const OP: &str = "UploadPartCopy";
        let upload_id = self.create_upload(to, media_type)?;
        let copy_parts = || -> Result<Vec<String>, BlobError> {
            let mut etags = Vec::new();
            let mut start = 0;
            while start < size {
                let end = (start + self.copy_part_size).min(size);
                let range = format!("bytes={start}-{}", end - 1);
                let n = (etags.len() + 1).to_string();
                let resp = self.call(
                    OP,
                    Method::Put,
                    Some(to),
                    &[("partNumber", &n), ("uploadId", &upload_id)],
                    &[("x-amz-copy-source", &source), ("x-amz-copy-source-range", &range)],
                    &[],
                    (),
                )?;
                if !resp.status().is_success() {
                    return Err(Self::fail(OP, resp));
                }
                let body = Self::xml_body(OP, resp)?;
                let etag = read_xml::<CopyPartResult>(OP, &body)?
                    .etag
                    .ok_or_else(|| BlobError::Storage(format!("{OP}: 缺少 ETag")))?;
                etags.push(etag);
                start = end;
            }
            Ok(etags)
        };
        let done = copy_parts().and_then(|etags| self.complete_upload(to, &upload_id, &etags));
        if done.is_err() {
            let _ = self.abort_upload(to, &upload_id);
        }
        done
    }

    /// Objects under `prefix`, every page.
    pub(crate) fn list_objects(&self, prefix: &str) -> Result<Vec<Listed>, BlobError> {
        const OP: &str = "ListObjectsV2";
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("list-type", "2"), ("prefix", prefix)];
            if let Some(t) = &token {
                query.push(("continuation-token", t));
            }
            let resp = self.call(OP, Method::Get, None, &query, &[], &[], ())?;
            if !resp.status().is_success() {
                return Err(Self::fail(OP, resp));
            }
            let page: ListBucketResult = read_xml(OP, &Self::xml_body(OP, resp)?)?;
            for item in page.contents {
                let Some(key) = item.key else { continue };
                let at = item.last_modified.and_then(|t| t.parse().ok());
                out.push(Listed { key, upload_id: None, at });
            }
            token = page.next_continuation_token;
            if !page.is_truncated || token.is_none() {
                return Ok(out);
            }
        }
    }

    /// Open multipart uploads under `prefix`, every page.
    pub(crate) fn list_uploads(&self, prefix: &str) -> Result<Vec<Listed>, BlobError> {
        const OP: &str = "ListMultipartUploads";
        let mut out = Vec::new();
        let mut markers: Option<(String, String)> = None;
        loop {
            let mut query = vec![("uploads", ""), ("prefix", prefix)];
            if let Some((k, u)) = &markers {
                query.push(("key-marker", k));
                query.push(("upload-id-marker", u));
            }
            let resp = self.call(OP, Method::Get, None, &query, &[], &[], ())?;
            if !resp.status().is_success() {
                return Err(Self::fail(OP, resp));
            }
            let page: ListMultipartUploadsResult = read_xml(OP, &Self::xml_body(OP, resp)?)?;
            for item in page.upload {
                let (Some(key), Some(id)) = (item.key, item.upload_id) else { continue };
                let at = item.initiated.and_then(|t| t.parse().ok());
                out.push(Listed { key, upload_id: Some(id), at });
            }
            let next = page.next_key_marker.zip(page.next_upload_id_marker);
            if !page.is_truncated || next.is_none() || next == markers {
                return Ok(out);
            }
            markers = next;
        }
    }

    /// Creates the bucket (tests).
    pub(crate) fn create_bucket(&self) -> Result<(), BlobError> {
        const OP: &str = "CreateBucket";
        let region = self.bucket.region();
        let body = if region == "us-east-1" {
            String::new()
        } else {
            format!(
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                 <LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
                partial_escape(region)
            )
        };
        let resp = self.call(OP, Method::Put, None, &[], &[], &[], body.as_bytes())?;
        if resp.status().is_success() { Ok(()) } else { Err(Self::fail(OP, resp)) }
    }

    /// Deletes the (empty) bucket (tests).
    pub(crate) fn delete_bucket(&self) -> Result<(), BlobError> {
        const OP: &str = "DeleteBucket";
        let resp = self.call(OP, Method::Delete, None, &[], &[], &[], ())?;
        if resp.status().is_success() { Ok(()) } else { Err(Self::fail(OP, resp)) }
    }

    /// Starts a multipart upload under the staging prefix and leaves it open, as a crash
    /// would (tests of the sweep).
    pub(crate) fn start_orphan_upload(&self) -> Result<(), BlobError> {
        let key = staging_key();
        let id = self.create_upload(&key, "application/octet-stream")?;
        self.upload_part(&key, &id, 1, b"orphan").map(drop)
    }
}

/// A fresh staging key: `tmp/<unix seconds>-<random>`.
fn staging_key() -> String {
    let secs = jiff::Timestamp::now().as_second();
    format!("{STAGING_PREFIX}{secs}-{:016x}", rand::random::<u64>())
}

/// When a staging key was made, from the seconds written into it by [`staging_key`].
fn staged_at(key: &str) -> Option<jiff::Timestamp> {
    let secs = key.strip_prefix(STAGING_PREFIX)?.split_once('-')?.0;
    jiff::Timestamp::from_second(secs.parse().ok()?).ok()
}

impl Backend for S3Store {
    fn begin(&self, media_type: &'static str) -> Result<Box<dyn Sink + '_>, BlobError> {
        Ok(Box::new(S3Sink { store: self, media_type, buf: Vec::new(), upload: None, staged: None, size: 0 }))
    }

    fn open(&self, key: &BlobKey, range: Option<std::ops::Range<u64>>) -> Result<BlobReader, BlobError> {
        const OP: &str = "GetObject";
        // The size comes first: a range is checked against it here, as the local store does,
        // rather than trusting each server's handling of odd ranges.
        let (size, media_type) =
            self.head(key.as_str())?.ok_or_else(|| BlobError::NotFound { key: key.to_string() })?;
        let range = crate::check_range(range, size)?;
        let len = range.end - range.start;
        let header = format!("bytes={}-{}", range.start, range.end - 1);
        let ranged = len != size;
        let unsigned: &[(&str, &str)] = if ranged { &[("range", &header)] } else { &[] };
        let resp = self.call(OP, Method::Get, Some(key.as_str()), &[], &[], unsigned, ())?;
        match resp.status().as_u16() {
            200 | 206 => {}
            404 => return Err(BlobError::NotFound { key: key.to_string() }),
            416 => return Err(BlobError::RangeNotSatisfiable { size }),
            _ => return Err(Self::fail(OP, resp)),
        }
        let reader = resp.into_body().into_with_config().limit(len).reader();
        Ok(BlobReader::new(Box::new(reader), len, size, media_type))
    }

    fn stat(&self, key: &BlobKey) -> Result<Option<BlobStat>, BlobError> {
        Ok(self.head(key.as_str())?.map(|(size, media_type)| BlobStat { key: key.clone(), size, media_type }))
    }

    fn delete(&self, key: &BlobKey) -> Result<bool, BlobError> {
        // S3 answers a DELETE the same whether the object existed or not.
        let existed = self.head(key.as_str())?.is_some();
        if existed {
            self.delete_object(key.as_str())?;
        }
        Ok(existed)
    }

    fn sweep(&self, older_than: Duration) -> Result<usize, BlobError> {
        let now = jiff::Timestamp::now();
        // The age comes from the time written into the staging key by this platform's
        // clock; the server's timestamps only for keys of another form (servers differ:
        // some report a fixed `Initiated` time for every multipart upload).
        let stale = |key: &str, server_time: Option<jiff::Timestamp>| {
            staged_at(key)
                .or(server_time)
                .is_some_and(|at| at <= now && now.duration_since(at).unsigned_abs() >= older_than)
        };
        let mut removed = 0;
        for u in self.list_uploads(STAGING_PREFIX)? {
            if stale(&u.key, u.at) {
                self.abort_upload(&u.key, u.upload_id.as_deref().expect("an upload has an id"))?;
                removed += 1;
            }
        }
        for o in self.list_objects(STAGING_PREFIX)? {
            if stale(&o.key, o.at) {
                self.delete_object(&o.key)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn check(&self) -> Result<(), BlobError> {
        const OP: &str = "HeadBucket";
        let resp = self.call(OP, Method::Head, None, &[], &[], &[], ())?;
        if resp.status().is_success() { Ok(()) } else { Err(Self::fail(OP, resp)) }
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}

struct Upload {
    key: String,
    id: String,
    etags: Vec<String>,
}

struct S3Sink<'a> {
    store: &'a S3Store,
    media_type: &'static str,
    /// The part being filled; allocated once and reused for every part.
    buf: Vec<u8>,
    /// The multipart upload to the staging key, once the content outgrew one part.
    upload: Option<Upload>,
    /// The completed staging object, until it is copied and deleted.
    staged: Option<String>,
    size: u64,
}

impl S3Sink<'_> {
    fn flush_part(&mut self) -> Result<(), BlobError> {
        let store = self.store;
        if self.upload.is_none() {
            let key = staging_key();
            let id = store.create_upload(&key, self.media_type)?;
            self.upload = Some(Upload { key, id, etags: Vec::new() });
        }
        let upload = self.upload.as_mut().expect("just created");
        let number = u16::try_from(upload.etags.len() + 1)
            .ok()
            .filter(|n| u64::from(*n) <= MAX_PARTS)
            .ok_or_else(|| BlobError::Config("S3 part_size 太小：超过 10000 个分片".into()))?;
        let etag = store.upload_part(&upload.key, &upload.id, number, &self.buf)?;
        upload.etags.push(etag);
        self.buf.clear();
        Ok(())
    }
}

impl Sink for S3Sink<'_> {
    fn write(&mut self, mut chunk: &[u8]) -> Result<(), BlobError> {
        let part = self.store.part_size;
        while !chunk.is_empty() {
            if self.buf.len() == part {
                // Only now, with more content coming, is the full buffer a part: content of
                // exactly one part still goes in one PutObject.
                self.flush_part()?;
            }
            if self.buf.capacity() == 0 {
                // One allocation for the life of the upload; pages are only touched (and
                // resident) as far as content fills them.
                self.buf.reserve_exact(part);
            }
            let take = chunk.len().min(part - self.buf.len());
            self.buf.extend_from_slice(&chunk[..take]);
            self.size += take as u64;
            chunk = &chunk[take..];
        }
        Ok(())
    }

    fn commit(&mut self, key: &BlobKey, size: u64) -> Result<(), BlobError> {
        debug_assert_eq!(size, self.size);
        let store = self.store;
        if store.head(key.as_str())?.is_some_and(|(existing, _)| existing == size) {
            return Ok(()); // already stored; `drop` aborts what this upload started
        }
        let Some(mut upload) = self.upload.take() else {
            return store.put_object(key.as_str(), self.media_type, &self.buf);
        };
        let last = store.upload_part(
            &upload.key,
            &upload.id,
            u16::try_from(upload.etags.len() + 1).expect("checked when the part before was sent"),
            &self.buf,
        );
        let completed = last.and_then(|etag| {
            upload.etags.push(etag);
            store.complete_upload(&upload.key, &upload.id, &upload.etags)
        });
        if let Err(e) = completed {
            self.upload = Some(upload); // for `drop` to abort
            return Err(e);
        }
        self.staged = Some(upload.key);
        let staged = self.staged.as_deref().expect("just set");
        store.copy(staged, key.as_str(), size, self.media_type)?;
        // The object is in place; removing the staging copy is tidying (`sweep_stale` does
        // it later if this fails).
        let _ = store.delete_object(staged);
        self.staged = None;
        Ok(())
    }
}

impl Drop for S3Sink<'_> {
    fn drop(&mut self) {
        // Best effort: if the server is unreachable, `sweep_stale` finds these later.
        if let Some(u) = self.upload.take() {
            let _ = self.store.abort_upload(&u.key, &u.id);
        }
        if let Some(staged) = self.staged.take() {
            let _ = self.store.delete_object(&staged);
        }
    }
}

// S3's XML answers, read by quick-xml's serde support: each struct names the elements read
// (S3's names), and any other element or attribute is skipped.

/// `<Error>`: a failure, with any status (CompleteMultipartUpload and CopyObject can fail
/// with `200 OK`).
#[derive(Default, serde::Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct ErrorAnswer {
    code: String,
    message: String,
}

/// `<InitiateMultipartUploadResult>` (CreateMultipartUpload).
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateMultipartUploadResult {
    upload_id: Option<String>,
}

/// `<CopyPartResult>` (UploadPartCopy).
#[derive(serde::Deserialize)]
struct CopyPartResult {
    #[serde(rename = "ETag")]
    etag: Option<String>,
}

/// `<ListBucketResult>` (ListObjectsV2), one page.
#[derive(Default, serde::Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct ListBucketResult {
    is_truncated: bool,
    contents: Vec<ListedObject>,
    next_continuation_token: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedObject {
    key: Option<String>,
    last_modified: Option<String>,
}

/// `<ListMultipartUploadsResult>` (ListMultipartUploads), one page.
#[derive(Default, serde::Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct ListMultipartUploadsResult {
    is_truncated: bool,
    upload: Vec<ListedUpload>,
    next_key_marker: Option<String>,
    next_upload_id_marker: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedUpload {
    key: Option<String>,
    upload_id: Option<String>,
    initiated: Option<String>,
}

/// Whether an XML document is S3's `<Error>` (its root element's name).
fn is_error(xml: &str) -> bool {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => return e.local_name().as_ref() == "Error",
            Ok(Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// A successful answer's XML as `T`.
fn read_xml<T: serde::de::DeserializeOwned>(op: &str, xml: &str) -> Result<T, BlobError> {
    quick_xml::de::from_str(xml).map_err(|e| BlobError::Storage(format!("{op}: 应答不是预期的 XML：{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_upload_listings_are_read() {
        let body = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>\
            <Upload><Key>tmp/a&amp;b</Key><UploadId>x1</UploadId><Initiated>2026-01-02T03:04:05.000Z</Initiated></Upload>\
            <Upload><Key>tmp/c</Key><UploadId>&#x41;&#66;</UploadId></Upload></ListMultipartUploadsResult>";
        let page: ListMultipartUploadsResult = read_xml("t", body).unwrap();
        let uploads = page.upload;
        assert_eq!(uploads.len(), 2);
        assert_eq!(uploads[0].key.as_deref(), Some("tmp/a&b"));
        assert_eq!(uploads[1].upload_id.as_deref(), Some("AB"));
        let at: jiff::Timestamp = uploads[0].initiated.as_deref().unwrap().parse().unwrap();
        assert_eq!(at.as_second(), 1_767_323_045);
        assert_eq!(uploads[1].initiated, None);
        assert!(!page.is_truncated);
        assert_eq!(page.next_key_marker, None);

        // As S3 sends it: declaration, namespace, markers, owners, prefixes.
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>evidence</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>tmp/1767323045-&lt;x&gt;</NextKeyMarker><NextUploadIdMarker>u-2</NextUploadIdMarker>
  <Prefix>tmp/</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>true</IsTruncated>
  <Upload>
    <Key>tmp/1767323045-&lt;x&gt;</Key><UploadId>u-2</UploadId>
    <Initiator><ID>arn:aws:iam::1:user/z</ID><DisplayName>z</DisplayName></Initiator>
    <Owner><ID>1</ID><DisplayName>z</DisplayName></Owner>
    <StorageClass>STANDARD</StorageClass><Initiated>2026-01-02T03:04:05Z</Initiated>
  </Upload>
  <CommonPrefixes><Prefix>tmp/x/</Prefix></CommonPrefixes>
</ListMultipartUploadsResult>"#;
        let page: ListMultipartUploadsResult = read_xml("t", body).unwrap();
        assert!(page.is_truncated);
        assert_eq!(page.upload.len(), 1);
        assert_eq!(page.upload[0].key.as_deref(), Some("tmp/1767323045-<x>"));
        assert_eq!(page.next_key_marker.as_deref(), Some("tmp/1767323045-<x>"));
        assert_eq!(page.next_upload_id_marker.as_deref(), Some("u-2"));
        assert!(!is_error(body));
    }

    #[test]
    fn object_listings_are_read() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>evidence</Name><Prefix>tmp/</Prefix><KeyCount>3</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>tmp/a&amp;b &quot;c&quot; &apos;d&apos; &#x6267;&#27861;</Key>
    <LastModified>2026-01-02T03:04:05.000Z</LastModified>
    <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents><Key>tmp/odd</Key><LastModified>not a time</LastModified></Contents>
  <Contents><Size>1</Size></Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&amp;</NextContinuationToken>
</ListBucketResult>"#;
        let page: ListBucketResult = read_xml("t", body).unwrap();
        assert!(page.is_truncated);
        let keys: Vec<_> = page.contents.iter().map(|c| c.key.as_deref()).collect();
        assert_eq!(keys, [Some("tmp/a&b \"c\" 'd' 执法"), Some("tmp/odd"), None]);
        assert_eq!(page.contents[0].last_modified.as_deref(), Some("2026-01-02T03:04:05.000Z"));
        assert_eq!(page.next_continuation_token.as_deref(), Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&"));

        let empty: ListBucketResult =
            read_xml("t", "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount></ListBucketResult>").unwrap();
        assert!(!empty.is_truncated && empty.contents.is_empty() && empty.next_continuation_token.is_none());
    }

    #[test]
    fn upload_ids_and_copied_parts_are_read() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>evidence</Bucket>
<Key>tmp/1-a</Key><UploadId>VXBsb2FkIElE&amp;Zm9v</UploadId></InitiateMultipartUploadResult>"#;
        let r: InitiateMultipartUploadResult = read_xml("t", body).unwrap();
        assert_eq!(r.upload_id.as_deref(), Some("VXBsb2FkIElE&Zm9v"));
        let r: InitiateMultipartUploadResult = read_xml("t", "<InitiateMultipartUploadResult/>").unwrap();
        assert_eq!(r.upload_id, None);
        let body = "<CopyPartResult><LastModified>2026-01-02T03:04:05.000Z</LastModified>\
            <ETag>&quot;b54357faf0632cce46e942fa68356b38&quot;</ETag></CopyPartResult>";
        let r: CopyPartResult = read_xml("t", body).unwrap();
        assert_eq!(r.etag.as_deref(), Some("\"b54357faf0632cce46e942fa68356b38\""));
        // What is not XML is an error of the store, not a panic or an empty answer.
        assert!(matches!(
            read_xml::<ListBucketResult>("t", "<ListBucketResult><Contents>"),
            Err(BlobError::Storage(_))
        ));
        let bogus = "<ListBucketResult><Contents><Key>a &bogus; b</Key></Contents></ListBucketResult>";
        assert!(matches!(read_xml::<ListBucketResult>("t", bogus), Err(BlobError::Storage(_))));
    }

    #[test]
    fn error_answers_are_recognised_and_read() {
        // CompleteMultipartUpload may send whitespace while it works, then the answer.
        let body = "  \n <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code>\
            <Message>We encountered an internal error &amp; &lt;retry&gt;.</Message><RequestId>4442587FB7D0A2F9</RequestId>\
            <HostId>x</HostId></Error>";
        assert!(is_error(body));
        let e: ErrorAnswer = quick_xml::de::from_str(body).unwrap();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("InternalError", "We encountered an internal error & <retry>.")
        );
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>sha256/a&amp;b</Key></Error>"#;
        assert!(is_error(body));
        let e: ErrorAnswer = quick_xml::de::from_str(body).unwrap();
        assert_eq!(e.code, "NoSuchKey");
        // Error bodies that are not S3's give an empty code and message, as before.
        for other in ["", "Bad Gateway", "<html><body><h1>502 Bad Gateway</h1></body></html>", "<Error><Code>"] {
            assert!(other.starts_with("<Error>") || !is_error(other), "{other}");
            let e: ErrorAnswer = quick_xml::de::from_str(other).unwrap_or_default();
            assert_eq!((e.code.as_str(), e.message.as_str()), ("", ""), "{other}");
        }
        assert!(!is_error("<CompleteMultipartUploadResult><Key>Error</Key></CompleteMultipartUploadResult>"));
        assert!(is_error("<Error/>"));
    }

    #[test]
    fn request_bodies_escape_as_before() {
        assert_eq!(partial_escape("\"x\"<&>"), "\"x\"&lt;&amp;&gt;");
    }

    #[test]
    fn staging_keys_carry_their_time() {
        let before = jiff::Timestamp::now().as_second();
        let key = staging_key();
        assert!(key.starts_with(STAGING_PREFIX));
        let at = staged_at(&key).unwrap().as_second();
        assert!(at >= before && at <= jiff::Timestamp::now().as_second());
        assert_eq!(staged_at("tmp/upload"), None);
        assert_eq!(staged_at("sha256/ab/cd/x-1"), None);
    }

    #[test]
    fn config_is_checked() {
        let ok = S3Config::new("http://127.0.0.1:9000", "evidence", "k", "s");
        assert!(S3Store::new(ok.clone()).is_ok());
        for bad in [
            S3Config { part_size: 1 << 20, ..ok.clone() },
            S3Config { copy_part_size: 6 << 30, ..ok.clone() },
            S3Config { bucket: "Evidence".into(), ..ok.clone() },
            S3Config { endpoint: "ftp://x".into(), ..ok.clone() },
            S3Config { endpoint: "not a url".into(), ..ok.clone() },
            S3Config { secret_key: String::new(), ..ok.clone() },
        ] {
            assert!(matches!(S3Store::new(bad), Err(BlobError::Config(_))));
        }
        assert!(!format!("{ok:?}").contains("\"s\""), "the secret is not in Debug output");
        let c: S3Config = serde_json::from_str(
            r#"{"endpoint": "http://h:1", "bucket": "b-1", "access_key": "a", "secret_key": "s"}"#,
        )
        .unwrap();
        assert_eq!((c.region.as_str(), c.part_size), ("us-east-1", 16 << 20));
    }

    #[test]
    fn requests_are_presigned_path_style() {
        let s = S3Store::new(S3Config::new("http://127.0.0.1:9000/base", "evidence", "AKID", "secret")).unwrap();
        let url = s.sign(Method::Put, Some("sha256/ab/cd/ef"), &[("uploadId", "u"), ("partNumber", "1")], &[]);
        assert!(url.as_str().starts_with("http://127.0.0.1:9000/base/evidence/sha256/ab/cd/ef?"), "{url}");
        let q = url.query().unwrap();
        assert!(q.contains("&partNumber=1&uploadId=u&") && q.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256"), "{q}");
        assert!(q.contains("X-Amz-Credential=AKID%2F") && q.contains("X-Amz-Signature="), "{q}");
        let url = s.sign(Method::Put, Some("k"), &[], &[("x-amz-copy-source", "/evidence/tmp/x")]);
        assert!(url.query().unwrap().contains("X-Amz-SignedHeaders=host%3Bx-amz-copy-source"), "{url}");
    }
}
