-- A failed change opens a problem, linked both ways.
ALTER TABLE problems DROP CONSTRAINT problems_source_check;
ALTER TABLE problems ADD CONSTRAINT problems_source_check
    CHECK (source IN ('incident', 'alarm', 'war_room', 'proactive', 'change'));
