-- Bulk imports of resources, kept with their per-row report.

CREATE TABLE resource_imports (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT REFERENCES users (id),
    actor_name  TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('valid_only', 'all_or_nothing')),
    applied     BOOLEAN NOT NULL,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    rows        JSONB NOT NULL
);
