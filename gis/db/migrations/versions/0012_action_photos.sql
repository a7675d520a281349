-- Photos an agency attaches to its action when it marks it in progress or done: the proof of the work.
CREATE TABLE action_photo (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    action_id integer NOT NULL REFERENCES spot_action (id),
    content_type text NOT NULL,
    bytes bytea NOT NULL,
    sha256 text NOT NULL,
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT action_photo_type CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    CONSTRAINT action_photo_size CHECK (octet_length(bytes) BETWEEN 1 AND 2097152)
);
CREATE INDEX action_photo_action_idx ON action_photo (action_id);
