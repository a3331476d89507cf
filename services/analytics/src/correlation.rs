//! Co-movement with a benchmark: rolling beta and correlation, the correlation matrix of a
//! period, and lead/lag cross-correlation between a daily signal (news counts, mean stance)
//! and returns.

use chrono::NaiveDate;
use serde::Serialize;

use crate::returns::{AnalyticsError, ReturnPanel};
use crate::stats::{correlation, p_student};

/// The rolling windows the pages offer, in trading days.
pub const ROLLING_WINDOWS: [usize; 3] = [20, 60, 120];

/// Beta and correlation of one stock against the benchmark over the `window` sessions ending
/// on `day`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RollingPoint {
    pub day: NaiveDate,
    pub beta: f64,
    pub corr: f64,
}

/// Rolling beta and correlation of `returns` against `panel.market`; a window with any missing
/// day gives no point (no silent NaN).
pub fn rolling_beta_corr(panel: &ReturnPanel, returns: &[f64], window: usize) -> Vec<RollingPoint> {
    let n = panel.calendar.len().min(returns.len());
    if window < 3 || n < window {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(n - window + 1);
    for end in window - 1..n {
        let from = end + 1 - window;
        let x = &panel.market[from..=end];
        let y = &returns[from..=end];
        if x.iter().chain(y).any(|v| !v.is_finite()) {
            continue;
        }
        let (xm, ym) = (crate::stats::mean(x), crate::stats::mean(y));
        let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
        for (a, b) in x.iter().zip(y) {
            sxx += (a - xm) * (a - xm);
            sxy += (a - xm) * (b - ym);
            syy += (b - ym) * (b - ym);
        }
        if sxx <= 0.0 || syy <= 0.0 {
            continue;
        }
        out.push(RollingPoint {
            day: panel.calendar[end],
            beta: sxy / sxx,
            corr: sxy / (sxx * syy).sqrt(),
        });
    }
    out
}

/// Pairwise correlations of daily returns between `from` and `to` (both included), the
/// benchmark first; each pair over the days both have a return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationMatrix {
    pub symbols: Vec<String>,
    pub values: Vec<Vec<f64>>,
    pub days: usize,
}

pub fn correlation_matrix(
    panel: &ReturnPanel,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<CorrelationMatrix, AnalyticsError> {
    let lo = panel.calendar.partition_point(|d| *d < from);
    let hi = panel.calendar.partition_point(|d| *d <= to);
    if hi <= lo + 2 {
        return Err(AnalyticsError::Invalid(format!(
            "fewer than 3 sessions between {from} and {to} in the data"
        )));
    }
    let mut series: Vec<(&str, &[f64])> = vec![(panel.benchmark.as_str(), &panel.market[lo..hi])];
    for (s, r) in panel.symbols.iter().zip(&panel.returns) {
        if s != &panel.benchmark {
            series.push((s.as_str(), &r[lo..hi]));
        }
    }
    let k = series.len();
    let mut values = vec![vec![f64::NAN; k]; k];
    for i in 0..k {
        for j in i..k {
            let (a, b): (Vec<f64>, Vec<f64>) = series[i]
                .1
                .iter()
                .zip(series[j].1)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|(x, y)| (*x, *y))
                .unzip();
            let c = if i == j && a.len() >= 2 {
                1.0
            } else {
                correlation(&a, &b)
            };
            values[i][j] = c;
            values[j][i] = c;
        }
    }
    Ok(CorrelationMatrix {
        symbols: series.iter().map(|s| s.0.to_string()).collect(),
        values,
        days: hi - lo,
    })
}

/// The correlation of `x_t` with `y_{t+lag}`: a positive lag means `x` leads `y`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LagCorrelation {
    pub lag: i32,
    pub corr: f64,
    pub n: usize,
    pub t: f64,
    pub p: f64,
}

/// Cross-correlations for lags `-max_lag..=max_lag` between two series on the same calendar
/// (NaN = missing, skipped pairwise), with the t test of a correlation (n − 2 df).
pub fn lead_lag(x: &[f64], y: &[f64], max_lag: i32) -> Vec<LagCorrelation> {
    let len = x.len().min(y.len()) as i64;
    (-max_lag..=max_lag)
        .map(|lag| {
            let (a, b): (Vec<f64>, Vec<f64>) = (0..len)
                .filter_map(|t| {
                    let u = t + i64::from(lag);
                    (u >= 0 && u < len).then(|| (x[t as usize], y[u as usize]))
                })
                .filter(|(p, q)| p.is_finite() && q.is_finite())
                .unzip();
            let n = a.len();
            let corr = correlation(&a, &b);
            let t = corr * ((n as f64 - 2.0) / (1.0 - corr * corr)).sqrt();
            LagCorrelation {
                lag,
                corr,
                n,
                t,
                p: p_student(t, n as f64 - 2.0),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random sequence (no rand dependency in this crate).
    fn noise(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
            })
            .collect()
    }

    #[test]
    fn a_signal_that_leads_by_two_days_peaks_at_lag_two() {
        let x = noise(7, 400);
        let e = noise(11, 400);
        // y_t = x_{t-2} + small noise: x leads y by two days.
        let y: Vec<f64> = (0..400)
            .map(|t| {
                if t >= 2 {
                    x[t - 2] + 0.2 * e[t]
                } else {
                    f64::NAN
                }
            })
            .collect();
        let rows = lead_lag(&x, &y, 5);
        assert_eq!(rows.len(), 11);
        let best = rows
            .iter()
            .max_by(|a, b| a.corr.abs().total_cmp(&b.corr.abs()))
            .unwrap();
        assert_eq!(best.lag, 2);
        assert!(best.corr > 0.9 && best.p < 1e-6, "{best:?}");
        let zero = rows.iter().find(|r| r.lag == 0).unwrap();
        assert!(zero.p > 0.01, "{zero:?}");
    }

    #[test]
    fn rolling_beta_of_a_scaled_benchmark_is_the_scale() {
        let m = noise(3, 200);
        let cal: Vec<NaiveDate> = (0..200)
            .map(|i| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(i))
            .collect();
        let stock: Vec<f64> = m.iter().map(|v| 1.5 * v).collect();
        let panel = ReturnPanel {
            benchmark: "SPY".into(),
            calendar: cal.clone(),
            market: m.clone(),
            symbols: vec!["X".into()],
            returns: vec![stock],
        };
        let pts = rolling_beta_corr(&panel, &panel.returns[0], 20);
        assert_eq!(pts.len(), 181);
        assert!(
            pts.iter()
                .all(|p| (p.beta - 1.5).abs() < 1e-9 && (p.corr - 1.0).abs() < 1e-9)
        );
        let mx = correlation_matrix(&panel, cal[0], cal[199]).unwrap();
        assert_eq!(mx.symbols, vec!["SPY", "X"]);
        assert!((mx.values[0][1] - 1.0).abs() < 1e-12);
        let lens: Vec<usize> = ROLLING_WINDOWS
            .iter()
            .map(|w| rolling_beta_corr(&panel, &panel.returns[0], *w).len())
            .collect();
        assert_eq!(lens, [181, 141, 81]);
    }
}
