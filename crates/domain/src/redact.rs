//! PUB-5 redaction of decision texts before publication.
//!
//! [`Redactor::redact`] masks, in one pass over the original text:
//!
//! - natural persons' names known from the case ([`KnownPerson`]): surname + 某 when the
//!   given name has one character, surname + 某某 otherwise; compound surnames (欧阳, 司马 …)
//!   keep both characters. Every occurrence is masked, also inside a longer phrase — except
//!   inside a legal person's name listed in `keep` (legal persons are shown, PUB-5);
//! - resident ID numbers: 18 characters with a valid GB 11643 check character and birth
//!   date ([`crate::codes::ResidentId`]), and old 15-digit numbers with a real region prefix
//!   and a real 19YYMMDD birth date. **Format: only the first and the last character stay**
//!   (`1****************X`); the region and birth date are personal data too;
//! - mobile numbers (`1[3-9]` + 9 digits, also `138 1234 5678`, `138-1234-5678`, after
//!   `+86`/`86`): `138****5678`;
//! - landlines (`0311-88888888`, `(0311)8888888`, and a bare 7–8 digit number right after
//!   电话/座机/传真): the area code and the last four digits stay, `0311-****8888`;
//! - bank card numbers (16–19 digits, Luhn-valid, optionally in groups of four) that either
//!   start like a card (62 UnionPay, 4, 5, 60) or follow a bank word (银行/卡号/账号/账户/
//!   开户); only the last four digits stay;
//! - licence plates (冀A12345, 冀A·12345, new-energy 冀AD12345, 冀A1234学/警/挂/领/港/澳,
//!   使 + 6 digits): province and letter stay, then stars, then the last character;
//! - house numbers, buildings, units and rooms after a street-level name (路/街/道/巷/弄/
//!   胡同/村/小区/苑/园/大厦/公寓/花园/家园/社区/广场): `恒山路12号3单元502室` becomes
//!   `恒山路****`.
//!
//! Kept whole (never a mask, even when a detector would match inside): every occurrence of
//! a `keep` string and every valid unified social credit code (GB 32100,
//! [`crate::codes::CreditCode`]). Case numbers, document numbers, dates, amounts and
//! article citations match no detector: an 18-digit string with a wrong check digit is no
//! ID number, a 17-digit case number no card (no card prefix, no bank word), `12号` after
//! `〕` or `第` is no house number.
//!
//! Masks never overlap; where two detectors match overlapping text the one that starts
//! first wins, then the longer. Offsets in [`Mask`] are byte offsets into the original
//! text. Everything else — including HTML or script in the text — passes through
//! unchanged: escaping is the renderer's job (SEC-5).

use crate::codes::{CreditCode, RegionCode, ResidentId};

/// Why a person is named in the case. Every role is a natural person, and every natural
/// person's name is masked (PUB-5); the role is kept for the caller's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonRole {
    Party,
    LegalRepresentative,
    Witness,
    Family,
    Other,
}

/// A natural person named in the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownPerson {
    pub name: String,
    pub role: PersonRole,
}

impl KnownPerson {
    pub fn new(name: impl Into<String>, role: PersonRole) -> KnownPerson {
        KnownPerson { name: name.into(), role }
    }
}

/// What a mask hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaskKind {
    Name,
    ResidentId,
    Mobile,
    Landline,
    BankCard,
    Plate,
    Address,
}

/// One masked span: byte offsets `start..end` in the **original** text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mask {
    pub kind: MaskKind,
    pub start: usize,
    pub end: usize,
}

/// The redacted text and what was masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    pub spans: Vec<Mask>,
}

/// Redacts texts of one case (PUB-5). Build once per case, apply to every text of it.
#[derive(Debug, Clone)]
pub struct Redactor {
    /// (name, replacement), longest name first.
    names: Vec<(String, String)>,
    keep: Vec<String>,
}

/// Two-character surnames that stay whole (欧阳某某).
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
    "令狐", "钟离", "端木", "独孤", "南宫", "西门", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠",
    "闻人", "赫连", "呼延", "万俟", "左丘", "东郭", "百里", "第五", "拓跋", "司空", "闾丘", "鲜于", "亓官", "司寇",
    "仉督", "子车", "颛孙", "壤驷", "公良", "漆雕", "乐正", "宰父", "谷梁", "段干", "公西", "梁丘", "公羊", "羊舌",
    "微生", "东门",
];

