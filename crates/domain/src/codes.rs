//! National code checks: GB 32100, GB 11643, GB/T 2260.
//!
//! - [`CreditCode`]: the 18-character unified social credit code of an organisation
//!   (统一社会信用代码, GB 32100-2015), carried by every agency (SUBJ-1).
//! - [`ResidentId`]: the 18-character citizen ID number (公民身份号码, GB 11643-1999), which
//!   publication must mask (PUB-5).
//! - [`RegionCode`]: the six-digit administrative division code (行政区划代码, GB/T 2260)
//!   that places agencies in the region tree (SUBJ-1).
//!
//! Every type validates on construction, on `FromStr`/`TryFrom<String>` and on serde
//! deserialization, so a value of the type is always a valid code. Each serializes as its
//! plain string.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Why a code was rejected. The Display text is for users: Simplified Chinese, prefixed
/// with the DOMAIN rule the check serves. Messages about ID numbers never repeat the input
/// (personal data, PUB-5).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// The credit code (or its first 17 characters) has the wrong number of characters.
    #[error("SUBJ-1: 统一社会信用代码长度错误：应为 {expected} 位，实为 {found} 位")]
    CreditCodeLength { expected: usize, found: usize },
    /// A character outside `0-9 A-Z` minus `I O Z S V` (lower case is not allowed either).
    #[error("SUBJ-1: 统一社会信用代码第 {position} 位字符“{found}”不合法：只允许数字和大写字母（不含 I、O、Z、S、V）")]
    CreditCodeChar { position: usize, found: char },
    /// The 18th character is not the GB 32100 check character of the first 17.
    #[error("SUBJ-1: 统一社会信用代码校验位错误：应为 {expected}，实为 {found}")]
    CreditCodeCheck { expected: char, found: char },
    /// The ID number (or its first 17 characters) has the wrong number of characters.
    #[error("PUB-5: 居民身份证号码长度错误：应为 {expected} 位，实为 {found} 位")]
    ResidentIdLength { expected: usize, found: usize },
    /// A non-digit in positions 1–17, or something other than a digit or `X` in position 18.
    #[error("PUB-5: 居民身份证号码第 {position} 位字符不合法：前 17 位只能是数字，第 18 位只能是数字或 X")]
    ResidentIdChar { position: usize },
    /// Positions 7–14 are not a date between 1850 and 2199.
    #[error("PUB-5: 居民身份证号码第 7–14 位不是有效的出生日期")]
    ResidentIdBirthDate,
    /// The 18th character is not the GB 11643 check character of the first 17.
    #[error("PUB-5: 居民身份证号码校验位错误：应为 {expected}，实为 {found}")]
    ResidentIdCheck { expected: char, found: char },
    /// Not six ASCII digits.
    #[error("SUBJ-1: 行政区划代码“{found}”格式错误：应为 6 位数字")]
    RegionCodeFormat { found: String },
    /// The first two digits are not a province-level code.
    #[error("SUBJ-1: 行政区划代码 {found} 不存在：前两位 {prefix} 不是省级行政区代码")]
    RegionCodeProvince { found: String, prefix: String },
    /// `xx00yy` with `yy` not `00`: no such code exists.
    #[error("SUBJ-1: 行政区划代码 {found} 不合法：第 3–4 位为 00 时第 5–6 位也必须为 00")]
    RegionCodeStructure { found: String },
}

// ---------------------------------------------------------------------------------------
// GB 32100-2015 unified social credit code
// ---------------------------------------------------------------------------------------

/// The 31 characters of the credit code, in value order (no I, O, Z, S, V).
const CREDIT_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weight of position i (0-based) is 3^i mod 31.
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from
/// `0-9 A-H J-N P-R T U W-Y`, the last a check character. Positions 3–8 are the GB/T 2260
/// code of the registering authority's region.
///
/// Parsing trims surrounding whitespace but does not change case: the standard uses
/// upper-case letters only.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

fn credit_value(c: char) -> Option<u32> {
    if !c.is_ascii() {
        return None;
    }
    CREDIT_CHARSET.iter().position(|&b| b == c as u8).map(|p| p as u32)
}

/// Checks length and charset; returns the characters' values.
fn credit_values(s: &str, expected: usize) -> Result<Vec<u32>, CodeError> {
    let found = s.chars().count();
    if found != expected {
        return Err(CodeError::CreditCodeLength { expected, found });
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| credit_value(c).ok_or(CodeError::CreditCodeChar { position: i + 1, found: c }))
        .collect()
}

