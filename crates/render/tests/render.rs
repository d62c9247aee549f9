//! Renders every shipped example and checks the renderer's promises: determinism, clear
//! errors for missing fields and missing glyphs, rare surnames, and (with
//! ZHIFA_TEST_PDFTOOLS=1) real, extractable Chinese text via poppler's pdftotext.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Value, json};
use zhifa_render::{FontConfig, KINDS, RenderError, Renderer};

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new(FontConfig::vendored(), None).expect("renderer"))
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn example(kind: &str) -> Value {
    let path = examples_dir().join(format!("{kind}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn render(kind: &str, data: &Value) -> Vec<u8> {
    renderer().render(kind, data).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

#[test]
fn common_symbols_and_rare_characters_have_glyphs() {
    // 〔〕 in document numbers, × √ □ ☑ in forms, the rare surnames, Extension A (䶮).
    let mut data = example("penalty_decision");
    data["facts"] = json!(format!("〔〕×√□☑☐✓①№℃、。《》「」—…·＋％ {RARE} 郗佴厍訾"));
    renderer().render("penalty_decision", &data).unwrap();
}

/// Every `examples/<kind>[.variant].json`, with its kind.
#[test]
fn data_is_text_never_markup() {
    // SEC-5: Typst syntax in the data is printed as it is, never evaluated.
    let mut data = example("penalty_decision");
    data["facts"] = json!("#panic(\"x\") *粗体* _x_ $x^2$ <label> @ref `raw` \\ // 注释 /* 块 */ = 标题");
    data["party"]["name"] = json!("#read(\"/etc/passwd\")");
    renderer().render("penalty_decision", &data).unwrap();
}

fn all_examples() -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(examples_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let kind = stem.split('.').next().unwrap().to_owned();
            let data: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            out.push((stem, kind, data));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_kind_has_an_example_and_every_example_renders() {
    let examples = all_examples();
    for (kind, _) in KINDS {
        assert!(examples.iter().any(|(_, k, _)| k == kind), "no example for {kind}");
    }
    for (name, kind, data) in &examples {
        let pdf = render(kind, data);
        assert!(pdf.starts_with(b"%PDF-"), "{name}");
        // PDF/A-2b identification in the XMP metadata.
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("pdfaid:part") && text.contains("pdfaid:conformance"), "{name}: not PDF/A");
        if let Ok(dir) = std::env::var("ZHIFA_RENDER_OUT") {
            std::fs::write(Path::new(&dir).join(format!("{name}.pdf")), &pdf).unwrap();
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    let data = example("penalty_decision");
    let a = render("penalty_decision", &data);
    let b = render("penalty_decision", &data);
    assert_eq!(a, b, "same input must give the same bytes");
    // A fresh renderer (fonts parsed again) gives the same bytes too.
    let other = Renderer::new(FontConfig::vendored(), None).unwrap();
    assert_eq!(a, other.render("penalty_decision", &data).unwrap());
    // The document date is the PDF's date, not the clock.
    assert!(String::from_utf8_lossy(&a).contains("2026-06-18"));
}

#[test]
fn concurrent_renders_agree() {
    // One shared renderer, several threads, different kinds interleaved: same bytes as alone.
    let kinds = ["penalty_decision", "site_record", "service_receipt", "review_opinion"];
    let alone: Vec<Vec<u8>> = kinds.iter().map(|k| render(k, &example(k))).collect();
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                for (k, want) in kinds.iter().zip(&alone) {
                    assert_eq!(&render(k, &example(k)), want, "{k}");
                }
            });
        }
    });
}

