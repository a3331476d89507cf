//! Server-rendered SVG charts, shared by the web pages and the email digests (which rasterise
//! the same SVG to PNG), so an emailed chart is the dashboard's chart.
//!
//! Pure functions from data to a self-contained SVG document: every colour and font is an inline
//! attribute, so the same string renders in a page, in a file, or rasterised for an email digest.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod timeline;

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use jevons_core::PriceBar;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const LINE: RGBColor = RGBColor(0x1f, 0x4e, 0x9c);
const FALL: RGBColor = RGBColor(0xc6, 0x28, 0x28);
const RISE: RGBColor = RGBColor(0x2e, 0x7d, 0x32);
const GRID: RGBColor = RGBColor(0xe4, 0xe7, 0xec);
const AXIS: RGBColor = RGBColor(0x5f, 0x67, 0x73);
const TEXT: RGBColor = RGBColor(0x1c, 0x21, 0x27);

/// The largest one-day fall of a series, measured on `adj_close` so that dividends do not count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LargestFall {
    pub day: NaiveDate,
    /// The as-traded close that day (where the chart puts the marker).
    pub close: f64,
    /// The change from the previous bar, in percent (negative).
    pub change_pct: f64,
}

/// Finds the worst day-over-day change in `bars` (ascending by day); `None` if nothing fell.
pub fn largest_fall(bars: &[PriceBar]) -> Option<LargestFall> {
    bars.windows(2)
        .filter_map(|w| {
            let (prev, cur) = (&w[0], &w[1]);
            let pct = pct_change(prev.adj_close, cur.adj_close)?;
            (pct < 0.0 && cur.close.is_finite()).then_some(LargestFall {
                day: cur.day,
                close: cur.close,
                change_pct: pct,
            })
        })
        .min_by(|a, b| a.change_pct.total_cmp(&b.change_pct))
}

/// `to / from - 1` in percent, or `None` where either price is unusable.
pub fn pct_change(from: f64, to: f64) -> Option<f64> {
    if from.is_finite() && to.is_finite() && from > 0.0 {
        let pct = (to / from - 1.0) * 100.0;
        pct.is_finite().then_some(pct)
    } else {
        None
    }
}

/// A signed percentage with a typographic minus, as on the pages: `+1.23%`, `−16.97%`.
pub fn signed_pct(pct: f64) -> String {
    let rounded = (pct * 100.0).round() / 100.0;
    if rounded < 0.0 {
        format!("\u{2212}{:.2}%", -rounded)
    } else if rounded > 0.0 {
        format!("+{rounded:.2}%")
    } else {
        "0.00%".to_string()
    }
}

