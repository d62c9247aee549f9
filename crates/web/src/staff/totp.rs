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
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 (case-insensitive; spaces and padding ignored).
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET.iter().position(|a| *a as char == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
        buf &= (1 << bits) - 1;
    }
    Some(out)
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
    use crate::html::enc;
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
