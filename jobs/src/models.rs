//! Model data: the `models.fetch` job (download every configured source, weekly), file imports
//! and the bundled files loaded into an empty database. Parsing is jevons-benchmarks', writing
//! jevons-store's; this module wires them with the alias table.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use jevons_benchmarks::epoch::{hub_benchmark_from_file_name, hub_zip_entries};
use jevons_benchmarks::fetch::{FetchPolicy, client, fetch};
use jevons_benchmarks::{AliasTable, Format, ParseOptions, SourceBatch, snapshot_from_file_name};
use jevons_core::Settings;
use jevons_core::retry::RetryPolicy;
use jevons_store::PgPool;
use jevons_store::models::{self, AliasRow, ImportStats};

#[derive(Debug, thiserror::Error)]
pub enum ModelsError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}: {source}")]
    Parse {
        what: String,
        #[source]
        source: jevons_benchmarks::ParseError,
    },
    #[error(transparent)]
    Fetch(#[from] jevons_benchmarks::fetch::FetchError),
    #[error(transparent)]
    Store(#[from] jevons_store::StoreError),
    #[error("{0}")]
    Invalid(String),
}

fn read(path: &Path) -> Result<Vec<u8>, ModelsError> {
    std::fs::read(path).map_err(|source| ModelsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Loads the repo's alias table into `model_aliases` (missing file: nothing to do).
pub async fn sync_aliases(pool: &PgPool, path: &Path) -> Result<u64, ModelsError> {
    if !path.exists() {
        tracing::warn!(path = %path.display(), "no alias table");
        return Ok(0);
    }
    let text = String::from_utf8_lossy(&read(path)?).into_owned();
    let table = AliasTable::from_csv(&text).map_err(|source| ModelsError::Parse {
        what: path.display().to_string(),
        source,
    })?;
    let rows: Vec<AliasRow> = table
        .entries
        .iter()
        .map(|e| AliasRow {
            alias: e.alias.clone(),
            alias_key: jevons_benchmarks::model_key(&e.alias),
            canonical_key: jevons_benchmarks::model_key(&e.canonical),
            valid_until: e.until,
        })
        .collect();
    Ok(models::sync_alias_table(pool, &rows).await?)
}

/// Parses `bytes` and writes them in one transaction (nothing on any bad row).
pub async fn import_bytes(
    pool: &PgPool,
    what: &str,
    bytes: &[u8],
    format: Format,
    opts: &ParseOptions,
) -> Result<ImportStats, ModelsError> {
    let batch =
        jevons_benchmarks::parse(format, bytes, opts).map_err(|source| ModelsError::Parse {
            what: what.to_string(),
            source,
        })?;
    Ok(models::import_batch_with(pool, &batch, model_write(&batch)).await?)
}

/// The batches of a Benchmarking Hub download: every wanted CSV of the zip (`wanted` names
/// without `.csv`; the ECI file always), all parsed before anything is written.
fn parse_hub_zip(
    what: &str,
    bytes: &[u8],
    wanted: &[String],
    opts: &ParseOptions,
) -> Result<Vec<SourceBatch>, ModelsError> {
    let parse_err = |name: &str, source| ModelsError::Parse {
        what: format!("{what}: {name}"),
        source,
    };
    let entries = hub_zip_entries(bytes).map_err(|e| parse_err("", e))?;
    let mut batches = Vec::new();
    for (name, data) in entries {
        let stem = name.trim_end_matches(".csv");
        let format = if stem == "epoch_capabilities_index" {
            Format::EpochEci
        } else if wanted.iter().any(|w| w == stem) {
            Format::EpochHub
        } else {
            continue;
        };
        let opts = ParseOptions {
            benchmark: hub_benchmark_from_file_name(&name),
            ..opts.clone()
        };
        batches
            .push(jevons_benchmarks::parse(format, &data, &opts).map_err(|e| parse_err(&name, e))?);
    }
    if batches.is_empty() {
        return Err(ModelsError::Invalid(format!(
            "{what}: none of the benchmark files {wanted:?} is in the zip"
        )));
    }
    Ok(batches)
}

/// The ECI's model list only fills gaps of the notable-models catalogue.
fn model_write(batch: &SourceBatch) -> models::ModelWrite {
    if batch.source == jevons_benchmarks::epoch::ECI_SOURCE {
        models::ModelWrite::FillMissing
    } else {
        models::ModelWrite::Upsert
    }
}

/// Writes parsed batches, one transaction each; the stats added up.
async fn import_batches(
    pool: &PgPool,
    batches: &[SourceBatch],
) -> Result<ImportStats, ModelsError> {
    let mut total = ImportStats::default();
    for b in batches {
        let s = models::import_batch_with(pool, b, model_write(b)).await?;
        for (t, x) in [
            (&mut total.models, s.models),
            (&mut total.scores, s.scores),
            (&mut total.prices, s.prices),
        ] {
            t.rows += x.rows;
            t.inserted += x.inserted;
            t.updated += x.updated;
            t.unchanged += x.unchanged;
        }
        total.unmatched_names += s.unmatched_names;
    }
    Ok(total)
}

/// Records a fresh LiteLLM snapshot as changes against the stored prices of its source: only
/// the names that appear, change their input/output price or disappear get a row, dated `day`.
/// Running it again with the same file writes nothing.
pub async fn record_price_changes(
    pool: &PgPool,
    snapshot: &SourceBatch,
    day: NaiveDate,
) -> Result<ImportStats, ModelsError> {
    let state = models::price_state(pool, &snapshot.source, day).await?;
    let changed = jevons_benchmarks::history::changes(&state, &snapshot.prices, day);
    let batch = SourceBatch {
        prices: changed,
        ..snapshot.clone()
    };
    Ok(models::import_batch(pool, &batch).await?)
}

/// `jevons import models FILE --format F`: the snapshot is `snapshot`, else a date in the file
/// name; the generic format's source defaults to the file's stem. `epoch-hub` takes one of the
/// zip's CSV files (the benchmark is the file's name) or the whole zip.
pub async fn import_file(
    pool: &PgPool,
    settings: &Settings,
    path: &Path,
    format: Format,
    snapshot: Option<NaiveDate>,
    source: Option<String>,
    self_reported: bool,
) -> Result<ImportStats, ModelsError> {
    sync_aliases(pool, &settings.models.alias_file).await?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let opts = ParseOptions {
        snapshot: snapshot.or_else(|| snapshot_from_file_name(name)),
        source: source.or_else(|| {
            path.file_stem()
                .and_then(|s| s.to_str())
                .map(|s| s.replace('_', "-"))
        }),
        source_url: None,
        self_reported,
        benchmark: hub_benchmark_from_file_name(name),
    };
    let what = path.display().to_string();
    if format == Format::EpochHub && name.ends_with(".zip") {
        let batches = parse_hub_zip(&what, &read(path)?, &settings.models.hub_benchmarks, &opts)?;
        return import_batches(pool, &batches).await;
    }
    import_bytes(pool, &what, &read(path)?, format, &opts).await
}

/// One line of `data/models/manifest.csv`: `file,format,snapshot,source,self_reported`.
#[derive(Debug, Clone, serde::Deserialize)]
struct ManifestRow {
    file: String,
    format: String,
    snapshot: Option<String>,
    source: Option<String>,
    self_reported: Option<bool>,
}

/// Imports every file the bundle's manifest lists, in order. Returns (file, stats) per file.
pub async fn load_bundled(
    pool: &PgPool,
    settings: &Settings,
) -> Result<Vec<(String, ImportStats)>, ModelsError> {
    let dir = &settings.models.bundled_dir;
    let manifest = dir.join("manifest.csv");
    let text = read(&manifest)?;
    sync_aliases(pool, &settings.models.alias_file).await?;
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_slice());
    let mut out = Vec::new();
    for row in reader.deserialize::<ManifestRow>() {
        let row = row.map_err(|e| ModelsError::Invalid(format!("{}: {e}", manifest.display())))?;
        let format = Format::parse(&row.format).map_err(ModelsError::Invalid)?;
        let snapshot = match row.snapshot.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                ModelsError::Invalid(format!(
                    "{}: snapshot `{s}` is not YYYY-MM-DD",
                    manifest.display()
                ))
            })?),
        };
        let path = dir.join(&row.file);
        let opts = ParseOptions {
            snapshot,
            source: row.source.filter(|s| !s.is_empty()),
            source_url: None,
            self_reported: row.self_reported.unwrap_or(false),
            benchmark: hub_benchmark_from_file_name(&row.file),
        };
        let stats = import_bytes(
            pool,
            &path.display().to_string(),
            &read(&path)?,
            format,
            &opts,
        )
        .await?;
        tracing::info!(file = %row.file, written = stats.written(), unmatched = stats.unmatched_names, "bundled model data loaded");
        out.push((row.file, stats));
    }
    Ok(out)
}

