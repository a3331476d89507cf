//! Pooled event studies: the average effect of a set of events (a class such as "efficiency
//! events") on the same vendors, over every (event, stock) pair, with the tests a referee asks
//! for. Input: the per-event studies ([`crate::event_study`]), each keyed by its event id; the
//! benchmark is whatever those studies used, so "with SOXX instead of SPY" is the same call on
//! studies made against SOXX ([`by_benchmark`]).
//!
//! Per (observation, stock) pair i = 1..N and window w:
//! - CAR from the stock's daily ARs; SCAR = CAR / (σ·√V) with V the per-event study's
//!   prediction-error factor (market model: n + n²/L + (Σ(Rm − R̄m))²/Sxx; otherwise n), so a
//!   SCAR equals the per-event study's CAR t for the windows it reports;
//! - CAAR = mean CAR; the cross-sectional t = CAAR / (sd(CAR)/√N), Student t with N − 1 df;
//! - BMP (Boehmer, Musumeci & Poulsen 1991) = mean SCAR / (sd(SCAR)/√N), Student t, N − 1 df;
//! - Kolari & Pynnönen (2010): t_KP = t_BMP · √((1 − r̄)/(1 + (N − 1) r̄)), with r̄ the average
//!   correlation over all N(N − 1) ordered pairs of the pooled sample. Pairs of one event share
//!   its day and get the event's average estimation-residual correlation
//!   ([`crate::event_study::CrossSection`]); pairs of different observations (which never
//!   overlap in time, see clustering) count as uncorrelated. For a single event this is KP's
//!   formula with the event's r̄ and n stocks. Student t, N − 1 df;
//! - the generalized sign test (Cowan 1992): Z = (w − N p̂)/√(N p̂ (1 − p̂)), w the positive
//!   CARs, p̂ the mean over pairs of the share of positive estimation-window ARs; normal p;
//! - Corrado's rank test in Cowan's (1992) multi-day form, pooled in event time: the mean
//!   centred ranks of each event (ranks over its estimation and event days, per stock) are
//!   averaged over all pairs day by day, then Σ_window k̄ / √(n_days · s²) with s² the mean of
//!   k̄² over all days (not the Corrado–Zivney variant); normal p.
//!
//! **Clustering.** An event's footprint is the sessions from day0 + (earliest window start) to
//! day0 + (latest window end) of the pooled windows. Events are sorted by day 0; an event whose
//! footprint starts on or before the last session of the current cluster's footprints joins
//! it (so clusters chain). A cluster is one observation: for each stock, its CAR, SCAR, CAR
//! path and expected positive share are the average over the cluster's distinct day-0
//! sessions of the average over the events anchored to that session (events on the same
//! session are the same market observation, so a duplicate changes nothing); its residual
//! correlation and rank means are averaged the same way. Clusters are reported, never silent.
//!
//! Over 400 lines because pooling, its tests (t, BMP, sign and rank tests) and the
//! by-class and by-benchmark views are one statistical procedure.

use std::collections::BTreeMap;
use std::fmt::{self, Display};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::event_study::{EventStudy, NormalModel, StockStudy, Window};
use crate::stats::{mean, p_normal, p_student, std_dev, t_critical};

/// The windows pooled by default: [0,0], [0,1], [−1,1], [0,5].
pub fn default_windows() -> Vec<Window> {
    vec![
        Window { start: 0, end: 0 },
        Window { start: 0, end: 1 },
        Window { start: -1, end: 1 },
        Window { start: 0, end: 5 },
    ]
}

/// Why a pooled study cannot be made.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PooledError {
    #[error(
        "too few events to pool: {events} event(s), {observations} after clustering overlapping windows; at least 2 are needed"
    )]
    TooFewEvents { events: usize, observations: usize },
    #[error("{0}")]
    Invalid(String),
}

/// A statistic with its two-sided p-value and the number of (observation, stock) pairs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Test {
    pub statistic: f64,
    pub p: f64,
    pub n: usize,
}

/// The pooled results of one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PooledWindow {
    pub window: Window,
    /// (observation, stock) pairs.
    pub n: usize,
    pub caar: f64,
    pub cross_sectional: Test,
    pub bmp: Test,
    pub kolari_pynnonen: Test,
    /// r̄ over all pairs of the pooled sample (see the module doc).
    pub pooled_correlation: f64,
    pub sign: Test,
    pub positive: usize,
    /// The expected share of positive CARs, p̂.
    pub expected_positive: f64,
    /// NaN when the events' rank series differ in length (see `notes`).
    pub corrado: Test,
}