/// The check character for the values of the first 17 characters.
fn credit_check(values17: &[u32]) -> char {
    let sum: u32 = values17.iter().zip(CREDIT_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    char::from(CREDIT_CHARSET[check as usize])
}

impl CreditCode {
    /// Parses and validates a credit code: length 18, charset, check character.
    pub fn parse(s: &str) -> Result<CreditCode, CodeError> {
        let s = s.trim();
        let values = credit_values(s, 18)?;
        let expected = credit_check(&values[..17]);
        let found = char::from(CREDIT_CHARSET[values[17] as usize]);
        if expected != found {
            return Err(CodeError::CreditCodeCheck { expected, found });
        }
        Ok(CreditCode(s.to_owned()))
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six characters at positions 3–8: the GB/T 2260 code of the region where the
    /// code was issued (digits in every issued code; `100000` for central-level bodies).
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    /// [`Self::region_code`] as a [`RegionCode`], when it is one (not for `100000`).
    pub fn region(&self) -> Option<RegionCode> {
        RegionCode::parse(self.region_code()).ok()
    }
}

/// Completes the first 17 characters of a credit code with their check character (for
/// demo and test data).
pub fn credit_code_complete(first17: &str) -> Result<CreditCode, CodeError> {
    let first17 = first17.trim();
    let values = credit_values(first17, 17)?;
    let mut code = String::with_capacity(18);
    code.push_str(first17);
    code.push(credit_check(&values));
    Ok(CreditCode(code))
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CreditCode::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

// ---------------------------------------------------------------------------------------
// GB 11643-1999 citizen ID number
// ---------------------------------------------------------------------------------------

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";
/// Birth years accepted in positions 7–10. No holder of an 18-digit number was born
/// earlier, and the narrow range keeps random 18-digit numbers from passing (PUB-5).
const ID_BIRTH_YEARS: std::ops::RangeInclusive<i16> = 1850..=2199;

/// A citizen ID number (公民身份号码, GB 11643-1999): 6-digit region, 8-digit birth date
/// (YYYYMMDD), 3-digit sequence, check character (digit or `X`).
///
/// Parsing trims surrounding whitespace and accepts a lower-case `x` check character,
/// stored as `X`. The old 15-digit numbers are not accepted.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

/// Checks the first 17 characters (digits, birth date) and returns their check character.
fn resident_check_of(first17: &[u8]) -> Result<char, CodeError> {
    if let Some(i) = first17.iter().position(|b| !b.is_ascii_digit()) {
        return Err(CodeError::ResidentIdChar { position: i + 1 });
    }
    let num = |r: std::ops::Range<usize>| first17[r].iter().fold(0i32, |acc, b| acc * 10 + i32::from(b - b'0'));
    let (year, month, day) = (num(6..10), num(10..12), num(12..14));
    let year = i16::try_from(year).map_err(|_| CodeError::ResidentIdBirthDate)?;
    if !ID_BIRTH_YEARS.contains(&year) {
        return Err(CodeError::ResidentIdBirthDate);
    }
    // month and day are two digits, so they fit in i8.
    Date::new(year, month as i8, day as i8).map_err(|_| CodeError::ResidentIdBirthDate)?;
    let sum: u32 = first17.iter().zip(ID_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Ok(char::from(ID_CHECK[(sum % 11) as usize]))
}

impl ResidentId {
    /// Parses and validates an ID number: length 18, digits, birth date, check character.
    pub fn parse(s: &str) -> Result<ResidentId, CodeError> {
        let s = s.trim();
        let found = s.chars().count();
        if found != 18 {
            return Err(CodeError::ResidentIdLength { expected: 18, found });
        }
        // 18 chars; a non-ASCII one is caught below as a non-digit. Work on chars so a
        // multi-byte char cannot make us slice inside it.
        let chars: Vec<char> = s.chars().collect();
        if let Some(i) = chars[..17].iter().position(|c| !c.is_ascii_digit()) {
            return Err(CodeError::ResidentIdChar { position: i + 1 });
        }
        let last = chars[17].to_ascii_uppercase();
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(CodeError::ResidentIdChar { position: 18 });
        }
        // All 18 chars are ASCII now, so byte indexing is char indexing.
        let expected = resident_check_of(&s.as_bytes()[..17])?;
        if expected != last {
            return Err(CodeError::ResidentIdCheck { expected, found: last });
        }
        let mut id = String::with_capacity(18);
        id.push_str(&s[..17]);
        id.push(last);
        Ok(ResidentId(id))
    }

    /// The number as a string (check character upper case).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date in positions 7–14.
    pub fn birth_date(&self) -> Date {
        let n = |r: std::ops::Range<usize>| self.0[r].parse::<i16>().unwrap_or_default();
        // Validated at construction; the fallback is unreachable.
        Date::new(n(6..10), n(10..12) as i8, n(12..14) as i8).unwrap_or(Date::MIN)
    }
}

/// Whether `s` (trimmed) is a valid 18-character ID number. Used by redaction (PUB-5) to
/// recognise ID numbers in free text: besides the check character, the birth date must be
/// a real date between 1850 and 2199, so random 18-digit numbers almost never pass.
pub fn is_valid_resident_id(s: &str) -> bool {
    ResidentId::parse(s).is_ok()
}

/// Completes the first 17 digits of an ID number with their check character (for demo and
/// test data).
pub fn resident_id_complete(first17: &str) -> Result<ResidentId, CodeError> {
    let first17 = first17.trim();
    let found = first17.chars().count();
    if found != 17 {
        return Err(CodeError::ResidentIdLength { expected: 17, found });
    }
    if let Some(i) = first17.chars().position(|c| !c.is_ascii_digit()) {
        return Err(CodeError::ResidentIdChar { position: i + 1 });
    }
    let check = resident_check_of(first17.as_bytes())?;
    let mut id = String::with_capacity(18);
    id.push_str(first17);
    id.push(check);
    Ok(ResidentId(id))
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ResidentId {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResidentId::parse(s)
    }
}

impl TryFrom<String> for ResidentId {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ResidentId::parse(&s)
    }
}

impl From<ResidentId> for String {
    fn from(id: ResidentId) -> String {
        id.0
    }
}

// ---------------------------------------------------------------------------------------
// GB/T 2260 administrative division code
// ---------------------------------------------------------------------------------------

/// The province-level prefixes of GB/T 2260 (including 71 Taiwan, 81 Hong Kong, 82 Macao).
const PROVINCE_PREFIXES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82,
];

/// The level of a [`RegionCode`], read from its digits.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// `xx0000`: province, autonomous region, municipality (省级).
    Province,
    /// `xxxx00`: prefecture-level city or grouping (地级; `110100` for a municipality's
    /// districts).
    City,
    /// Anything else: county-level (县级).
    County,
}

