//! [`BlobError`]: every way a store operation can fail, with the message shown to the user
//! (Simplified Chinese, prefixed with the DOMAIN.md rule) and the HTTP status it maps to.

/// An error of the object store.
///
/// Each variant's doc names the HTTP status the web layer should answer with;
/// [`BlobError::http_status`] returns it. The `Display` text is the user-facing message.
/// A refused or failed upload (`TypeRefused`, `TooLarge`, `Empty`, `Source`, `Unavailable`,
/// `Storage`) has left nothing behind: no object under the final key, no temporary file, no
/// open multipart upload (apart from what an unreachable S3 server keeps, which
/// [`crate::BlobStore::sweep_stale`] removes later).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// HTTP 415. The media type found in the content's first bytes (`detected`, `None` when
    /// no known format matched) is not in the allowed set.
    #[error("{}", type_refused_message(.detected, .allowed))]
    TypeRefused { detected: Option<&'static str>, allowed: Vec<String> },

    /// HTTP 413. The content is longer than `limit` bytes; the upload was stopped as soon as
    /// the limit was passed.
    #[error("SEC-5: 文件超过大小上限 {}（{limit} 字节），未保存", human_size(*.limit))]
    TooLarge { limit: u64 },

    /// HTTP 400. The content has no bytes.
    #[error("SEC-5: 文件为空，未保存")]
    Empty,

    /// HTTP 400. The body being uploaded failed before its end (the client disconnected, a
    /// malformed chunked body, a read error of the source).
    #[error("SEC-5: 上传中断（{0}），未保存")]
    Source(String),

    /// HTTP 400. A string that is not a blob key (`sha256/ab/cd/<64 lowercase hex>`).
    #[error("SEC-5: 证据文件标识 {0:?} 格式不正确")]
    InvalidKey(String),

    /// HTTP 404. No object under this key (never stored, or deleted at the end of its
    /// retention, REC-6).
    #[error("REC-6: 证据文件 {key} 不存在")]
    NotFound { key: String },

    /// HTTP 416. A byte range that is empty or reaches past the object's end (`size` bytes).
    #[error("SEC-5: 请求的字节范围不在文件内（文件共 {size} 字节）")]
    RangeNotSatisfiable { size: u64 },

    /// HTTP 503. The store cannot be reached or is temporarily unable to store (S3 server
    /// down or answering 5xx, local disk full). Retrying later may succeed.
    #[error("REC-1: 证据存储暂不可用，请稍后重试（{0}）")]
    Unavailable(String),

    /// HTTP 500. Any other failure of the store (an I/O error, an unexpected S3 answer such
    /// as a refused signature or a missing bucket).
    #[error("REC-1: 证据存储出错（{0}）")]
    Storage(String),

    /// HTTP 500. The store's configuration is invalid (found when opening it).
    #[error("REC-1: 证据存储配置错误：{0}")]
    Config(String),
}

impl BlobError {
    /// The HTTP status this error maps to (see each variant).
    pub fn http_status(&self) -> u16 {
        match self {
            BlobError::TypeRefused { .. } => 415,
            BlobError::TooLarge { .. } => 413,
            BlobError::Empty | BlobError::Source(_) | BlobError::InvalidKey(_) => 400,
            BlobError::NotFound { .. } => 404,
            BlobError::RangeNotSatisfiable { .. } => 416,
            BlobError::Unavailable(_) => 503,
            BlobError::Storage(_) | BlobError::Config(_) => 500,
        }
    }

    /// An I/O error of the local store: a full disk is `Unavailable`, anything else `Storage`.
    pub(crate) fn local_io(what: &str, e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                BlobError::Unavailable(format!("{what}: {e}"))
            }
            _ => BlobError::Storage(format!("{what}: {e}")),
        }
    }
}

fn type_refused_message(detected: &Option<&'static str>, allowed: &[String]) -> String {
    let what = match detected {
        Some(t) => format!("SEC-5: 文件类型 {t} 不允许上传"),
        None => "SEC-5: 无法从文件内容识别文件类型，不允许上传".to_string(),
    };
    if allowed.is_empty() { what } else { format!("{what}（允许的类型：{}）", allowed.join("、")) }
}

/// `4294967296` → `4 GiB`, `1572864` → `1.5 MiB`, small sizes in bytes.
pub(crate) fn human_size(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size {
            let tenths = n * 10 / size;
            return if tenths.is_multiple_of(10) {
                format!("{} {unit}", tenths / 10)
            } else {
                format!("{}.{} {unit}", tenths / 10, tenths % 10)
            };
        }
    }
    format!("{n} 字节")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_rule_and_the_limit() {
        let e = BlobError::TypeRefused { detected: Some("application/x-msdownload"), allowed: vec![] };
        assert_eq!(e.to_string(), "SEC-5: 文件类型 application/x-msdownload 不允许上传");
        assert_eq!(e.http_status(), 415);
        let e = BlobError::TypeRefused { detected: None, allowed: vec!["image/png".into(), "application/pdf".into()] };
        assert_eq!(
            e.to_string(),
            "SEC-5: 无法从文件内容识别文件类型，不允许上传（允许的类型：image/png、application/pdf）"
        );
        let e = BlobError::TooLarge { limit: 4 << 30 };
        assert_eq!(e.to_string(), "SEC-5: 文件超过大小上限 4 GiB（4294967296 字节），未保存");
        assert_eq!(e.http_status(), 413);
        assert_eq!(BlobError::Empty.http_status(), 400);
        assert_eq!(BlobError::Unavailable("x".into()).http_status(), 503);
        assert!(BlobError::Unavailable("x".into()).to_string().starts_with("REC-1: 证据存储暂不可用"));
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_size(4 << 30), "4 GiB");
        assert_eq!(human_size(3 << 19), "1.5 MiB");
        assert_eq!(human_size(1000), "1000 字节");
        assert_eq!(human_size(16 << 20), "16 MiB");
    }
}