/// The CAAR on a relative day (cumulated from the first day of the events' span) with the
/// half-width of its 95% band (Student t with N − 1 df times the cross-sectional standard
/// error).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CaarPoint {
    pub rel: i32,
    pub caar: f64,
    pub band: f64,
    pub n: usize,
}

/// A window's mean CAR for one event.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowMean {
    pub window: Window,
    pub mean_car: f64,
}

/// One event as pooled: a page links it to the event's own study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow<K> {
    pub event: K,
    pub day0: NaiveDate,
    pub stocks: usize,
    pub mean_car: Vec<WindowMean>,
    /// The index into `clusters` when the event was merged with others.
    pub cluster: Option<usize>,
}

/// Events merged into one observation because their windows overlap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster<K> {
    pub events: Vec<K>,
    pub first_session: NaiveDate,
    pub last_session: NaiveDate,
}

/// The pooled study of a set of events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PooledStudy<K> {
    pub benchmark: String,
    pub model: NormalModel,
    /// Events pooled (after dropping those without stocks).
    pub events: usize,
    /// Observations after clustering.
    pub observations: usize,
    pub windows: Vec<PooledWindow>,
    pub path: Vec<CaarPoint>,
    pub rows: Vec<EventRow<K>>,
    pub clusters: Vec<Cluster<K>>,
    /// Events left out, and why.
    pub dropped: Vec<(K, String)>,
    pub notes: Vec<String>,
}

impl<K> PooledStudy<K> {
    pub fn window(&self, w: Window) -> Option<&PooledWindow> {
        self.windows.iter().find(|p| p.window == w)
    }
}

/// One stock's numbers in one observation (averaged over a cluster's members).
#[derive(Debug, Clone, Default)]
struct Pair {
    car: Vec<f64>,
    scar: Vec<f64>,
    path: Vec<f64>,
    positive_share: f64,
}

struct Observation {
    /// symbol → pair; BTreeMap so the order never depends on the input's.
    pairs: BTreeMap<String, Pair>,
    correlation: f64,
    rank_means: Option<Vec<f64>>,
}

