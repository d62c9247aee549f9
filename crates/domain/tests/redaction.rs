//! PUB-5: the redaction corpus (`redaction_corpus.json`): every case's `must_mask` strings
//! are gone from the output, its `must_keep` strings are there unchanged, and no masked
//! span's original value survives anywhere in the output (outside the kept legal persons'
//! names, which may contain a person's name).

use serde::Deserialize;
use zhifa_domain::redact::{KnownPerson, PersonRole, Redactor};

#[derive(Deserialize)]
struct Corpus {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    persons: Vec<Person>,
    keep: Vec<String>,
    must_mask: Vec<String>,
    must_keep: Vec<String>,
    text: String,
}

#[derive(Deserialize)]
struct Person {
    name: String,
    role: String,
}

fn role(s: &str) -> PersonRole {
    match s {
        "party" => PersonRole::Party,
        "legal_representative" => PersonRole::LegalRepresentative,
        "witness" => PersonRole::Witness,
        "family" => PersonRole::Family,
        "other" => PersonRole::Other,
        other => panic!("unknown role {other}"),
    }
}

fn corpus() -> Corpus {
    serde_json::from_str(include_str!("redaction_corpus.json")).expect("redaction_corpus.json parses")
}

#[test]
fn pub5_corpus_has_enough_realistic_cases() {
    let c = corpus();
    assert!(c.cases.len() >= 25, "{} cases", c.cases.len());
    for case in &c.cases {
        for s in case.must_mask.iter().chain(&case.must_keep) {
            assert!(case.text.contains(s.as_str()), "{}: {s} is not in the text", case.name);
        }
    }
}

#[test]
fn pub5_corpus_masks_and_keeps() {
    let mut failures = Vec::new();
    for case in corpus().cases {
        let persons: Vec<KnownPerson> = case.persons.iter().map(|p| KnownPerson::new(&p.name, role(&p.role))).collect();
        let red = Redactor::new(&persons, &case.keep);
        let out = red.redact(&case.text);
        for m in &case.must_mask {
            if out.text.contains(m.as_str()) {
                failures.push(format!("{}: “{m}” survived in\n{}", case.name, out.text));
            }
        }
        for k in &case.must_keep {
            if !out.text.contains(k.as_str()) {
                failures.push(format!("{}: “{k}” was changed in\n{}", case.name, out.text));
            }
        }
        // The property: no masked original survives (kept names blanked first, as they may
        // contain a person's name by design).
        let mut visible = out.text.clone();
        for k in &case.keep {
            visible = visible.replace(k.as_str(), "");
        }
        let mut pos = 0;
        for span in &out.spans {
            assert!(span.start >= pos && span.end > span.start, "{}: overlapping or empty span", case.name);
            pos = span.end;
            let original = &case.text[span.start..span.end];
            if visible.contains(original) {
                failures
                    .push(format!("{}: masked {:?} “{original}” still visible in\n{}", case.name, span.kind, out.text));
            }
        }
        // Applying the masks once more changes nothing that was masked (idempotent on masks).
        let again = red.redact(&out.text);
        for span in &again.spans {
            let v = &out.text[span.start..span.end];
            assert!(!v.contains('*') || v.chars().any(|c| c.is_ascii_digit()), "{}: re-masked a mask {v}", case.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
