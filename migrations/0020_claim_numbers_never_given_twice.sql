-- A claim's number is never given twice (session 31). `claims.id` was an
-- `INTEGER PRIMARY KEY`, which SQLite gives the highest number in the
-- table plus one: after the newest claim was deleted, the next claim took
-- its number, and the audit log then held "claim 1 recorded", "claim 1
-- deleted" and "claim 1 recorded" of two different claims (evidence packs
-- name their files `claims/claim-N.json`). With AUTOINCREMENT SQLite keeps
-- the highest number ever given (`sqlite_sequence`), as a server's
-- identity column does. The table is rebuilt (foreign keys are off while
-- migrating and checked before the commit, so its allocations stay), and
-- the sequence starts at the highest claim number the table or any
-- claim's audit record has seen.
CREATE TABLE claims_numbered (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    beneficiary_type TEXT    NOT NULL,
    -- JSON array of ids.
    beneficiaries    TEXT    NOT NULL CHECK (json_valid(beneficiaries)),
    -- Inclusive days, YYYY-MM-DD.
    date_from        TEXT    NOT NULL,
    date_to          TEXT    NOT NULL CHECK (date_to >= date_from),
    granularity      TEXT    NOT NULL CHECK (granularity IN ('annual', 'monthly', 'hourly')),
    market           TEXT,
    bidding_zone     TEXT,
    unit             TEXT    NOT NULL,
    -- The rule set whose passing values alone were allocated, if any.
    only_passing     TEXT,
    created_at       TEXT    NOT NULL,
    created_by       TEXT    NOT NULL
);

INSERT INTO claims_numbered
    (id, name, beneficiary_type, beneficiaries, date_from, date_to, granularity, market,
     bidding_zone, unit, only_passing, created_at, created_by)
SELECT id, name, beneficiary_type, beneficiaries, date_from, date_to, granularity, market,
       bidding_zone, unit, only_passing, created_at, created_by
  FROM claims;

DROP TABLE claims;
ALTER TABLE claims_numbered RENAME TO claims;

DELETE FROM sqlite_sequence WHERE name IN ('claims', 'claims_numbered');
INSERT INTO sqlite_sequence (name, seq)
SELECT 'claims', max(n) FROM (
    SELECT coalesce(max(id), 0) AS n FROM claims
    UNION ALL
    SELECT coalesce(max(CAST(json_extract("after", '$.claim') AS INTEGER)), 0)
      FROM audit_log
     WHERE action IN ('claim_create', 'claim_delete') AND json_valid("after")
    UNION ALL
    SELECT coalesce(max(CAST(json_extract("before", '$.claim') AS INTEGER)), 0)
      FROM audit_log
     WHERE action IN ('claim_create', 'claim_delete') AND json_valid("before")
);