/// The PUB-5 replacement of a name: surname (compound surnames whole) + 某 for a one-character
/// given name, + 某某 for a longer one. A one-character "name" becomes 某.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= 1 {
        return "某".to_owned();
    }
    let surname_len = if chars.len() >= 3 && COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s)) { 2 } else { 1 };
    let mut out: String = chars[..surname_len].iter().collect();
    out.push_str(if chars.len() - surname_len == 1 { "某" } else { "某某" });
    out
}

impl Redactor {
    /// A redactor for the natural persons of one case; `keep` lists legal persons' names,
    /// shown whole even where a person's name is part of them (PUB-5).
    pub fn new(persons: &[KnownPerson], keep: &[String]) -> Redactor {
        let mut names: Vec<(String, String)> = persons
            .iter()
            .map(|p| p.name.trim())
            .filter(|n| n.chars().count() >= 2)
            .map(|n| (n.to_owned(), mask_name(n)))
            .collect();
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        names.dedup_by(|a, b| a.0 == b.0);
        let keep = keep.iter().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect();
        Redactor { names, keep }
    }

    /// Masks the personal data in `text` (PUB-5). Never panics, for any UTF-8 input.
    pub fn redact(&self, text: &str) -> Redacted {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut protected: Vec<(usize, usize)> = Vec::new();
        for k in &self.keep {
            protected.extend(text.match_indices(k.as_str()).map(|(i, m)| (i, i + m.len())));
        }
        credit_codes(&chars, text.len(), &mut protected);

        let mut cands: Vec<Cand> = Vec::new();
        for (name, repl) in &self.names {
            for (i, m) in text.match_indices(name.as_str()) {
                cands.push(Cand { kind: MaskKind::Name, start: i, end: i + m.len(), repl: repl.clone() });
            }
        }
        numbers(&chars, text, &mut cands);
        bracket_landlines(&chars, text.len(), &mut cands);
        plates(&chars, text.len(), &mut cands);
        addresses(&chars, text, &mut cands);

        cands.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut out = String::with_capacity(text.len());
        let mut spans = Vec::new();
        let mut pos = 0;
        for c in cands {
            if c.start < pos || c.start >= c.end || protected.iter().any(|&(s, e)| c.start < e && s < c.end) {
                continue;
            }
            out.push_str(&text[pos..c.start]);
            out.push_str(&c.repl);
            spans.push(Mask { kind: c.kind, start: c.start, end: c.end });
            pos = c.end;
        }
        out.push_str(&text[pos..]);
        Redacted { text: out, spans }
    }
}

/// A candidate mask: byte range and replacement.
#[derive(Debug)]
struct Cand {
    kind: MaskKind,
    start: usize,
    end: usize,
    repl: String,
}

/// Byte offset of char index `i` (the text length past the end).
fn byte_at(chars: &[(usize, char)], len: usize, i: usize) -> usize {
    chars.get(i).map_or(len, |c| c.0)
}

/// ASCII or full-width digit value.
fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || digit(c).is_some() || ('Ａ'..='Ｚ').contains(&c) || ('ａ'..='ｚ').contains(&c)
}

/// Valid unified social credit codes (GB 32100): maximal ASCII-alphanumeric runs of 18
/// characters. They are shown (PUB-5), so they are protected from every detector.
fn credit_codes(chars: &[(usize, char)], len: usize, protected: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].1.is_ascii_alphanumeric() {
            i += 1;
        }
        if i - start == 18 {
            let s: String = chars[start..i].iter().map(|c| c.1).collect();
            if prefer_credit_code(&s) {
                protected.push((chars[start].0, byte_at(chars, len, i)));
            }
        }
    }
}

/// Whether an 18-character string is read as a credit code. An all-digit string that is a
/// valid ID number is read as a credit code only when positions 3–8 are also a real region
/// code (an ID number's positions 3–8 almost never are).
fn prefer_credit_code(s: &str) -> bool {
    match CreditCode::parse(s) {
        Ok(code) => ResidentId::parse(s).is_err() || code.region().is_some(),
        Err(_) => false,
    }
}

