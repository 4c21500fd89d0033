-- Optimistic concurrency (issue 17, item 2): every EAC carries a version,
-- the database's change number of its last change. Storing an EAC and
-- every change of its stored data give it the next number (`rows.rs`,
-- `emissions.rs`: `version_high` + 1), so a version once seen never comes
-- back, even for an EAC deleted and stored again. An edit names the version
-- it was made on (the app's detail pane, the CLI's `--if-version`); a save
-- on an older one is refused with who changed the EAC since, never written
-- over. Marking an EAC verified or seen again by an import is no change of
-- its data and keeps its version.
ALTER TABLE eacs ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);

-- The highest version given so far, kept with the value count.
ALTER TABLE eac_counts_kept ADD COLUMN version_high INTEGER NOT NULL DEFAULT 1;

DROP TRIGGER eac_counts_kept_insert;
CREATE TRIGGER eac_counts_kept_insert AFTER INSERT ON eacs
BEGIN
    UPDATE eac_counts_kept SET "values" = "values" + NEW.value_count,
        version_high = max(version_high, NEW.version);
END;

CREATE TRIGGER eac_version_high AFTER UPDATE OF version ON eacs
WHEN NEW.version > OLD.version
BEGIN
    UPDATE eac_counts_kept SET version_high = max(version_high, NEW.version);
END;
