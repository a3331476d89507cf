//! Event studies: abnormal returns of stocks around an event against a normal-return model
//! estimated before it, with per-stock and cross-sectional significance tests.
//!
//! Conventions (MacKinlay 1997; Campbell, Lo & MacKinlay ch. 4):
//! - returns are simple returns of the adjusted close, on the sessions of the benchmark;
//! - relative day k is the k-th session after day 0 ([`crate::anchoring`]);
//! - `market`: R = α + β·Rm + ε by OLS over the estimation window; residual σ with L − 2 df;
//!   the variance of AR_t is σ²·(1 + 1/L + (Rm_t − R̄m)² / Σ(Rm − R̄m)²), and of a CAR over n
//!   days σ²·(n + n²/L + (Σ(Rm_t − R̄m))² / Σ(Rm − R̄m)²) (the prediction-error adjustment);
//! - `mean`: E[R] = mean over the estimation window, σ with L − 1 df, variance n·σ²;
//! - `adjusted`: E[R] = Rm (α = 0, β = 1), σ of R − Rm over the estimation window with L − 1 df;
//! - BHAR = Π(1 + R_t) − Π(1 + E[R_t]) over the window;
//! - across stocks: the cross-sectional t of the CARs, Patell's Z (Σ SCAR / √Σ dfᵢ/(dfᵢ − 2)),
//!   BMP (the cross-sectional t of the standardised CARs) and Corrado's rank test in Cowan's
//!   multi-day form (ranks over the estimation and event days together).
//!   Per-stock, cross-sectional and BMP p-values use Student's t; Patell and Corrado the normal.
//!
//! Over 400 lines because one estimator (market model, abnormal returns, CARs, per-stock and
//! cross-sectional tests) whose conventions are stated once at the top.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::anchoring::{Anchor, EventTiming, anchor};
use crate::returns::{AnalyticsError, ReturnPanel, return_panel};
use crate::stats::{self, Ranker, StudentTails, mean, p_normal, p_student, std_dev};

/// The normal-return model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NormalModel {
    Market,
    Mean,
    Adjusted,
}

impl NormalModel {
    pub const ALLOWED: &'static str = "market, mean, adjusted";

    pub fn as_str(self) -> &'static str {
        match self {
            NormalModel::Market => "market",
            NormalModel::Mean => "mean",
            NormalModel::Adjusted => "adjusted",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            NormalModel::Market => "market model (OLS α and β on the benchmark)",
            NormalModel::Mean => "constant-mean model",
            NormalModel::Adjusted => "market-adjusted model (β = 1)",
        }
    }
}

impl FromStr for NormalModel {
    type Err = AnalyticsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "market" => Ok(NormalModel::Market),
            "mean" => Ok(NormalModel::Mean),
            "adjusted" | "market_adjusted" => Ok(NormalModel::Adjusted),
            other => Err(AnalyticsError::Invalid(format!(
                "model `{other}` is unknown; use one of {}",
                Self::ALLOWED
            ))),
        }
    }
}

/// A window of trading days relative to day 0, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: i32,
    pub end: i32,
}

impl Window {
    pub fn new(start: i32, end: i32) -> Result<Self, AnalyticsError> {
        if start > end {
            return Err(AnalyticsError::Invalid(format!(
                "window [{start}, {end}] starts after it ends"
            )));
        }
        if start.abs() > 5000 || end.abs() > 5000 {
            return Err(AnalyticsError::Invalid(format!(
                "window [{start}, {end}] is longer than the data could be"
            )));
        }
        Ok(Self { start, end })
    }

