-- Claims (issue 15): consumption per beneficiary, claims with their
-- allocations of retired EAC values, and emission factors per market as
-- audited reference data. Quantities and factors are exact decimal text.

-- Consumption intervals, one per imported row; `[start, end)` UTC in
-- `Timestamp::to_storage` text. Rows of one beneficiary never overlap
-- (checked by the store before insert).
CREATE TABLE consumption (
    id               INTEGER PRIMARY KEY,
    beneficiary_type TEXT    NOT NULL,
    beneficiary      TEXT    NOT NULL,
    "start"          TEXT    NOT NULL,
    "end"            TEXT    NOT NULL CHECK ("end" > "start"),
    value            TEXT    NOT NULL,
    unit             TEXT    NOT NULL,
    source_file      TEXT    NOT NULL,
    line             INTEGER NOT NULL,
    imported_at      TEXT    NOT NULL
);

CREATE INDEX consumption_by_beneficiary
    ON consumption (beneficiary_type, beneficiary, "start");

-- A claim: who, which days, how finely matched, where the consumption is.
CREATE TABLE claims (
    id               INTEGER PRIMARY KEY,
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

-- Parts of EAC values given to a claim, per matching interval. The store
-- refuses a write that would give any value more than its quantity over
-- all claims. Deleting a claim (audited) deletes its allocations.
CREATE TABLE claim_allocations (
    claim_id       INTEGER NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    cds_eac_id     TEXT    NOT NULL,
    position       INTEGER NOT NULL,
    interval_start TEXT    NOT NULL,
    interval_end   TEXT    NOT NULL,
    -- Exact Wh.
    quantity_wh    TEXT    NOT NULL,
    PRIMARY KEY (claim_id, cds_eac_id, position, interval_start)
) WITHOUT ROWID;

CREATE INDEX claim_allocations_by_value ON claim_allocations (cds_eac_id, position);

-- Emission factors per market: `residual_mix` (market-based) or `grid`
-- (location-based), tCO2e per MWh, with their source and year. One per
-- market, kind and year; setting one again replaces it (audited).
CREATE TABLE emission_factors (
    market        TEXT    NOT NULL CHECK (length(trim(market)) > 0),
    kind          TEXT    NOT NULL CHECK (kind IN ('residual_mix', 'grid')),
    year          INTEGER NOT NULL,
    tco2e_per_mwh TEXT    NOT NULL,
    source        TEXT    NOT NULL CHECK (length(trim(source)) > 0),
    set_at        TEXT    NOT NULL,
    set_by        TEXT    NOT NULL,
    PRIMARY KEY (market, kind, year)
);
