-- War rooms, improvement tickets, problems, their shared timeline, and attachments.

-- The timeline of every ticket: what happened, who did it, from which state to which, with a
-- comment and the fields that changed. Incidents' history moves here from its own table.
CREATE TABLE ticket_history (
    id             BIGSERIAL PRIMARY KEY,
    ticket         TEXT NOT NULL CHECK (ticket IN ('incident', 'war_room', 'improvement',
                                                   'problem')),
    ticket_id      BIGINT NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    actor_id       BIGINT REFERENCES users (id),
    actor_name     TEXT NOT NULL,
    action         TEXT NOT NULL,
    status_before  TEXT,
    status_after   TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    changes        JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_history_ticket_idx ON ticket_history (ticket, ticket_id, id);

INSERT INTO ticket_history (ticket, ticket_id, at, actor_id, actor_name, action, status_before,
                            status_after, comment, changes)
SELECT 'incident', incident_id, at, actor_id, actor_name, action, status_before, status_after,
       comment, changes
FROM incident_history ORDER BY id;
DROP TABLE incident_history;

CREATE TABLE war_rooms (
    id            BIGSERIAL PRIMARY KEY,
    incident_id   BIGINT NOT NULL UNIQUE REFERENCES incidents (id),
    title         TEXT NOT NULL,
    admin_id      BIGINT NOT NULL REFERENCES users (id),
    status        TEXT NOT NULL CHECK (status IN ('started', 'delimited', 'recovered', 'closed')),
    occurred_at   TIMESTAMPTZ NOT NULL,
    recovered_at  TIMESTAMPTZ,
    cause         TEXT NOT NULL DEFAULT '',
    impact        TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX war_rooms_status_idx ON war_rooms (status, id);

CREATE TABLE war_room_members (
    room_id   BIGINT NOT NULL REFERENCES war_rooms (id),
    user_id   BIGINT NOT NULL REFERENCES users (id),
    role      TEXT NOT NULL CHECK (role IN ('admin', 'recovery_lead', 'engineer', 'observer')),
    added_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX war_room_members_user_idx ON war_room_members (user_id);

-- People who follow a room's notices without being in it.
CREATE TABLE war_room_subscribers (
    room_id  BIGINT NOT NULL REFERENCES war_rooms (id),
    user_id  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (room_id, user_id)
);

CREATE TABLE war_room_applications (
    room_id         BIGINT NOT NULL REFERENCES war_rooms (id),
    application_id  BIGINT NOT NULL REFERENCES applications (id),
    restored_at     TIMESTAMPTZ,
    PRIMARY KEY (room_id, application_id)
);

CREATE TABLE war_room_notices (
    id         BIGSERIAL PRIMARY KEY,
    room_id    BIGINT NOT NULL REFERENCES war_rooms (id),
    kind       TEXT NOT NULL CHECK (kind IN ('first', 'progress', 'recovery')),
    body       TEXT NOT NULL,
    author_id  BIGINT REFERENCES users (id),
    author     TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX war_room_notices_room_idx ON war_room_notices (room_id, id);

-- Whoever is on duty for a schedule role joins rooms opened for these levels and applications
-- (an empty list means any).
CREATE TABLE war_room_rules (
    id               BIGSERIAL PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    levels           TEXT[] NOT NULL DEFAULT '{}',
    application_ids  BIGINT[] NOT NULL DEFAULT '{}',
    schedule_id      BIGINT NOT NULL REFERENCES schedules (id),
    schedule_role    TEXT NOT NULL,
    member_role      TEXT NOT NULL CHECK (member_role IN ('recovery_lead', 'engineer', 'observer')),
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE improvements (
    id              BIGSERIAL PRIMARY KEY,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL CHECK (source IN ('incident', 'war_room', 'drill', 'manual')),
    source_id       BIGINT,
    application_id  BIGINT REFERENCES applications (id),
    owner_id        BIGINT NOT NULL REFERENCES users (id),
    verifier_id     BIGINT NOT NULL REFERENCES users (id),
    creator_id      BIGINT REFERENCES users (id),
    due_on          DATE NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'to_verify', 'closed')),
    cause           TEXT NOT NULL DEFAULT '',
    measures        TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX improvements_status_idx ON improvements (status, id);
CREATE INDEX improvements_owner_idx ON improvements (owner_id, status, id);
CREATE INDEX improvements_source_idx ON improvements (source, source_id);

CREATE TABLE problems (
    id                  BIGSERIAL PRIMARY KEY,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    level               TEXT NOT NULL CHECK (level IN ('critical', 'major', 'minor', 'hint')),
    source              TEXT NOT NULL CHECK (source IN ('incident', 'alarm', 'war_room', 'proactive')),
    source_id           BIGINT,
    application_id      BIGINT REFERENCES applications (id),
    owner_id            BIGINT NOT NULL REFERENCES users (id),
    creator_id          BIGINT REFERENCES users (id),
    status              TEXT NOT NULL CHECK (status IN ('unaccepted', 'locating', 'to_implement',
                                                        'to_verify', 'closed', 'rejected',
                                                        'cancelled', 'suspended')),
    -- A suspension the owner asked for, waiting for the creator.
    suspension_request  TEXT,
    suspended_at        TIMESTAMPTZ,
    -- Time spent suspended so far: the resolve clock does not run meanwhile.
    suspended_seconds   BIGINT NOT NULL DEFAULT 0,
    resolve_due_at      TIMESTAMPTZ NOT NULL,
    root_cause          TEXT NOT NULL DEFAULT '',
    solution            TEXT NOT NULL DEFAULT '',
    change_needed       BOOLEAN NOT NULL DEFAULT FALSE,
    change_ref          TEXT NOT NULL DEFAULT '',
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX problems_status_idx ON problems (status, id);
CREATE INDEX problems_owner_idx ON problems (owner_id, status, id);
CREATE INDEX problems_source_idx ON problems (source, source_id);

CREATE TABLE attachments (
    id            BIGSERIAL PRIMARY KEY,
    ticket        TEXT NOT NULL CHECK (ticket IN ('incident', 'problem')),
    ticket_id     BIGINT NOT NULL,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    data          BYTEA NOT NULL,
    uploaded_by   BIGINT REFERENCES users (id),
    uploader      TEXT NOT NULL,
    at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_ticket_idx ON attachments (ticket, ticket_id, id);
