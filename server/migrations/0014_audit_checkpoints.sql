-- Signed checkpoints of the audit chain: every so often the server signs the chain's head
-- with OPSROOM_AUDIT_KEY, a key the database never sees, each signature covering the one
-- before it. Someone holding only the database can still rewrite rows and recompute every
-- SHA-256 after them, but cannot sign the new head: verification names the checkpoint that no
-- longer matches.
CREATE TABLE audit_checkpoints (
    id         BIGSERIAL PRIMARY KEY,
    last_id    BIGINT NOT NULL,
    last_hash  TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    prev_mac   TEXT NOT NULL,
    mac        TEXT NOT NULL
);

CREATE TRIGGER audit_checkpoints_append_only
    BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE TRIGGER audit_checkpoints_no_truncate
    BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
