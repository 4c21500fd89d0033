-- Search text folded beyond ASCII.
--
-- SQLite's LIKE ignores case for ASCII letters only, so `ørsted` did not find
-- `Ørsted`. From this version the store writes search text folded with
-- Rust's Unicode lowercase and folds every query the same way; this brings
-- the text already stored into line. `eacdesk_fold` is registered by the
-- store on each connection it opens.
UPDATE eac_search SET text = eacdesk_fold(text);
