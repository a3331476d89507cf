//! SVG charts of the market-impact pages: CAR paths with their confidence band, prices with the
//! event marked, rolling lines and the correlation heatmap. Hand-written SVG: each is a few
//! polylines and rectangles, and every text is XML-escaped.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::charts::xml_escape;

const PALETTE: [&str; 10] = [
    "#1f4e9c", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#ad1457",
    "#558b2f", "#37474f",
];
const AXIS: &str = "#5f6773";
const GRID: &str = "#e4e7ec";
const BAND: &str = "#c5d3ea";

/// A colour of the palette by position.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// One line of a chart: x (any unit) and y values.
pub struct Line {
    pub label: String,
    pub colour: &'static str,
    pub points: Vec<(f64, f64)>,
}

/// Everything a line chart draws.
pub struct LineChart<'a> {
    pub title: &'a str,
    pub width: u32,
    pub height: u32,
    pub lines: Vec<Line>,
    /// (x, low, high): a shaded band.
    pub band: Vec<(f64, f64, f64)>,
    /// Labels under the x axis at these x values.
    pub x_ticks: Vec<(f64, String)>,
    /// Vertical markers with a caption.
    pub markers: Vec<(f64, String)>,
    pub y_format: fn(f64) -> String,
    /// Draw a horizontal line at y = 0 when it is in range.
    pub zero_line: bool,
}

pub fn pct_label(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

pub fn plain_label(v: f64) -> String {
    format!("{v:.2}")
}

/// A line chart; without finite points, a framed "no data" chart.
pub fn line_chart_svg(c: &LineChart<'_>) -> String {
    let (w, h) = (f64::from(c.width.max(200)), f64::from(c.height.max(120)));
    let (left, right, top, bottom) = (64.0, 16.0, 34.0, 52.0);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><rect width="100%" height="100%" fill="white"/><text x="{tx}" y="20" text-anchor="middle" font-family="sans-serif" font-size="15" fill="{AXIS}">{t}</text>"#,
        t = xml_escape(c.title),
        tx = w / 2.0
    );
    let finite = |v: &f64| v.is_finite();
    let xs: Vec<f64> = c
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .chain(c.band.iter().map(|b| b.0))
        .filter(finite)
        .collect();
    let ys: Vec<f64> = c
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .chain(c.band.iter().flat_map(|b| [b.1, b.2]))
        .chain(c.zero_line.then_some(0.0))
        .filter(finite)
        .collect();
    if xs.is_empty() || ys.len() < 2 {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle" font-family="sans-serif" font-size="14" fill="{AXIS}">no data</text></svg>"#,
            w / 2.0,
            h / 2.0
        );
        return svg;
    }
    let (x0, x1) = min_max(&xs);
    let (y0, y1) = min_max(&ys);
    let (x0, x1) = if x1 > x0 {
        (x0, x1)
    } else {
        (x0 - 1.0, x1 + 1.0)
    };
    let pad = if y1 > y0 {
        (y1 - y0) * 0.08
    } else {
        y0.abs().max(1e-3) * 0.1
    };
    let (y0, y1) = (y0 - pad, y1 + pad);
    let px = |x: f64| left + (x - x0) / (x1 - x0) * (w - left - right);
    let py = |y: f64| top + (y1 - y) / (y1 - y0) * (h - top - bottom);

    // Horizontal grid with y labels.
    for i in 0..=4 {
        let y = y0 + (y1 - y0) * f64::from(i) / 4.0;
        let _ = write!(
            svg,
            r#"<line x1="{left}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="{GRID}"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-family="sans-serif" font-size="12" fill="{AXIS}">{}</text>"#,
            w - right,
            left - 6.0,
            py(y) + 4.0,
            xml_escape(&(c.y_format)(y)),
            yy = py(y)
        );
    }
    if c.zero_line && y0 < 0.0 && y1 > 0.0 {
        let _ = write!(
            svg,
            r#"<line x1="{left}" x2="{:.1}" y1="{z:.1}" y2="{z:.1}" stroke="{AXIS}" stroke-dasharray="4 3"/>"#,
            w - right,
            z = py(0.0)
        );
    }
    for (x, label) in &c.x_ticks {
        if x.is_finite() && *x >= x0 && *x <= x1 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-family="sans-serif" font-size="12" fill="{AXIS}">{}</text>"#,
                px(*x),
                h - bottom + 18.0,
                xml_escape(label)
            );
        }
    }
    let band: Vec<&(f64, f64, f64)> = c
        .band
        .iter()
        .filter(|b| b.0.is_finite() && b.1.is_finite() && b.2.is_finite())
        .collect();
    if band.len() >= 2 {
        let mut pts = String::new();
        for b in &band {
            let _ = write!(pts, "{:.1},{:.1} ", px(b.0), py(b.2));
        }
        for b in band.iter().rev() {
            let _ = write!(pts, "{:.1},{:.1} ", px(b.0), py(b.1));
        }
        let _ = write!(
            svg,
            r#"<polygon points="{}" fill="{BAND}" fill-opacity="0.7" stroke="none"><title>95% band</title></polygon>"#,
            pts.trim_end()
        );
    }
    for (x, label) in &c.markers {
        if x.is_finite() && *x >= x0 && *x <= x1 {
            let _ = write!(
                svg,
                r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{top}" y2="{:.1}" stroke="#c62828" stroke-dasharray="5 3"/><text x="{:.1}" y="{:.1}" font-family="sans-serif" font-size="12" fill="#c62828">{}</text>"##,
                h - bottom,
                px(*x) + 4.0,
                top + 12.0,
                xml_escape(label),
                xx = px(*x)
            );
        }
    }
    let mut legend_x = left;
    for line in &c.lines {
        let pts: Vec<String> = line
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|p| format!("{:.1},{:.1}", px(p.0), py(p.1)))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round" points="{}"><title>{}</title></polyline>"#,
            line.colour,
            pts.join(" "),
            xml_escape(&line.label)
        );
        if c.lines.len() > 1 {
            let _ = write!(
                svg,
                r#"<rect x="{legend_x:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{:.1}" font-family="sans-serif" font-size="12" fill="{AXIS}">{}</text>"#,
                h - 20.0,
                line.colour,
                legend_x + 14.0,
                h - 11.0,
                xml_escape(&line.label)
            );
            legend_x += 24.0 + 7.0 * line.label.chars().count() as f64;
        }
    }
    svg.push_str("</svg>");
    svg
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(*x), hi.max(*x))
        })
}

