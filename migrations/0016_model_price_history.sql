-- Dated API prices. A price row is in effect from `effective` until the next row of the same
-- (source, model name, provider) — a change, or a removal — and open-ended when none follows.
--   dated   : true when `effective` is the day the price appeared or changed in the source (a
--             LiteLLM history row, or a change `models.fetch` observed against the previous
--             state); false for a plain snapshot, in effect since some unknown earlier day.
--   removed : the model left the source's file on `effective`; no price (both prices NULL).
ALTER TABLE model_prices ADD COLUMN dated boolean NOT NULL DEFAULT false;
ALTER TABLE model_prices ADD COLUMN removed boolean NOT NULL DEFAULT false;
ALTER TABLE model_prices ADD CONSTRAINT model_prices_removed_has_no_price
    CHECK (NOT removed OR (input_usd_per_mtok IS NULL AND output_usd_per_mtok IS NULL));

CREATE INDEX model_prices_series ON model_prices (source, model_name, provider, effective);

-- Each price with the model it belongs to at its own effective date and the first day it is
-- no longer in effect (`valid_until`, exclusive; NULL = still in effect): the next row of its
-- series, or the day after the end of the alias it matched through (a vendor name that moved to
-- a newer model stops meaning the old one then). Removal rows end a series and are not listed.
DROP VIEW model_prices_resolved;
CREATE VIEW model_prices_resolved AS
SELECT p.id, p.source, p.model_name, p.model_key, p.provider, p.input_usd_per_mtok,
       p.output_usd_per_mtok, p.effective, p.source_url, p.fetched_at,
       COALESCE(own.id, via.id) AS model_id, p.dated,
       CASE WHEN own.id IS NULL AND via.alias_until IS NOT NULL
            THEN LEAST(p.next_effective, via.alias_until + 1)
            ELSE p.next_effective END AS valid_until
FROM (
    SELECT m.*, lead(m.effective) OVER (PARTITION BY m.source, m.model_name, m.provider
                                        ORDER BY m.effective) AS next_effective
    FROM model_prices m
) p
LEFT JOIN ai_models own ON own.key = p.model_key
LEFT JOIN LATERAL (
    SELECT m.id, a.valid_until AS alias_until
      FROM model_aliases a JOIN ai_models m ON m.key = a.canonical_key
     WHERE a.alias_key = p.model_key
       AND (a.valid_until IS NULL OR p.effective <= a.valid_until)
     ORDER BY a.valid_until NULLS LAST, a.alias
     LIMIT 1
) via ON true
WHERE NOT p.removed;

-- A vendor name may now carry several aliases over time (deepseek-reasoner: DeepSeek-R1 until
-- 2025-08-20, later DeepSeek-V3.1, V3.2-Exp, V3.2). Undated rows (scores) take the name's
-- current meaning: the alias without an end, else the one ending last.
CREATE OR REPLACE VIEW model_key_map AS
SELECT DISTINCT ON (k.model_key) k.model_key, m.id AS model_id
FROM (
    SELECT key AS model_key, key AS canonical_key, 0 AS priority, NULL::date AS valid_until
      FROM ai_models
    UNION ALL
    SELECT alias_key, canonical_key, 1, valid_until FROM model_aliases
) k
JOIN ai_models m ON m.key = k.canonical_key
ORDER BY k.model_key, k.priority, k.valid_until DESC NULLS FIRST, k.canonical_key;
