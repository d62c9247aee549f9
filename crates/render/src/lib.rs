//! Official enforcement documents (执法文书) as PDF.
//!
//! A document is a *kind* (`penalty_decision`, `site_record`, … — [`KINDS`]) plus a JSON
//! object with its data. [`Renderer::render`] typesets it with [Typst] used as a library,
//! in-process, and returns PDF/A-2b bytes. Rendering is deterministic: the same kind, data,
//! template and fonts give the same bytes; the only date used is the document's own `date`
//! field (never the clock).
//!
//! - **Templates are data.** One Typst file per kind, `templates/<kind>.typ`, sharing
//!   `templates/common.typ`; all are embedded in the binary and each may be replaced by a
//!   file of the same name in the override directory given to [`Renderer::new`], read
//!   afresh at every render, so an agency adapts a template without a rebuild. The data is
//!   the virtual file `/data.json`. Templates may not import Typst packages.
//! - **Fonts.** The vendored Noto Serif CJK SC subset (`fonts/`, SIL OFL 1.1) covers CJK
//!   Unified Ideographs and Extension A; [`FontConfig::dirs`] adds an agency's licensed
//!   official-document fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312), which the
//!   templates prefer when present. Fonts are parsed once per [`Renderer`].
//! - **No tofu.** A character that no font has makes [`Renderer::render`] fail with
//!   [`RenderError::MissingGlyph`] naming it, instead of printing an empty box.
//! - **Verification.** `verify: {url, code}` in the data prints a QR code (SVG from the
//!   `qrcode` crate) and the code, for 文书核验 (LOG-5).
//!
//! The data schema of every kind is documented in `templates/README.md`, with a complete
//! example per kind in `examples/<kind>.json`. A required field that is absent or empty
//! fails with [`RenderError::MissingField`] naming its path (e.g. `party.name`).
//!
//! [Typst]: https://typst.app

mod qr;
mod world;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::Frame;
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use qr::{qr_svg, verify_target};
use world::{DocWorld, file_id};

/// The document kinds: code and Chinese title.
pub const KINDS: &[(&str, &str)] = &[
    ("filing_approval", "立案审批表"),
    ("site_record", "现场检查笔录"),
    ("inquiry_record", "询问笔录"),
    ("preservation_notice", "先行登记保存证据通知书"),
    ("seizure_decision", "查封（扣押）决定书"),
    ("penalty_notice", "行政处罚事先告知书"),
    ("hearing_notice", "听证通知书"),
    ("hearing_transcript", "听证笔录"),
    ("review_opinion", "法制审核意见书"),
    ("discussion_record", "集体讨论记录"),
    ("penalty_decision", "行政处罚决定书"),
    ("service_receipt", "送达回证"),
    ("closing_approval", "结案审批表"),
];

/// The embedded templates, by file name.
const TEMPLATES: &[(&str, &str)] = &[
    ("common.typ", include_str!("../templates/common.typ")),
    ("filing_approval.typ", include_str!("../templates/filing_approval.typ")),
    ("site_record.typ", include_str!("../templates/site_record.typ")),
    ("inquiry_record.typ", include_str!("../templates/inquiry_record.typ")),
    ("preservation_notice.typ", include_str!("../templates/preservation_notice.typ")),
    ("seizure_decision.typ", include_str!("../templates/seizure_decision.typ")),
    ("penalty_notice.typ", include_str!("../templates/penalty_notice.typ")),
    ("hearing_notice.typ", include_str!("../templates/hearing_notice.typ")),
    ("hearing_transcript.typ", include_str!("../templates/hearing_transcript.typ")),
    ("review_opinion.typ", include_str!("../templates/review_opinion.typ")),
    ("discussion_record.typ", include_str!("../templates/discussion_record.typ")),
    ("penalty_decision.typ", include_str!("../templates/penalty_decision.typ")),
    ("service_receipt.typ", include_str!("../templates/service_receipt.typ")),
    ("closing_approval.typ", include_str!("../templates/closing_approval.typ")),
];

