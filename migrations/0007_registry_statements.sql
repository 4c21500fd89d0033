-- Registry statements (Ofgem REGO, I-REC, GO, M-RETS, EnergyTag, mapped CSV).
--
-- 1. EACs read from a registry statement may lack CDS-required fields the
--    document does not give (destination, beneficiary type, asset location
--    types, technology, a value's issue date, the date of a proven
--    retirement). They are stored as they are, with NULL in those columns,
--    and listed in `missing` (a JSON array of field names, NULL when the
--    EAC is complete), which blocks P1 and P2 exports until the user
--    completes them. `eacs` and `eac_values` are rebuilt to drop the NOT
--    NULL constraints (SQLite cannot alter a column); ids are kept, so the
--    search index (rowid = eacs.id) and every reference stay valid. The
--    migration runs with foreign keys off and checks them before commit.
-- 2. Provenance: the original documents (bytes deduplicated by SHA-256) and
--    which EAC came from which document, where in it.
-- 3. Certificate ranges as numbers, for double-counting checks.
-- 4. Ofgem accredited stations (commissioning dates, names, capacities).
-- 5. Saved column mappings of the generic CSV import.

CREATE TABLE eacs_rebuilt (
    id                      INTEGER PRIMARY KEY,
    cds_eac_id              TEXT    NOT NULL UNIQUE CHECK (length(cds_eac_id) > 0),
    cds_created             TEXT    NOT NULL,
    cds_modified            TEXT    NOT NULL,
    eac_number              TEXT,
    source_id               TEXT    NOT NULL,
    source_name             TEXT    NOT NULL,
    -- NULL: missing (listed in `missing`).
    destination_id          TEXT,
    destination_name        TEXT,
    beneficiary_type        TEXT,
    asset_id                TEXT    NOT NULL,
    asset_commissioned      TEXT,
    asset_origination       TEXT,
    asset_destination       TEXT,
    technology_type         TEXT,
    -- NULL: the document held no number ("TODO"); blocks a P1 export.
    emissions_factor_direct TEXT,
    emissions_factor_lca    TEXT,
    period_start            TEXT    NOT NULL,
    period_end              TEXT    NOT NULL,
    -- Earliest values[].issued (digest §f.1); NULL when no value has one.
    issuance                TEXT,
    retired_state           TEXT    NOT NULL CHECK (retired_state IN ('no', 'partly', 'yes')),
    value_count             INTEGER NOT NULL CHECK (value_count > 0),
    -- Decimal::sort_key of the exact total in Wh: byte order = quantity order.
    quantity_sort_key       TEXT    NOT NULL,
    -- Extension fields as one JSON object text (extensions_to_json), verbatim.
    extensions              TEXT,
    -- The batch that wrote the stored version.
    import_batch_id         INTEGER NOT NULL REFERENCES import_batches (id),
    -- The last batch whose file held this EAC (written or skipped).
    seen_batch_id           INTEGER NOT NULL REFERENCES import_batches (id),
    cds_synced              TEXT,
    -- Names of the missing completable fields (Eac::missing_names), as a
    -- JSON array; NULL when complete.
    missing                 TEXT CHECK (missing IS NULL OR json_valid(missing))
);

INSERT INTO eacs_rebuilt
SELECT id, cds_eac_id, cds_created, cds_modified, eac_number, source_id, source_name,
       destination_id, destination_name, beneficiary_type, asset_id, asset_commissioned,
       asset_origination, asset_destination, technology_type,
       emissions_factor_direct, emissions_factor_lca, period_start, period_end,
       issuance, retired_state, value_count, quantity_sort_key, extensions,
       import_batch_id, seen_batch_id, cds_synced,
       CASE
           WHEN emissions_factor_direct IS NULL AND emissions_factor_lca IS NULL
               THEN '["emissions_factor_direct","emissions_factor_lca"]'
           WHEN emissions_factor_direct IS NULL THEN '["emissions_factor_direct"]'
           WHEN emissions_factor_lca IS NULL THEN '["emissions_factor_lca"]'
       END
  FROM eacs;