/// A six-digit administrative division code (GB/T 2260). Checked: six ASCII digits, a real
/// province prefix, and no `xx00yy` with `yy` ≠ `00`. Whether the code is in force is not
/// checked (that needs the code table).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode([u8; 6]);

impl RegionCode {
    /// Parses and validates a region code (whitespace around it is trimmed).
    pub fn parse(s: &str) -> Result<RegionCode, CodeError> {
        let s = s.trim();
        let bytes: [u8; 6] = s
            .as_bytes()
            .try_into()
            .ok()
            .filter(|b: &[u8; 6]| b.iter().all(u8::is_ascii_digit))
            .ok_or_else(|| CodeError::RegionCodeFormat { found: s.to_owned() })?;
        let prefix = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        if !PROVINCE_PREFIXES.contains(&prefix) {
            return Err(CodeError::RegionCodeProvince { found: s.to_owned(), prefix: s[..2].to_owned() });
        }
        if &bytes[2..4] == b"00" && &bytes[4..6] != b"00" {
            return Err(CodeError::RegionCodeStructure { found: s.to_owned() });
        }
        Ok(RegionCode(bytes))
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        // Six ASCII digits by construction.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Province, city or county, from the trailing zeros.
    pub fn level(&self) -> RegionLevel {
        if &self.0[2..] == b"0000" {
            RegionLevel::Province
        } else if &self.0[4..] == b"00" {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }

    /// The province-level code `xx0000` (itself for a province).
    pub fn province(&self) -> RegionCode {
        RegionCode([self.0[0], self.0[1], b'0', b'0', b'0', b'0'])
    }

    /// The city-level code `xxxx00` (itself for a city); `None` for a province. This is
    /// arithmetic: `110101` gives `110100`, `429004` gives `429000`.
    pub fn city(&self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::City => Some(*self),
            RegionLevel::County => Some(RegionCode([self.0[0], self.0[1], self.0[2], self.0[3], b'0', b'0'])),
        }
    }

    /// Whether `other` lies within `self`: a province contains every code with its prefix,
    /// a city every code with its four-digit prefix, and every code contains itself.
    pub fn contains(&self, other: &RegionCode) -> bool {
        match self.level() {
            RegionLevel::Province => self.0[..2] == other.0[..2],
            RegionLevel::City => self.0[..4] == other.0[..4],
            RegionLevel::County => self == other,
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegionCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- credit code -------------------------------------------------------------------

    #[test]
    fn credit_weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for weight in CREDIT_WEIGHTS {
            assert_eq!(weight, w);
            w = w * 3 % 31;
        }
    }

    /// Published codes; each check character was also verified by an independent
    /// computation (Python) before being written here.
    const VALID_CREDIT_CODES: [&str; 6] = [
        "91350100M000100Y43", // the standard's usual example
        "911100001000079554",
        "91440300708461136T",
        "914403001922038216",
        "91110000802100433B",
        "12100000400010398P", // 1 = 机构编制 (public institution), central level
    ];

    #[test]
    fn credit_code_accepts_valid_codes() {
        for s in VALID_CREDIT_CODES {
            let c = CreditCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(c.as_str(), s);
            assert_eq!(c.to_string(), s);
        }
        // Whitespace around is trimmed.
        assert_eq!(CreditCode::parse("  91350100M000100Y43\n").unwrap().as_str(), "91350100M000100Y43");
    }

    #[test]
    fn credit_code_rejects_wrong_check_character() {
        let e = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(e, CodeError::CreditCodeCheck { expected: '3', found: '4' });
        assert_eq!(e.to_string(), "SUBJ-1: 统一社会信用代码校验位错误：应为 3，实为 4");
        // One character changed in the body: the check no longer matches.
        assert_eq!(
            CreditCode::parse("911100001000079564").unwrap_err(),
            CodeError::CreditCodeCheck { expected: '7', found: '4' }
        );
        // Two characters swapped.
        assert!(matches!(CreditCode::parse("91440300708461163T"), Err(CodeError::CreditCodeCheck { .. })));
    }

    #[test]
    fn credit_code_rejects_wrong_length() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y4").unwrap_err(),
            CodeError::CreditCodeLength { expected: 18, found: 17 }
        );
        assert_eq!(CreditCode::parse("").unwrap_err(), CodeError::CreditCodeLength { expected: 18, found: 0 });
        let e = CreditCode::parse("91350100M000100Y433").unwrap_err();
        assert_eq!(e.to_string(), "SUBJ-1: 统一社会信用代码长度错误：应为 18 位，实为 19 位");
        // Characters, not bytes, are counted.
        assert_eq!(
            CreditCode::parse("统一社会信用代码").unwrap_err(),
            CodeError::CreditCodeLength { expected: 18, found: 8 }
        );
    }

