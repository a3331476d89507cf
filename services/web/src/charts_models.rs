//! The quality-versus-price chart of /models: log price axis, labelled points, frontier line.
//! Pure: rows in, SVG text out. Model names come from data, so every text is escaped.

use std::fmt::Write;

/// One model on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    pub label: String,
    /// Blended USD per 1M tokens (> 0).
    pub price: f64,
    pub score: f64,
    pub on_frontier: bool,
    /// Highlighted (e.g. DeepSeek models).
    pub highlight: bool,
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn fmt_price(p: f64) -> String {
    if p >= 1.0 {
        format!("${p:.0}")
    } else if p >= 0.1 {
        format!("${p:.1}")
    } else {
        format!("${p:.2}")
    }
}

/// An SVG of `points` (price on a log10 x axis, `y_label` on a linear y axis). Empty input
/// gives a chart with a "no data" note.
pub fn frontier_svg(points: &[ChartPoint], y_label: &str, width: u32, height: u32) -> String {
    let (w, h) = (f64::from(width), f64::from(height));
    let (left, right, top, bottom) = (64.0, 24.0, 16.0, 48.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart frontier" viewBox="0 0 {width} {height}" role="img" aria-label="Benchmark score against blended price per million tokens">"#
    );
    let pts: Vec<&ChartPoint> = points
        .iter()
        .filter(|p| p.price > 0.0 && p.price.is_finite() && p.score.is_finite())
        .collect();
    if pts.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle" class="note">No model has both a score and a price known at this date.</text></svg>"#,
            w / 2.0,
            h / 2.0
        );
        return svg;
    }
    let lo = pts
        .iter()
        .map(|p| p.price.log10())
        .fold(f64::INFINITY, f64::min)
        .floor();
    let hi = pts
        .iter()
        .map(|p| p.price.log10())
        .fold(f64::NEG_INFINITY, f64::max)
        .ceil()
        .max(lo + 1.0);
    let smin = pts.iter().map(|p| p.score).fold(f64::INFINITY, f64::min);
    let smax = pts
        .iter()
        .map(|p| p.score)
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = ((smax - smin) * 0.08).max(if smax > 10.0 { 5.0 } else { 0.02 });
    let (ylo, yhi) = (smin - pad, smax + pad);
    let x = |price: f64| left + (price.log10() - lo) / (hi - lo) * (w - left - right);
    let y = |score: f64| top + (yhi - score) / (yhi - ylo) * (h - top - bottom);

    // Axes, decade grid lines and labels.
    let _ = write!(
        svg,
        r##"<g class="axes" fill="#5f6773" font-size="11"><line stroke="#1c2127" x1="{left}" y1="{}" x2="{}" y2="{}"/><line stroke="#1c2127" x1="{left}" y1="{top}" x2="{left}" y2="{}"/>"##,
        h - bottom,
        w - right,
        h - bottom,
        h - bottom
    );
    let mut e = lo as i32;
    while f64::from(e) <= hi {
        let p = 10f64.powi(e);
        let xp = x(p);
        let _ = write!(
            svg,
            r##"<line class="grid" stroke="#e4e7ec" x1="{xp:.1}" y1="{top}" x2="{xp:.1}" y2="{}"/><text x="{xp:.1}" y="{}" text-anchor="middle">{}</text>"##,
            h - bottom,
            h - bottom + 16.0,
            fmt_price(p)
        );
        e += 1;
    }
    for i in 0..=4 {
        let s = ylo + (yhi - ylo) * f64::from(i) / 4.0;
        let label = if yhi <= 1.5 {
            format!("{:.0}%", s * 100.0)
        } else {
            format!("{s:.0}")
        };
        let _ = write!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{label}</text>"#,
            left - 6.0,
            y(s) + 4.0
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">Blended price, USD per 1M tokens (log scale)</text>"#,
        (left + w - right) / 2.0,
        h - 8.0
    );
    let _ = write!(
        svg,
        r#"<text x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">{}</text></g>"#,
        (top + h - bottom) / 2.0,
        (top + h - bottom) / 2.0,
        escape(y_label)
    );

    // The frontier as a staircase: a price buys the best score at or below it.
    let mut frontier: Vec<&&ChartPoint> = pts.iter().filter(|p| p.on_frontier).collect();
    frontier.sort_by(|a, b| {
        a.price
            .partial_cmp(&b.price)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if !frontier.is_empty() {
        let mut d = String::new();
        for (i, p) in frontier.iter().enumerate() {
            if i == 0 {
                let _ = write!(d, "M{:.1},{:.1}", x(p.price), y(p.score));
            } else {
                let _ = write!(d, " H{:.1} V{:.1}", x(p.price), y(p.score));
            }
        }
        let _ = write!(d, " H{:.1}", w - right);
        let _ = write!(
            svg,
            r##"<path class="frontier-line" d="{d}" fill="none" stroke="#1f4e9c" stroke-width="2"/>"##
        );
    }
    for p in &pts {
        let fill = match (p.on_frontier, p.highlight) {
            (_, true) => "#c62828",
            (true, false) => "#1f4e9c",
            (false, false) => "#9aa3ad",
        };
        let class = match (p.on_frontier, p.highlight) {
            (true, true) => "point on-frontier highlight",
            (true, false) => "point on-frontier",
            (false, true) => "point highlight",
            (false, false) => "point",
        };
        let (cx, cy) = (x(p.price), y(p.score));
        let _ = write!(
            svg,
            r#"<g class="{class}" font-size="11"><circle cx="{cx:.1}" cy="{cy:.1}" r="4" fill="{fill}"><title>{} — {} , score {:.3}</title></circle><text x="{:.1}" y="{:.1}">{}</text></g>"#,
            escape(&p.label),
            fmt_price(p.price),
            p.score,
            cx + 6.0,
            cy - 6.0,
            escape(&p.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(label: &str, price: f64, score: f64, on: bool) -> ChartPoint {
        ChartPoint {
            label: label.into(),
            price,
            score,
            on_frontier: on,
            highlight: false,
        }
    }

    #[test]
    fn log_axis_labels_points_and_escapes() {
        let svg = frontier_svg(
            &[
                pt("DeepSeek-R1", 0.96, 0.72, true),
                pt("o1", 26.25, 0.76, true),
                pt("<b>", 5.0, 0.5, false),
            ],
            "GPQA Diamond",
            800,
            400,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">DeepSeek-R1</text>") && svg.contains(">o1</text>"));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        // decades $0.10 … $100 around 0.96 and 26.25
        for tick in ["$0.1", "$1", "$10", "$100"] {
            assert!(svg.contains(&format!(">{tick}</text>")), "{tick}");
        }
        assert_eq!(svg.matches("class=\"frontier-line\"").count(), 1);
        assert_eq!(svg.matches("point on-frontier").count(), 2);
        // log scale: $1 is as far from $0.1 as $10 from $1.
        let empty = frontier_svg(&[], "x", 800, 400);
        assert!(empty.contains("No model"));
    }
}
