//! One document's Typst world: the shared library and fonts, plus an in-memory file map
//! (the template, the shared `common.typ`, `data.json`, the QR code). Nothing is read from
//! the network; the only disk reads are templates and assets in the override directory.

use std::collections::HashMap;
use std::path::Path;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

/// A file's id in the project root, e.g. `file_id("/data.json")`.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("static virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

pub struct DocWorld<'a> {
    pub library: &'a LazyHash<Library>,
    pub book: &'a LazyHash<FontBook>,
    pub fonts: &'a [Font],
    pub main: FileId,
    pub sources: HashMap<FileId, Source>,
    pub files: HashMap<FileId, Bytes>,
    pub override_dir: Option<&'a Path>,
    pub today: Datetime,
}

impl DocWorld<'_> {
    fn read_override(&self, id: FileId) -> FileResult<Vec<u8>> {
        let rooted = id.get();
        if matches!(rooted.root(), VirtualRoot::Package(_)) {
            // No packages: nothing is ever downloaded (`@preview/…` imports fail here).
            return Err(FileError::Other(Some("不支持 Typst 包（文书模板不得引用外部包）".into())));
        }
        let Some(dir) = self.override_dir else {
            return Err(FileError::NotFound(rooted.vpath().get_without_slash().into()));
        };
        let path = rooted.vpath().realize(dir).map_err(|_| FileError::AccessDenied)?;
        std::fs::read(&path).map_err(|e| FileError::from_io(e, &path))
    }
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(source) = self.sources.get(&id) {
            return Ok(source.clone());
        }
        let bytes = self.read_override(id)?;
        let text = String::from_utf8(bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.files.get(&id) {
            return Ok(bytes.clone());
        }
        if let Some(source) = self.sources.get(&id) {
            return Ok(Bytes::from_string(source.text().to_owned()));
        }
        Ok(Bytes::new(self.read_override(id)?))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // Deterministic: "today" is the document's own date, never the clock.
        Some(self.today)
    }
}
