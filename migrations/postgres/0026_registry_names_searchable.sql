-- The names a registry statement gives an EAC are searchable, as the file's
-- step 0026 makes them (decision 442): the station, the beneficiary the
-- registry printed and the holder join `eacs.search_text`, each on a line
-- of its own, folded as the application folds (lowercase; NFC in a UTF8
-- database, as step 0025).
DO $$
DECLARE
    utf8 boolean := current_setting('server_encoding') = 'UTF8';
BEGIN
    WITH named AS (
        SELECT id,
               concat(
                   CASE WHEN jsonb_typeof(extensions::jsonb -> 'eacdesk_device_name') = 'string'
                             AND extensions::jsonb ->> 'eacdesk_device_name' <> ''
                        THEN E'\n' || (extensions::jsonb ->> 'eacdesk_device_name') END,
                   CASE WHEN jsonb_typeof(extensions::jsonb -> 'eacdesk_beneficiary_name') = 'string'
                             AND extensions::jsonb ->> 'eacdesk_beneficiary_name' <> ''
                        THEN E'\n' || (extensions::jsonb ->> 'eacdesk_beneficiary_name') END,
                   CASE WHEN jsonb_typeof(extensions::jsonb -> 'eacdesk_holder') = 'string'
                             AND extensions::jsonb ->> 'eacdesk_holder' <> ''
                        THEN E'\n' || (extensions::jsonb ->> 'eacdesk_holder') END
               ) AS names
          FROM eacs
         WHERE extensions IS NOT NULL
           AND extensions LIKE '%eacdesk_%'
    )
    UPDATE eacs e
       SET search_text = e.search_text
           || CASE WHEN utf8 THEN normalize(lower(named.names), NFC) ELSE lower(named.names) END
      FROM named
     WHERE named.id = e.id AND named.names <> '';
END
$$;
UPDATE eacdesk_schema SET version = 26;
