-- Search text and reference-data ids and labels in Unicode normalization
-- form C, as the file's step 0025 does (decision 35 as amended): the text
-- stored by older versions, folded to lowercase, is put in NFC, which is
-- what `fold::fold` now writes. `normalize` works in a UTF8 database only;
-- in another (SQL_ASCII, LATIN1) the stored text is left as it was.
DO $$
BEGIN
    IF current_setting('server_encoding') = 'UTF8' THEN
        UPDATE eacs SET search_text = normalize(search_text, NFC)
         WHERE search_text IS NOT NFC NORMALIZED;
        UPDATE refdata
           SET ref_id_folded = normalize(ref_id_folded, NFC),
               label_folded = normalize(label_folded, NFC)
         WHERE ref_id_folded IS NOT NFC NORMALIZED OR label_folded IS NOT NFC NORMALIZED;
    END IF;
END
$$;
UPDATE eacdesk_schema SET version = 25;
