-- Every write to a table that a page or the read API shows sends a notification on the channel
-- `jevons_data_changed` (payload: the table's name). PostgreSQL delivers it when the writing
-- transaction commits, and folds identical ones of one transaction into one, so each web
-- instance drops its computed views right after the data under them changed, and never before.
-- Subscribers and the digest outbox are left out: no computed view reads them.
CREATE FUNCTION jevons_notify_data_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('jevons_data_changed', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'tickers', 'price_bars', 'job_runs', 'service_settings',
        'ai_models', 'model_aliases', 'benchmark_scores', 'model_prices',
        'feeds', 'articles', 'article_entities', 'summaries',
        'events', 'event_results', 'event_group_results', 'release_classes', 'pooled_results',
        'fundamentals'
    ] LOOP
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
             FOR EACH STATEMENT EXECUTE FUNCTION jevons_notify_data_change()',
            t || '_notify_data_change', t);
    END LOOP;
END;
$$;
