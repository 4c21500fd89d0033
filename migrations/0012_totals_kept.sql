-- Count and totals at any size (issue 16): the browse summary of a large
-- portfolio (a million EACs) must not read every EAC.

-- The totals of every EAC, per unit and scale, kept exact by the triggers
-- below in the transaction that changes `eac_totals` (so every write path,
-- edits, imports, deletes and undos alike, keeps them true). `mantissa` is
-- the sum of the rows' integer mantissas at that scale; NULL once a sum has
-- left 64 bits (SQLite turns an overflowing integer sum into a float, which
-- the CASE refuses): the store then sums that unit from `eac_totals` as
-- before. `summed` counts the rows summed; a group back at zero rows starts
-- again from zero. Rows of `eac_totals` whose own mantissa does not fit
-- (NULL there) are not summed here: they are few and read through the
-- partial index below.
CREATE TABLE eac_totals_kept (
    unit     TEXT    NOT NULL,
    scale    INTEGER NOT NULL,
    summed   INTEGER NOT NULL,
    mantissa INTEGER,
    PRIMARY KEY (unit, scale)
) WITHOUT ROWID;

INSERT INTO eac_totals_kept (unit, scale, summed, mantissa)
SELECT unit, scale, 1, mantissa FROM eac_totals WHERE mantissa IS NOT NULL
ON CONFLICT (unit, scale) DO UPDATE SET
    summed = summed + 1,
    mantissa = CASE WHEN typeof(mantissa + excluded.mantissa) = 'integer'
                    THEN mantissa + excluded.mantissa END;

CREATE TRIGGER eac_totals_kept_insert AFTER INSERT ON eac_totals
WHEN NEW.mantissa IS NOT NULL
BEGIN
    INSERT INTO eac_totals_kept (unit, scale, summed, mantissa)
    VALUES (NEW.unit, NEW.scale, 1, NEW.mantissa)
    ON CONFLICT (unit, scale) DO UPDATE SET
        summed = summed + 1,
        mantissa = CASE WHEN typeof(mantissa + excluded.mantissa) = 'integer'
                        THEN mantissa + excluded.mantissa END;
END;

CREATE TRIGGER eac_totals_kept_delete AFTER DELETE ON eac_totals
WHEN OLD.mantissa IS NOT NULL
BEGIN
    UPDATE eac_totals_kept SET
        summed = summed - 1,
        mantissa = CASE WHEN summed = 1 THEN 0
                        WHEN typeof(mantissa - OLD.mantissa) = 'integer'
                        THEN mantissa - OLD.mantissa END
    WHERE unit = OLD.unit AND scale = OLD.scale;
END;

-- The store only inserts and deletes `eac_totals` rows; an update is the
-- two of them, so the totals stay true whatever writes the table.
CREATE TRIGGER eac_totals_kept_update AFTER UPDATE ON eac_totals
BEGIN
    UPDATE eac_totals_kept SET
        summed = summed - 1,
        mantissa = CASE WHEN summed = 1 THEN 0
                        WHEN typeof(mantissa - OLD.mantissa) = 'integer'
                        THEN mantissa - OLD.mantissa END
    WHERE OLD.mantissa IS NOT NULL AND unit = OLD.unit AND scale = OLD.scale;
    INSERT INTO eac_totals_kept (unit, scale, summed, mantissa)
    SELECT NEW.unit, NEW.scale, 1, NEW.mantissa WHERE NEW.mantissa IS NOT NULL
    ON CONFLICT (unit, scale) DO UPDATE SET
        summed = summed + 1,
        mantissa = CASE WHEN typeof(mantissa + excluded.mantissa) = 'integer'
                        THEN mantissa + excluded.mantissa END;
END;

-- The rows whose mantissa does not fit 64 bits, summed from their text.
CREATE INDEX eac_totals_by_text ON eac_totals (unit) WHERE mantissa IS NULL;

-- Filtered counts, pages and totals read this index instead of the EACs'
-- wide rows: it holds every column a browse filter (other than search,
-- picked ids and cell matches) compares, so a filter is answered from it
-- alone, by a range of it when the technology (and the retired state) is
-- fixed, else by one scan of it.
CREATE INDEX eacs_by_facets ON eacs (
    technology_type, retired_state, beneficiary_type, source_id, destination_id,
    period_end, period_start, emissions_factor_direct, emissions_factor_lca, missing
);
