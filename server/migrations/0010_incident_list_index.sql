-- The incident list is filtered by state and level together most of all ("accepted P1s"):
-- counting and paging such a filter reads this index alone.
CREATE INDEX incidents_status_level_idx ON incidents (status, level, id);
