-- News: feeds with their health, articles (deduplicated), the entities they mention, and the
-- summaries a local model (or the extractive fallback) wrote for them.

CREATE TABLE feeds (
    id                 bigserial PRIMARY KEY,
    url                text NOT NULL UNIQUE,
    title              text,
    -- 'config' (config/default.toml) or 'cli' (`jevons feeds add`)
    origin             text NOT NULL DEFAULT 'config' CHECK (origin IN ('config', 'cli')),
    -- Validators of the last 200, sent back for a conditional GET.
    etag               text,
    last_modified      text,
    last_fetch_at      timestamptz,
    last_success       timestamptz,
    last_error         text,
    last_error_at      timestamptz,
    last_status        text,
    consecutive_errors integer NOT NULL DEFAULT 0 CHECK (consecutive_errors >= 0),
    -- A failing feed is never disabled: it is retried at next_fetch_at (exponential backoff).
    next_fetch_at      timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX feeds_due ON feeds (next_fetch_at);

CREATE TABLE articles (
    id            bigserial PRIMARY KEY,
    feed_id       bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    url           text,
    -- Dedup key 2: the URL without tracking parameters, fragment or trailing slash.
    canonical_url text,
    -- Dedup key 1: the feed's id for the item, unique within the feed.
    guid          text NOT NULL,
    title         text NOT NULL,
    published     timestamptz,
    author        text,
    -- Sanitised plain text (never HTML).
    text          text NOT NULL,
    -- Where the text came from: 'feed' (its content or description) or 'page' (the linked page).
    text_source   text NOT NULL CHECK (text_source IN ('feed', 'page')),
    -- Dedup key 3, and what a summary is tied to: SHA-256 of the folded title and text.
    content_hash  text NOT NULL,
    -- Hash of what the feed itself said (title and feed text): an unchanged entry is skipped
    -- without fetching its page again.
    feed_hash     text NOT NULL,
    language      text,
    relevance     real NOT NULL CHECK (relevance >= 0 AND relevance <= 1),
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- Listing order and keyset cursor: published, else when we first saw it.
    sort_at       timestamptz GENERATED ALWAYS AS (coalesce(published, fetched_at)) STORED,
    tsv           tsvector GENERATED ALWAYS AS (
                      setweight(to_tsvector('english', title), 'A')
                      || setweight(to_tsvector('english', text), 'B')) STORED,
    UNIQUE (feed_id, guid)
);

CREATE UNIQUE INDEX articles_canonical_url ON articles (canonical_url) WHERE canonical_url IS NOT NULL;
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_sort ON articles (sort_at DESC, id DESC);
CREATE INDEX articles_tsv ON articles USING gin (tsv);

CREATE TABLE article_entities (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('ticker', 'company', 'model')),
    value      text NOT NULL,
    PRIMARY KEY (article_id, kind, value)
);

CREATE INDEX article_entities_value ON article_entities (kind, value);

-- One summary per (article, content it summarised): an article whose content hash did not
-- change is never summarised again; an edited one gets a new row, and pages show the newest.
CREATE TABLE summaries (
    id             bigserial PRIMARY KEY,
    article_id     bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    content_hash   text NOT NULL,
    summary        text NOT NULL,
    stance         text NOT NULL CHECK (stance IN ('bullish', 'bearish', 'neutral')),
    stance_score   real NOT NULL,
    method         text NOT NULL CHECK (method IN ('llm', 'extractive')),
    model          text NOT NULL,
    quantization   text,
    prompt_version text NOT NULL,
    tokens_in      integer NOT NULL CHECK (tokens_in >= 0),
    tokens_out     integer NOT NULL CHECK (tokens_out >= 0),
    millis         bigint NOT NULL CHECK (millis >= 0),
    -- Faithfulness check: numbers or tickers in the summary that the article does not contain.
    suspect        text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (article_id, content_hash)
);

CREATE INDEX summaries_latest ON summaries (article_id, created_at DESC, id DESC);