DROP TABLE eacs;
ALTER TABLE eacs_rebuilt RENAME TO eacs;

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
CREATE INDEX eacs_by_source_id ON eacs (source_id);
CREATE INDEX eacs_by_destination_id ON eacs (destination_id);
-- `ls --incomplete`.
CREATE INDEX eacs_incomplete ON eacs (cds_eac_id) WHERE missing IS NOT NULL;
CREATE INDEX eacs_by_asset_id ON eacs (asset_id);

CREATE TABLE eac_values_rebuilt (
    eac_id     INTEGER NOT NULL REFERENCES eacs (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    eac_number TEXT,
    -- NULL: missing (I-REC and M-RETS statements print no issue date).
    issued     TEXT,
    retired    TEXT,
    "start"    TEXT,
    "end"      TEXT,
    unit       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    extensions TEXT,
    -- 1: the document proves the claim but gives no date (`retired` NULL
    -- until the user enters it).
    retired_undated INTEGER NOT NULL DEFAULT 0 CHECK (retired_undated IN (0, 1)),
    PRIMARY KEY (eac_id, position)
) WITHOUT ROWID;

INSERT INTO eac_values_rebuilt
    (eac_id, position, eac_number, issued, retired, "start", "end", unit, value, extensions)
SELECT eac_id, position, eac_number, issued, retired, "start", "end", unit, value, extensions
  FROM eac_values;

DROP TABLE eac_values;
ALTER TABLE eac_values_rebuilt RENAME TO eac_values;

-- Original documents, byte for byte, one row per distinct content.
CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT    NOT NULL UNIQUE CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL,
    content     BLOB    NOT NULL,
    -- The reader that read it (`ofgem-certificates-csv`, `irec-pdf`, …).
    format      TEXT    NOT NULL,
    -- The file name when first imported (later imports may name it
    -- differently: see eac_sources.file_name).
    file_name   TEXT    NOT NULL,
    imported_at TEXT    NOT NULL
);

-- Which EAC came from which document, and where in it.
CREATE TABLE eac_sources (
    eac_id          INTEGER NOT NULL REFERENCES eacs (id) ON DELETE CASCADE,
    document_id     INTEGER NOT NULL REFERENCES documents (id),
    file_name       TEXT    NOT NULL,
    -- `line 12`, `page 1`, `element …`, `JSON pointer …`.
    locator         TEXT    NOT NULL,
    -- The certificate range as printed, `first – last`.
    range_text      TEXT,
    imported_at     TEXT    NOT NULL,
    import_batch_id INTEGER REFERENCES import_batches (id),
    PRIMARY KEY (eac_id, document_id, locator)
) WITHOUT ROWID;

CREATE INDEX eac_sources_by_document ON eac_sources (document_id);

-- Certificate ranges as numbers. `first_key`/`last_key` are
-- fixed-width sortable keys of the sequence numbers (eac-store
-- `ranges::seq_key`), so byte order is number order and two ranges of one
-- registry and series overlap when first_key ≤ other.last_key and
-- other.first_key ≤ last_key.
CREATE TABLE eac_ranges (
    eac_id    INTEGER NOT NULL REFERENCES eacs (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    registry  TEXT    NOT NULL,
    series    TEXT    NOT NULL,
    first     TEXT    NOT NULL,
    last      TEXT    NOT NULL,
    first_key TEXT    NOT NULL,
    last_key  TEXT    NOT NULL,
    PRIMARY KEY (eac_id, position)
) WITHOUT ROWID;

CREATE INDEX eac_ranges_by_series ON eac_ranges (registry, series, first_key);

-- Ofgem accredited stations: not EACs. Their commissioning dates fill
-- `asset_commissioned` of EACs with the same asset id (audited), now and
-- on later imports; names and capacities are shown beside the EAC.
CREATE TABLE stations (
    asset_id     TEXT    PRIMARY KEY,
    name         TEXT,
    capacity     TEXT,
    commissioned TEXT,
    -- Further columns as a JSON object of texts.
    facts        TEXT    CHECK (facts IS NULL OR json_valid(facts)),
    document_id  INTEGER REFERENCES documents (id),
    updated_at   TEXT    NOT NULL
) WITHOUT ROWID;

-- Column mappings of the generic CSV import, saved by name.
CREATE TABLE csv_mappings (
    name       TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
    mapping    TEXT NOT NULL CHECK (json_valid(mapping)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
