-- Words the GIS office confirmed once for a vocabulary term ('نور کم' is poor lighting): every channel resolves
-- them from then on. `key` is gis.lang.match_key of what was written, the form resolvers compare.
CREATE TABLE vocabulary_alias (
    id serial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('category', 'neighbourhood', 'time_of_day', 'source')),
    written text NOT NULL CHECK (length(written) BETWEEN 1 AND 200),
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    code text NOT NULL,
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, key)
);

-- The letter a batch came with: its number, date, sending office and the scan (PDF or image), staff-only.
CREATE TABLE import_letter (
    batch_id integer PRIMARY KEY REFERENCES import_batch (id),
    number text NOT NULL DEFAULT '' CHECK (length(number) <= 200),
    letter_date date,
    office text NOT NULL DEFAULT '' CHECK (length(office) <= 200),
    scan bytea,
    scan_type text,
    scan_name text NOT NULL DEFAULT '',
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT import_letter_scan_type CHECK (
        scan_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')
    ),
    CONSTRAINT import_letter_scan CHECK ((scan IS NULL) = (scan_type IS NULL)),
    CONSTRAINT import_letter_scan_size CHECK (octet_length(scan) BETWEEN 1 AND 10485760)
);