/// The vendored fonts (Noto Serif CJK SC and Noto Sans Symbols 2 subsets, SIL OFL 1.1 —
/// `fonts/LICENSE-OFL.txt`; made by `fonts/subset.py`).
const VENDORED_FONTS: &[&[u8]] = &[
    include_bytes!("../fonts/NotoSerifCJKsc-Regular.subset.otf"),
    include_bytes!("../fonts/NotoSerifCJKsc-Bold.subset.otf"),
    // Check boxes and marks the CJK font lacks (☐ ☑ ☒ ✓ ✗), found by Typst's per-glyph fallback.
    include_bytes!("../fonts/NotoSansSymbols2-Regular.subset.ttf"),
];

/// The marker a template's `need(…)` puts before the path of a missing required field.
const MISSING_MARKER: &str = "ZHIFA-MISSING:";
/// The marker a template's checks put before a message about an invalid value.
const INVALID_MARKER: &str = "ZHIFA-INVALID:";

/// Where fonts come from.
#[derive(Debug, Clone, Default)]
pub struct FontConfig {
    /// Directories (searched recursively) of licensed official-document fonts — `.ttf`,
    /// `.otf`, `.ttc`, `.otc` — such as 仿宋_GB2312 (FangSong_GB2312), 方正小标宋简体
    /// (FZXiaoBiaoSong-B05S), 黑体 (SimHei) and 楷体_GB2312 (KaiTi_GB2312). Templates prefer
    /// these families and fall back to the vendored Noto Serif CJK SC.
    pub dirs: Vec<PathBuf>,
}

impl FontConfig {
    /// Only the vendored fonts.
    pub fn vendored() -> Self {
        Self::default()
    }

    /// The vendored fonts plus those in `dir`.
    pub fn with_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dirs.push(dir.into());
        self
    }
}

/// Why a document could not be rendered. The messages are for people, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("未知的文书种类：{0}")]
    UnknownKind(String),
    #[error("缺少必填字段：{0}")]
    MissingField(String),
    #[error("文书数据无效：{0}")]
    InvalidData(String),
    #[error("字库中没有字符“{ch}”（U+{code:04X}），无法正确印制；请核对数据，或在字体目录中配置含有该字的字体")]
    MissingGlyph { ch: char, code: u32 },
    #[error("文书模板 {file} 第 {line} 行出错：{message}")]
    Template { file: String, line: usize, message: String },
    #[error("文书排版失败：{0}")]
    Typeset(String),
    #[error("读取字体失败：{path}：{reason}")]
    Font { path: PathBuf, reason: String },
    #[error("读取模板目录失败：{path}：{reason}")]
    TemplateDir { path: PathBuf, reason: String },
    #[error("生成 PDF 失败：{0}")]
    Pdf(String),
}

/// Renders documents. Build one per process and share it (`Send + Sync`): fonts are
/// parsed once, and the embedded templates once.
pub struct Renderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    embedded: HashMap<&'static str, Source>,
    override_dir: Option<PathBuf>,
}

impl Renderer {
    /// Loads the fonts (vendored, then `fonts.dirs`) and the templates. `template_dir`, if
    /// given, holds templates (`<kind>.typ`, `common.typ`) and assets that replace or add
    /// to the embedded ones; it is read at every render.
    pub fn new(fonts: FontConfig, template_dir: Option<PathBuf>) -> Result<Renderer, RenderError> {
        let mut loaded: Vec<Font> = VENDORED_FONTS.iter().flat_map(|data| Font::iter(Bytes::new(*data))).collect();
        for dir in &fonts.dirs {
            let mut files = Vec::new();
            font_files(dir, &mut files)?;
            files.sort();
            for path in files {
                let data = std::fs::read(&path)
                    .map_err(|e| RenderError::Font { path: path.clone(), reason: e.to_string() })?;
                let before = loaded.len();
                loaded.extend(Font::iter(Bytes::new(data)));
                if loaded.len() == before {
                    return Err(RenderError::Font { path, reason: "不是可识别的字体文件".into() });
                }
            }
        }
        if let Some(dir) = &template_dir
            && !dir.is_dir()
        {
            return Err(RenderError::TemplateDir { path: dir.clone(), reason: "不是目录".into() });
        }
        let book = FontBook::from_fonts(&loaded);
        let embedded =
            TEMPLATES.iter().map(|(name, text)| (*name, Source::new(template_id(name), (*text).to_owned()))).collect();
        Ok(Renderer {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts: loaded,
            embedded,
            override_dir: template_dir,
        })
    }

