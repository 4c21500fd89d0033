-- What the app shows the moment it opens a large portfolio (issue 16): the
-- number of values, and the source and destination choices of the filter
-- bar, without reading every EAC.

-- How many values the EACs hold (the sum of `eacs.value_count`), kept by
-- triggers on `eacs` in the transaction that changes it, like the totals
-- of migration 0012. One row.
CREATE TABLE eac_counts_kept (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    "values" INTEGER NOT NULL
);

INSERT INTO eac_counts_kept (id, "values")
SELECT 1, COALESCE(SUM(value_count), 0) FROM eacs;

CREATE TRIGGER eac_counts_kept_insert AFTER INSERT ON eacs
BEGIN
    UPDATE eac_counts_kept SET "values" = "values" + NEW.value_count;
END;

CREATE TRIGGER eac_counts_kept_delete AFTER DELETE ON eacs
BEGIN
    UPDATE eac_counts_kept SET "values" = "values" - OLD.value_count;
END;

CREATE TRIGGER eac_counts_kept_update AFTER UPDATE OF value_count ON eacs
BEGIN
    UPDATE eac_counts_kept SET "values" = "values" - OLD.value_count + NEW.value_count;
END;

-- The filter bar's choices group the EACs by source (destination) id and
-- take the smallest name: with the name in the index, that is one pass
-- over the index instead of a look-up of every EAC's row.
DROP INDEX eacs_by_source_id;
CREATE INDEX eacs_by_source_id ON eacs (source_id, source_name);
DROP INDEX eacs_by_destination_id;
CREATE INDEX eacs_by_destination_id ON eacs (destination_id, destination_name);
