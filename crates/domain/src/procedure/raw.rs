//! The TOML shape of a definition file, before validation, with every value's position.
//!
//! Every field is optional here so that one shape serves both a complete definition and
//! an `extends` patch; [`merge`] lays a patch over its base and `load` validates the
//! result. A value remembers which file it came from and its byte offset, so an error in a
//! merged definition still names the file and line where the offending value was written.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// A value with its position: `file` indexes the list of files taking part in a load
/// (0 = the file being loaded, then its bases), `offset` is the byte offset in that file.
#[derive(Debug, Clone, Default)]
pub(crate) struct L<T> {
    pub v: T,
    pub file: usize,
    pub offset: usize,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for L<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = toml::Spanned::<T>::deserialize(d)?;
        Ok(L { offset: s.span().start, v: s.into_inner(), file: 0 })
    }
}

/// Moves every position of a parsed file to file index `file`.
pub(crate) trait Relocate {
    fn relocate(&mut self, file: usize);
}

impl<T: Relocate> Relocate for L<T> {
    fn relocate(&mut self, file: usize) {
        self.file = file;
        self.v.relocate(file);
    }
}
impl<T: Relocate> Relocate for Option<T> {
    fn relocate(&mut self, file: usize) {
        if let Some(v) = self {
            v.relocate(file);
        }
    }
}
impl<T: Relocate> Relocate for Vec<T> {
    fn relocate(&mut self, file: usize) {
        self.iter_mut().for_each(|v| v.relocate(file));
    }
}
impl<T: Relocate> Relocate for BTreeMap<String, T> {
    fn relocate(&mut self, file: usize) {
        self.values_mut().for_each(|v| v.relocate(file));
    }
}
macro_rules! relocate_nothing {
    ($($t:ty),*) => { $(impl Relocate for $t { fn relocate(&mut self, _: usize) {} })* };
}
relocate_nothing!(String, i64, bool);

