-- What each registry document stated of each EAC it gave, as the file's
-- step 0023 keeps it: the EAC as read, before what a person completed or
-- corrected was kept, compared with a later import of the same or another
-- document. Rows written before this step have none.
ALTER TABLE eac_sources ADD COLUMN stated text;
UPDATE eacdesk_schema SET version = 23;
