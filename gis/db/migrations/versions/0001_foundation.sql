-- Foundation schema: areas, the category taxonomy, stages and states, spots, reports, events, agencies, users.
CREATE EXTENSION IF NOT EXISTS postgis;

-- Reference tables: the rules are rows, so code asks "is it open?" instead of comparing labels.
CREATE TABLE area_level (
    code text PRIMARY KEY,
    rank smallint NOT NULL UNIQUE,
    label_fa text NOT NULL,
    label_en text NOT NULL
);
INSERT INTO area_level (code, rank, label_fa, label_en) VALUES
    ('district', 1, 'منطقه', 'District'),
    ('sub_district', 2, 'ناحیه', 'Sub-district'),
    ('neighbourhood', 3, 'محله', 'Neighbourhood');

CREATE TABLE category (
    code text PRIMARY KEY,
    label_fa text NOT NULL,
    label_en text NOT NULL,
    icon text NOT NULL,
    sort smallint NOT NULL
);
INSERT INTO category (code, label_fa, label_en, icon, sort) VALUES
    ('poor_lighting', 'روشنایی نامناسب', 'Poor lighting', 'lightbulb', 1),
    ('abandoned_building', 'ساختمان متروکه یا نیمه‌ساز', 'Abandoned or half-built building', 'building', 2),
    ('vacant_lot', 'زمین بایر', 'Vacant lot', 'square', 3),
    ('underpass_bridge', 'زیرگذر یا پل عابر پیاده', 'Underpass or pedestrian bridge', 'road', 4),
    ('park_corner', 'گوشهٔ بی‌مراقبت پارک', 'Unsupervised park corner', 'tree', 5),
    ('dead_end_alley', 'کوچهٔ بن‌بست یا باریک', 'Dead-end or narrow alley', 'ban', 6),
    ('isolated_stop', 'ایستگاه دورافتادهٔ حمل‌ونقل عمومی', 'Isolated transit stop', 'bus', 7),
    ('river_highway_margin', 'حاشیهٔ رودخانه یا بزرگراه', 'River or highway margin', 'water', 8),
    ('offender_gathering', 'محل تجمع افراد بزهکار', 'Gathering place of offenders', 'users', 9),
    ('other', 'سایر', 'Other', 'question', 10);

CREATE TABLE stage (
    number smallint PRIMARY KEY CHECK (number BETWEEN 1 AND 4),
    code text NOT NULL UNIQUE,
    label_fa text NOT NULL,
    label_en text NOT NULL,
    colour text NOT NULL
);
INSERT INTO stage (number, code, label_fa, label_en, colour) VALUES
    (1, 'identification', 'شناسایی', 'Identification', '#d62728'),
    (2, 'mapping', 'جایابی در نقشه', 'Mapping', '#ff7f0e'),
    (3, 'remediation', 'اجرا و ساماندهی', 'Remediation', '#1f77b4'),
    (4, 'evaluation', 'نظارت و ارزیابی', 'Monitoring & evaluation', '#2ca02c');

CREATE TABLE spot_status (
    code text PRIMARY KEY,
    is_open boolean NOT NULL,
    label_fa text NOT NULL,
    label_en text NOT NULL
);
INSERT INTO spot_status (code, is_open, label_fa, label_en) VALUES
    ('open', true, 'باز', 'Open'),
    ('resolved', false, 'رفع‌شده', 'Resolved'),
    ('rejected', false, 'ردشده', 'Rejected'),
    ('merged', false, 'ادغام‌شده', 'Merged');

CREATE TABLE source (
    code text PRIMARY KEY,
    label_fa text NOT NULL,
    label_en text NOT NULL
);
INSERT INTO source (code, label_fa, label_en) VALUES
    ('mayor', 'فهرست شهردار ناحیه', 'Sub-district mayor''s list'),
    ('focus_group', 'گروه کانونی', 'Focus group'),
    ('hotline_137', 'سامانهٔ ۱۳۷', '137 hotline'),
    ('field', 'بازدید میدانی', 'Field visit'),
    ('other', 'سایر', 'Other');

-- A safety audit (Safetipin method): nine criteria, each 0–3. NULL means "not audited".
CREATE FUNCTION safety_audit_is_valid(audit jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT audit IS NULL OR (
        jsonb_typeof(audit) = 'object'
        AND NOT EXISTS (
            SELECT 1 FROM jsonb_each(audit) AS kv(key, value)
            WHERE kv.key NOT IN ('lighting', 'openness', 'visibility', 'people', 'security',
                                 'walk_path', 'public_transport', 'gender_mix', 'feeling')
               OR jsonb_typeof(kv.value) <> 'number'
               OR kv.value::text !~ '^[0-3]$'
        )
    )
$$;

CREATE TABLE area (
    id serial PRIMARY KEY,
    level text NOT NULL REFERENCES area_level (code),
    code text NOT NULL UNIQUE,
    parent_id integer REFERENCES area (id),
    name_fa text NOT NULL CHECK (name_fa <> ''),
    name_en text,
    name_latin text,
    population integer CHECK (population >= 0),
    geom geometry(MultiPolygon, 4326) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT area_geom_valid CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom))
);
CREATE INDEX area_geom_idx ON area USING gist (geom);
CREATE INDEX area_parent_idx ON area (parent_id);

