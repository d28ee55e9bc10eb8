-- When a problem's time to close was found run out (once; the worker records and notifies it).
ALTER TABLE problems ADD COLUMN breached_at TIMESTAMPTZ;
CREATE INDEX problems_due_idx ON problems (resolve_due_at)
    WHERE status IN ('unaccepted', 'locating', 'to_implement', 'to_verify') AND breached_at IS NULL;