macro_rules! raw_struct {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct $name { $($(#[$fm])* pub $field: $ty),* }
        impl Relocate for $name {
            fn relocate(&mut self, file: usize) { $(self.$field.relocate(file);)* }
        }
    };
}

pub(crate) type Str = L<String>;
pub(crate) type List = L<Vec<Str>>;

raw_struct!(
    /// A whole file.
    RawFile {
        code: Option<Str>,
        name: Option<Str>,
        version: Option<L<i64>>,
        kind: Option<Str>,
        description: Option<Str>,
        initial: Option<Str>,
        extends: Option<L<RawExtends>>,
        #[serde(default)]
        flags: BTreeMap<String, Str>,
        #[serde(default)]
        records: BTreeMap<String, Str>,
        #[serde(default)]
        documents: BTreeMap<String, Str>,
        #[serde(default)]
        stage: Vec<L<RawStage>>,
        #[serde(default)]
        action: Vec<L<RawAction>>,
        #[serde(default)]
        limit: Vec<L<RawLimit>>,
        #[serde(default)]
        suspension: Vec<L<RawSuspension>>,
    }
);

raw_struct!(RawExtends { code: Str, version: L<i64> });

raw_struct!(RawStage { code: Option<Str>, label: Option<Str>, terminal: Option<L<bool>> });

raw_struct!(RawAction {
    code: Option<Str>,
    label: Option<Str>,
    description: Option<Str>,
    from: Option<List>,
    to: Option<Str>,
    roles: Option<List>,
    requires: Option<Vec<Str>>,
    add_requires: Option<Vec<Str>>,
    records: Option<Vec<Str>>,
    documents: Option<Vec<Str>>,
    av: Option<Str>,
    officers: Option<L<i64>>,
    decision: Option<L<bool>>,
});

raw_struct!(RawLimit {
    code: Option<Str>,
    label: Option<Str>,
    rule: Option<Str>,
    basis: Option<Str>,
    kind: Option<Str>,
    when: Option<Str>,
    start: Option<List>,
    stop: Option<List>,
    days: Option<L<i64>>,
    hours: Option<L<i64>>,
    unit: Option<Str>,
    roll_forward: Option<L<bool>>,
    extension: Option<Vec<L<RawExtension>>>,
});

raw_struct!(RawExtension { action: Option<Str>, by: Option<Str>, days: Option<L<i64>>, times: Option<L<i64>> });

raw_struct!(RawSuspension {
    code: Option<Str>,
    label: Option<Str>,
    rule: Option<Str>,
    basis: Option<Str>,
    limits: Option<List>,
    suspend: Option<List>,
    resume: Option<List>,
});

/// Parses one file's text; positions are in file 0 (relocate for a base).
pub(crate) fn parse_raw(text: &str) -> Result<RawFile, toml::de::Error> {
    toml::from_str(text)
}

/// Lays one field of a patch over the base's: a value given in the patch wins.
fn over<T>(base: &mut Option<T>, patch: Option<T>) {
    if patch.is_some() {
        *base = patch;
    }
}

/// Something keyed by its code, patched field by field.
trait Patch: Sized {
    fn code(&self) -> Option<&str>;
    fn patch(&mut self, patch: Self);
}

impl Patch for RawStage {
    fn code(&self) -> Option<&str> {
        self.code.as_ref().map(|c| c.v.as_str())
    }
    fn patch(&mut self, p: Self) {
        over(&mut self.label, p.label);
        over(&mut self.terminal, p.terminal);
    }
}

impl Patch for RawAction {
    fn code(&self) -> Option<&str> {
        self.code.as_ref().map(|c| c.v.as_str())
    }
    fn patch(&mut self, p: Self) {
        over(&mut self.label, p.label);
        over(&mut self.description, p.description);
        over(&mut self.from, p.from);
        over(&mut self.to, p.to);
        over(&mut self.roles, p.roles);
        over(&mut self.requires, p.requires);
        over(&mut self.records, p.records);
        over(&mut self.documents, p.documents);
        over(&mut self.av, p.av);
        over(&mut self.officers, p.officers);
        over(&mut self.decision, p.decision);
        if let Some(add) = p.add_requires {
            self.requires.get_or_insert_with(Vec::new).extend(add);
        }
    }
}

impl Patch for RawLimit {
    fn code(&self) -> Option<&str> {
        self.code.as_ref().map(|c| c.v.as_str())
    }
    fn patch(&mut self, p: Self) {
        over(&mut self.label, p.label);
        over(&mut self.rule, p.rule);
        over(&mut self.basis, p.basis);
        over(&mut self.kind, p.kind);
        over(&mut self.when, p.when);
        over(&mut self.start, p.start);
        over(&mut self.stop, p.stop);
        // A new length replaces the old one whatever its unit.
        if p.days.is_some() || p.hours.is_some() {
            self.days = p.days;
            self.hours = p.hours;
        }
        over(&mut self.unit, p.unit);
        over(&mut self.roll_forward, p.roll_forward);
        over(&mut self.extension, p.extension);
    }
}

impl Patch for RawSuspension {
    fn code(&self) -> Option<&str> {
        self.code.as_ref().map(|c| c.v.as_str())
    }
    fn patch(&mut self, p: Self) {
        over(&mut self.label, p.label);
        over(&mut self.rule, p.rule);
        over(&mut self.basis, p.basis);
        over(&mut self.limits, p.limits);
        over(&mut self.suspend, p.suspend);
        over(&mut self.resume, p.resume);
    }
}

fn patch_list<T: Patch>(base: &mut Vec<L<T>>, patches: Vec<L<T>>) {
    for p in patches {
        let existing = p.v.code().and_then(|code| base.iter().position(|b| b.v.code() == Some(code)));
        match existing {
            Some(i) => base[i].v.patch(p.v),
            None => base.push(p),
        }
    }
}

/// `base` with `patch` laid over it: scalar fields given in the patch replace the base's;
/// map entries are added or relabelled; stages, actions, limits and suspensions are
/// matched by code and patched field by field (an action's `add_requires` appends to its
/// `requires`), or appended when the code is new. `extends` is dropped (the caller keeps
/// it).
pub(crate) fn merge(mut base: RawFile, patch: RawFile) -> RawFile {
    over(&mut base.code, patch.code);
    over(&mut base.name, patch.name);
    over(&mut base.version, patch.version);
    over(&mut base.kind, patch.kind);
    over(&mut base.description, patch.description);
    over(&mut base.initial, patch.initial);
    base.extends = None;
    base.flags.extend(patch.flags);
    base.records.extend(patch.records);
    base.documents.extend(patch.documents);
    patch_list(&mut base.stage, patch.stage);
    patch_list(&mut base.action, patch.action);
    patch_list(&mut base.limit, patch.limit);
    patch_list(&mut base.suspension, patch.suspension);
    base
}
