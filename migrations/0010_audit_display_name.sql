-- The user's display name beside the OS login in every audit record
-- (issue 13): NULL for records written before it existed, or when no
-- display name is set.
--
-- The chain covers it: a record's canonical content gains `display_name`
-- as a 13th member when it is not NULL (eac-store `chain`), so records
-- written before keep their 12-member content and still verify, and
-- setting or clearing the name of any record breaks the chain there.
ALTER TABLE audit_log ADD COLUMN display_name TEXT;

-- The app-wide history pages newest first and filters by time.
CREATE INDEX audit_log_by_at ON audit_log (at, id);
