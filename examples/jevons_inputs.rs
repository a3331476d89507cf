//! Writes the inputs of scripts/jevons_reference.py from the bundled data, as jevons reads them
//! from the store: `models.csv` (GPQA Diamond price points), `demand.csv` (the current quarterly
//! facts) and `thresholds.csv` (the GPT-4o and o1 levels). Used by
//! scripts/jevons-reference-bundled:
//!
//!     cargo run --example jevons_inputs -- OUT_DIR
//!
//! Uses DATABASE_URL when set (loading the bundled data into an empty database), else the
//! embedded cluster.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use jevons_core::Settings;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: jevons_inputs OUT_DIR")?,
    );
    std::fs::create_dir_all(&out)?;
    let settings = Settings::load(std::path::Path::new("config"))?;
    let db = jevons::startup::open_database(&settings).await?;
    jevons::startup::prepare_data(&settings, &db.pool).await?;

    let (_, scores, points) =
        jevons_insights::jevons::benchmark_points(&db.pool, &settings, "gpqa-diamond").await?;
    let mut models = String::from("model,released,score,usd_per_mtok,effective,basis\n");
    for p in &points {
        // The reader splits on commas: none may be in a name.
        let _ = writeln!(
            models,
            "{},{},{},{},{},{}",
            p.model.replace(',', ";"),
            p.released,
            p.score,
            p.usd_per_mtok,
            p.effective,
            p.basis.as_str()
        );
    }
    std::fs::write(out.join("models.csv"), models)?;

    let mut thresholds = String::from("label,kind,value,rule\n");
    for (name, rule) in [
        ("GPT-4o", "step_changes"),
        ("GPT-4o", "cheapest_at_arrival"),
        ("o1", "step_changes"),
    ] {
        let score = scores
            .iter()
            .filter(|s| s.model.as_deref() == Some(name))
            .map(|s| s.value)
            .reduce(f64::max)
            .with_context(|| format!("{name} has no GPQA Diamond score"))?;
        let _ = writeln!(thresholds, "{name} level {rule},score,{score},{rule}");
    }
    std::fs::write(out.join("thresholds.csv"), thresholds)?;

    let mut demand =
        String::from("symbol,metric,fiscal_period,period_start,period_end,value_usd,provenance\n");
    for f in jevons_insights::jevons::demand_facts(&db.pool).await? {
        let _ = writeln!(
            demand,
            "{},{},{},{},{},{},{}",
            f.symbol,
            f.metric,
            f.fiscal_period,
            f.period_start.map(|d| d.to_string()).unwrap_or_default(),
            f.period_end,
            f.value_usd,
            f.provenance.as_str()
        );
    }
    std::fs::write(out.join("demand.csv"), demand)?;
    println!(
        "wrote {} price points and the demand facts to {}",
        points.len(),
        out.display()
    );
    Ok(())
}
