-- Search text folded beyond ASCII.
--
-- SQLite's LIKE ignores case for ASCII letters only, so `ørsted` did not find
-- `Ørsted`. From this version the store writes searchable text folded with
-- Rust's Unicode lowercase (`eacdesk_fold`, registered by the store on each
-- connection it opens) and folds every query the same way; this brings the
-- text already stored into line: the EAC search index, and folded copies of
-- the reference-data ids and labels for the editor's suggestions.
UPDATE eac_search SET text = eacdesk_fold(text);

ALTER TABLE refdata ADD COLUMN ref_id_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE refdata ADD COLUMN label_folded TEXT NOT NULL DEFAULT '';
UPDATE refdata SET ref_id_folded = eacdesk_fold(ref_id), label_folded = eacdesk_fold(label);
