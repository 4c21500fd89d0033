-- Evidence packs and closed reporting periods (issue 12).
--
-- Audit records of changes to the whole database (a pack made, a period
-- closed or reopened, an export) name no EAC: their `cds_eac_id` is ''.

-- Every evidence pack made from this database: what it holds and how to
-- recognise it again (`eacdesk pack diff`).
CREATE TABLE packs (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT    NOT NULL,
    title           TEXT,
    -- The EacFilter that chose the EACs, as JSON.
    filter          TEXT    NOT NULL CHECK (json_valid(filter)),
    -- SHA-256 of the pack's MANIFEST.json bytes (hex).
    manifest_sha256 TEXT    NOT NULL UNIQUE CHECK (length(manifest_sha256) = 64),
    -- The audit chain head when the pack was made (NULL: no records yet).
    audit_head      TEXT,
    audit_records   INTEGER NOT NULL,
    eac_count       INTEGER NOT NULL,
    -- The signing key's fingerprint.
    key_fingerprint TEXT    NOT NULL,
    -- Where it was written, as the user chose it.
    path            TEXT    NOT NULL
);

-- Closed reporting periods: EACs whose period lies inside one cannot be
-- changed (beneficiaries, fields, emission factors, re-imports, deletion)
-- until the period is reopened. Closing and reopening are audited; a
-- reopened period keeps its row with `reopened_at` set.
CREATE TABLE closed_periods (
    id           INTEGER PRIMARY KEY,
    -- Inclusive calendar dates (UTC), YYYY-MM-DD.
    date_from    TEXT    NOT NULL,
    date_to      TEXT    NOT NULL CHECK (date_to >= date_from),
    closed_at    TEXT    NOT NULL,
    closed_by    TEXT    NOT NULL,
    reason       TEXT    NOT NULL CHECK (length(trim(reason)) > 0),
    reopened_at  TEXT,
    reopened_by  TEXT,
    reopen_reason TEXT
);

CREATE INDEX closed_periods_open ON closed_periods (date_from, date_to) WHERE reopened_at IS NULL;
