-- Photos taken in the field, stored with the report they belong to (so a backup of the database holds them).
-- The client's photo UUID makes a re-sent upload a no-op; the tablet resizes to <= 1600 px before sending.
CREATE TABLE report_photo (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    report_id bigint NOT NULL REFERENCES report (id),
    content_type text NOT NULL,
    bytes bytea NOT NULL,
    sha256 text NOT NULL,
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT report_photo_type CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    CONSTRAINT report_photo_size CHECK (octet_length(bytes) BETWEEN 1 AND 2097152)
);
CREATE INDEX report_photo_report_idx ON report_photo (report_id);
