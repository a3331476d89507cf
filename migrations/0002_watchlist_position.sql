-- The watchlist's order in the configuration, so pages list tickers the way the analyst wrote them.
-- NULL for tickers that are not (or no longer) on the watchlist.
ALTER TABLE tickers ADD COLUMN watchlist_position integer;
