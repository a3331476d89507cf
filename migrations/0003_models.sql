-- AI models, the names sources use for them, benchmark scores and API prices.
-- Scores and prices are never matched to a model at write time: a source's name is kept as
-- written (plus its normalised key) and resolved through `model_key_map` when read, so a new
-- alias or a model imported later matches old rows too, and unmatched names stay listed.

CREATE TABLE ai_models (
    id                    bigserial PRIMARY KEY,
    -- normalised canonical name (see jevons-benchmarks names::model_key)
    key                   text NOT NULL UNIQUE,
    name                  text NOT NULL,
    organization          text,
    released              date,
    params_total          double precision CHECK (params_total IS NULL OR params_total > 0),
    params_active         double precision CHECK (params_active IS NULL OR params_active > 0),
    training_compute_flop double precision CHECK (training_compute_flop IS NULL OR training_compute_flop > 0),
    training_cost_usd     double precision CHECK (training_cost_usd IS NULL OR training_cost_usd >= 0),
    -- what the cost means, e.g. "Epoch AI estimate of the final training run, 2023 USD"
    cost_basis            text,
    hardware              text,
    hardware_quantity     double precision,
    open_weights          boolean,
    accessibility         text,
    domain                text,
    url                   text,
    source                text NOT NULL,
    source_url            text,
    fetched_at            timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ai_models_released ON ai_models (released);

-- Names for models: the explicit alias table of the repo (origin 'alias-table') and each
-- catalogue's own spelling. alias_key → canonical_key (an ai_models.key).
CREATE TABLE model_aliases (
    alias         text PRIMARY KEY,
    alias_key     text NOT NULL,
    canonical_key text NOT NULL,
    origin        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX model_aliases_key ON model_aliases (alias_key);

-- One score per (source, model name, benchmark, metric, snapshot). `value` is on the
-- benchmark's scale (fractions for accuracies), `raw_value` as the source printed it.
CREATE TABLE benchmark_scores (
    id             bigserial PRIMARY KEY,
    source         text NOT NULL,
    model_name     text NOT NULL,
    model_key      text NOT NULL,
    benchmark_key  text NOT NULL,
    benchmark_name text NOT NULL,
    metric         text NOT NULL,
    value          double precision NOT NULL,
    raw_value      double precision NOT NULL,
    scale          text NOT NULL CHECK (scale IN ('fraction', 'elo', 'points')),
    as_of          date,
    self_reported  boolean NOT NULL,
    url            text,
    source_url     text,
    fetched_at     timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX benchmark_scores_natural
    ON benchmark_scores (source, model_name, benchmark_key, metric, (COALESCE(as_of, DATE '0001-01-01')));
CREATE INDEX benchmark_scores_model ON benchmark_scores (model_key);
CREATE INDEX benchmark_scores_benchmark ON benchmark_scores (benchmark_key);

-- API prices per 1M tokens. LiteLLM gives no per-model date: `effective` is the snapshot date.
CREATE TABLE model_prices (
    id                  bigserial PRIMARY KEY,
    source              text NOT NULL,
    model_name          text NOT NULL,
    model_key           text NOT NULL,
    provider            text NOT NULL,
    input_usd_per_mtok  double precision CHECK (input_usd_per_mtok IS NULL OR input_usd_per_mtok >= 0),
    output_usd_per_mtok double precision CHECK (output_usd_per_mtok IS NULL OR output_usd_per_mtok >= 0),
    effective           date NOT NULL,
    source_url          text,
    fetched_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, model_name, provider, effective)
);

CREATE INDEX model_prices_model ON model_prices (model_key);

-- Which model a normalised name belongs to: a model's own key wins, then the alias table.
CREATE VIEW model_key_map AS
SELECT DISTINCT ON (k.model_key) k.model_key, m.id AS model_id
FROM (
    SELECT key AS model_key, key AS canonical_key, 0 AS priority FROM ai_models
    UNION ALL
    SELECT alias_key, canonical_key, 1 FROM model_aliases
) k
JOIN ai_models m ON m.key = k.canonical_key
ORDER BY k.model_key, k.priority;