    pub fn len(self) -> usize {
        usize::try_from(self.end - self.start + 1).unwrap_or(0)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// `"-1,1"` → [−1, +1].
    pub fn parse(s: &str) -> Result<Self, AnalyticsError> {
        let (a, b) = s.split_once(',').ok_or_else(|| {
            AnalyticsError::Invalid(format!("window `{s}` must be two days like -1,1"))
        })?;
        let p = |v: &str| {
            v.trim().parse::<i32>().map_err(|_| {
                AnalyticsError::Invalid(format!(
                    "window `{s}`: `{}` is not a whole number",
                    v.trim()
                ))
            })
        };
        Self::new(p(a)?, p(b)?)
    }

    /// `"0,0;-1,1"` → two windows.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, AnalyticsError> {
        let list: Vec<Self> = s
            .split(';')
            .filter(|w| !w.trim().is_empty())
            .map(Self::parse)
            .collect::<Result<_, _>>()?;
        if list.is_empty() {
            return Err(AnalyticsError::Invalid("no event window given".into()));
        }
        Ok(list)
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{:+}, {:+}]", self.start, self.end)
    }
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudySpec {
    pub model: NormalModel,
    pub estimation: Window,
    pub windows: Vec<Window>,
}

impl Default for StudySpec {
    fn default() -> Self {
        Self {
            model: NormalModel::Market,
            estimation: Window {
                start: -250,
                end: -11,
            },
            windows: vec![
                Window { start: 0, end: 0 },
                Window { start: -1, end: 1 },
                Window { start: 0, end: 5 },
                Window { start: -5, end: 5 },
            ],
        }
    }
}

impl StudySpec {
    fn check(&self) -> Result<(), AnalyticsError> {
        if self.windows.is_empty() {
            return Err(AnalyticsError::Invalid("no event window given".into()));
        }
        let first = self.windows.iter().map(|w| w.start).min().unwrap_or(0);
        if self.estimation.end >= first {
            return Err(AnalyticsError::Invalid(format!(
                "the estimation window {} must end before the first event day {first:+}",
                self.estimation
            )));
        }
        if self.estimation.len() < 30 {
            return Err(AnalyticsError::Invalid(format!(
                "the estimation window {} is shorter than 30 days",
                self.estimation
            )));
        }
        Ok(())
    }

    /// The days the ARs are reported for: from the earliest window start to the latest end.
    pub fn event_span(&self) -> Window {
        Window {
            start: self.windows.iter().map(|w| w.start).min().unwrap_or(0),
            end: self.windows.iter().map(|w| w.end).max().unwrap_or(0),
        }
    }
}

/// One day's abnormal return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayAr {
    pub rel: i32,
    pub day: NaiveDate,
    pub ret: f64,
    pub market_ret: f64,
    pub ar: f64,
    pub t: f64,
    pub p: f64,
}

/// A window's cumulative and buy-and-hold abnormal returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowCar {
    pub window: Window,
    pub car: f64,
    /// Standard error of the CAR.
    pub se: f64,
    pub t: f64,
    pub p: f64,
    pub bhar: f64,
}

/// A point of the CAR path from the first reported day, with its 95% band half-width.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarPoint {
    pub rel: i32,
    pub day: NaiveDate,
    pub car: f64,
    pub band: f64,
}

/// The study of one stock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockStudy {
    pub symbol: String,
    pub alpha: f64,
    pub beta: f64,
    pub sigma: f64,
    pub estimation_days: usize,
    pub estimation_from: NaiveDate,
    pub estimation_to: NaiveDate,
    /// Degrees of freedom of the per-stock t tests.
    pub df: f64,
    /// The share of positive abnormal returns in the estimation window: the generalized sign
    /// test's expected share of positive CARs (Cowan 1992).
    pub estimation_positive: f64,
    pub ars: Vec<DayAr>,
    pub cars: Vec<WindowCar>,
    pub car_path: Vec<CarPoint>,
}

impl StockStudy {
    pub fn car(&self, w: Window) -> Option<&WindowCar> {
        self.cars.iter().find(|c| c.window == w)
    }

    pub fn ar(&self, rel: i32) -> Option<&DayAr> {
        self.ars.iter().find(|a| a.rel == rel)
    }
}

