-- Freeze (blackout) windows: when normal changes may not run, once or every week in a time zone.
CREATE TABLE freeze_windows (
    id               BIGSERIAL PRIMARY KEY,
    name             TEXT NOT NULL,
    -- Empty: every application.
    application_ids  BIGINT[] NOT NULL DEFAULT '{}',
    repeat           TEXT NOT NULL CHECK (repeat IN ('once', 'weekly')),
    starts_at        TIMESTAMPTZ,
    ends_at          TIMESTAMPTZ,
    time_zone        TEXT,
    from_day         TEXT,
    from_time        TEXT,
    to_day           TEXT,
    to_time          TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT freeze_windows_name UNIQUE (name),
    CONSTRAINT freeze_windows_shape_check CHECK (
        (repeat = 'once' AND ends_at > starts_at)
        OR (repeat = 'weekly' AND time_zone IS NOT NULL AND from_day IS NOT NULL
            AND from_time IS NOT NULL AND to_day IS NOT NULL AND to_time IS NOT NULL))
);
