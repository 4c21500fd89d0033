-- A period is a sixth kept facet (issue 16, decision 227): `ls --from
-- 2022-01-01 --to 2022-12-31` on a million EACs collected every match of
-- the facet index and then summed their totals (0.35-0.39 s). The count and
-- the totals per unit and scale of the EACs of each period (`value`: the
-- stored `period_start`, '/', the stored `period_end`, both fixed-width
-- UTC text, so the start is the first 30 characters and the end the last
-- 30) are kept in `eac_facets_kept` like those of the other facets: a
-- period filter adds up the rows of the periods it overlaps, a few thousand
-- at most for monthly or hourly portfolios of any size.

DROP VIEW eac_facet_values;
CREATE VIEW eac_facet_values (id, facet, value) AS
    SELECT id, 'technology_type', technology_type FROM eacs WHERE technology_type IS NOT NULL
    UNION ALL
    SELECT id, 'retired_state', retired_state FROM eacs WHERE retired_state IS NOT NULL
    UNION ALL
    SELECT id, 'beneficiary_type', beneficiary_type FROM eacs WHERE beneficiary_type IS NOT NULL
    UNION ALL
    SELECT id, 'source_id', source_id FROM eacs WHERE source_id IS NOT NULL
    UNION ALL
    SELECT id, 'destination_id', destination_id FROM eacs WHERE destination_id IS NOT NULL
    UNION ALL
    SELECT id, 'period', period_start || '/' || period_end FROM eacs
    WHERE period_start IS NOT NULL AND period_end IS NOT NULL;

-- The periods of the stored EACs, as 0015 filled the other facets.
INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
SELECT facet, value, '', 0, count(*), NULL FROM eac_facet_values
WHERE facet = 'period' GROUP BY facet, value;
INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
SELECT facet, value, unit, scale, n,
       CASE WHEN typeof(high * 4294967296 + low) = 'integer' THEN high * 4294967296 + low END
FROM (
    SELECT f.facet, f.value, t.unit, t.scale, count(*) AS n,
           sum(t.mantissa / 4294967296) AS high, sum(t.mantissa % 4294967296) AS low
    FROM eac_facet_values f JOIN eac_totals t ON t.eac_id = f.id
    WHERE f.facet = 'period' AND t.mantissa IS NOT NULL
    GROUP BY f.facet, f.value, t.unit, t.scale
);

-- The insert and delete triggers of 0015 read the view, and so now keep
-- the period too; the update trigger names the facets it moves.
DROP TRIGGER eac_facets_kept_update;
CREATE TRIGGER eac_facets_kept_update AFTER UPDATE OF
    technology_type, retired_state, beneficiary_type, source_id, destination_id,
    period_start, period_end ON eacs
WHEN NEW.technology_type IS NOT OLD.technology_type
  OR NEW.retired_state IS NOT OLD.retired_state
  OR NEW.beneficiary_type IS NOT OLD.beneficiary_type
  OR NEW.source_id IS NOT OLD.source_id
  OR NEW.destination_id IS NOT OLD.destination_id
  OR NEW.period_start IS NOT OLD.period_start
  OR NEW.period_end IS NOT OLD.period_end
BEGIN
    UPDATE eac_facets_kept SET summed = summed - 1
    WHERE unit = '' AND scale = 0 AND (facet, value) IN (
        SELECT 'technology_type', OLD.technology_type
        UNION ALL SELECT 'retired_state', OLD.retired_state
        UNION ALL SELECT 'beneficiary_type', OLD.beneficiary_type
        UNION ALL SELECT 'source_id', OLD.source_id
        UNION ALL SELECT 'destination_id', OLD.destination_id
        UNION ALL SELECT 'period', OLD.period_start || '/' || OLD.period_end
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
        UNION ALL SELECT 'period', OLD.period_start || '/' || OLD.period_end
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
