//! The models tables: idempotent snapshots, alias resolution and unmatched names.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use jevons_core::ai::{ModelRecord, PriceRecord, ScoreRecord, ScoreScale, SourceBatch};
use jevons_store::models::{self, AliasRow};
use jevons_store::testing::fresh_database;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn model(name: &str, key: &str, released: &str) -> ModelRecord {
    ModelRecord {
        name: name.into(),
        key: key.into(),
        organization: Some("DeepSeek".into()),
        released: Some(day(released)),
        params_total: Some(671e9),
        params_active: None,
        training_compute_flop: Some(5.17e24),
        training_cost_usd: Some(6.77e6),
        cost_basis: None,
        hardware: None,
        hardware_quantity: None,
        open_weights: Some(true),
        accessibility: None,
        domain: None,
        url: None,
    }
}

fn price(name: &str, key: &str, input: f64, output: f64, effective: &str) -> PriceRecord {
    PriceRecord {
        model_name: name.into(),
        model_key: key.into(),
        provider: "deepseek".into(),
        input_usd_per_mtok: Some(input),
        output_usd_per_mtok: Some(output),
        effective: day(effective),
        dated: false,
        removed: false,
    }
}

fn score(name: &str, key: &str, value: f64) -> ScoreRecord {
    ScoreRecord {
        model_name: name.into(),
        model_key: key.into(),
        benchmark_key: "gpqa-diamond".into(),
        benchmark_name: "GPQA Diamond".into(),
        metric: "accuracy".into(),
        value,
        raw_value: value,
        scale: ScoreScale::Fraction,
        as_of: None,
        self_reported: false,
        url: None,
    }
}

#[tokio::test]
async fn snapshots_are_idempotent_and_aliases_resolve_late() {
    let db = fresh_database().await;
    let pool = &db.pool;
    assert!(models::is_empty(pool).await.unwrap());

    // Prices arrive before the catalogue: kept, listed as unmatched.
    let prices = SourceBatch {
        source: "litellm".into(),
        prices: vec![
            price(
                "deepseek/deepseek-reasoner",
                "deepseek-reasoner",
                0.55,
                2.19,
                "2025-02-06",
            ),
            price("mystery-model", "mystery-model", 1.0, 1.0, "2025-02-06"),
        ],
        ..SourceBatch::default()
    };
    let s = models::import_batch(pool, &prices).await.unwrap();
    assert_eq!((s.prices.inserted, s.unmatched_names), (2, 2));
    let again = models::import_batch(pool, &prices).await.unwrap();
    assert_eq!(
        (
            again.prices.inserted,
            again.prices.updated,
            again.prices.unchanged
        ),
        (0, 0, 2)
    );
    assert_eq!(models::unmatched(pool, None, 100).await.unwrap().len(), 2);

    let catalogue = SourceBatch {
        source: "epoch-models".into(),
        models: vec![model("DeepSeek-R1", "deepseek-r1", "2025-01-20")],
        scores: vec![score("DeepSeek-R1", "deepseek-r1", 0.7172)],
        ..SourceBatch::default()
    };
    models::import_batch(pool, &catalogue).await.unwrap();
    let again = models::import_batch(pool, &catalogue).await.unwrap();
    assert_eq!(again.written(), 0, "{again:?}");

    models::sync_alias_table(
        pool,
        &[AliasRow {
            alias: "deepseek/deepseek-reasoner".into(),
            alias_key: "deepseek-reasoner".into(),
            canonical_key: "deepseek-r1".into(),
            valid_until: Some(day("2026-12-31")),
        }],
    )
    .await
    .unwrap();
    let id = models::model_id_for_key(pool, "deepseek-reasoner")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        models::model_id_for_key(pool, "deepseek-r1").await.unwrap(),
        Some(id)
    );
    let p = models::prices_for_model(pool, id).await.unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].input_usd_per_mtok, p[0].output_usd_per_mtok),
        (Some(0.55), Some(2.19))
    );
    let unmatched = models::unmatched(pool, None, 100).await.unwrap();
    assert_eq!(
        unmatched
            .iter()
            .map(|u| u.model_name.as_str())
            .collect::<Vec<_>>(),
        vec!["mystery-model"]
    );

    // A new snapshot adds rows; the old one stays.
    let next = SourceBatch {
        source: "litellm".into(),
        prices: vec![price(
            "deepseek/deepseek-reasoner",
            "deepseek-reasoner",
            0.55,
            2.19,
            "2026-07-24",
        )],
        ..SourceBatch::default()
    };
    let s = models::import_batch(pool, &next).await.unwrap();
    assert_eq!(s.prices.inserted, 1);
    assert_eq!(models::prices_for_model(pool, id).await.unwrap().len(), 2);
    // After the alias's last day the vendor's name means another model: unmatched, not R1's.
    let moved = SourceBatch {
        source: "litellm".into(),
        prices: vec![price(
            "deepseek/deepseek-reasoner",
            "deepseek-reasoner",
            0.28,
            0.42,
            "2027-01-15",
        )],
        ..SourceBatch::default()
    };
    models::import_batch(pool, &moved).await.unwrap();
    assert_eq!(models::prices_for_model(pool, id).await.unwrap().len(), 2);
    assert!(
        models::unmatched(pool, Some("litellm"), 100)
            .await
            .unwrap()
            .iter()
            .any(|u| u.model_name == "deepseek/deepseek-reasoner")
    );

    let m = models::get_model(pool, id).await.unwrap().unwrap();
    assert_eq!((m.scores, m.prices), (1, 2));
    let names = models::names_for_model(pool, id).await.unwrap();
    assert!(
        names
            .iter()
            .any(|(o, n)| o == "alias-table" && n == "deepseek/deepseek-reasoner"),
        "{names:?}"
    );
    let b = models::benchmarks(pool).await.unwrap();
    assert_eq!((b[0].key.as_str(), b[0].models), ("gpqa-diamond", 1));
}