/// The pooled study of `events` (each study keyed by its event id) over `windows`. All studies
/// must share the benchmark, model and estimation window; each window must lie inside the
/// studies' event span.
pub fn pooled_study<K>(
    events: &[(K, &EventStudy)],
    windows: &[Window],
) -> Result<PooledStudy<K>, PooledError>
where
    K: Clone + Ord + Display,
{
    if windows.is_empty() {
        return Err(PooledError::Invalid("no window to pool".into()));
    }
    let mut dropped = Vec::new();
    let mut kept: Vec<(K, &EventStudy)> = Vec::with_capacity(events.len());
    for (k, st) in events {
        if st.stocks.is_empty() {
            dropped.push((k.clone(), "no stock could be studied".to_string()));
        } else {
            kept.push((k.clone(), *st));
        }
    }
    // Sorted by day 0 then key: the result does not depend on the input's order.
    kept.sort_by(|a, b| (a.1.anchor.session, &a.0).cmp(&(b.1.anchor.session, &b.0)));
    for w in kept.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(PooledError::Invalid(format!(
                "event {} is given twice",
                w[0].0
            )));
        }
    }
    let Some((_, first)) = kept.first() else {
        return Err(PooledError::TooFewEvents {
            events: 0,
            observations: 0,
        });
    };
    let spec = &first.spec;
    let span = spec.event_span();
    for (k, st) in &kept {
        if st.benchmark != first.benchmark
            || st.spec.model != spec.model
            || st.spec.estimation != spec.estimation
            || st.spec.event_span() != span
        {
            return Err(PooledError::Invalid(format!(
                "event {k} was studied against {} with the {} model, estimation {} and span {}; \
                 the others against {} with the {} model, estimation {} and span {}: pool studies made alike",
                st.benchmark,
                st.spec.model.as_str(),
                st.spec.estimation,
                st.spec.event_span(),
                first.benchmark,
                spec.model.as_str(),
                spec.estimation,
                span
            )));
        }
    }
    for w in windows {
        if w.start < span.start || w.end > span.end {
            return Err(PooledError::Invalid(format!(
                "window {w} lies outside the studies' event days {span}"
            )));
        }
    }
    let reach = Window {
        start: windows.iter().map(|w| w.start).min().unwrap_or(0),
        end: windows.iter().map(|w| w.end).max().unwrap_or(0),
    };

    // Per event: its pairs, and its footprint in sessions.
    let per_event: Vec<(BTreeMap<String, Pair>, NaiveDate, NaiveDate)> = kept
        .iter()
        .map(|(_, st)| {
            let pairs = st
                .stocks
                .iter()
                .map(|s| (s.symbol.clone(), pair(s, st, windows)))
                .collect();
            let (from, to) = footprint(st, reach);
            (pairs, from, to)
        })
        .collect();

    // Chain events whose footprints overlap into groups of indices into `kept`.
    let mut groups: Vec<(Vec<usize>, NaiveDate, NaiveDate)> = Vec::new();
    for (i, (_, from, to)) in per_event.iter().enumerate() {
        match groups.last_mut() {
            Some((members, _, last)) if *from <= *last => {
                members.push(i);
                *last = (*last).max(*to);
            }
            _ => groups.push((vec![i], *from, *to)),
        }
    }
    if groups.len() < 2 {
        return Err(PooledError::TooFewEvents {
            events: kept.len(),
            observations: groups.len(),
        });
    }

    let mut notes = Vec::new();
    let mut clusters = Vec::new();
    let mut cluster_of = vec![None; kept.len()];
    let mut observations = Vec::with_capacity(groups.len());
    for (members, from, to) in &groups {
        if members.len() > 1 {
            for &m in members {
                cluster_of[m] = Some(clusters.len());
            }
            clusters.push(Cluster {
                events: members.iter().map(|&m| kept[m].0.clone()).collect(),
                first_session: *from,
                last_session: *to,
            });
        }
        observations.push(merge(members, &kept, &per_event));
    }

    let rows = kept
        .iter()
        .zip(&per_event)
        .zip(&cluster_of)
        .map(|(((k, st), (pairs, _, _)), cluster)| EventRow {
            event: k.clone(),
            day0: st.anchor.session,
            stocks: pairs.len(),
            mean_car: windows
                .iter()
                .enumerate()
                .map(|(j, w)| WindowMean {
                    window: *w,
                    mean_car: mean(&pairs.values().map(|p| p.car[j]).collect::<Vec<_>>()),
                })
                .collect(),
            cluster: *cluster,
        })
        .collect();

    // Pooled r̄: Σ over observations of n(n − 1) r̄ₒ over N(N − 1).
    let big_n: usize = observations.iter().map(|o| o.pairs.len()).sum();
    let nf = big_n as f64;
    let within: f64 = observations
        .iter()
        .map(|o| {
            let n = o.pairs.len() as f64;
            if n > 1.0 && o.correlation.is_finite() {
                n * (n - 1.0) * o.correlation
            } else {
                0.0
            }
        })
        .sum();
    let pooled_correlation = if big_n > 1 {
        within / (nf * (nf - 1.0))
    } else {
        f64::NAN
    };
    let ranks = pooled_ranks(&observations);
    if ranks.is_none() {
        notes.push(
            "no rank test: the events' rank series differ in length (stocks with different data)"
                .to_string(),
        );
    }
    if observations.iter().any(|o| !o.correlation.is_finite()) {
        notes.push(
            "an observation with one stock has no residual correlation; it counts as none"
                .to_string(),
        );
    }

    let est_len = spec.estimation.len();
    let pooled_windows = windows
        .iter()
        .enumerate()
        .map(|(j, w)| {
            let all = || observations.iter().flat_map(|o| o.pairs.values());
            let cars: Vec<f64> = all().map(|p| p.car[j]).collect();
            let scars: Vec<f64> = all().map(|p| p.scar[j]).collect();
            let df = nf - 1.0;
            let caar = mean(&cars);
            let cs_t = caar / (std_dev(&cars, 1) / nf.sqrt());
            let bmp_t = mean(&scars) / (std_dev(&scars, 1) / nf.sqrt());
            let kp_factor = (1.0 - pooled_correlation) / (1.0 + (nf - 1.0) * pooled_correlation);
            let kp_t = if kp_factor >= 0.0 {
                bmp_t * kp_factor.sqrt()
            } else {
                f64::NAN
            };
            let positive = cars.iter().filter(|c| **c > 0.0).count();
            let p_hat = mean(&all().map(|p| p.positive_share).collect::<Vec<_>>());
            let sign_z = (positive as f64 - nf * p_hat) / (nf * p_hat * (1.0 - p_hat)).sqrt();
            let corrado_z = ranks.as_ref().map_or(f64::NAN, |(kbar, s2)| {
                let sum: f64 = (w.start..=w.end)
                    .filter_map(|rel| {
                        let i = est_len + usize::try_from(rel - span.start).ok()?;
                        kbar.get(i).copied()
                    })
                    .sum();
                sum / (w.len() as f64 * s2).sqrt()
            });
            let test = |statistic: f64, p: f64| Test {
                statistic,
                p,
                n: big_n,
            };
            PooledWindow {
                window: *w,
                n: big_n,
                caar,
                cross_sectional: test(cs_t, p_student(cs_t, df)),
                bmp: test(bmp_t, p_student(bmp_t, df)),
                kolari_pynnonen: test(kp_t, p_student(kp_t, df)),
                pooled_correlation,
                sign: test(sign_z, p_normal(sign_z)),
                positive,
                expected_positive: p_hat,
                corrado: test(corrado_z, p_normal(corrado_z)),
            }
        })
        .collect();

    let crit = t_critical(0.05, nf - 1.0).unwrap_or(f64::NAN);
    let path = (span.start..=span.end)
        .enumerate()
        .map(|(d, rel)| {
            let v: Vec<f64> = observations
                .iter()
                .flat_map(|o| o.pairs.values())
                .filter_map(|p| p.path.get(d).copied())
                .collect();
            let n = v.len();
            CaarPoint {
                rel,
                caar: mean(&v),
                band: crit * std_dev(&v, 1) / (n as f64).sqrt(),
                n,
            }
        })
        .collect();

    Ok(PooledStudy {
        benchmark: first.benchmark.clone(),
        model: spec.model,
        events: kept.len(),
        observations: observations.len(),
        windows: pooled_windows,
        path,
        rows,
        clusters,
        dropped,
        notes,
    })
}

