//! Times the full event study (price series → returns panel → every event's study with all
//! tests) on a long CSV `symbol,day,adj_close` and a file of event days, for
//! scripts/bench-event-study. Prints one JSON line.
//!
//! Also times the pooled study of all those events (default pooled windows) on top of the
//! per-event studies, and prints the ratio (studies + pooling) / studies: issue 12 asks for
//! at most 1.5.
//!
//! Usage: bench_event_study PRICES.csv EVENTS.txt BENCHMARK RUNS

use std::time::Instant;

// The allocator the jevons binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use chrono::NaiveDate;
use jevons_analytics::anchoring::EventTiming;
use jevons_analytics::event_study::{EventStudy, StudySpec, event_studies};
use jevons_analytics::pooled::{default_windows, pooled_study};
use jevons_analytics::returns::return_panel;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        return Err("usage: bench_event_study PRICES.csv EVENTS.txt BENCHMARK RUNS".into());
    }
    let text = std::fs::read_to_string(&args[1])?;
    let mut series: Vec<(String, Vec<(NaiveDate, f64)>)> = Vec::new();
    for line in text.lines().skip(1) {
        let mut f = line.split(',');
        let (Some(sym), Some(day), Some(close)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d")?;
        let close: f64 = close.parse()?;
        match series.last_mut() {
            Some((s, v)) if s == sym => v.push((day, close)),
            _ => series.push((sym.to_string(), vec![(day, close)])),
        }
    }
    let events: Vec<(usize, EventTiming)> = std::fs::read_to_string(&args[2])?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            NaiveDate::parse_from_str(l.trim(), "%Y-%m-%d").map(|d| (i, EventTiming::day(d)))
        })
        .collect::<Result<_, _>>()?;
    let benchmark = args[3].as_str();
    let runs: usize = args[4].parse()?;
    let symbols: Vec<String> = series.iter().map(|s| s.0.clone()).collect();
    let spec = StudySpec::default();

    let mut best = f64::INFINITY;
    let mut best_pool = f64::INFINITY;
    let mut pooled_caar = f64::NAN;
    let mut checksum = 0.0;
    let mut studied = 0usize;
    let mut skipped = 0usize;
    for _ in 0..runs.max(1) {
        let t0 = Instant::now();
        let prices = series.iter().map(|(s, b)| (s.as_str(), b.as_slice()));
        let panel = return_panel(prices, benchmark, &symbols)?;
        let results = event_studies(&panel, &events, &spec);
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        best = best.min(ms);
        let t1 = Instant::now();
        let ok: Vec<(usize, &EventStudy)> = results
            .iter()
            .filter_map(|(k, r)| r.as_ref().ok().map(|s| (*k, s)))
            .collect();
        let pooled = pooled_study(&ok, &default_windows()).map_err(|e| e.to_string())?;
        best_pool = best_pool.min(t1.elapsed().as_secs_f64() * 1e3);
        pooled_caar = pooled.windows.first().map_or(f64::NAN, |w| w.caar);
        checksum = 0.0;
        studied = 0;
        skipped = 0;
        for (_, r) in &results {
            let st = r.as_ref().map_err(|e| e.to_string())?;
            skipped += st.skipped.len();
            for s in &st.stocks {
                studied += 1;
                checksum += s.cars.iter().map(|c| c.car).sum::<f64>();
            }
        }
    }
    println!(
        "{{\"impl\":\"jevons\",\"ms\":{best:.3},\"pool_ms\":{best_pool:.3},\"pooled_ratio\":{:.3},\"pooled_caar00\":{pooled_caar:.9},\"stock_events\":{studied},\"skipped\":{skipped},\"car_sum\":{checksum:.12},\"threads\":{}}}",
        (best + best_pool) / best,
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    );
    Ok(())
}
