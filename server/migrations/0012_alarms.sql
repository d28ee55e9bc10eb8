-- The alarm pipeline: data sources that push, forwarding rules that decide, alarms that result.

CREATE TABLE data_sources (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('alertmanager', 'generic', 'grafana')),
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    -- SHA-256 of the integration key: the key itself is shown once and never stored.
    key_hash        TEXT NOT NULL UNIQUE,
    key_hint        TEXT NOT NULL,
    key_rotated_at  TIMESTAMPTZ NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE forwarding_rules (
    id                      BIGSERIAL PRIMARY KEY,
    name                    TEXT NOT NULL UNIQUE,
    enabled                 BOOLEAN NOT NULL,
    position                INTEGER NOT NULL,
    data_source_ids         BIGINT[] NOT NULL DEFAULT '{}',
    groups                  JSONB NOT NULL,
    action                  JSONB NOT NULL,
    silence                 BOOLEAN NOT NULL,
    group_by                TEXT[] NOT NULL DEFAULT '{}',
    silence_window_minutes  INTEGER NOT NULL,
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL
);

-- Bumped by every change of rules or sources, so each server process knows when the rules it
-- compiled are stale without reading them on every push.
CREATE TABLE pipeline_generation (
    singleton   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    generation  BIGINT NOT NULL
);
INSERT INTO pipeline_generation VALUES (TRUE, 1);

CREATE TABLE alarms (
    id                   BIGSERIAL PRIMARY KEY,
    data_source_id       BIGINT NOT NULL REFERENCES data_sources (id),
    dedup_key            TEXT NOT NULL,
    name                 TEXT NOT NULL,
    level                TEXT NOT NULL CHECK (level IN ('critical', 'major', 'minor', 'info')),
    status               TEXT NOT NULL CHECK (status IN ('active', 'cleared')),
    description          TEXT NOT NULL DEFAULT '',
    labels               JSONB NOT NULL DEFAULT '{}',
    url                  TEXT,
    -- What the event called its resource and application, and what that matched.
    resource_ref         TEXT,
    resource_id          BIGINT REFERENCES resources (id) ON DELETE SET NULL,
    application_ref      TEXT,
    application_id       BIGINT REFERENCES applications (id) ON DELETE SET NULL,
    first_seen           TIMESTAMPTZ NOT NULL,
    last_seen            TIMESTAMPTZ NOT NULL,
    count                BIGINT NOT NULL DEFAULT 1,
    rule_id              BIGINT REFERENCES forwarding_rules (id) ON DELETE SET NULL,
    -- The rule's silence group (dedup key or group-by labels) when it opened or joined an
    -- incident.
    group_key            TEXT,
    incident_id          BIGINT REFERENCES incidents (id),
    cleared_at           TIMESTAMPTZ,
    cleared_by           TEXT,
    service_interrupted  BOOLEAN NOT NULL DEFAULT FALSE,
    fault_started_at     TIMESTAMPTZ,
    recovered_at         TIMESTAMPTZ,
    remark               TEXT NOT NULL DEFAULT ''
);
-- At most one active alarm per key of a source: concurrent identical events cannot make two.
CREATE UNIQUE INDEX alarms_active_key ON alarms (data_source_id, dedup_key) WHERE status = 'active';
CREATE INDEX alarms_status_idx ON alarms (status, id);
CREATE INDEX alarms_first_seen_idx ON alarms (first_seen, id);
CREATE INDEX alarms_source_idx ON alarms (data_source_id, id);
CREATE INDEX alarms_cleared_idx ON alarms (cleared_at) WHERE status = 'cleared';
CREATE INDEX alarms_incident_idx ON alarms (incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX alarms_silence_idx ON alarms (rule_id, group_key, id) WHERE incident_id IS NOT NULL;

CREATE INDEX resources_private_ip_idx ON resources (private_ip) WHERE private_ip <> '';

-- Alarms keep a timeline of what people did with them (clear, convert).
ALTER TABLE ticket_history DROP CONSTRAINT ticket_history_ticket_check;
ALTER TABLE ticket_history ADD CONSTRAINT ticket_history_ticket_check
    CHECK (ticket IN ('incident', 'war_room', 'improvement', 'problem', 'alarm'));
