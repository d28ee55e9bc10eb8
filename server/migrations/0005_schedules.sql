-- On-call schedules: roles filled by fixed members or a rotation, and overrides. Owners of
-- incidents, problems and changes will be resolved from these at the moment of assignment.

CREATE TABLE schedules (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    time_zone    TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT schedules_name UNIQUE (name)
);

-- members: user ids in turn order (checked against users when written). rotation_start is a
-- wall-clock time in the schedule's zone.
CREATE TABLE schedule_roles (
    id              BIGSERIAL PRIMARY KEY,
    schedule_id     BIGINT NOT NULL REFERENCES schedules (id),
    name            TEXT NOT NULL,
    members         BIGINT[] NOT NULL,
    rotation_start  TIMESTAMP,
    rotation_days   INTEGER CHECK (rotation_days BETWEEN 1 AND 365),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT schedule_roles_name UNIQUE (schedule_id, name),
    CONSTRAINT schedule_roles_rotation CHECK ((rotation_start IS NULL) = (rotation_days IS NULL))
);

CREATE TABLE schedule_overrides (
    id          BIGSERIAL PRIMARY KEY,
    role_id     BIGINT NOT NULL REFERENCES schedule_roles (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    starts_at   TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT schedule_overrides_range CHECK (ends_at > starts_at)
);
CREATE INDEX schedule_overrides_role_idx ON schedule_overrides (role_id, ends_at);