/// The sessions an event's pooled windows cover, from its stocks' ARs.
fn footprint(st: &EventStudy, reach: Window) -> (NaiveDate, NaiveDate) {
    let day = |rel: i32| {
        st.stocks
            .iter()
            .find_map(|s| s.ar(rel).map(|a| a.day))
            .unwrap_or(st.anchor.session)
    };
    (day(reach.start), day(reach.end))
}

/// A stock's CAR, SCAR (as the per-event study standardises it) and CAR path.
fn pair(s: &StockStudy, st: &EventStudy, windows: &[Window]) -> Pair {
    let l = s.estimation_days as f64;
    let (x_mean, sxx) = (st.cross.market_mean, st.cross.market_sxx);
    let prediction = |dev: f64, n: f64| match st.spec.model {
        NormalModel::Market => n + n * n / l + dev * dev / sxx,
        NormalModel::Mean | NormalModel::Adjusted => n,
    };
    let (mut car, mut scar) = (Vec::with_capacity(windows.len()), Vec::new());
    for w in windows {
        let (mut c, mut dev, mut n) = (0.0, 0.0, 0.0);
        for a in s.ars.iter().filter(|a| a.rel >= w.start && a.rel <= w.end) {
            c += a.ar;
            dev += a.market_ret - x_mean;
            n += 1.0;
        }
        car.push(c);
        scar.push(c / (s.sigma * prediction(dev, n).sqrt()));
    }
    Pair {
        car,
        scar,
        path: s.car_path.iter().map(|p| p.car).collect(),
        positive_share: s.estimation_positive,
    }
}