/// What one `models.fetch` run did.
#[derive(Debug, Default)]
pub struct FetchReport {
    pub sources: Vec<(String, ImportStats)>,
    pub failed: Vec<String>,
}

impl FetchReport {
    pub fn rows_written(&self) -> u64 {
        self.sources.iter().map(|(_, s)| s.written()).sum()
    }

    pub fn error_text(&self) -> Option<String> {
        (!self.failed.is_empty()).then(|| self.failed.join("\n"))
    }
}

/// Downloads every configured source and imports it; one failing source does not stop the others.
pub async fn fetch_sources(pool: &PgPool, settings: &Settings) -> Result<FetchReport, ModelsError> {
    fetch_sources_on(pool, settings, Utc::now().date_naive()).await
}

/// [`fetch_sources`] as if run on `today` (the snapshot day and the date of price changes).
pub async fn fetch_sources_on(
    pool: &PgPool,
    settings: &Settings,
    today: NaiveDate,
) -> Result<FetchReport, ModelsError> {
    let m = &settings.models;
    let policy = FetchPolicy {
        timeout: std::time::Duration::from_secs(m.timeout_secs.max(1)),
        retry: RetryPolicy::from_millis(m.max_attempts, m.backoff_base_ms, m.backoff_max_ms),
    };
    let http = client(&policy)?;
    sync_aliases(pool, &m.alias_file).await?;
    let mut report = FetchReport::default();
    for source in &m.sources {
        let result = async {
            let format = Format::parse(&source.format).map_err(ModelsError::Invalid)?;
            let bytes = fetch(&http, &source.url, &policy).await;
            jevons_core::telemetry::count_fetch(&format!("models:{}", source.format), &bytes);
            let bytes = bytes?;
            let opts = ParseOptions {
                snapshot: source.snapshot_is_fetch_day.then_some(today),
                source: None,
                source_url: Some(source.url.clone()),
                self_reported: false,
                benchmark: hub_benchmark_from_file_name(&source.url),
            };
            match format {
                Format::EpochHub if !source.url.ends_with(".csv") => {
                    let batches = parse_hub_zip(&source.url, &bytes, &m.hub_benchmarks, &opts)?;
                    import_batches(pool, &batches).await
                }
                Format::Litellm => {
                    let opts = ParseOptions {
                        snapshot: Some(today),
                        ..opts
                    };
                    let snapshot =
                        jevons_benchmarks::parse(format, &bytes, &opts).map_err(|source_err| {
                            ModelsError::Parse {
                                what: source.url.clone(),
                                source: source_err,
                            }
                        })?;
                    record_price_changes(pool, &snapshot, today).await
                }
                _ => import_bytes(pool, &source.url, &bytes, format, &opts).await,
            }
        }
        .await;
        match result {
            Ok(stats) => {
                tracing::info!(url = %source.url, written = stats.written(), "model source fetched");
                report.sources.push((source.url.clone(), stats));
            }
            Err(e) => {
                tracing::warn!(url = %source.url, error = %e, "model source failed");
                report.failed.push(format!("{}: {e}", source.url));
            }
        }
    }
    Ok(report)
}