CREATE TABLE agency (
    id serial PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name_fa text NOT NULL,
    name_en text,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
    id serial PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{2,64}$'),
    full_name text NOT NULL DEFAULT '',
    role text NOT NULL CHECK (role IN ('gis_office', 'deputy', 'facilitator', 'agency', 'viewer')),
    password_hash text NOT NULL,
    agency_id integer REFERENCES agency (id),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT app_user_agency_role CHECK ((role = 'agency') = (agency_id IS NOT NULL))
);

-- Neighbourhoods a facilitator works in.
CREATE TABLE user_area (
    user_id integer NOT NULL REFERENCES app_user (id),
    area_id integer NOT NULL REFERENCES area (id),
    PRIMARY KEY (user_id, area_id)
);

CREATE TABLE spot (
    id serial PRIMARY KEY,
    geom geometry(Geometry, 4326) NOT NULL,
    category text NOT NULL REFERENCES category (code),
    stage smallint NOT NULL DEFAULT 1 REFERENCES stage (number),
    status text NOT NULL DEFAULT 'open' REFERENCES spot_status (code),
    title text NOT NULL DEFAULT '',
    priority numeric(8, 2) NOT NULL DEFAULT 0 CHECK (priority >= 0),
    area_id integer REFERENCES area (id),
    report_count integer NOT NULL DEFAULT 0 CHECK (report_count >= 0),
    source_count integer NOT NULL DEFAULT 0 CHECK (source_count >= 0),
    merged_into integer REFERENCES spot (id),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT spot_stage_range CHECK (stage BETWEEN 1 AND 4),
    CONSTRAINT spot_geom_valid CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    CONSTRAINT spot_geom_type CHECK (GeometryType(geom) IN
        ('POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON'))
);
CREATE INDEX spot_geom_idx ON spot USING gist (geom);
CREATE INDEX spot_area_idx ON spot (area_id);
CREATE INDEX spot_stage_idx ON spot (stage, category);

CREATE TABLE report (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    spot_id integer REFERENCES spot (id),
    source text NOT NULL REFERENCES source (code),
    source_ref text NOT NULL DEFAULT '',
    provenance jsonb NOT NULL DEFAULT '{}',
    geom geometry(Geometry, 4326) NOT NULL,
    location_verified boolean NOT NULL DEFAULT true,
    category text NOT NULL REFERENCES category (code),
    description text NOT NULL DEFAULT '',
    address text NOT NULL DEFAULT '',
    area_id integer REFERENCES area (id),
    time_of_day text CHECK (time_of_day IN ('day', 'evening', 'night')),
    audit jsonb,
    reported_at timestamptz NOT NULL DEFAULT now(),
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT report_geom_valid CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    CONSTRAINT report_geom_type CHECK (GeometryType(geom) IN
        ('POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON')),
    CONSTRAINT report_audit_valid CHECK (safety_audit_is_valid(audit))
);
CREATE INDEX report_geom_idx ON report USING gist (geom);
CREATE INDEX report_spot_idx ON report (spot_id);
CREATE INDEX report_area_idx ON report (area_id);

-- Reporters' personal data lives apart from the report and never reaches a public view.
CREATE TABLE report_contact (
    report_id bigint PRIMARY KEY REFERENCES report (id),
    name text NOT NULL DEFAULT '',
    phone text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT ''
);

CREATE TABLE spot_event (
    id bigserial PRIMARY KEY,
    spot_id integer NOT NULL REFERENCES spot (id),
    kind text NOT NULL CHECK (kind ~ '^[a-z_]+$'),
    actor_id integer REFERENCES app_user (id),
    actor_name text NOT NULL DEFAULT '',
    at timestamptz NOT NULL DEFAULT now(),
    note text NOT NULL DEFAULT '',
    payload jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX spot_event_spot_idx ON spot_event (spot_id, at);

-- History is append-only: the database itself refuses to rewrite it.
CREATE FUNCTION spot_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'spot_event is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER spot_event_no_update BEFORE UPDATE OR DELETE ON spot_event
    FOR EACH ROW EXECUTE FUNCTION spot_event_append_only();
