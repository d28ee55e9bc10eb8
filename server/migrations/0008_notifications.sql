-- In-app notifications: what concerns one user, unread until they say so.

CREATE TABLE notifications (
    id        BIGSERIAL PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES users (id),
    at        TIMESTAMPTZ NOT NULL,
    kind      TEXT NOT NULL,
    title     TEXT NOT NULL,
    link      TEXT NOT NULL,
    read_at   TIMESTAMPTZ
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
