-- Suspect changes: those still running, or finished after a moment, found from that moment on
-- (a recent incident reads a handful of rows, not every change that ever started).
CREATE INDEX changes_running_until_idx ON changes ((COALESCE(finished_at, 'infinity'::timestamptz)))
    WHERE started_at IS NOT NULL;
-- The change failure rate: incidents on an application in a span of time.
CREATE INDEX incidents_application_created_idx ON incidents (application_id, created_at);
