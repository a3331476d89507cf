-- The pooled event studies by event class (issue 12), computed by the `events.study` job against
-- one benchmark and kept whole, so /shocks, its API and the digest read them without
-- recomputing. One row per benchmark; a rerun replaces it only when the result changed.

CREATE TABLE pooled_results (
    benchmark    text PRIMARY KEY,
    result       jsonb NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