/// Tests across the stocks of one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTest {
    pub window: Window,
    pub n: usize,
    pub mean_car: f64,
    pub cross_sectional_t: f64,
    pub cross_sectional_p: f64,
    pub patell_z: f64,
    pub patell_p: f64,
    pub bmp_t: f64,
    pub bmp_p: f64,
    pub corrado_z: f64,
    pub corrado_p: f64,
}

/// A stock that could not be studied, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub symbol: String,
    pub reason: String,
}

/// The whole study of one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventStudy {
    pub anchor: Anchor,
    pub benchmark: String,
    pub spec: StudySpec,
    pub stocks: Vec<StockStudy>,
    pub skipped: Vec<Skipped>,
    pub group: Vec<GroupTest>,
    /// What pooling needs beyond the stocks' CARs ([`crate::pooled`]); not part of the JSON.
    #[serde(skip)]
    pub cross: CrossSection,
}

/// The event's cross-section beyond its stocks: kept per event so that a pooled study needs
/// neither the estimation residuals (500 stocks × 240 days per event) nor the panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CrossSection {
    /// The average pairwise correlation of the stocks' estimation-window residuals, for the
    /// Kolari–Pynnönen adjustment; NaN with fewer than two stocks. Computed in O(stocks × L)
    /// as (‖Σᵢ zᵢ‖² − n) / (n(n − 1)) with zᵢ the centred residuals scaled to unit length.
    pub residual_correlation: f64,
    /// The stocks that entered it (those whose residuals vary).
    pub correlation_stocks: usize,
    /// Mean of the benchmark over the estimation window and Σ(Rm − R̄m)²: the market model's
    /// prediction-error terms, so a CAR over any window inside the span can be standardised.
    pub market_mean: f64,
    pub market_sxx: f64,
    /// Corrado's mean centred ranks per day (the estimation days, then the event span); `None`
    /// when the stocks' series differ in length.
    pub rank_means: Option<Vec<f64>>,
}

/// Runs the study of one event on a prepared panel. Stocks without enough data are listed in
/// `skipped` with the reason; if no stock can be studied, the first reason is the error.
pub fn event_study(
    panel: &ReturnPanel,
    timing: &EventTiming,
    spec: &StudySpec,
) -> Result<EventStudy, AnalyticsError> {
    event_study_with(panel, timing, spec, &mut Scratch::default())
}

/// Buffers and p-value tables reused from stock to stock and event to event (one per thread).
#[derive(Default)]
struct Scratch {
    /// The stock's estimation-window abnormal returns, then its event-window ones: the series
    /// the rank test ranks.
    series: Vec<f64>,
    ranker: Ranker,
    /// Every stock with a full estimation window has the same degrees of freedom.
    tails: Option<StudentTails>,
}

/// The benchmark over an event's estimation window: the same for every stock, so its mean
/// and Σ(x − x̄)² are computed once per event.
struct MarketWindow<'a> {
    x: &'a [f64],
    mean: f64,
    sxx: f64,
}

fn event_study_with(
    panel: &ReturnPanel,
    timing: &EventTiming,
    spec: &StudySpec,
    scratch: &mut Scratch,
) -> Result<EventStudy, AnalyticsError> {
    spec.check()?;
    let anchor = anchor(timing, &panel.calendar)?;
    let market = market_window(panel, anchor.index, spec);
    let mut stocks = Vec::with_capacity(panel.symbols.len());
    let mut skipped = Vec::new();
    let mut first_error = None;
    let mut ranks = CorradoSums::default();
    let mut correlation = ResidualCorrelation::default();
    let estimation_len = spec.estimation.len();
    for (i, symbol) in panel.symbols.iter().enumerate() {
        match study_stock(
            panel,
            market.as_ref(),
            &panel.returns[i],
            symbol,
            anchor.index,
            spec,
            scratch,
        ) {
            Ok(s) => {
                correlation.add(scratch.series.get(..estimation_len).unwrap_or(&[]));
                ranks.add(scratch);
                stocks.push(s);
            }
            Err(e) => {
                skipped.push(Skipped {
                    symbol: symbol.clone(),
                    reason: e.to_string(),
                });
                first_error.get_or_insert(e);
            }
        }
    }
    if stocks.is_empty()
        && let Some(e) = first_error
    {
        return Err(e);
    }
    let ranks = ranks.finish(spec.estimation.len());
    let group = spec
        .windows
        .iter()
        .map(|w| group_test(&stocks, *w, spec, ranks.as_ref()))
        .collect();
    let cross = CrossSection {
        residual_correlation: correlation.finish(),
        correlation_stocks: correlation.stocks,
        market_mean: market.as_ref().map_or(f64::NAN, |m| m.mean),
        market_sxx: market.as_ref().map_or(f64::NAN, |m| m.sxx),
        rank_means: ranks.map(|r| r.kbar),
    };
    Ok(EventStudy {
        anchor,
        benchmark: panel.benchmark.clone(),
        spec: spec.clone(),
        stocks,
        skipped,
        group,
        cross,
    })
}

