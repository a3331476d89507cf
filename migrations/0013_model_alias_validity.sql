-- Vendors move API names to newer models (`deepseek-reasoner` was DeepSeek-R1 in early 2025 and
-- a later model in 2026). An alias may end: prices dated after `valid_until` no longer match
-- through it and are listed as unmatched instead of being shown under the old model.
ALTER TABLE model_aliases ADD COLUMN valid_until date;

-- Each price with the model it belongs to at its own effective date.
CREATE VIEW model_prices_resolved AS
SELECT p.*, COALESCE(
    (SELECT m.id FROM ai_models m WHERE m.key = p.model_key),
    (SELECT m.id FROM model_aliases a JOIN ai_models m ON m.key = a.canonical_key
      WHERE a.alias_key = p.model_key AND (a.valid_until IS NULL OR p.effective <= a.valid_until)
      ORDER BY a.valid_until NULLS LAST, a.alias
      LIMIT 1)
) AS model_id
FROM model_prices p;
