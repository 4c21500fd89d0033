-- Placeholder on branch i15-claims only: number 0010 belongs to another
-- branch (the audit display-name column). Drop this file and its
-- SHA256SUMS line when that branch's 0010 is merged before this one.
SELECT 1;
