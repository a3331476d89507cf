-- Events whose market impact jevons measures: model releases, news, earnings, macro days and
-- anything an analyst adds. `model_id` and `article_id` point at ai_models / articles when
-- those exist; they carry no foreign key here because those tables come from other
-- migrations (0003, 0004) that a database may not have had when this one ran.

CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    day         date NOT NULL,
    -- Local time of the announcement and its IANA zone: an event after the New York close
    -- anchors on the next session.
    time        time,
    time_zone   text,
    kind        text NOT NULL CHECK (kind IN ('model_release', 'news', 'earnings', 'macro', 'manual')),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description text NOT NULL DEFAULT '',
    source_url  text,
    model_id    bigint,
    article_id  bigint,
    -- 'seed' (data/events.csv), 'cli', 'api'.
    origin      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (time IS NOT NULL OR time_zone IS NULL),
    -- The natural key: the same event added twice is one row.
    UNIQUE (day, kind, title)
);

CREATE INDEX events_day ON events (day DESC, id DESC);