    /// The kinds this renderer knows: code and Chinese title.
    pub fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        KINDS.to_vec()
    }

    /// The font families loaded, vendored and configured (for an administrator to check
    /// that the official fonts were found).
    pub fn font_families(&self) -> Vec<String> {
        self.fonts.iter().map(|f| f.info().family.clone()).fold(Vec::new(), |mut out, family| {
            if !out.contains(&family) {
                out.push(family);
            }
            out
        })
    }

    /// How many font faces are loaded.
    pub fn font_count(&self) -> usize {
        self.fonts.len()
    }

    /// Renders one document of `kind` from `data` (a JSON object; see `templates/README.md`)
    /// into PDF/A-2b bytes.
    pub fn render(&self, kind: &str, data: &serde_json::Value) -> Result<Vec<u8>, RenderError> {
        if !KINDS.iter().any(|(code, _)| *code == kind) {
            return Err(RenderError::UnknownKind(kind.to_owned()));
        }
        let serde_json::Value::Object(fields) = data else {
            return Err(RenderError::InvalidData("文书数据须为 JSON 对象".into()));
        };
        let date = document_date(fields.get("date"))?;

        let mut files = HashMap::new();
        files.insert(file_id("/data.json"), Bytes::new(serde_json::to_vec(data).expect("a Value serialises")));
        if let Some(verify) = fields.get("verify").filter(|v| !v.is_null()) {
            let url = required_str(verify, "url", "verify.url")?;
            let code = required_str(verify, "code", "verify.code")?;
            let svg = qr_svg(&verify_target(url, code), 160)
                .map_err(|e| RenderError::InvalidData(format!("核验二维码：{e}")))?;
            files.insert(file_id("/verify-qr.svg"), Bytes::from_string(svg));
        }

        let main_name = format!("{kind}.typ");
        let mut sources = HashMap::new();
        for name in ["common.typ", main_name.as_str()] {
            let source = self.template(name)?;
            sources.insert(source.id(), source);
        }

        let world = DocWorld {
            library: &self.library,
            book: &self.book,
            fonts: &self.fonts,
            main: template_id(&main_name),
            sources,
            files,
            override_dir: self.override_dir.as_deref(),
            today: date,
        };
        let compiled = typst::compile::<PagedDocument>(&world).output;
        // Keep the memoisation cache from growing without bound over many documents.
        comemo::evict(10);
        let document = compiled.map_err(|errors| diagnostic_error(&world, &errors))?;

        for page in document.pages() {
            check_glyphs(&page.frame)?;
        }

        let options = PdfOptions {
            ident: Smart::Auto,
            creator: Smart::Custom(Some("Zhifa 执法".into())),
            timestamp: Timestamp::new_local(date, 8 * 60),
            page_ranges: None,
            standards: PdfStandards::new(&[PdfStandard::A_2b])
                .map_err(|e| RenderError::Pdf(e.message().to_string()))?,
            tagged: true,
            pretty: false,
        };
        typst_pdf::pdf(&document, &options).map_err(|errors| diagnostic_error(&world, &errors))
    }

    /// A template by file name: the override directory's, else the embedded one.
    fn template(&self, name: &str) -> Result<Source, RenderError> {
        if let Some(dir) = &self.override_dir {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => return Ok(Source::new(template_id(name), text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(RenderError::TemplateDir { path, reason: e.to_string() }),
            }
        }
        self.embedded
            .get(name)
            .cloned()
            .ok_or_else(|| RenderError::TemplateDir { path: PathBuf::from(name), reason: "没有该模板".into() })
    }
}

fn template_id(name: &str) -> FileId {
    file_id(&format!("/{name}"))
}

