-- EAC Desk schema, version 1.
--
-- Never edit this file once it has shipped: later changes are new numbered
-- files. Conventions:
--   * datetimes are `Timestamp::to_storage` text (fixed-width UTC, nanoseconds),
--     so byte order is instant order and comparisons need no date functions;
--   * dates are `YYYY-MM-DD`;
--   * decimals (quantities, emission factors) are their exact JSON text and
--     are never stored, summed or compared as REAL;
--   * enumerations are their spec spelling; they are validated in Rust (the
--     spec's lists are still moving, a CHECK would need a table rebuild).

-- One row per imported file (or in-memory source such as sample data).
CREATE TABLE import_batches (
    id            INTEGER PRIMARY KEY,
    file_name     TEXT    NOT NULL,
    sha256        TEXT,
    imported_at   TEXT    NOT NULL,
    added         INTEGER NOT NULL DEFAULT 0,
    replaced      INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    ignored       INTEGER NOT NULL DEFAULT 0,
    value_count   INTEGER NOT NULL DEFAULT 0,
    warning_count INTEGER NOT NULL DEFAULT 0
);

-- One row per EAC: the P1 fields plus values derived for browsing
-- (issuance, retired_state, value_count, quantity_sort_key).
CREATE TABLE eacs (
    id                      INTEGER PRIMARY KEY,
    cds_eac_id              TEXT    NOT NULL UNIQUE CHECK (length(cds_eac_id) > 0),
    cds_created             TEXT    NOT NULL,
    cds_modified            TEXT    NOT NULL,
    eac_number              TEXT,
    source_id               TEXT    NOT NULL,
    source_name             TEXT    NOT NULL,
    destination_id          TEXT    NOT NULL,
    destination_name        TEXT    NOT NULL,
    beneficiary_type        TEXT    NOT NULL,
    asset_id                TEXT    NOT NULL,
    asset_commissioned      TEXT,
    asset_origination       TEXT    NOT NULL,
    asset_destination       TEXT    NOT NULL,
    technology_type         TEXT    NOT NULL,
    -- NULL: the document held no number ("TODO"); blocks a P1 export.
    emissions_factor_direct TEXT,
    emissions_factor_lca    TEXT,
    period_start            TEXT    NOT NULL,
    period_end              TEXT    NOT NULL,
    -- Earliest values[].issued (digest §f.1).
    issuance                TEXT    NOT NULL,
    retired_state           TEXT    NOT NULL CHECK (retired_state IN ('no', 'partly', 'yes')),
    value_count             INTEGER NOT NULL CHECK (value_count > 0),
    -- Decimal::sort_key of the exact total in Wh: byte order = quantity order.
    quantity_sort_key       TEXT    NOT NULL,
    -- Extension fields as one JSON object text (extensions_to_json), verbatim.
    extensions              TEXT,
    -- The batch that wrote the stored version.
    import_batch_id         INTEGER NOT NULL REFERENCES import_batches (id),
    -- The last batch whose file held this EAC (written or skipped): a second
    -- occurrence within one file is a duplicate id (rule 7).
    seen_batch_id           INTEGER NOT NULL REFERENCES import_batches (id)
);

-- Values in document order.
CREATE TABLE eac_values (
    eac_id     INTEGER NOT NULL REFERENCES eacs (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    eac_number TEXT,
    issued     TEXT    NOT NULL,
    retired    TEXT,
    "start"    TEXT,
    "end"      TEXT,
    unit       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    extensions TEXT,
    PRIMARY KEY (eac_id, position)
) WITHOUT ROWID;

-- Beneficiaries in document order; the type is copied from `eacs` so that
-- suggestions for one type are an index range.
CREATE TABLE eac_beneficiaries (
    eac_id           INTEGER NOT NULL REFERENCES eacs (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    beneficiary_type TEXT    NOT NULL,
    beneficiary_id   TEXT    NOT NULL,
    PRIMARY KEY (eac_id, position)
) WITHOUT ROWID;

CREATE INDEX eac_beneficiaries_by_type_id
    ON eac_beneficiaries (beneficiary_type, beneficiary_id COLLATE NOCASE);

-- Exact total per EAC per unit. `mantissa`/`scale` (total = mantissa ×
-- 10^-scale) let SQLite sum a filtered set exactly with integers; NULL when the
-- mantissa does not fit in 64 bits (then the text is summed in Rust).
CREATE TABLE eac_totals (
    eac_id   INTEGER NOT NULL REFERENCES eacs (id) ON DELETE CASCADE,
    unit     TEXT    NOT NULL,
    total    TEXT    NOT NULL,
    mantissa INTEGER,
    scale    INTEGER,
    PRIMARY KEY (eac_id, unit)
) WITHOUT ROWID;

-- Substring search: one row per EAC (rowid = eacs.id) holding its numbers,
-- ids, names and beneficiaries, one per line.
CREATE VIRTUAL TABLE eac_search USING fts5 (text, tokenize = 'trigram');

-- Who changed what, when and why. Append-only (see the triggers below).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    os_user    TEXT NOT NULL,
    cds_eac_id TEXT NOT NULL,
    action     TEXT NOT NULL,
    "before"   TEXT NOT NULL CHECK (json_valid("before")),
    "after"    TEXT NOT NULL CHECK (json_valid("after")),
    reason     TEXT NOT NULL CHECK (length(trim(reason)) > 0)
);

CREATE INDEX audit_log_by_eac ON audit_log (cds_eac_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are never changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are never deleted');
END;

-- Browse: one index per sort field, each ending in the cds_eac_id tie-break
-- (the UNIQUE constraint already indexes cds_eac_id itself).
-- P1 listing order (digest §b), also the browse order "by EAC number".
CREATE INDEX eacs_p1_order
    ON eacs ((eac_number IS NULL), eac_number, issuance DESC, cds_eac_id);
CREATE INDEX eacs_by_technology_type ON eacs (technology_type, cds_eac_id);
CREATE INDEX eacs_by_period_start ON eacs (period_start, cds_eac_id);
CREATE INDEX eacs_by_period_end ON eacs (period_end, cds_eac_id);
CREATE INDEX eacs_by_source ON eacs (source_name, source_id, cds_eac_id);
CREATE INDEX eacs_by_destination ON eacs (destination_name, destination_id, cds_eac_id);
CREATE INDEX eacs_by_beneficiary_type ON eacs (beneficiary_type, cds_eac_id);
CREATE INDEX eacs_by_quantity ON eacs (quantity_sort_key, cds_eac_id);
CREATE INDEX eacs_by_retired_state ON eacs (retired_state, cds_eac_id);
CREATE INDEX eacs_by_issuance ON eacs (issuance, cds_eac_id);
CREATE INDEX eacs_by_cds_modified ON eacs (cds_modified, cds_eac_id);
-- Filters by exact id.
CREATE INDEX eacs_by_source_id ON eacs (source_id);
CREATE INDEX eacs_by_destination_id ON eacs (destination_id);
