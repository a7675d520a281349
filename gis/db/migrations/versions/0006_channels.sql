-- Intake channels: neighbourhood focus-group sessions, and what the Open311 (137 hotline) channel needs.

-- A focus group held in a neighbourhood house. The places its participants marked are reports
-- (source 'focus_group') whose provenance names the session: provenance.focus_group_id.
CREATE TABLE focus_group (
    id serial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    area_id integer NOT NULL REFERENCES area (id),
    held_on date NOT NULL,
    facilitator text NOT NULL,
    participants integer NOT NULL,
    women integer NOT NULL,
    notes text NOT NULL DEFAULT '',
    created_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT focus_group_facilitator_named CHECK (btrim(facilitator) <> ''),
    CONSTRAINT focus_group_participants_range CHECK (participants BETWEEN 1 AND 1000),
    CONSTRAINT focus_group_women_range CHECK (women >= 0),
    CONSTRAINT focus_group_women_le_participants CHECK (women <= participants)
);
CREATE INDEX focus_group_area_idx ON focus_group (area_id, held_on);

CREATE INDEX report_focus_group_idx ON report (((provenance ->> 'focus_group_id')::integer))
    WHERE source = 'focus_group';

-- Open311 clients may identify the citizen's device or account: personal data, so it lives with the contact.
ALTER TABLE report_contact
    ADD COLUMN device_id text NOT NULL DEFAULT '',
    ADD COLUMN account_id text NOT NULL DEFAULT '';
