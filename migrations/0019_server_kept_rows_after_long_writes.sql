-- Nothing changes in a database file: this step is the server's
-- (migrations/postgres/0019), where the triggers that keep the counts,
-- totals and facet rows wait during a long write, which rebuilds those
-- rows once before it commits. The numbers of the two schemas stay the
-- same. (A file's first import already tallies those rows once, in
-- `facets::Tally`.)
SELECT 1;