/// The members' average over distinct day-0 sessions of the average within each session.
fn merge<K>(
    members: &[usize],
    kept: &[(K, &EventStudy)],
    per_event: &[(BTreeMap<String, Pair>, NaiveDate, NaiveDate)],
) -> Observation {
    if let [only] = members {
        return Observation {
            pairs: per_event[*only].0.clone(),
            correlation: kept[*only].1.cross.residual_correlation,
            rank_means: kept[*only].1.cross.rank_means.clone(),
        };
    }
    // Weight of each member: 1 / (sessions × members on its session).
    let mut by_session: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for &m in members {
        *by_session.entry(kept[m].1.anchor.session).or_default() += 1;
    }
    let sessions = by_session.len() as f64;
    let weight = |m: usize| {
        let same = by_session
            .get(&kept[m].1.anchor.session)
            .copied()
            .unwrap_or(1);
        1.0 / (sessions * same as f64)
    };
    // Per stock: weighted sums, and the members' total weight that had the stock.
    let mut sums: BTreeMap<String, (Pair, f64)> = BTreeMap::new();
    for &m in members {
        let w = weight(m);
        for (sym, p) in &per_event[m].0 {
            let (acc, total) = sums.entry(sym.clone()).or_insert_with(|| {
                (
                    Pair {
                        car: vec![0.0; p.car.len()],
                        scar: vec![0.0; p.scar.len()],
                        path: vec![0.0; p.path.len()],
                        positive_share: 0.0,
                    },
                    0.0,
                )
            });
            add_scaled(&mut acc.car, &p.car, w);
            add_scaled(&mut acc.scar, &p.scar, w);
            add_scaled(&mut acc.path, &p.path, w);
            acc.positive_share += w * p.positive_share;
            *total += w;
        }
    }
    let pairs = sums
        .into_iter()
        .map(|(sym, (mut p, total))| {
            for v in p.car.iter_mut().chain(&mut p.scar).chain(&mut p.path) {
                *v /= total;
            }
            p.positive_share /= total;
            (sym, p)
        })
        .collect();
    let (mut corr, mut corr_w) = (0.0, 0.0);
    for &m in members {
        let r = kept[m].1.cross.residual_correlation;
        if r.is_finite() {
            corr += weight(m) * r;
            corr_w += weight(m);
        }
    }
    let mut ranks: Option<Vec<f64>> = None;
    for &m in members {
        let Some(k) = &kept[m].1.cross.rank_means else {
            ranks = None;
            break;
        };
        let acc = ranks.get_or_insert_with(|| vec![0.0; k.len()]);
        if acc.len() != k.len() {
            ranks = None;
            break;
        }
        add_scaled(acc, k, weight(m));
    }
    Observation {
        pairs,
        correlation: if corr_w > 0.0 {
            corr / corr_w
        } else {
            f64::NAN
        },
        rank_means: ranks,
    }
}

fn add_scaled(acc: &mut [f64], v: &[f64], w: f64) {
    for (a, x) in acc.iter_mut().zip(v) {
        *a += w * x;
    }
}

/// The pairs' mean centred ranks per day and their variance over the days; `None` when an
/// observation has none or the lengths differ.
fn pooled_ranks(observations: &[Observation]) -> Option<(Vec<f64>, f64)> {
    let mut kbar: Option<Vec<f64>> = None;
    let mut total = 0.0;
    for o in observations {
        let k = o.rank_means.as_ref()?;
        let acc = kbar.get_or_insert_with(|| vec![0.0; k.len()]);
        if acc.len() != k.len() {
            return None;
        }
        let n = o.pairs.len() as f64;
        add_scaled(acc, k, n);
        total += n;
    }
    let mut kbar = kbar?;
    if kbar.is_empty() || total <= 0.0 {
        return None;
    }
    for k in &mut kbar {
        *k /= total;
    }
    let s2 = kbar.iter().map(|k| k * k).sum::<f64>() / kbar.len() as f64;
    Some((kbar, s2))
}

/// The pooled study without one event, and which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut<K> {
    pub event: K,
    pub study: PooledStudy<K>,
}

/// The pooled study without the event `event` (an error if it is not among `events`).
pub fn without_event<K>(
    events: &[(K, &EventStudy)],
    windows: &[Window],
    event: &K,
) -> Result<LeftOut<K>, PooledError>
where
    K: Clone + Ord + Display,
{
    if !events.iter().any(|(k, _)| k == event) {
        return Err(PooledError::Invalid(format!(
            "event {event} is not among the {} events pooled",
            events.len()
        )));
    }
    let rest: Vec<(K, &EventStudy)> = events
        .iter()
        .filter(|(k, _)| k != event)
        .map(|(k, s)| (k.clone(), *s))
        .collect();
    Ok(LeftOut {
        event: event.clone(),
        study: pooled_study(&rest, windows)?,
    })
}

