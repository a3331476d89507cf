//! Several series on one time axis: panels stacked vertically that share the date range, each
//! with its own y scale (linear or log), and dated markers drawn across every panel. Hand-written
//! SVG: plotters has no shared-axis layout, and the page needs per-point titles.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::xml_escape;

/// How a series is drawn between its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Straight segments (prices).
    Line,
    /// Flat until the next point (the cheapest price in effect).
    Step,
    /// A dot per point (quarterly figures).
    Dots,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub shape: Shape,
    pub points: Vec<(NaiveDate, f64)>,
}

#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    /// Log scale: every value must be positive (others are left out).
    pub log_y: bool,
    /// How the y labels are written, e.g. `$%` → "$12.5".
    pub unit: Unit,
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    UsdPerMTok,
    UsdBillions,
    Index,
}

impl Unit {
    fn label(self, v: f64) -> String {
        match self {
            Unit::UsdPerMTok if v < 0.1 => format!("${v:.3}"),
            Unit::UsdPerMTok if v < 10.0 => format!("${v:.2}"),
            Unit::UsdPerMTok => format!("${v:.0}"),
            Unit::UsdBillions => format!("${v:.0}B"),
            Unit::Index => format!("{v:.0}"),
        }
    }
}

/// A dated line across every panel, with a short label.
#[derive(Debug, Clone)]
pub struct Marker {
    pub day: NaiveDate,
    pub label: String,
}

const PANEL_HEIGHT: f64 = 190.0;
const GAP: f64 = 34.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 240.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 30.0;