    #[test]
    fn credit_code_rejects_illegal_characters() {
        for (s, position, found) in [
            ("91350100I000100Y43", 9, 'I'),
            ("9135010OM000100Y43", 8, 'O'),
            ("91350100M000100Z43", 16, 'Z'),
            ("S1350100M000100Y43", 1, 'S'),
            ("91350100M000100V43", 16, 'V'),
            ("91350100m000100y43", 9, 'm'), // lower case is not allowed
            ("91350100M000100Y4-", 18, '-'),
            ("913501００M000100Y43", 7, '０'), // full-width digit
        ] {
            assert_eq!(CreditCode::parse(s).unwrap_err(), CodeError::CreditCodeChar { position, found }, "{s}");
        }
        assert_eq!(
            CreditCode::parse("91350100I000100Y43").unwrap_err().to_string(),
            "SUBJ-1: 统一社会信用代码第 9 位字符“I”不合法：只允许数字和大写字母（不含 I、O、Z、S、V）"
        );
    }

    #[test]
    fn credit_code_complete_appends_check() {
        for s in VALID_CREDIT_CODES {
            assert_eq!(credit_code_complete(&s[..17]).unwrap().as_str(), s);
        }
        // Check value 0 (sum ≡ 0 mod 31) and 30 ('Y') both come out right.
        let mut seen_zero = false;
        let mut seen_y = false;
        for n in 0..2000u32 {
            let first17 = format!("91110108MA{n:07}");
            let c = credit_code_complete(&first17).unwrap();
            CreditCode::parse(c.as_str()).unwrap();
            seen_zero |= c.as_str().ends_with('0');
            seen_y |= c.as_str().ends_with('Y');
        }
        assert!(seen_zero && seen_y);
        assert_eq!(
            credit_code_complete("91350100M000100Y").unwrap_err(),
            CodeError::CreditCodeLength { expected: 17, found: 16 }
        );
        assert_eq!(
            credit_code_complete("91350100M00010OY4").unwrap_err(),
            CodeError::CreditCodeChar { position: 15, found: 'O' }
        );
    }

