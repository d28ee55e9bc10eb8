-- Change tickets (SPEC §7): planned work with its window, scope, implementer and rollback plan.
CREATE TABLE changes (
    id                      BIGSERIAL PRIMARY KEY,
    title                   TEXT NOT NULL,
    description             TEXT NOT NULL DEFAULT '',
    change_type             TEXT NOT NULL CHECK (change_type IN ('standard', 'normal', 'emergency')),
    level                   TEXT NOT NULL CHECK (level IN ('A', 'B', 'C', 'D')),
    application_id          BIGINT REFERENCES applications (id),
    -- Ids checked when written; a group or resource deleted later stays named here.
    group_ids               BIGINT[] NOT NULL DEFAULT '{}',
    resource_ids            BIGINT[] NOT NULL DEFAULT '{}',
    implementer_id          BIGINT NOT NULL REFERENCES users (id),
    creator_id              BIGINT REFERENCES users (id),
    planned_start           TIMESTAMPTZ NOT NULL,
    planned_end             TIMESTAMPTZ NOT NULL,
    rollback_plan           TEXT NOT NULL,
    problem_id              BIGINT REFERENCES problems (id),
    incident_id             BIGINT REFERENCES incidents (id),
    status                  TEXT NOT NULL CHECK (status IN ('draft', 'pending_approval', 'approved',
                                                            'implementing', 'succeeded', 'failed',
                                                            'rolled_back', 'closed', 'cancelled')),
    started_at              TIMESTAMPTZ,
    finished_at             TIMESTAMPTZ,
    result                  TEXT CHECK (result IN ('succeeded', 'failed', 'rolled_back')),
    result_reason           TEXT NOT NULL DEFAULT '',
    detected_by_monitoring  BOOLEAN,
    verification_notes      TEXT NOT NULL DEFAULT '',
    override_reason         TEXT NOT NULL DEFAULT '',
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    CONSTRAINT changes_window_check CHECK (planned_end > planned_start)
);
-- The list by state (with its other filters for counting), and by window (the calendar).
CREATE INDEX changes_status_idx ON changes (status, id) INCLUDE (change_type, level, application_id, implementer_id);
CREATE INDEX changes_window_idx ON changes (planned_start, planned_end);
CREATE INDEX changes_application_idx ON changes (application_id, planned_start);
CREATE INDEX changes_implementer_idx ON changes (implementer_id, status, id);
-- Suspect changes: what ran on an application or its resources shortly before an incident.
CREATE INDEX changes_started_idx ON changes (started_at) WHERE started_at IS NOT NULL;

ALTER TABLE ticket_history DROP CONSTRAINT ticket_history_ticket_check;
ALTER TABLE ticket_history ADD CONSTRAINT ticket_history_ticket_check
    CHECK (ticket IN ('incident', 'war_room', 'improvement', 'problem', 'alarm', 'change'));
