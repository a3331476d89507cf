-- Market data: the watchlist, daily price bars and the history of scheduled job runs.

CREATE TABLE tickers (
    symbol       text PRIMARY KEY,
    name         text NOT NULL,
    role         text NOT NULL CHECK (role IN ('vendor', 'benchmark', 'other')),
    on_watchlist boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per (symbol, trading day). Prices are split-adjusted; adj_close also for dividends.
-- Natural key (symbol, day): every import and fetch upserts, so re-runs never duplicate.
CREATE TABLE price_bars (
    symbol     text NOT NULL REFERENCES tickers (symbol) ON UPDATE CASCADE,
    day        date NOT NULL,
    open       double precision NOT NULL CHECK (open > 0),
    high       double precision NOT NULL CHECK (high > 0),
    low        double precision NOT NULL CHECK (low > 0),
    close      double precision NOT NULL CHECK (close > 0),
    adj_close  double precision NOT NULL CHECK (adj_close > 0),
    volume     bigint NOT NULL CHECK (volume >= 0),
    source     text NOT NULL,
    fetched_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, day)
);

CREATE TABLE job_runs (
    id            bigserial PRIMARY KEY,
    job           text NOT NULL,
    scheduled_for timestamptz NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
    rows_written  bigint NOT NULL DEFAULT 0,
    error         text
);

CREATE INDEX job_runs_by_job ON job_runs (job, started_at DESC);
