-- Quarterly fundamentals (issue 11): vendor revenue and data-center revenue, buyers' capex.
-- One row per value per source version: a filing (its accession number) or a press release
-- (its source URL). An amendment or a later filing that restates a quarter adds a row; the
-- earlier one stays, and `fundamentals_current` picks the latest filed. Values are in USD.

CREATE TABLE fundamentals (
    id             bigserial PRIMARY KEY,
    symbol         text NOT NULL,
    metric         text NOT NULL CHECK (metric ~ '^[a-z][a-z0-9_]{0,63}$'),
    -- The company's own fiscal quarter (NVIDIA's FY2025 ends in January 2025).
    fiscal_year    integer NOT NULL CHECK (fiscal_year BETWEEN 1900 AND 2200),
    fiscal_quarter smallint NOT NULL CHECK (fiscal_quarter BETWEEN 1 AND 4),
    period_start   date NOT NULL,
    period_end     date NOT NULL CHECK (period_end > period_start),
    -- abs(NaN) and abs(Infinity) are not below 1e15: both are refused.
    value          double precision NOT NULL CHECK (abs(value) < 1e15),
    unit           text NOT NULL,
    -- Filing date, or release date of a press release (NULL where it was not read).
    filed          date,
    -- 10-Q, 10-K, 10-Q/A, 10-K/A, press-release.
    form           text NOT NULL,
    provenance     text NOT NULL CHECK (provenance IN ('filed', 'press-release')),
    -- 'sec-edgar' or the imported file's name.
    source         text NOT NULL,
    source_url     text,
    accession      text,
    -- What tells versions apart: the accession (filed) or the source URL (press release).
    version_key    text NOT NULL,
    -- reported | ytd-difference | annual-minus-nine-months
    derivation     text NOT NULL,
    xbrl_tag       text,
    note           text,
    fetched_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (provenance <> 'filed' OR accession IS NOT NULL),
    UNIQUE (symbol, metric, period_end, provenance, version_key)
);

CREATE INDEX fundamentals_series ON fundamentals (symbol, metric, period_end);

-- The current value of each quarter: the latest filed version where the quarter was filed, the
-- latest press-release version otherwise. Press-release period ends are calendar labels or read
-- from coverage, so a filed quarter ending within 7 days of one replaces it.
CREATE VIEW fundamentals_current AS
WITH filed AS (
    SELECT DISTINCT ON (symbol, metric, period_end) *
      FROM fundamentals
     WHERE provenance = 'filed'
     ORDER BY symbol, metric, period_end, filed DESC NULLS LAST, accession DESC, id DESC
), released AS (
    SELECT DISTINCT ON (symbol, metric, period_end) *
      FROM fundamentals p
     WHERE provenance = 'press-release'
       AND NOT EXISTS (
           SELECT 1 FROM fundamentals f
            WHERE f.provenance = 'filed' AND f.symbol = p.symbol AND f.metric = p.metric
              AND f.period_end BETWEEN p.period_end - 7 AND p.period_end + 7)
     ORDER BY symbol, metric, period_end, filed DESC NULLS LAST, id DESC
)
SELECT * FROM filed
UNION ALL
SELECT * FROM released;