/// A line chart of the close with labelled axes, a title, and the range's largest one-day fall
/// marked with a dot and its change. Empty input gives a framed "no prices" chart.
pub fn price_chart_svg(symbol: &str, bars: &[PriceBar], width: u32, height: u32) -> String {
    let (width, height) = (width.max(120), height.max(80));
    let points: Vec<(NaiveDate, f64)> = bars
        .iter()
        .filter(|b| b.close.is_finite())
        .map(|b| (b.day, b.close))
        .collect();
    let mut svg = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw_price_chart(&root, symbol, &points, bars, width)
    };
    match drawn {
        Ok(()) => svg,
        Err(e) => {
            tracing::error!(error = %e, symbol, "price chart could not be drawn");
            fallback_svg(width, height, "chart unavailable")
        }
    }
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw_price_chart(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    symbol: &str,
    points: &[(NaiveDate, f64)],
    bars: &[PriceBar],
    width: u32,
) -> DrawResult {
    root.fill(&WHITE)?;
    let title_style = ("sans-serif", 20).into_font().color(&TEXT);
    let (Some(&(first_day, _)), Some(&(last_day, _))) = (points.first(), points.last()) else {
        let title = format!("{symbol}: no prices in this range");
        let (w, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            title,
            (w as i32 / 2, h as i32 / 2),
            title_style.pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
        root.present()?;
        return Ok(());
    };

    // A single day or a flat series still needs a non-empty box to draw in.
    let (x0, x1) = if first_day < last_day {
        (first_day, last_day)
    } else {
        (first_day - Duration::days(1), last_day + Duration::days(1))
    };
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let pad = if hi > lo {
        (hi - lo) * 0.06
    } else {
        (hi.abs() * 0.05).max(1.0)
    };

    let title = format!("{symbol} close, {first_day} \u{2013} {last_day}");
    let mut chart = ChartBuilder::on(root)
        .caption(title, title_style)
        .margin(14)
        .x_label_area_size(36)
        .y_label_area_size(72)
        .build_cartesian_2d(x0..x1, (lo - pad)..(hi + pad))?;

    let label_style = ("sans-serif", 14).into_font().color(&AXIS);
    let long_span = (x1 - x0).num_days() > 400;
    chart
        .configure_mesh()
        .x_labels(if width < 500 { 4 } else { 7 })
        .y_labels(6)
        .x_label_formatter(&|d: &NaiveDate| {
            if long_span {
                d.format("%Y-%m").to_string()
            } else {
                d.format("%Y-%m-%d").to_string()
            }
        })
        .y_label_formatter(&|v: &f64| format!("{v:.2}"))
        .x_label_style(label_style.clone())
        .y_label_style(label_style)
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .axis_style(AXIS)
        .draw()?;

    chart.draw_series(LineSeries::new(
        points.iter().copied(),
        LINE.stroke_width(2),
    ))?;

    if let Some(fall) = largest_fall(bars) {
        let label = format!("{} {}", signed_pct(fall.change_pct), fall.day);
        // Keep the label inside the plot: write it leftwards of a dot in the right half.
        let right_half = fall.day > x0 + (x1 - x0) / 2;
        let (anchor, dx) = if right_half {
            (HPos::Right, -8)
        } else {
            (HPos::Left, 8)
        };
        let style = ("sans-serif", 15)
            .into_font()
            .color(&FALL)
            .pos(Pos::new(anchor, VPos::Center));
        chart.draw_series(std::iter::once(
            EmptyElement::at((fall.day, fall.close))
                + Circle::new((0, 0), 5, FALL.filled())
                + Text::new(label, (dx, 0), style),
        ))?;
    }
    root.present()?;
    Ok(())
}

/// A small trend line of `closes` (oldest first), green if the last is at or above the first,
/// red otherwise. Hand-written: a polyline is all a sparkline needs.
pub fn sparkline_svg(closes: &[f64], width: u32, height: u32) -> String {
    let (width, height) = (width.max(8), height.max(8));
    let values: Vec<f64> = closes.iter().copied().filter(|v| v.is_finite()).collect();
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="price trend">"#
    );
    let (Some(&first), Some(&last)) = (values.first(), values.last()) else {
        svg.push_str("<title>no prices</title></svg>");
        return svg;
    };
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let inset = 2.0;
    let (w, h) = (
        f64::from(width) - 2.0 * inset,
        f64::from(height) - 2.0 * inset,
    );
    let y_of = |v: f64| {
        if hi > lo {
            inset + (hi - v) / (hi - lo) * h
        } else {
            inset + h / 2.0
        }
    };
    let colour = if last >= first { RISE } else { FALL };
    let mut pts = String::with_capacity(values.len() * 14);
    if values.len() == 1 {
        let y = y_of(first);
        let _ = write!(pts, "{inset:.1},{y:.1} {:.1},{y:.1}", inset + w);
    } else {
        let step = w / (values.len() - 1) as f64;
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                pts.push(' ');
            }
            let _ = write!(pts, "{:.1},{:.1}", inset + step * i as f64, y_of(*v));
        }
    }
    let _ = write!(
        svg,
        r##"<polyline fill="none" stroke="#{:02x}{:02x}{:02x}" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round" points="{pts}"/></svg>"##,
        colour.0, colour.1, colour.2
    );
    svg
}

fn fallback_svg(width: u32, height: u32, message: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="white"/><text x="50%" y="50%" text-anchor="middle" font-family="sans-serif" font-size="14">{}</text></svg>"#,
        xml_escape(message)
    )
}

