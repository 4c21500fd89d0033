-- A digest of the text that states each EAC as it is stored, as the file's
-- step 0024 keeps it: compared by a re-import whose EAC has the stored
-- `cds_modified` (the same digest is the same EAC; another has the stored
-- EAC read back and compared). NULL: not known. A version that changes
-- without its digest changing with it (an edit) forgets the digest.
ALTER TABLE eacs ADD COLUMN content_digest text;

CREATE FUNCTION eacdesk_content_digest_stale() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version IS DISTINCT FROM OLD.version
       AND NEW.content_digest IS NOT DISTINCT FROM OLD.content_digest THEN
        NEW.content_digest := NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER eacs_content_digest_stale BEFORE UPDATE OF version ON eacs
    FOR EACH ROW EXECUTE FUNCTION eacdesk_content_digest_stale();
UPDATE eacdesk_schema SET version = 24;
