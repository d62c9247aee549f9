//! [`Limits`]: what an upload may be — its maximum size and the allowed media types.

use crate::error::human_size;
use crate::{BlobError, sniff};

/// 4 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 4 << 30;

/// The media types allowed by default: the formats in which law-enforcement evidence and
/// audio/video records (REC-3) arrive from cameras, body-worn recorders, phones and
/// scanners.
pub const DEFAULT_ALLOWED: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/heic",
    "image/heic-sequence",
    "image/heif",
    "image/heif-sequence",
    "image/webp",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-matroska",
    "video/3gpp",
    "video/3gpp2",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/wav",
    "audio/amr",
    "audio/amr-wb",
    "application/pdf",
];

/// The limits an upload is checked against while it streams (SEC-5).
///
/// Configurable per deployment (it deserialises from e.g. `{"max_size": 1073741824,
/// "allowed": ["image/jpeg", "video/mp4"]}`; missing fields take the defaults). Call
/// [`Limits::validate`] when loading a configuration.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// The largest content accepted, in bytes; an upload is stopped as soon as it passes
    /// this.
    pub max_size: u64,
    /// The media types accepted, as [`crate::sniff::detect`] names them.
    pub allowed: Vec<String>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_size: DEFAULT_MAX_SIZE, allowed: DEFAULT_ALLOWED.iter().map(|s| s.to_string()).collect() }
    }
}

impl Limits {
    /// Whether content of media type `media_type` may be stored.
    pub fn allows(&self, media_type: &str) -> bool {
        self.allowed.iter().any(|a| a == media_type)
    }

    /// Refuses early an upload whose declared length (e.g. `Content-Length`) is over the
    /// limit, before reading any of it. The streamed size is checked regardless.
    pub fn check_declared_size(&self, len: u64) -> Result<(), BlobError> {
        if len > self.max_size { Err(BlobError::TooLarge { limit: self.max_size }) } else { Ok(()) }
    }

    /// Checks a configuration: a positive maximum, and only media types that detection can
    /// produce (a misspelt type such as `image/jpg` would silently never match).
    pub fn validate(&self) -> Result<(), BlobError> {
        if self.max_size == 0 {
            return Err(BlobError::Config("上传大小上限必须大于 0".into()));
        }
        let unknown: Vec<&str> =
            self.allowed.iter().map(String::as_str).filter(|t| !sniff::DETECTABLE.contains(t)).collect();
        if !unknown.is_empty() {
            return Err(BlobError::Config(format!(
                "无法从文件内容识别的类型：{}（可用：{}）",
                unknown.join("、"),
                sniff::DETECTABLE.join("、")
            )));
        }
        Ok(())
    }

    /// A one-line description for logs, e.g. `max 4 GiB, 20 types`.
    pub fn describe(&self) -> String {
        format!("max {}, {} types", human_size(self.max_size), self.allowed.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_detectable() {
        let l = Limits::default();
        l.validate().unwrap();
        assert_eq!(l.max_size, 4 << 30);
        assert!(l.allows("video/mp4") && l.allows("audio/amr") && l.allows("application/pdf"));
        assert!(!l.allows("application/x-msdownload") && !l.allows("image/gif"));
    }

    #[test]
    fn config_is_checked() {
        let l: Limits = serde_json::from_str(r#"{"allowed": ["image/jpg", "video/mp4"]}"#).unwrap();
        assert_eq!(l.max_size, DEFAULT_MAX_SIZE);
        let e = l.validate().unwrap_err().to_string();
        assert!(e.starts_with("REC-1: 证据存储配置错误：无法从文件内容识别的类型：image/jpg（可用："), "{e}");
        let l = Limits { max_size: 0, ..Limits::default() };
        assert!(l.validate().is_err());
        assert!(serde_json::from_str::<Limits>(r#"{"max": 1}"#).is_err());
        let l = Limits { max_size: 10, ..Limits::default() };
        assert!(l.check_declared_size(10).is_ok());
        assert!(matches!(l.check_declared_size(11), Err(BlobError::TooLarge { limit: 10 })));
    }
}