/// Escapes text for SVG/XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(day: &str, close: f64, adj_close: f64) -> PriceBar {
        PriceBar {
            day: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
            open: close,
            high: close,
            low: close,
            close,
            adj_close,
            volume: 100,
        }
    }

    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(!svg.contains("NaN"), "NaN in {svg}");
        assert!(!svg.contains("inf"), "infinity in {svg}");
    }

    #[test]
    fn price_chart_has_line_axes_and_the_fall_marker() {
        let bars = vec![
            bar("2025-01-22", 147.07, 147.02),
            bar("2025-01-23", 147.22, 147.1718),
            bar("2025-01-24", 142.62, 142.5733),
            bar("2025-01-27", 118.42, 118.3812),
            bar("2025-01-28", 128.99, 128.9477),
        ];
        let svg = price_chart_svg("NVDA", &bars, 800, 400);
        assert_well_formed(&svg);
        assert!(
            svg.contains("<polyline") || svg.contains("<path"),
            "no line: {svg}"
        );
        assert!(svg.contains("NVDA close, 2025-01-22"), "no title: {svg}");
        assert!(
            svg.contains("\u{2212}16.97% 2025-01-27"),
            "no fall marker: {svg}"
        );
        assert!(svg.contains("<circle"), "no dot: {svg}");
        assert!(
            svg.contains("140.00") || svg.contains("130.00"),
            "no price labels: {svg}"
        );
    }

    #[test]
    fn price_chart_survives_one_bar_empty_input_and_bad_values() {
        let one = price_chart_svg("NVDA", &[bar("2025-01-27", 118.42, 118.38)], 600, 300);
        assert_well_formed(&one);
        assert!(one.contains("<polyline") || one.contains("<path"));

        let empty = price_chart_svg("NVDA", &[], 600, 300);
        assert_well_formed(&empty);
        assert!(empty.contains("no prices in this range"));

        let odd = vec![
            bar("2025-01-24", f64::NAN, f64::NAN),
            bar("2025-01-27", 1.0, 1.0),
        ];
        assert_well_formed(&price_chart_svg("X", &odd, 600, 300));

        let tiny = price_chart_svg("X", &[bar("2025-01-27", 1.0, 1.0)], 0, 0);
        assert_well_formed(&tiny);
    }

    #[test]
    fn chart_text_is_escaped() {
        let svg = price_chart_svg("<A&B>", &[bar("2025-01-27", 1.0, 1.0)], 600, 300);
        assert!(!svg.contains("<A&B>"));
        assert!(svg.contains("&lt;A&amp;B&gt;"), "{svg}");
    }

    #[test]
    fn sparkline_is_a_coloured_polyline() {
        let up = sparkline_svg(&[1.0, 2.0, 1.5, 3.0], 120, 30);
        assert_well_formed(&up);
        assert!(up.contains("<polyline"));
        assert!(up.contains("#2e7d32"), "rising line should be green: {up}");
        assert_eq!(up.matches(',').count(), 4, "one point per close: {up}");

        let down = sparkline_svg(&[3.0, 2.0, 1.0], 120, 30);
        assert!(
            down.contains("#c62828"),
            "falling line should be red: {down}"
        );
        // The highest close is at the top inset, the lowest at the bottom.
        assert!(
            down.contains("2.0,2.0") && down.contains("118.0,28.0"),
            "{down}"
        );
    }

    #[test]
    fn sparkline_handles_flat_single_and_empty_input() {
        for closes in [&[5.0, 5.0, 5.0][..], &[5.0][..], &[f64::NAN, 5.0][..]] {
            let svg = sparkline_svg(closes, 100, 20);
            assert_well_formed(&svg);
            assert!(svg.contains("<polyline"), "{svg}");
        }
        let empty = sparkline_svg(&[], 100, 20);
        assert_well_formed(&empty);
        assert!(!empty.contains("<polyline"));
    }

    #[test]
    fn largest_fall_and_percentages() {
        let bars = vec![
            bar("2025-01-23", 147.22, 147.1718),
            bar("2025-01-24", 142.62, 142.5733),
            bar("2025-01-27", 118.42, 118.3812),
        ];
        let fall = largest_fall(&bars).unwrap();
        assert_eq!(fall.day.to_string(), "2025-01-27");
        assert_eq!(signed_pct(fall.change_pct), "\u{2212}16.97%");
        assert_eq!(largest_fall(&bars[..1]), None);
        assert_eq!(
            largest_fall(&[bar("2025-01-23", 1.0, 1.0), bar("2025-01-24", 2.0, 2.0)]),
            None
        );
        assert_eq!(signed_pct(1.234), "+1.23%");
        assert_eq!(signed_pct(-0.001), "0.00%");
        assert_eq!(pct_change(0.0, 1.0), None);
        assert_eq!(
            xml_escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }
}
