-- Incidents and their history. The number shown to people is the id.

CREATE TABLE incidents (
    id                   BIGSERIAL PRIMARY KEY,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    level                TEXT NOT NULL CHECK (level IN ('P1', 'P2', 'P3', 'P4', 'P5')),
    -- A lowering by more than one level that waits for an administrator.
    pending_level        TEXT CHECK (pending_level IN ('P1', 'P2', 'P3', 'P4', 'P5')),
    category             TEXT NOT NULL CHECK (category IN ('security', 'function', 'reliability',
                                                           'configuration', 'middleware', 'change',
                                                           'other')),
    source               TEXT NOT NULL CHECK (source IN ('manual', 'forwarding_rule', 'alarm', 'api')),
    status               TEXT NOT NULL CHECK (status IN ('unaccepted', 'accepted', 'rejected',
                                                         'paused', 'resolved', 'completed',
                                                         'closed')),
    application_id       BIGINT REFERENCES applications (id),
    region               TEXT NOT NULL DEFAULT '',
    owner_id             BIGINT NOT NULL REFERENCES users (id),
    creator_id           BIGINT REFERENCES users (id),
    service_interrupted  BOOLEAN NOT NULL DEFAULT FALSE,
    fault_started_at     TIMESTAMPTZ,
    recovered_at         TIMESTAMPTZ,
    cause                TEXT NOT NULL DEFAULT '',
    solution             TEXT NOT NULL DEFAULT '',
    paused_until         TIMESTAMPTZ,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX incidents_status_idx ON incidents (status, id);
CREATE INDEX incidents_owner_idx ON incidents (owner_id, status, id);
CREATE INDEX incidents_level_idx ON incidents (level, id);
CREATE INDEX incidents_application_idx ON incidents (application_id, id);
CREATE INDEX incidents_created_idx ON incidents (created_at, id);
CREATE INDEX incidents_paused_idx ON incidents (paused_until) WHERE status = 'paused';

CREATE TABLE incident_history (
    id             BIGSERIAL PRIMARY KEY,
    incident_id    BIGINT NOT NULL REFERENCES incidents (id),
    at             TIMESTAMPTZ NOT NULL,
    actor_id       BIGINT REFERENCES users (id),
    actor_name     TEXT NOT NULL,
    action         TEXT NOT NULL,
    status_before  TEXT,
    status_after   TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    changes        JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_history_incident_idx ON incident_history (incident_id, id);
