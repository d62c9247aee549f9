//! TOTP second factor (SEC-1): RFC 6238 with HMAC-SHA-1, 30-second steps, 6 digits — what
//! every authenticator app speaks — and the `otpauth://` URI its QR code carries.
//!
//! Written on `hmac` (already in the dependency tree) and `sha1` (RustCrypto, one small
//! crate) rather than `totp-rs`: the algorithm is twenty lines (RFC 4226 dynamic
//! truncation), and `totp-rs` would add base32, url and constant-time crates plus its own
//! QR feature (we already render QR codes with `qrcode`). The RFC's test vectors are below.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;

/// RFC 4648 base32 without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(bytes)
}

/// Decodes base32 (case-insensitive; spaces and padding ignored). `None` for a symbol
/// outside the alphabet or a length no base32 text has (1, 3 or 6 symbols past a multiple
/// of 8).
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    /// RFC 4648's alphabet, read leniently as a secret may have been typed: lower case,
    /// ASCII spaces and `=` allowed, bits after the last whole byte ignored.
    static LENIENT: std::sync::LazyLock<data_encoding::Encoding> = std::sync::LazyLock::new(|| {
        let mut spec = data_encoding::Specification::new();
        spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
        spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        spec.ignore.push_str(" \t\r\n=");
        spec.check_trailing_bits = false;
        spec.encoding().expect("a valid base32 specification")
    });
    LENIENT.decode(s.as_bytes()).ok()
}

/// A new 160-bit secret, base32.
pub fn new_secret() -> String {
    base32_encode(&rand::random::<[u8; 20]>())
}

/// RFC 4226 HOTP with `digits` digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = (h[19] & 0x0f) as usize;
    let bin =
        (u32::from(h[o]) & 0x7f) << 24 | u32::from(h[o + 1]) << 16 | u32::from(h[o + 2]) << 8 | u32::from(h[o + 3]);
    bin % 10u32.pow(digits)
}

/// The time step of an instant.
pub fn step_of(t: Timestamp) -> i64 {
    t.as_second().div_euclid(STEP_SECONDS)
}

/// The step whose code `code` is, within one step either side of `now` (clock drift), or
/// `None`. The caller refuses a step already used (replay).
pub fn verify(secret_b32: &str, code: &str, now: Timestamp) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let want: u32 = code.parse().ok()?;
    let key = base32_decode(secret_b32)?;
    let now = step_of(now);
    (now - 1..=now + 1).find(|s| *s >= 0 && hotp(&key, *s as u64, DIGITS) == want)
}

/// The code for an instant (tests, and the browser test's "authenticator").
pub fn code_at(secret_b32: &str, t: Timestamp) -> String {
    let key = base32_decode(secret_b32).unwrap_or_default();
    format!("{:06}", hotp(&key, step_of(t) as u64, DIGITS))
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, login: &str, secret_b32: &str) -> String {
    fn enc(s: &str) -> String {
        use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
        /// Everything but RFC 3986's unreserved characters.
        const RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
        utf8_percent_encode(s, RESERVED).to_string()
    }
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(login),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4226_hotp_vectors() {
        let key = b"12345678901234567890";
        let want = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(hotp(key, i as u64, 6), *w, "counter {i}");
        }
    }

    #[test]
    fn rfc6238_sha1_vectors() {
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let key = base32_decode(&secret).unwrap();
        for (t, want) in [(59, 94287082), (1111111109, 7081804), (1111111111, 14050471), (1234567890, 89005924)] {
            let ts = Timestamp::from_second(t).unwrap();
            assert_eq!(hotp(&key, step_of(ts) as u64, 8), want, "t={t}");
            assert_eq!(code_at(&secret, ts), format!("{:06}", want % 1_000_000));
        }
    }

    #[test]
    fn base32_is_rfc4648_without_padding() {
        // RFC 4648 section 10, padding dropped; what authenticator apps read.
        for (raw, b32) in [
            (&b""[..], ""),
            (b"f", "MY"),
            (b"fo", "MZXQ"),
            (b"foo", "MZXW6"),
            (b"foob", "MZXW6YQ"),
            (b"fooba", "MZXW6YTB"),
            (b"foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(raw), b32);
            assert_eq!(base32_decode(b32).unwrap(), raw);
        }
        let raw = b"\x00\x44\x32\x14\xc7\x42\x54\xb6\x35\xcf\x84\x65\x3a\x56\xd7\xc6\x75\xbe\x77\xdf";
        assert_eq!(base32_encode(raw), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        // As a person may type a secret: lower case, spaces, padding.
        assert_eq!(base32_decode("abcd efgh ijkl mnop qrst uvwx yz23 4567").unwrap(), raw);
        assert_eq!(base32_decode("MZXW6YQ=").unwrap(), b"foob");
        assert_eq!(base32_decode("MZXW6YR").unwrap(), b"foob", "bits past the last byte are ignored");
        assert_eq!(base32_decode("MZXW6YQ1"), None);
    }

    #[test]
    fn verify_accepts_one_step_of_drift_only() {
        let secret = new_secret();
        assert_eq!(base32_decode(&secret).unwrap().len(), 20);
        let now = Timestamp::from_second(1_772_337_600).unwrap();
        let code = code_at(&secret, now);
        assert_eq!(verify(&secret, &code, now), Some(step_of(now)));
        assert!(verify(&secret, &code, now + jiff::SignedDuration::from_secs(30)).is_some());
        assert!(verify(&secret, &code, now + jiff::SignedDuration::from_secs(90)).is_none());
        assert!(verify(&secret, "12345", now).is_none());
        assert!(verify(&secret, "abcdef", now).is_none());
    }

    #[test]
    fn otpauth_uri_is_what_authenticators_read() {
        let u = otpauth_uri("Zhifa 执法", "li si", "ABC");
        assert!(u.starts_with("otpauth://totp/Zhifa%20%E6%89%A7%E6%B3%95:li%20si?secret=ABC&issuer="), "{u}");
        assert!(u.ends_with("&algorithm=SHA1&digits=6&period=30"));
    }
}
