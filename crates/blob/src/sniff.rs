//! Media type detection from the content's first bytes (magic numbers). The file name and
//! the type the client declares are never consulted.
//!
//! [`detect`] looks at most at the first [`SNIFF_LEN`] bytes and recognises the evidence
//! formats (JPEG, PNG, HEIC/HEIF, WebP, MP4, QuickTime, WebM/Matroska, 3GP, MP3, M4A, AAC,
//! WAV, AMR, PDF) plus a few common formats that are refused by default, so that a refusal
//! can name what was sent (an EXE is `application/x-msdownload`). It identifies the
//! container format from its signature, as `file(1)` does; it does not validate the whole
//! file.
//!
//! ISO base media files (MP4, MOV, M4A, 3GP, HEIC) all start with an `ftyp` box and are told
//! apart by its major brand, then by its compatible brands (ISO/IEC 14496-12 §4.3; the brand
//! registry of the MP4 registration authority). Matroska and WebM share the EBML signature
//! and are told apart by the EBML header's `DocType` element.

/// How many leading bytes [`detect`] needs at most. An upload collects this much (or the
/// whole content, if shorter) before deciding.
pub const SNIFF_LEN: usize = 4096;

/// Every media type [`detect`] can return; an allowed-type list naming anything else could
/// never match and is refused as a configuration error.
pub const DETECTABLE: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/heic",
    "image/heic-sequence",
    "image/heif",
    "image/heif-sequence",
    "image/avif",
    "image/webp",
    "image/gif",
    "image/bmp",
    "image/tiff",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-matroska",
    "video/3gpp",
    "video/3gpp2",
    "video/x-msvideo",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/wav",
    "audio/amr",
    "audio/amr-wb",
    "audio/ogg",
    "audio/flac",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/vnd.rar",
    "application/x-msdownload",
    "application/x-executable",
];

/// The media type of content starting with `head`, or `None` if no known format matches.
pub fn detect(head: &[u8]) -> Option<&'static str> {
    let b = head;
    let at = |offset: usize, sig: &[u8]| b.get(offset..offset + sig.len()) == Some(sig);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if at(0, b"RIFF") && b.len() >= 12 {
        return match &b[8..12] {
            b"WEBP" => Some("image/webp"),
            b"WAVE" => Some("audio/wav"),
            b"AVI " => Some("video/x-msvideo"),
            _ => None,
        };
    }
    if at(0, b"%PDF-") {
        return Some("application/pdf");
    }
    // RFC 4867 §5: single-channel AMR and AMR-WB storage formats.
    if at(0, b"#!AMR\n") {
        return Some("audio/amr");
    }
    if at(0, b"#!AMR-WB\n") {
        return Some("audio/amr-wb");
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        return match ebml_doc_type(b)? {
            b"webm" => Some("video/webm"),
            b"matroska" => Some("video/x-matroska"),
            _ => None,
        };
    }
    if at(4, b"ftyp") {
        return iso_bmff(b);
    }
    if quicktime_classic(b) {
        return Some("video/quicktime");
    }
    if at(0, b"ID3") {
        // An ID3v2 tag precedes MPEG audio (MP3) in practice.
        return Some("audio/mpeg");
    }
    if let Some(t) = mpeg_audio_frame(b) {
        return Some(t);
    }
    if at(0, b"ADIF") {
        return Some("audio/aac");
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return Some("image/gif");
    }
    if at(0, b"BM") && b.len() >= 14 {
        return Some("image/bmp");
    }
    if at(0, b"II*\0") || at(0, b"MM\0*") {
        return Some("image/tiff");
    }
    if at(0, b"OggS") {
        return Some("audio/ogg");
    }
    if at(0, b"fLaC") {
        return Some("audio/flac");
    }
    if at(0, b"PK\x03\x04") || at(0, b"PK\x05\x06") {
        return Some("application/zip");
    }
    if at(0, &[0x1F, 0x8B]) {
        return Some("application/gzip");
    }
    if at(0, b"7z\xBC\xAF\x27\x1C") {
        return Some("application/x-7z-compressed");
    }
    if at(0, b"Rar!\x1A\x07") {
        return Some("application/vnd.rar");
    }
    if at(0, b"MZ") {
        return Some("application/x-msdownload");
    }
    if at(0, b"\x7FELF") {
        return Some("application/x-executable");
    }
    None
}

