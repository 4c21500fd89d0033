-- The names a registry statement gives an EAC are searchable (tester report
-- 41, finding 7; decision 442): the station (`eacdesk_device_name`), the
-- beneficiary the registry printed (`eacdesk_beneficiary_name`) and the
-- holder (`eacdesk_holder`) join the search text, each on a line of its own
-- after the fields searched before, as `rows::search_text` writes them for
-- new EACs. Users look for "Walney" or the customer's name; only numbers,
-- ids, the asset, source, destination and CDS beneficiaries were found.
-- Only EACs holding one of those names are written.
UPDATE eac_search
   SET text = text || (
       SELECT eacdesk_fold(
                  CASE WHEN json_type(e.extensions, '$.eacdesk_device_name') = 'text'
                            AND json_extract(e.extensions, '$.eacdesk_device_name') <> ''
                       THEN char(10) || json_extract(e.extensions, '$.eacdesk_device_name')
                       ELSE '' END
               || CASE WHEN json_type(e.extensions, '$.eacdesk_beneficiary_name') = 'text'
                            AND json_extract(e.extensions, '$.eacdesk_beneficiary_name') <> ''
                       THEN char(10) || json_extract(e.extensions, '$.eacdesk_beneficiary_name')
                       ELSE '' END
               || CASE WHEN json_type(e.extensions, '$.eacdesk_holder') = 'text'
                            AND json_extract(e.extensions, '$.eacdesk_holder') <> ''
                       THEN char(10) || json_extract(e.extensions, '$.eacdesk_holder')
                       ELSE '' END)
         FROM eacs e
        WHERE e.id = eac_search.rowid)
 WHERE rowid IN (
       SELECT id FROM eacs
        WHERE extensions IS NOT NULL
          AND json_valid(extensions)
          AND (json_type(extensions, '$.eacdesk_device_name') = 'text'
               OR json_type(extensions, '$.eacdesk_beneficiary_name') = 'text'
               OR json_type(extensions, '$.eacdesk_holder') = 'text'));
