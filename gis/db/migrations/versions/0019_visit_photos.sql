-- Photos taken at a site visit (before the fix) or a re-audit (after), cleaned like report photos.
-- Staff only unless marked public (and a public copy never carries EXIF: every upload is re-encoded).
CREATE TABLE visit_photo (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    visit_id integer NOT NULL REFERENCES site_visit (id),
    content_type text NOT NULL,
    bytes bytea NOT NULL,
    sha256 text NOT NULL,
    public boolean NOT NULL DEFAULT false,
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT visit_photo_type CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    CONSTRAINT visit_photo_size CHECK (octet_length(bytes) BETWEEN 1 AND 2097152)
);
CREATE INDEX visit_photo_visit_idx ON visit_photo (visit_id);
