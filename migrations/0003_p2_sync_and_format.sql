-- Profile P2 (CDS-WG3-01 v1): when each EAC was last checked against its
-- source, and EACs known only by their v1 envelope.
--
-- `cds_synced` is a new nullable column, so every existing query stays
-- right: `Timestamp::to_storage` text, set to the import time by every
-- import that holds the EAC and to "now" by `mark_verified`. Existing EACs
-- take the time of the last import that held them.
ALTER TABLE eacs ADD COLUMN cds_synced TEXT;

UPDATE eacs
   SET cds_synced = (SELECT b.imported_at FROM import_batches b WHERE b.id = eacs.seen_batch_id);

-- Envelope-only EACs: imported from a P2 listing whose detail data is not in
-- EAC Desk's format (or not at hand). They have no values, source, asset or
-- technology, so they live beside `eacs` (whose columns and CHECKs promise
-- values) instead of in it: the P1 browse, totals and export queries stay
-- exactly as they were. A full EAC with the same id supersedes the envelope.
CREATE TABLE eac_envelopes (
    id               INTEGER PRIMARY KEY,
    cds_eac_id       TEXT    NOT NULL UNIQUE CHECK (length(cds_eac_id) > 0),
    cds_created      TEXT    NOT NULL,
    cds_modified     TEXT    NOT NULL,
    cds_synced       TEXT    NOT NULL,
    beneficiary_type TEXT    NOT NULL,
    -- JSON arrays of strings, in document order.
    beneficiaries    TEXT    NOT NULL CHECK (json_valid(beneficiaries)),
    eac_numbers      TEXT    NOT NULL CHECK (json_valid(eac_numbers)),
    eac_format       TEXT    NOT NULL,
    eac_data_url     TEXT    NOT NULL,
    period_start     TEXT    NOT NULL,
    period_end       TEXT    NOT NULL,
    extensions       TEXT,
    import_batch_id  INTEGER NOT NULL REFERENCES import_batches (id)
);

CREATE INDEX eac_envelopes_p2_order
    ON eac_envelopes (period_start DESC, cds_created DESC, cds_eac_id);