/// An ISO base media file: the major brand of its `ftyp` box, refined or replaced by the
/// compatible brands.
fn iso_bmff(b: &[u8]) -> Option<&'static str> {
    let size = u32::from_be_bytes(b[0..4].try_into().ok()?) as usize;
    let major: [u8; 4] = b.get(8..12)?.try_into().ok()?;
    // The compatible brands follow the major brand and the minor version, to the box's end
    // (as far as we have it).
    let end = size.clamp(16, b.len().max(16)).min(b.len());
    let compatible: Vec<[u8; 4]> =
        b.get(16..end).unwrap_or(&[]).chunks_exact(4).map(|c| c.try_into().expect("4 bytes")).collect();
    match brand(&major) {
        // A generic HEIF image or sequence: a HEVC brand among the compatible ones makes it
        // HEIC, an AV1 brand AVIF.
        Some(generic @ ("image/heif" | "image/heif-sequence")) => {
            let specific = compatible.iter().filter_map(brand).find(|t| {
                matches!(*t, "image/heic" | "image/heic-sequence" | "image/avif")
                    && (generic == "image/heif-sequence") == t.ends_with("-sequence")
            });
            Some(specific.unwrap_or(generic))
        }
        Some(t) => Some(t),
        None => compatible.iter().find_map(brand),
    }
}

fn brand(b: &[u8; 4]) -> Option<&'static str> {
    Some(match b {
        b"qt  " => "video/quicktime",
        b"heic" | b"heix" | b"heim" | b"heis" => "image/heic",
        b"hevc" | b"hevx" | b"hevm" | b"hevs" => "image/heic-sequence",
        b"mif1" | b"mif2" => "image/heif",
        b"msf1" => "image/heif-sequence",
        b"avif" | b"avis" => "image/avif",
        b"M4A " | b"M4B " | b"M4P " | b"F4A " | b"F4B " => "audio/mp4",
        [b'3', b'g', b'2', _] => "video/3gpp2",
        [b'3', b'g', b'p' | b'e' | b'g' | b'r' | b's' | b't', _] => "video/3gpp",
        b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"iso7" | b"iso8" | b"iso9" | b"mp41" | b"mp42"
        | b"mp71" | b"avc1" | b"dash" | b"mmp4" | b"M4V " | b"M4VH" | b"M4VP" | b"f4v " | b"F4V " | b"MSNV"
        | b"NDAS" | b"NDSC" | b"NDSH" | b"NDSM" | b"NDSP" | b"NDSS" | b"NDXC" | b"NDXH" | b"NDXM" | b"NDXP"
        | b"NDXS" | b"XAVC" => "video/mp4",
        _ => return None,
    })
}

/// A QuickTime movie from before `ftyp` existed: it starts directly with a top-level atom
/// (size, type) of one of the types such files begin with.
fn quicktime_classic(b: &[u8]) -> bool {
    let Some(kind) = b.get(4..8) else { return false };
    let size = u32::from_be_bytes(b[0..4].try_into().expect("4 bytes"));
    // 0: to the end of the file; 1: a 64-bit size follows; otherwise at least the header.
    let plausible = size == 0 || size == 1 || size >= 8;
    plausible && matches!(kind, b"moov" | b"mdat" | b"wide" | b"pnot")
}

/// An MPEG audio frame header at the start: Layer III is MP3 (`audio/mpeg`); ADTS (layer
/// bits 00 with the 12-bit sync) is AAC.
fn mpeg_audio_frame(b: &[u8]) -> Option<&'static str> {
    let [0xFF, b1, b2, ..] = *b else { return None };
    if b1 & 0xF6 == 0xF0 {
        return Some("audio/aac");
    }
    let version = (b1 >> 3) & 0b11; // 01 is reserved
    let layer = (b1 >> 1) & 0b11; // 01 is Layer III
    let bitrate = b2 >> 4; // 1111 is invalid
    let sample_rate = (b2 >> 2) & 0b11; // 11 is reserved
    (b1 & 0xE0 == 0xE0 && version != 0b01 && layer == 0b01 && bitrate != 0b1111 && sample_rate != 0b11)
        .then_some("audio/mpeg")
}

/// The `DocType` (ID 0x4282) of an EBML header (RFC 8794 §11.2.4).
fn ebml_doc_type(b: &[u8]) -> Option<&[u8]> {
    let mut p = 4;
    let (header_size, n) = vint(b.get(p..)?)?;
    p += n;
    let end = p.saturating_add(usize::try_from(header_size).ok()?).min(b.len());
    while p < end {
        let id_len = vint_len(*b.get(p)?)?;
        let id = b.get(p..p + id_len)?;
        p += id_len;
        let (size, n) = vint(b.get(p..)?)?;
        p += n;
        let size = usize::try_from(size).ok()?;
        if id == [0x42, 0x82] {
            return b.get(p..p.checked_add(size)?);
        }
        p = p.checked_add(size)?;
    }
    None
}

/// The length of an EBML variable-size integer from its first byte (1 to 8).
fn vint_len(first: u8) -> Option<usize> {
    (first != 0).then(|| first.leading_zeros() as usize + 1)
}

