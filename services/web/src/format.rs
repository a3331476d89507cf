//! Number formatting for the pages: done once here so every table reads the same way.

pub use crate::charts::signed_pct;

/// A price with two decimals and thousands separators: `1,234.56`.
pub fn price(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let fixed = format!("{:.2}", v.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((fixed.as_str(), "00"));
    let sign = if v < 0.0 && fixed != "0.00" {
        "\u{2212}"
    } else {
        ""
    };
    format!("{sign}{}.{frac}", group_thousands(int))
}

/// A whole number with thousands separators: `818,830,900`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sign = if n < 0 { "\u{2212}" } else { "" };
    format!("{sign}{}", group_thousands(&digits))
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A percentage change for a table cell: its text and the CSS class that colours it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub text: String,
    /// `up`, `down` or `flat`.
    pub class: &'static str,
}

impl Change {
    /// An absent change (not enough history) shows as a dash.
    pub fn from_pct(pct: Option<f64>) -> Self {
        match pct {
            Some(p) if p.is_finite() => {
                let text = signed_pct(p);
                let class = if text.starts_with('+') {
                    "up"
                } else if text.starts_with('\u{2212}') {
                    "down"
                } else {
                    "flat"
                };
                Self { text, class }
            }
            _ => Self {
                text: "–".to_string(),
                class: "flat",
            },
        }
    }
}

/// The value as text; empty when absent.
pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_volumes_are_grouped() {
        assert_eq!(price(118.42), "118.42");
        assert_eq!(price(1234.5), "1,234.50");
        assert_eq!(price(0.004), "0.00");
        assert_eq!(price(-1234567.891), "\u{2212}1,234,567.89");
        assert_eq!(price(f64::NAN), "–");
        assert_eq!(thousands(818_830_900), "818,830,900");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(-12345), "\u{2212}12,345");
    }

    #[test]
    fn changes_carry_their_colour() {
        assert_eq!(Change::from_pct(Some(-16.968)).class, "down");
        assert_eq!(Change::from_pct(Some(-16.968)).text, "\u{2212}16.97%");
        assert_eq!(Change::from_pct(Some(2.5)).class, "up");
        assert_eq!(Change::from_pct(Some(0.0001)).class, "flat");
        assert_eq!(Change::from_pct(None).text, "–");
    }
}
