//! SVG → PNG for inline email images (mail clients do not show SVG). The font ships in the
//! crate (DejaVu Sans, see fonts/DejaVu-LICENSE.txt), so the output does not depend on the
//! machine's fonts.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        db.set_serif_family("DejaVu Sans");
        db.set_monospace_family("DejaVu Sans");
        let mut opts = usvg::Options {
            font_family: "DejaVu Sans".to_string(),
            ..usvg::Options::default()
        };
        opts.fontdb = Arc::new(db);
        opts
    })
}

#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error("SVG could not be parsed: {0}")]
    Parse(String),
    #[error("image of {0}x{1} pixels cannot be drawn")]
    Size(u32, u32),
    #[error("PNG encoding: {0}")]
    Encode(String),
}

/// Draws `svg` at `scale` (2.0 for sharp images on high-density screens) and encodes a PNG.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, RasterError> {
    let tree =
        usvg::Tree::from_str(svg, options()).map_err(|e| RasterError::Parse(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or(RasterError::Size(0, 0))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or(RasterError::Size(size.width(), size.height()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| RasterError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_becomes_a_png_with_text_drawn() {
        let bars: Vec<jevons_core::PriceBar> = (1..=20)
            .map(|d| {
                let c = 100.0 + f64::from(d);
                jevons_core::PriceBar {
                    day: chrono::NaiveDate::from_ymd_opt(2025, 1, d).unwrap(),
                    open: c,
                    high: c,
                    low: c,
                    close: c,
                    adj_close: c,
                    volume: 1,
                }
            })
            .collect();
        let svg = jevons_charts::price_chart_svg("NVDA", &bars, 600, 260);
        let png = svg_to_png(&svg, 1.0).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // Width and height from the IHDR chunk.
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((w, h), (600, 260));
        // With text the title and labels add detail: compare against the same chart without text.
        let no_text = svg.replace("<text", "<g").replace("</text>", "</g>");
        let bare = svg_to_png(&no_text, 1.0).unwrap();
        assert!(
            png.len() > bare.len() + 1000,
            "text not drawn: {} vs {}",
            png.len(),
            bare.len()
        );
        assert!(svg_to_png("not svg", 1.0).is_err());
    }
}
