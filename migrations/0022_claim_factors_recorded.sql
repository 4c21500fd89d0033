-- A recorded claim keeps the emission factors it was recorded with
-- (decision 273). Its Scope 2 report read the factor stored now, so setting
-- a factor again (`claims factor set`, audited `factor_set`) silently
-- changed the report of a claim recorded earlier, and its copy in a later
-- evidence pack. The claim write now records, in the same transaction, the
-- residual-mix and grid factors its report uses (the claim's market,
-- compared ignoring case and surrounding spaces, and the year of its first
-- day): none, one or both, as `emission_factors` holds them then.
--
-- Claims recorded before this step have no factors recorded
-- (`factors_recorded` 0): their report reads the factors stored now, as it
-- did, and says so. The claims table is small: its CHECK costs nothing.
ALTER TABLE claims ADD COLUMN factors_recorded INTEGER NOT NULL DEFAULT 0
    CHECK (factors_recorded IN (0, 1));

-- A factor a claim was recorded with: one per claim and kind. Deleting a
-- claim (audited) deletes its factors.
CREATE TABLE claim_factors (
    claim_id      INTEGER NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('residual_mix', 'grid')),
    -- The factor's market as it was spelled in `emission_factors`, and its
    -- year.
    market        TEXT    NOT NULL,
    year          INTEGER NOT NULL,
    -- tCO2e per MWh, exact text as entered.
    tco2e_per_mwh TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    -- When and by whom the factor was set (not when the claim was recorded).
    set_at        TEXT    NOT NULL,
    set_by        TEXT    NOT NULL,
    PRIMARY KEY (claim_id, kind)
) WITHOUT ROWID;
