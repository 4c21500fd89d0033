-- SQLite's 0016 (decision 227): a period is a sixth kept facet, `value`
-- the stored `period_start`, '/', the stored `period_end` (fixed-width UTC
-- text: the start is the first 30 characters, the end the last 30).

CREATE OR REPLACE VIEW eac_facet_values (id, facet, value) AS
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

INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
SELECT facet, value, '', 0, count(*), NULL FROM eac_facet_values
WHERE facet = 'period' GROUP BY facet, value;
INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
SELECT f.facet, f.value, t.unit, t.scale, count(*),
       CASE WHEN sum(t.mantissa::numeric) BETWEEN -9223372036854775808 AND 9223372036854775807
            THEN sum(t.mantissa::numeric)::bigint END
FROM eac_facet_values f JOIN eac_totals t ON t.eac_id = f.id
WHERE f.facet = 'period' AND t.mantissa IS NOT NULL
GROUP BY f.facet, f.value, t.unit, t.scale;

-- 0015's function with the period beside the five facets.
CREATE FUNCTION eacdesk_facets_change(
    p_technology text, p_retired text, p_beneficiary text, p_source text, p_destination text,
    p_period text, p_unit text, p_scale bigint, p_mantissa bigint, p_sign integer
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    f text;
    v text;
BEGIN
    FOR f, v IN
        SELECT p.f, p.v FROM (VALUES
            ('technology_type', p_technology), ('retired_state', p_retired),
            ('beneficiary_type', p_beneficiary), ('source_id', p_source),
            ('destination_id', p_destination), ('period', p_period)) AS p (f, v)
        WHERE p.v IS NOT NULL
    LOOP
        IF p_sign > 0 THEN
            INSERT INTO eac_facets_kept AS k (facet, value, unit, scale, summed, mantissa)
            VALUES (f, v, p_unit, p_scale, 1, CASE WHEN p_unit <> '' THEN p_mantissa END)
            ON CONFLICT (facet, value, unit, scale) DO UPDATE SET
                summed = k.summed + 1,
                mantissa = CASE WHEN p_unit <> ''
                                THEN eacdesk_add64(k.mantissa, p_mantissa::numeric) END;
        ELSE
            UPDATE eac_facets_kept AS k SET
                summed = k.summed - 1,
                mantissa = CASE WHEN p_unit = '' THEN NULL
                                WHEN k.summed = 1 THEN 0
                                ELSE eacdesk_add64(k.mantissa, -p_mantissa::numeric) END
            WHERE k.facet = f AND k.value = v AND k.unit = p_unit AND k.scale = p_scale;
        END IF;
    END LOOP;
END;
$$;

CREATE OR REPLACE FUNCTION eacdesk_facets_kept_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    e eacs%ROWTYPE;
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.mantissa IS NOT NULL THEN
        SELECT * INTO e FROM eacs WHERE id = OLD.eac_id;
        IF FOUND THEN
            PERFORM eacdesk_facets_change(e.technology_type, e.retired_state,
                e.beneficiary_type, e.source_id, e.destination_id,
                e.period_start || '/' || e.period_end,
                OLD.unit, OLD.scale, OLD.mantissa, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.mantissa IS NOT NULL THEN
        SELECT * INTO e FROM eacs WHERE id = NEW.eac_id;
        IF FOUND THEN
            PERFORM eacdesk_facets_change(e.technology_type, e.retired_state,
                e.beneficiary_type, e.source_id, e.destination_id,
                e.period_start || '/' || e.period_end,
                NEW.unit, NEW.scale, NEW.mantissa, 1);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION eacdesk_facets_kept_eacs() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM eacdesk_facets_change(OLD.technology_type, OLD.retired_state,
            OLD.beneficiary_type, OLD.source_id, OLD.destination_id,
            OLD.period_start || '/' || OLD.period_end, '', 0, NULL, -1);
        FOR t IN SELECT unit, scale, mantissa FROM eac_totals
                 WHERE eac_id = OLD.id AND mantissa IS NOT NULL LOOP
            PERFORM eacdesk_facets_change(OLD.technology_type, OLD.retired_state,
                OLD.beneficiary_type, OLD.source_id, OLD.destination_id,
                OLD.period_start || '/' || OLD.period_end,
                t.unit, t.scale, t.mantissa, -1);
        END LOOP;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM eacdesk_facets_change(NEW.technology_type, NEW.retired_state,
            NEW.beneficiary_type, NEW.source_id, NEW.destination_id,
            NEW.period_start || '/' || NEW.period_end, '', 0, NULL, 1);
        FOR t IN SELECT unit, scale, mantissa FROM eac_totals
                 WHERE eac_id = NEW.id AND mantissa IS NOT NULL LOOP
            PERFORM eacdesk_facets_change(NEW.technology_type, NEW.retired_state,
                NEW.beneficiary_type, NEW.source_id, NEW.destination_id,
                NEW.period_start || '/' || NEW.period_end,
                t.unit, t.scale, t.mantissa, 1);
        END LOOP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NULL;
END;
$$;

DROP FUNCTION eacdesk_facets_change(text, text, text, text, text, text, bigint, bigint, integer);

DROP TRIGGER eac_facets_kept_update ON eacs;
CREATE TRIGGER eac_facets_kept_update AFTER UPDATE OF
    technology_type, retired_state, beneficiary_type, source_id, destination_id,
    period_start, period_end ON eacs
    FOR EACH ROW
    WHEN (NEW.technology_type IS DISTINCT FROM OLD.technology_type
       OR NEW.retired_state IS DISTINCT FROM OLD.retired_state
       OR NEW.beneficiary_type IS DISTINCT FROM OLD.beneficiary_type
       OR NEW.source_id IS DISTINCT FROM OLD.source_id
       OR NEW.destination_id IS DISTINCT FROM OLD.destination_id
       OR NEW.period_start IS DISTINCT FROM OLD.period_start
       OR NEW.period_end IS DISTINCT FROM OLD.period_end)
    EXECUTE FUNCTION eacdesk_facets_kept_eacs();

UPDATE eacdesk_schema SET version = 16;