/// A run of digits inside a number token: char indices `start..end`.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

/// Digit-based detectors: ID numbers, mobiles, landlines with a separator, bank cards.
///
/// A token is digit groups joined by single separators (space, NBSP, `-`, full-width `－`),
/// not glued to an ASCII letter on either side (those are codes, plates or model numbers).
/// The whole token is tried first, then the longest runs of consecutive groups from the left.
fn numbers(chars: &[(usize, char)], text: &str, cands: &mut Vec<Cand>) {
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i].1).is_none() || (i > 0 && (is_alnum(chars[i - 1].1))) {
            i += 1;
            continue;
        }
        let mut groups = Vec::new();
        let mut j = i;
        loop {
            let gs = j;
            while j < chars.len() && digit(chars[j].1).is_some() {
                j += 1;
            }
            groups.push(Group { start: gs, end: j });
            if j + 1 < chars.len()
                && matches!(chars[j].1, ' ' | '\u{a0}' | '-' | '－')
                && digit(chars[j + 1].1).is_some()
            {
                j += 1;
                continue;
            }
            break;
        }
        // Trailing X of an ID number.
        let mut x_end = None;
        if j < chars.len() && matches!(chars[j].1, 'X' | 'x' | 'Ｘ') {
            x_end = Some(j + 1);
        }
        let after = x_end.unwrap_or(j);
        let glued = after < chars.len() && chars[after].1.is_ascii_alphabetic();
        // Digits glued to letters are part of a code or a plate: left alone here.
        if !glued {
            classify_token(chars, text, &groups, x_end, cands);
        }
        i = after.max(i + 1);
        // Skip the rest of an alphanumeric run.
        while i < chars.len() && is_alnum(chars[i].1) {
            i += 1;
        }
    }
}

fn digits_of(chars: &[(usize, char)], groups: &[Group]) -> String {
    groups
        .iter()
        .flat_map(|g| chars[g.start..g.end].iter())
        .filter_map(|c| digit(c.1))
        .map(|d| char::from(b'0' + d))
        .collect()
}

fn classify_token(chars: &[(usize, char)], text: &str, groups: &[Group], x_end: Option<usize>, cands: &mut Vec<Cand>) {
    let len = text.len();
    // ID number with X: one group of 17 digits + X.
    if let Some(xe) = x_end {
        if groups.len() == 1 && groups[0].end - groups[0].start == 17 {
            let mut s = digits_of(chars, groups);
            s.push('X');
            if ResidentId::parse(&s).is_ok() {
                cands.push(Cand {
                    kind: MaskKind::ResidentId,
                    start: chars[groups[0].start].0,
                    end: byte_at(chars, len, xe),
                    repl: mask_keep(&s, 1, 1),
                });
                return;
            }
        }
        if groups.len() > 1 {
            // The X belongs to the last group only; classify the rest without it.
            classify_groups(chars, text, groups, cands);
        }
        return;
    }
    classify_groups(chars, text, groups, cands);
}

/// Tries the whole run of groups, then from the left the longest sub-run that classifies.
fn classify_groups(chars: &[(usize, char)], text: &str, groups: &[Group], cands: &mut Vec<Cand>) {
    let mut a = 0;
    while a < groups.len() {
        let mut matched = false;
        for b in (a + 1..=groups.len()).rev() {
            if let Some(c) = classify(chars, text, &groups[a..b]) {
                cands.push(c);
                a = b;
                matched = true;
                break;
            }
        }
        if !matched {
            a += 1;
        }
    }
}

/// The text before char index `i`, up to `n` chars.
fn before(chars: &[(usize, char)], i: usize, n: usize) -> String {
    chars[i.saturating_sub(n)..i].iter().map(|c| c.1).collect()
}

const BANK_WORDS: &[&str] =
    &["银行", "卡号", "账号", "帐号", "账户", "帐户", "开户", "银联", "储蓄卡", "信用卡", "借记卡"];
const NOT_CARD_WORDS: &[&str] =
    &["案号", "编号", "文号", "单号", "订单", "立案", "流水", "批号", "决定书", "许可证", "登记证", "证号", "No", "NO"];
const PHONE_WORDS: &[&str] = &["电话", "座机", "传真", "联系方式", "Tel", "TEL", "tel"];

