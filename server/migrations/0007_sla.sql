-- Service levels per incident level: how long until an incident must be accepted and resolved.

CREATE TABLE sla_policies (
    level            TEXT PRIMARY KEY CHECK (level IN ('P1', 'P2', 'P3', 'P4', 'P5')),
    accept_minutes   INTEGER NOT NULL CHECK (accept_minutes > 0),
    resolve_minutes  INTEGER NOT NULL CHECK (resolve_minutes > 0),
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO sla_policies (level, accept_minutes, resolve_minutes) VALUES
    ('P1', 5, 60),
    ('P2', 15, 240),
    ('P3', 30, 1440),
    ('P4', 120, 4320),
    ('P5', 1440, 14400);

ALTER TABLE incidents
    ADD COLUMN accept_due_at        TIMESTAMPTZ,
    ADD COLUMN resolve_due_at       TIMESTAMPTZ,
    ADD COLUMN accept_breached_at   TIMESTAMPTZ,
    ADD COLUMN resolve_breached_at  TIMESTAMPTZ;
CREATE INDEX incidents_accept_due_idx ON incidents (accept_due_at)
    WHERE status = 'unaccepted' AND accept_breached_at IS NULL;
CREATE INDEX incidents_resolve_due_idx ON incidents (resolve_due_at)
    WHERE status IN ('unaccepted', 'accepted', 'paused') AND resolve_breached_at IS NULL;
