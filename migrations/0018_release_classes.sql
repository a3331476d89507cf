-- The class of every model release, from the price–score frontier at its release (written by the
-- `events.study` job, recomputed when the model data changes):
--   efficiency  it costs less than every earlier model scoring at least as high, on a benchmark;
--   capability  it sets a new best score on a benchmark;
--   both, or neither (scored on a benchmark that had a frontier, but moved none).
-- The benchmark where each shows most, with its margin, is kept for the pages.

CREATE TABLE release_classes (
    model_id              bigint PRIMARY KEY REFERENCES ai_models (id) ON DELETE CASCADE,
    model                 text NOT NULL,
    released              date NOT NULL,
    class                 text NOT NULL CHECK (class IN ('efficiency', 'capability', 'both', 'neither')),
    -- Efficiency: the benchmark with the largest price ratio (earlier price / this price).
    efficiency_benchmark  text,
    price_ratio           double precision CHECK (price_ratio > 1),
    undercut_model        text,
    -- Capability: the benchmark with the largest gain over the previous best score.
    capability_benchmark  text,
    score_gain            double precision CHECK (score_gain > 0),
    previous_best_model   text,
    computed_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((class IN ('efficiency', 'both')) = (price_ratio IS NOT NULL)),
    CHECK ((class IN ('capability', 'both')) = (score_gain IS NOT NULL))
);

CREATE INDEX release_classes_released ON release_classes (released);
