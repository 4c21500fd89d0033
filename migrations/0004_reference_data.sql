-- Reference data behind beneficiaries (digest §e): the ids a beneficiary
-- list may name, imported from CDS Accounts / Service Contracts listings and
-- programs lists. One row per (type, id); a re-import of the same id
-- replaces its label, source file and time. Rows are never deleted, so "any
-- row of a type" means "reference data of that type was imported".
CREATE TABLE refdata (
    beneficiary_type TEXT NOT NULL,
    ref_id           TEXT NOT NULL CHECK (length(ref_id) > 0),
    label            TEXT NOT NULL,
    source_file      TEXT NOT NULL,
    -- `Timestamp::to_storage` text.
    imported_at      TEXT NOT NULL,
    PRIMARY KEY (beneficiary_type, ref_id)
) WITHOUT ROWID;

-- Case-insensitive prefix lookups for the editor's suggestions.
CREATE INDEX refdata_by_type_id_nocase ON refdata (beneficiary_type, ref_id COLLATE NOCASE);
