-- Audited imports, deletions and verification; undo of an import batch;
-- audit records that cannot be replaced.
--
-- Every change to a stored EAC is an audit record. Records of changes that
-- touch more than the beneficiaries (an import replacing an EAC, a deletion,
-- an undo) keep the whole EAC before and after as JSON text in
-- `before_state` / `after_state` (NULL: the EAC did not exist, or the
-- record is a beneficiary/emission edit whose `before`/`after` already say
-- everything). The text is `{"kind":"eac"|"envelope","data":{…}}` with the
-- data written exactly (decimals as their literal text), so an undo restores
-- exactly what was there.
ALTER TABLE audit_log ADD COLUMN before_state TEXT CHECK (before_state IS NULL OR json_valid(before_state));
ALTER TABLE audit_log ADD COLUMN after_state TEXT CHECK (after_state IS NULL OR json_valid(after_state));
-- The file a change came from (imports and undos of imports).
ALTER TABLE audit_log ADD COLUMN source_file TEXT;
ALTER TABLE audit_log ADD COLUMN import_batch_id INTEGER;

-- `INSERT OR REPLACE` deletes the old row without firing delete triggers:
-- refuse any insert that names an id already used.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit records are never replaced');
END;

-- What each import batch did to each EAC, so that it can be undone:
-- `added` (removed by an undo) or `replaced` (restored from the `before_state`
-- of audit record `audit_id`). `kind` says which table holds the EAC now.
CREATE TABLE import_changes (
    batch_id   INTEGER NOT NULL REFERENCES import_batches (id),
    cds_eac_id TEXT    NOT NULL,
    change     TEXT    NOT NULL CHECK (change IN ('added', 'replaced')),
    kind       TEXT    NOT NULL CHECK (kind IN ('eac', 'envelope')),
    audit_id   INTEGER REFERENCES audit_log (id),
    PRIMARY KEY (batch_id, cds_eac_id)
) WITHOUT ROWID;

-- The newest audit record when the batch committed: a later record for one
-- of its EACs means the EAC changed after the import. NULL for batches
-- imported before this version (they cannot be undone: what they replaced
-- was not kept).
ALTER TABLE import_batches ADD COLUMN last_audit_id INTEGER;
-- When the batch was undone (`Timestamp::to_storage` text), else NULL.
ALTER TABLE import_batches ADD COLUMN undone_at TEXT;