/// x value of a day on date axes: days since 1970-01-01.
pub fn day_x(d: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    (d - epoch).num_days() as f64
}

/// About `n` date ticks over the days of a series.
pub fn date_ticks(days: &[NaiveDate], n: usize) -> Vec<(f64, String)> {
    if days.is_empty() || n == 0 {
        return Vec::new();
    }
    let step = (days.len() / n).max(1);
    days.iter()
        .step_by(step)
        .map(|d| (day_x(*d), d.format("%Y-%m-%d").to_string()))
        .collect()
}

/// The correlation matrix as a heatmap: blue for positive, red for negative, the value in
/// each cell.
pub fn heatmap_svg(symbols: &[String], values: &[Vec<f64>], cell: u32) -> String {
    let n = symbols.len();
    let cell = f64::from(cell.max(24));
    let label = 56.0;
    let size = label + cell * n as f64 + 8.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img" aria-label="correlation matrix"><rect width="100%" height="100%" fill="white"/>"#
    );
    for (i, s) in symbols.iter().enumerate() {
        let c = label + cell * i as f64 + cell / 2.0;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{c:.1}" text-anchor="end" dominant-baseline="middle" font-family="sans-serif" font-size="12" fill="{AXIS}">{s}</text><text x="{c:.1}" y="{:.1}" text-anchor="middle" font-family="sans-serif" font-size="12" fill="{AXIS}">{s}</text>"#,
            label - 6.0,
            label - 8.0,
            s = xml_escape(s)
        );
    }
    for (i, row) in values.iter().enumerate().take(n) {
        for (j, v) in row.iter().enumerate().take(n) {
            let (x, y) = (label + cell * j as f64, label + cell * i as f64);
            let fill = heat_colour(*v);
            let text = if v.is_finite() {
                format!("{v:.2}")
            } else {
                "–".into()
            };
            let ink = if v.abs() > 0.6 { "white" } else { "#1c2127" };
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{cell:.1}" height="{cell:.1}" fill="{fill}" stroke="white"><title>{} / {}: {text}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" dominant-baseline="middle" font-family="sans-serif" font-size="11" fill="{ink}">{text}</text>"#,
                xml_escape(&symbols[i]),
                xml_escape(&symbols[j]),
                x + cell / 2.0,
                y + cell / 2.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// White at 0, towards blue at +1 and red at −1.
fn heat_colour(v: f64) -> String {
    if !v.is_finite() {
        return "#f0f0f0".into();
    }
    let a = v.abs().min(1.0);
    let (r, g, b) = if v >= 0.0 {
        (31.0, 78.0, 156.0)
    } else {
        (198.0, 40.0, 40.0)
    };
    let mix = |c: f64| (255.0 + (c - 255.0) * a).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b))
}

