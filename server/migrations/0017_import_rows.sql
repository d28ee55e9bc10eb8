-- An import's per-row report lives in its own rows, read a page at a time, instead of one JSON
-- document that every reader loaded whole (50,000 rows for a large file).

CREATE TABLE resource_import_rows (
    import_id   BIGINT NOT NULL REFERENCES resource_imports (id) ON DELETE CASCADE,
    line        INTEGER NOT NULL,
    name        TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('created', 'updated', 'unchanged', 'rejected')),
    resource_id BIGINT,
    reason      TEXT,
    PRIMARY KEY (import_id, line)
);
CREATE INDEX resource_import_rows_outcome_idx ON resource_import_rows (import_id, outcome, line);

INSERT INTO resource_import_rows (import_id, line, name, outcome, resource_id, reason)
SELECT i.id, r.line, r.name, r.outcome, r.resource_id, r.reason
FROM resource_imports i,
     jsonb_to_recordset(i.rows) AS r(line INTEGER, name TEXT, outcome TEXT, resource_id BIGINT, reason TEXT)
ON CONFLICT DO NOTHING;

ALTER TABLE resource_imports DROP COLUMN rows;
