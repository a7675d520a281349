-- Routing rules: which agency fixes which category in which neighbourhood (NULL: every neighbourhood), by when.
CREATE TABLE routing_rule (
    id serial PRIMARY KEY,
    category text NOT NULL REFERENCES category (code),
    area_id integer REFERENCES area (id),
    agency_id integer NOT NULL REFERENCES agency (id),
    what text NOT NULL DEFAULT '',
    due_days integer NOT NULL CHECK (due_days BETWEEN 1 AND 365),
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT routing_rule_once UNIQUE NULLS NOT DISTINCT (category, area_id, agency_id)
);

-- A decision's follow-up from a programme meeting: what, whose (an agency or a staff role), by when.
CREATE TABLE follow_up (
    id serial PRIMARY KEY,
    activity_id integer NOT NULL REFERENCES programme_activity (id),
    decision text NOT NULL CHECK (decision <> ''),
    what text NOT NULL CHECK (what <> ''),
    agency_id integer REFERENCES agency (id),
    owner_role text CHECK (owner_role IN ('gis_office', 'deputy')),
    due_on date NOT NULL,
    done_at timestamptz,
    outcome text NOT NULL DEFAULT '',
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT follow_up_one_owner CHECK ((agency_id IS NULL) <> (owner_role IS NULL))
);
CREATE INDEX follow_up_agency_idx ON follow_up (agency_id, due_on);

-- A user's inbox: a new assignment, an action due soon or overdue, a decision's follow-up. Once per user,
-- kind and subject, so the daily sweep adds nothing twice.
CREATE TABLE notification (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES app_user (id),
    kind text NOT NULL CHECK (kind IN ('assigned', 'due_soon', 'overdue', 'follow_up')),
    action_id integer REFERENCES spot_action (id),
    follow_up_id integer REFERENCES follow_up (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz,
    emailed_at timestamptz,
    CONSTRAINT notification_subject CHECK ((action_id IS NULL) <> (follow_up_id IS NULL)),
    CONSTRAINT notification_once UNIQUE NULLS NOT DISTINCT (user_id, kind, action_id, follow_up_id)
);
CREATE INDEX notification_unread_idx ON notification (user_id) WHERE read_at IS NULL;
ALTER TABLE app_user ADD COLUMN email text CHECK (email ~ '^[^@\s]+@[^@\s]+$');

-- "Is the place safer now?": a reporter's answer four weeks after the spot closed (staff record it by phone).
CREATE TABLE reporter_follow_up (
    id serial PRIMARY KEY,
    report_id integer NOT NULL UNIQUE REFERENCES report (id),
    spot_id integer NOT NULL REFERENCES spot (id),
    answer text NOT NULL CHECK (answer IN ('safer', 'same', 'less_safe', 'not_reached')),
    note text NOT NULL DEFAULT '',
    recorded_by integer REFERENCES app_user (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
