//! A fake Yahoo Finance chart API on 127.0.0.1 serving `COUNT` symbols in the real format, for
//! scripts/fault-kill-backfill:
//!
//!     cargo run --example fake_prices -- [COUNT] [PRICES_DIR]
//!
//! The series are the real ones of `PRICES_DIR` (default `data/prices`): symbol i serves file
//! i mod N, under its own name the first time round and as `NVDA-1`, `NVDA-2` … after that.
//! Prints its base URL on the first line, then serves until killed: `GET /symbols` lists the
//! symbols comma-separated; `GET /v8/finance/chart/{symbol}` answers as Yahoo does, with
//! Yahoo's "Not Found" body for any other symbol. `GET /revision/{n}` revises every series from
//! then on, as a provider revises adjusted closes after a dividend: revision n multiplies
//! `adj_close` by 1 + n/1000; revision 0 (the start) is the files' own values.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Context;
use jevons_core::PriceBar;
use jevons_market::fake::{yahoo_chart_json, yahoo_not_found_json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = match args.next() {
        Some(n) => n.parse().context("COUNT must be a number")?,
        None => 500,
    };
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "data/prices".into()));
    let files = jevons_market::csv_file::read_path(&dir)
        .with_context(|| format!("reading {}", dir.display()))?;
    anyhow::ensure!(!files.is_empty(), "no price files in {}", dir.display());

    let mut symbols = Vec::with_capacity(count);
    let mut series: HashMap<String, (String, Vec<PriceBar>, Vec<u8>)> =
        HashMap::with_capacity(count);
    for i in 0..count {
        let (symbol, bars) = &files[i % files.len()];
        let round = i / files.len();
        let name = if round == 0 {
            symbol.to_string()
        } else {
            format!("{symbol}-{round}")
        };
        let body = serde_json::to_vec(&yahoo_chart_json(&name, bars))?;
        series.insert(
            format!("/v8/finance/chart/{name}"),
            (name.clone(), bars.clone(), body),
        );
        symbols.push(name);
    }
    let list = symbols.join(",");
    let revision = Arc::new(AtomicU32::new(0));

    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let server = MockServer::builder()
        .listener(listener)
        .disable_request_recording()
        .start()
        .await;
    Mock::given(method("GET"))
        .respond_with(move |request: &Request| {
            let path = request.url.path();
            if path == "/symbols" {
                return ResponseTemplate::new(200).set_body_string(list.clone());
            }
            if let Some(n) = path.strip_prefix("/revision/") {
                return match n.parse() {
                    Ok(n) => {
                        revision.store(n, Ordering::SeqCst);
                        ResponseTemplate::new(200).set_body_string(n.to_string())
                    }
                    Err(_) => ResponseTemplate::new(400),
                };
            }
            let Some((name, bars, body)) = series.get(path) else {
                return ResponseTemplate::new(404).set_body_json(yahoo_not_found_json());
            };
            match revision.load(Ordering::SeqCst) {
                0 => ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"),
                n => {
                    let factor = 1.0 + f64::from(n) / 1000.0;
                    let revised: Vec<PriceBar> = bars
                        .iter()
                        .map(|b| PriceBar {
                            adj_close: b.adj_close * factor,
                            ..b.clone()
                        })
                        .collect();
                    ResponseTemplate::new(200).set_body_json(yahoo_chart_json(name, &revised))
                }
            }
        })
        .mount(&server)
        .await;

    let mut out = std::io::stdout();
    writeln!(out, "{}", server.uri())?;
    out.flush()?;
    // Serve until killed.
    std::future::pending::<()>().await;
    Ok(())
}
