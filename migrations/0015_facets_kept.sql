-- Count and totals of a one-facet filter at any size (issue 16, decision
-- 217): `ls --retired no` on a million EACs summed the totals of half of
-- them, one look-up each (1.3–1.9 s). The count and the totals per unit and
-- scale of every value of the five facets a filter picks by value
-- (technology, retired state, beneficiary type, source and destination) are
-- kept here by the triggers below, in the transaction that changes the EACs
-- or their totals, so every write path keeps them true. A fresh load drops
-- the triggers and rebuilds the table once at the end (`bulk.rs`).
--
-- `unit` '' is the row counting the facet value's EACs (`summed`). Other
-- rows sum the mantissas of `eac_totals` at that unit and scale as
-- `eac_totals_kept` does (migration 0012): `summed` rows, `mantissa` NULL
-- once a sum has left 64 bits (the store then sums that filter's totals from
-- `eac_totals`), back to zero when the group has no row left. An EAC
-- without a value for a facet is in no row of that facet (no filter picks
-- "none").
CREATE TABLE eac_facets_kept (
    facet    TEXT    NOT NULL,
    value    TEXT    NOT NULL,
    unit     TEXT    NOT NULL,
    scale    INTEGER NOT NULL,
    summed   INTEGER NOT NULL,
    mantissa INTEGER,
    PRIMARY KEY (facet, value, unit, scale)
) WITHOUT ROWID;

-- Each EAC's facet values, one row per facet it has a value for.
CREATE VIEW eac_facet_values (id, facet, value) AS
    SELECT id, 'technology_type', technology_type FROM eacs WHERE technology_type IS NOT NULL
    UNION ALL
    SELECT id, 'retired_state', retired_state FROM eacs WHERE retired_state IS NOT NULL
    UNION ALL
    SELECT id, 'beneficiary_type', beneficiary_type FROM eacs WHERE beneficiary_type IS NOT NULL
    UNION ALL
    SELECT id, 'source_id', source_id FROM eacs WHERE source_id IS NOT NULL
    UNION ALL
    SELECT id, 'destination_id', destination_id FROM eacs WHERE destination_id IS NOT NULL;

-- The table from the stored EACs (also what a fresh load runs at its end).
-- An integer `sum()` that leaves 64 bits is an error in SQLite, so each
-- mantissa is summed in two halves that cannot overflow and put together
-- with the check the triggers use (beyond 64 bits: NULL).
INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
SELECT facet, value, '', 0, count(*), NULL FROM eac_facet_values GROUP BY facet, value;
INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
SELECT facet, value, unit, scale, n,
       CASE WHEN typeof(high * 4294967296 + low) = 'integer' THEN high * 4294967296 + low END
FROM (
    SELECT f.facet, f.value, t.unit, t.scale, count(*) AS n,
           sum(t.mantissa / 4294967296) AS high, sum(t.mantissa % 4294967296) AS low
    FROM eac_facet_values f JOIN eac_totals t ON t.eac_id = f.id
    WHERE t.mantissa IS NOT NULL
    GROUP BY f.facet, f.value, t.unit, t.scale
);

CREATE TRIGGER eac_facets_kept_totals_insert AFTER INSERT ON eac_totals
WHEN NEW.mantissa IS NOT NULL
BEGIN
    INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
    SELECT facet, value, NEW.unit, NEW.scale, 1, NEW.mantissa
    FROM eac_facet_values WHERE id = NEW.eac_id
    ON CONFLICT (facet, value, unit, scale) DO UPDATE SET
        summed = summed + 1,
        mantissa = CASE WHEN typeof(mantissa + excluded.mantissa) = 'integer'
                        THEN mantissa + excluded.mantissa END;
END;

CREATE TRIGGER eac_facets_kept_totals_delete AFTER DELETE ON eac_totals
WHEN OLD.mantissa IS NOT NULL
BEGIN
    UPDATE eac_facets_kept SET
        summed = summed - 1,
        mantissa = CASE WHEN summed = 1 THEN 0
                        WHEN typeof(mantissa - OLD.mantissa) = 'integer'
                        THEN mantissa - OLD.mantissa END
    WHERE (facet, value, unit, scale) IN (
        SELECT facet, value, OLD.unit, OLD.scale FROM eac_facet_values WHERE id = OLD.eac_id
    );
END;

-- The store only inserts and deletes `eac_totals` rows; an update is the
-- two of them.
CREATE TRIGGER eac_facets_kept_totals_update AFTER UPDATE ON eac_totals
BEGIN
    UPDATE eac_facets_kept SET
        summed = summed - 1,
        mantissa = CASE WHEN summed = 1 THEN 0
                        WHEN typeof(mantissa - OLD.mantissa) = 'integer'
                        THEN mantissa - OLD.mantissa END
    WHERE OLD.mantissa IS NOT NULL AND (facet, value, unit, scale) IN (
        SELECT facet, value, OLD.unit, OLD.scale FROM eac_facet_values WHERE id = OLD.eac_id
    );
    INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
    SELECT facet, value, NEW.unit, NEW.scale, 1, NEW.mantissa
    FROM eac_facet_values WHERE id = NEW.eac_id AND NEW.mantissa IS NOT NULL
    ON CONFLICT (facet, value, unit, scale) DO UPDATE SET
        summed = summed + 1,
        mantissa = CASE WHEN typeof(mantissa + excluded.mantissa) = 'integer'
                        THEN mantissa + excluded.mantissa END;