/// A path over sessions relative to day 0 (a CAR or CAAR, in percent) with its band, from
/// `(relative day, value, half-width of the band)`: a tick at every day, a marker at day 0 and
/// the zero line.
pub fn relative_days_svg(
    title: &str,
    (width, height): (u32, u32),
    label: String,
    colour_index: usize,
    path: &[(i32, f64, f64)],
    day0: String,
) -> String {
    line_chart_svg(&LineChart {
        title,
        width,
        height,
        lines: vec![Line {
            label,
            colour: colour(colour_index),
            points: path.iter().map(|&(r, v, _)| (f64::from(r), v)).collect(),
        }],
        band: path
            .iter()
            .map(|&(r, v, half)| (f64::from(r), v - half, v + half))
            .collect(),
        x_ticks: path
            .iter()
            .map(|&(r, _, _)| (f64::from(r), format!("{r:+}")))
            .collect(),
        markers: vec![(0.0, day0)],
        y_format: pct_label,
        zero_line: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_chart_draws_band_markers_and_escapes() {
        let chart = LineChart {
            title: "CAR <NVDA>",
            width: 600,
            height: 300,
            lines: vec![Line {
                label: "NVDA".into(),
                colour: colour(0),
                points: vec![(-1.0, 0.0), (0.0, -0.15), (1.0, -0.12)],
            }],
            band: vec![(-1.0, -0.05, 0.05), (0.0, -0.2, 0.1), (1.0, -0.2, 0.2)],
            x_ticks: vec![(0.0, "0".into())],
            markers: vec![(0.0, "day 0".into())],
            y_format: pct_label,
            zero_line: true,
        };
        let svg = line_chart_svg(&chart);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<polyline") && svg.contains("<polygon"));
        assert!(svg.contains("CAR &lt;NVDA&gt;"));
        assert!(svg.contains("day 0"));
        assert!(!svg.contains("NaN"));
        let empty = line_chart_svg(&LineChart {
            lines: vec![],
            band: vec![],
            ..chart
        });
        assert!(empty.contains("no data"));
    }

    #[test]
    fn heatmap_has_a_cell_per_pair() {
        let s = vec!["SPY".to_string(), "NVDA".to_string()];
        let v = vec![vec![1.0, 0.55], vec![0.55, 1.0]];
        let svg = heatmap_svg(&s, &v, 40);
        assert_eq!(svg.matches("<rect x=").count(), 4);
        assert!(svg.contains("0.55"));
        assert_eq!(heat_colour(0.0), "#ffffff");
        assert_eq!(heat_colour(1.0), "#1f4e9c");
    }
}
