-- SQLite's 0018 turns the automatic index of `eacs.cds_eac_id`'s UNIQUE
-- into an index named `eacs_by_cds_eac_id`. Here the constraint's index
-- gets that name (the constraint is renamed with it): the same rule, the
-- same index names in both schemas.

ALTER INDEX eacs_cds_eac_id_key RENAME TO eacs_by_cds_eac_id;

UPDATE eacdesk_schema SET version = 18;
