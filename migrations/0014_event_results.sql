-- Stored event-study results: the `events.study` job runs the default study (market model,
-- estimation [-250, -11], windows [0,0] [-1,+1] [0,+5] [-5,+5]) of every event whose longest
-- window is complete in the price data, against the configured benchmark, and keeps the
-- per-stock results here and the tests across stocks in `event_group_results`. Recomputing
-- upserts on the natural key, so a rerun never duplicates a row.
-- Numbered after the highest existing migration (0013) so versions apply in order everywhere.

CREATE TABLE event_results (
    event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    symbol          text NOT NULL,
    -- The window in trading days relative to day 0, both ends included.
    window_start    integer NOT NULL,
    window_end      integer NOT NULL CHECK (window_end >= window_start),
    benchmark       text NOT NULL,
    -- The normal-return model: 'market', 'mean' or 'adjusted'.
    model           text NOT NULL CHECK (model IN ('market', 'mean', 'adjusted')),
    -- Day 0 (the session the event anchors on) and the last session of the longest window:
    -- the results are final from then on.
    day0            date NOT NULL,
    last_session    date NOT NULL,
    -- Fractions (−0.17 = −17%); statistics NULL where they are not finite.
    car             double precision NOT NULL,
    se              double precision,
    t               double precision,
    p_value         double precision CHECK (p_value BETWEEN 0 AND 1),
    bhar            double precision,
    ar_day0         double precision,
    alpha           double precision NOT NULL,
    beta            double precision NOT NULL,
    sigma           double precision NOT NULL,
    estimation_days integer NOT NULL,
    computed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, symbol, window_start, window_end, benchmark, model)
);

-- The digest reads the results of events in a period, by symbol.
CREATE INDEX event_results_symbol ON event_results (symbol, event_id);

CREATE TABLE event_group_results (
    event_id          bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    window_start      integer NOT NULL,
    window_end        integer NOT NULL CHECK (window_end >= window_start),
    benchmark         text NOT NULL,
    model             text NOT NULL CHECK (model IN ('market', 'mean', 'adjusted')),
    day0              date NOT NULL,
    -- Stocks in the test.
    n                 integer NOT NULL,
    mean_car          double precision NOT NULL,
    cross_sectional_t double precision,
    cross_sectional_p double precision,
    patell_z          double precision,
    patell_p          double precision,
    bmp_t             double precision,
    bmp_p             double precision,
    corrado_z         double precision,
    corrado_p         double precision,
    computed_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, window_start, window_end, benchmark, model)
);
