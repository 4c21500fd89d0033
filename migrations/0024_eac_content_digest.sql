-- A digest of the text that states each EAC as it is stored (tester
-- report 35): the EAC's object in the listing an import wrote it from (or
-- found stating it unchanged since), else its detail JSON as EAC Desk writes
-- it. A re-import whose EAC has the stored `cds_modified` compares the
-- digest of its own text with this one: the same digest is the same EAC, and
-- only another digest has the stored EAC read back and compared field by
-- field, so that a file stating it differently is said to (the stored EAC is
-- kept, decision 11) without reading back every EAC of an unchanged file.
--
-- NULL: not known (stored before this step, or changed since): compared
-- field by field, and set when found the same. Every change of an EAC's
-- data gives it a new version; a version that changes without its digest
-- changing with it (an edit) forgets the digest.
ALTER TABLE eacs ADD COLUMN content_digest TEXT;

CREATE TRIGGER eacs_content_digest_stale AFTER UPDATE OF version ON eacs
WHEN NEW.content_digest IS NOT NULL AND NEW.content_digest IS OLD.content_digest
BEGIN
    UPDATE eacs SET content_digest = NULL WHERE id = NEW.id;
END;
