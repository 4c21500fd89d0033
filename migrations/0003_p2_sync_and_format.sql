-- Profile P2 (CDS-WG3-01 v1): when each EAC was last checked against its
-- source, and where an EAC imported from a P2 listing came from.
--
-- New columns only (nullable), so every existing query stays right:
--   * cds_synced: `Timestamp::to_storage` text; set to the import time by
--     every import that holds the EAC, and to "now" by `mark_verified`.
--     Existing EACs take the time of the last import that held them.
--   * eac_format / eac_data_url: the envelope's own format id and URL when
--     an EAC came from a P2 listing; NULL for P1 imports.
ALTER TABLE eacs ADD COLUMN cds_synced TEXT;
ALTER TABLE eacs ADD COLUMN eac_format TEXT;
ALTER TABLE eacs ADD COLUMN eac_data_url TEXT;

UPDATE eacs
   SET cds_synced = (SELECT b.imported_at FROM import_batches b WHERE b.id = eacs.seen_batch_id);
