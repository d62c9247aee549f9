//! PUB-2: the public flowchart, drawn from the definition, never by hand.
//!
//! A single column of stage boxes in the definition's order, 360 units wide so that it
//! reads on a phone without zooming: each box names the stage, the actions taken within
//! it, and where each way out leads; an arrow joins consecutive stages that a transition
//! joins. The time limits follow, with their legal basis. The output depends on nothing
//! but the definition (no clock, no randomness), so the same definition always gives the
//! same bytes.

use std::fmt::Write as _;

use super::{ProcedureDefinition, Stage};

const WIDTH: u32 = 360;
const MARGIN: u32 = 12;
const PAD: u32 = 12;
const GAP: u32 = 28;
/// Text that fits in a box, in CJK-character widths (13-unit font on a 312-unit line).
const LINE_UNITS: f32 = 23.5;
const FONT: &str = "'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif";

/// Escapes text for SVG content and attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Wraps text into lines of at most `units` (a CJK character is 1, ASCII about 0.55).
fn wrap(text: &str, units: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = if c.is_ascii() { 0.55 } else { 1.0 };
        if used + w > units && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0.0;
        }
        line.push(c);
        used += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

struct Line {
    text: String,
    size: u32,
    bold: bool,
    color: &'static str,
}

impl Line {
    fn height(&self) -> u32 {
        self.size + 7
    }
}

fn box_lines(def: &ProcedureDefinition, stage: &Stage) -> Vec<Line> {
    let mut title = stage.label.clone();
    if stage.code == def.initial {
        title.push_str("（开始）");
    } else if stage.terminal {
        title.push_str("（终结）");
    }
    let mut lines: Vec<Line> = wrap(&title, LINE_UNITS * 13.0 / 16.0)
        .into_iter()
        .map(|text| Line { text, size: 16, bold: true, color: "#1a1a1a" })
        .collect();
    let from_here = def.actions.iter().filter(|a| a.from.contains(&stage.code));
    let (out, within): (Vec<_>, Vec<_>) = from_here.partition(|a| a.leaves(&stage.code));
    for a in within {
        for text in wrap(&format!("· {}", a.label), LINE_UNITS) {
            lines.push(Line { text, size: 13, bold: false, color: "#333333" });
        }
    }
    for a in out {
        let to = a.to.as_deref().map_or("", |t| def.stage_label(t));
        for text in wrap(&format!("{} → {}", a.label, to), LINE_UNITS) {
            lines.push(Line { text, size: 13, bold: false, color: "#1f5fa8" });
        }
    }
    lines
}

fn text_el(svg: &mut String, x: u32, y: u32, line: &Line) {
    let weight = if line.bold { " font-weight=\"bold\"" } else { "" };
    let _ = writeln!(
        svg,
        "<text x=\"{x}\" y=\"{y}\" font-size=\"{}\" fill=\"{}\"{weight}>{}</text>",
        line.size,
        line.color,
        esc(&line.text)
    );
}

/// The flowchart of a definition as an SVG document.
pub fn flowchart_svg(def: &ProcedureDefinition) -> String {
    let mut body = String::new();
    let inner = WIDTH - 2 * MARGIN;
    let mut y = MARGIN;

    let title =
        Line { text: format!("{}（第 {} 版）", def.name, def.version), size: 18, bold: true, color: "#1a1a1a" };
    for text in wrap(&title.text, LINE_UNITS * 13.0 / 18.0) {
        y += title.height();
        text_el(&mut body, MARGIN, y, &Line { text, ..title });
    }
    y += GAP / 2;

    for (i, stage) in def.stages.iter().enumerate() {
        let lines = box_lines(def, stage);
        let height = PAD * 2 - 4 + lines.iter().map(Line::height).sum::<u32>();
        let (fill, stroke) = if stage.terminal {
            ("#eef1f5", "#5b6573")
        } else if stage.code == def.initial {
            ("#eaf5ea", "#2e7d32")
        } else {
            ("#ffffff", "#1f5fa8")
        };
        let _ = writeln!(
            body,
            "<rect x=\"{MARGIN}\" y=\"{y}\" width=\"{inner}\" height=\"{height}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>"
        );
        let mut ty = y + PAD - 4;
        for line in &lines {
            ty += line.height();
            text_el(&mut body, MARGIN + PAD, ty - 4, line);
        }
        y += height;
        if let Some(next) = def.stages.get(i + 1) {
            let joined =
                def.actions.iter().any(|a| a.from.contains(&stage.code) && a.to.as_deref() == Some(&next.code));
            if joined {
                let x = WIDTH / 2;
                let _ = writeln!(
                    body,
                    "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#1f5fa8\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>",
                    y + 2,
                    y + GAP - 4
                );
            }
        }
        y += GAP;
    }

    if !def.limits.is_empty() {
        let heading = Line { text: "办理时限".to_string(), size: 16, bold: true, color: "#1a1a1a" };
        y += heading.height();
        text_el(&mut body, MARGIN, y, &heading);
        y += 4;
        for l in &def.limits {
            let mut text = format!("{}：{}{}", l.label, l.length, l.unit.label());
            if !l.extensions.is_empty() {
                text.push_str("，可依法延长");
            }
            for t in wrap(&text, LINE_UNITS + 1.0) {
                let line = Line { text: t, size: 13, bold: true, color: "#333333" };
                y += line.height();
                text_el(&mut body, MARGIN, y, &line);
            }
            for t in wrap(&l.basis, (LINE_UNITS + 1.0) * 13.0 / 11.0) {
                let line = Line { text: t, size: 11, bold: false, color: "#666666" };
                y += line.height();
                text_el(&mut body, MARGIN, y, &line);
            }
            y += 6;
        }
    }
    let height = y + MARGIN;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" role=\"img\" aria-labelledby=\"title\" font-family=\"{FONT}\">"
    );
    let _ = writeln!(svg, "<title id=\"title\">{}</title>", esc(&format!("{}流程图", def.name)));
    svg.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1f5fa8\"/></marker></defs>\n",
    );
    let _ = writeln!(svg, "<rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#fafafa\"/>");
    svg.push_str(&body);
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procedure::shipped;

    #[test]
    fn deterministic_and_names_every_stage() {
        for def in shipped() {
            let a = flowchart_svg(&def);
            assert_eq!(a, flowchart_svg(&def), "{}", def.code);
            assert!(a.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
            assert!(a.trim_end().ends_with("</svg>"));
            for s in &def.stages {
                assert!(a.contains(&esc(&s.label)), "{}: stage {} missing", def.code, s.label);
            }
            for act in &def.actions {
                assert!(a.contains(&esc(&act.label)) || act.label.chars().count() > 20, "{}: {}", def.code, act.label);
            }
        }
    }

    #[test]
    fn escapes_text() {
        assert_eq!(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        let mut def = shipped().remove(0);
        def.stages[1].label = "<script>".to_string();
        let svg = flowchart_svg(&def);
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn wraps_long_lines() {
        let lines = wrap(&"字".repeat(50), 23.5);
        assert_eq!(lines.iter().map(|l| l.chars().count()).collect::<Vec<_>>(), vec![23, 23, 4]);
    }
}
