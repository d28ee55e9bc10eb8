-- Review flows (admin): for a change type and some risk levels, the stages a change is
-- approved through. Each stage is {name, approvers: [{user_id} | {schedule_id, role}], mode}.
CREATE TABLE review_flows (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    change_type  TEXT NOT NULL CHECK (change_type IN ('normal', 'emergency')),
    levels       TEXT[] NOT NULL,
    stages       JSONB NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT review_flows_name UNIQUE (name)
);

-- A change's review under way (its flow copied, the people resolved when it was submitted),
-- and whom it waits on now: the approvals in each person's work.
ALTER TABLE changes
    ADD COLUMN review JSONB,
    ADD COLUMN awaiting BIGINT[] NOT NULL DEFAULT '{}';
CREATE INDEX changes_awaiting_idx ON changes USING GIN (awaiting);

-- Standard changes: pre-approved models an administrator keeps; a change made from one skips
-- review.
CREATE TABLE change_templates (
    id                BIGSERIAL PRIMARY KEY,
    name              TEXT NOT NULL,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    level             TEXT NOT NULL CHECK (level IN ('A', 'B', 'C', 'D')),
    application_id    BIGINT REFERENCES applications (id),
    rollback_plan     TEXT NOT NULL,
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 20160),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    CONSTRAINT change_templates_name UNIQUE (name)
);
ALTER TABLE changes ADD COLUMN template_id BIGINT REFERENCES change_templates (id);

-- The change calendar's feed: one revocable token per person, kept as a digest.
CREATE TABLE calendar_feeds (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id),
    digest      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT calendar_feeds_digest UNIQUE (digest)
);
