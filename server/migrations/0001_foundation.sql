-- Users, sessions and API tokens, failed logins, and the hash-chained audit log.

CREATE TABLE users (
    id             BIGSERIAL PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
    display_name   TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash  TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    last_login_at  TIMESTAMPTZ
);
CREATE INDEX users_role_idx ON users (role, id);

CREATE TABLE auth_tokens (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    digest      TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    address     TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX auth_tokens_live_idx ON auth_tokens (expires_at) WHERE revoked_at IS NULL;

CREATE TABLE login_failures (
    id        BIGSERIAL PRIMARY KEY,
    username  TEXT NOT NULL,
    address   TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_user_idx ON login_failures (username, at);
CREATE INDEX login_failures_address_idx ON login_failures (address, at);

CREATE TABLE audit_log (
    id           BIGINT PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL,
    actor_id     BIGINT REFERENCES users (id),
    actor_name   TEXT NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('ui', 'api', 'system')),
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    action       TEXT NOT NULL,
    before       JSONB,
    after        JSONB,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE SEQUENCE audit_log_id_seq OWNED BY audit_log.id;
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_name, id);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);

-- The head of the chain: one row, locked by every append so records chain in id order.
CREATE TABLE audit_chain_head (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    last_id    BIGINT NOT NULL,
    last_hash  TEXT NOT NULL
);
INSERT INTO audit_chain_head (last_id, last_hash)
VALUES (0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: the application never updates or deletes audit rows.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
