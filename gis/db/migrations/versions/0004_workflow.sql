-- Stage 3 and 4 of a spot's life (site visits and re-audits, actions assigned to agencies) and the
-- programme's own activities and phases. State changes are also written to spot_event (append-only).

-- A complete safety audit: all nine criteria present, each 0–3.
-- Qualified: pg_restore checks constraints with an empty search_path.
CREATE FUNCTION safety_audit_is_complete(audit jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT audit IS NOT NULL AND public.safety_audit_is_valid(audit)
       AND audit ?& ARRAY['lighting', 'openness', 'visibility', 'people', 'security',
                          'walk_path', 'public_transport', 'gender_mix', 'feeling']
$$;

-- The mean score of an audit (0–3), so audits of different visits compare on one scale.
CREATE FUNCTION safety_audit_mean(audit jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT avg(value::text::numeric) FROM jsonb_each(audit)
$$;

-- A site visit in stage 3, or the re-audit that moves a spot to stage 4.
CREATE TABLE site_visit (
    id serial PRIMARY KEY,
    spot_id integer NOT NULL REFERENCES spot (id),
    purpose text NOT NULL CHECK (purpose IN ('visit', 're_audit')),
    visited_on date NOT NULL,
    findings text NOT NULL DEFAULT '',
    photos text[] NOT NULL DEFAULT '{}',
    audit jsonb,
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT site_visit_audit_valid CHECK (safety_audit_is_valid(audit)),
    CONSTRAINT site_visit_re_audit_complete CHECK (purpose <> 're_audit' OR safety_audit_is_complete(audit))
);
CREATE INDEX site_visit_spot_idx ON site_visit (spot_id, visited_on);

CREATE TABLE action_status (
    code text PRIMARY KEY,
    is_open boolean NOT NULL,
    label_fa text NOT NULL,
    label_en text NOT NULL
);
INSERT INTO action_status (code, is_open, label_fa, label_en) VALUES
    ('assigned', true, 'ارجاع‌شده', 'Assigned'),
    ('in_progress', true, 'در حال اجرا', 'In progress'),
    ('done', false, 'انجام‌شده', 'Done'),
    ('cancelled', false, 'لغوشده', 'Cancelled');

-- One agency's part in fixing a spot: what, by when, and how it ended.
CREATE TABLE spot_action (
    id serial PRIMARY KEY,
    spot_id integer NOT NULL REFERENCES spot (id),
    agency_id integer NOT NULL REFERENCES agency (id),
    what text NOT NULL CHECK (what <> ''),
    due_on date NOT NULL,
    status text NOT NULL DEFAULT 'assigned' REFERENCES action_status (code),
    outcome text NOT NULL DEFAULT '',
    version integer NOT NULL DEFAULT 1,
    assigned_by integer REFERENCES app_user (id),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT spot_action_done_at CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX spot_action_spot_idx ON spot_action (spot_id);
CREATE INDEX spot_action_agency_idx ON spot_action (agency_id, status, due_on);

CREATE TABLE activity_kind (
    code text PRIMARY KEY,
    label_fa text NOT NULL,
    label_en text NOT NULL
);
INSERT INTO activity_kind (code, label_fa, label_en) VALUES
    ('meeting', 'جلسهٔ هماهنگی کارگروه', 'Working-group coordination meeting'),
    ('training', 'آموزش در سرای محله', 'Training in a neighbourhood house');

CREATE TABLE programme_activity (
    id serial PRIMARY KEY,
    kind text NOT NULL REFERENCES activity_kind (code),
    held_on date NOT NULL,
    title text NOT NULL CHECK (title <> ''),
    area_id integer REFERENCES area (id),
    place text NOT NULL DEFAULT '',
    facilitator text NOT NULL DEFAULT '',
    attendance integer CHECK (attendance >= 0),
    attendees jsonb NOT NULL DEFAULT '{}',
    decisions text NOT NULL DEFAULT '',
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT programme_activity_attendees CHECK (jsonb_typeof(attendees) = 'object')
);
CREATE INDEX programme_activity_held_idx ON programme_activity (held_on);

CREATE TABLE programme_phase (
    id serial PRIMARY KEY,
    name_fa text NOT NULL CHECK (name_fa <> ''),
    name_en text NOT NULL DEFAULT '',
    stage smallint REFERENCES stage (number),
    planned_start date NOT NULL,
    planned_end date NOT NULL,
    actual_start date,
    actual_end date,
    CONSTRAINT programme_phase_planned_order CHECK (planned_start <= planned_end),
    CONSTRAINT programme_phase_actual_order CHECK (actual_end IS NULL OR (actual_start IS NOT NULL
                                                   AND actual_start <= actual_end))
);

-- The audit a fix is judged against: the latest stage-3 visit's, else the mean of the reports' audits.
CREATE FUNCTION spot_audit_before(spot integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT v.audit FROM site_visit v WHERE v.spot_id = spot AND v.purpose = 'visit' AND v.audit IS NOT NULL
         ORDER BY v.visited_on DESC, v.id DESC LIMIT 1),
        (SELECT jsonb_object_agg(kv.key, kv.score) FROM (
             SELECT e.key, round(avg(e.value::text::numeric), 2) AS score
             FROM report r, jsonb_each(r.audit) e WHERE r.spot_id = spot AND r.audit IS NOT NULL
             GROUP BY e.key) kv))
$$;

-- The latest re-audit: the evidence a fix worked (or did not).
CREATE FUNCTION spot_audit_after(spot integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT v.audit FROM site_visit v WHERE v.spot_id = spot AND v.purpose = 're_audit'
    ORDER BY v.visited_on DESC, v.id DESC LIMIT 1
$$;