/// The study straight from price series `(symbol, [(day, adjusted close)])`.
pub fn event_study_of_prices<'a, I>(
    prices: I,
    benchmark: &str,
    symbols: &[String],
    timing: &EventTiming,
    spec: &StudySpec,
) -> Result<EventStudy, AnalyticsError>
where
    I: IntoIterator<Item = (&'a str, &'a [(NaiveDate, f64)])>,
{
    let panel = return_panel(prices, benchmark, symbols)?;
    event_study(&panel, timing, spec)
}

fn calendar_label(panel: &ReturnPanel, idx: i64) -> String {
    usize::try_from(idx)
        .ok()
        .and_then(|i| panel.calendar.get(i))
        .map_or_else(
            || {
                if idx < 0 {
                    format!(
                        "{} sessions before the data start on {}",
                        -idx,
                        panel
                            .calendar
                            .first()
                            .map_or_else(String::new, |d| d.to_string())
                    )
                } else {
                    format!(
                        "after the last session {}",
                        panel
                            .calendar
                            .last()
                            .map_or_else(String::new, |d| d.to_string())
                    )
                }
            },
            |d| d.to_string(),
        )
}

/// Trading-day indices of the estimation window (may fall outside the data).
fn estimation_bounds(day0: usize, spec: &StudySpec) -> (i64, i64) {
    let d0 = day0 as i64;
    (
        d0 + i64::from(spec.estimation.start),
        d0 + i64::from(spec.estimation.end),
    )
}

/// `None` when the window leaves the data or the benchmark has a gap in it (then no stock
/// can be studied, and each says why).
fn market_window<'a>(
    panel: &'a ReturnPanel,
    day0: usize,
    spec: &StudySpec,
) -> Option<MarketWindow<'a>> {
    let (e0, e1) = estimation_bounds(day0, spec);
    let x = panel
        .market
        .get(usize::try_from(e0).ok()?..=usize::try_from(e1).ok()?)?;
    if !x.iter().all(|v| v.is_finite()) {
        return None;
    }
    let mean = mean(x);
    let sxx = x.iter().map(|v| (v - mean) * (v - mean)).sum();
    Some(MarketWindow { x, mean, sxx })
}

