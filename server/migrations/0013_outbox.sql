-- Notifications beyond the console: each person's channels, the outbox written in the same
-- transaction as the event, and every delivery attempt.

CREATE TABLE notification_channels (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'webhook')),
    -- An email address, or the webhook's URL.
    target      TEXT NOT NULL,
    -- The webhook's HMAC-SHA256 signing secret.
    secret      TEXT NOT NULL DEFAULT '',
    timeout_ms  INTEGER NOT NULL DEFAULT 5000,
    -- The notification kinds it carries; empty carries every kind.
    kinds       TEXT[] NOT NULL DEFAULT '{}',
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX notification_channels_user_idx ON notification_channels (user_id);

CREATE TABLE outbox (
    id               BIGSERIAL PRIMARY KEY,
    channel_id       BIGINT NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    user_id          BIGINT NOT NULL REFERENCES users (id),
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL,
    link             TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    last_error       TEXT NOT NULL DEFAULT '',
    delivered_at     TIMESTAMPTZ
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_status_idx ON outbox (status, id);

CREATE TABLE delivery_attempts (
    id           BIGSERIAL PRIMARY KEY,
    outbox_id    BIGINT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    at           TIMESTAMPTZ NOT NULL,
    ok           BOOLEAN NOT NULL,
    -- The receiver's HTTP status or SMTP reply code, when it answered.
    code         INTEGER,
    error        TEXT NOT NULL DEFAULT '',
    duration_ms  INTEGER NOT NULL
);
CREATE INDEX delivery_attempts_outbox_idx ON delivery_attempts (outbox_id, id);

-- Escalation of incidents nobody accepts: the schedule role an incident was assigned through,
-- and how far it has been escalated.
ALTER TABLE incidents ADD COLUMN duty_schedule_id BIGINT REFERENCES schedules (id) ON DELETE SET NULL;
ALTER TABLE incidents ADD COLUMN duty_role TEXT;
ALTER TABLE incidents ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN escalated_at TIMESTAMPTZ;

