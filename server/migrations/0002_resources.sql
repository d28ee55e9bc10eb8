-- The inventory's resources. (name, provider, region) identifies a resource for imports.

CREATE TABLE resources (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL CHECK (type IN ('host', 'database', 'cache', 'load_balancer',
                                                'container_cluster', 'middleware', 'other')),
    provider     TEXT NOT NULL CHECK (provider IN ('onprem', 'aws', 'azure', 'gcp', 'huawei',
                                                    'aliyun', 'other')),
    region       TEXT NOT NULL DEFAULT '',
    zone         TEXT NOT NULL DEFAULT '',
    private_ip   TEXT NOT NULL DEFAULT '',
    public_ip    TEXT NOT NULL DEFAULT '',
    os           TEXT NOT NULL DEFAULT '',
    cpu_cores    INTEGER NOT NULL DEFAULT 0 CHECK (cpu_cores >= 0),
    memory_gib   DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (memory_gib >= 0),
    disk_gib     DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (disk_gib >= 0),
    status       TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'fault', 'unknown')),
    agent_state  TEXT NOT NULL CHECK (agent_state IN ('online', 'offline', 'not_installed')),
    tags         JSONB NOT NULL DEFAULT '{}',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT resources_identity UNIQUE (name, provider, region)
);

-- Every filter column leads an index that ends in id, so a filtered page sorted by id walks
-- the index instead of sorting.
CREATE INDEX resources_type_idx ON resources (type, id);
CREATE INDEX resources_provider_idx ON resources (provider, id);
CREATE INDEX resources_region_idx ON resources (region, id);
CREATE INDEX resources_status_idx ON resources (status, id);
CREATE INDEX resources_agent_idx ON resources (agent_state, id);
CREATE INDEX resources_name_idx ON resources (name, id);
CREATE INDEX resources_tags_idx ON resources USING gin (tags jsonb_path_ops);