fn study_stock(
    panel: &ReturnPanel,
    market: Option<&MarketWindow<'_>>,
    returns: &[f64],
    symbol: &str,
    day0: usize,
    spec: &StudySpec,
    scratch: &mut Scratch,
) -> Result<StockStudy, AnalyticsError> {
    let len = panel.calendar.len() as i64;
    let d0 = day0 as i64;
    let est = spec.estimation;
    let (e0, e1) = estimation_bounds(day0, spec);
    let window = market.zip(
        usize::try_from(e0)
            .ok()
            .and_then(|a| returns.get(a..=usize::try_from(e1).ok()?))
            .filter(|y| y.iter().all(|v| v.is_finite())),
    );
    let Some((m, y)) = window else {
        let have = (e0.max(0)..=e1.min(len - 1))
            .filter(|i| {
                let i = *i as usize;
                panel.market[i].is_finite() && returns[i].is_finite()
            })
            .count();
        return Err(AnalyticsError::InsufficientEstimation {
            symbol: symbol.to_string(),
            from: est.start,
            to: est.end,
            needed: est.len(),
            have,
            first: calendar_label(panel, e0),
            last: calendar_label(panel, e1),
        });
    };
    let l = y.len() as f64;
    let (x_mean, sxx) = (m.mean, m.sxx);

    // The model's parameters, residual σ and df; the estimation-window abnormal returns go to
    // the start of the rank test's series.
    let series = &mut scratch.series;
    series.clear();
    let (alpha, beta, sigma, df) = match spec.model {
        NormalModel::Market => {
            if sxx.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return Err(AnalyticsError::Invalid(format!(
                    "{symbol}: the benchmark {} does not vary in the estimation window",
                    panel.benchmark
                )));
            }
            let y_mean = mean(y);
            let sxy: f64 =
                m.x.iter()
                    .zip(y)
                    .map(|(x, y)| (x - x_mean) * (y - y_mean))
                    .sum();
            let beta = sxy / sxx;
            let alpha = y_mean - beta * x_mean;
            series.extend(m.x.iter().zip(y).map(|(x, y)| y - alpha - beta * x));
            let sse: f64 = series.iter().map(|e| e * e).sum();
            (alpha, beta, (sse / (l - 2.0)).sqrt(), l - 2.0)
        }
        NormalModel::Mean => {
            let mu = mean(y);
            series.extend(y.iter().map(|y| y - mu));
            (mu, 0.0, std_dev(y, 1), l - 1.0)
        }
        NormalModel::Adjusted => {
            series.extend(y.iter().zip(m.x).map(|(y, x)| y - x));
            (0.0, 1.0, std_dev(series, 1), l - 1.0)
        }
    };
    let estimation_positive = series.iter().filter(|e| **e > 0.0).count() as f64 / l;
    let expected = |x: f64| alpha + beta * x;
    let prediction = |dev_sum: f64, n: f64| -> f64 {
        // Variance factor of a sum over n days whose market deviations from x̄ sum to dev_sum.
        match spec.model {
            NormalModel::Market => n + n * n / l + dev_sum * dev_sum / sxx,
            NormalModel::Mean | NormalModel::Adjusted => n,
        }
    };
    let tails = &mut scratch.tails;
    if tails.as_ref().is_none_or(|d| d.df() != df) {
        *tails = StudentTails::new(df);
    }
    let mut p_value = |t: f64| tails.as_mut().map_or(f64::NAN, |d| d.two_sided_p(t));

    let span = spec.event_span();
    let mut ars = Vec::with_capacity(span.len());
    for rel in span.start..=span.end {
        let idx = d0 + i64::from(rel);
        let gap = || AnalyticsError::EventWindowGap {
            symbol: symbol.to_string(),
            day: calendar_label(panel, idx),
            rel,
            day0: panel.calendar[day0],
        };
        if idx < 1 || idx >= len {
            return Err(gap());
        }
        let i = idx as usize;
        let (x, y) = (panel.market[i], returns[i]);
        if !(x.is_finite() && y.is_finite()) {
            return Err(gap());
        }
        let ar = y - expected(x);
        let se = sigma * prediction(x - x_mean, 1.0).sqrt();
        let t = ar / se;
        ars.push(DayAr {
            rel,
            day: panel.calendar[i],
            ret: y,
            market_ret: x,
            ar,
            t,
            p: p_value(t),
        });
    }

    scratch.series.extend(ars.iter().map(|a| a.ar));

    let window_stats = |w: Window| -> (f64, f64, f64) {
        let days = ars.iter().filter(|a| a.rel >= w.start && a.rel <= w.end);
        let (mut car, mut dev, mut n, mut gross, mut gross_exp) = (0.0, 0.0, 0.0, 1.0, 1.0);
        for a in days {
            car += a.ar;
            dev += a.market_ret - x_mean;
            n += 1.0;
            gross *= 1.0 + a.ret;
            gross_exp *= 1.0 + expected(a.market_ret);
        }
        (car, sigma * prediction(dev, n).sqrt(), gross - gross_exp)
    };
    let cars = spec
        .windows
        .iter()
        .map(|w| {
            let (car, se, bhar) = window_stats(*w);
            let t = car / se;
            WindowCar {
                window: *w,
                car,
                se,
                t,
                p: p_value(t),
                bhar,
            }
        })
        .collect();
    // The path from the first reported day: running sums, so one pass.
    let (mut car, mut dev) = (0.0, 0.0);
    let car_path = ars
        .iter()
        .zip(1..)
        .map(|(a, n)| {
            car += a.ar;
            dev += a.market_ret - x_mean;
            CarPoint {
                rel: a.rel,
                day: a.day,
                car,
                band: 1.96 * sigma * prediction(dev, f64::from(n)).sqrt(),
            }
        })
        .collect();
    let est_from = usize::try_from(e0).unwrap_or(0);
    let est_to = usize::try_from(e1).unwrap_or(0);
    Ok(StockStudy {
        symbol: symbol.to_string(),
        alpha,
        beta,
        sigma,
        estimation_days: y.len(),
        estimation_from: panel.calendar[est_from],
        estimation_to: panel.calendar[est_to],
        df,
        estimation_positive,
        ars,
        cars,
        car_path,
    })
}