/// An EBML variable-size integer's value (marker bit removed) and its length.
fn vint(b: &[u8]) -> Option<(u64, usize)> {
    let len = vint_len(*b.first()?)?;
    let bytes = b.get(..len)?;
    let mut v = u64::from(bytes[0]) & (0xFF >> len);
    for &x in &bytes[1..] {
        v = (v << 8) | u64::from(x);
    }
    Some((v, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut v = (size as u32).to_be_bytes().to_vec();
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(major);
        v.extend_from_slice(&[0, 0, 0, 0]);
        for c in compatible {
            v.extend_from_slice(*c);
        }
        v.extend_from_slice(&[0, 0, 0, 8, b'f', b'r', b'e', b'e']);
        v
    }

    fn ebml(doc_type: &[u8]) -> Vec<u8> {
        // EBMLVersion 1, then DocType.
        let mut body = vec![0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x80 | doc_type.len() as u8];
        body.extend_from_slice(doc_type);
        let mut v = vec![0x1A, 0x45, 0xDF, 0xA3, 0x80 | body.len() as u8];
        v.extend_from_slice(&body);
        v.extend_from_slice(&[0x18, 0x53, 0x80, 0x67]); // Segment
        v
    }

    #[test]
    fn evidence_formats() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'], "image/jpeg"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "image/png"),
            (ftyp(b"heic", &[b"mif1", b"heic"]), "image/heic"),
            (ftyp(b"mif1", &[b"mif1", b"heic"]), "image/heic"),
            (ftyp(b"mif1", &[b"mif1", b"miaf"]), "image/heif"),
            (ftyp(b"msf1", &[b"msf1", b"hevc"]), "image/heic-sequence"),
            (ftyp(b"avif", &[b"avif", b"mif1"]), "image/avif"),
            (b"RIFF\x24\0\0\0WEBPVP8 ".to_vec(), "image/webp"),
            (ftyp(b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"]), "video/mp4"),
            (ftyp(b"mp42", &[b"mp42", b"isom"]), "video/mp4"),
            (ftyp(b"qt  ", &[b"qt  "]), "video/quicktime"),
            (vec![0, 0, 0, 8, b'w', b'i', b'd', b'e', 0, 0, 0, 0, b'm', b'd', b'a', b't'], "video/quicktime"),
            (ebml(b"webm"), "video/webm"),
            (ebml(b"matroska"), "video/x-matroska"),
            (ftyp(b"3gp4", &[b"isom", b"3gp4"]), "video/3gpp"),
            (ftyp(b"3gp5", &[b"3gp5"]), "video/3gpp"),
            (ftyp(b"3g2a", &[b"3g2a"]), "video/3gpp2"),
            (b"ID3\x04\0\0\0\0\0\x0f".to_vec(), "audio/mpeg"),
            (vec![0xFF, 0xFB, 0x90, 0x64], "audio/mpeg"),
            (vec![0xFF, 0xF3, 0x48, 0xC4], "audio/mpeg"),
            (ftyp(b"M4A ", &[b"M4A ", b"mp42", b"isom"]), "audio/mp4"),
            (vec![0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC], "audio/aac"),
            (b"RIFF\x24\0\0\0WAVEfmt ".to_vec(), "audio/wav"),
            (b"#!AMR\n\x3c".to_vec(), "audio/amr"),
            (b"#!AMR-WB\n\x04".to_vec(), "audio/amr-wb"),
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(), "application/pdf"),
            // An unknown major brand falls back to the first known compatible brand.
            (ftyp(b"xxxx", &[b"yyyy", b"mp41"]), "video/mp4"),
        ];
        for (bytes, want) in cases {
            assert_eq!(detect(&bytes), Some(want), "{bytes:02x?}");
            assert!(DETECTABLE.contains(&want));
        }
    }

    #[test]
    fn refused_formats_are_named() {
        assert_eq!(detect(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"), Some("application/x-msdownload"));
        assert_eq!(detect(b"\x7FELF\x02\x01\x01"), Some("application/x-executable"));
        assert_eq!(detect(b"PK\x03\x04\x14\0"), Some("application/zip"));
        assert_eq!(detect(b"RIFF\x24\0\0\0AVI LIST"), Some("video/x-msvideo"));
        assert_eq!(detect(b"GIF89a\x01\0"), Some("image/gif"));
    }

    #[test]
    fn unknown_and_truncated() {
        for b in [
            &b""[..],
            b"hello, world",
            b"\xFF\xD8",
            b"\x89PNG",
            b"RIFF\0\0",
            b"RIFF\x24\0\0\0XXXX",
            &[0xFF, 0xFF, 0xFF, 0xFF],
            &[0x1A, 0x45, 0xDF, 0xA3],
            &[0x1A, 0x45, 0xDF, 0xA3, 0x85, 0x42, 0x82, 0x84, b'w'],
            b"\0\0\0\x10ftypzzzz\0\0\0\0",
            b"\0\0\0\x04moov",
        ] {
            assert_eq!(detect(b), None, "{b:02x?}");
        }
        // A huge ftyp size field does not read out of bounds.
        let mut v = ftyp(b"zzzz", &[b"isom"]);
        v[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(detect(&v), Some("video/mp4"));
    }
}
