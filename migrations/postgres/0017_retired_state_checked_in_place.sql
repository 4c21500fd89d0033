-- SQLite's 0017 rewrites the CHECK on `eacs.retired_state` as comparisons
-- because SQLite builds a temporary B-tree for an IN list at every insert.
-- PostgreSQL checks `retired_state IN ('no', 'partly', 'yes')` in place:
-- nothing changes here but the version: the step keeps both schemas at
-- one number.

UPDATE eacdesk_schema SET version = 17;