fn group_test(
    stocks: &[StockStudy],
    w: Window,
    spec: &StudySpec,
    ranks: Option<&CorradoRanks>,
) -> GroupTest {
    let cars: Vec<&WindowCar> = stocks.iter().filter_map(|s| s.car(w)).collect();
    let n = cars.len();
    let nf = n as f64;
    let car_values: Vec<f64> = cars.iter().map(|c| c.car).collect();
    let scars: Vec<f64> = cars.iter().map(|c| c.t).collect();
    let mean_car = mean(&car_values);
    let cs_t = mean_car / (std_dev(&car_values, 1) / nf.sqrt());
    let bmp_t = mean(&scars) / (std_dev(&scars, 1) / nf.sqrt());
    let patell_den: f64 = stocks
        .iter()
        .filter(|s| s.car(w).is_some())
        .map(|s| s.df / (s.df - 2.0))
        .sum();
    let patell_z = scars.iter().sum::<f64>() / patell_den.sqrt();
    let corrado_z = ranks.map_or(f64::NAN, |r| r.statistic(w, spec));
    let df = nf - 1.0;
    GroupTest {
        window: w,
        n,
        mean_car,
        cross_sectional_t: cs_t,
        cross_sectional_p: p_student(cs_t, df),
        patell_z,
        patell_p: p_normal(patell_z),
        bmp_t,
        bmp_p: p_student(bmp_t, df),
        corrado_z,
        corrado_p: p_normal(corrado_z),
    }
}

/// Running sum of the stocks' centred estimation residuals scaled to unit length: its squared
/// length is the sum of all pairwise correlations, the n diagonal ones included.
#[derive(Default)]
struct ResidualCorrelation {
    sum: Vec<f64>,
    stocks: usize,
}

impl ResidualCorrelation {
    fn add(&mut self, e: &[f64]) {
        if self.stocks == 0 {
            self.sum.clear();
            self.sum.resize(e.len(), 0.0);
        } else if e.len() != self.sum.len() {
            return;
        }
        let m = mean(e);
        let ss: f64 = e.iter().map(|v| (v - m) * (v - m)).sum();
        // A residual that does not vary has no correlation with anything.
        if !(ss > 0.0 && ss.is_finite()) {
            return;
        }
        let scale = 1.0 / ss.sqrt();
        for (s, v) in self.sum.iter_mut().zip(e) {
            *s += (v - m) * scale;
        }
        self.stocks += 1;
    }