#[test]
fn missing_required_field_is_named() {
    // CASE-6: a decision without the party's name, the reconsideration body or the payment
    // deadline is refused, naming the field.
    for (path, remove) in [
        ("party.name", &["party", "name"][..]),
        ("remedy.reconsideration", &["remedy", "reconsideration"][..]),
        ("payment.days", &["payment", "days"][..]),
        ("date", &["date"][..]),
        ("doc_no", &["doc_no"][..]),
    ] {
        let mut data = example("penalty_decision");
        let mut cur = &mut data;
        for key in &remove[..remove.len() - 1] {
            cur = cur.get_mut(*key).unwrap();
        }
        cur.as_object_mut().unwrap().remove(remove[remove.len() - 1]);
        match renderer().render("penalty_decision", &data) {
            Err(RenderError::MissingField(field)) => assert_eq!(field, path),
            other => panic!("{path}: expected MissingField, got {other:?}"),
        }
    }
    // An empty string counts as missing, and the message is Chinese and names the field.
    let mut data = example("site_record");
    data["findings"] = json!("  ");
    let err = renderer().render("site_record", &data).unwrap_err();
    assert_eq!(err.to_string(), "缺少必填字段：findings");
    // Missing inside a list names the element.
    let mut data = example("penalty_decision");
    data["evidence"][1].as_object_mut().unwrap().remove("name");
    assert!(
        matches!(renderer().render("penalty_decision", &data), Err(RenderError::MissingField(f)) if f == "evidence[1].name")
    );
}

#[test]
fn bad_input_is_refused_clearly() {
    assert!(matches!(renderer().render("no_such_kind", &json!({})), Err(RenderError::UnknownKind(_))));
    assert!(matches!(renderer().render("penalty_decision", &json!([1, 2])), Err(RenderError::InvalidData(_))));
    let mut data = example("penalty_decision");
    data["party"]["kind"] = json!("robot");
    assert!(
        matches!(renderer().render("penalty_decision", &data), Err(RenderError::InvalidData(m)) if m.contains("party.kind"))
    );
    let mut data = example("penalty_decision");
    data["verify"] = json!({"url": "https://zhifa.example/verify"});
    assert!(
        matches!(renderer().render("penalty_decision", &data), Err(RenderError::MissingField(f)) if f == "verify.code")
    );
}

#[test]
fn a_character_no_font_has_is_an_error_not_tofu() {
    // U+2A6A5 (𪚥, CJK Extension B) is not in the vendored subset.
    let mut data = example("penalty_decision");
    data["party"]["legal_rep"] = json!("王𪚥");
    match renderer().render("penalty_decision", &data) {
        Err(RenderError::MissingGlyph { ch, code }) => {
            assert_eq!(ch, '𪚥');
            assert_eq!(code, 0x2A6A5);
        }
        other => panic!("expected MissingGlyph, got {other:?}"),
    }
    let err = renderer().render("penalty_decision", &data).unwrap_err().to_string();
    assert!(err.contains("𪚥") && err.contains("U+2A6A5"), "{err}");
}

const RARE: &str = "覃亓禤妫仉郗佴厍訾䶮";

#[test]
fn rare_surnames_render() {
    for ch in RARE.chars() {
        let mut data = example("penalty_decision.person");
        data["party"]["name"] = json!(format!("{ch}某某"));
        let pdf = renderer().render("penalty_decision", &data).unwrap_or_else(|e| panic!("{ch}: {e}"));
        assert!(pdf.starts_with(b"%PDF-"));
    }
    // And all together in a bold title (the agency name), which falls back to the Regular
    // face for characters outside the Bold subset.
    let mut data = example("hearing_notice");
    data["agency"]["name"] = json!(format!("{RARE}市场监督管理局"));
    renderer().render("hearing_notice", &data).unwrap();
}

