//! Small numeric building blocks of the event study and the correlations: OLS, moments, ranks
//! and p-values. Plain slices in, plain numbers out, so every formula is easy to check by hand.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Arithmetic mean; NaN for an empty slice (callers check lengths first).
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample standard deviation with `n - ddof` in the denominator.
pub fn std_dev(x: &[f64], ddof: usize) -> f64 {
    let n = x.len();
    if n <= ddof {
        return f64::NAN;
    }
    let m = mean(x);
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    (ss / (n - ddof) as f64).sqrt()
}

/// Ordinary least squares of `y` on a constant and `x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ols {
    pub alpha: f64,
    pub beta: f64,
    /// Residual standard deviation with `n - 2` degrees of freedom.
    pub sigma: f64,
    /// Mean of `x` over the fit.
    pub x_mean: f64,
    /// Σ (x − x̄)², the denominator of the prediction-error adjustment.
    pub sxx: f64,
    pub n: usize,
}

/// OLS fit; `None` when there are fewer than 3 points or `x` does not vary.
pub fn ols(x: &[f64], y: &[f64]) -> Option<Ols> {
    let n = x.len();
    if n != y.len() || n < 3 {
        return None;
    }
    let xm = mean(x);
    let ym = mean(y);
    let mut sxx = 0.0;
    let mut sxy = 0.0;
    for (a, b) in x.iter().zip(y) {
        let dx = a - xm;
        sxx += dx * dx;
        sxy += dx * (b - ym);
    }
    if sxx.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let beta = sxy / sxx;
    let alpha = ym - beta * xm;
    let sse: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| {
            let e = b - alpha - beta * a;
            e * e
        })
        .sum();
    Some(Ols {
        alpha,
        beta,
        sigma: (sse / (n - 2) as f64).sqrt(),
        x_mean: xm,
        sxx,
        n,
    })
}

/// Pearson correlation; NaN when either side is constant.
pub fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    if n < 2 {
        return f64::NAN;
    }
    let (x, y) = (&x[..n], &y[..n]);
    let (xm, ym) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - xm) * (b - ym);
        sxx += (a - xm) * (a - xm);
        syy += (b - ym) * (b - ym);
    }
    let d = (sxx * syy).sqrt();
    if d > 0.0 { sxy / d } else { f64::NAN }
}

/// Two-sided p-value of a Student-t statistic with `df` degrees of freedom.
pub fn p_student(t: f64, df: f64) -> f64 {
    if !t.is_finite() || df <= 0.0 {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => (2.0 * (1.0 - d.cdf(t.abs()))).clamp(0.0, 1.0),
        Err(_) => f64::NAN,
    }
}

/// Two-sided p-value of a standard-normal statistic.
pub fn p_normal(z: f64) -> f64 {
    if !z.is_finite() {
        return f64::NAN;
    }
    match Normal::new(0.0, 1.0) {
        Ok(d) => (2.0 * (1.0 - d.cdf(z.abs()))).clamp(0.0, 1.0),
        Err(_) => f64::NAN,
    }
}

/// Ranks 1..=n with ties sharing their average rank (as `scipy.stats.rankdata`).
/// An integer with the order of `f64::total_cmp`: integer comparisons sort faster.
fn order_key(v: f64) -> u64 {
    // −0.0 ties with 0.0, as `==` (and scipy's rankdata) has it.
    let bits = if v == 0.0 {
        0.0f64.to_bits()
    } else {
        v.to_bits()
    };
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    // Sorting (value, position) pairs directly is cache-friendly; ties get averaged below, so
    // an unstable sort is fine.
    let mut order: Vec<(u64, usize)> = x.iter().map(|v| order_key(*v)).zip(0..).collect();
    order.sort_unstable();
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && order[j + 1].0 == order[i].0 {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &(_, k) in &order[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// A significance mark for tables: `***` p<0.01, `**` p<0.05, `*` p<0.10.
pub fn stars(p: f64) -> &'static str {
    if !p.is_finite() {
        ""
    } else if p < 0.01 {
        "***"
    } else if p < 0.05 {
        "**"
    } else if p < 0.10 {
        "*"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ols_recovers_a_line_and_moments_are_right() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y: Vec<f64> = x.iter().map(|v| 0.5 + 2.0 * v).collect();
        let fit = ols(&x, &y).unwrap();
        assert!((fit.alpha - 0.5).abs() < 1e-12);
        assert!((fit.beta - 2.0).abs() < 1e-12);
        assert!(fit.sigma.abs() < 1e-12);
        assert!((fit.sxx - 10.0).abs() < 1e-12);
        assert!(ols(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_none());
        assert!((std_dev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 0) - 2.0).abs() < 1e-12);
        assert!((correlation(&x, &y) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn p_values_match_tables() {
        // t = 2.228 with 10 df is the 97.5% quantile; z = 1.96 likewise for the normal.
        assert!((p_student(2.228_138_85, 10.0) - 0.05).abs() < 1e-6);
        assert!((p_normal(1.959_963_985) - 0.05).abs() < 1e-8);
        assert!(p_normal(f64::NAN).is_nan());
        assert_eq!(stars(0.001), "***");
        assert_eq!(stars(0.2), "");
    }

    #[test]
    fn ties_share_the_average_rank() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0]),
            vec![3.5, 1.0, 3.5, 2.0]
        );
    }
}