/// The panels over `[from, to]`, `width` pixels wide. Points outside the range are left out.
pub fn panels_svg(
    panels: &[Panel],
    markers: &[Marker],
    from: NaiveDate,
    to: NaiveDate,
    width: u32,
) -> String {
    let width = f64::from(width.max(320));
    let plot_w = width - LEFT - RIGHT;
    let height = TOP + panels.len() as f64 * (PANEL_HEIGHT + GAP) + BOTTOM;
    let span = (to - from).num_days().max(1) as f64;
    let x = |d: NaiveDate| LEFT + plot_w * ((d - from).num_days() as f64 / span);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="100%" role="img" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="#fff"/>"##
    );
    for (i, panel) in panels.iter().enumerate() {
        let top = TOP + i as f64 * (PANEL_HEIGHT + GAP);
        draw_panel(&mut svg, panel, top, plot_w, width, &x, from, to);
    }
    // Year ticks on the shared axis, under the last panel.
    let axis_y = TOP + panels.len() as f64 * (PANEL_HEIGHT + GAP) - GAP + 4.0;
    let mut year = chrono::Datelike::year(&from) + 1;
    while let Some(jan1) = NaiveDate::from_ymd_opt(year, 1, 1) {
        if jan1 > to {
            break;
        }
        let _ = write!(
            svg,
            r##"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="#e3e6ea"/><text x="{0:.1}" y="{3:.1}" text-anchor="middle" fill="#5f6773">{year}</text>"##,
            x(jan1),
            TOP,
            axis_y,
            axis_y + 16.0
        );
        year += 1;
    }
    for (k, m) in markers.iter().enumerate() {
        if m.day < from || m.day > to {
            continue;
        }
        let mx = x(m.day);
        let _ = write!(
            svg,
            r##"<g class="marker"><line x1="{mx:.1}" y1="{TOP:.1}" x2="{mx:.1}" y2="{axis_y:.1}" stroke="#c62828" stroke-dasharray="3 3"/><text x="{:.1}" y="{:.1}" fill="#c62828" font-size="10">{}</text><title>{} {}</title></g>"##,
            mx + 3.0,
            TOP + 10.0 + (k % 4) as f64 * 11.0,
            xml_escape(&m.label),
            m.day,
            xml_escape(&m.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[allow(clippy::too_many_arguments)]
fn draw_panel(
    svg: &mut String,
    panel: &Panel,
    top: f64,
    plot_w: f64,
    width: f64,
    x: &dyn Fn(NaiveDate) -> f64,
    from: NaiveDate,
    to: NaiveDate,
) {
    let usable = |v: f64| v.is_finite() && (!panel.log_y || v > 0.0);
    let values: Vec<f64> = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(d, v)| *d >= from && *d <= to && usable(*v))
        .map(|(_, v)| *v)
        .collect();
    let _ = write!(
        svg,
        r##"<text x="{LEFT:.1}" y="{:.1}" font-weight="bold" fill="#1c2127">{}</text><rect x="{LEFT:.1}" y="{top:.1}" width="{plot_w:.1}" height="{PANEL_HEIGHT:.1}" fill="none" stroke="#c9ced6"/>"##,
        top - 6.0,
        xml_escape(&panel.title)
    );
    if values.is_empty() {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#5f6773">no data in this range</text>"##,
            LEFT + plot_w / 2.0,
            top + PANEL_HEIGHT / 2.0
        );
        return;
    }
    let scale = |v: f64| if panel.log_y { v.log10() } else { v };
    let mut lo = values
        .iter()
        .copied()
        .map(scale)
        .fold(f64::INFINITY, f64::min);
    let mut hi = values
        .iter()
        .copied()
        .map(scale)
        .fold(f64::NEG_INFINITY, f64::max);
    if !panel.log_y {
        lo = lo.min(0.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let y = |v: f64| top + PANEL_HEIGHT * (1.0 - (scale(v) - lo) / (hi - lo));
    // Y ticks: powers of ten on a log scale, five even steps otherwise.
    let ticks: Vec<f64> = if panel.log_y {
        (lo.floor() as i32..=hi.ceil() as i32)
            .map(|e| 10f64.powi(e))
            .filter(|v| (lo..=hi).contains(&v.log10()))
            .collect()
    } else {
        (0..=4)
            .map(|k| lo + (hi - lo) * f64::from(k) / 4.0)
            .collect()
    };
    for t in ticks {
        let ty = y(t);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT:.1}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="#eef0f3"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#5f6773">{}</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            ty + 4.0,
            xml_escape(&panel.unit.label(t))
        );
    }
    for (k, s) in panel.series.iter().enumerate() {
        let pts: Vec<(f64, f64, NaiveDate, f64)> = s
            .points
            .iter()
            .filter(|(d, v)| *d >= from && *d <= to && usable(*v))
            .map(|(d, v)| (x(*d), y(*v), *d, *v))
            .collect();
        if pts.is_empty() {
            continue;
        }
        match s.shape {
            Shape::Line | Shape::Step => {
                let mut d = String::new();
                for (i, (px, py, _, _)) in pts.iter().enumerate() {
                    if i == 0 {
                        let _ = write!(d, "M{px:.1} {py:.1}");
                    } else if s.shape == Shape::Step {
                        let _ = write!(d, " H{px:.1} V{py:.1}");
                    } else {
                        let _ = write!(d, " L{px:.1} {py:.1}");
                    }
                }
                let _ = write!(
                    svg,
                    r#"<path d="{d}" fill="none" stroke="{}" stroke-width="1.8"><title>{}</title></path>"#,
                    s.color,
                    xml_escape(&s.name)
                );
            }
            Shape::Dots => {
                for (px, py, day, v) in &pts {
                    let _ = write!(
                        svg,
                        r#"<circle cx="{px:.1}" cy="{py:.1}" r="3.2" fill="{}"><title>{} {day}: {}</title></circle>"#,
                        s.color,
                        xml_escape(&s.name),
                        xml_escape(&panel.unit.label(*v))
                    );
                }
            }
        }
        // Legend at the right of the panel.
        let ly = top + 14.0 + k as f64 * 16.0;
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{:.1}" fill="#1c2127">{}</text>"##,
            width - RIGHT + 10.0,
            ly - 9.0,
            s.color,
            width - RIGHT + 24.0,
            ly,
            xml_escape(&s.name)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn panels_share_the_axis_and_escape_text() {
        let panels = vec![
            Panel {
                title: "Price <of> intelligence".into(),
                log_y: true,
                unit: Unit::UsdPerMTok,
                series: vec![Series {
                    name: "GPQA ≥ 0.5".into(),
                    color: "#1f4e9c",
                    shape: Shape::Step,
                    points: vec![
                        (d("2024-01-01"), 30.0),
                        (d("2025-01-01"), 0.3),
                        (d("2025-06-01"), -1.0),
                    ],
                }],
            },
            Panel {
                title: "Capex".into(),
                log_y: false,
                unit: Unit::UsdBillions,
                series: vec![],
            },
        ];
        let markers = vec![Marker {
            day: d("2025-01-20"),
            label: "R1 <released>".into(),
        }];
        let svg = panels_svg(&panels, &markers, d("2023-07-01"), d("2026-06-30"), 900);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Price &lt;of&gt; intelligence"));
        assert!(svg.contains("R1 &lt;released&gt;"));
        assert!(svg.contains(" H"), "a step path");
        assert!(
            svg.contains("no data in this range"),
            "the empty panel says so"
        );
        assert!(svg.contains(">2024<") && svg.contains(">2025<") && svg.contains(">2026<"));
        // A log panel spanning 0.3 … 30 has the 1, 10 ticks (the negative value is left out).
        assert!(svg.contains(">$1.00<") && svg.contains(">$10<"), "{svg}");
    }
}