/// The pooled study without the event whose stocks' mean CAR over `by` is largest in absolute
/// value (ties: the earlier event, then the smaller key).
pub fn without_largest<K>(
    events: &[(K, &EventStudy)],
    windows: &[Window],
    by: Window,
) -> Result<LeftOut<K>, PooledError>
where
    K: Clone + Ord + Display,
{
    let full = pooled_study(events, windows)?;
    let j = windows
        .iter()
        .position(|w| *w == by)
        .ok_or_else(|| PooledError::Invalid(format!("window {by} is not among those pooled")))?;
    let largest = full
        .rows
        .iter()
        .filter(|r| r.mean_car[j].mean_car.is_finite())
        .fold(None::<&EventRow<K>>, |best, r| match best {
            Some(b) if b.mean_car[j].mean_car.abs() >= r.mean_car[j].mean_car.abs() => Some(b),
            _ => Some(r),
        })
        .ok_or_else(|| PooledError::Invalid("no event has a finite mean CAR".into()))?;
    without_event(events, windows, &largest.event.clone())
}

/// The same pooled study on sets of studies made against different benchmarks (e.g. SPY and
/// SOXX), each labelled by its benchmark.
pub fn by_benchmark<K>(
    sets: &[(String, Vec<(K, &EventStudy)>)],
    windows: &[Window],
) -> Vec<(String, Result<PooledStudy<K>, PooledError>)>
where
    K: Clone + Ord + Display,
{
    sets.iter()
        .map(|(label, events)| (label.clone(), pooled_study(events, windows)))
        .collect()
}

/// A number as a signed percentage with one decimal ("−1.2%", "+0.3%").
fn percent(v: f64) -> String {
    let s = format!("{:+.1}%", v * 100.0);
    s.replacen('-', "\u{2212}", 1)
}

fn signed(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}").replacen('-', "\u{2212}", 1)
}

fn p_text(p: f64) -> String {
    if p < 0.01 {
        "p < 0.01".into()
    } else {
        format!("p = {p:.2}")
    }
}

/// A class's outcome for [`sentence`]: its label ("efficiency") and its pooled study, or why
/// there is none.
pub struct ClassOutcome<'a, K> {
    pub class: &'a str,
    pub outcome: &'a Result<PooledStudy<K>, PooledError>,
}

impl<K> fmt::Debug for ClassOutcome<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClassOutcome({})", self.class)
    }
}

/// One sentence from the numbers, e.g. "Across 14 efficiency events, the vendors' mean
/// CAR[0,1] was −1.2% (BMP t = −2.1, p = 0.04); across 31 capability events +0.3% (BMP t =
/// 0.6, p = 0.52)." A class with too few events is said so in the sentence; if no class has
/// a result, the error is `TooFewEvents` of the first class (or `Invalid` when none is given or
/// the window was not pooled).
pub fn sentence<K>(classes: &[ClassOutcome<'_, K>], window: Window) -> Result<String, PooledError> {
    let mut parts = Vec::new();
    let mut first_error = None;
    let mut stated = 0;
    for c in classes {
        match c.outcome {
            Ok(st) => {
                let w = st.window(window).ok_or_else(|| {
                    PooledError::Invalid(format!(
                        "window {window} was not pooled for the {} events",
                        c.class
                    ))
                })?;
                let events = if st.observations == st.events {
                    format!("{} {} events", st.events, c.class)
                } else {
                    format!(
                        "{} {} events ({} after clustering overlapping windows)",
                        st.events, c.class, st.observations
                    )
                };
                let tests = format!(
                    "BMP t = {}, {}",
                    signed(w.bmp.statistic, 1),
                    p_text(w.bmp.p)
                );
                let part = if stated == 0 {
                    format!(
                        "across {events}, the vendors' mean CAR[{},{}] was {} ({tests})",
                        window.start,
                        window.end,
                        percent(w.caar)
                    )
                } else {
                    format!("across {events} {} ({tests})", percent(w.caar))
                };
                parts.push(part);
                stated += 1;
            }
            Err(e) => {
                let part = match e {
                    PooledError::TooFewEvents { events, .. } => format!(
                        "{} {} event{} too few to pool",
                        events,
                        c.class,
                        if *events == 1 { " is" } else { "s are" }
                    ),
                    other => format!("no result for the {} events: {other}", c.class),
                };
                parts.push(part);
                first_error.get_or_insert_with(|| e.clone());
            }
        }
    }
    if stated == 0 {
        return Err(first_error
            .unwrap_or_else(|| PooledError::Invalid("no event class to describe".into())));
    }
    let text = parts.join("; ");
    let mut chars = text.chars();
    let capital = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default();
    Ok(format!("{capital}."))
}