fn font_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), RenderError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| RenderError::Font { path: dir.to_owned(), reason: e.to_string() })?;
    for entry in entries {
        let path = entry.map_err(|e| RenderError::Font { path: dir.to_owned(), reason: e.to_string() })?.path();
        if path.is_dir() {
            font_files(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc" | "otc"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn required_str<'a>(value: &'a serde_json::Value, key: &str, path: &str) -> Result<&'a str, RenderError> {
    match value.get(key) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(serde_json::Value::String(_)) | Some(serde_json::Value::Null) | None => {
            Err(RenderError::MissingField(path.to_owned()))
        }
        Some(_) => Err(RenderError::InvalidData(format!("{path} 须为文字"))),
    }
}

/// The document's date (`"2026-05-18"`): it is printed, and it is the PDF's creation date.
fn document_date(value: Option<&serde_json::Value>) -> Result<Datetime, RenderError> {
    let text = match value {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim(),
        Some(serde_json::Value::String(_)) | Some(serde_json::Value::Null) | None => {
            return Err(RenderError::MissingField("date".into()));
        }
        Some(_) => return Err(RenderError::InvalidData("date 须为“年-月-日”格式的文字".into())),
    };
    let bad = || RenderError::InvalidData(format!("date 须为“年-月-日”格式（如 2026-05-18），而不是“{text}”"));
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
        return Err(bad());
    };
    Datetime::from_ymd_hms(y, m, d, 0, 0, 0).ok_or_else(bad)
}

/// Refuses tofu: a glyph with id 0 (`.notdef`) means no loaded font has the character.
fn check_glyphs(frame: &Frame) -> Result<(), RenderError> {
    for (_, item) in frame.items() {
        match item {
            typst::layout::FrameItem::Group(group) => check_glyphs(&group.frame)?,
            typst::layout::FrameItem::Text(text) => {
                for glyph in text.glyphs.iter().filter(|g| g.id == 0) {
                    if let Some(ch) = text.text.get(glyph.range()).and_then(|s| s.chars().next())
                        && !ch.is_whitespace()
                        && !ch.is_control()
                    {
                        return Err(RenderError::MissingGlyph { ch, code: ch as u32 });
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The first error as a [`RenderError`]: a template's `need(…)` becomes `MissingField`,
/// anything else names the template file and line.
fn diagnostic_error(world: &DocWorld<'_>, errors: &[SourceDiagnostic]) -> RenderError {
    let Some(error) = errors.iter().find(|d| d.severity == Severity::Error).or(errors.first()) else {
        return RenderError::Typeset("未知错误".into());
    };
    let message = error.message.as_str();
    if let Some(rest) = message.split_once(MISSING_MARKER).map(|(_, r)| r) {
        return RenderError::MissingField(rest.trim_end_matches(['"', ')']).trim().to_owned());
    }
    if let Some(rest) = message.split_once(INVALID_MARKER).map(|(_, r)| r) {
        return RenderError::InvalidData(rest.trim_end_matches(['"', ')']).trim().to_owned());
    }
    let mut text = message.to_owned();
    for hint in &error.hints {
        text.push_str("；提示：");
        text.push_str(hint.v.as_str());
    }
    if let Some(id) = error.span.id()
        && let Ok(source) = world.source(id)
        && let Some(range) = world.range(error.span)
    {
        let line = source.lines().byte_to_line(range.start).map_or(0, |l| l + 1);
        let file = id.get().vpath().get_without_slash().to_owned();
        return RenderError::Template { file, line, message: text };
    }
    RenderError::Typeset(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn renderer_is_send_and_sync() {
        assert_send_sync::<Renderer>();
    }

    #[test]
    fn dates_parse_strictly() {
        assert!(document_date(Some(&serde_json::json!("2026-05-18"))).is_ok());
        assert!(matches!(document_date(None), Err(RenderError::MissingField(f)) if f == "date"));
        assert!(matches!(document_date(Some(&serde_json::json!("2026-13-01"))), Err(RenderError::InvalidData(_))));
        assert!(matches!(document_date(Some(&serde_json::json!("2026年5月"))), Err(RenderError::InvalidData(_))));
    }

    #[test]
    fn every_kind_has_a_template() {
        for (kind, _) in KINDS {
            assert!(TEMPLATES.iter().any(|(name, _)| *name == format!("{kind}.typ")), "{kind}");
        }
    }
}
