-- A tamper-evident audit log (issue 12).
--
-- Every audit record carries `hash`, the SHA-256 (hex) of the previous
-- record's hash, a line break and the record's canonical content (a JSON
-- array of its columns in table order, id first: eac-store `chain`), and
-- `prev_hash`, the hash of the record before it (64 zeros for the first).
-- An edited, deleted, inserted or reordered record breaks the chain at that
-- record; `eacdesk audit verify` names the first one.
--
-- SQLite has no SHA-256: the records that exist are chained by EAC Desk
-- right after this file, in the same transaction, while the update trigger
-- dropped here is away; the store re-creates it at once.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
DROP TRIGGER audit_log_no_update;
