//! The class of every model release from the price–score frontier at its release: efficiency
//! (cheaper than every earlier model scoring at least as high, on a benchmark), capability (a new
//! best score), both or neither. The `events.study` job stores them; pages and the pooled
//! studies read them.

use std::collections::HashMap;

use chrono::NaiveDate;
use jevons_analytics::efficiency::{FrontierOptions, KnownBy};
use jevons_core::Settings;
use jevons_store::PgPool;
use jevons_store::release_classes::{self, ClassifiedRelease, ReleaseClass};

use crate::models::{FrontierMove, ModelDataError, frontier_changes};

/// The rule, as the pages state it.
pub const RULE: &str = "A release is an efficiency event when, on some benchmark, it costs less (blended API price) than every earlier model that scores at least as high; a capability event when it sets a new best score among priced models; both, or neither. Each release is compared with the frontier of the day before it, with models counted at their first known price.";

/// Classifies the releases in `[from, to]` that have a score on some benchmark.
pub async fn classify(
    pool: &PgPool,
    settings: &Settings,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ClassifiedRelease>, ModelDataError> {
    let opts = FrontierOptions {
        input_share: settings.models.input_share,
        known_by: KnownBy::EarliestKnown,
    };
    // frontier_changes takes (from, to]: start the day before.
    let before = from.pred_opt().unwrap_or(from);
    let changes = frontier_changes(pool, before, to, &opts).await?;
    let mut by_model: HashMap<i64, ClassifiedRelease> = HashMap::new();
    for (id, name, released) in release_classes::scored_releases(pool, from, to).await? {
        by_model.insert(
            id,
            ClassifiedRelease {
                model_id: id,
                model: name,
                released,
                class: ReleaseClass::Neither,
                efficiency_benchmark: None,
                price_ratio: None,
                undercut_model: None,
                capability_benchmark: None,
                score_gain: None,
                previous_best_model: None,
            },
        );
    }
    for c in &changes {
        let Some(r) = by_model.get_mut(&c.model.model_id) else {
            continue;
        };
        match c.movement {
            FrontierMove::Cheaper => {
                let ratio = c.previous.price / c.model.price;
                if ratio > 1.0 && ratio.is_finite() && r.price_ratio.is_none_or(|p| ratio > p) {
                    r.price_ratio = Some(ratio);
                    r.efficiency_benchmark = Some(c.benchmark.clone());
                    r.undercut_model = Some(c.previous.model.clone());
                }
            }
            FrontierMove::NewBest => {
                let gain = c.model.score - c.previous.score;
                if gain > 0.0 && gain.is_finite() && r.score_gain.is_none_or(|g| gain > g) {
                    r.score_gain = Some(gain);
                    r.capability_benchmark = Some(c.benchmark.clone());
                    r.previous_best_model = Some(c.previous.model.clone());
                }
            }
        }
    }
    let mut out: Vec<ClassifiedRelease> = by_model
        .into_values()
        .map(|mut r| {
            r.class = match (r.price_ratio.is_some(), r.score_gain.is_some()) {
                (true, true) => ReleaseClass::Both,
                (true, false) => ReleaseClass::Efficiency,
                (false, true) => ReleaseClass::Capability,
                (false, false) => ReleaseClass::Neither,
            };
            r
        })
        .collect();
    out.sort_by(|a, b| (a.released, &a.model).cmp(&(b.released, &b.model)));
    Ok(out)
}

/// Classifies the releases from `[jevons] start` to `to` and stores them; rows written.
pub async fn store_classes(
    pool: &PgPool,
    settings: &Settings,
    to: NaiveDate,
) -> Result<u64, ModelDataError> {
    let classes = classify(pool, settings, settings.jevons.start, to).await?;
    Ok(release_classes::replace(pool, &classes).await?)
}
