-- Applications → components → groups → resources. Incidents, alarms and changes will point at
-- applications and resources, so deleting either is refused while something hangs below it.

CREATE TABLE applications (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    parent_id    BIGINT REFERENCES applications (id),
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT applications_name UNIQUE (name),
    CONSTRAINT applications_not_own_parent CHECK (parent_id <> id)
);
CREATE INDEX applications_parent_idx ON applications (parent_id, id);

CREATE TABLE components (
    id              BIGSERIAL PRIMARY KEY,
    application_id  BIGINT NOT NULL REFERENCES applications (id),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT components_name UNIQUE (application_id, name)
);

-- A group is manual (rule IS NULL) or automatic: its resources are exactly those its rule
-- matches, kept so whenever a resource or the rule changes.
CREATE TABLE groups (
    id            BIGSERIAL PRIMARY KEY,
    component_id  BIGINT NOT NULL REFERENCES components (id),
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    environment   TEXT NOT NULL CHECK (environment IN ('prod', 'staging', 'test', 'dev')),
    region        TEXT NOT NULL DEFAULT '',
    rule          JSONB,
    synced_at     TIMESTAMPTZ,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT groups_name UNIQUE (component_id, name)
);
CREATE INDEX groups_automatic_idx ON groups (id) WHERE rule IS NOT NULL;

CREATE TABLE group_resources (
    group_id       BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    resource_id    BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    associated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, resource_id)
);
CREATE INDEX group_resources_resource_idx ON group_resources (resource_id, group_id);
