-- Nothing else changes on a server: `claims.id` is an identity column
-- there, which never gives a number twice. This step is the file's
-- (migrations/0020), where claims' numbers now come from SQLite's
-- AUTOINCREMENT; the numbers of the two schemas stay the same.
UPDATE eacdesk_schema SET version = 20;