fn classify(chars: &[(usize, char)], text: &str, groups: &[Group]) -> Option<Cand> {
    let len = text.len();
    let d = digits_of(chars, groups);
    let n = d.len();
    let lens: Vec<usize> = groups.iter().map(|g| g.end - g.start).collect();
    let first = groups[0].start;
    let last = groups[groups.len() - 1].end;
    let (start, end) = (chars[first].0, byte_at(chars, len, last));
    let cand = |kind, repl| Some(Cand { kind, start, end, repl });
    let db = d.as_bytes();

    // 18-digit ID number (check digit and birth date verified), not a credit code.
    if groups.len() == 1 && n == 18 && ResidentId::parse(&d).is_ok() && !prefer_credit_code(&d) {
        return cand(MaskKind::ResidentId, mask_keep(&d, 1, 1));
    }
    // Old 15-digit ID number: real region prefix and a real 19YYMMDD birth date.
    if groups.len() == 1 && n == 15 && old_id_valid(&d) {
        return cand(MaskKind::ResidentId, mask_keep(&d, 1, 1));
    }
    // Mobile: 11 digits 1[3-9]…, as one group or 3-4-4.
    let mobile = |s: &[u8]| s.len() == 11 && s[0] == b'1' && (b'3'..=b'9').contains(&s[1]);
    if mobile(db) && (lens == [11] || lens == [3, 4, 4] || lens == [3, 8]) {
        return cand(MaskKind::Mobile, format!("{}****{}", &d[..3], &d[7..]));
    }
    // 86 + mobile, glued or separated: the country code stays.
    if n == 13 && d.starts_with("86") && mobile(&db[2..]) && (lens == [13] || lens[0] == 2) {
        let s = if lens == [13] { chars[first + 2].0 } else { chars[groups[1].start].0 };
        return Some(Cand { kind: MaskKind::Mobile, start: s, end, repl: format!("{}****{}", &d[2..5], &d[9..]) });
    }
    // Landline with area code: 0AA(A)-NNNNNNN(N).
    if groups.len() == 2
        && (3..=4).contains(&lens[0])
        && db[0] == b'0'
        && db[1] != b'0'
        && (7..=8).contains(&lens[1])
        && !matches!(db[lens[0]], b'0' | b'1')
    {
        let sep = chars[groups[0].end].1;
        let (area, local) = d.split_at(lens[0]);
        return cand(MaskKind::Landline, format!("{area}{sep}****{}", &local[local.len() - 4..]));
    }
    let ctx = before(chars, first, 8);
    let ctx_wide = before(chars, first, 20);
    let has = |words: &[&str], s: &str| words.iter().any(|w| s.contains(w));
    // Bare landline after a phone word: 7–8 digits (local) or 10–12 starting with 0.
    if groups.len() == 1 && has(PHONE_WORDS, &ctx) {
        if (7..=8).contains(&n) && !matches!(db[0], b'0' | b'1') {
            return cand(MaskKind::Landline, format!("****{}", &d[n - 4..]));
        }
        if (10..=12).contains(&n) && db[0] == b'0' {
            return cand(MaskKind::Landline, format!("{}****{}", &d[..3], &d[n - 4..]));
        }
    }
    // Bank card: 16–19 digits, Luhn, grouped by four if grouped, a card prefix or a bank word
    // before it, and no case/document-number word before it.
    if (16..=19).contains(&n)
        && (groups.len() == 1 || lens[..lens.len() - 1].iter().all(|&l| l == 4))
        && luhn(db)
        && !has(NOT_CARD_WORDS, &ctx)
        && (d.starts_with("62")
            || d.starts_with("60")
            || (n == 16 && matches!(db[0], b'4' | b'5'))
            || has(BANK_WORDS, &ctx_wide))
    {
        return cand(MaskKind::BankCard, format!("{}{}", "*".repeat(n - 4), &d[n - 4..]));
    }
    None
}