    #[test]
    fn credit_code_region() {
        let c = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(c.region_code(), "350100");
        assert_eq!(c.region(), Some(RegionCode::parse("350100").unwrap()));
        let central = CreditCode::parse("12100000400010398P").unwrap();
        assert_eq!(central.region_code(), "100000");
        assert_eq!(central.region(), None);
    }

    #[test]
    fn credit_code_serde() {
        let c = CreditCode::parse("91350100M000100Y43").unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, "\"91350100M000100Y43\"");
        assert_eq!(serde_json::from_str::<CreditCode>(&json).unwrap(), c);
        let err = serde_json::from_str::<CreditCode>("\"91350100M000100Y44\"").unwrap_err();
        assert!(err.to_string().contains("SUBJ-1: 统一社会信用代码校验位错误"));
        assert!(serde_json::from_str::<CreditCode>("18").is_err());
    }

    // --- resident ID -------------------------------------------------------------------

    #[test]
    fn resident_id_accepts_valid_numbers() {
        // 11010519491231002X: the standard's example number.
        for s in ["11010519491231002X", "440524188001010014", "11010119900307803X", "110101199003074477"] {
            let id = ResidentId::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(id.as_str(), s);
            assert!(is_valid_resident_id(s));
        }
        let id = ResidentId::parse(" 11010519491231002x ").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), jiff::civil::date(1949, 12, 31));
    }

    #[test]
    fn resident_id_rejects_invalid_numbers() {
        assert_eq!(
            ResidentId::parse("110105194912310021").unwrap_err(),
            CodeError::ResidentIdCheck { expected: 'X', found: '1' }
        );
        assert_eq!(
            ResidentId::parse("110105194912310021").unwrap_err().to_string(),
            "PUB-5: 居民身份证号码校验位错误：应为 X，实为 1"
        );
        assert_eq!(
            ResidentId::parse("1101051949123100X").unwrap_err(),
            CodeError::ResidentIdLength { expected: 18, found: 17 }
        );
        assert_eq!(ResidentId::parse("11010519491231002Y").unwrap_err(), CodeError::ResidentIdChar { position: 18 });
        assert_eq!(ResidentId::parse("1101051949123100XX").unwrap_err(), CodeError::ResidentIdChar { position: 17 });
        assert_eq!(ResidentId::parse("11010519491231００2X").unwrap_err(), CodeError::ResidentIdChar { position: 15 });
        // 1949-02-30 is not a date; its check character is right for the digits.
        let bad_date = resident_check_of(b"11010519490230002").unwrap_err();
        assert_eq!(bad_date, CodeError::ResidentIdBirthDate);
        for s in [
            "110105194902300023", // 30 February
            "110105194913310023", // month 13
            "110105000012310023", // year 0000
            "110105123412310023", // year 1234
        ] {
            assert_eq!(ResidentId::parse(s).unwrap_err(), CodeError::ResidentIdBirthDate, "{s}");
        }
        // Messages never echo the number.
        let msg = ResidentId::parse("110105194902300023").unwrap_err().to_string();
        assert!(msg.starts_with("PUB-5: ") && !msg.contains("1101"), "{msg}");
    }

    #[test]
    fn random_18_digit_numbers_do_not_pass() {
        // Typical non-ID 18-digit numbers: order numbers, bank accounts, timestamps.
        for s in [
            "123456789012345678",
            "202605181234567890",
            "622202100011223344",
            "000000000000000000",
            "999999999999999999",
            "111111111111111111",
        ] {
            assert!(!is_valid_resident_id(s), "{s}");
        }
        // A deterministic pseudo-random sample. The birth-date range and the check character
        // let about 1 in 10,000 through (7 here; those are well-formed ID numbers by
        // construction); bound it at 1 in 1,000.
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut passed = 0;
        for _ in 0..100_000 {
            let mut s = String::with_capacity(18);
            for _ in 0..18 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push(char::from(b'0' + (x % 10) as u8));
            }
            if is_valid_resident_id(&s) {
                passed += 1;
            }
        }
        assert!(passed < 100, "{passed} of 100000 random numbers passed");
    }

    #[test]
    fn resident_id_complete_appends_check() {
        assert_eq!(resident_id_complete("11010519491231002").unwrap().as_str(), "11010519491231002X");
        assert_eq!(resident_id_complete("44052418800101001").unwrap().as_str(), "440524188001010014");
        assert_eq!(resident_id_complete("11010519490230002").unwrap_err(), CodeError::ResidentIdBirthDate);
        assert_eq!(
            resident_id_complete("1101051949123100").unwrap_err(),
            CodeError::ResidentIdLength { expected: 17, found: 16 }
        );
        assert_eq!(resident_id_complete("1101051949123100X").unwrap_err(), CodeError::ResidentIdChar { position: 17 });
    }

    #[test]
    fn resident_id_serde() {
        let id: ResidentId = serde_json::from_str("\"11010519491231002x\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"11010519491231002X\"");
        assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
    }

    // --- region code -------------------------------------------------------------------

    fn rc(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn region_code_parses_and_levels() {
        assert_eq!(rc("110000").level(), RegionLevel::Province);
        assert_eq!(rc("350100").level(), RegionLevel::City);
        assert_eq!(rc("110101").level(), RegionLevel::County);
        assert_eq!(rc("429004").level(), RegionLevel::County);
        assert_eq!(rc(" 130123 ").as_str(), "130123");
        for s in ["810000", "820000", "710000", "650000", "540000"] {
            assert_eq!(rc(s).level(), RegionLevel::Province);
        }
    }

    #[test]
    fn region_code_rejects_bad_codes() {
        for s in ["11000", "1100000", "11010a", "", "１１０１０１"] {
            assert_eq!(RegionCode::parse(s).unwrap_err(), CodeError::RegionCodeFormat { found: s.to_owned() }, "{s}");
        }
        for s in [
            "100000", "160101", "240000", "380000", "470000", "550000", "660000", "720000", "830000", "990000",
            "000000",
        ] {
            assert!(matches!(RegionCode::parse(s), Err(CodeError::RegionCodeProvince { .. })), "{s}");
        }
        assert_eq!(
            RegionCode::parse("160101").unwrap_err().to_string(),
            "SUBJ-1: 行政区划代码 160101 不存在：前两位 16 不是省级行政区代码"
        );
        assert_eq!(
            RegionCode::parse("110001").unwrap_err(),
            CodeError::RegionCodeStructure { found: "110001".to_owned() }
        );
        assert_eq!(
            RegionCode::parse("11010a").unwrap_err().to_string(),
            "SUBJ-1: 行政区划代码“11010a”格式错误：应为 6 位数字"
        );
    }

    #[test]
    fn region_code_parents() {
        assert_eq!(rc("110101").province(), rc("110000"));
        assert_eq!(rc("110101").city(), Some(rc("110100")));
        assert_eq!(rc("350102").city(), Some(rc("350100")));
        assert_eq!(rc("350100").city(), Some(rc("350100")));
        assert_eq!(rc("350100").province(), rc("350000"));
        assert_eq!(rc("350000").city(), None);
        assert_eq!(rc("350000").province(), rc("350000"));
        assert_eq!(rc("429004").city(), Some(rc("429000")));
    }

    #[test]
    fn region_code_contains() {
        let (prov, city, county) = (rc("350000"), rc("350100"), rc("350102"));
        assert!(prov.contains(&prov) && prov.contains(&city) && prov.contains(&county));
        assert!(city.contains(&city) && city.contains(&county));
        assert!(!city.contains(&prov));
        assert!(county.contains(&county));
        assert!(!county.contains(&city) && !county.contains(&prov));
        assert!(!county.contains(&rc("350103")));
        assert!(!city.contains(&rc("350202")));
        assert!(!prov.contains(&rc("360102")));
        assert!(rc("110000").contains(&rc("110101")));
    }

    #[test]
    fn region_code_serde() {
        let c = rc("130123");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"130123\"");
        assert_eq!(serde_json::from_str::<RegionCode>("\"130123\"").unwrap(), c);
        assert!(serde_json::from_str::<RegionCode>("\"160101\"").is_err());
        assert!(serde_json::from_str::<RegionCode>("130123").is_err());
        assert_eq!(serde_json::to_string(&RegionLevel::County).unwrap(), "\"county\"");
    }
}
