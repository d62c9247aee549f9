//! QR codes as SVG, from the `qrcode` crate: the verification mark on documents (文书核验,
//! LOG-5), handed to Typst as a virtual image file so no raster image code is needed, and
//! the web application's certificate and TOTP enrolment codes.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The address a verification QR code carries: `url`, with `code` appended as a query
/// parameter unless the URL already ends in it.
pub fn verify_target(url: &str, code: &str) -> String {
    if url.ends_with(code) {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&code={code}")
    } else {
        format!("{url}?code={code}")
    }
}

/// An SVG document (with its XML declaration) of a QR code of `text`: error correction
/// level M, black on white, with its quiet zone, at least `min_size` pixels square.
pub fn qr_svg(text: &str, min_size: u32) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| e.to_string())?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(min_size, min_size)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_appends_code_once() {
        assert_eq!(verify_target("https://a.example/v", "AB12"), "https://a.example/v?code=AB12");
        assert_eq!(verify_target("https://a.example/v?x=1", "AB12"), "https://a.example/v?x=1&code=AB12");
        assert_eq!(verify_target("https://a.example/v/AB12", "AB12"), "https://a.example/v/AB12");
    }

    #[test]
    fn svg_is_deterministic() {
        let a = qr_svg("https://a.example/v?code=AB12", 160).unwrap();
        assert!(a.starts_with("<?xml") && a.contains("<svg"));
        assert_eq!(a, qr_svg("https://a.example/v?code=AB12", 160).unwrap());
    }
}
