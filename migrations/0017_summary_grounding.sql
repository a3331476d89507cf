-- Grounding check (issue #14): every name, ticker, model and number of a summary checked against
-- its article, stored with the summary as the summariser reported it (items with supported or
-- not and why, the dropped sentences, whether the extractive summary replaced the model's).
-- NULL for summaries made before the check existed.
ALTER TABLE summaries ADD COLUMN grounding jsonb;

-- A model summary with no supported sentence is replaced by the extractive one and says so.
ALTER TABLE summaries DROP CONSTRAINT summaries_method_check;
ALTER TABLE summaries ADD CONSTRAINT summaries_method_check
    CHECK (method IN ('llm', 'extractive', 'extractive (ungrounded model output)'));
