-- The search index without positions (detail = 'none').
--
-- Substring search asks `text LIKE '%…%'`, which the trigram tokenizer
-- answers from the index and SQLite re-checks against the stored text, so no
-- positions are needed. Without them an import does about a third less work
-- for the index and the file is smaller. The stored search text is carried
-- over unchanged.
CREATE VIRTUAL TABLE eac_search_v2 USING fts5 (text, tokenize = 'trigram', detail = 'none');
INSERT INTO eac_search_v2 (rowid, text) SELECT rowid, text FROM eac_search;
DROP TABLE eac_search;
ALTER TABLE eac_search_v2 RENAME TO eac_search;
