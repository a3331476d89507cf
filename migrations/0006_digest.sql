-- Email digests: subscribers, the delivery outbox, and settings the service keeps for itself.

CREATE TABLE subscribers (
    id              bigserial PRIMARY KEY,
    -- As the subscriber typed it (domain lower-cased); uniqueness ignores case.
    email           text NOT NULL,
    cadence         text NOT NULL CHECK (cadence IN ('daily', 'weekly')),
    -- Watchlist symbols they follow; empty = the whole watchlist.
    tickers         text[] NOT NULL DEFAULT '{}',
    -- IANA name (chrono-tz); the digest goes out after the local morning hour.
    time_zone       text NOT NULL DEFAULT 'UTC',
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'confirmed', 'unsubscribed', 'bouncing')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    confirmed_at    timestamptz,
    unsubscribed_at timestamptz,
    -- Counts permanent (5xx) refusals in a row; reset by a delivery.
    permanent_failures integer NOT NULL DEFAULT 0,
    -- End of the period covered by the last digest created for them (the next one starts here).
    last_period_end timestamptz
);

CREATE UNIQUE INDEX subscribers_email_key ON subscribers (lower(email));
CREATE INDEX subscribers_due ON subscribers (cadence) WHERE status = 'confirmed';

-- One row per email to send. `period_key` names what it is for ('daily:2025-01-27',
-- 'weekly:2025-W05', 'confirm:<token nonce>' …), so the row for a (subscriber, period) is created
-- once whichever instance gets there first; senders claim rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE digest_outbox (
    id              bigserial PRIMARY KEY,
    subscriber_id   bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    period_key      text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('digest', 'confirmation')),
    period_start    timestamptz,
    period_end      timestamptz,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- A claim is a lease: a row left 'sending' by a dead process is taken again after it expires.
    locked_until    timestamptz,
    last_error      text,
    message_id      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (subscriber_id, period_key)
);

CREATE INDEX digest_outbox_due ON digest_outbox (next_attempt_at)
    WHERE status IN ('pending', 'sending');

-- Values the service generates once and keeps (the token signing secret when none is configured).
CREATE TABLE service_settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