/// An old 15-digit ID number: region prefix (GB/T 2260), birth date 19YYMMDD.
fn old_id_valid(d: &str) -> bool {
    if d.len() != 15 || !d.bytes().all(|b| b.is_ascii_digit()) || RegionCode::parse(&d[..6]).is_err() {
        return false;
    }
    let n = |r: std::ops::Range<usize>| d[r].parse::<i16>().unwrap_or(-1);
    let (y, m, day) = (1900 + n(6..8), n(8..10), n(10..12));
    (1..=12).contains(&m) && (1..=31).contains(&day) && jiff::civil::Date::new(y, m as i8, day as i8).is_ok()
}

/// Luhn check over ASCII digits.
pub fn luhn(digits: &[u8]) -> bool {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let v = u32::from(b - b'0');
            if i % 2 == 1 {
                let w = v * 2;
                if w > 9 { w - 9 } else { w }
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Keeps the first `head` and last `tail` characters, stars between.
fn mask_keep(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `(0311)8888888`, `（0311）88888888`, `(0311) 8888-8888`.
fn bracket_landlines(chars: &[(usize, char)], len: usize, cands: &mut Vec<Cand>) {
    for i in 0..chars.len() {
        if !matches!(chars[i].1, '(' | '（') {
            continue;
        }
        let mut j = i + 1;
        let mut area = String::new();
        while j < chars.len() && area.len() < 5 {
            match digit(chars[j].1) {
                Some(v) => area.push(char::from(b'0' + v)),
                None => break,
            }
            j += 1;
        }
        if !(3..=4).contains(&area.len())
            || !area.starts_with('0')
            || j >= chars.len()
            || !matches!(chars[j].1, ')' | '）')
        {
            continue;
        }
        j += 1;
        if j < chars.len() && chars[j].1 == ' ' {
            j += 1;
        }
        let mut local = String::new();
        while j < chars.len() && local.len() < 9 {
            match (digit(chars[j].1), chars[j].1) {
                (Some(v), _) => local.push(char::from(b'0' + v)),
                (None, '-') if !local.is_empty() && j + 1 < chars.len() && digit(chars[j + 1].1).is_some() => {}
                _ => break,
            }
            j += 1;
        }
        if (7..=8).contains(&local.len())
            && !local.starts_with(['0', '1'])
            && (j >= chars.len() || digit(chars[j].1).is_none())
        {
            cands.push(Cand {
                kind: MaskKind::Landline,
                start: chars[i].0,
                end: byte_at(chars, len, j),
                repl: format!("({area})****{}", &local[local.len() - 4..]),
            });
        }
    }
}

const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
const PLATE_SUFFIXES: &str = "学警挂领港澳试超";

/// Licence plates: province + letter [+ ·] + 5 (6 for new energy) letters/digits with at
/// least one digit, or 4 + a 学/警/挂/领/港/澳 suffix; and 使 + 6 digits.
fn plates(chars: &[(usize, char)], len: usize, cands: &mut Vec<Cand>) {
    let plate_char = |c: char| c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'I' && c != 'O');
    for i in 0..chars.len() {
        let c = chars[i].1;
        if c == '使' {
            let tail: Vec<char> = chars[i + 1..].iter().take(7).map(|c| c.1).collect();
            if tail.len() >= 6
                && tail[..6].iter().all(char::is_ascii_digit)
                && tail.get(6).is_none_or(|c| !is_alnum(*c))
            {
                let s: String = tail[..6].iter().collect();
                cands.push(Cand {
                    kind: MaskKind::Plate,
                    start: chars[i].0,
                    end: byte_at(chars, len, i + 7),
                    repl: format!("使{}", mask_keep(&s, 0, 1)),
                });
            }
            continue;
        }
        if !PROVINCES.contains(c) || i + 1 >= chars.len() || !chars[i + 1].1.is_ascii_uppercase() {
            continue;
        }
        let letter = chars[i + 1].1;
        let mut j = i + 2;
        if j < chars.len() && matches!(chars[j].1, '·' | '•' | '.' | ' ' | '-' | '・') {
            j += 1;
        }
        let body_start = j;
        while j < chars.len() && plate_char(chars[j].1) && j - body_start < 7 {
            j += 1;
        }
        let body: String = chars[body_start..j].iter().map(|c| c.1).collect();
        let has_digit = body.bytes().any(|b| b.is_ascii_digit());
        let next = chars.get(j).map(|c| c.1);
        let (end, repl) = match (body.len(), next) {
            (4, Some(s)) if PLATE_SUFFIXES.contains(s) => (j + 1, format!("{province}{letter}****{s}", province = c)),
            (5 | 6, n) if n.is_none_or(|n| !is_alnum(n)) => (j, format!("{c}{letter}{}", mask_keep(&body, 0, 1))),
            _ => continue,
        };
        if has_digit {
            cands.push(Cand { kind: MaskKind::Plate, start: chars[i].0, end: byte_at(chars, len, end), repl });
        }
    }
}

/// Street-level name endings after which house numbers follow (PUB-5 "below street level").
const STREET_ENDS: &[&str] = &[
    "路", "街", "道", "巷", "弄", "胡同", "村", "屯", "小区", "苑", "园", "大厦", "公寓", "花园", "家园", "社区",
    "广场", "里",
];
/// Units of a house address, longest first.
const UNITS: &[&str] =
    &["号楼", "号院", "单元", "号", "栋", "幢", "座", "室", "楼", "层", "门", "户", "组", "排", "院", "弄", "巷"];
const CN_NUMERALS: &str = "零〇一二三四五六七八九十百两";

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// House numbers, buildings, units and rooms right after a street-level name: the run of
/// numbers and units is replaced by `****`. A run needs at least one unit (号, 单元, 室 …)
/// and starts with a number; numbers after the last unit are part of it unless a Chinese
/// character follows (`12号2026年` keeps `2026`).
fn addresses(chars: &[(usize, char)], text: &str, cands: &mut Vec<Cand>) {
    let len = text.len();
    let num =
        |c: char| digit(c).is_some() || CN_NUMERALS.contains(c) || c.is_ascii_alphabetic() || "-－#＃".contains(c);
    let unit_at = |j: usize| -> Option<usize> {
        let rest = &text[chars[j].0..];
        UNITS.iter().find(|u| rest.starts_with(*u)).map(|u| u.chars().count())
    };
    for i in 1..chars.len() {
        let head = &text[..chars[i].0];
        if !STREET_ENDS.iter().any(|s| head.ends_with(s)) {
            continue;
        }
        // Optional direction: 东段, 北侧, 南.
        let mut s = i;
        if s < chars.len() && "东西南北中".contains(chars[s].1) {
            let k = if s + 1 < chars.len() && "段侧".contains(chars[s + 1].1) { s + 2 } else { s + 1 };
            s = k;
        }
        if s >= chars.len() || !(digit(chars[s].1).is_some() || CN_NUMERALS.contains(chars[s].1)) {
            continue;
        }
        let mut j = s;
        let mut last_unit_end = None;
        while j < chars.len() {
            if num(chars[j].1) {
                j += 1;
            } else if let Some(n) = unit_at(j) {
                j += n;
                last_unit_end = Some(j);
            } else {
                break;
            }
        }
        let Some(unit_end) = last_unit_end else { continue };
        let end = if j < chars.len() && is_cjk(chars[j].1) { unit_end } else { j };
        // The run must hold a digit or a numeral right before a unit (not letters only).
        if !chars[s..end].iter().any(|c| digit(c.1).is_some() || CN_NUMERALS.contains(c.1)) {
            continue;
        }
        cands.push(Cand {
            kind: MaskKind::Address,
            start: chars[s].0,
            end: byte_at(chars, len, end),
            repl: "****".to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{credit_code_complete, resident_id_complete};

    fn r(text: &str) -> Redacted {
        Redactor::new(&[], &[]).redact(text)
    }

    fn rp(persons: &[&str], keep: &[&str], text: &str) -> String {
        let persons: Vec<KnownPerson> = persons.iter().map(|n| KnownPerson::new(*n, PersonRole::Party)).collect();
        let keep: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
        Redactor::new(&persons, &keep).redact(text).text
    }

    #[test]
    fn pub5_names_single_and_compound_surnames() {
        assert_eq!(mask_name("王伟"), "王某");
        assert_eq!(mask_name("王小伟"), "王某某");
        assert_eq!(mask_name("欧阳娜"), "欧阳某");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳某某");
        assert_eq!(mask_name("诸葛明亮"), "诸葛某某");
        assert_eq!(mask_name("东方"), "东某"); // a two-character name is surname + given name
        assert_eq!(rp(&["张三", "张小明"], &[], "当事人张三与证人张小明称"), "当事人张某与证人张某某称");
        assert_eq!(rp(&["李四"], &[], "李四的妻子李四英"), "李某的妻子李某英");
    }

    #[test]
    fn pub5_person_name_inside_kept_company_name_stays() {
        let out = rp(&["王伟"], &["王伟食品有限公司"], "王伟食品有限公司法定代表人王伟");
        assert_eq!(out, "王伟食品有限公司法定代表人王某");
    }

    #[test]
    fn pub5_resident_id_masked_only_with_valid_check() {
        let id = resident_id_complete("13012319900307123").unwrap();
        let out = r(&format!("身份证号{id}，"));
        assert_eq!(out.text, format!("身份证号1****************{}，", &id.as_str()[17..]));
        assert_eq!(out.spans[0].kind, MaskKind::ResidentId);
        // Wrong check digit: an order number, untouched.
        let mut bad = id.as_str()[..17].to_owned();
        bad.push(if id.as_str().ends_with('1') { '2' } else { '1' });
        assert_eq!(r(&format!("订单{bad}")).text, format!("订单{bad}"));
        // Random digits with an impossible birth date.
        assert_eq!(r("编号130123199913451234").spans, vec![]);
        // X check character, lower case too.
        let x = (0..1000)
            .map(|n| resident_id_complete(&format!("13012319851122{n:03}")).unwrap())
            .find(|id| id.as_str().ends_with('X'))
            .unwrap();
        let lower = x.as_str().to_lowercase();
        assert_eq!(r(&lower).text, "1****************x".replace('x', "X"));
    }

    #[test]
    fn pub5_old_15_digit_ids() {
        assert_eq!(r("身份证130123850307123").text, "身份证1*************3");
        // Month 26 is no month.
        assert_eq!(r("案号130123202601001").spans, vec![]);
    }

    #[test]
    fn pub5_mobiles() {
        assert_eq!(r("电话13812345678。").text, "电话138****5678。");
        assert_eq!(r("电话 138 1234 5678").text, "电话 138****5678");
        assert_eq!(r("电话138-1234-5678").text, "电话138****5678");
        assert_eq!(r("+86 13812345678").text, "+86 138****5678");
        assert_eq!(r("8613812345678").text, "86138****5678");
        // Not 1[3-9]: untouched.
        assert_eq!(r("编号12812345678").spans, vec![]);
        assert_eq!(r("编号10012345678").spans, vec![]);
        // Part of a longer number: untouched (no mobile inside a 12-digit number).
        assert_eq!(r("138123456789").spans, vec![]);
    }

    #[test]
    fn pub5_landlines() {
        assert_eq!(r("电话0311-88888888").text, "电话0311-****8888");
        assert_eq!(r("(0311)8765432").text, "(0311)****5432");
        assert_eq!(r("（0311）87654321").text, "(0311)****4321");
        assert_eq!(r("联系电话：87654321").text, "联系电话：****4321");
        // A bare 8-digit number without a phone word is no phone (an amount, a count).
        assert_eq!(r("共计87654321元").spans, vec![]);
        // Dates with dashes are no landline.
        assert_eq!(r("2026-01-15").spans, vec![]);
    }

    #[test]
    fn pub5_bank_cards() {
        // 6222021234567890128 is Luhn-valid? build one that is.
        let card = luhn_complete("622202123456789012");
        assert_eq!(r(&format!("卡号{card}")).text, format!("卡号***************{}", &card[15..]));
        let grouped = format!("{} {} {} {}", &card[..4], &card[4..8], &card[8..12], &card[12..]);
        assert_eq!(r(&format!("账户 {grouped}")).text, format!("账户 ***************{}", &card[15..]));
        // Luhn-invalid 16 digits: untouched.
        let good16 = luhn_complete("622848001234567");
        let bad16 = format!("{}{}", &good16[..15], (good16.as_bytes()[15] - b'0' + 1) % 10);
        assert!(luhn(good16.as_bytes()) && !luhn(bad16.as_bytes()));
        assert_eq!(r(&format!("银行卡{bad16}")).spans, vec![]);
        assert_eq!(r(&format!("银行卡{good16}")).spans.len(), 1);
        // A Luhn-valid case number without a bank word or card prefix: untouched.
        let case = luhn_complete("1301232026010000");
        assert_eq!(r(&format!("案号{case}")).spans, vec![]);
        assert_eq!(r(&case).spans, vec![]);
    }

    fn luhn_complete(prefix: &str) -> String {
        (0..10).map(|d| format!("{prefix}{d}")).find(|s| luhn(s.as_bytes())).unwrap()
    }

    #[test]
    fn pub5_credit_codes_are_kept() {
        let code = credit_code_complete("91130123MA0ABCDE1").unwrap();
        assert_eq!(r(&format!("统一社会信用代码：{code}")).spans, vec![]);
        let digits = credit_code_complete("91130123000000001").unwrap();
        assert_eq!(r(&format!("统一社会信用代码：{digits}")).spans, vec![]);
    }

    #[test]
    fn pub5_plates() {
        assert_eq!(r("车牌号冀A12345的").text, "车牌号冀A****5的");
        assert_eq!(r("冀A·12345").text, "冀A****5");
        assert_eq!(r("冀AD12345").text, "冀A*****5");
        assert_eq!(r("冀A1234学").text, "冀A****学");
        assert_eq!(r("冀A1234挂").text, "冀A****挂");
        assert_eq!(r("使123456").text, "使*****6");
        // No digit: no plate (冀A级, 冀ABCDE).
        assert_eq!(r("冀ABCDE").spans, vec![]);
        // Too long: no plate.
        assert_eq!(r("冀A12345678").spans, vec![]);
    }

    #[test]
    fn pub5_addresses_below_street_level() {
        assert_eq!(r("住正定县恒山路12号3单元502室。").text, "住正定县恒山路****。");
        assert_eq!(r("住石家庄市长安区和平小区5号楼2单元301").text, "住石家庄市长安区和平小区****");
        assert_eq!(r("正定县西柏坡村3组15号").text, "正定县西柏坡村****");
        assert_eq!(r("恒山路东段12号").text, "恒山路东段****");
        assert_eq!(r("中山路十二号").text, "中山路****");
        // Document numbers and articles: untouched.
        assert_eq!(r("正市监处罚〔2026〕12号").spans, vec![]);
        assert_eq!(r("违反《道路运输条例》第十二条").spans, vec![]);
        assert_eq!(r("恒山路一带").spans, vec![]);
        // Only the house number; a year after it stays.
        assert_eq!(r("恒山路12号2026年").text, "恒山路****2026年");
    }

    #[test]
    fn pub5_amounts_dates_cases_untouched() {
        let t = "案号13012320260100001，2026年1月15日，罚款30000元，依据《食品安全法》第一百二十四条第一款第（四）项。";
        assert_eq!(r(t).text, t);
    }

    #[test]
    fn sec5_hostile_input_passes_through() {
        let t = "<script>alert('王伟')</script><img src=x onerror=\"13812345678\">";
        let out = rp(&["王伟"], &[], t);
        assert_eq!(out, "<script>alert('王某')</script><img src=x onerror=\"138****5678\">");
    }

    /// No panic on any UTF-8 mix, masks never overlap and are in order.
    #[test]
    fn pub5_no_panic_on_random_text() {
        let pieces = [
            "王", "伟", "欧阳", "路", "号", "单元", "室", "冀", "A", "X", "x", "1", "3", "8", "0", "6", "2", " ", "-",
            "(", "）", "（", "０", "９", "·", "使", "学", "电话", "卡号", "😀", "\u{0}", "é", "村", "组", "〔", "〕",
            "<", ">", "某",
        ];
        let persons = [KnownPerson::new("王伟", PersonRole::Party), KnownPerson::new("欧阳伟", PersonRole::Witness)];
        let red = Redactor::new(&persons, &["王伟公司".to_owned()]);
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..4000 {
            let mut s = String::new();
            let n = (seed % 40) as usize;
            for _ in 0..n {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let out = red.redact(&s);
            let mut pos = 0;
            for m in &out.spans {
                assert!(m.start >= pos && m.end > m.start && m.end <= s.len(), "{s:?}");
                assert!(s.is_char_boundary(m.start) && s.is_char_boundary(m.end));
                pos = m.end;
            }
        }
    }
}
