-- A recorded claim keeps the emission factors it was recorded with, as the
-- file's step 0022 does (decision 273): a column saying whether a claim's
-- factors were recorded (0 for claims recorded before, whose report reads
-- the factors stored now) and the factors themselves, one per claim and
-- kind, deleted with their claim. `server init` grants the roles the new
-- table with every other.
ALTER TABLE claims ADD COLUMN factors_recorded bigint NOT NULL DEFAULT 0
    CHECK (factors_recorded IN (0, 1));

CREATE TABLE claim_factors (
    claim_id      bigint NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    kind          text   NOT NULL CHECK (kind IN ('residual_mix', 'grid')),
    market        text   NOT NULL,
    year          bigint NOT NULL,
    tco2e_per_mwh text   NOT NULL,
    source        text   NOT NULL,
    set_at        text   NOT NULL,
    set_by        text   NOT NULL,
    PRIMARY KEY (claim_id, kind)
);
UPDATE eacdesk_schema SET version = 22;