#[test]
fn template_override_directory_wins() {
    let dir = std::env::temp_dir().join(format!("zhifa-render-override-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("service_receipt.typ"),
        "#import \"common.typ\": *\n#show: setup.with(\"送达回证\")\n#heading-block(\"送达回证（本局格式）\")\n#party-name()\n",
    )
    .unwrap();
    let custom = Renderer::new(FontConfig::vendored(), Some(dir.clone())).unwrap();
    let data = example("service_receipt");
    let a = custom.render("service_receipt", &data).unwrap();
    let b = renderer().render("service_receipt", &data).unwrap();
    assert_ne!(a, b);
    // A broken override names the file and line.
    std::fs::write(dir.join("service_receipt.typ"), "#import \"common.typ\": *\n\n#nonexistent_fn()\n").unwrap();
    match custom.render("service_receipt", &data) {
        Err(RenderError::Template { file, line, .. }) => {
            assert_eq!(file, "service_receipt.typ");
            assert_eq!(line, 3);
        }
        other => panic!("expected Template error, got {other:?}"),
    }
    // Templates may not reach for packages (nothing is downloaded).
    std::fs::write(dir.join("service_receipt.typ"), "#import \"@preview/example:0.1.0\": *\n").unwrap();
    assert!(custom.render("service_receipt", &data).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn kinds_are_listed_with_titles() {
    let kinds = renderer().kinds();
    assert!(kinds.contains(&("penalty_decision", "行政处罚决定书")));
    assert_eq!(kinds.len(), 13);
    assert_eq!(renderer().font_families(), vec!["Noto Serif CJK SC".to_owned(), "Noto Sans Symbols2".to_owned()]);
}

/// Page-image check: with ZHIFA_TEST_PDFTOOLS=1, `pdftotext` (poppler-utils) must extract
/// the title, the party's name with its rare characters and the document number exactly —
/// real glyphs with a correct ToUnicode map, not pictures of text.
#[test]
fn pdftotext_extracts_the_chinese_text() {
    if std::env::var("ZHIFA_TEST_PDFTOOLS").map_or(true, |v| v.is_empty() || v == "0") {
        eprintln!("ZHIFA_TEST_PDFTOOLS not set: pdftotext check not run");
        return;
    }
    let dir = std::env::temp_dir().join(format!("zhifa-render-pdftotext-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, kind, data) in all_examples() {
        let pdf = render(&kind, &data);
        let path = dir.join(format!("{name}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .expect("ZHIFA_TEST_PDFTOOLS is set but pdftotext (Debian poppler-utils) cannot be run");
        assert!(out.status.success(), "{name}: pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        // Layout may break lines; compare without whitespace.
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let title = KINDS.iter().find(|(k, _)| *k == kind).unwrap().1;
        let mut expected = vec![title.to_owned(), data["agency"]["name"].as_str().unwrap().to_owned()];
        expected.push(data["party"]["name"].as_str().unwrap().to_owned());
        if let Some(no) = data.get("doc_no").and_then(Value::as_str) {
            expected.push(no.to_owned());
        }
        if let Some(code) = data.pointer("/verify/code").and_then(Value::as_str) {
            expected.push(code.to_owned());
        }
        for want in expected {
            assert!(flat.contains(&want), "{name}: pdftotext output lacks “{want}”:\n{text}");
        }
    }
    // Every rare surname, Extension A included, comes out as itself.
    let mut data = example("penalty_decision.person");
    data["party"]["name"] = json!(RARE);
    let path = dir.join("rare.pdf");
    std::fs::write(&path, render("penalty_decision", &data)).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output().unwrap();
    let flat: String = String::from_utf8(out.stdout).unwrap().chars().filter(|c| !c.is_whitespace()).collect();
    assert!(flat.contains(&format!("当事人：{RARE}")), "{flat}");
    // Typst syntax in the data comes out literally (SEC-5).
    let mut data = example("penalty_decision");
    data["facts"] = json!("#panic(\"x\") *粗体* $x^2$");
    let path = dir.join("markup.pdf");
    std::fs::write(&path, render("penalty_decision", &data)).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output().unwrap();
    let flat: String = String::from_utf8(out.stdout).unwrap().chars().filter(|c| !c.is_whitespace()).collect();
    assert!(flat.contains("#panic(\"x\")*粗体*$x^2$"), "{flat}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn configured_font_directories_are_loaded() {
    let dir = std::env::temp_dir().join(format!("zhifa-render-fonts-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("official")).unwrap();
    // Stands in for a licensed official font: any valid font file in a subdirectory.
    let symbols = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/NotoSansSymbols2-Regular.subset.ttf");
    std::fs::copy(&symbols, dir.join("official/fangsong.TTF")).unwrap();
    let r = Renderer::new(FontConfig::vendored().with_dir(&dir), None).unwrap();
    assert_eq!(r.font_count(), renderer().font_count() + 1);
    r.render("service_receipt", &example("service_receipt")).unwrap();
    // A file that is not a font is refused, naming it.
    std::fs::write(dir.join("broken.otf"), b"not a font").unwrap();
    match Renderer::new(FontConfig::vendored().with_dir(&dir), None) {
        Err(e @ RenderError::Font { .. }) => assert!(e.to_string().contains("broken.otf"), "{e}"),
        Err(e) => panic!("expected a font error, got {e}"),
        Ok(_) => panic!("expected a font error"),
    }
    assert!(matches!(
        Renderer::new(FontConfig::vendored().with_dir(dir.join("nope")), None),
        Err(RenderError::Font { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