    fn finish(&self) -> f64 {
        if self.stocks < 2 {
            return f64::NAN;
        }
        let n = self.stocks as f64;
        (self.sum.iter().map(|s| s * s).sum::<f64>() - n) / (n * (n - 1.0))
    }
}

/// The mean centred ranks of Corrado's test (Cowan 1992's multi-day form): each stock's ARs
/// over the estimation and event days are ranked together; `kbar[t]` is the mean over the
/// stocks of rank − (T + 1)/2 on day t, `s2` its variance over all T days. Computed once per
/// event and shared by the windows.
struct CorradoRanks {
    kbar: Vec<f64>,
    s2: f64,
    estimation_len: usize,
}

/// Running sums of the centred ranks, one stock at a time (the stock's series is in the
/// scratch buffers when it is added).
#[derive(Default)]
struct CorradoSums {
    kbar: Vec<f64>,
    stocks: usize,
    /// False once two stocks' series differ in length (then there is no rank test).
    aligned: bool,
}

impl CorradoSums {
    fn add(&mut self, scratch: &mut Scratch) {
        let total = scratch.series.len();
        if self.stocks == 0 {
            self.kbar = vec![0.0; total];
            self.aligned = true;
        } else if total != self.kbar.len() {
            self.aligned = false;
        }
        if !self.aligned {
            return;
        }
        let ranks = scratch.ranker.rank(&scratch.series);
        let centre = (total as f64 + 1.0) / 2.0;
        for (k, r) in self.kbar.iter_mut().zip(ranks) {
            *k += r - centre;
        }
        self.stocks += 1;
    }

    fn finish(mut self, estimation_len: usize) -> Option<CorradoRanks> {
        if self.stocks == 0 || !self.aligned {
            return None;
        }
        let n = self.stocks as f64;
        for k in &mut self.kbar {
            *k /= n;
        }
        let s2 = self.kbar.iter().map(|k| k * k).sum::<f64>() / self.kbar.len() as f64;
        Some(CorradoRanks {
            kbar: self.kbar,
            s2,
            estimation_len,
        })
    }
}

impl CorradoRanks {
    /// The window's sum of mean centred ranks over its standard deviation.
    fn statistic(&self, w: Window, spec: &StudySpec) -> f64 {
        let span = spec.event_span();
        let window_sum: f64 = (w.start..=w.end)
            .filter_map(|rel| {
                let i = self.estimation_len + usize::try_from(rel - span.start).ok()?;
                self.kbar.get(i).copied()
            })
            .sum();
        window_sum / (w.len() as f64 * self.s2).sqrt()
    }
}

impl EventStudy {
    /// A CSV with one row per stock and window (and the per-stock model parameters), written
    /// by the `csv` crate with spreadsheet formulas defused.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        const HEADER: [&str; 16] = [
            "event_day",
            "day0",
            "symbol",
            "benchmark",
            "model",
            "alpha",
            "beta",
            "sigma",
            "estimation_days",
            "window",
            "car",
            "se",
            "t",
            "p",
            "bhar",
            "stars",
        ];
        let rows = self.stocks.iter().flat_map(|s| {
            s.cars.iter().map(move |c| {
                vec![
                    self.anchor.event_day.to_string(),
                    self.anchor.session.to_string(),
                    s.symbol.clone(),
                    self.benchmark.clone(),
                    self.spec.model.as_str().to_string(),
                    s.alpha.to_string(),
                    s.beta.to_string(),
                    s.sigma.to_string(),
                    s.estimation_days.to_string(),
                    format!("{},{}", c.window.start, c.window.end),
                    c.car.to_string(),
                    c.se.to_string(),
                    c.t.to_string(),
                    c.p.to_string(),
                    c.bhar.to_string(),
                    stats::stars(c.p).to_string(),
                ]
            })
        });
        jevons_core::csv_export::csv_bytes(&HEADER, rows)
    }
}