END;

CREATE TRIGGER eac_facets_kept_insert AFTER INSERT ON eacs
BEGIN
    INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
    SELECT facet, value, '', 0, 1, NULL FROM eac_facet_values WHERE id = NEW.id
    ON CONFLICT (facet, value, unit, scale) DO UPDATE SET summed = summed + 1;
END;

-- Before the row goes, while its facet values can still be read: the count,
-- and the totals still stored (a delete the foreign keys cascade to
-- `eac_totals`, whose trigger then finds no EAC). The store deletes the
-- totals first, and then finds none here.
CREATE TRIGGER eac_facets_kept_delete BEFORE DELETE ON eacs
BEGIN
    UPDATE eac_facets_kept SET summed = summed - 1
    WHERE (facet, value, unit, scale) IN (
        SELECT facet, value, '', 0 FROM eac_facet_values WHERE id = OLD.id
    );
    UPDATE eac_facets_kept SET
        summed = eac_facets_kept.summed - 1,
        mantissa = CASE WHEN eac_facets_kept.summed = 1 THEN 0
                        WHEN typeof(eac_facets_kept.mantissa - t.mantissa) = 'integer'
                        THEN eac_facets_kept.mantissa - t.mantissa END
    FROM eac_facet_values AS f, eac_totals AS t
    WHERE f.id = OLD.id AND t.eac_id = OLD.id AND t.mantissa IS NOT NULL
      AND eac_facets_kept.facet = f.facet AND eac_facets_kept.value = f.value
      AND eac_facets_kept.unit = t.unit AND eac_facets_kept.scale = t.scale;
END;

-- A facet changed (an edit, a replacing import): the EAC's count and totals
-- leave the old values and join the new ones.
CREATE TRIGGER eac_facets_kept_update AFTER UPDATE OF
    technology_type, retired_state, beneficiary_type, source_id, destination_id ON eacs
WHEN NEW.technology_type IS NOT OLD.technology_type
  OR NEW.retired_state IS NOT OLD.retired_state
  OR NEW.beneficiary_type IS NOT OLD.beneficiary_type
  OR NEW.source_id IS NOT OLD.source_id
  OR NEW.destination_id IS NOT OLD.destination_id
BEGIN
    UPDATE eac_facets_kept SET summed = summed - 1
    WHERE unit = '' AND scale = 0 AND (facet, value) IN (
        SELECT 'technology_type', OLD.technology_type
        UNION ALL SELECT 'retired_state', OLD.retired_state
        UNION ALL SELECT 'beneficiary_type', OLD.beneficiary_type
        UNION ALL SELECT 'source_id', OLD.source_id
        UNION ALL SELECT 'destination_id', OLD.destination_id
    );
    UPDATE eac_facets_kept SET
        summed = eac_facets_kept.summed - 1,
        mantissa = CASE WHEN eac_facets_kept.summed = 1 THEN 0
                        WHEN typeof(eac_facets_kept.mantissa - t.mantissa) = 'integer'
                        THEN eac_facets_kept.mantissa - t.mantissa END
    FROM (
        SELECT 'technology_type' AS facet, OLD.technology_type AS value
        UNION ALL SELECT 'retired_state', OLD.retired_state
        UNION ALL SELECT 'beneficiary_type', OLD.beneficiary_type
        UNION ALL SELECT 'source_id', OLD.source_id
        UNION ALL SELECT 'destination_id', OLD.destination_id
    ) AS o, eac_totals AS t
    WHERE t.eac_id = NEW.id AND t.mantissa IS NOT NULL
      AND eac_facets_kept.facet = o.facet AND eac_facets_kept.value = o.value
      AND eac_facets_kept.unit = t.unit AND eac_facets_kept.scale = t.scale;
    INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
    SELECT facet, value, '', 0, 1, NULL FROM eac_facet_values WHERE id = NEW.id
    ON CONFLICT (facet, value, unit, scale) DO UPDATE SET summed = summed + 1;
    INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
    SELECT f.facet, f.value, t.unit, t.scale, 1, t.mantissa
    FROM eac_facet_values AS f, eac_totals AS t
    WHERE f.id = NEW.id AND t.eac_id = NEW.id AND t.mantissa IS NOT NULL
    ON CONFLICT (facet, value, unit, scale) DO UPDATE SET
        summed = summed + 1,
        mantissa = CASE WHEN typeof(mantissa + excluded.mantissa) = 'integer'
                        THEN mantissa + excluded.mantissa END;
END;