/// Studies of many events on one panel, each event on its own, spread over the machine's cores.
/// Every result comes back with its event's key, so nothing depends on positions: an event whose
/// study fails (an error, or even a panic) gets its own error and the others are unaffected.
pub fn event_studies<K: Clone + Send + Sync>(
    panel: &ReturnPanel,
    events: &[(K, EventTiming)],
    spec: &StudySpec,
) -> Vec<(K, Result<EventStudy, AnalyticsError>)> {
    study_each(events, |e, scratch| {
        event_study_with(panel, e, spec, scratch)
    })
}

/// Runs `study` on every event over the available cores; a panic is caught per event.
fn study_each<K, F>(
    events: &[(K, EventTiming)],
    study: F,
) -> Vec<(K, Result<EventStudy, AnalyticsError>)>
where
    K: Clone + Send + Sync,
    F: Fn(&EventTiming, &mut Scratch) -> Result<EventStudy, AnalyticsError> + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(events.len().max(1));
    let study_all = |part: &[(K, EventTiming)]| {
        let mut scratch = Scratch::default();
        part.iter()
            .map(|(key, e)| {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    study(e, &mut scratch)
                }));
                let result = outcome.unwrap_or_else(|_| {
                    // The scratch buffers may be half-written: start the next event afresh.
                    scratch = Scratch::default();
                    Err(AnalyticsError::Invalid(format!(
                        "the study of the event on {} failed unexpectedly (a panic)",
                        e.day
                    )))
                });
                (key.clone(), result)
            })
            .collect::<Vec<_>>()
    };
    if threads <= 1 {
        return study_all(events);
    }
    let chunk = events.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = events
            .chunks(chunk)
            .map(|part| (part, scope.spawn(|| study_all(part))))
            .collect();
        handles
            .into_iter()
            .flat_map(|(part, h)| {
                // Panics are caught per event, so a thread dies only on something like an
                // allocation failure; then each of its events still gets its own error.
                h.join().unwrap_or_else(|_| {
                    part.iter()
                        .map(|(key, e)| {
                            let why = format!("the study of the event on {} was lost", e.day);
                            (key.clone(), Err(AnalyticsError::Invalid(why)))
                        })
                        .collect()
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anchoring::AnchorReason;
    use chrono::Datelike;

    fn day(d: u32) -> EventTiming {
        EventTiming::day(NaiveDate::from_ymd_opt(2025, 1, d).unwrap_or(NaiveDate::MIN))
    }

    fn empty_study(e: &EventTiming) -> EventStudy {
        EventStudy {
            anchor: Anchor {
                event_day: e.day,
                new_york_day: e.day,
                session: e.day,
                index: 0,
                reason: AnchorReason::EventDay,
                explanation: String::new(),
            },
            benchmark: "SPY".into(),
            spec: StudySpec::default(),
            stocks: Vec::new(),
            skipped: Vec::new(),
            group: Vec::new(),
            cross: CrossSection::default(),
        }
    }

    #[test]
    fn a_failing_event_keeps_its_own_error_and_the_others_their_results() {
        // Many events, so every thread gets a chunk; the one on the 13th fails with a panic,
        // the one on the 7th with an error.
        let events: Vec<(i64, EventTiming)> =
            (2..28).map(|d| (100 + i64::from(d), day(d))).collect();
        let results = study_each(&events, |e, _| match e.day.day() {
            13 => panic!("boom"),
            7 => Err(AnalyticsError::Invalid("no sessions".into())),
            _ => Ok(empty_study(e)),
        });
        assert_eq!(results.len(), events.len());
        for (key, r) in &results {
            let d = u32::try_from(key - 100).unwrap_or(0);
            match (d, r) {
                (13, Err(e)) => assert!(e.to_string().contains("2025-01-13"), "{e}"),
                (7, Err(e)) => assert!(e.to_string().contains("no sessions"), "{e}"),
                (_, Ok(st)) => assert_eq!(st.anchor.event_day, day(d).day, "key {key}"),
                (_, other) => panic!("event {key}: unexpected {other:?}"),
            }
        }
    }
}
